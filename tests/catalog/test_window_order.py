"""The year's dates run in the notice's order: registration on both sites, then 现场确认, the reviews in stage order."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from prereg.audit.models import AuditEvent
from prereg.catalog import services
from prereg.catalog.models import ExamProject
from tests.factories import make_year, windows

D = datetime.date

# The notice's own timetable (2020年度): 省网 from 2019-12-16, 国网 2019-12-24 to 2020-01-13, 现场确认 to 2020-01-16.
NOTICE = windows(2020)


def test_the_notices_timetable_with_the_reviews_in_stage_order_passes():
    reviews = {"unit_review_deadline": D(2020, 1, 14), "point_review_deadline": D(2020, 1, 16),
               "site_review_deadline": D(2020, 1, 25), "district_review_deadline": D(2020, 2, 10)}
    assert services.check_windows(NOTICE | reviews) == {}


def test_confirmation_closing_before_the_national_registration_opens_is_refused_at_its_field():
    errors = services.check_windows(NOTICE | {"confirm_deadline": D(2019, 12, 20)})
    assert errors == {"confirm_deadline": ["现场确认截止日期不能早于省网填报截止日期。",
                                           "现场确认截止日期不能早于国网报名截止日期。"]}


def test_confirmation_closing_between_the_two_registrations_ends_is_refused():
    dates = NOTICE | {"national_closes": D(2020, 1, 20), "confirm_deadline": D(2020, 1, 16)}
    assert services.check_windows(dates) == {"confirm_deadline": ["现场确认截止日期不能早于国网报名截止日期。"]}


def test_unit_review_after_confirmation_and_the_points_before_the_units_are_each_refused_at_their_field():
    dates = NOTICE | {"unit_review_deadline": D(2020, 1, 20), "point_review_deadline": D(2020, 1, 15)}
    assert services.check_windows(dates) == {
        "unit_review_deadline": ["单位审查截止日期不能晚于现场确认截止日期。"],
        "point_review_deadline": ["报名点确认截止日期不能早于单位审查截止日期。"],
    }


def test_the_points_confirmation_ends_by_the_confirmation_deadline():
    dates = NOTICE | {"point_review_deadline": D(2020, 1, 17)}
    assert services.check_windows(dates) == {"point_review_deadline": ["报名点确认截止日期不能晚于现场确认截止日期。"]}


def test_the_stage_order_skips_a_blank_deadline_and_compares_with_the_latest_before():
    dates = NOTICE | {"unit_review_deadline": D(2020, 1, 14), "point_review_deadline": None,
                      "site_review_deadline": D(2020, 1, 10), "district_review_deadline": D(2020, 1, 12)}
    assert services.check_windows(dates) == {
        "site_review_deadline": ["考点审核截止日期不能早于单位审查截止日期。"],
        "district_review_deadline": ["考区复核截止日期不能早于单位审查截止日期。"],
    }


def test_the_site_and_district_reviews_may_end_after_confirmation_as_the_notice_sets_no_end_for_them():
    dates = NOTICE | {"site_review_deadline": D(2020, 2, 1), "district_review_deadline": D(2020, 2, 1)}
    assert services.check_windows(dates) == {}


@pytest.fixture
def district(client, reviewer_province):
    client.force_login(reviewer_province)
    return client


def _post(client, url, obj, dates, **extra):
    data = {"name": obj.name, "version": obj.version, **extra,
            **{k: v.isoformat() if v else "" for k, v in dates.items()}}
    return client.post(url, data)


def test_the_year_page_refuses_dates_out_of_order_at_their_fields_and_keeps_the_year(district):
    year = make_year(2020, catalogue=False)
    url = reverse("backoffice:year_detail", args=[year.pk])
    response = _post(district, url, year, NOTICE | {
        "confirm_deadline": D(2019, 12, 20), "unit_review_deadline": D(2020, 1, 20),
        "point_review_deadline": D(2019, 12, 19)})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["confirm_deadline"] == ["现场确认截止日期不能早于省网填报截止日期。",
                                          "现场确认截止日期不能早于国网报名截止日期。"]
    assert errors["unit_review_deadline"] == ["单位审查截止日期不能晚于现场确认截止日期。"]
    assert errors["point_review_deadline"] == ["报名点确认截止日期不能早于单位审查截止日期。"]
    assert 'value="2019-12-20"' in response.content.decode()  # what was typed stays in the form
    year.refresh_from_db()
    assert year.confirm_deadline == D(2020, 1, 16) and year.unit_review_deadline is None
    assert not AuditEvent.objects.filter(event="exam_year.update").exists()


def test_the_year_service_refuses_what_the_page_refuses(reviewer_province, db):
    year = make_year(2020, catalogue=False)
    with pytest.raises(ValidationError) as excinfo:
        services.exam_year_update(actor=reviewer_province, exam_year_id=year.pk,
                                  unit_review_deadline=D(2020, 1, 14), site_review_deadline=D(2020, 1, 13))
    assert excinfo.value.message_dict == {"site_review_deadline": ["考点审核截止日期不能早于单位审查截止日期。"]}


@pytest.fixture
def senior(db):
    year = make_year(2020, catalogue=False)
    return ExamProject.objects.create(exam_year=year, code="GJ", name="高级卫生专业技术资格考试", order=1,
                                      form_opens=D(2019, 12, 20), form_closes=D(2020, 1, 3),
                                      national_closes=D(2020, 1, 3), confirm_deadline=D(2020, 1, 8))


def test_a_projects_own_dates_follow_the_same_order(district, senior):
    url = reverse("backoffice:year_project_edit", args=[senior.exam_year_id, senior.pk])
    response = _post(district, url, senior, {"form_closes": D(2020, 1, 3), "national_closes": D(2020, 1, 10),
                                             "confirm_deadline": D(2020, 1, 8), "unit_review_deadline": D(2020, 1, 9),
                                             "point_review_deadline": D(2020, 1, 5)})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["confirm_deadline"] == ["现场确认截止日期不能早于国网报名截止日期。"]
    assert errors["unit_review_deadline"] == ["单位审查截止日期不能晚于现场确认截止日期。"]
    assert errors["point_review_deadline"] == ["报名点确认截止日期不能早于单位审查截止日期。"]
    senior.refresh_from_db()
    assert senior.national_closes == D(2020, 1, 3) and senior.unit_review_deadline is None


def test_a_blank_project_date_is_checked_as_the_years_it_falls_back_on(reviewer_province, senior):
    """The 高级 project's confirmation closes on 2020-01-08: the year's 国网报名截止 (01-13) it keeps is later."""
    senior.confirm_deadline = senior.national_closes = None
    senior.save()
    with pytest.raises(ValidationError) as excinfo:
        services.exam_project_update(actor=reviewer_province, project_id=senior.pk, confirm_deadline=D(2020, 1, 8))
    assert excinfo.value.message_dict == {"confirm_deadline": ["现场确认截止日期不能早于国网报名截止日期。"]}


def test_the_year_page_refuses_dates_that_would_put_a_projects_own_out_of_order(district, senior):
    year = senior.exam_year
    url = reverse("backoffice:year_detail", args=[year.pk])
    response = _post(district, url, year, NOTICE | {"unit_review_deadline": D(2020, 1, 10)})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "考试项目“高级卫生专业技术资格考试”有自定时间，按本次设置其单位审查截止日期不能晚于现场确认截止日期；"
        "请一并修改该项目的时间设置。"]
    year.refresh_from_db()
    assert year.unit_review_deadline is None
    # Within the project's own confirmation, the same date is saved.
    assert _post(district, url, year, NOTICE | {"unit_review_deadline": D(2020, 1, 7)}).status_code == 302


def test_a_project_already_out_of_order_does_not_block_a_change_of_the_year_that_does_not_touch_it(
        reviewer_province, senior):
    ExamProject.objects.filter(pk=senior.pk).update(national_closes=None)  # stored before the rule: 01-13 > 01-08
    year = services.exam_year_update(actor=reviewer_province, exam_year_id=senior.exam_year_id, name="2020年度（改）")
    assert year.name == "2020年度（改）"


@pytest.mark.django_db(transaction=True)
def test_a_year_and_its_project_changed_at_once_cannot_put_the_project_out_of_order(postgres_only, tree,
                                                                                    reviewer_province, sysadmin):
    """Each change alone is in order; together, the project's unit review (the year's) would end after its confirmation."""
    from tests.concurrency import at_once

    year = make_year(2020, catalogue=False)
    project = ExamProject.objects.create(exam_year=year, code="GJ", name="高级卫生专业技术资格考试", order=1,
                                         form_closes=D(2020, 1, 3), national_closes=D(2020, 1, 3))
    outcomes = at_once(
        lambda: services.exam_year_update(actor=reviewer_province, exam_year_id=year.pk,
                                          unit_review_deadline=D(2020, 1, 10)),
        lambda: services.exam_project_update(actor=sysadmin, project_id=project.pk, confirm_deadline=D(2020, 1, 8)))
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 1, outcomes
    project.refresh_from_db()
    assert services.check_windows({k: getattr(project.windows(), k) for k in services.REVIEW_DEADLINE_FIELDS}
                                  | {"confirm_deadline": project.windows().confirm_deadline}) == {}
