from django.apps import AppConfig


class ReconcileConfig(AppConfig):
    name = "prereg.reconcile"
    label = "reconcile"
    verbose_name = "国网名单核对"
