from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "prereg.notify"
    label = "notify"
