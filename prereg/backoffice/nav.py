"""The back-office sidebar: (permission function, label, url name), shown when the user holds the function."""

import functools

from django.urls import get_script_prefix, get_urlconf, reverse

from prereg.accounts.permissions import has_function

SECTIONS = [
    ("首页", [
        (None, "工作台", "backoffice:dashboard"),
        (None, "消息通知", "backoffice:notices"),
        ("reset_reviewer_password", "新年度账号密码", "backoffice:year_passwords"),
    ]),
    ("审核管理", [
        ("review", "待审信息", "backoffice:pending"),
        ("review", "已审信息", "backoffice:reviewed"),
        ("summary_submit", "汇总提交", "backoffice:forward"),
        ("assign_cross_review", "分配交叉审核", "backoffice:cross_review"),
        ("track_progress", "进度跟踪", "backoffice:stats"),
        ("send_reminders", "提醒考生", "backoffice:reminders"),
        ("reconcile_national", "国网名单核对", "backoffice:reconcile"),
        ("export_excel", "考生信息导出", "backoffice:exports"),
    ]),
    ("系统管理", [
        ("edit_unit", "组织机构管理", "backoffice:orgs"),
        ("add_unit", "单位添加申请", "backoffice:unit_requests"),
        ("toggle_reviewer", "用户管理", "backoffice:accounts"),
        ("manage_candidates", "考生信息管理", "backoffice:candidates"),
        ("configure_roles", "配置角色权限", "backoffice:role_permissions"),
        ("configure_roles", "年度与字典", "backoffice:years"),
        ("configure_roles", "通知公告", "backoffice:announcements"),
        ("view_sms_outbox", "短信发件箱", "backoffice:sms_outbox"),
    ]),
    ("安全审计", [
        ("read_audit_log", "审计日志", "backoffice:audit"),
    ]),
]


def sidebar_for(user, current_path=""):
    sections = []
    for title, entries in SECTIONS:
        links = []
        for function, label, url_name in entries:
            if function is not None and not has_function(user, function):
                continue
            url = _url(url_name, get_urlconf(), get_script_prefix())
            links.append({"label": label, "url": url, "active": current_path.startswith(url)
                          and url != "/backoffice/" or current_path == url})
        if links:
            sections.append({"title": title, "links": links})
    return sections


@functools.cache
def _url(url_name, urlconf, prefix):
    """`reverse(url_name)`, once per URLconf and script prefix: the sidebar is on every page."""
    return reverse(url_name, urlconf=urlconf)
