"""The gaps 6bd7a59 left in "no application reaches a disabled org": the one needed_counts beside
waiting_counts; an import row disabling an org, and 禁用 of an org's last reviewer account, refused by
the rule of the org's own 禁用 (a later stage of an application in flight, a cross-review target of this
year); 退回上一环节 to an org disabled since the application passed it refused and not offered. And the org
form takes the import's 机构代码, a real 联系电话, and names without unseen or control characters, so an
org added on the page is imported again from its own export. The races run on PostgreSQL."""

from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from prereg.accounts.models import Role, User
from prereg.applications import selectors
from prereg.applications import services as application_services
from prereg.applications.models import Application, Stage, State
from prereg.audit.models import AuditEvent
from prereg.backoffice.views import accounts as account_views
from prereg.backoffice.views import orgs as org_views
from prereg.orgs import importer
from prereg.orgs import services as org_services
from prereg.orgs.models import Org
from tests.applications.test_one_writer_races import done, paused_after, started
from tests.factories import UserFactory, approve, submitted
from tests.orgs.test_import import sheet

# --- One needed_counts ------------------------------------------------------------------------


def test_needed_counts_lives_beside_waiting_counts_and_every_caller_uses_it():
    assert selectors.needed_counts.__module__ == "prereg.applications.selectors"
    assert org_views.needed_counts is selectors.needed_counts
    assert account_views.needed_counts is selectors.needed_counts


# --- Shared setup -----------------------------------------------------------------------------


def _lianjiang_waits_ahead(tree, year):
    """An application waiting at 连江县医院 (it reviews its own staff), whose 报名点确认 is 连江县卫生健康局's.
    福州 is given the 报名点 level, so that 连江's units keep a route when 连江 is disabled: only what
    needs 连江 refuses."""
    Org.objects.filter(pk=tree["350100"].pk).update(is_point=True)
    application = submitted(tree, year, unit_code="35012205")
    assert (application.waiting_org_id, application.point_org_id) == (tree["35012205"].pk, tree["350122"].pk)
    return application


def _luoyuan_assigned(tree, year, reviewer_fuzhou):
    """罗源县卫生健康局 takes 闽侯's 报名点确认 this year (交叉审核), with its one reviewer account r350123 (a
    target needs one); no application is in flight."""
    Org.objects.filter(pk=tree["350100"].pk).update(is_point=True)
    UserFactory(username="r350123", role=Role.POINT, org=tree["350123"])
    org_services.cross_review_assign(actor=reviewer_fuzhou, exam_year=year, stage=Stage.POINT_CONFIRM,
                                     source_id=tree["350121"].pk, target_id=tree["350123"].pk)
    return tree["350123"]


# --- The import -------------------------------------------------------------------------------


def _import_disabling(client, actor, org):
    rows = [r for r in importer.export_rows(actor) if r[0] == org.code]
    rows[0][6] = "否"
    client.force_login(actor)
    return client.post(reverse("backoffice:orgs_import"), {"file": SimpleUploadedFile("orgs.csv", sheet(*rows))})


def test_an_import_row_disabling_an_org_a_later_stage_needs_is_refused_at_the_row(
        client, tree, year, reviewer_province, reviewer_lianjiang_hospital):
    lianjiang = tree["350122"]
    _lianjiang_waits_ahead(tree, year)
    page = _import_disabling(client, reviewer_province, lianjiang)
    assert page.status_code == 400 and "确认导入" not in page.content.decode()
    assert page.context["plan"].errors == [
        "第2行（350122）：“连江县卫生健康局”有1份报名信息待其审核（当前或后续审核环节），"
        "禁用后将无人审核，请待其审核完毕后再禁用。"]
    assert Org.objects.get(pk=lianjiang.pk).enabled


def test_an_import_row_disabling_this_years_cross_review_target_is_refused_at_the_row(
        client, tree, year, reviewer_province, reviewer_fuzhou):
    luoyuan = _luoyuan_assigned(tree, year, reviewer_fuzhou)
    page = _import_disabling(client, reviewer_province, luoyuan)
    assert page.status_code == 400
    assert page.context["plan"].errors == [
        "第2行（350123）：“罗源县卫生健康局”是本年度1项交叉审核分配的交叉审核机构，禁用后分配给它的审核将无人办理。"
        "请先在“分配交叉审核”中取消这些分配后再禁用。"]
    assert Org.objects.get(pk=luoyuan.pk).enabled


