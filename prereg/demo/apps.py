from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "prereg.demo"
    label = "demo"
