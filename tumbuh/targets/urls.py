from django.urls import path

from . import views

app_name = "targets"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("register/<slug:group>/", views.register, name="register"),
    path("register/<slug:group>/new/", views.new_person, name="new_person"),
    path("tpk/", views.teams, name="teams"),
    path("person/<int:person_id>/", views.person, name="person"),
    path("person/<int:person_id>/<slug:group>/new/", views.group_new, name="group_new"),
    path("pregnancy/<int:pregnancy_id>/", views.pregnancy, name="pregnancy"),
    path("pregnancy/<int:pregnancy_id>/outcome/", views.pregnancy_outcome, name="pregnancy_outcome"),
    path("nifas/<int:postpartum_id>/", views.postpartum, name="postpartum"),
    path("remaja/<int:adolescent_id>/", views.adolescent, name="adolescent"),
    path("household/<int:household_id>/", views.household, name="household"),
]
