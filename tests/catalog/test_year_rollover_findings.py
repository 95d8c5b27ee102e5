"""Findings of the exam-year lifecycle probe: a new year keeps last year's 资格规则 (M2); a deadline not yet
reached counts down to itself (L2); a year's dates stay within the exam year (L4)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from prereg.applications.carryover import start_application
from prereg.applications.models import State
from prereg.audit.models import AuditEvent
from prereg.catalog import services, timeline
from prereg.catalog.loaders import eligibility_rows
from prereg.catalog.models import EligibilityRule, ExamYear
from tests.factories import declared, make_year, windows

D = datetime.date


def end_year(year):
    """Every date of `year` past (yesterday its latest), as a year stands when the next one is opened."""
    last = timezone.localdate() - datetime.timedelta(days=1)
    ExamYear.objects.filter(pk=year.pk).update(
        form_opens=last - datetime.timedelta(days=31), form_closes=last - datetime.timedelta(days=3),
        national_opens=last - datetime.timedelta(days=23), national_closes=last - datetime.timedelta(days=3),
        confirm_deadline=last)


def rules_of(year) -> list[dict]:
    return [rule.as_row() for rule in EligibilityRule.objects.filter(exam_year=year)]


def shipped(year: int) -> list[dict]:
    return [{column: row[column] for column in EligibilityRule.COLUMNS} for row in eligibility_rows(year)]


# ---------------------------------------------------------------- M2: the rules carry over


def test_opening_a_year_carries_last_years_rules_as_the_district_left_them(tree, reviewer_province):
    old = make_year(2027, current=True)
    # The 考区's own table (as an import leaves it): fewer rows, one note of its own.
    EligibilityRule.objects.filter(exam_year=old, order__gte=10).delete()
    EligibilityRule.objects.filter(exam_year=old, order=0).update(note="考区修改的说明")
    end_year(old)
    new = services.exam_year_open(actor=reviewer_province, year=2028, **windows(2028))
    assert rules_of(new) == rules_of(old) and len(rules_of(new)) == 10
    assert rules_of(new)[0]["note"] == "考区修改的说明"
    # Copies: last year's rows stay last year's.
    assert EligibilityRule.objects.filter(exam_year=old).count() == 10
    event = AuditEvent.objects.get(event="exam_year.open")
    assert event.details["rules_carried"] is True


def test_a_carried_over_draft_of_the_new_year_is_judged_by_rules_not_their_absence(tree, reviewer_province,
                                                                                  candidate):
    old = make_year(2027, current=True)
    declared(old, tree, candidate, qualification="护师", category="护理", state=State.APPROVED)
    end_year(old)
    new = services.exam_year_open(actor=reviewer_province, year=2028, **windows(2028))
    draft = start_application(candidate=candidate, exam_year=new)
    assert draft.qualification.name == "护师" and draft.verdict_text
    assert "本年度资格规则未列出" not in draft.verdict_text


def test_where_the_shipped_rules_change_between_the_years_the_new_year_gets_its_own(tree, reviewer_province):
    # 2022年度 holds both regimes (unconfirmed); from 2023年度 人社部发〔2021〕51号 alone.
    old = make_year(2022, current=True)
    assert {row["regime"] for row in rules_of(old)} == {"A", "B"}
    end_year(old)
    new = services.exam_year_open(actor=reviewer_province, year=2023, **windows(2023))
    assert rules_of(new) == shipped(2023)
    assert AuditEvent.objects.get(event="exam_year.open").details["rules_carried"] is False


def test_a_year_before_without_rules_leaves_the_new_year_the_shipped_ones(tree, reviewer_province):
    old = make_year(2027, current=True)
    EligibilityRule.objects.filter(exam_year=old).delete()
    end_year(old)
    new = services.exam_year_open(actor=reviewer_province, year=2028, **windows(2028))
    assert rules_of(new) == shipped(2028)


def test_the_open_page_says_the_rules_are_copied(client, reviewer_province):
    client.force_login(reviewer_province)
    body = client.get(reverse("backoffice:year_open")).content.decode()
    assert "资格规则" in body and "全部字典" in body


# ---------------------------------------------------------------- L2: a deadline counts down to itself


def _year_before_its_window(today):
    return make_year(today.year + 1, current=True, catalogue=False, opens=today + datetime.timedelta(days=20))


def test_before_the_window_the_confirmation_deadline_counts_down_to_itself(db):
    today = timezone.localdate()
    year = _year_before_its_window(today)
    confirm = next(m for m in timeline.year_status(year, today).milestones if m.label == "现场确认截止")
    assert confirm.state == "upcoming" and confirm.days_left == (year.confirm_deadline - today).days
    html = render_to_string("candidate/_year_status.html", {"year": year, "project": None})
    assert f"{(year.confirm_deadline - today).days}天后截止" in html
    assert html.count("天后开始") == 2  # the two registrations, not the deadline
    assert "20天后开始" in html


# ---------------------------------------------------------------- L4: dates within the exam year


def test_a_date_of_another_century_is_refused_at_its_field_when_the_year_is_edited(reviewer_province):
    year = make_year(2028, catalogue=False)
    with pytest.raises(ValidationError) as excinfo:
        services.exam_year_update(actor=reviewer_province, exam_year_id=year.pk, form_opens=D(1900, 1, 1))
    assert excinfo.value.message_dict["form_opens"] == [
        "2028年度的省网填报开始日期应在2027年1月1日至2028年12月31日之间（报名在考试前一年开始，各环节审核在考试当年结束）。"]
    with pytest.raises(ValidationError) as excinfo:
        services.exam_year_update(actor=reviewer_province, exam_year_id=year.pk,
                                  district_review_deadline=D(2099, 12, 31))
    assert list(excinfo.value.message_dict) == ["district_review_deadline"]
    year.refresh_from_db()
    assert year.form_opens == D(2027, 12, 16) and year.district_review_deadline is None


def test_a_window_two_years_early_is_refused_when_the_year_is_opened(tree, reviewer_province):
    old = make_year(2027, current=True)
    end_year(old)
    dates = windows(2028) | {"form_opens": D(2026, 10, 1)}
    with pytest.raises(ValidationError) as excinfo:
        services.exam_year_open(actor=reviewer_province, year=2028, **dates)
    assert "2027年1月1日至2028年12月31日" in excinfo.value.message_dict["form_opens"][0]
    assert not ExamYear.objects.filter(year=2028).exists()


def test_the_first_and_last_days_of_the_range_are_accepted(reviewer_province):
    year = make_year(2028, catalogue=False)
    services.exam_year_update(actor=reviewer_province, exam_year_id=year.pk, form_opens=D(2027, 1, 1),
                              national_opens=D(2027, 1, 1), district_review_deadline=D(2028, 12, 31))
    year.refresh_from_db()
    assert (year.form_opens, year.district_review_deadline) == (D(2027, 1, 1), D(2028, 12, 31))


def test_a_year_stored_out_of_range_may_still_be_renamed(reviewer_province):
    year = make_year(2028, catalogue=False)
    ExamYear.objects.filter(pk=year.pk).update(district_review_deadline=D(2099, 12, 31))  # stored before the rule
    services.exam_year_update(actor=reviewer_province, exam_year_id=year.pk, name="2028年度（改）")
    assert ExamYear.objects.get(pk=year.pk).name == "2028年度（改）"


def test_a_projects_own_date_out_of_range_is_refused_at_its_field(reviewer_province):
    year = make_year(2028, catalogue=False)
    project = year.projects.get()
    with pytest.raises(ValidationError) as excinfo:
        services.exam_project_update(actor=reviewer_province, project_id=project.pk,
                                     site_review_deadline=D(2030, 1, 1))
    assert "2027年1月1日至2028年12月31日" in excinfo.value.message_dict["site_review_deadline"][0]


def test_the_years_page_shows_the_refusal_at_the_field(client, reviewer_province):
    year = make_year(2028, catalogue=False)
    client.force_login(reviewer_province)
    data = {"name": year.name, "version": year.version, **{k: v.isoformat() for k, v in windows(2028).items()},
            "district_review_deadline": "2099-12-31"}
    response = client.post(reverse("backoffice:year_detail", args=[year.pk]), data)
    assert response.status_code == 400
    assert response.context["form"].errors["district_review_deadline"] == [
        "2028年度的考区复核截止日期应在2027年1月1日至2028年12月31日之间（报名在考试前一年开始，各环节审核在考试当年结束）。"]
