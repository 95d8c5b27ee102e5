"""What the home and progress pages say after a withdrawal or a return, and a 撤回 tapped too late
(phone-journey probe, findings 3, 4 and 5)."""

import pytest
from django.urls import reverse

from prereg.applications import services
from prereg.applications.drafts import STALE_PAGE_MESSAGE
from prereg.applications.models import State
from tests.factories import complete_application


@pytest.fixture
def submitted(client, year, tree, candidate, reviewer_anxi_hospital):
    """Submitted once the unit has a reviewer, so his unit reviews it."""
    client.force_login(candidate)
    application = complete_application(candidate, year, tree)
    client.post(reverse("candidate:submit"), {"version": application.version})
    application.refresh_from_db()
    assert application.state == State.IN_REVIEW
    return application


def _return(application, reviewer, reason="身份证照片不清晰"):
    return services.application_reject(actor=reviewer, application_id=application.pk,
                                       expected_version=application.version, reason=reason, to="candidate")


def test_a_withdraw_tapped_after_the_unit_returned_it_says_it_was_reviewed(client, submitted, reviewer_anxi_hospital):
    page_version = submitted.version
    _return(submitted, reviewer_anxi_hospital)
    body = client.post(reverse("candidate:withdraw"), {"version": page_version}, follow=True).content.decode()
    assert "审核人员已开始处理，无法撤回" in body and "已退回" in body and STALE_PAGE_MESSAGE not in body


def test_a_withdraw_tapped_after_the_unit_approved_it_says_where_it_is(client, submitted, reviewer_anxi_hospital):
    page_version = submitted.version
    submitted.review_logs.create(action="approve", stage="unit", org=reviewer_anxi_hospital.org,
                                 actor=reviewer_anxi_hospital, submission_round=submitted.submission_round)
    submitted.stage = "point"
    submitted.version += 1
    submitted.save()
    body = client.post(reverse("candidate:withdraw"), {"version": page_version}, follow=True).content.decode()
    assert "审核人员已开始处理，无法撤回。当前状态：审核中（报名点确认）" in body and STALE_PAGE_MESSAGE not in body
    submitted.refresh_from_db()
    assert submitted.state == State.IN_REVIEW


def test_after_a_withdrawal_home_and_progress_say_withdrawn_and_the_deadline(client, submitted, year):
    client.post(reverse("candidate:withdraw"), {"version": submitted.version})
    deadline = year.windows(submitted.project).form_closes
    for url in ("candidate:home", "candidate:progress"):
        body = client.get(reverse(url)).content.decode()
        assert "已撤回（草稿）" in body and "重新提交" in body, url
        assert f"{deadline:%Y}年{deadline.month}月{deadline.day}日" in body, url
        assert "报名点确认通过后可打印审核确认单" not in body, url


def test_a_returned_application_puts_my_application_with_the_reason_first_on_the_home(
        client, submitted, reviewer_anxi_hospital):
    _return(submitted, reviewer_anxi_hospital)
    body = client.get(reverse("candidate:home")).content.decode()
    assert body.index("退回原因：身份证照片不清晰") < body.index('class="card year-status"')
    assert body.index("我的报名") < body.index("省网、国网两网报名")
    assert body.count("我的报名</h2>") == 1


def test_in_review_the_home_keeps_the_dates_first(client, submitted):
    body = client.get(reverse("candidate:home")).content.decode()
    assert body.index('class="card year-status"') < body.index("我的报名</h2>")


def test_the_items_ticked_no_by_the_reviewer_who_returned_it_are_marked_where_they_are_fixed(
        client, submitted, reviewer_anxi_hospital):
    from prereg.applications.models import EducationRow

    row = EducationRow.objects.filter(application=submitted).first()
    for field in ("id_card", f"education:{row.pk}"):
        services.field_check_set(actor=reviewer_anxi_hospital, application_id=submitted.pk, field=field,
                                 consistent=False)
    submitted.refresh_from_db()
    _return(submitted, reviewer_anxi_hospital)
    body = client.get(reverse("candidate:form")).content.decode()
    basic = body[body.index('id="section-basic"'):body.index('id="section-work"')]
    education = body[body.index('id="section-education"'):body.index('id="section-declaration"')]
    assert "审核意见：以下项目与原件图片不符" in basic and "证件（" in basic
    assert "审核意见：以下项目与原件图片不符" in education
    assert education.count("data-review-mismatch") == 1  # at the row's own slot
    panel = body[body.index("images-panel"):]
    assert panel.count("data-review-mismatch") == 2  # 身份证正面, 反面
    work = body[body.index('id="section-work"'):body.index('id="section-education"')]
    assert "审核意见" not in work


def test_a_marked_slot_with_a_picture_put_there_since_says_it_was_answered(client, submitted, reviewer_anxi_hospital):
    from tests.candidate.test_journey import upload

    services.field_check_set(actor=reviewer_anxi_hospital, application_id=submitted.pk, field="id_card",
                             consistent=False)
    submitted.refresh_from_db()
    _return(submitted, reviewer_anxi_hospital)
    panel = client.get(reverse("candidate:form")).content.decode().split("images-panel", 1)[1]
    assert panel.count("与原件图片不符，请核对所填内容") == 2 and "您已重新上传图片" not in panel
    upload(client, "id_back")  # a one-picture slot: replaced (phone probe: the mark stayed as if nothing was done)
    panel = client.get(reverse("candidate:form")).content.decode().split("images-panel", 1)[1]
    assert panel.count("您已重新上传图片") == 1  # 反面; 正面 still as marked
    assert panel.count("与原件图片不符，请核对所填内容") == 1
