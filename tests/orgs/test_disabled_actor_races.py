"""Org acts and 账户管理 of an account being disabled (PostgreSQL for the races).

Each holds the acting account (accounts.services.actor_held), as the application acts and 考生信息管理 do:
a 禁用 of it waits for an act under way, or the act sees it and is refused, so no act lands after the
superior was told the account is disabled.
"""

from functools import partial

import pytest
from django.core.exceptions import PermissionDenied

from prereg.accounts import services as account_services
from prereg.accounts.models import Role, User
from prereg.audit.models import AuditEvent
from prereg.orgs import services as org_services
from prereg.orgs.models import Org, UnitRequest
from prereg.orgs.stages import Stage
from tests.applications.test_one_writer_races import paused_after, started
from tests.factories import CrossReviewAssignmentFactory, OrgFactory, UnitRequestFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _disable_while_paused(monkeypatch, module, name, act, superior, actor):
    """`act` paused after module.name (past the actor's hold), the 禁用 of `actor` by `superior` meanwhile:
    (outcomes, whether the 禁用 finished while the act was paused)."""
    reached, go_on = paused_after(monkeypatch, module, name)
    outcomes = {}
    acting = started(outcomes, "act", act)
    assert reached.wait(10), outcomes
    disabling = started(outcomes, "disabled", partial(account_services.account_set_active, actor=superior,
                                                      user_ids=[actor.pk], active=False))
    disabling.join(1)
    finished_first = not disabling.is_alive()
    go_on.set()
    acting.join(10)
    disabling.join(10)
    return outcomes, finished_first


def _events(*names):
    return list(AuditEvent.objects.filter(event__in=names).order_by("pk").values_list("event", flat=True))


def test_an_org_edit_under_way_lands_before_its_reviewers_disable(
        postgres_only, tree, reviewer_province, reviewer_fuzhou, monkeypatch):
    org = tree["35012201"]
    outcomes, disable_done_first = _disable_while_paused(
        monkeypatch, org_services, "check_version",
        partial(org_services.org_update, actor=reviewer_fuzhou, org=org, contact_name="林医生"),
        reviewer_province, reviewer_fuzhou)
    assert not disable_done_first, outcomes  # the 禁用 waited for the account row the edit holds
    assert outcomes["disabled"] == 1 and isinstance(outcomes["act"], Org), outcomes
    assert _events("org.update", "account.disable") == ["org.update", "account.disable"]
    assert Org.objects.get(pk=org.pk).contact_name == "林医生"


def test_an_account_created_under_way_lands_before_its_creators_disable(
        postgres_only, tree, sysadmin, reviewer_province, monkeypatch):
    outcomes, disable_done_first = _disable_while_paused(
        monkeypatch, account_services, "set_one_time_password",
        partial(account_services.account_create, actor=reviewer_province, org=tree["350102"], role=Role.POINT,
                username="gulou-new"),
        sysadmin, reviewer_province)
    assert not disable_done_first, outcomes
    assert outcomes["disabled"] == 1 and not isinstance(outcomes["act"], Exception), outcomes
    assert _events("account.create", "account.disable") == ["account.create", "account.disable"]


def test_a_password_reset_under_way_lands_before_its_resetters_disable(
        postgres_only, tree, reviewer_province, reviewer_fuzhou, reviewer_lianjiang_hospital, monkeypatch):
    outcomes, disable_done_first = _disable_while_paused(
        monkeypatch, account_services, "set_one_time_password",
        partial(account_services.account_reset_password, actor=reviewer_fuzhou, user=reviewer_lianjiang_hospital),
        reviewer_province, reviewer_fuzhou)
    assert not disable_done_first, outcomes  # the 禁用 waited for the account row the reset holds
    assert outcomes["disabled"] == 1 and isinstance(outcomes["act"], str), outcomes
    assert _events("account.password_reset", "account.disable") == ["account.password_reset", "account.disable"]


