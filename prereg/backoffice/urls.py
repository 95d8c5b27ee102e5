"""Back-office URLs, an area after another (the views of each are in views/<area>.py)."""

from django.urls import path

from .views import accounts, audit, dashboard, exports, orgs, reconcile, review, stats, years
from .views import print as print_views

app_name = "backoffice"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    # 待审信息, the review screen, 已审信息, 汇总提交, 交叉审核, notices
    path("review/pending/", review.pending, name="pending"),
    path("review/batch/", review.batch_approve, name="batch_approve"),
    path("review/reviewed/", review.reviewed, name="reviewed"),
    path("review/forward/", review.forward, name="forward"),
    path("review/cross/", review.cross_review, name="cross_review"),
    path("review/cross/<int:pk>/revoke/", review.cross_review_revoke, name="cross_review_revoke"),
    path("review/<int:pk>/", review.review_detail, name="review"),
    path("review/<int:pk>/check/", review.review_check, name="review_check"),
    path("review/<int:pk>/decide/", review.review_decide, name="review_decide"),
    path("review/<int:pk>/recall/", review.review_recall, name="review_recall"),
    path("review/<int:pk>/edit/", review.review_edit, name="review_edit"),
    path("notices/", review.notices, name="notices"),
    path("notices/<int:pk>/read/", review.notice_read, name="notice_read"),
    path("notices/read-all/", review.notices_read_all, name="notices_read_all"),
    # 组织机构管理, 单位添加申请, the org import
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
    # 用户管理, 配置角色权限, 考生信息管理, the SMS outbox
    path("accounts/", accounts.account_list, name="accounts"),
    path("accounts/add/", accounts.account_add, name="accounts_add"),
    path("accounts/import/", accounts.account_import, name="accounts_import"),
    path("accounts/import/confirm/", accounts.account_import_confirm, name="accounts_import_confirm"),
    path("accounts/import/template/", accounts.account_template, name="accounts_template"),
    path("accounts/toggle/", accounts.account_toggle, name="accounts_toggle"),
    path("accounts/<int:pk>/reset/", accounts.account_reset, name="accounts_reset"),
    path("accounts/password-shown/", accounts.password_shown, name="password_shown"),
    path("accounts/<int:pk>/edit/", accounts.account_edit, name="accounts_edit"),
    path("role-permissions/", accounts.role_permissions, name="role_permissions"),
    path("candidates/", accounts.candidate_list, name="candidates"),
    path("candidates/<int:pk>/", accounts.candidate_detail, name="candidate_detail"),
    path("candidates/<int:pk>/unlock/", accounts.candidate_unlock, name="candidate_unlock"),
    path("candidates/<int:pk>/reset/", accounts.candidate_reset, name="candidate_reset"),
    path("candidates/<int:pk>/phone/", accounts.candidate_phone, name="candidate_phone"),
    path("sms-outbox/", accounts.sms_outbox, name="sms_outbox"),
    # 考生信息导出, 提醒考生
    path("exports/", exports.exports, name="exports"),
    path("exports/orgs/", exports.org_search, name="org_search"),
    path("exports/new/", exports.export_create, name="export_create"),
    path("exports/<int:pk>/status/", exports.export_status, name="export_status"),
    path("exports/<int:pk>/download/", exports.export_download, name="export_download"),
    path("exports/<int:pk>/delete/", exports.export_delete, name="export_delete"),
    path("exports/application/<int:pk>/images/", exports.export_application_images,
         name="export_application_images"),
    path("reminders/", exports.reminders, name="reminders"),
    # 进度跟踪
    path("stats/", stats.stats, name="stats"),
    # 审计日志
    path("audit/", audit.audit_log, name="audit"),
    path("audit/export.csv", audit.audit_export, name="audit_export"),
    # 年度与字典, 通知公告, password sheets, manuals
    path("years/", years.year_list, name="years"),
    path("years/open/", years.year_open, name="year_open"),
    path("years/passwords/", years.password_sheets, name="year_passwords"),
    path("years/passwords/<int:pk>/reveal/", years.password_sheet_reveal, name="year_password_reveal"),
    path("years/<int:pk>/", years.year_detail, name="year_detail"),
    path("years/<int:pk>/projects/", years.year_project_add, name="year_project_add"),
    path("years/<int:pk>/projects/<int:project_id>/", years.year_project_edit, name="year_project_edit"),
    path("years/<int:pk>/rules/", years.year_rules, name="year_rules"),
    path("years/<int:pk>/catalogue/download/", years.year_catalogue_download, name="year_catalogue_download"),
    path("years/<int:pk>/catalogue/import/", years.year_catalogue_import, name="year_catalogue_import"),
    path("years/<int:pk>/catalogue/<slug:kind>/", years.year_entries, name="year_entries"),
    path("years/<int:pk>/catalogue/<slug:kind>/<int:entry_id>/", years.year_entry_edit, name="year_entry_edit"),
    path("announcements/", years.announcement_list, name="announcements"),
    path("announcements/new/", years.announcement_edit, name="announcement_new"),
    path("announcements/<int:pk>/", years.announcement_edit, name="announcement_edit"),
    path("announcements/<int:pk>/publish/", years.announcement_publish, name="announcement_publish"),
    path("manual/<slug:which>/", years.manual, name="manual"),
    # 打印确认单
    path("applications/<int:pk>/confirmation.pdf", print_views.print_confirmation, name="print_confirmation"),
    # 国网名单核对. No id in the paths: every page is of the user's own org (its roster in force, its
    # pending upload), the list is a query parameter.
    path("reconcile/", reconcile.home, name="reconcile"),
    path("reconcile/columns/", reconcile.mapping, name="reconcile_mapping"),
    path("reconcile/list/", reconcile.list_view, name="reconcile_list"),
    path("reconcile/export/", reconcile.export, name="reconcile_export"),
    path("reconcile/remind/", reconcile.remind, name="reconcile_remind"),
]
