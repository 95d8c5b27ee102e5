"""Reviewer-manual tester, round 7: the review flow.

A. A return to the candidate after 省网填报 has closed (reviewers work on until 现场确认) ends his
   registration, for he cannot resubmit: the reviewer is told before he decides, and neither the SMS nor
   the candidate's pages tell the candidate to 修改后重新提交.
B. The review screen, its decisions and 撤办 return to the list (待审信息, 已审信息) it was opened from, as
   it was filtered, sorted and paged; a `back`/`next` that is not such a list is not followed.
"""

import datetime
import re
from html import unescape
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from prereg.applications import services
from prereg.applications.models import Application, State
from prereg.catalog.models import ExamYear
from prereg.notify.models import SmsMessage
from tests.factories import approve, submitted, tick_all


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


# --- B: the review screen returns to the list it was opened from --------------------------------

PENDING = "/backoffice/review/pending/"
REVIEWED = "/backoffice/review/reviewed/"
LISTED = f"{PENDING}?q=%E6%9D%8E&sort=-name&page=1"  # 李, by name descending, page 1


def _hrefs(body) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]*)"', body)]


def _next_inputs(body) -> list[str]:
    return [unescape(v) for v in re.findall(r'<input type="hidden" name="next" value="([^"]*)">', body)]


def test_the_lists_link_to_the_review_screen_carries_the_list(client, app, reviewer_anxi_hospital):
    client.force_login(reviewer_anxi_hospital)
    body = client.get(PENDING, {"q": "李", "sort": "-name", "page": "1"}).content.decode()
    review = reverse("backoffice:review", args=[app.pk])
    assert f"{review}?{urlencode({'back': LISTED})}" in _hrefs(body)
    assert f'data-href="{review}?back=' in body


def test_the_review_screen_returns_to_the_list_it_came_from(client, app, reviewer_anxi_hospital):
    client.force_login(reviewer_anxi_hospital)
    body = client.get(reverse("backoffice:review", args=[app.pk]), {"back": LISTED}).content.decode()
    assert LISTED in _hrefs(body)  # 返回待审信息
    assert REVIEWED in _hrefs(body)
    assert _next_inputs(body) and set(_next_inputs(body)) == {LISTED}  # the decision's and each tick's form


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_a_decision_returns_to_the_filtered_sorted_paged_list(client, app, reviewer_anxi_hospital, decision):
    tick_all(app, reviewer_anxi_hospital)
    app.refresh_from_db()
    client.force_login(reviewer_anxi_hospital)
    response = client.post(reverse("backoffice:review_decide", args=[app.pk]), {
        "decision": decision, "version": app.version, "reason": "学历不符", "to": "candidate", "next": LISTED})
    assert response.status_code == 302 and response["Location"] == LISTED
    assert Application.objects.get(pk=app.pk).version != app.version


FOREIGN = [
    "https://evil.example/backoffice/review/pending/?q=1",
    "//evil.example/backoffice/review/pending/",
    "/\\evil.example/backoffice/review/pending/",
    "/backoffice/review/pending/../../../accounts/logout/",
    "/accounts/logout/",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("posted", FOREIGN)
def test_a_foreign_next_is_ignored(client, app, reviewer_anxi_hospital, posted):
    tick_all(app, reviewer_anxi_hospital)
    app.refresh_from_db()
    client.force_login(reviewer_anxi_hospital)
    body = client.get(reverse("backoffice:review", args=[app.pk]), {"back": posted}).content.decode()
    assert PENDING in _hrefs(body) and not _next_inputs(body)
    response = client.post(reverse("backoffice:review_decide", args=[app.pk]),
                           {"decision": "approve", "version": app.version, "next": posted})
    assert response.status_code == 302 and response["Location"] == PENDING


def test_a_stale_decision_stays_on_the_screen_with_the_list_kept(client, app, reviewer_anxi_hospital):
    client.force_login(reviewer_anxi_hospital)
    response = client.post(reverse("backoffice:review_decide", args=[app.pk]), {
        "decision": "reject", "version": app.version - 1, "reason": "x", "to": "candidate", "next": LISTED})
    assert response["Location"] == f"{reverse('backoffice:review', args=[app.pk])}?{urlencode({'back': LISTED})}"


def test_reviewed_list_keeps_its_query_through_the_screen_and_a_recall(client, app, reviewer_anxi_hospital):
    approve(app, reviewer_anxi_hospital)
    app.refresh_from_db()
    client.force_login(reviewer_anxi_hospital)
    listed = f"{REVIEWED}?q=%E6%9D%8E&page=1"
    body = client.get(REVIEWED, {"q": "李", "page": "1"}).content.decode()
    review = reverse("backoffice:review", args=[app.pk])
    assert f"{review}?{urlencode({'back': listed})}" in _hrefs(body)
    assert _next_inputs(body) == [listed]  # the row's 撤办
    screen = client.get(review, {"back": listed}).content.decode()
    assert listed in _hrefs(screen) and PENDING in _hrefs(screen)
    response = client.post(reverse("backoffice:review_recall", args=[app.pk]),
                           {"version": app.version, "next": listed})
    assert response.status_code == 302 and response["Location"] == listed
    assert Application.objects.get(pk=app.pk).version != app.version


# --- D: a reject's missing reason and missing 退回至 are said together ----------------------------


def _field_error(body, error_id) -> str:
    found = re.search(rf'<div class="error" role="alert" id="{error_id}">(.*?)</div>', body)
    return unescape(found.group(1)) if found else ""


def test_a_reject_with_neither_reason_nor_target_says_both_at_their_fields(client, app, reviewer_anxi_hospital):
    client.force_login(reviewer_anxi_hospital)
    response = client.post(reverse("backoffice:review_decide", args=[app.pk]),
                           {"decision": "reject", "version": app.version, "reason": "  "})
    assert response.status_code == 400
    fieldset = response.content.decode().split('<fieldset class="reject">')[1].split("</fieldset>")[0]
    assert _field_error(fieldset, "reason-error") == "不同意时必须填写不通过原因。"
    assert 'aria-describedby="reason-error"' in fieldset
    assert _field_error(fieldset, "reject-to-error") == "请选择“退回考生”（本环节只能退回考生）。"
    assert Application.objects.get(pk=app.pk).version == app.version


@pytest.mark.parametrize(("posted", "said", "unsaid"), [
    ({"to": "candidate"}, "reason-error", "reject-to-error"),
    ({"reason": "学历不符"}, "reject-to-error", "reason-error"),
])
def test_a_reject_missing_one_says_that_one(client, app, reviewer_anxi_hospital, posted, said, unsaid):
    client.force_login(reviewer_anxi_hospital)
    response = client.post(reverse("backoffice:review_decide", args=[app.pk]),
                           {"decision": "reject", "version": app.version, **posted})
    body = response.content.decode()
    assert response.status_code == 400 and _field_error(body, said) and not _field_error(body, unsaid)
    assert '<div class="form-errors"' not in body  # nothing said twice above the page
    if "reason" in posted:
        assert "学历不符</textarea>" in body  # what was typed is kept
