from django.urls import path

from . import views

app_name = "measurements"
urlpatterns = [
    path("sw.js", views.service_worker, name="service_worker"),
    path("session/", views.session_list, name="session_list"),
    path("session/<int:posyandu_id>/", views.session, name="session"),
    path("session/<int:posyandu_id>/row/<int:child_id>/", views.session_row, name="session_row"),
    path("child/<int:child_id>/new/", views.add_for_child, name="add_for_child"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/delete/", views.delete, name="delete"),
]
