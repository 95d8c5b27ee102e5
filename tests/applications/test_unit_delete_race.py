"""A candidate choosing a unit in 基本信息 while an administrator deletes that unit (PostgreSQL, real
transactions): the delete is refused (the save chose the unit first) or the save is refused at the unit with
what was typed kept (the delete came first); never a saved unit that no longer exists (a 500 at COMMIT)."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from prereg.applications import eligibility, services
from prereg.applications.models import Application
from prereg.catalog.models import Ethnicity
from prereg.orgs.models import Org
from prereg.orgs.services import org_delete
from tests.applications.test_one_writer_races import done, paused_after, started
from tests.factories import ApplicationFactory, CandidateFactory, OrgFactory

pytestmark = pytest.mark.django_db(transaction=True)

UNIT_GONE = "所选单位已被删除或停用，请重新选择"


@pytest.fixture
def draft(tree, year):
    return ApplicationFactory(candidate=CandidateFactory(), exam_year=year, unit=tree["35012205"], name="李娜")


@pytest.fixture
def new_unit(tree):
    return OrgFactory(parent=tree["350122"], name="连江县新设卫生院", region_code=tree["350122"].region_code)


def _choose(application, unit):
    """The candidate's post of 基本信息 choosing `unit`, with a new address typed beside it."""
    client = Client()
    client.force_login(application.candidate)
    data = {"version": application.version, "basic-name": "李娜", "basic-ethnicity": Ethnicity.objects.get(code="01").pk,
            "basic-unit": unit.pk, "basic-postcode": "350001", "basic-phone": application.phone,
            "basic-address": "福建省福州市连江县新址路8号"}
    return lambda: client.post(reverse("candidate:section", args=["basic"]), data, HTTP_HX_REQUEST="true")


def _delete(actor, unit):
    return lambda: org_delete(actor=actor, org=Org.objects.get(pk=unit.pk))


def test_a_delete_after_the_save_chose_the_unit_waits_for_it_and_is_refused(
        postgres_only, monkeypatch, draft, new_unit, reviewer_province):
    # The save has written the unit, not committed it; the delete checks what refers to the unit now.
    written, go_on = paused_after(monkeypatch, eligibility, "refresh")
    outcomes = {}
    saving = started(outcomes, "saved", _choose(draft, new_unit))
    assert written.wait(10)
    deleting = started(outcomes, "deleted", _delete(reviewer_province, new_unit))
    deleting.join(1)
    assert deleting.is_alive(), outcomes  # waiting for the unit's row the save holds
    go_on.set()
    saving.join(10)
    deleting.join(10)
    assert done(outcomes["saved"]), outcomes["saved"]
    assert "已保存" in outcomes["saved"].content.decode()
    assert isinstance(outcomes["deleted"], ValidationError), outcomes["deleted"]
    assert "不能删除" in outcomes["deleted"].messages[0]
    assert Application.objects.get(pk=draft.pk).unit_id == new_unit.pk
    assert Org.objects.filter(pk=new_unit.pk).exists()


def test_a_save_after_the_delete_removed_the_unit_is_refused_at_the_unit_keeping_what_was_typed(
        postgres_only, monkeypatch, draft, new_unit, reviewer_province):
    # The delete has removed the row and not committed yet; the save's form saw the unit as it was.
    save = _choose(draft, new_unit)  # signed in before: a sign-in is audited, and the delete holds the log
    removed, go_on = paused_after(monkeypatch, Org, "delete")
    outcomes = {}
    deleting = started(outcomes, "deleted", _delete(reviewer_province, new_unit))
    assert removed.wait(10)
    saving = started(outcomes, "saved", save)
    saving.join(1)
    assert saving.is_alive(), outcomes  # waiting for the unit's row the delete holds
    go_on.set()
    deleting.join(10)
    saving.join(10)
    assert done(outcomes["deleted"]), outcomes["deleted"]
    assert not Org.objects.filter(pk=new_unit.pk).exists()
    assert done(outcomes["saved"]), outcomes["saved"]  # a page, not a server error
    body = outcomes["saved"].content.decode()
    assert outcomes["saved"].status_code == 200
    assert UNIT_GONE in body and "已保存" not in body
    assert "福建省福州市连江县新址路8号" in body  # what was typed is still in the form
    stored = Application.objects.get(pk=draft.pk)
    assert stored.unit_id == draft.unit_id and stored.address == draft.address


def test_a_unit_disabled_after_the_form_was_checked_is_refused_at_the_unit(
        postgres_only, monkeypatch, draft, new_unit):
    # The form checked the unit as enabled; a 禁用 commits before the save locks the row.
    checked, go_on = paused_after(monkeypatch, services, "lock_editable")
    outcomes = {}
    saving = started(outcomes, "saved", _choose(draft, new_unit))
    assert checked.wait(10)
    Org.objects.filter(pk=new_unit.pk).update(enabled=False)
    go_on.set()
    saving.join(10)
    assert done(outcomes["saved"]), outcomes["saved"]
    body = outcomes["saved"].content.decode()
    assert UNIT_GONE in body and "已保存" not in body
    assert Application.objects.get(pk=draft.pk).unit_id == draft.unit_id


def test_two_candidates_choosing_one_unit_both_save_one_after_the_other(postgres_only, monkeypatch, tree, year,
                                                                        new_unit):
    # The unit's row is locked by the first save until its commit: the second waits, then saves too.
    first = ApplicationFactory(candidate=CandidateFactory(), exam_year=year, unit=tree["35012205"], name="李娜")
    second = ApplicationFactory(candidate=CandidateFactory(), exam_year=year, unit=tree["35012205"], name="李娜")
    first_save, second_save = _choose(first, new_unit), _choose(second, new_unit)
    written, go_on = paused_after(monkeypatch, eligibility, "refresh")
    outcomes = {}
    saving = started(outcomes, "first", first_save)
    assert written.wait(10)
    written.clear()
    other = started(outcomes, "second", second_save)
    assert not written.wait(1), outcomes  # waiting for the unit's row the first holds
    go_on.set()
    saving.join(10)
    other.join(10)
    assert all(outcomes[name].status_code == 200 for name in ("first", "second")), outcomes
    assert {Application.objects.get(pk=a.pk).unit_id for a in (first, second)} == {new_unit.pk}


def test_a_unit_disabled_between_the_forms_check_and_the_save_is_refused_at_the_unit(monkeypatch, draft, new_unit):
    # Any database: the 禁用 lands inside the save, after the form found the unit enabled.
    locked = services.lock_editable

    def disabled_meanwhile(*args, **kwargs):
        Org.objects.filter(pk=new_unit.pk).update(enabled=False)
        return locked(*args, **kwargs)

    monkeypatch.setattr(services, "lock_editable", disabled_meanwhile)
    response = _choose(draft, new_unit)()
    body = response.content.decode()
    assert response.status_code == 200
    assert UNIT_GONE in body and "已保存" not in body
    assert "福建省福州市连江县新址路8号" in body
    assert Application.objects.get(pk=draft.pk).unit_id == draft.unit_id
