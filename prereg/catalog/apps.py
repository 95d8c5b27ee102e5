from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "prereg.catalog"
    label = "catalog"