def test_an_enable_under_way_lands_before_its_enablers_disable(
        postgres_only, tree, reviewer_province, reviewer_fuzhou, reviewer_lianjiang_hospital, monkeypatch):
    User.objects.filter(pk=reviewer_lianjiang_hospital.pk).update(is_active=False, disabled_by_role=Role.SITE)
    outcomes, disable_done_first = _disable_while_paused(
        monkeypatch, account_services, "_refuse_enabling_above",
        partial(account_services.account_set_active, actor=reviewer_fuzhou,
                user_ids=[reviewer_lianjiang_hospital.pk], active=True),
        reviewer_province, reviewer_fuzhou)
    assert not disable_done_first, outcomes
    assert outcomes == {"act": 1, "disabled": 1}, outcomes
    assert _events("account.enable", "account.disable") == ["account.enable", "account.disable"]


@pytest.fixture
def disabled_province(reviewer_province):
    """The 考区's account disabled by the sysadmin; the object a page left open still holds says active."""
    User.objects.filter(pk=reviewer_province.pk).update(is_active=False, disabled_by_role=Role.SYSADMIN)
    return reviewer_province


def _acts(tree, year, reviewer):
    """Each act of a reviewer (the org acts and 新增审核账号), as the 考区 would do it."""
    spare = OrgFactory(parent=tree["350122"], name="连江县待删诊所", region_code="350122")
    assignment = CrossReviewAssignmentFactory(exam_year=year, stage=Stage.SITE_REVIEW, source=tree["350100"],
                                              target=tree["350500"], assigned_by=reviewer)
    return {
        "org_create": (org_services.org_create, {"parent": tree["350122"], "name": "连江县新设诊所"}),
        "org_update": (org_services.org_update, {"org": tree["35012201"], "contact_name": "林医生"}),
        "org_delete": (org_services.org_delete, {"org": spare}),
        "org_set_enabled": (org_services.org_set_enabled, {"org_ids": [spare.pk], "enabled": False}),
        "unit_request_resolve_existing": (org_services.unit_request_resolve_existing, {
            "unit_request": UnitRequestFactory(region_code="350122"), "org": tree["35012201"]}),
        "unit_request_resolve_add": (org_services.unit_request_resolve_add, {
            "unit_request": UnitRequestFactory(region_code="350122"), "parent": tree["350122"],
            "name": "连江县另设诊所"}),
        "unit_request_refuse": (org_services.unit_request_refuse, {
            "unit_request": UnitRequestFactory(region_code="350122"), "reason": "重复申请"}),
        "cross_review_assign": (org_services.cross_review_assign, {
            "exam_year": year, "stage": Stage.SITE_REVIEW, "source_id": tree["350100"].pk,
            "target_id": tree["350500"].pk}),
        "cross_review_revoke": (org_services.cross_review_revoke, {"assignment_id": assignment.pk}),
        "account_create": (account_services.account_create, {"org": tree["350102"], "role": Role.POINT,
                                                             "username": "gulou-new"}),
    }


ACTS = ["org_create", "org_update", "org_delete", "org_set_enabled", "unit_request_resolve_existing",
        "unit_request_resolve_add", "unit_request_refuse", "cross_review_assign", "cross_review_revoke",
        "account_create"]


@pytest.mark.parametrize("name", ACTS)
def test_an_act_of_a_disabled_account_is_refused_and_changes_nothing(tree, year, disabled_province, name):
    act, kwargs = _acts(tree, year, disabled_province)[name]
    orgs_before = sorted(Org.objects.values_list("pk", "enabled", "contact_name"))
    with pytest.raises(PermissionDenied, match="账号已被禁用"):
        act(actor=disabled_province, **kwargs)
    assert sorted(Org.objects.values_list("pk", "enabled", "contact_name")) == orgs_before
    assert not UnitRequest.objects.exclude(status=UnitRequest.Status.OPEN).exists()
    assert not User.objects.filter(username="gulou-new").exists()
    assert not AuditEvent.objects.filter(actor=disabled_province).exists()


@pytest.mark.parametrize("name", ACTS)
def test_the_same_act_of_an_active_account_is_done(tree, year, reviewer_province, reviewer_quanzhou, name):
    """The refusal above is the disabled account's: the act itself is one the 考区 may do."""
    act, kwargs = _acts(tree, year, reviewer_province)[name]
    act(actor=reviewer_province, **kwargs)
    assert AuditEvent.objects.filter(actor=reviewer_province).exists()
