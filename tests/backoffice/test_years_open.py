"""开启新年度 while the current year still runs: refused on the page, with what was typed kept."""

import pytest
from django.urls import reverse

from prereg.applications.models import State
from prereg.catalog.models import ExamYear
from prereg.catalog.timeline import day_text
from prereg.orgs.stages import Stage
from tests.catalog.test_year_open import end_year
from tests.factories import ApplicationFactory, windows


@pytest.fixture
def district(client, reviewer_province):
    client.force_login(reviewer_province)
    return client


def _typed(year):
    return {"year": year.year + 1, "name": "新的年度", "confirm": "on",
            **{k: v.isoformat() for k, v in windows(year.year + 1).items()}}


def test_the_open_page_says_up_front_why_the_current_year_cannot_be_followed_yet(district, year):
    ApplicationFactory(exam_year=year, state=State.IN_REVIEW, stage=Stage.POINT_CONFIRM)
    body = district.get(reverse("backoffice:year_open")).content.decode()
    assert "当前还不能开启新年度" in body
    assert f"现场确认截止日期为{day_text(year.confirm_deadline)}" in body
    assert "尚有1份报名信息在审核中" in body


def test_a_post_while_the_year_runs_is_refused_on_the_page_with_the_typed_values_kept(district, year,
                                                                                     reviewer_quanzhou):
    response = district.post(reverse("backoffice:year_open"), _typed(year))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.non_field_errors() == [
        f"{year.name}尚未结束：{year.name}的现场确认截止日期为{day_text(year.confirm_deadline)}，"
        f"该日过后才能开启新年度（开启后考生只能看到新年度，无法再修改、提交或打印{year.name}的报名信息）。"]
    body = response.content.decode()
    assert 'class="form-errors" role="alert"' in body and "尚未结束" in body
    assert 'value="新的年度"' in body and f'value="{year.year + 1}-01-16"' in body
    assert list(ExamYear.objects.values_list("year", "is_current")) == [(year.year, True)]
    reviewer_quanzhou.refresh_from_db()
    assert not reviewer_quanzhou.must_change_password


def test_once_the_year_is_over_the_page_says_nothing_and_opens_it(district, year):
    end_year(year)
    assert "当前还不能开启新年度" not in district.get(reverse("backoffice:year_open")).content.decode()
    response = district.post(reverse("backoffice:year_open"), _typed(year))
    assert response.status_code == 302
    assert ExamYear.current().year == year.year + 1


def test_a_returned_candidate_keeps_his_year_while_it_runs(client, reviewer_province, year, candidate):
    """The QA probe's case: opened too early, the home page showed only the new year's 尚未填报."""
    ApplicationFactory(candidate=candidate, exam_year=year, state=State.RETURNED, submission_round=1)
    client.force_login(reviewer_province)
    client.post(reverse("backoffice:year_open"), _typed(year))
    client.force_login(candidate)
    body = client.get(reverse("candidate:home")).content.decode()
    assert "已退回" in body and "尚未填报" not in body
