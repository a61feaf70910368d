from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "tumbuh.coordination"
    label = "coordination"
    verbose_name = "Koordinasi"
    default_auto_field = "django.db.models.BigAutoField"
