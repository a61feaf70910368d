from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("<int:pk>/", views.report, name="report"),
    path("<int:pk>/rejected.xlsx", views.rejected_download, name="rejected"),
    path("reviews/", views.reviews, name="reviews"),
    path("reviews/<int:pk>/decide/", views.decide, name="decide"),
    path("reviews/<int:pk>/undo/", views.undo_merge, name="undo_merge"),
    path("reviews/<int:pk>/undo-delivery/", views.undo_delivery_review, name="undo_delivery_review"),
    path("export/", views.export, name="export"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("new/<slug:source>/", views.upload_source, name="upload_source"),
]
