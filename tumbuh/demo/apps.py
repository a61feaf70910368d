from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "tumbuh.demo"
