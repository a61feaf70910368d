from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("prevalence/", views.prevalence, name="prevalence"),
    path("bnba/", views.bnba, name="bnba"),
    path("quality/", views.quality, name="quality"),
    path("targets/", views.targets, name="targets"),
    path("targets/<str:kind>/<int:pk>/delete/", views.delete_reference, name="delete_reference"),
    path("boundaries/", views.boundaries, name="boundaries"),
]
