from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "prereg.backoffice"
    label = "backoffice"
