from django.urls import path

from . import twofactor, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("me/", views.me, name="me"),
    path("password/", views.password_change, name="password_change"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:user_id>/edit/", views.user_edit, name="user_edit"),
    path("2fa/", twofactor.otp_verify, name="otp_verify"),
    path("2fa/setup/", twofactor.otp_setup, name="otp_setup"),
]
