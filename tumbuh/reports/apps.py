from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "tumbuh.reports"
    label = "reports"
    verbose_name = "Laporan"
    default_auto_field = "django.db.models.BigAutoField"
