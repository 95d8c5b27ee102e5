"""Reviewer accounts from a sheet (issue 17.4): row errors, all or nothing, idempotent, scope,
audit, and the one-time passwords handed down through the org tree in the year's password sheets."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from prereg.accounts import services
from prereg.accounts.models import Role, User
from prereg.audit.models import AuditEvent
from prereg.catalog import services as catalog_services
from prereg.catalog import staff_import
from prereg.catalog.models import PasswordSheet
from prereg.core.sheets import read_table
from prereg.notify.models import SmsMessage
from prereg.orgs.models import Org
from tests.factories import UserFactory


def sheet(*rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(staff_import.COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def account(username, org, role, name="", phone="", title="", department=""):
    return [username, name, phone, org, role, title, department]


GOOD = [
    account("35020001", "350200", "考点", "洪雅", "17700000001"),
    account("350203a", "350203", "报名点", "李明"),
    account("35052401b", "35052401", "单位", "苏婷二"),
]


@pytest.fixture
def current_year(year):
    year.is_current = True
    year.save()
    return year


def test_each_row_error_is_listed_and_nothing_is_created(reviewer_province, current_year):
    count = User.objects.count()
    result = staff_import.staff_import(actor=reviewer_province, filename="a.csv", content=sheet(
        *GOOD,
        account("35020001", "350200", "考点"),               # duplicate login name
        account("x9", "350200", "考点"),                     # bad login name
        account("35999901", "35999999", "报名点"),            # unknown org
        account("35012201a", "35012201", "单位"),             # a unit without review right
        account("350102b", "350102", "考点"),                 # the org is not a 考点
        account("350102c", "350102", "科长"),                 # no such role
        account("350102d", "350102", "考区"),                 # a role the 考区 cannot create
        account("350102e", "350102", "报名点", phone="12345"),  # bad phone
    ))
    text = "\n".join(result.errors)
    assert not result.ok and User.objects.count() == count
    assert "第5行（35020001）：登录名与第2行重复" in text
    assert "第6行（x9）：登录名应为3至50位" in text
    assert "所属机构代码 35999999 不存在" in text
    assert "“连江县妇幼保健院”没有单位审查权限" in text
    assert "“福州市鼓楼区卫生健康局”不是考点" in text
    assert "角色“科长”不存在" in text and "您不能新增“考区”账号" in text
    assert "手机号码应为11位手机号码" in text
    assert AuditEvent.objects.filter(event="account.import", outcome="failure").exists()
    assert not PasswordSheet.objects.exists()


def test_an_existing_login_of_another_org_is_refused(reviewer_province, reviewer_anxi_bureau, current_year):
    result = staff_import.plan_staff_import(actor=reviewer_province, filename="a.csv", content=sheet(
        account(reviewer_anxi_bureau.username, "350102", "报名点")))
    assert result.errors == [f"第2行（{reviewer_anxi_bureau.username}）：登录名已被其他账号使用。"]


def test_new_accounts_get_one_time_passwords_through_their_parents_sheets(client, reviewer_province, current_year):
    result = staff_import.staff_import(actor=reviewer_province, filename="a.csv", content=sheet(*GOOD))
    assert result.ok and len(result.creates) == 3 and result.sheets == 3
    site = User.objects.get(username="35020001")
    assert (site.role, site.org.code, site.name, site.phone) == (Role.SITE, "350200", "洪雅", "17700000001")
    assert site.must_change_password and not site.profile_completed and site.created_by == reviewer_province
    # The 考区 holds its 考点's password, 厦门 the 思明 报名点's, 安溪's bureau its hospital's.
    holders = dict(PasswordSheet.objects.values_list("holder__code", "count"))
    assert holders == {"350000": 1, "350200": 1, "350524": 1}
    entries = catalog_services.password_sheet_reveal(
        actor=reviewer_province, sheet_id=PasswordSheet.objects.get(holder__code="350000").pk)
    assert [(e["username"], e["role"]) for e in entries] == [("35020001", "考点")]
    # The password read once signs the new reviewer in; he must change it first.
    response = client.post(reverse("accounts:login"), {"username": "35020001", "password": entries[0]["password"]})
    assert response.status_code == 302
    assert client.get(reverse("backoffice:dashboard")).url == reverse("accounts:first_login")
    event = AuditEvent.objects.filter(event="account.import", outcome="success").latest("pk")
    assert event.details["created"] == 3 and event.details["created_usernames"] == ["35020001", "350203a", "35052401b"]
    assert "password" not in str(event.details)


def test_importing_again_creates_nothing_and_unread_passwords_are_kept(reviewer_province, current_year):
    staff_import.staff_import(actor=reviewer_province, filename="a.csv", content=sheet(*GOOD[:1]))
    hash_before = User.objects.get(username="35020001").password
    again = staff_import.staff_import(actor=reviewer_province, filename="a.csv", content=sheet(
        account("35020001", "350200", "考点", "洪雅芳", "17700000001"),
        account("35030001", "350300", "考点", "方圆")))
    assert again.ok and len(again.creates) == 1 and len(again.updates) == 1
    first = User.objects.get(username="35020001")
    assert first.name == "洪雅芳" and first.password == hash_before  # no new password
    sheet_ = PasswordSheet.objects.get(holder__code="350000")
    entries = catalog_services.password_sheet_reveal(actor=reviewer_province, sheet_id=sheet_.pk)
    assert [e["username"] for e in entries] == ["35020001", "35030001"]  # the unread one kept
    third = staff_import.staff_import(actor=reviewer_province, filename="a.csv", content=sheet(
        account("35030001", "350300", "考点", "方圆")))
    assert third.ok and third.unchanged == 1 and not third.creates and not third.updates


def test_only_those_who_create_reviewers_import_them(reviewer_quanzhou, current_year):
    with pytest.raises(PermissionDenied):
        staff_import.plan_staff_import(actor=reviewer_quanzhou, filename="a.csv", content=sheet(*GOOD))


def test_the_pages_preview_then_apply(client, reviewer_province, current_year):
    client.force_login(reviewer_province)
    upload = SimpleUploadedFile("accounts.csv", sheet(*GOOD))
    html = client.post(reverse("backoffice:accounts_import"), {"file": upload}).content.decode()
    assert "新增<strong>3</strong>个账号" in html and not User.objects.filter(username="35020001").exists()
    digest = client.session["staff_import"]["digest"]
    response = client.post(reverse("backoffice:accounts_import_confirm"), {"digest": digest})
    assert response.status_code == 302 and User.objects.filter(username__in=["35020001", "350203a"]).count() == 2
    template = client.get(reverse("backoffice:accounts_template")).content.decode("utf-8-sig")
    assert template.splitlines()[0] == ",".join(staff_import.COLUMNS)
    assert "35020001,洪雅,,350200,考点" in template  # the phone is not written out
    from prereg.audit.models import AuditEvent

    assert AuditEvent.objects.filter(event="account.export", actor=reviewer_province).exists()  # every export is


def test_a_name_that_reads_as_a_formula_is_guarded_in_the_template_and_reads_back_unchanged(
        client, reviewer_province, reviewer_anxi_hospital):
    # A reviewer types his own name and title on first login: as the org and catalogue templates.
    formula = '=HYPERLINK("http://evil.example","苏婷")'
    User.objects.filter(pk=reviewer_anxi_hospital.pk).update(name=formula, department="+1")
    client.force_login(reviewer_province)
    content = client.get(reverse("backoffice:accounts_template")).content
    cells = [cell for line in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in line]
    assert "'" + formula in cells and "'+1" in cells
    assert not any(cell[:1] in "=+-@" for cell in cells if cell)
    _header, rows = read_table("reviewer-accounts.csv", content, max_rows=100)
    assert [reviewer_anxi_hospital.username, formula] in [row[:2] for row in rows]
    assert "+1" in [row[6] for row in rows]


def test_the_districts_own_template_reimports_unchanged(client, reviewer_province, reviewer_quanzhou,
                                                       reviewer_anxi_hospital, tree, current_year):
    """QA probe M6: the template lists the 考区's own account and its peers', whose role it cannot
    create; uploading the template unchanged said "您不能新增“考区”账号"."""
    peer = UserFactory(username="350000-2", role=Role.DISTRICT, org=tree["350000"], title="科员")
    client.force_login(reviewer_province)
    template = client.get(reverse("backoffice:accounts_template")).content
    assert f"{reviewer_province.username}," in template.decode("utf-8-sig")
    plan = staff_import.plan_staff_import(actor=reviewer_province, filename="t.csv", content=template)
    assert plan.ok, plan.errors
    assert (plan.unchanged, plan.creates, plan.updates) == (4, [], [])
    html = client.post(reverse("backoffice:accounts_import"),
                       {"file": SimpleUploadedFile("t.csv", template)}).content.decode()
    assert "均已存在且无变化" in html and "不能新增" not in html
    # Changing a peer's (or his own) row is refused as a change, not as a creation.
    plan = staff_import.plan_staff_import(actor=reviewer_province, filename="t.csv", content=sheet(
        account(peer.username, "350000", "考区", "新名字"),
        account(reviewer_quanzhou.username, "350500", "考点", "新考点名")))
    assert plan.errors == [f"第2行（{peer.username}）：“考区”账号不能在此修改（只能修改您下级的账号；本人信息请在“个人信息”中修改）。"]


def test_the_upload_help_speaks_of_accounts(client, reviewer_province):
    client.force_login(reviewer_province)
    html = client.get(reverse("backoffice:accounts_import")).content.decode()
    assert "现有的审核账号" in html and "现有的机构" not in html


def test_a_phone_changed_by_the_import_is_told_to_the_old_number(reviewer_province, reviewer_anxi_bureau, current_year,
                                                                 django_capture_on_commit_callbacks):
    """Security probe S2, as 修改账号信息: a new phone set by a superior, unverified, is where
    找回密码 sends its codes from now on."""
    User.objects.filter(pk=reviewer_anxi_bureau.pk).update(phone="13800001234")
    with django_capture_on_commit_callbacks(execute=True):
        plan = staff_import.staff_import(actor=reviewer_province, filename="a.csv", content=sheet(
            account(reviewer_anxi_bureau.username, "350524", "报名点", reviewer_anxi_bureau.name, "13900002222"),
            account("35030001", "350300", "考点", "方圆", "13900003333")))
    assert plan.ok and len(plan.updates) == 1
    told = SmsMessage.objects.get(purpose=services.STAFF_PHONE_CHANGED_PURPOSE)
    assert told.phone == "13800001234" and reviewer_province.org.name in told.text and "139****2222" in told.text



def test_a_new_name_follows_the_one_name_rule_a_kept_one_is_not_asked_again(reviewer_province, current_year):
    result = staff_import.plan_staff_import(actor=reviewer_province, filename="a.csv", content=sheet(
        account("35020009", "350200", "考点", "=1+2", "17700000009")))
    assert result.errors == ["第2行（35020009）：姓名只能包含文字，少数民族或外文姓名的各部分之间可用“·”或空格分隔。"]
    # An account stored before the rule, its name echoed back unchanged by the template: not refused.
    UserFactory(username="35020008", org=Org.objects.get(code="350200"), role=Role.SITE, name="旧名1")
    result = staff_import.plan_staff_import(actor=reviewer_province, filename="a.csv", content=sheet(
        account("35020008", "350200", "考点", "旧名1")))
    assert result.errors == []


def test_names_titles_and_departments_are_stored_as_the_pages_store_them(reviewer_province, current_year):
    """Input probe: the import checked the name but stored the raw cell, and 职务/科室 raw: invisible and
    direction characters went in, and spaces around a name's 间隔号."""
    result = staff_import.staff_import(actor=reviewer_province, filename="a.csv", content=sheet(
        account("35020007", "350200", "考点", "阿依古丽 · 买买提", "", "科\u200b长\u202e", "  医务   科 ")))
    assert result.ok, result.errors
    user = User.objects.get(username="35020007")
    assert (user.name, user.title, user.department) == ("阿依古丽·买买提", "科长", "医务 科")
    result = staff_import.plan_staff_import(actor=reviewer_province, filename="a.csv", content=sheet(
        account("35020006", "350200", "考点", "洪雅", "", "科长\x01")))
    assert result.errors == ["第2行（35020006）：职务：不能包含控制字符（不可见的特殊字符），请删除后重新填写。"]
