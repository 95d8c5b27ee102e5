from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "prereg.exports"
    label = "exports"
