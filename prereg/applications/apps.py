from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "prereg.applications"
    label = "applications"
