import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from prereg.applications.models import Stage, State
from prereg.audit.models import AuditEvent
from prereg.exports.models import Reminder
from prereg.notify.models import SmsMessage

from .factories import make_application


@pytest.fixture
def anxi(tree, year):
    return {
        "returned": make_application(tree, year, "35052401", State.RETURNED, name="退回者",
                                     returned_reason="学历证书不清晰"),
        "withdrawn": make_application(tree, year, "35052401", State.DRAFT, rounds=1, name="撤回者"),
        "never": make_application(tree, year, "35052401", State.DRAFT, name="未提交者"),
        "in_review": make_application(tree, year, "35052401", State.IN_REVIEW, Stage.POINT_CONFIRM, name="审核中者"),
        "fuzhou": make_application(tree, year, "35010201", State.RETURNED, name="福州考生"),
    }


@pytest.fixture
def point(client, reviewer_anxi_bureau):
    client.force_login(reviewer_anxi_bureau)
    return client


def test_the_point_lists_its_returned_and_unfinished_candidates(point, anxi):
    html = point.get(reverse("backoffice:reminders")).content.decode()
    assert "退回者" in html and "撤回者" in html
    assert "审核中者" not in html and "福州考生" not in html
    assert anxi["returned"].phone not in html  # phones are masked in the list


def test_sending_reminds_by_sms_and_is_audited(point, anxi):
    response = point.post(reverse("backoffice:reminders"), {"ids": [anxi["returned"].pk, anxi["withdrawn"].pk]})
    assert response.status_code == 302
    sms = SmsMessage.objects.filter(purpose="reminder")
    assert {m.phone for m in sms} == {anxi["returned"].phone, anxi["withdrawn"].phone}
    assert "已被退回" in sms.get(phone=anxi["returned"].phone).text
    assert Reminder.objects.count() == 2
    assert AuditEvent.objects.filter(event="reminder.sent").count() == 2


def test_a_candidate_is_reminded_at_most_twice_a_year(point, anxi):
    for _ in range(3):
        point.post(reverse("backoffice:reminders"), {"ids": [anxi["returned"].pk]})
    assert SmsMessage.objects.filter(purpose="reminder").count() == 2
    assert Reminder.objects.filter(candidate=anxi["returned"].candidate).count() == 2


def test_candidates_outside_the_scope_or_in_review_get_nothing(point, anxi):
    point.post(reverse("backoffice:reminders"),
               {"ids": [anxi["fuzhou"].pk, anxi["in_review"].pk, anxi["never"].pk]})
    assert not SmsMessage.objects.filter(purpose="reminder").exists()


def test_no_reminder_outside_the_window(point, anxi, year):
    year.form_closes = timezone.localdate() - datetime.timedelta(days=1)
    year.save()
    response = point.post(reverse("backoffice:reminders"), {"ids": [anxi["returned"].pk]}, follow=True)
    assert "已截止" in response.content.decode()
    assert not SmsMessage.objects.filter(purpose="reminder").exists()


def test_a_bad_id_is_a_message_not_an_error(point, anxi):
    response = point.post(reverse("backoffice:reminders"), {"ids": ["abc"]}, follow=True)
    assert response.status_code == 200
    assert "有误" in response.content.decode()


def test_the_site_may_remind_too(client, reviewer_quanzhou, anxi):
    client.force_login(reviewer_quanzhou)
    client.post(reverse("backoffice:reminders"), {"ids": [anxi["returned"].pk]})
    assert Reminder.objects.filter(sent_by=reviewer_quanzhou).count() == 1


@pytest.mark.parametrize("who", ["reviewer_anxi_hospital", "reviewer_province", "candidate", "auditor"])
def test_other_roles_cannot_remind(client, request, who, anxi):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("backoffice:reminders")).status_code == 403
    assert client.post(reverse("backoffice:reminders"), {"ids": [anxi["returned"].pk]}).status_code == 403
    assert not SmsMessage.objects.filter(purpose="reminder").exists()


def test_the_reminders_page_refuses_other_methods(point):
    assert point.put(reverse("backoffice:reminders")).status_code == 405
