import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from prereg.accounts.models import Role, RolePermission
from prereg.accounts.permissions import invalidate_cache
from prereg.applications.models import Application, Stage, State
from prereg.audit.models import AuditEvent
from prereg.notify.models import Reminder, ReminderKind, RosterReminder, SmsMessage
from tests.factories import CrossReviewAssignmentFactory, make_application


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


def a_day_later():
    """The reminders sent so far as if a day old: one a day at most (REMINDER_GAP)."""
    earlier = timezone.now() - datetime.timedelta(hours=25)
    Reminder.objects.update(created_at=earlier)
    RosterReminder.objects.update(created_at=earlier)


def test_a_candidate_is_reminded_at_most_twice_a_year(point, anxi):
    for _ in range(3):
        point.post(reverse("backoffice:reminders"), {"ids": [anxi["returned"].pk]})
        a_day_later()
    assert SmsMessage.objects.filter(purpose="reminder").count() == 2
    assert Reminder.objects.filter(candidate=anxi["returned"].candidate).count() == 2


def test_two_taps_of_send_remind_once(point, anxi):
    # The management probe spent both of a candidate's yearly reminders within one second.
    first = point.post(reverse("backoffice:reminders"), {"ids": [anxi["returned"].pk]}, follow=True)
    second = point.post(reverse("backoffice:reminders"), {"ids": [anxi["returned"].pk]}, follow=True)
    assert SmsMessage.objects.filter(purpose="reminder").count() == 1
    assert "24小时内已提醒过" in second.content.decode() and "24小时内已提醒过" not in first.content.decode()


def _row_of(client, name):
    html = client.get(reverse("backoffice:reminders")).content.decode()
    return next(row for row in html.split("<tr>") if f"<td>{name}</td>" in row)


def test_a_roster_reminder_sent_before_his_application_counts_in_the_list_and_in_sending(
        point, anxi, year, reviewer_anxi_bureau):
    # 国网名单核对 reminded him once by his ID number while he had no application here.
    RosterReminder.objects.create(exam_year=year, id_number=anxi["returned"].id_number, sent_by=reviewer_anxi_bureau)
    a_day_later()
    assert "1/2" in _row_of(point, "退回者")
    for _ in range(2):
        point.post(reverse("backoffice:reminders"), {"ids": [anxi["returned"].pk]})
        a_day_later()
    assert SmsMessage.objects.filter(purpose="reminder").count() == 1
    row = _row_of(point, "退回者")
    assert "2/2" in row and f'value="{anxi["returned"].pk}"' not in row  # no box to tick any more


def test_candidates_outside_the_scope_or_in_review_get_nothing(point, anxi, tree, year):
    fuzhou_draft = make_application(tree, year, "35010201", State.DRAFT, name="福州草稿")
    point.post(reverse("backoffice:reminders"),
               {"ids": [anxi["fuzhou"].pk, anxi["in_review"].pk, fuzhou_draft.pk]})
    assert not SmsMessage.objects.filter(purpose="reminder").exists()


# --- never-submitted drafts: attributed by the unit their candidate chose ----------------------

def test_a_never_submitted_draft_is_listed_for_the_point_and_site_its_unit_routes_to(
        client, anxi, reviewer_anxi_bureau, reviewer_quanzhou):
    for reviewer in (reviewer_anxi_bureau, reviewer_quanzhou):
        client.force_login(reviewer)
        html = client.get(reverse("backoffice:reminders")).content.decode()
        assert "未提交者" in html, reviewer.org.name
        assert "尚未选择单位" not in html  # the count is for the whole province's view only


def test_a_draft_under_another_city_is_not_listed(client, tree, year, anxi, reviewer_fuzhou, reviewer_anxi_bureau):
    make_application(tree, year, "35010201", State.DRAFT, name="福州草稿")
    client.force_login(reviewer_anxi_bureau)
    assert "福州草稿" not in client.get(reverse("backoffice:reminders")).content.decode()
    client.force_login(reviewer_fuzhou)
    html = client.get(reverse("backoffice:reminders")).content.decode()
    assert "福州草稿" in html and "未提交者" not in html


def test_a_draft_is_listed_where_cross_review_sends_its_stage(client, tree, year, anxi, reviewer_gulou_bureau, sysadmin):
    CrossReviewAssignmentFactory(exam_year=year, stage=Stage.POINT_CONFIRM, source=tree["350524"],
                                 target=tree["350102"], assigned_by=sysadmin)
    client.force_login(reviewer_gulou_bureau)
    html = client.get(reverse("backoffice:reminders")).content.decode()
    assert "未提交者" in html  # the 鼓楼 point confirms 安溪's applications this year
    assert "退回者" not in html  # a returned one keeps the chain it was submitted with


def test_a_never_submitted_draft_is_reminded_at_most_twice_a_year(point, anxi):
    for _ in range(3):
        point.post(reverse("backoffice:reminders"), {"ids": [anxi["never"].pk]})
        a_day_later()
    sms = SmsMessage.objects.filter(purpose="reminder")
    assert sms.count() == 2 and "尚未提交" in sms.first().text
    assert Reminder.objects.filter(candidate=anxi["never"].candidate, kind=ReminderKind.DRAFT).count() == 2


def test_the_province_is_told_how_many_drafts_have_no_unit(client, tree, year, anxi, reviewer_province):
    for _ in range(3):
        draft = make_application(tree, year, "35052401", State.DRAFT)
        Application.objects.filter(pk=draft.pk).update(unit=None)
    RolePermission.objects.create(role=Role.DISTRICT, function="send_reminders", allowed=True)
    invalidate_cache()
    client.force_login(reviewer_province)
    html = client.get(reverse("backoffice:reminders")).content.decode()
    assert "另有3名考生的草稿尚未选择单位" in html
    assert "未提交者" in html  # the drafts with a unit are the province's too


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
