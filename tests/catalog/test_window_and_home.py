import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from prereg.applications import services as application_services
from prereg.applications.models import State
from prereg.catalog import services, timeline
from prereg.catalog.models import Announcement
from tests.factories import ApplicationFactory, make_year


@pytest.fixture
def draft(tree, candidate):
    year = make_year(2020, current=True)
    return ApplicationFactory(candidate=candidate, exam_year=year, unit=tree["35010201"], name="曹操")


@pytest.mark.parametrize("today", [datetime.date(2019, 12, 15), datetime.date(2020, 1, 14)])
def test_submission_outside_the_form_window_is_refused_with_the_dates(draft, candidate, today):
    with pytest.raises(ValidationError) as excinfo:
        application_services.application_submit(actor=candidate, application_id=draft.pk, today=today)
    message = excinfo.value.messages[0]
    assert "2019年12月16日" in message and "2020年1月13日" in message
    draft.refresh_from_db()
    assert draft.state == State.DRAFT and draft.submission_round == 0


def test_submission_on_the_last_day_of_the_window_goes_through(draft, candidate):
    application = application_services.application_submit(actor=candidate, application_id=draft.pk,
                                                           today=datetime.date(2020, 1, 13))
    assert application.state == State.IN_REVIEW


def test_the_year_status_follows_the_calendar(db):
    year = make_year(2020, catalogue=False)
    before = timeline.year_status(year, datetime.date(2019, 12, 10))
    assert "尚未开始" in before.headline and before.countdown is None
    assert [m.state for m in before.milestones] == ["upcoming", "upcoming", "upcoming"]
    during = timeline.year_status(year, datetime.date(2020, 1, 10))
    assert "进行中" in during.headline
    assert during.countdown.label == "省网填报" and during.countdown.days_left == 3
    assert during.countdown.closes_at.startswith("2020-01-13T23:59:59+08:00")
    early = timeline.year_status(year, datetime.date(2019, 12, 20))
    assert early.countdown is None
    confirm = timeline.year_status(year, datetime.date(2020, 1, 15))
    assert "现场确认" in confirm.headline and confirm.countdown.label == "现场确认截止"
    after = timeline.year_status(year, datetime.date(2020, 2, 1))
    assert "已结束" in after.headline and all(m.state == "done" for m in after.milestones)


def test_the_candidate_home_shows_the_dates_a_countdown_and_published_notices(client, candidate,
                                                                             reviewer_province):
    today = datetime.date.today()
    year = make_year(today.year + 1, current=True, catalogue=False, opens=today - datetime.timedelta(days=26))
    published = services.announcement_save(actor=reviewer_province, title="关于现场确认的通知",
                                           body="## 地点\n- 各报名点\n**携带原件**", kind="notice",
                                           audience="all", exam_year=year)
    services.announcement_publish(actor=reviewer_province, announcement_id=published.pk)
    services.announcement_save(actor=reviewer_province, title="草稿通知", body="未发布", kind="notice",
                               audience="all")
    services.announcement_publish(actor=reviewer_province, announcement_id=services.announcement_save(
        actor=reviewer_province, title="审核人员须知", body="x", kind="notice", audience="reviewers").pk)
    client.force_login(candidate)
    html = client.get(reverse("candidate:home")).content.decode()
    assert year.form_closes.strftime("%Y年%-m月%-d日") in html
    assert "还剩" in html and 'data-deadline="' in html
    # A span is 进行中; a deadline alone (现场确认截止) is 未截止 until it passes, not 进行中.
    confirmation = html.split("现场确认截止")[1].split("</li>")[0]
    assert "未截止" in confirmation and "进行中" not in confirmation
    assert "关于现场确认的通知" in html and "<strong>携带原件</strong>" in html and "<li>各报名点</li>" in html
    assert "草稿通知" not in html and "审核人员须知" not in html


def test_notice_bodies_are_escaped(client, candidate, reviewer_province):
    make_year(datetime.date.today().year + 1, current=True, catalogue=False)
    notice = services.announcement_save(actor=reviewer_province, title="t", body="<script>alert(1)</script>",
                                        kind="notice", audience="all")
    services.announcement_publish(actor=reviewer_province, announcement_id=notice.pk)
    client.force_login(candidate)
    html = client.get(reverse("candidate:home")).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_a_withdrawn_notice_disappears(reviewer_province, candidate):
    notice = services.announcement_save(actor=reviewer_province, title="t", body="b", kind="notice", audience="all")
    services.announcement_publish(actor=reviewer_province, announcement_id=notice.pk)
    assert list(services.published_for(candidate)) == [notice]
    services.announcement_publish(actor=reviewer_province, announcement_id=notice.pk, publish=False)
    assert not services.published_for(candidate).exists()
    assert Announcement.objects.filter(pk=notice.pk).exists()


def test_a_reviewer_sees_his_stages_deadline_and_a_candidate_does_not(rf, reviewer_anxi_bureau, candidate):
    from django.template.loader import render_to_string

    year = make_year(datetime.date.today().year + 1, current=True, catalogue=False)
    year.point_review_deadline = datetime.date.today() + datetime.timedelta(days=3)
    year.save()
    request = rf.get("/")
    request.user = reviewer_anxi_bureau
    html = render_to_string("backoffice/years/_review_deadline.html", request=request)
    assert "报名点确认截止日期" in html and "还剩3天" in html
    request.user = candidate
    assert "截止" not in render_to_string("backoffice/years/_review_deadline.html", request=request)


def test_a_notice_of_an_earlier_year_is_no_longer_shown_one_of_no_year_always(reviewer_province, candidate):
    earlier, current = make_year(2025, catalogue=False), make_year(2026, current=True, catalogue=False)
    shown = {}
    for name, year in (("earlier", earlier), ("current", current), ("always", None)):
        notice = services.announcement_save(actor=reviewer_province, title=name, body="b", kind="notice",
                                            audience="all", exam_year=year)
        services.announcement_publish(actor=reviewer_province, announcement_id=notice.pk)
        shown[name] = notice
    assert set(services.published_for(candidate)) == {shown["current"], shown["always"]}
    assert set(services.published_for(reviewer_province)) == {shown["current"], shown["always"]}
