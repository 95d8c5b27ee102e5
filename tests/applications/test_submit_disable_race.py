"""A submission and a 禁用 of an org of its chain at the same moment (PostgreSQL, threads released by a
barrier): the submission is refused, routed past the disabled org, or the 禁用 is refused; no application is
ever left waiting for a disabled org, which no one could review."""

import datetime
from functools import partial

import pytest
from django.core.exceptions import ValidationError

from prereg.accounts.services import account_set_active
from prereg.applications import services
from prereg.applications.models import Application, Stage, State
from prereg.applications.selectors import waiting_counts
from prereg.orgs.models import Org
from prereg.orgs.routing import resolve_chain
from prereg.orgs.services import org_set_enabled
from tests.applications.test_one_writer_races import done, paused_after, race, started
from tests.factories import ApplicationFactory, CandidateFactory, EducationRowFactory

ROUNDS = 30
pytestmark = pytest.mark.django_db(transaction=True)


def _draft(tree, year, unit_code):
    application = ApplicationFactory(candidate=CandidateFactory(), exam_year=year, unit=tree[unit_code], name="李娜",
                                     id_type="", current_qualification="护师",
                                     current_qualification_date=datetime.date(2016, 10, 1))
    EducationRowFactory(application=application)
    return application


def test_submission_racing_the_disabling_of_its_unit_review_org(postgres_only, tree, year, reviewer_quanzhou,
                                                               reviewer_anxi_hospital):
    # A hospital reviewing its own staff (its reviewer's account makes it so), with no unit below it: its 禁用
    # is refused only for the applications waiting for it.
    unit = tree["35052401"]
    target = resolve_chain(unit, exam_year=year)[Stage.UNIT_REVIEW]
    assert target == unit
    outcomes = set()
    for _ in range(ROUNDS):
        application = _draft(tree, year, "35052401")
        submitted, disabled = race(
            partial(services.application_submit, actor=application.candidate, application_id=application.pk),
            lambda: org_set_enabled(actor=reviewer_quanzhou, org_ids=[target.pk], enabled=False,
                                    waiting=waiting_counts))
        assert not Application.objects.filter(waiting_org__enabled=False).exists(), (submitted, disabled)
        stored = Application.objects.get(pk=application.pk)
        if done(submitted):
            assert stored.state == State.IN_REVIEW
        else:
            assert isinstance(submitted, ValidationError) and stored.state == State.DRAFT
        if not done(disabled):
            assert "待其审核" in disabled.messages[0] and done(submitted)
        outcomes.add((done(submitted), done(disabled)))
        # The next round starts from a clean slate: the org enabled, nothing waiting for it.
        Org.objects.filter(pk=target.pk).update(enabled=True)
        Application.objects.filter(pk=application.pk).update(waiting_org=None)
    assert (True, False) in outcomes  # the 禁用 met a submission it had to respect at least once


def test_a_draft_whose_unit_was_disabled_since_is_asked_to_choose_again(tree, year):
    application = _draft(tree, year, "35012205")
    Org.objects.filter(pk=application.unit_id).update(enabled=False)
    with pytest.raises(ValidationError, match="已停用，请在“基本信息”中重新选择单位名称"):
        services.application_submit(actor=application.candidate, application_id=application.pk)
    assert Application.objects.get(pk=application.pk).state == State.DRAFT



def test_the_disabling_of_a_units_last_reviewer_account_waits_for_a_submission_choosing_it(
        postgres_only, tree, year, reviewer_quanzhou, reviewer_anxi_hospital, monkeypatch):
    # The submission pauses right after it read its chain under its locks (the unit has an active reviewer,
    # so it is the unit's to review); a 禁用 of that reviewer meanwhile must wait for it, and then refuse:
    # without the wait it would count nothing waiting yet and leave the application waiting for no one.
    unit = tree["35052401"]
    application = _draft(tree, year, "35052401")
    chain_read, go_on = paused_after(monkeypatch, services, "_chain_held")
    outcomes = {}
    submitting = started(outcomes, "submitted", partial(
        services.application_submit, actor=application.candidate, application_id=application.pk))
    assert chain_read.wait(10)
    disabling = started(outcomes, "disabled", partial(
        account_set_active, actor=reviewer_quanzhou, user_ids=[reviewer_anxi_hospital.pk], active=False,
        waiting=waiting_counts))
    disabling.join(1)
    assert disabling.is_alive(), outcomes  # waiting for the unit's row the submission holds
    go_on.set()
    submitting.join(10)
    disabling.join(10)
    assert done(outcomes["submitted"]) and Application.objects.get(pk=application.pk).waiting_org_id == unit.pk
    assert "没有可用的审核账号" in outcomes["disabled"].messages[0]
    reviewer_anxi_hospital.refresh_from_db()
    assert reviewer_anxi_hospital.is_active


def test_a_submission_under_way_when_the_window_is_closed_is_refused_not_committed_after_the_close(
        postgres_only, tree, year, reviewer_province, monkeypatch):
    # The 考区 closes the form window (form_closes brought forward to yesterday) and pauses after its
    # write, before its commit; a submission meanwhile must wait for the close and then be refused:
    # without the year's lock it read the window still open and committed after the 考区 was told it closed.
    from prereg.catalog import services as catalog_services
    from prereg.catalog.models import ExamYear

    application = _draft(tree, year, "35012205")
    closed, go_on = paused_after(monkeypatch, catalog_services, "check_windows")
    outcomes = {}
    closing = started(outcomes, "closed", lambda: catalog_services.exam_year_update(
        actor=reviewer_province, exam_year_id=year.pk,
        form_closes=datetime.date.today() - datetime.timedelta(days=1)))
    assert closed.wait(10)
    submitting = started(outcomes, "submitted", partial(
        services.application_submit, actor=application.candidate, application_id=application.pk))
    submitting.join(1)  # it waits on the year's lock (without it: read the window open, blocked at the audit)
    go_on.set()
    closing.join(10)
    submitting.join(10)
    assert isinstance(outcomes["closed"], ExamYear)
    assert isinstance(outcomes["submitted"], ValidationError), outcomes["submitted"]
    assert "不在填报时间内" in outcomes["submitted"].messages[0]
    assert Application.objects.get(pk=application.pk).state == State.DRAFT
