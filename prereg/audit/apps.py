from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "prereg.audit"
    label = "audit"
