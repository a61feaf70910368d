from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "tumbuh.indicators"
    label = "indicators"
    verbose_name = "Indikator"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The computable RAN-PASTI indicators become commitment metrics (coordination.metrics).
        from . import metrics, signals

        metrics.register_all()
        signals.connect()
