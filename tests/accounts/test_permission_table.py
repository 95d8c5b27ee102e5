"""The permission table of the reviewer manual, section 三, cell by cell, against the code.

SOURCE is copied verbatim from ../shared/seed/fujian-prereg-notice-2019.md; any cell of
prereg/accounts/permissions.py that differs from it fails here.
"""

import pytest
from django.test import override_settings
from django.urls import reverse

from prereg.accounts import permissions
from prereg.accounts.models import Role, RolePermission
from prereg.accounts.permissions import role_has_function
from tests.factories import UserFactory

SOURCE = """
| 序号 | 业务模块 | 功能名称 | 系统管理 | 考区 | 考点 | 报名点 | 单位 | 考生 |
|----|------|---------------|------|----|----|-----|----|----|
| 1 | 登录管理 | 注册 | | | | | | * |
| 2 | | 登录 | * | * | * | * | * | * |
| 3 | | 注销 | * | * | * | * | * | * |
| 4 | | 找回密码 | * | * | * | * | * | * |
| 5 | | 修改密码 | * | * | * | * | * | * |
| 6 | 账户管理 | 新增审核账号 | * | * | | | | |
| 7 | | 配置角色权限 | * | * | | | | |
| 8 | | 重置审核账户密码 | * | * | * | * | | |
| 9 | | 禁用启用审核账户 | * | * | * | * | | |
| 10 | | 考生信息管理 | * | * | * | * | * | |
| 11 | 单位管理 | 新增报考单位 | * | * | * | * | | |
| 12 | | 修改报考单位 | * | * | * | * | | |
| 13 | | 删除报考单位 | * | * | * | * | | |
| 14 | 审核管理 | 分配交叉审核 | | * | * | | | |
| 15 | | 汇总提交 | | * | * | | | |
| 16 | | 批量提交 | | * | * | | | |
| 17 | | 考生信息 Excel 导出 | * | * | * | * | * | |
| 18 | | 进度跟踪 | * | * | * | * | * | * |
| 19 | | 打印预报名审核确认单 | * | * | * | * | * | * |
| 20 | | 重新编辑填报信息 | | | | | | * |
"""
COLUMNS = [Role.SYSADMIN, Role.DISTRICT, Role.SITE, Role.POINT, Role.UNIT, Role.CANDIDATE]


