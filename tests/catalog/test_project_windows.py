"""Exam projects with windows of their own (blank = the year's)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.urls import reverse

from prereg.applications import services as application_services
from prereg.applications.models import State
from prereg.audit.models import AuditEvent
from prereg.catalog import services, timeline
from prereg.catalog.models import ExamProject
from tests.factories import ApplicationFactory, CandidateFactory, make_year

TODAY = datetime.date(2020, 1, 5)  # inside the 2020 year's window (2019-12-16 to 2020-01-13)


@pytest.fixture
def senior(db):
    """A second project of 2020 whose form closed on 2020-01-03, before the year's."""
    year = make_year(2020, current=True)
    return ExamProject.objects.create(exam_year=year, code="GJ", name="高级卫生专业技术资格考试", order=1,
                                      form_opens=datetime.date(2019, 12, 20), form_closes=datetime.date(2020, 1, 3),
                                      confirm_deadline=datetime.date(2020, 1, 8))


def _draft(candidate, project, unit):
    return ApplicationFactory(candidate=candidate, exam_year=project.exam_year, project=project, unit=unit,
                              name="曹操")


def test_a_blank_project_date_is_the_years_and_a_set_one_overrides_it(senior):
    year = senior.exam_year
    default = year.projects.get(code="CZJ")
    assert year.windows(default) == year.windows() and not year.windows(default).own
    own = year.windows(senior)
    assert own.own and own.form_closes == datetime.date(2020, 1, 3)
    assert own.national_opens == year.national_opens  # not set: the year's
    assert year.form_is_open(TODAY) and not year.form_is_open(TODAY, project=senior)


def test_the_closed_projects_refusal_names_its_own_dates(senior):
    message = senior.windows().form_closed_message()
    assert "高级卫生专业技术资格考试" in message and "2019年12月20日" in message and "2020年1月3日" in message


def test_a_closed_project_refuses_submission_while_another_project_of_the_year_accepts(senior, tree, candidate):
    closed = _draft(candidate, senior, tree["35010201"])
    with pytest.raises(ValidationError) as excinfo:
        application_services.application_submit(actor=candidate, application_id=closed.pk, today=TODAY)
    message = excinfo.value.messages[0]
    assert "2019年12月20日" in message and "2020年1月3日" in message
    closed.refresh_from_db()
    assert closed.state == State.DRAFT
    other_candidate = CandidateFactory()
    open_one = _draft(other_candidate, senior.exam_year.projects.get(code="CZJ"), tree["35010201"])
    submitted = application_services.application_submit(actor=other_candidate, application_id=open_one.pk,
                                                        today=TODAY)
    assert submitted.state == State.IN_REVIEW


def test_the_year_status_follows_the_projects_dates(senior):
    status = timeline.year_status(senior.exam_year, TODAY, senior)
    assert "已截止" in status.headline and "2020年1月8日" in status.headline
    assert status.countdown.label == "现场确认截止" and status.countdown.days_left == 3
    assert "进行中" in timeline.year_status(senior.exam_year, TODAY).headline


def test_the_candidate_home_shows_his_projects_dates(client, senior, tree, candidate):
    _draft(candidate, senior, tree["35010201"])
    client.force_login(candidate)
    html = client.get(reverse("candidate:home")).content.decode()
    assert "高级卫生专业技术资格考试" in html
    assert "2019年12月20日" in html and "2020年1月3日" in html and "2020年1月8日" in html


def test_without_an_application_the_home_shows_the_years_dates(client, senior, candidate):
    client.force_login(candidate)
    html = client.get(reverse("candidate:home")).content.decode()
    assert "2020年1月13日" in html and "2020年1月3日" not in html


@pytest.fixture
def district(client, reviewer_province):
    client.force_login(reviewer_province)
    return client


def test_the_district_sets_a_projects_windows_and_blank_keeps_the_years(district, senior):
    url = reverse("backoffice:year_project_edit", args=[senior.exam_year_id, senior.pk])
    page = district.get(url).content.decode()
    assert "留空则按年度：2020-01-13" in page
    response = district.post(url, {"name": senior.name, "form_opens": "", "form_closes": "2020-01-10",
                                   "site_review_deadline": "2020-01-20", "version": senior.version})
    assert response.status_code == 302
    senior.refresh_from_db()
    assert senior.form_opens is None and senior.form_closes == datetime.date(2020, 1, 10)
    assert senior.windows().form_opens == senior.exam_year.form_opens
    assert AuditEvent.objects.filter(event="exam_project.update").exists()
    detail = district.get(reverse("backoffice:year_detail", args=[senior.exam_year_id])).content.decode()
    assert "自定时间" in detail and "2020-01-10" in detail


def test_a_project_window_in_the_wrong_order_is_refused_at_the_field(district, senior):
    url = reverse("backoffice:year_project_edit", args=[senior.exam_year_id, senior.pk])
    response = district.post(url, {"name": senior.name, "form_opens": "2020-01-10", "form_closes": "2020-01-02",
                                   "version": senior.version})
    assert response.status_code == 400
    assert "省网填报截止日期不能早于开始日期" in response.content.decode()
    senior.refresh_from_db()
    assert senior.form_closes == datetime.date(2020, 1, 3)


def test_only_the_district_edits_a_projects_windows(client, senior, reviewer_quanzhou, candidate):
    url = reverse("backoffice:year_project_edit", args=[senior.exam_year_id, senior.pk])
    for user in (reviewer_quanzhou, candidate):
        client.force_login(user)
        assert client.post(url, {"name": "x", "form_closes": "2020-02-01"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.exam_project_update(actor=reviewer_quanzhou, project_id=senior.pk, name="x")


def test_a_project_of_another_year_is_not_found(district, senior):
    other = make_year(2021, catalogue=False)
    url = reverse("backoffice:year_project_edit", args=[other.pk, senior.pk])
    assert district.get(url).status_code == 404


def test_a_reviewer_sees_a_projects_own_deadline_for_his_stage(rf, senior, reviewer_anxi_bureau):
    year = senior.exam_year
    today = datetime.date.today()
    year.point_review_deadline = today + datetime.timedelta(days=10)
    year.save()
    senior.point_review_deadline = today + datetime.timedelta(days=2)
    senior.save()
    request = rf.get("/")
    request.user = reviewer_anxi_bureau
    html = render_to_string("backoffice/years/_review_deadline.html", request=request)
    assert "还剩10天" in html
    assert "高级卫生专业技术资格考试报名点确认截止日期" in html and "还剩2天" in html
