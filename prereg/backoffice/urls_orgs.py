from django.urls import path

from .views import orgs

urlpatterns = [
    path("orgs/", orgs.org_list, name="orgs"),
    path("orgs/add/", orgs.org_add, name="orgs_add"),
    path("orgs/toggle/", orgs.org_toggle, name="orgs_toggle"),
    path("orgs/import/", orgs.org_import, name="orgs_import"),
    path("orgs/import/confirm/", orgs.org_import_confirm, name="orgs_import_confirm"),
    path("orgs/export/", orgs.org_export, name="orgs_export"),
    path("orgs/<int:pk>/", orgs.org_detail, name="orgs_detail"),
    path("orgs/<int:pk>/edit/", orgs.org_edit, name="orgs_edit"),
    path("orgs/<int:pk>/delete/", orgs.org_delete, name="orgs_delete"),
    path("orgs/<int:pk>/admins/<int:user_pk>/reset/", orgs.org_admin_reset, name="orgs_admin_reset"),
    path("unit-requests/", orgs.unit_request_list, name="unit_requests"),
    path("unit-requests/<int:pk>/", orgs.unit_request_resolve, name="unit_request_resolve"),
]
