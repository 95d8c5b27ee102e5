from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "prereg.core"
    label = "core"
