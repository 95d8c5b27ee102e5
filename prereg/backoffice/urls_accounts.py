from django.urls import path

from .views import accounts

urlpatterns = [
    path("accounts/", accounts.account_list, name="accounts"),
    path("accounts/add/", accounts.account_add, name="accounts_add"),
    path("accounts/import/", accounts.account_import, name="accounts_import"),
    path("accounts/import/confirm/", accounts.account_import_confirm, name="accounts_import_confirm"),
    path("accounts/import/template/", accounts.account_template, name="accounts_template"),
    path("accounts/toggle/", accounts.account_toggle, name="accounts_toggle"),
    path("accounts/<int:pk>/reset/", accounts.account_reset, name="accounts_reset"),
    path("accounts/<int:pk>/edit/", accounts.account_edit, name="accounts_edit"),
    path("role-permissions/", accounts.role_permissions, name="role_permissions"),
    path("candidates/", accounts.candidate_list, name="candidates"),
    path("candidates/<int:pk>/", accounts.candidate_detail, name="candidate_detail"),
    path("candidates/<int:pk>/unlock/", accounts.candidate_unlock, name="candidate_unlock"),
    path("candidates/<int:pk>/reset/", accounts.candidate_reset, name="candidate_reset"),
    path("candidates/<int:pk>/phone/", accounts.candidate_phone, name="candidate_phone"),
    path("sms-outbox/", accounts.sms_outbox, name="sms_outbox"),
]
