from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "prereg.orgs"
    label = "orgs"
