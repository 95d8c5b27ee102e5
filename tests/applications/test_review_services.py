"""The reviewer's acts: approve, reject, recall, batch and summary submission, edit, cross review."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from prereg.applications import services
from prereg.applications.models import Application, ForwardBatch, ReviewLog, Stage, State
from prereg.audit.models import AuditEvent
from prereg.notify.models import Notice, SmsMessage
from prereg.orgs.models import CrossReviewAssignment

from .review_helpers import approve, submitted, tick_all


@pytest.fixture
def chain(reviewer_anxi_hospital, reviewer_anxi_bureau, reviewer_quanzhou, reviewer_province):
    return [reviewer_anxi_hospital, reviewer_anxi_bureau, reviewer_quanzhou, reviewer_province]


@pytest.fixture
def app(tree, year, chain):
    return submitted(tree, year)


def test_approval_is_refused_until_every_field_is_ticked_yes(app, chain):
    with pytest.raises(ValidationError, match="全部与原件一致"):
        services.application_approve(actor=chain[0], application_id=app.pk, expected_version=app.version)
    tick_all(app, chain[0], consistent=False)
    app.refresh_from_db()
    with pytest.raises(ValidationError):
        services.application_approve(actor=chain[0], application_id=app.pk, expected_version=app.version)
    assert Application.objects.get(pk=app.pk).stage == Stage.UNIT_REVIEW


def test_the_full_chain_ends_approved_at_the_district_after_summary_submission(app, chain):
    hospital, bureau, site, province = chain
    approve(app, hospital)
    assert Application.objects.get(pk=app.pk).stage == Stage.POINT_CONFIRM
    approve(app, bureau, opinion="资格初审通过", national_done=True)
    app.refresh_from_db()
    assert app.stage == Stage.SITE_REVIEW and app.national_marks == {"point": True}
    approve(app, site)
    app.refresh_from_db()
    assert (app.stage, app.awaiting_forward) == (Stage.SITE_REVIEW, True)
    batch = services.summary_submit(actor=site, stage=Stage.SITE_REVIEW)
    assert batch.count == 1 and sum(batch.by_specialty.values()) == 1
    app.refresh_from_db()
    assert (app.stage, app.awaiting_forward) == (Stage.DISTRICT_RECHECK, False)
    approve(app, province)
    app.refresh_from_db()
    assert app.state == State.APPROVED and app.approved_at is not None
    services.summary_submit(actor=province, stage=Stage.DISTRICT_RECHECK)
    app.refresh_from_db()
    assert app.state == State.APPROVED and not app.awaiting_forward
    actions = list(ReviewLog.objects.filter(application=app).values_list("action", flat=True))
    assert actions == ["submit", "approve", "approve", "approve", "forward", "approve", "forward"]
    assert ReviewLog.objects.get(application=app, action="approve", stage="unit").opinion == "同意"
    assert AuditEvent.objects.filter(event="application.approve", object_id=str(app.pk)).count() == 4


def test_a_reviewer_of_a_later_stage_cannot_skip_ahead(app, chain):
    for reviewer in chain[1:]:
        with pytest.raises(PermissionDenied):
            services.application_approve(actor=reviewer, application_id=app.pk, expected_version=app.version)
    assert ReviewLog.objects.filter(application=app).count() == 1


def test_a_reviewer_outside_the_chain_changes_nothing(app, reviewer_fuzhou, reviewer_lianjiang_hospital):
    for outsider in (reviewer_fuzhou, reviewer_lianjiang_hospital):
        with pytest.raises(PermissionDenied):
            services.application_reject(actor=outsider, application_id=app.pk, expected_version=app.version,
                                        reason="x", to="candidate")
    assert Application.objects.get(pk=app.pk).state == State.IN_REVIEW


def test_a_stale_version_gets_already_handled_with_the_current_state(app, chain):
    stale = app.version
    approve(app, chain[0])
    with pytest.raises(services.AlreadyHandled, match="已被他人处理，当前状态：审核中（报名点确认）"):
        services.application_reject(actor=chain[0], application_id=app.pk, expected_version=stale,
                                    reason="x", to="candidate")


def test_reject_needs_a_reason_and_cannot_go_before_the_first_stage(app, chain):
    with pytest.raises(ValidationError, match="必须填写"):
        services.application_reject(actor=chain[0], application_id=app.pk, expected_version=app.version,
                                    reason=" ", to="candidate")
    with pytest.raises(ValidationError, match="只能退回考生"):
        services.application_reject(actor=chain[0], application_id=app.pk, expected_version=app.version,
                                    reason="照片模糊", to="previous")


def test_reject_to_previous_stage_hands_it_back_and_tells_that_org(app, chain):
    approve(app, chain[0])
    app.refresh_from_db()
    services.application_reject(actor=chain[1], application_id=app.pk, expected_version=app.version,
                                reason="学历不符", to="previous")
    app.refresh_from_db()
    assert (app.state, app.stage) == (State.IN_REVIEW, Stage.UNIT_REVIEW)
    assert Notice.objects.filter(user=chain[0], title__contains="退回").exists()


def test_return_to_candidate_sends_sms_and_notices_every_handler_then_resubmission_restarts(app, chain):
    approve(app, chain[0])
    app.refresh_from_db()
    services.application_reject(actor=chain[1], application_id=app.pk, expected_version=app.version,
                                reason="身份证照片模糊", to="candidate")
    app.refresh_from_db()
    assert app.state == State.RETURNED and app.returned_reason == "身份证照片模糊"
    sms = SmsMessage.objects.get(purpose="returned")
    assert "身份证照片模糊" in sms.text and sms.phone == app.phone
    assert Notice.objects.filter(user=chain[0]).count() == 1
    assert not Notice.objects.filter(user=chain[1]).exists()
    services.application_submit(actor=app.candidate, application_id=app.pk)
    app.refresh_from_db()
    assert (app.state, app.stage, app.submission_round) == (State.IN_REVIEW, Stage.UNIT_REVIEW, 2)
    # The ticks of the first round do not count for the second.
    with pytest.raises(ValidationError):
        services.application_approve(actor=chain[0], application_id=app.pk, expected_version=app.version)


def test_recall_is_allowed_until_the_next_stage_decides(app, chain):
    hospital, bureau = chain[0], chain[1]
    approve(app, hospital)
    app.refresh_from_db()
    assert services.recall_allowed(app, hospital.org_id) == Stage.UNIT_REVIEW
    assert services.recall_allowed(app, bureau.org_id) is None
    services.application_recall(actor=hospital, application_id=app.pk)
    app.refresh_from_db()
    assert app.stage == Stage.UNIT_REVIEW
    approve(app, hospital)
    approve(app, bureau)
    with pytest.raises(ValidationError, match="无法撤办"):
        services.application_recall(actor=hospital, application_id=app.pk)
    with pytest.raises(ValidationError):
        services.application_recall(actor=chain[2], application_id=app.pk)
    assert Application.objects.get(pk=app.pk).stage == Stage.SITE_REVIEW


def test_site_recall_works_before_and_after_forwarding_but_not_after_final_approval(app, chain):
    hospital, bureau, site, province = chain
    approve(app, hospital)
    approve(app, bureau)
    approve(app, site)
    services.application_recall(actor=site, application_id=app.pk)
    app.refresh_from_db()
    assert (app.stage, app.awaiting_forward) == (Stage.SITE_REVIEW, False)
    approve(app, site)
    services.summary_submit(actor=site, stage=Stage.SITE_REVIEW)
    services.application_recall(actor=site, application_id=app.pk)
    app.refresh_from_db()
    assert app.stage == Stage.SITE_REVIEW
    approve(app, site)
    services.summary_submit(actor=site, stage=Stage.SITE_REVIEW)
    approve(app, province)
    with pytest.raises(ValidationError):
        services.application_recall(actor=province, application_id=app.pk)


def test_batch_submit_approves_each_with_its_own_log_and_reports_refusals(tree, year, chain):
    hospital, bureau, site, _ = chain
    apps = [submitted(tree, year) for _ in range(3)]
    for a in apps:
        approve(a, hospital)
        approve(a, bureau)
    foreign = submitted(tree, year, unit_code="35010201")
    items = [(a.pk, Application.objects.get(pk=a.pk).version) for a in apps] + [(foreign.pk, foreign.version)]
    items[0] = (items[0][0], items[0][1] - 1)  # stale
    done, refused = services.batch_submit(actor=site, items=items)
    assert sorted(done) == sorted(a.pk for a in apps[1:])
    assert set(refused) == {apps[0].pk, foreign.pk}
    assert "已被他人处理" in refused[apps[0].pk]
    assert ReviewLog.objects.filter(action="approve", stage="site").count() == 2


def test_batch_and_summary_are_refused_to_lower_roles(app, chain):
    with pytest.raises(PermissionDenied):
        services.batch_submit(actor=chain[1], items=[(app.pk, app.version)])
    with pytest.raises(PermissionDenied):
        services.summary_submit(actor=chain[1], stage=Stage.SITE_REVIEW)


def test_summary_submit_with_nothing_to_forward_is_refused(chain):
    with pytest.raises(ValidationError):
        services.summary_submit(actor=chain[2], stage=Stage.SITE_REVIEW)
    assert not ForwardBatch.objects.exists()


def test_reviewer_edit_logs_before_and_after_and_refuses_bad_input(app, chain):
    row = app.__class__.objects.get(pk=app.pk)
    education = services.editable_targets(row)
    key = next(k for k, _label, _v in education if k.endswith(".school"))
    services.application_edit(actor=chain[0], application_id=app.pk, expected_version=app.version,
                              changes={"name": "李娜娜", key: "福建中医药大学"})
    log = ReviewLog.objects.get(application=app, action="edit")
    assert log.details["changes"]["name"] == ["李娜", "李娜娜"]
    assert log.details["changes"][key] == ["福建医科大学", "福建中医药大学"]
    app.refresh_from_db()
    with pytest.raises(ValidationError):
        services.application_edit(actor=chain[0], application_id=app.pk, expected_version=app.version,
                                  changes={"current_qualification_date": "not a date"})
    with pytest.raises(ValidationError):
        services.application_edit(actor=chain[0], application_id=app.pk, expected_version=app.version,
                                  changes={"state": "approved"})
    with pytest.raises(PermissionDenied):
        services.application_edit(actor=chain[1], application_id=app.pk, expected_version=app.version,
                                  changes={"name": "x"})


def test_cross_review_assignment_routes_later_submissions(tree, year, reviewer_fuzhou):
    services.cross_review_assign(actor=reviewer_fuzhou, exam_year=year, stage="point",
                                 source_id=tree["350102"].pk, target_id=tree["350122"].pk)
    app = submitted(tree, year, unit_code="35010201")
    assert app.point_org.code == "350122"
    assert AuditEvent.objects.filter(event="cross_review.assign").exists()


def test_cross_review_outside_the_subtree_or_by_a_point_is_refused(tree, year, reviewer_quanzhou,
                                                                    reviewer_anxi_bureau):
    with pytest.raises(PermissionDenied):
        services.cross_review_assign(actor=reviewer_quanzhou, exam_year=year, stage="point",
                                     source_id=tree["350102"].pk, target_id=tree["350524"].pk)
    with pytest.raises(PermissionDenied):
        services.cross_review_assign(actor=reviewer_anxi_bureau, exam_year=year, stage="point",
                                     source_id=tree["350524"].pk, target_id=tree["350524"].pk)
    assert not CrossReviewAssignment.objects.exists()


def test_cross_review_reassignment_replaces_the_active_one_and_can_be_revoked(tree, year, reviewer_fuzhou):
    services.cross_review_assign(actor=reviewer_fuzhou, exam_year=year, stage="point",
                                 source_id=tree["350102"].pk, target_id=tree["350122"].pk)
    second = services.cross_review_assign(actor=reviewer_fuzhou, exam_year=year, stage="point",
                                          source_id=tree["350102"].pk, target_id=tree["35010001"].pk)
    assert CrossReviewAssignment.objects.filter(active=True).get() == second
    services.cross_review_revoke(actor=reviewer_fuzhou, assignment_id=second.pk)
    assert not CrossReviewAssignment.objects.filter(active=True).exists()
