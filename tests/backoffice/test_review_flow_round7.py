"""Reviewer-manual tester, round 7: the review flow.

A. A return to the candidate after 省网填报 has closed (reviewers work on until 现场确认) ends his
   registration, for he cannot resubmit: the reviewer is told before he decides, and neither the SMS nor
   the candidate's pages tell the candidate to 修改后重新提交.
"""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from prereg.applications import services
from prereg.applications.models import Application, State
from prereg.catalog.models import ExamYear
from prereg.notify.models import SmsMessage
from tests.factories import submitted


@pytest.fixture
def app(tree, year, reviewer_anxi_hospital):
    return submitted(tree, year, name="李娜")


def _close_the_form(year):
    """省网填报 closed yesterday; 现场确认 is still ahead (the reviewers' time)."""
    today = timezone.localdate()
    ExamYear.objects.filter(pk=year.pk).update(form_opens=today - datetime.timedelta(days=20),
                                               form_closes=today - datetime.timedelta(days=1))
    return today - datetime.timedelta(days=1)


def _day(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _return_to_candidate(app, reviewer, reason="学历证书照片模糊。"):
    app.refresh_from_db()
    services.application_reject(actor=reviewer, application_id=app.pk, expected_version=app.version,
                                reason=reason, to="candidate")
    return Application.objects.get(pk=app.pk)


def _reject_fieldset(body) -> str:
    return unescape(body.split('<fieldset class="reject">')[1].split("</fieldset>")[0])


# --- A: returning after 省网填报 closed -------------------------------------------------------


def test_the_review_page_warns_at_return_to_candidate_once_the_form_has_closed(client, app, year,
                                                                               reviewer_anxi_hospital):
    client.force_login(reviewer_anxi_hospital)
    url = reverse("backoffice:review", args=[app.pk])
    assert "data-return-closed" not in client.get(url).content.decode()  # open: a return can be resubmitted
    closed = _close_the_form(year)
    fieldset = _reject_fieldset(client.get(url).content.decode())
    warning = re.search(r'<p class="message warning" id="return-closed" data-return-closed>(.*?)</p>', fieldset)
    assert warning and warning.group(1) == (f"省网填报已于{_day(closed)}截止：退回考生后，考生将无法修改后重新提交。"
                                            "如仅填报信息有误，可直接“修改填报信息”。")
    assert 'value="candidate" aria-describedby="return-closed"' in fieldset
    assert "退回考生后考生将无法重新提交" in fieldset  # the confirmation says it again


def test_the_sms_of_a_return_after_the_form_closed_does_not_ask_to_resubmit(app, year, reviewer_anxi_hospital):
    closed = _close_the_form(year)
    returned = _return_to_candidate(app, reviewer_anxi_hospital)
    assert returned.state == State.RETURNED
    text = SmsMessage.objects.get(purpose="returned").text
    assert "原因：学历证书照片模糊。省网填报已于" in text and _day(closed) in text
    assert "请登录系统修改后重新提交" not in text
    assert text.endswith("不能再修改后重新提交，如有疑问请联系您所在单位或报名点。")


def test_the_sms_of_a_return_in_the_window_still_asks_to_resubmit(app, reviewer_anxi_hospital):
    _return_to_candidate(app, reviewer_anxi_hospital)
    assert SmsMessage.objects.get(purpose="returned").text.endswith("原因：学历证书照片模糊。请登录系统修改后重新提交。")


@pytest.mark.parametrize("page", ["candidate:home", "candidate:progress"])
def test_the_candidates_page_offers_no_resubmission_after_the_form_closed(client, app, year, reviewer_anxi_hospital,
                                                                          page):
    closed = _close_the_form(year)
    _return_to_candidate(app, reviewer_anxi_hospital)
    client.force_login(app.candidate)
    body = unescape(client.get(reverse(page)).content.decode())
    message = body.split('<div class="message error" role="alert">退回原因：')[1].split("</div>")[0]
    assert "学历证书照片模糊" in message
    assert "省网填报已截止，不能再按退回原因修改后重新提交。" in message
    assert "去修改" not in message and reverse("candidate:form") not in message
    assert "请按退回原因修改后重新提交" not in body
    # The page says when it closed and whom to ask.
    assert f"省网填报已于{_day(closed)}截止，不能再提交。" in body and "报名点" in body


def test_the_candidates_page_in_the_window_still_offers_to_resubmit(client, app, reviewer_anxi_hospital):
    _return_to_candidate(app, reviewer_anxi_hospital)
    client.force_login(app.candidate)
    body = unescape(client.get(reverse("candidate:home")).content.decode())
    assert "请按退回原因修改后重新提交" in body and "去修改" in body