def test_the_import_confirm_counts_a_later_stage_too(client, tree, year, reviewer_province,
                                                     reviewer_lianjiang_hospital):
    # Previewed with nothing in flight; an application submitted meanwhile needs 连江 at its 报名点确认.
    Org.objects.filter(pk=tree["350100"].pk).update(is_point=True)
    page = _import_disabling(client, reviewer_province, tree["350122"])
    assert page.status_code == 200 and "确认导入" in page.content.decode()
    submitted(tree, year, unit_code="35012205")
    response = client.post(reverse("backoffice:orgs_import_confirm"),
                           {"digest": client.session[org_views.IMPORT_SESSION_KEY]["digest"]})
    assert response.status_code == 409 and "待其审核（当前或后续审核环节）" in response.content.decode()
    assert Org.objects.get(pk=tree["350122"].pk).enabled


def test_an_import_row_taking_the_review_right_still_counts_only_the_applications_waiting(
        tree, year, reviewer_province, reviewer_lianjiang_hospital):
    # What org_update asks (waiting_counts): an application past the unit no longer needs its 单位审查.
    hospital = tree["35012205"]
    application = _lianjiang_waits_ahead(tree, year)
    Application.objects.filter(pk=application.pk).update(stage=Stage.POINT_CONFIRM, waiting_org=tree["350122"])
    rows = [r for r in importer.export_rows(reviewer_province) if r[0] == hospital.code]
    rows[0][5] = "否"
    result = importer.plan_import(actor=reviewer_province, filename="orgs.csv", content=sheet(*rows),
                                  waiting=selectors.waiting_counts, needed=selectors.needed_counts)
    assert result.ok and result.updates[0][2] == {"has_review_right": [True, False]}


# --- 禁用 of an org's last reviewer account ----------------------------------------------------


def _disable_account(client, actor, account):
    client.force_login(actor)
    return client.post(reverse("backoffice:accounts_toggle"), {"ids": [account.pk], "action": "disable"},
                       follow=True).content.decode()


def test_the_last_reviewer_account_of_an_org_a_later_stage_needs_is_not_disabled(
        client, tree, year, reviewer_fuzhou, reviewer_lianjiang_hospital):
    _lianjiang_waits_ahead(tree, year)
    last = UserFactory(username="r350122", role=Role.POINT, org=tree["350122"])
    html = _disable_account(client, reviewer_fuzhou, last)
    assert ("“连江县卫生健康局”有1份报名信息待其审核（当前或后续审核环节），禁用后该机构将没有可用的审核账号、无人审核："
            "请待其审核完毕，或先启用或新增该机构的其他审核账号。") in html
    assert User.objects.get(pk=last.pk).is_active
    assert not AuditEvent.objects.filter(event="account.disable").exists()
    # With a colleague active, it may go.
    UserFactory(role=Role.POINT, org=tree["350122"])
    assert "已禁用1个账号" in _disable_account(client, reviewer_fuzhou, last)


def test_the_last_reviewer_account_of_this_years_cross_review_target_is_not_disabled(
        client, tree, year, reviewer_fuzhou):
    luoyuan = _luoyuan_assigned(tree, year, reviewer_fuzhou)
    last = User.objects.get(org=luoyuan)
    assert last.username == "r350123" and last.is_active
    html = _disable_account(client, reviewer_fuzhou, last)
    assert ("“罗源县卫生健康局”是本年度1项交叉审核分配的交叉审核机构，禁用后该机构将没有可用的审核账号、无人审核："
            "请先在“分配交叉审核”中取消这些分配，或先启用或新增该机构的其他审核账号。") in html
    assert User.objects.get(pk=last.pk).is_active


# --- 退回上一环节 to an org disabled since --------------------------------------------------------


