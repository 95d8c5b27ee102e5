"""The review in the browser: the five routing chains of the design end to end, a return and
resubmission, a recall, and the 考点's batch and summary submission."""

import pytest
from playwright.sync_api import expect

from prereg.applications.models import Application, FieldCheck, ForwardBatch, ReviewAction, ReviewLog, Stage

from .conftest import login, logout, shot, submit
from .helpers import (
    approve_in_browser,
    as_reviewer,
    candidate_submits,
    draft_for,
    forward_in_browser,
    reviewers_for,
    stage_of,
    tick_every_field,
)

pytestmark = pytest.mark.browser

# unit code -> org code acting at 单位审查, 报名点确认, 考点审核, 考区复核 (design section 2).
CHAINS = {
    "35010201": ["350102", "350102", "350100", "350000"],  # 鼓楼区洪山社区卫生服务中心
    "35052401": ["35052401", "350524", "350500", "350000"],  # 安溪县医院
    "35010001": ["35010001", "35010001", "350100", "350000"],  # 福州市第一医院
    "35000001": ["35000001", "35000001", "350000", "350000"],  # 福建省立医院
    "35000004": ["35000004", "35000004", "350000", "350000"],  # 福能总医院
}
STAGES = ["unit", "point", "site", "district"]


@pytest.mark.parametrize("unit_code", list(CHAINS))
def test_an_application_travels_its_whole_chain_in_the_browser_and_ends_approved(
    unit_code, phone, page, tree, year
):
    reviewers = reviewers_for(tree, set(CHAINS[unit_code]))
    candidate, application = draft_for(tree, year, unit_code)

    candidate_submits(phone, candidate)
    application.refresh_from_db()
    chain = [application.unit_review_org.code, application.point_org.code, application.site_org.code,
             application.district_org.code]
    assert chain == CHAINS[unit_code]
    assert "审核中" in phone.content()

    for stage, org_code in zip(STAGES, CHAINS[unit_code], strict=True):
        assert stage_of(application.pk) == ("in_review", stage, False)
        reviewer = reviewers[org_code]

        def decide(stage=stage, reviewer=reviewer):
            page.goto(f"{page.base}/backoffice/review/pending/")
            expect(page.locator(f"a[href*='/backoffice/review/{application.pk}/?back=']").first).to_be_visible()
            approve_in_browser(page, application.pk, opinion=f"{stage}同意")
            if stage == "unit" and unit_code == "35052401":
                shot(page, "review-pending-after-approve")
            if stage in ("site", "district"):
                assert stage_of(application.pk)[2] is True  # waits for 汇总提交
                forward_in_browser(page, stage)

        as_reviewer(page, reviewer, decide)

    assert stage_of(application.pk) == ("approved", "", False)
    # Every stage ticked every field itself, and the log holds one approval per stage.
    assert set(FieldCheck.objects.filter(application=application).values_list("stage", flat=True)) == set(STAGES)
    approvals = ReviewLog.objects.filter(application=application, action=ReviewAction.APPROVE).order_by("pk")
    assert [log.stage for log in approvals] == STAGES
    assert [log.org.code for log in approvals] == CHAINS[unit_code]
    phone.goto(f"{phone.base}/candidate/progress/")
    assert "审核通过" in phone.content()
    if unit_code == "35052401":
        shot(phone, "candidate-progress-approved-phone")


def test_a_returned_application_is_fixed_and_resubmitted_and_starts_again_at_the_unit(phone, page, tree, year):
    reviewers = reviewers_for(tree, ["35052401", "350524"])
    candidate, application = draft_for(tree, year, "35052401")
    candidate_submits(phone, candidate)

    def approve_at_unit():
        approve_in_browser(page, application.pk)

    as_reviewer(page, reviewers["35052401"], approve_at_unit)

    # The 报名点 finds the ID card photo does not match and returns it to the candidate.
    def reject_to_candidate():
        tick_every_field(page, application.pk)
        page.fill("textarea[name=reason]", "身份证正面照片模糊，请重新上传清晰照片。")
        page.check("input[name=to][value=candidate]")
        page.locator("button[name=decision][value=reject]").click()
        page.wait_for_url("**/backoffice/review/pending/")
        shot(page, "review-after-return")

    as_reviewer(page, reviewers["350524"], reject_to_candidate)
    assert stage_of(application.pk) == ("returned", "", False)

    phone.goto(f"{phone.base}/candidate/progress/")
    assert "身份证正面照片模糊" in phone.content()
    shot(phone, "candidate-returned-phone")
    phone.goto(f"{phone.base}/candidate/form/")
    phone.locator("form[action$='/candidate/submit/'] button").click()
    phone.wait_for_url("**/candidate/progress/")

    application.refresh_from_db()
    assert (application.state, application.stage, application.submission_round) == ("in_review", "unit", 2)
    assert ReviewLog.objects.filter(application=application, action=ReviewAction.SUBMIT).count() == 2
    # The unit checks again in the new round: its ticks of round 1 do not carry over.
    login(page, reviewers["35052401"].username, "Ceshi#2026pw")
    page.goto(f"{page.base}/backoffice/review/{application.pk}/")
    expect(page.locator("#decision-state button[value=approve]")).to_be_disabled()
    logout(page)


