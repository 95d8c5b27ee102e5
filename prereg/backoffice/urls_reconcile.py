"""国网名单核对. No id in the paths: every page is of the user's own org (its roster in force, its
pending upload), the list is a query parameter."""

from django.urls import path

from .views import reconcile

urlpatterns = [
    path("reconcile/", reconcile.home, name="reconcile"),
    path("reconcile/columns/", reconcile.mapping, name="reconcile_mapping"),
    path("reconcile/list/", reconcile.list_view, name="reconcile_list"),
    path("reconcile/export/", reconcile.export, name="reconcile_export"),
    path("reconcile/remind/", reconcile.remind, name="reconcile_remind"),
]
