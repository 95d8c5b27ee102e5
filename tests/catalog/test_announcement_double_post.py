"""通知公告 新增 sent twice (a double click the page's script missed, a retried request, two tabs):
one notice (race probe: two identical posts made two)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from prereg.audit.models import AuditEvent
from prereg.catalog import services
from prereg.catalog.models import Announcement
from tests.concurrency import at_once


def _post(client, year, **extra):
    return client.post(reverse("backoffice:announcement_new"), {
        "title": "关于现场确认的通知", "kind": "notice", "audience": "all", "exam_year": year.pk,
        "body": "请于规定时间内到报名点现场确认。", **extra})


def test_two_identical_posts_make_one_notice(client, year, reviewer_province):
    client.force_login(reviewer_province)
    first, second = _post(client, year), _post(client, year)
    assert first.status_code == second.status_code == 302  # the resend is answered as saved, too
    assert Announcement.objects.count() == 1
    assert AuditEvent.objects.filter(event="announcement.create").count() == 1


def test_a_resend_with_publish_publishes_the_one_notice(client, year, reviewer_province):
    client.force_login(reviewer_province)
    _post(client, year, publish="1")
    _post(client, year, publish="1")
    assert Announcement.objects.count() == 1 and Announcement.objects.get().is_published


def test_a_notice_differing_in_a_field_or_sent_again_later_is_a_second_notice(client, year, reviewer_province):
    client.force_login(reviewer_province)
    _post(client, year)
    _post(client, year, audience="reviewers")  # the same words for another audience: a notice of its own
    assert Announcement.objects.count() == 2
    Announcement.objects.update(created_at=timezone.now() - services.ANNOUNCEMENT_RESEND_WINDOW
                                - datetime.timedelta(seconds=1))
    _post(client, year)
    assert Announcement.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_identical_creations_at_once_make_one_notice(postgres_only, reviewer_province):
    outcomes = at_once(*(lambda: services.announcement_save(
        actor=reviewer_province, title="通知", body="正文", kind="notice", audience="all") for _ in range(2)))
    assert all(isinstance(o, Announcement) for o in outcomes), outcomes
    assert outcomes[0].pk == outcomes[1].pk
    assert Announcement.objects.count() == 1
