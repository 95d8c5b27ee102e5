"""Back-office URLs: each area keeps its own list in urls_<area>.py."""

from django.urls import path

from . import (
    urls_accounts,
    urls_audit,
    urls_exports,
    urls_orgs,
    urls_print,
    urls_reconcile,
    urls_review,
    urls_stats,
    urls_years,
)
from .views import dashboard

app_name = "backoffice"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    *urls_review.urlpatterns,
    *urls_orgs.urlpatterns,
    *urls_accounts.urlpatterns,
    *urls_exports.urlpatterns,
    *urls_stats.urlpatterns,
    *urls_audit.urlpatterns,
    *urls_years.urlpatterns,
    *urls_print.urlpatterns,
    *urls_reconcile.urlpatterns,
]