@pytest.fixture
def at_the_point(tree, year, reviewer_anxi_hospital, reviewer_anxi_bureau, reviewer_quanzhou):
    """An application 安溪县医院 approved, waiting at 安溪县卫生健康局; then 安溪县医院 disabled (allowed:
    nothing ahead of an application needs it)."""
    application = submitted(tree, year)
    approve(application, reviewer_anxi_hospital)
    application.refresh_from_db()
    assert application.stage == Stage.POINT_CONFIRM
    assert org_services.org_set_enabled(actor=reviewer_quanzhou, org_ids=[tree["35052401"].pk], enabled=False,
                                        waiting=selectors.needed_counts) == 1
    return application


def _fieldset(body) -> str:
    return body.split('<fieldset class="reject">')[1].split("</fieldset>")[0]


REFUSAL = "上一环节的审核机构“安溪县医院”已停用，不能退回至该机构，可退回考生或联系考区。"


def test_the_return_to_a_disabled_previous_org_is_not_offered(client, at_the_point, reviewer_anxi_bureau):
    client.force_login(reviewer_anxi_bureau)
    fieldset = _fieldset(client.get(reverse("backoffice:review", args=[at_the_point.pk])).content.decode())
    assert "退回上一环节" not in fieldset and 'value="previous"' not in fieldset
    assert "退回考生（短信通知考生）" in fieldset


def test_a_return_to_a_disabled_previous_org_is_refused_at_the_choice(client, at_the_point, reviewer_anxi_bureau):
    client.force_login(reviewer_anxi_bureau)
    response = client.post(reverse("backoffice:review_decide", args=[at_the_point.pk]), {
        "decision": "reject", "version": at_the_point.version, "reason": "学历证书不清晰", "to": "previous"})
    assert response.status_code == 400
    group = _fieldset(response.content.decode()).split('role="radiogroup"')[1]
    assert f'<div class="error" role="alert" id="reject-to-error">{REFUSAL}</div>' in group
    stored = Application.objects.get(pk=at_the_point.pk)
    assert (stored.state, stored.stage, stored.version) == (State.IN_REVIEW, Stage.POINT_CONFIRM, at_the_point.version)
    # 退回考生 remains.
    application_services.application_reject(actor=reviewer_anxi_bureau, application_id=at_the_point.pk,
                                            expected_version=at_the_point.version, reason="学历证书不清晰",
                                            to="candidate")
    assert Application.objects.get(pk=at_the_point.pk).state == State.RETURNED


def test_the_service_refuses_the_return_and_a_return_to_an_enabled_org_goes(tree, at_the_point, reviewer_anxi_bureau):
    with pytest.raises(ValidationError) as refused:
        application_services.application_reject(actor=reviewer_anxi_bureau, application_id=at_the_point.pk,
                                                expected_version=at_the_point.version, reason="请核对",
                                                to="previous")
    assert refused.value.message_dict == {"to": [REFUSAL]}
    Org.objects.filter(pk=tree["35052401"].pk).update(enabled=True)
    returned = application_services.application_reject(actor=reviewer_anxi_bureau, application_id=at_the_point.pk,
                                                       expected_version=at_the_point.version, reason="请核对",
                                                       to="previous")
    assert (returned.stage, returned.waiting_org_id) == (Stage.UNIT_REVIEW, tree["35052401"].pk)


def test_a_return_holds_the_previous_org_against_its_disabling(
        postgres_only, transactional_db, tree, year, reviewer_anxi_hospital, reviewer_anxi_bureau, reviewer_quanzhou,
        monkeypatch):
    # The return pauses after it found the previous org enabled, its row locked; a 禁用 of it meanwhile waits,
    # then sees the application back there and refuses.
    application = submitted(tree, year)
    approve(application, reviewer_anxi_hospital)
    application.refresh_from_db()
    checked, go_on = paused_after(monkeypatch, application_services, "return_previous_refusal")
    outcomes = {}
    returning = started(outcomes, "returned", partial(
        application_services.application_reject, actor=reviewer_anxi_bureau, application_id=application.pk,
        expected_version=application.version, reason="请核对", to="previous"))
    assert checked.wait(10)
    disabling = started(outcomes, "disabled", partial(
        org_services.org_set_enabled, actor=reviewer_quanzhou, org_ids=[tree["35052401"].pk], enabled=False,
        waiting=selectors.needed_counts))
    disabling.join(1)
    assert disabling.is_alive(), outcomes  # waiting for the org's row the return holds
    go_on.set()
    returning.join(10)
    disabling.join(10)
    assert done(outcomes["returned"]), outcomes["returned"]
    assert isinstance(outcomes["disabled"], ValidationError), outcomes["disabled"]
    assert Org.objects.get(pk=tree["35052401"].pk).enabled


