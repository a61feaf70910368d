from django.urls import path

from . import views

app_name = "convergence"

urlpatterns = [
    path("", views.gap_list, name="gaps"),
    path("gaps/<int:gap_id>/", views.gap_detail, name="gap"),
    path("not-applicable/", views.not_applicable_list, name="not_applicable"),
    path("not-applicable/<int:na_id>/revoke/", views.revoke, name="revoke"),
    path("rules/", views.rules_page, name="rules"),
]
