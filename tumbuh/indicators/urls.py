from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("", views.indicators, name="ranpasti"),
    path("scorecard/", views.scorecard, name="scorecard"),
    path("scorecard/trend/", views.scorecard_trend, name="scorecard_trend"),
    path("outcome/", views.outcome, name="outcome"),
    path("settings/", views.settings_page, name="settings"),
]