# --- The org form: the import's 机构代码, a phone, clean names ------------------------------------


def _add(client, tree, **fields):
    return client.post(reverse("backoffice:orgs_add"), {"parent": tree["350102"].pk, "name": "鼓楼区某诊所",
                                                        "is_unit": "on", **fields})


@pytest.mark.parametrize("code", ["𠮷𪚥䶮医院", "a\nb", "3501\u200b02", "3501\u202e02", "-1", "<script>", "3", "35 01"])
def test_the_org_form_refuses_a_code_the_import_would_refuse(client, tree, reviewer_province, code):
    client.force_login(reviewer_province)
    response = _add(client, tree, code=code)
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["机构代码应为2至20位数字或字母。"]
    assert not Org.objects.filter(name="鼓楼区某诊所").exists()


def test_a_code_in_full_width_digits_is_read_as_ascii(client, tree, reviewer_province):
    client.force_login(reviewer_province)
    assert _add(client, tree, code="３５０１０２９９").status_code == 302
    assert Org.objects.get(name="鼓楼区某诊所").code == "35010299"


@pytest.mark.parametrize("phone", ["😀", "abc", "12345", "0591-123", "139123456789", "1391234567８x", "(0591-87654321"])
def test_the_org_form_refuses_what_is_not_a_phone_number(client, tree, reviewer_province, phone):
    client.force_login(reviewer_province)
    response = _add(client, tree, contact_phone=phone)
    assert response.status_code == 200
    assert response.context["form"].errors["contact_phone"] == [org_services.PHONE_FORMAT]


@pytest.mark.parametrize(("phone", "stored"), [
    ("139 1234 5678", "13912345678"), ("+86 13912345678", "13912345678"), ("１３９１２３４５６７８", "13912345678"),
    ("0591-87654321", "0591-87654321"), ("059187654321", "0591-87654321"), ("（0591）8765432", "0591-8765432"),
    ("010-62345678", "010-62345678"), ("0591—87654321转8001", "0591-87654321-8001"),
    ("0591-87654321-8001", "0591-87654321-8001"),
])
def test_a_mobile_or_a_fixed_line_with_its_area_code_is_stored_in_one_form(client, tree, reviewer_province, phone,
                                                                            stored):
    client.force_login(reviewer_province)
    assert _add(client, tree, contact_phone=phone).status_code == 302
    assert Org.objects.get(name="鼓楼区某诊所").contact_phone == stored


def test_unseen_characters_are_dropped_from_the_names(client, tree, reviewer_province):
    client.force_login(reviewer_province)
    response = _add(client, tree, name="\u200b鼓楼区\u202e某诊所\u2066 ", short_name="\ufeff某诊所\u200d")
    assert response.status_code == 302
    org = Org.objects.get(code="35010202")
    assert (org.name, org.short_name) == ("鼓楼区某诊所", "某诊所")


@pytest.mark.parametrize("name", ["鼓楼区\t某诊所", "鼓楼区\n某诊所", "鼓楼区\u2028某诊所", "鼓楼区\u00ad某诊所"])
def test_a_control_character_in_a_name_is_refused_at_its_field(client, tree, reviewer_province, name):
    client.force_login(reviewer_province)
    response = _add(client, tree, name=name, short_name=name)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["name"] == ["规范全称不能包含换行符、制表符等控制字符或不可见字符。"]
    assert errors["short_name"] == ["简称不能包含换行符、制表符等控制字符或不可见字符。"]


