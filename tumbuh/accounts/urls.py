from django.urls import path

from . import twofactor, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("me/", views.me, name="me"),
    path("2fa/", twofactor.otp_verify, name="otp_verify"),
    path("2fa/setup/", twofactor.otp_setup, name="otp_setup"),
]
