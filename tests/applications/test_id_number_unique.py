"""One ID number, one person (security probe F6): a reviewer's correction (修改填报信息) refuses a number held
by another candidate's account or by another application of the exam year, drafts included. 国网名单核对,
the per-ID reminders, the rosters and the 确认单 read an application's number as its person's."""

import datetime
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from prereg.accounts.backends import find_account
from prereg.accounts.models import Role, User
from prereg.applications import services
from prereg.applications.carryover import start_application
from prereg.applications.models import Application, ReviewLog
from prereg.audit.models import AuditEvent
from prereg.demo.people import make_id_number
from tests.applications.test_one_writer_races import done, paused_after, second_waits, started
from tests.factories import CandidateFactory, ExamYearFactory, UserFactory, submitted

TAKEN = services.ID_NUMBER_TAKEN_MESSAGE
FREE = make_id_number("350524", datetime.date(1988, 6, 6), 123)  # no account, no application


@pytest.fixture
def li_na(tree, year, reviewer_anxi_hospital):
    return submitted(tree, year, name="李娜")


@pytest.fixture
def lin_feng(tree, year, reviewer_anxi_hospital):
    return submitted(tree, year, name="林峰")


def _correct(application, reviewer, number):
    application.refresh_from_db()
    return services.application_edit(actor=reviewer, application_id=application.pk,
                                     expected_version=application.version, changes={"id_number": number})


def _refused(application, reviewer, number):
    before = Application.objects.get(pk=application.pk)
    with pytest.raises(ValidationError) as refused:
        _correct(application, reviewer, number)
    assert refused.value.message_dict == {"id_number": [TAKEN]}
    after = Application.objects.get(pk=application.pk)
    assert (after.id_number, after.version) == (before.id_number, before.version)
    assert not ReviewLog.objects.filter(application=application, action="edit").exists()


def test_a_correction_to_another_candidates_number_is_refused(li_na, lin_feng, reviewer_anxi_hospital):
    # The probe's case: 林峰's number, held by his account and by his application of the year.
    _refused(li_na, reviewer_anxi_hospital, lin_feng.id_number)


def test_a_number_only_another_application_of_the_year_holds_is_refused(li_na, lin_feng, reviewer_anxi_hospital):
    # 林峰's application was corrected to his real number, which no account holds.
    Application.objects.filter(pk=lin_feng.pk).update(id_number=FREE)
    _refused(li_na, reviewer_anxi_hospital, FREE)


def test_a_number_of_another_draft_of_the_year_is_refused(tree, year, li_na, reviewer_anxi_hospital):
    draft = start_application(candidate=CandidateFactory(), exam_year=year)
    Application.objects.filter(pk=draft.pk).update(id_number=FREE)
    _refused(li_na, reviewer_anxi_hospital, FREE)


def test_a_number_of_an_account_without_an_application_is_refused(li_na, reviewer_anxi_hospital):
    CandidateFactory(id_number=FREE, username=FREE)
    _refused(li_na, reviewer_anxi_hospital, FREE)


def test_another_years_application_alone_does_not_hold_a_number(tree, year, li_na, reviewer_anxi_hospital):
    # Last year's application of a person whose account has since been corrected: the year's matching,
    # reminders and rosters read this year's applications only.
    other = submitted(tree, ExamYearFactory(year=year.year - 1, is_current=False), name="林峰")
    Application.objects.filter(pk=other.pk).update(id_number=FREE)
    _correct(li_na, reviewer_anxi_hospital, FREE)
    assert Application.objects.get(pk=li_na.pk).id_number == FREE


def test_the_candidates_own_number_and_a_free_one_are_taken(li_na, reviewer_anxi_hospital):
    own = li_na.candidate.id_number
    _correct(li_na, reviewer_anxi_hospital, FREE)
    assert Application.objects.get(pk=li_na.pk).id_number == FREE
    _correct(li_na, reviewer_anxi_hospital, own.lower())  # back to his account's number, however typed
    assert Application.objects.get(pk=li_na.pk).id_number == own


def test_the_page_says_it_at_the_id_number_and_keeps_what_was_typed(client, li_na, lin_feng,
                                                                    reviewer_anxi_hospital):
    client.force_login(reviewer_anxi_hospital)
    response = client.post(reverse("backoffice:review_edit", args=[li_na.pk]), {
        "version": li_na.version, "id_number": lin_feng.id_number, "postcode": "362400"})
    assert response.status_code == 400
    rows = {row["key"]: row for row in response.context["rows"]}
    assert (rows["id_number"]["value"], rows["id_number"]["error"]) == (lin_feng.id_number, TAKEN)
    assert rows["postcode"]["value"] == "362400" and not rows["postcode"]["error"]
    assert Application.objects.get(pk=li_na.pk).id_number == li_na.id_number