def test_a_name_of_unseen_characters_alone_is_asked_for(client, tree, reviewer_province):
    client.force_login(reviewer_province)
    response = _add(client, tree, name="\u200b\u200b")
    assert response.status_code == 200 and response.context["form"].errors["name"] == ["请填写机构的规范全称。"]


def test_an_edit_keeps_a_stored_code_from_before_the_rule_but_refuses_an_empty_or_a_new_bad_one(
        client, tree, reviewer_fuzhou):
    org = tree["35012206"]
    Org.objects.filter(pk=org.pk).update(code="3501-2206", contact_phone="找王主任")
    org.refresh_from_db()
    client.force_login(reviewer_fuzhou)
    data = {"parent": org.parent_id, "code": org.code, "name": org.name, "region_code": org.region_code,
            "contact_phone": org.contact_phone, "is_unit": "on", "version": org.version}
    assert client.post(reverse("backoffice:orgs_edit", args=[org.pk]), {**data, "short_name": "连江中医院"}
                       ).status_code == 302
    org.refresh_from_db()
    for code, message in (("", "请填写机构代码。"), ("3501-2207", "机构代码应为2至20位数字或字母。")):
        response = client.post(reverse("backoffice:orgs_edit", args=[org.pk]),
                               {**data, "code": code, "version": org.version})
        assert response.status_code == 200 and response.context["form"].errors["code"] == [message]
    assert Org.objects.get(pk=org.pk).code == "3501-2206"


def test_a_code_too_long_to_number_below_is_asked_for(tree, reviewer_province):
    parent = org_services.org_create(actor=reviewer_province, parent=tree["350102"], code="3" * 19, name="某长代码机构")
    with pytest.raises(ValidationError) as refused:
        org_services.org_create(actor=reviewer_province, parent=parent, name="某长代码机构下属单位")
    assert refused.value.message_dict == {"code": ["请填写机构代码。"]}


def test_an_org_added_on_the_page_is_imported_again_from_its_own_export(client, tree, reviewer_province):
    client.force_login(reviewer_province)
    assert _add(client, tree, code="Ｇｌ０１", name="\u200b鼓楼区\u202e某诊所", contact_phone="0591 87654321").status_code == 302
    exported = [r for r in importer.export_rows(reviewer_province) if r[0] == "Gl01"]
    assert exported and exported[0][1] == "鼓楼区某诊所"
    result = importer.plan_import(actor=reviewer_province, filename="orgs.csv",
                                  content=sheet(*importer.export_rows(reviewer_province)))
    assert result.ok and not result.changes, result.errors


# --- The import's names and codes: the form's rules --------------------------------------------


def _row(code, name, short=""):
    return [code, name, short, "350102", "单位", "否", "是", ""]


def test_the_import_reads_names_and_codes_by_the_forms_rules(reviewer_province, tree):
    result = importer.plan_import(actor=reviewer_province, filename="orgs.csv", content=sheet(
        _row("３５０１０２９１", "\u200b鼓楼区\u202e甲诊所", "甲\ufeff诊所"),
        _row("35010292", "鼓楼区\n乙诊所"),
        _row("35010293", "鼓楼区丙诊所", "丙\t诊所"),
        _row("3501\u200b0294", "鼓楼区丁诊所"),
        _row("35010295", "\u200b"),
    ))
    assert result.errors == [
        "第3行（35010292）：规范全称不能包含换行符、制表符等控制字符或不可见字符。",
        "第4行（35010293）：简称不能包含换行符、制表符等控制字符或不可见字符。",
        "第5行（3501\u200b0294）：机构代码应为2至20位数字或字母。",
        "第6行（35010295）：规范全称为空。",
    ]
    result = importer.plan_import(actor=reviewer_province, filename="orgs.csv", content=sheet(
        _row("３５０１０２９１", "\u200b鼓楼区\u202e甲诊所", "甲\ufeff诊所")))
    assert result.ok and [(r.code, r.name, r.short_name) for r in result.creates] == [
        ("35010291", "鼓楼区甲诊所", "甲诊所")]
