from django.urls import path

from . import views

app_name = "coordination"
urlpatterns = [
    path("", views.index, name="index"),
    path("aksi/<int:aksi_id>/", views.aksi_detail, name="aksi_detail"),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("commitments/", views.commitment_list, name="commitment_list"),
    path("commitments/<int:commitment_id>/", views.commitment_detail, name="commitment_detail"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("calendar/<str:token>.ics", views.ics, name="ics"),
    path("assessment/", views.assessment, name="assessment"),
    path("assessment/<int:assessment_id>/", views.assessment_detail, name="assessment_detail"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/<int:child_id>/", views.case_new, name="case_new"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("public/toggle/", views.public_toggle, name="public_toggle"),
    path("public/<str:kabupaten>/", views.public_page, name="public"),
]
