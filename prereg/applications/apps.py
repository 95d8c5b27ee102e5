from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "prereg.applications"
    label = "applications"

    def ready(self):
        from . import rowtext

        rowtext.connect()
