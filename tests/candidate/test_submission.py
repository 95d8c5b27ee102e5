"""Submit, withdraw, return and resubmit, progress."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from prereg.applications.carryover import start_application
from prereg.applications.drafts import STALE_PAGE_MESSAGE
from prereg.applications.models import ReviewAction, ReviewLog, Stage, State
from tests.factories import complete_application


@pytest.fixture
def ready(client, year, tree, candidate):
    client.force_login(candidate)
    return complete_application(candidate, year, tree)


def test_an_incomplete_application_is_not_submitted_and_the_gaps_are_listed(client, year, candidate):
    client.force_login(candidate)
    draft = start_application(candidate=candidate, exam_year=year)
    response = client.post(reverse("candidate:submit"), {"version": draft.version}, follow=True)
    body = response.content.decode()
    assert "提交前请补全以下内容" in body and "请上传“身份证正面”的图片" in body
    assert not ReviewLog.objects.exists()


def test_double_submission_creates_one_submission(client, ready):
    first = client.post(reverse("candidate:submit"), {"version": ready.version})
    second = client.post(reverse("candidate:submit"), {"version": ready.version}, follow=True)
    assert first.status_code == 302
    assert "请勿重复提交" in second.content.decode()
    assert ReviewLog.objects.filter(application=ready, action=ReviewAction.SUBMIT).count() == 1
    ready.refresh_from_db()
    assert (ready.state, ready.stage) == (State.IN_REVIEW, Stage.UNIT_REVIEW) and ready.point_org_id


def test_outside_the_window_the_page_says_when_it_opens(client, ready, year):
    year.form_opens = timezone.localdate() + datetime.timedelta(days=3)
    year.save()
    body = client.get(reverse("candidate:form")).content.decode()
    assert "当前不在省网填报时间内" in body and f"{year.form_opens:%Y}年" in body
    body = client.post(reverse("candidate:submit"), {"version": ready.version}, follow=True).content.decode()
    assert "当前不在填报时间内" in body
    assert not ReviewLog.objects.exists()


def test_progress_shows_every_log_with_stage_org_time_and_opinion(client, ready, candidate, tree):
    client.post(reverse("candidate:submit"), {"version": ready.version})
    ready.refresh_from_db()
    ReviewLog.objects.create(application=ready, action=ReviewAction.APPROVE, stage=Stage.UNIT_REVIEW,
                             org=tree["350524"], actor=candidate, opinion="材料齐全", submission_round=1)
    body = client.get(reverse("candidate:progress")).content.decode()
    assert "提交" in body and "单位审查" in body and "材料齐全" in body and tree["350524"].name in body
    assert "撤回" not in body.split("进度跟踪")[0].split("actions")[1]  # decided: no withdraw button


def test_withdraw_before_a_decision_returns_to_draft(client, ready):
    client.post(reverse("candidate:submit"), {"version": ready.version})
    assert "撤回" in client.get(reverse("candidate:progress")).content.decode()
    client.post(reverse("candidate:withdraw"), {"version": ready.version + 1})  # as the progress page shows it
    ready.refresh_from_db()
    assert ready.state == State.DRAFT


def page_version(body):
    """The version the page's posting form carries (its hidden input)."""
    return re.search(r'name="version" value="(\d+)"', body).group(1)


def test_a_withdraw_from_a_page_loaded_before_a_withdraw_and_resubmit_elsewhere_is_refused(client, ready):
    client.post(reverse("candidate:submit"), {"version": ready.version})
    old_page = client.get(reverse("candidate:progress")).content.decode()
    # Another tab: withdrawn and submitted again, the new submission is what the reviewers see.
    client.post(reverse("candidate:withdraw"), {"version": ready.version + 1})
    client.post(reverse("candidate:submit"), {"version": ready.version + 2})
    body = client.post(reverse("candidate:withdraw"), {"version": page_version(old_page)},
                       follow=True).content.decode()
    assert STALE_PAGE_MESSAGE in body
    ready.refresh_from_db()
    assert (ready.state, ready.submission_round) == (State.IN_REVIEW, 2)
    assert ReviewLog.objects.filter(application=ready, action=ReviewAction.WITHDRAW).count() == 1