@pytest.mark.django_db(transaction=True)
def test_two_corrections_to_one_number_at_once_leave_it_to_one_application(
        postgres_only, tree, year, reviewer_anxi_hospital, monkeypatch):
    first, second = submitted(tree, year, name="李娜"), submitted(tree, year, name="林峰")
    colleague = UserFactory(username="r35052401b", role=Role.UNIT, org=tree["35052401"])
    # Two reviewers of the hospital (one would wait for his own account's lock), two applications: the
    # first holds the number (and has asked of it) when the second asks; the second waits for it, then
    # finds the first's application holding it.
    outcomes = second_waits(monkeypatch, services, "id_number_taken",
                            ("first", partial(_correct, first, reviewer_anxi_hospital, FREE)),
                            ("second", partial(_correct, second, colleague, FREE)))
    assert done(outcomes["first"]), outcomes["first"]
    assert isinstance(outcomes["second"], ValidationError), outcomes["second"]
    assert outcomes["second"].message_dict == {"id_number": [TAKEN]}
    assert list(Application.objects.filter(id_number=FREE).values_list("pk", flat=True)) == [first.pk]


# --- The account follows -------------------------------------------------------------------------------


def test_the_candidates_account_takes_the_corrected_number(tree, year, li_na, reviewer_anxi_hospital):
    account = li_na.candidate
    typo = account.id_number
    _correct(li_na, reviewer_anxi_hospital, FREE)
    account.refresh_from_db()
    assert account.id_number == FREE
    # He signs in by the number on his ID document, and by the one he registered (his login name) still.
    assert find_account(FREE) == account and find_account(typo) == account
    # Nobody signs up with it beside him (the sign-up's unique constraint), and next year's draft starts from it.
    assert User.objects.filter(id_number=FREE).count() == 1
    later = ExamYearFactory(year=year.year + 1, is_current=False)
    assert start_application(candidate=account, exam_year=later).id_number == FREE
    audited = AuditEvent.objects.get(event="application.edit.values", object_id=str(li_na.pk)).details
    assert audited["account_id_number"] is True


def test_an_account_that_held_another_number_is_left_as_it_is(li_na, reviewer_anxi_hospital):
    # The application's number no longer was the account's (a correction before the account followed).
    other = make_id_number("350524", datetime.date(1977, 7, 7), 321)
    Application.objects.filter(pk=li_na.pk).update(id_number=other)
    account_number = li_na.candidate.id_number
    _correct(li_na, reviewer_anxi_hospital, FREE)
    assert User.objects.get(pk=li_na.candidate_id).id_number == account_number
    assert Application.objects.get(pk=li_na.pk).id_number == FREE


def test_a_sign_up_the_check_did_not_see_is_refused_in_the_same_words(li_na, reviewer_anxi_hospital, monkeypatch):
    # A sign-up committed after the check asked (it takes no lock of the number): the account's unique
    # constraint refuses the correction, all of it, not a server error.
    CandidateFactory(id_number=FREE, username=FREE)
    monkeypatch.setattr(services, "id_number_taken", lambda *args, **kwargs: False)
    before = Application.objects.get(pk=li_na.pk)
    with pytest.raises(ValidationError) as refused:
        _correct(li_na, reviewer_anxi_hospital, FREE)
    assert refused.value.message_dict == {"id_number": [TAKEN]}
    after = Application.objects.get(pk=li_na.pk)
    assert (after.id_number, after.version) == (before.id_number, before.version)
    assert User.objects.get(pk=li_na.candidate_id).id_number == li_na.candidate.id_number


@pytest.mark.django_db(transaction=True)
def test_a_sign_up_committed_while_the_correction_holds_the_number_refuses_the_correction(
        postgres_only, tree, year, reviewer_anxi_hospital, monkeypatch):
    li_na = submitted(tree, year, name="李娜")
    typo = li_na.candidate.id_number
    # The correction has asked (no account holds the number) and pauses; a sign-up of the number, which
    # takes no lock of it, commits meanwhile; the correction then meets the account's unique constraint.
    asked, go_on = paused_after(monkeypatch, services, "id_number_taken")
    outcomes = {}
    correction = started(outcomes, "corrected", partial(_correct, li_na, reviewer_anxi_hospital, FREE))
    assert asked.wait(10), outcomes
    started(outcomes, "signed_up", partial(CandidateFactory, id_number=FREE, username=FREE)).join(10)
    assert done(outcomes["signed_up"]), outcomes["signed_up"]
    go_on.set()
    correction.join(15)
    assert isinstance(outcomes["corrected"], ValidationError), outcomes["corrected"]
    assert outcomes["corrected"].message_dict == {"id_number": [TAKEN]}
    assert Application.objects.get(pk=li_na.pk).id_number == typo
    assert User.objects.get(pk=li_na.candidate_id).id_number == typo
