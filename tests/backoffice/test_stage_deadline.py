"""The deadline banner names the stage being worked where the page knows it (exam-year probe L3): a 报名点
working a unit's application, its unit having no reviewers, saw only 报名点确认截止日期."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from prereg.applications.models import Stage
from prereg.catalog.models import ExamYear
from prereg.catalog.timeline import day_text
from tests.factories import submitted


@pytest.fixture
def deadlines(year):
    today = timezone.localdate()
    ExamYear.objects.filter(pk=year.pk).update(unit_review_deadline=today + datetime.timedelta(days=2),
                                                point_review_deadline=today + datetime.timedelta(days=4))
    return today


def test_the_banner_shows_the_deadline_of_the_stage_it_is_given(rf, deadlines, reviewer_anxi_bureau):
    request = rf.get("/")
    request.user = reviewer_anxi_bureau
    own = render_to_string("backoffice/years/_review_deadline.html", request=request)
    assert "报名点确认截止日期" in own and "还剩4天" in own
    unit = render_to_string("backoffice/years/_review_deadline.html", {"stage": Stage.UNIT_REVIEW}, request=request)
    assert "单位审查截止日期" in unit and "还剩2天" in unit and "报名点确认" not in unit


def test_a_point_working_a_units_application_sees_the_units_deadline_on_its_review_screen(
        client, tree, year, deadlines, reviewer_anxi_bureau):
    application = submitted(tree, year)  # the unit has no reviewers of its own: its 报名点 works the stage
    assert application.stage == Stage.UNIT_REVIEW
    client.force_login(reviewer_anxi_bureau)
    body = client.get(reverse("backoffice:review", args=[application.pk])).content.decode()
    assert f"单位审查截止日期：{day_text(deadlines + datetime.timedelta(days=2))}" in body
    assert "报名点确认截止日期" not in body
