"""A draft carried over from last year shows its sections 待核对 and is not submitted until each was
saved once this year (phone-journey probe, finding 6; the manual asks every item to be checked)."""

import re

import pytest
from django.urls import reverse

from prereg.applications import services
from prereg.applications.completeness import missing
from prereg.applications.models import State
from tests.factories import ApplicationFactory, ExamYearFactory, complete_application


@pytest.fixture
def carried(client, year, tree, candidate):
    """A complete draft of a candidate who applied last year (as start_application leaves it: nothing saved)."""
    client.force_login(candidate)
    application = complete_application(candidate, year, tree)
    ApplicationFactory(candidate=candidate, exam_year=ExamYearFactory(year=year.year - 1, name="去年年度"),
                       state=State.APPROVED)
    application.section_versions = {}
    application.save(update_fields=["section_versions"])
    return application


def _index(body):
    return re.search(r'<nav id="form-index".*?</nav>', body, re.S).group()


def test_carried_sections_are_to_check_in_the_index_and_named_when_submit_is_refused(client, carried):
    index = _index(client.get(reverse("candidate:form")).content.decode())
    assert re.search(r"基本信息<small>待核对</small>", index)
    assert re.search(r"申报信息及现有资格<small>待核对</small>", index)
    body = client.post(reverse("candidate:submit"), {"version": carried.version}, follow=True).content.decode()
    assert "申报信息及现有资格：沿用了去年年度的信息" in body and "报考级别" in body
    carried.refresh_from_db()
    assert carried.state == State.DRAFT


def test_once_each_carried_section_is_saved_the_draft_is_submitted(client, carried, candidate):
    for section in ["basic", "work", "education", "declaration", "appointment", "residency", "gp", "other"]:
        services.application_section_save(actor=candidate, application_id=carried.pk, section=section)
    carried.refresh_from_db()
    assert missing(carried) == []
    assert "待核对" not in _index(client.get(reverse("candidate:form")).content.decode())
    client.post(reverse("candidate:submit"), {"version": carried.version})
    carried.refresh_from_db()
    assert carried.state == State.IN_REVIEW


def test_a_draft_of_a_first_time_candidate_asks_nothing_to_check(client, year, tree, candidate):
    client.force_login(candidate)
    application = complete_application(candidate, year, tree)
    assert missing(application) == []
