import datetime

import pytest
from django.core.exceptions import ValidationError

from prereg.applications import services
from prereg.applications.models import ReviewAction, ReviewLog, Stage, State
from prereg.audit.models import AuditEvent
from tests.factories import ApplicationFactory


@pytest.fixture
def draft(tree, year, candidate):
    return ApplicationFactory(candidate=candidate, exam_year=year, unit=tree["35010201"], name="曹操")


def test_submit_resolves_and_stores_the_chain(draft, candidate):
    application = services.application_submit(actor=candidate, application_id=draft.pk)
    assert (application.state, application.stage) == (State.IN_REVIEW, Stage.UNIT_REVIEW)
    assert application.unit_review_org.code == "350102"
    assert application.site_org.code == "350100"
    assert application.number.startswith(str(draft.exam_year.year))
    assert ReviewLog.objects.filter(application=draft, action=ReviewAction.SUBMIT).count() == 1
    assert AuditEvent.objects.filter(event="application.submit", object_id=str(draft.pk)).exists()


def test_a_second_submit_does_not_create_a_second_submission(draft, candidate):
    services.application_submit(actor=candidate, application_id=draft.pk)
    with pytest.raises(services.AlreadyHandled):
        services.application_submit(actor=candidate, application_id=draft.pk)
    assert ReviewLog.objects.filter(application=draft).count() == 1


def test_submit_outside_the_window_is_refused_with_the_dates(draft, candidate):
    late = draft.exam_year.form_closes + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        services.application_submit(actor=candidate, application_id=draft.pk, today=late)
    assert "填报时间为" in excinfo.value.messages[0]
    draft.refresh_from_db()
    assert draft.state == State.DRAFT


def test_withdraw_before_any_decision_returns_to_draft(draft, candidate):
    services.application_submit(actor=candidate, application_id=draft.pk)
    application = services.application_withdraw(actor=candidate, application_id=draft.pk)
    assert application.state == State.DRAFT and application.stage == ""


def test_a_withdraw_from_a_version_older_than_the_row_changes_nothing(draft, candidate):
    seen = services.application_submit(actor=candidate, application_id=draft.pk).version
    services.application_withdraw(actor=candidate, application_id=draft.pk, expected_version=seen)
    services.application_submit(actor=candidate, application_id=draft.pk)
    with pytest.raises(services.AlreadyHandled):
        services.application_withdraw(actor=candidate, application_id=draft.pk, expected_version=seen)
    draft.refresh_from_db()
    assert (draft.state, draft.version) == (State.IN_REVIEW, seen + 2)


def test_another_candidate_cannot_submit_it(draft):
    from django.core.exceptions import PermissionDenied

    from tests.factories import CandidateFactory

    with pytest.raises(PermissionDenied):
        services.application_submit(actor=CandidateFactory(), application_id=draft.pk)


def test_submit_stores_the_verdict_of_what_was_handed_in(draft, candidate):
    # A draft carried over from last year can be submitted with no section save: lists, exports
    # and statistics read the stored verdict.
    from prereg.applications import eligibility

    assert (draft.verdict, draft.verdict_text) == ("", "")
    application = services.application_submit(actor=candidate, application_id=draft.pk)
    application.refresh_from_db()
    live = eligibility.verdict_of(application)
    assert live.text and (application.verdict, application.verdict_text) == (live.result, live.text)
    assert ReviewLog.objects.get(application=draft, action=ReviewAction.SUBMIT).details["verdict"] == live.result