def test_a_withdraw_without_a_version_is_refused_as_from_a_stale_page(client, ready):
    client.post(reverse("candidate:submit"), {"version": ready.version})
    for data in ({}, {"version": ""}, {"version": "abc"}):
        body = client.post(reverse("candidate:withdraw"), data, follow=True).content.decode()
        assert STALE_PAGE_MESSAGE in body
    ready.refresh_from_db()
    assert ready.state == State.IN_REVIEW


def test_a_submit_from_a_draft_page_older_than_a_submit_and_withdraw_asks_to_refresh(client, ready):
    old_page = client.get(reverse("candidate:form")).content.decode()
    client.post(reverse("candidate:submit"), {"version": ready.version})
    client.post(reverse("candidate:withdraw"), {"version": ready.version + 1})
    body = client.post(reverse("candidate:submit"), {"version": page_version(old_page)}, follow=True).content.decode()
    assert STALE_PAGE_MESSAGE in body and "请勿重复提交" not in body
    ready.refresh_from_db()
    assert ready.state == State.DRAFT
    assert ReviewLog.objects.filter(application=ready, action=ReviewAction.SUBMIT).count() == 1


def test_a_returned_application_shows_the_reason_and_can_be_resubmitted(client, ready):
    client.post(reverse("candidate:submit"), {"version": ready.version})
    ready.refresh_from_db()
    ready.state, ready.stage, ready.returned_reason = State.RETURNED, "", "学历证书照片不清晰"
    ready.save()
    body = client.get(reverse("candidate:form")).content.decode()
    assert "学历证书照片不清晰" in body and "重新提交" in body
    client.post(reverse("candidate:submit"), {"version": ready.version})
    ready.refresh_from_db()
    assert ready.state == State.IN_REVIEW and ready.submission_round == 2


def test_a_reviewer_cannot_submit_or_see_progress(client, reviewer_anxi_hospital):
    client.force_login(reviewer_anxi_hospital)
    assert client.post(reverse("candidate:submit")).status_code == 403
    assert client.get(reverse("candidate:progress")).status_code == 403


def test_progress_before_anything_was_filled_in_offers_to_start_not_a_404(client, year, candidate):
    # The management probe: the menu's 考生报名信息查询 answered 页面不存在 to a candidate who had not started.
    client.force_login(candidate)
    response = client.get(reverse("candidate:progress"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "您本年度尚未填报报名信息" in html and reverse("candidate:form") in html


def test_submit_and_withdraw_refuse_get(client, ready):
    assert client.get(reverse("candidate:submit")).status_code == 405
    assert client.get(reverse("candidate:withdraw")).status_code == 405


# --- 配置角色权限: 进度跟踪 withdrawn from candidates ---------------------------------------------

def withdraw_function(function):
    from prereg.accounts import permissions
    from prereg.accounts.models import Role, RolePermission

    RolePermission.objects.create(role=Role.CANDIDATE, function=function, allowed=False)
    permissions.invalidate_cache()


def test_where_progress_is_withdrawn_the_page_refuses_and_no_link_leads_to_it(client, ready):
    progress = reverse("candidate:progress")
    client.post(reverse("candidate:submit"), {"version": ready.version})
    assert progress in client.get(reverse("candidate:home")).content.decode()
    withdraw_function("track_progress")
    assert client.get(progress).status_code == 403
    for page in ("candidate:home", "candidate:form"):
        assert progress not in client.get(reverse(page)).content.decode(), page


def test_where_progress_is_withdrawn_the_home_offers_withdraw_and_a_submit_lands_there(client, ready):
    withdraw_function("track_progress")
    response = client.post(reverse("candidate:submit"), {"version": ready.version})
    assert response["Location"] == reverse("candidate:home")
    body = client.get(reverse("candidate:home")).content.decode()
    assert reverse("candidate:withdraw") in body
    client.post(reverse("candidate:withdraw"), {"version": page_version(body)})
    ready.refresh_from_db()
    assert ready.state == State.DRAFT


def test_where_progress_is_withdrawn_but_printing_is_not_the_home_offers_printing(client, ready):
    client.post(reverse("candidate:submit"), {"version": ready.version})
    ready.refresh_from_db()
    ready.stage = Stage.SITE_REVIEW  # past the 报名点: printable
    ready.save()
    withdraw_function("track_progress")
    confirmation = reverse("candidate:confirmation")
    assert confirmation in client.get(reverse("candidate:home")).content.decode()
    assert client.get(confirmation).status_code == 200
    withdraw_function("print_confirmation")
    assert confirmation not in client.get(reverse("candidate:home")).content.decode()
