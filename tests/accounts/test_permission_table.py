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
