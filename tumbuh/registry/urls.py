from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("children/", views.child_list, name="child_list"),
    path("children/new/", views.child_create, name="child_create"),
    path("children/<int:pk>/", views.child_detail, name="child_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/void/", views.person_void, name="person_void"),
    path("people/<int:pk>/restore/", views.person_restore, name="person_restore"),
    path("people/voided/", views.voided_list, name="voided_list"),
    path("people/search-mothers/", views.mother_search, name="mother_search"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
]