def test_a_reviewer_recalls_his_approval_before_the_next_stage_decides(phone, page, tree, year):
    reviewers = reviewers_for(tree, ["35052401", "350524"])
    candidate, application = draft_for(tree, year, "35052401")
    candidate_submits(phone, candidate)
    login(page, reviewers["35052401"].username, "Ceshi#2026pw")
    approve_in_browser(page, application.pk)
    assert stage_of(application.pk) == ("in_review", "point", False)

    page.goto(f"{page.base}/backoffice/review/{application.pk}/")
    page.locator("form[action$='/recall/'] button").click()
    page.wait_for_url("**/backoffice/review/pending/")
    assert any("撤办" in message for message in page.dialogs)
    assert stage_of(application.pk) == ("in_review", "unit", False)
    assert ReviewLog.objects.filter(application=application, action=ReviewAction.RECALL).count() == 1
    expect(page.locator(f"a[href*='/backoffice/review/{application.pk}/?back=']").first).to_be_visible()
    shot(page, "review-after-recall")


def test_the_exam_site_approves_a_batch_and_forwards_them_in_one_summary(phone, page, tree, year):
    """考点 泉州: 批量提交 on the pending queue, then 汇总提交 as one recorded batch."""
    reviewers = reviewers_for(tree, ["35052401", "350524", "350500"])
    applications = []
    for _ in range(3):
        candidate, application = draft_for(tree, year, "35052401")
        applications.append(application)
        candidate_submits(phone, candidate)
        logout(phone)
    # The unit and the point approve each (in the browser: it is their job too).
    for code in ("35052401", "350524"):
        login(page, reviewers[code].username, "Ceshi#2026pw")
        for application in applications:
            approve_in_browser(page, application.pk)
        logout(page)
    assert {stage_of(a.pk) for a in applications} == {("in_review", "site", False)}

    login(page, reviewers["350500"].username, "Ceshi#2026pw")
    for application in applications[:2]:  # the site checks each 📷 item itself; the third it has not
        tick_every_field(page, application.pk)
    page.goto(f"{page.base}/backoffice/review/pending/")
    for application in applications:
        page.check(f"input[name=items][value^='{application.pk}:']")
    shot(page, "site-pending-batch")
    submit(page, page.locator("form[action$='/backoffice/review/batch/'] button.primary").last)
    assert [stage_of(a.pk) for a in applications] == [("in_review", "site", True)] * 2 + [("in_review", "site", False)]
    expect(page.locator(".message", has_text=f"“{applications[2].name}")).to_contain_text("尚未核对")
    tick_every_field(page, applications[2].pk)
    page.goto(f"{page.base}/backoffice/review/pending/")
    page.check(f"input[name=items][value^='{applications[2].pk}:']")
    submit(page, page.locator("form[action$='/backoffice/review/batch/'] button.primary").last)
    assert {stage_of(a.pk) for a in applications} == {("in_review", "site", True)}

    page.goto(f"{page.base}/backoffice/review/forward/")
    assert "待汇总提交 3 条" in page.content()
    shot(page, "site-forward")
    forward_in_browser(page, "site")
    assert {stage_of(a.pk) for a in applications} == {("in_review", "district", False)}
    batch = ForwardBatch.objects.get(org=tree["350500"], stage=Stage.SITE_REVIEW)
    assert batch.count == 3
    assert Application.objects.filter(pk__in=[a.pk for a in applications], stage=Stage.DISTRICT_RECHECK).count() == 3


def test_a_zoomed_or_turned_picture_can_be_scrolled_to_each_of_its_edges(page, tree, year):
    # The review probe: zoomed three times, a diploma's top and left (its school's name) were out of
    # reach: the picture was scaled around its centre by a transform inside a centring scroll box.
    from prereg.applications import services
    from tests.factories import CandidateFactory, complete_application

    reviewer = reviewers_for(tree, ["35052401"])["35052401"]
    candidate = CandidateFactory()
    application = services.application_submit(actor=candidate, application_id=complete_application(
        candidate, year, tree).pk)
    login(page, reviewer.username, "Ceshi#2026pw")
    page.goto(f"{page.base}/backoffice/review/{application.pk}/")
    item = page.locator("details[data-check-field]:has([data-viewer-main])").first
    if not item.evaluate("details => details.open"):
        item.locator("summary").click()
    stage = item.locator(".viewer-stage")
    reach = """stage => { stage.scrollTo(0, 0); const s = stage.getBoundingClientRect();
        const i = stage.querySelector('img').getBoundingClientRect();
        stage.scrollTo(stage.scrollWidth, stage.scrollHeight); const j = stage.querySelector('img').getBoundingClientRect();
        return [i.left - s.left, i.top - s.top, s.right - j.right, s.bottom - j.bottom,
                stage.scrollHeight > stage.clientHeight]; }"""
    for _ in range(3):
        item.locator("[data-viewer-action=zoom-in]").click()
    for turn in range(2):
        page.wait_for_timeout(200)
        left, top, right, bottom, scrolls = stage.evaluate(reach)
        assert scrolls, turn  # zoomed past the stage's height
        assert min(left, top, right, bottom) >= -1, (turn, left, top, right, bottom)
        item.locator("[data-viewer-action=rotate]").click()
