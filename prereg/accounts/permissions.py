"""The permission table of the reviewer manual, section 三, as data.

`TABLE[function]` is the set of roles that may use it by default; `RolePermission` rows hold
the changes made through 配置角色权限. Every view and service asks `has_function(user, f)`.
Functions 1-20 are the source's; the rest make explicit what the source leaves implicit.
"""

import time

from django.core.cache import cache
from django.core.exceptions import PermissionDenied

from .models import Role, RolePermission

SYSADMIN, DISTRICT, SITE, POINT, UNIT = Role.SYSADMIN, Role.DISTRICT, Role.SITE, Role.POINT, Role.UNIT
CANDIDATE, AUDITOR = Role.CANDIDATE, Role.AUDITOR
ALL_STAFF = {SYSADMIN, DISTRICT, SITE, POINT, UNIT}

# (code, 业务模块, 功能名称, default roles)
FUNCTIONS = [
    ("register", "登录管理", "注册", {CANDIDATE}),
    ("login", "登录管理", "登录", ALL_STAFF | {CANDIDATE, AUDITOR}),
    ("logout", "登录管理", "注销", ALL_STAFF | {CANDIDATE, AUDITOR}),
    ("recover_password", "登录管理", "找回密码", ALL_STAFF | {CANDIDATE, AUDITOR}),
    ("change_password", "登录管理", "修改密码", ALL_STAFF | {CANDIDATE, AUDITOR}),
    ("create_reviewer", "账户管理", "新增审核账号", {SYSADMIN, DISTRICT}),
    ("configure_roles", "账户管理", "配置角色权限", {SYSADMIN, DISTRICT}),
    ("reset_reviewer_password", "账户管理", "重置审核账户密码", {SYSADMIN, DISTRICT, SITE, POINT}),
    ("toggle_reviewer", "账户管理", "禁用启用审核账户", {SYSADMIN, DISTRICT, SITE, POINT}),
    ("manage_candidates", "账户管理", "考生信息管理", {SYSADMIN, DISTRICT, SITE, POINT, UNIT}),
    ("add_unit", "单位管理", "新增报考单位", {SYSADMIN, DISTRICT, SITE, POINT}),
    ("edit_unit", "单位管理", "修改报考单位", {SYSADMIN, DISTRICT, SITE, POINT}),
    ("delete_unit", "单位管理", "删除报考单位", {SYSADMIN, DISTRICT, SITE, POINT}),
    ("assign_cross_review", "审核管理", "分配交叉审核", {DISTRICT, SITE}),
    ("summary_submit", "审核管理", "汇总提交", {DISTRICT, SITE}),
    ("batch_submit", "审核管理", "批量提交", {DISTRICT, SITE}),
    ("export_excel", "审核管理", "考生信息Excel导出", {SYSADMIN, DISTRICT, SITE, POINT, UNIT}),
    ("track_progress", "审核管理", "进度跟踪", ALL_STAFF | {CANDIDATE}),
    ("print_confirmation", "审核管理", "打印预报名审核确认单", ALL_STAFF | {CANDIDATE}),
    ("edit_own_application", "审核管理", "重新编辑填报信息", {CANDIDATE}),
    # Beyond the source's table:
    ("review", "审核管理", "审核（待审/已审信息）", {DISTRICT, SITE, POINT, UNIT}),
    ("read_audit_log", "安全审计", "查看审计日志", {AUDITOR}),
    ("view_sms_outbox", "系统管理", "短信发件箱（演示）", {SYSADMIN}),
    ("send_reminders", "审核管理", "短信提醒考生", {SITE, POINT}),
    ("reconcile_national", "审核管理", "国网名单核对", {DISTRICT, SITE, POINT}),
]
SOURCE_FUNCTION_COUNT = 20
TABLE = {code: frozenset(roles) for code, _module, _name, roles in FUNCTIONS}
NAMES = {code: name for code, _module, name, _roles in FUNCTIONS}
SOURCE_FUNCTIONS = frozenset(code for code, *_ in FUNCTIONS[:SOURCE_FUNCTION_COUNT])

# Locked cells of 配置角色权限 keep their default whatever RolePermission holds, and no one changes
# them (三员分立, GB/T 22239-2019 8.1.4.2): the audit log's row and the SMS outbox's row (every code
# sent) — or an administrator could grant them to himself or take them from the auditor —, the
# auditor's column, and the notice's cells of 系统管理 and 考区: the 考区 configures the other
# roles (notice, 第九条), not its own powers nor the sysadmin's. 注销 is locked too, for every role:
# a user must always be able to sign out, so withdrawing it could mean nothing.
LOCKED_FUNCTIONS = frozenset({"read_audit_log", "view_sms_outbox", "logout"})
LOCKED_ROLES = frozenset({AUDITOR})
LOCKED_SOURCE_ROLES = frozenset({SYSADMIN, DISTRICT})
# A cell of the other audience could mean nothing either, so it is locked: a reviewer neither signs
# up nor edits a form of his own (the candidate's functions), and a candidate never enters the back
# office (backoffice.access.staff_required), whatever his column says. The 登录管理 row, 进度跟踪
# and 打印 serve both audiences and are asked of both.
CANDIDATE_ONLY_FUNCTIONS = frozenset({"register", "edit_own_application"})
BOTH_AUDIENCES_FUNCTIONS = frozenset({"login", "logout", "recover_password", "change_password",
                                      "track_progress", "print_confirmation"})
CACHE_KEY = "role-permission-overrides"


def is_locked(function: str, role: str) -> bool:
    of_the_other_audience = (function not in BOTH_AUDIENCES_FUNCTIONS
                             and (role == CANDIDATE) != (function in CANDIDATE_ONLY_FUNCTIONS))
    return (function in LOCKED_FUNCTIONS or role in LOCKED_ROLES
            or (function in SOURCE_FUNCTIONS and role in LOCKED_SOURCE_ROLES) or of_the_other_audience)


# A page asks has_function a dozen times; a two-second copy in the process spares a cache
# round trip each time, while a change still reaches every process within seconds.
LOCAL_SECONDS = 2.0
_local: dict = {"value": None, "until": 0.0}


def overrides() -> dict[tuple[str, str], bool]:
    now = time.monotonic()
    if _local["value"] is not None and now < _local["until"]:
        return _local["value"]
    cached = cache.get(CACHE_KEY)
    if cached is None:
        cached = {(o.function, o.role): o.allowed for o in RolePermission.objects.all()}
        cache.set(CACHE_KEY, cached, 60)
    _local.update(value=cached, until=now + LOCAL_SECONDS)
    return cached


def role_has_function(role: str, function: str) -> bool:
    if function not in TABLE:
        raise KeyError(f"unknown function {function!r}")
    if is_locked(function, role):
        return role in TABLE[function]
    return overrides().get((function, role), role in TABLE[function])


def has_function(user, function: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return role_has_function(user.role, function)


def registration_open() -> bool:
    """注册 (考生注册): an anonymous visitor has no role, so the candidates' cell answers for him. The
    sign-up page, its SMS code, the sign-up service and the login page's 考生注册 link ask it."""
    return role_has_function(CANDIDATE, "register")


def require_function(user, function: str) -> None:
    if not has_function(user, function):
        raise PermissionDenied(f"您没有“{NAMES[function]}”的权限。")


def invalidate_cache() -> None:
    _local.update(value=None, until=0.0)
    cache.delete(CACHE_KEY)
