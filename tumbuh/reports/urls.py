from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:report_id>/", views.detail, name="detail"),
    path("<int:report_id>/action/", views.action, name="action"),
    path("jobs/<int:job_id>/", views.job, name="job"),
    path("jobs/<int:job_id>/download/", views.download, name="download"),
    path("meetings/<int:meeting_id>/", views.meeting_pack, name="meeting_pack"),
    path("print/bnba/", views.bnba_print, name="bnba_print"),
    path("print/distribution/", views.distribution_print, name="distribution_print"),
]
