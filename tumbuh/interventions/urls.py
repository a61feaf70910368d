from django.urls import path

from . import views

app_name = "interventions"
urlpatterns = [
    path("", views.deliveries, name="deliveries"),
    path("new/", views.delivery_new, name="delivery_new"),
    path("delivery/<int:delivery_id>/", views.delivery_detail, name="delivery_detail"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/<int:item_id>/", views.catalogue_item, name="catalogue_item"),
    path("agencies/", views.agencies, name="agencies"),
    path("courses/", views.courses, name="courses"),
    path("course/<int:course_id>/", views.course_detail, name="course_detail"),
    path("course/new/<int:person_id>/", views.course_new, name="course_new"),
    path("distribution/", views.distribution, name="distribution"),
    path("distribution/person/<int:person_id>/", views.distribution_row, name="distribution_row"),
    path("distribution/household/<int:household_id>/", views.distribution_household, name="distribution_household"),
    path("baas/", views.pledges, name="pledges"),
    path("baas/new/<int:child_id>/", views.pledge_new, name="pledge_new"),
    path("baas/pledge/<int:pledge_id>/", views.pledge_detail, name="pledge_detail"),
    path("baas/sponsor/<int:agency_id>/", views.sponsor, name="sponsor"),
    path("plans/", views.plans, name="plans"),
    path("opd/", views.opd_home, name="opd_home"),
]
