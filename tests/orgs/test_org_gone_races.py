"""An org deleted or disabled while an act points something at it (PostgreSQL for the races).

org_delete locks the org and counts what refers to it (org_references). 新增审核账号 and 告知考生选择已有单位
read the org from the page, unlocked: an account or a request pointed to it, written and not yet committed,
was not counted, the delete went ahead and the pointing act failed at COMMIT on its foreign key (Django's
constraints are DEFERRABLE INITIALLY DEFERRED), a server error; a 禁用 meanwhile had the candidate texted
to choose a unit he cannot (races probe). Both now lock the org (as a candidate's section save locks his
unit, applications.services._unit_held) and refuse in words when it is gone or disabled.
"""

from functools import partial

import pytest
from django.core.exceptions import ValidationError

from prereg.accounts import services as account_services
from prereg.accounts.models import Role, User
from prereg.notify.models import SmsMessage
from prereg.orgs import services as org_services
from prereg.orgs.models import Org, UnitRequest
from tests.applications.test_one_writer_races import paused_after, started
from tests.factories import OrgFactory, UnitRequestFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def new_unit(tree):
    return OrgFactory(parent=tree["350122"], name="连江县新设医院", region_code=tree["350122"].region_code,
                      has_review_right=True)


def polite(outcome) -> bool:
    """Done, or refused with words for the page (not a server error)."""
    return not isinstance(outcome, Exception) or isinstance(outcome, ValidationError)


def _delete_while_paused(monkeypatch, module, name, act, actor, org):
    """`act` paused after module.name, org_delete of `org` run meanwhile: the outcomes."""
    reached, go_on = paused_after(monkeypatch, module, name)
    outcomes = {}
    acting = started(outcomes, "act", act)
    assert reached.wait(10), outcomes
    deleting = started(outcomes, "deleted", lambda: org_services.org_delete(actor=actor,
                                                                            org=Org.objects.get(pk=org.pk)))
    deleting.join(1)
    go_on.set()
    acting.join(10)
    deleting.join(10)
    return outcomes


def test_an_account_created_while_its_org_is_deleted_is_kept_and_the_delete_refused(
        postgres_only, new_unit, reviewer_province, monkeypatch):
    # The account written (its one-time password set), not yet committed; the delete runs meanwhile.
    outcomes = _delete_while_paused(
        monkeypatch, account_services, "set_one_time_password",
        partial(account_services.account_create, actor=reviewer_province, org=Org.objects.get(pk=new_unit.pk),
                role=Role.UNIT, username="lianjiang_new_unit"),
        reviewer_province, new_unit)
    assert polite(outcomes["act"]) and polite(outcomes["deleted"]), outcomes
    # The delete waited for the org the creation holds, then counted the account.
    assert isinstance(outcomes["deleted"], ValidationError) and "有1个用户账号" in outcomes["deleted"].messages[0]
    assert User.objects.get(username="lianjiang_new_unit").org_id == new_unit.pk


def test_a_unit_request_pointed_to_an_org_deleted_meanwhile_is_refused_in_words(
        postgres_only, new_unit, reviewer_province, monkeypatch):
    unit_request = UnitRequestFactory(region_code="350122")
    # The 报名点 has opened the request (locked) and chosen the unit on a page drawn before the delete.
    outcomes = _delete_while_paused(
        monkeypatch, org_services, "_open_request_locked",
        partial(org_services.unit_request_resolve_existing, actor=reviewer_province, unit_request=unit_request,
                org=Org.objects.get(pk=new_unit.pk)),
        reviewer_province, new_unit)
    assert polite(outcomes["act"]) and polite(outcomes["deleted"]), outcomes
    # Nothing pointed to the unit yet: the delete was done, and the request, locking the unit then, is refused.
    assert outcomes["deleted"] is None and not Org.objects.filter(pk=new_unit.pk).exists(), outcomes
    assert outcomes["act"].message_dict == {"org": ["所选单位“连江县新设医院”已被删除，请重新搜索选择。"]}
    unit_request.refresh_from_db()
    assert unit_request.status == UnitRequest.Status.OPEN
    assert not SmsMessage.objects.filter(purpose="unit_request").exists()


