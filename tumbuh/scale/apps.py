from django.apps import AppConfig


class ScaleConfig(AppConfig):
    name = "tumbuh.scale"
    label = "scale"
    verbose_name = "National-scale path"
