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
    """罗源县卫生健康局 takes 闽侯's 报名点确认 this year (交叉审核); no application is in flight."""
    Org.objects.filter(pk=tree["350100"].pk).update(is_point=True)
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
    last = UserFactory(username="r350123", role=Role.POINT, org=luoyuan)
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