def test_a_unit_request_pointed_to_a_unit_disabled_meanwhile_is_refused_in_words(
        postgres_only, new_unit, reviewer_province, monkeypatch):
    unit_request = UnitRequestFactory(region_code="350122")
    opened, go_on = paused_after(monkeypatch, org_services, "_open_request_locked")
    outcomes = {}
    resolving = started(outcomes, "resolved", partial(
        org_services.unit_request_resolve_existing, actor=reviewer_province, unit_request=unit_request,
        org=Org.objects.get(pk=new_unit.pk)))
    assert opened.wait(10), outcomes
    disabling = started(outcomes, "disabled", partial(org_services.org_set_enabled, actor=reviewer_province,
                                                      org_ids=[new_unit.pk], enabled=False))
    disabling.join(1)
    go_on.set()
    resolving.join(10)
    disabling.join(10)
    unit_request.refresh_from_db()
    # The 禁用 was done first (nothing waits on the request); the candidate is not told to choose the unit.
    assert outcomes["disabled"] == 1 and not Org.objects.get(pk=new_unit.pk).enabled, outcomes
    assert outcomes["resolved"].message_dict == {
        "org": ["所选单位“连江县新设医院”已被禁用，考生无法选择，请重新搜索选择。"]}, outcomes
    assert unit_request.status == UnitRequest.Status.OPEN
    assert not SmsMessage.objects.filter(purpose="unit_request").exists()


# The same refusals without a race (SQLite too): the page's copy of the org is older than the row.


def test_an_account_in_an_org_deleted_since_the_page_was_drawn_is_refused_at_the_org(new_unit, reviewer_province):
    page_copy = Org.objects.get(pk=new_unit.pk)
    Org.objects.filter(pk=new_unit.pk).delete()
    with pytest.raises(ValidationError) as refused:
        account_services.account_create(actor=reviewer_province, org=page_copy, role=Role.UNIT,
                                        username="lianjiang_new_unit")
    assert refused.value.message_dict == {"org": ["所选机构已被删除，请重新选择。"]}
    assert not User.objects.filter(username="lianjiang_new_unit").exists()


def test_an_account_is_created_with_the_review_right_the_org_has_now(new_unit, reviewer_province):
    page_copy = Org.objects.get(pk=new_unit.pk)
    Org.objects.filter(pk=new_unit.pk).update(has_review_right=False)
    with pytest.raises(ValidationError) as refused:
        account_services.account_create(actor=reviewer_province, org=page_copy, role=Role.UNIT,
                                        username="lianjiang_new_unit")
    assert refused.value.message_dict == {"role": ["该单位没有单位审查权限，须由考区先授予。"]}


def test_a_unit_request_pointed_to_a_unit_deleted_or_disabled_since_the_page_was_drawn_is_refused(
        new_unit, reviewer_province):
    unit_request = UnitRequestFactory(region_code="350122")
    page_copy = Org.objects.get(pk=new_unit.pk)
    Org.objects.filter(pk=new_unit.pk).update(enabled=False)
    with pytest.raises(ValidationError, match="已被禁用，考生无法选择"):
        org_services.unit_request_resolve_existing(actor=reviewer_province, unit_request=unit_request, org=page_copy)
    Org.objects.filter(pk=new_unit.pk).delete()
    with pytest.raises(ValidationError, match="已被删除"):
        org_services.unit_request_resolve_existing(actor=reviewer_province, unit_request=unit_request, org=page_copy)
    unit_request.refresh_from_db()
    assert unit_request.status == UnitRequest.Status.OPEN
    assert not SmsMessage.objects.filter(purpose="unit_request").exists()