def parse_source():
    rows = {}
    for line in SOURCE.strip().splitlines()[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        name = cells[2].replace(" ", "")
        rows[name] = {role for role, mark in zip(COLUMNS, cells[3:], strict=True) if mark == "*"}
    return rows


SOURCE_ROWS = parse_source()
CODE_BY_NAME = {name.replace(" ", ""): code for code, name in permissions.NAMES.items()}
CELLS = [(name, role) for name in SOURCE_ROWS for role in COLUMNS]


def test_the_source_table_has_twenty_functions_and_each_is_in_the_code():
    assert len(SOURCE_ROWS) == permissions.SOURCE_FUNCTION_COUNT == 20
    assert set(SOURCE_ROWS) <= set(CODE_BY_NAME)
    assert [CODE_BY_NAME[n] for n in SOURCE_ROWS] == [code for code, *_ in permissions.FUNCTIONS[:20]]


@pytest.mark.parametrize(("name", "role"), CELLS, ids=[f"{n}-{r}" for n, r in CELLS])
def test_every_cell_of_the_source_table_holds_by_default(db, name, role):
    assert role_has_function(role, CODE_BY_NAME[name]) is (role in SOURCE_ROWS[name])


@pytest.mark.parametrize("code", list(permissions.TABLE))
def test_the_audit_role_has_only_the_login_functions_and_the_audit_log(db, code):
    allowed = {"login", "logout", "recover_password", "change_password", "read_audit_log"}
    assert role_has_function(Role.AUDITOR, code) is (code in allowed)


def test_only_the_auditor_reads_the_audit_log_even_after_an_override(db):
    RolePermission.objects.create(role=Role.SYSADMIN, function="read_audit_log", allowed=True)
    permissions.invalidate_cache()
    assert not role_has_function(Role.SYSADMIN, "read_audit_log")
    assert [r for r in Role.values if role_has_function(r, "read_audit_log")] == [Role.AUDITOR]


def test_an_override_row_changes_exactly_one_cell(db):
    before = {(c, r): role_has_function(r, c) for c in permissions.TABLE for r in Role.values}
    RolePermission.objects.create(role=Role.UNIT, function="add_unit", allowed=True)
    permissions.invalidate_cache()
    after = {(c, r): role_has_function(r, c) for c in permissions.TABLE for r in Role.values}
    assert {k for k in before if before[k] != after[k]} == {("add_unit", Role.UNIT)}


# The back-office pages of this area, walked for every staff role: 200 where the table allows, else 403.
PAGES = [
    ("edit_unit", "backoffice:orgs"),
    ("add_unit", "backoffice:orgs_add"),
    ("add_unit", "backoffice:unit_requests"),
    ("toggle_reviewer", "backoffice:accounts"),
    ("create_reviewer", "backoffice:accounts_add"),
    ("manage_candidates", "backoffice:candidates"),
    ("configure_roles", "backoffice:role_permissions"),
    ("view_sms_outbox", "backoffice:sms_outbox"),
]
STAFF = {Role.SYSADMIN: None, Role.DISTRICT: "350000", Role.SITE: "350100", Role.POINT: "350102",
         Role.UNIT: "35012205", Role.AUDITOR: None}


@override_settings(DEMO_MODE=True)
@pytest.mark.parametrize("role", list(STAFF))
def test_every_page_of_the_area_answers_exactly_the_roles_of_the_table(client, tree, role):
    user = UserFactory(role=role, org=tree[STAFF[role]] if STAFF[role] else None)
    client.force_login(user)
    for function, url_name in PAGES:
        status = client.get(reverse(url_name)).status_code
        expected = 200 if role_has_function(role, function) else 403
        assert status == expected, (role, url_name, status)


def test_a_candidate_is_refused_every_back_office_page_of_the_area(client, candidate):
    client.force_login(candidate)
    for _function, url_name in PAGES:
        assert client.get(reverse(url_name)).status_code == 403


# --- 三员分立: locked cells (issue 16) ------------------------------------------------------------

LOCKED_EXAMPLES = [("read_audit_log", Role.SITE, True), ("read_audit_log", Role.UNIT, True),
                   ("read_audit_log", Role.AUDITOR, False), ("view_sms_outbox", Role.DISTRICT, True),
                   ("login", Role.AUDITOR, False), ("review", Role.AUDITOR, True),
                   ("create_reviewer", Role.DISTRICT, False), ("batch_submit", Role.SYSADMIN, True),
                   ("configure_roles", Role.SYSADMIN, False), ("logout", Role.CANDIDATE, False),
                   ("logout", Role.SITE, False), ("logout", Role.UNIT, False),
                   # Cells of the other audience: they could mean nothing.
                   ("register", Role.UNIT, True), ("edit_own_application", Role.POINT, True),
                   ("create_reviewer", Role.CANDIDATE, True), ("export_excel", Role.CANDIDATE, True)]


@pytest.mark.parametrize(("code", "role", "allowed"), LOCKED_EXAMPLES)
def test_a_locked_cell_keeps_its_default_whatever_an_override_row_says(db, code, role, allowed):
    default = role_has_function(role, code)
    RolePermission.objects.create(role=role, function=code, allowed=allowed)
    permissions.invalidate_cache()
    assert permissions.is_locked(code, role)
    assert role_has_function(role, code) is default is (role in permissions.TABLE[code])


@pytest.mark.parametrize(("code", "role", "allowed"), LOCKED_EXAMPLES)
def test_the_service_refuses_every_locked_cell_to_the_district_and_the_sysadmin(db, tree, code, role, allowed):
    from django.core.exceptions import PermissionDenied

    from prereg.accounts.services import role_permission_set

    for actor in (UserFactory(role=Role.DISTRICT, org=tree["350000"]), UserFactory(role=Role.SYSADMIN)):
        with pytest.raises(PermissionDenied):
            role_permission_set(actor=actor, role=role, function=code, allowed=allowed)
    assert not RolePermission.objects.exists()


def test_the_district_cannot_take_the_log_from_the_auditor_nor_give_it_or_the_outbox_to_anyone(client, tree):
    from prereg.audit.models import AuditEvent

    district = UserFactory(role=Role.DISTRICT, org=tree["350000"])
    auditor = UserFactory(role=Role.AUDITOR)
    data = {f"{c}:{r}": "on" for c in permissions.TABLE for r in Role.values if role_has_function(r, c)}
    data["shown"] = " ".join(data)  # the cells ticked when the page was loaded
    data.pop("read_audit_log:auditor")
    data.update({"read_audit_log:site": "on", "read_audit_log:unit": "on", "view_sms_outbox:district": "on",
                 "create_reviewer:site": "on"})  # the last one is a cell the 考区 may change
    client.force_login(district)
    client.post(reverse("backoffice:role_permissions"), data)
    permissions.invalidate_cache()
    assert [r for r in Role.values if role_has_function(r, "read_audit_log")] == [Role.AUDITOR]
    assert [r for r in Role.values if role_has_function(r, "view_sms_outbox")] == [Role.SYSADMIN]
    assert list(AuditEvent.objects.filter(event="permission.change").values_list("details__function", flat=True)) \
        == ["create_reviewer"]
    client.force_login(auditor)
    assert client.get(reverse("backoffice:audit")).status_code == 200


def test_the_logout_row_is_locked_for_every_role_since_a_user_must_always_be_able_to_sign_out(db):
    assert all(permissions.is_locked("logout", role) for role in Role.values)
    assert all(role_has_function(role, "logout") for role in Role.values)


def test_login_is_locked_for_the_administrators_and_the_auditor_and_changeable_for_the_other_roles(db):
    # Nobody can lock the sysadmin, the 考区 or the auditor out; the 考区 configures the others' login.
    locked = {role for role in Role.values if permissions.is_locked("login", role)}
    assert locked == {Role.SYSADMIN, Role.DISTRICT, Role.AUDITOR}


def test_the_candidates_column_is_changeable_only_where_a_candidate_uses_the_function(db):
    changeable = {code for code in permissions.TABLE if not permissions.is_locked(code, Role.CANDIDATE)}
    assert changeable == {"register", "login", "recover_password", "change_password", "track_progress",
                          "print_confirmation", "edit_own_application"}
    for role in (Role.SITE, Role.POINT, Role.UNIT):
        assert permissions.is_locked("register", role) and permissions.is_locked("edit_own_application", role)


def test_locked_cells_are_shown_disabled_on_the_page(client, tree):
    district = UserFactory(role=Role.DISTRICT, org=tree["350000"])
    client.force_login(district)
    html = client.get(reverse("backoffice:role_permissions")).content.decode()
    for key in ("read_audit_log:site", "read_audit_log:auditor", "view_sms_outbox:district", "login:auditor",
                "batch_submit:district", "logout:candidate", "logout:point", "login:district"):
        tag = html[html.index(f'name="{key}"'):]
        assert tag[:tag.index(">")].endswith("disabled"), key
    tag = html[html.index('name="batch_submit:site"'):]
    assert "disabled" not in tag[:tag.index(">")]


def test_the_sysadmin_sees_no_submitted_application(db, tree, year):
    from prereg.applications.models import Application, State
    from tests.factories import ApplicationFactory

    ApplicationFactory(exam_year=year, unit=tree["35012205"], state=State.IN_REVIEW, submission_round=1)
    assert not Application.objects.visible_to(UserFactory(role=Role.SYSADMIN)).exists()
