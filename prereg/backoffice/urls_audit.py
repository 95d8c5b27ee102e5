from django.urls import path

from .views import audit

urlpatterns = [
    path("audit/", audit.audit_log, name="audit"),
    path("audit/export.csv", audit.audit_export, name="audit_export"),
]
