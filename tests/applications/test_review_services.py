"""The reviewer's acts: approve, reject, recall, batch and summary submission, edit, cross review."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from prereg.applications import services
from prereg.applications.models import Application, ForwardBatch, ReviewLog, Stage, State
from prereg.audit.log import personal_number_hash
from prereg.audit.models import AuditEvent
from prereg.core.validators import id_check_char
from prereg.notify.models import Notice, SmsMessage
from prereg.orgs import services as org_services
from prereg.orgs.models import CrossReviewAssignment
from tests.factories import UserFactory, approve, submitted, tick_all


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
    stale = app.version
    approve(app, site)
    app.refresh_from_db()
    assert (app.stage, app.awaiting_forward) == (Stage.SITE_REVIEW, True)
    # A colleague acting from an older page is told it was approved, not that it is 审核中.
    with pytest.raises(services.AlreadyHandled, match="当前状态：已审核通过，待汇总提交（考点审核）"):
        services.application_approve(actor=site, application_id=app.pk, expected_version=stale)
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
                                reason="身份证照片模糊。", to="candidate")
    app.refresh_from_db()
    assert app.state == State.RETURNED and app.returned_reason == "身份证照片模糊。"
    sms = SmsMessage.objects.get(purpose="returned")
    assert "原因：身份证照片模糊。请登录" in sms.text and sms.phone == app.phone  # one full stop, not two
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


def test_a_recall_from_a_version_older_than_the_row_changes_nothing(app, chain):
    hospital = chain[0]
    approve(app, hospital)
    seen = Application.objects.get(pk=app.pk).version
    services.application_recall(actor=hospital, application_id=app.pk, expected_version=seen)
    approve(app, hospital)
    with pytest.raises(services.AlreadyHandled):
        services.application_recall(actor=hospital, application_id=app.pk, expected_version=seen)
    app.refresh_from_db()
    assert (app.stage, app.version) == (Stage.POINT_CONFIRM, seen + 2)


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
        tick_all(a, site)
    foreign = submitted(tree, year, unit_code="35010201")
    items = [(a.pk, Application.objects.get(pk=a.pk).version) for a in apps] + [(foreign.pk, foreign.version)]
    items[0] = (items[0][0], items[0][1] - 1)  # stale
    done, refused = services.batch_submit(actor=site, items=items)
    assert sorted(done) == sorted(a.pk for a in apps[1:])
    assert set(refused) == {apps[0].pk, foreign.pk}
    assert "已被他人处理" in refused[apps[0].pk]
    assert ReviewLog.objects.filter(action="approve", stage="site").count() == 2


def test_batch_submit_passes_only_applications_whose_items_are_all_ticked_yes_at_this_stage(tree, year, chain):
    hospital, bureau, site, _ = chain
    apps = [submitted(tree, year) for _ in range(3)]
    for a in apps:
        approve(a, hospital)
        approve(a, bureau)
    tick_all(apps[0], site)
    services.field_check_set(actor=site, application_id=apps[1].pk, field="id_card", consistent=True)
    tick_all(apps[2], site, consistent=False)
    items = [(a.pk, Application.objects.get(pk=a.pk).version) for a in apps]

    done, refused = services.batch_submit(actor=site, items=items)

    assert done == [apps[0].pk]
    assert "尚未核对" in refused[apps[1].pk] and "参评学历证书" in refused[apps[1].pk]
    assert "证件（身份证正反面）" not in refused[apps[1].pk].split("尚未核对")[1]
    assert "与原件不一致" in refused[apps[2].pk]
    assert [Application.objects.get(pk=a.pk).awaiting_forward for a in apps] == [True, False, False]


def test_a_tick_after_a_colleague_decided_is_already_handled_not_refused(app, chain, tree):
    hospital = chain[0]
    colleague = UserFactory(role=hospital.role, org=hospital.org)
    page_version = Application.objects.get(pk=app.pk).version
    approve(app, hospital)

    with pytest.raises(services.AlreadyHandled, match="已被他人处理"):
        services.field_check_set(actor=colleague, application_id=app.pk, field="id_card", consistent=True,
                                 expected_version=page_version)
    with pytest.raises(services.AlreadyHandled):  # a post without the page's version
        services.field_check_set(actor=colleague, application_id=app.pk, field="id_card", consistent=True)
    with pytest.raises(PermissionDenied):  # a later stage's org: not its turn yet, not handled
        services.field_check_set(actor=chain[2], application_id=app.pk, field="id_card", consistent=True)


def test_summary_submit_writes_state_through_the_one_transition_function(tree, year, chain):
    hospital, bureau, site, _ = chain
    app = submitted(tree, year)
    for reviewer in (hospital, bureau, site):
        approve(app, reviewer)
    batch = services.summary_submit(actor=site, stage=Stage.SITE_REVIEW)
    app.refresh_from_db()
    logs = ReviewLog.objects.filter(application=app).order_by("pk")
    assert (app.state, app.stage, app.waiting_org_id) == (State.IN_REVIEW, Stage.DISTRICT_RECHECK,
                                                          app.district_org_id)
    assert app.version == logs.count() and logs.last().batch == batch
    assert AuditEvent.objects.filter(event="application.forward", object_id=str(app.pk)).exists()


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
    key = next(k for k, _label, _v in services.editable_targets(app) if k.endswith(".school"))
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


@pytest.mark.parametrize("bad", ["350524199001010001", "350524199902300011", "35052419900101001", "990524199001010012"])
def test_reviewer_correction_refuses_id_numbers_the_candidate_form_refuses(app, chain, bad):
    if bad.startswith("99"):  # region 99, with a correct check digit so that only the region is wrong
        bad = bad[:17] + id_check_char(bad[:17])
    with pytest.raises(ValidationError) as error:
        services.application_edit(actor=chain[0], application_id=app.pk, expected_version=app.version,
                                  changes={"id_number": bad})
    assert "id_number" in error.value.message_dict
    assert Application.objects.get(pk=app.pk).id_number == app.id_number


def test_a_corrected_id_number_carries_birth_date_and_gender_with_it(app, chain):
    body = "35052419850315002"  # born 1985-03-15, an even sequence digit: female
    services.application_edit(actor=chain[0], application_id=app.pk, expected_version=app.version,
                              changes={"id_number": body + id_check_char(body)})
    app.refresh_from_db()
    assert (app.birth_date.isoformat(), app.gender) == ("1985-03-15", "F")
    changes = ReviewLog.objects.get(application=app, action="edit").details["changes"]
    # Logged by its year only: beside the masked number, the full date would give its middle digits back.
    assert changes["birth_date"][1] == "1985年" and "1985-03-15" not in str(changes)
    audited = AuditEvent.objects.get(event="application.edit.values", object_id=str(app.pk)).details
    assert "0315" not in str(audited) and "03-15" not in str(audited)
    assert "birth_date" not in [key for key, _label, _value in services.editable_targets(app)]


def test_reviewer_correction_applies_the_forms_rules_to_every_value(app, chain):
    key = next(k for k, _label, _v in services.editable_targets(app) if k.endswith(".obtained"))
    level = key.replace(".obtained", ".level")
    cases = {"postcode": "35000", "chsi_code": "12345", "current_qualification_date": "2999-01",
             key: "2099-07", level: "博士后大专", "current_qualification": "不存在的资格", "name": "李"}
    for field, value in cases.items():
        with pytest.raises(ValidationError) as error:
            services.application_edit(actor=chain[0], application_id=app.pk, expected_version=app.version,
                                      changes={field: value})
        assert field in error.value.message_dict, field
    assert not ReviewLog.objects.filter(application=app, action="edit").exists()


def test_cross_review_assignment_routes_later_submissions(tree, year, reviewer_fuzhou):
    UserFactory(role="point", org=tree["350122"])  # the target's reviewer account, as a target needs
    org_services.cross_review_assign(actor=reviewer_fuzhou, exam_year=year, stage="point",
                                     source_id=tree["350102"].pk, target_id=tree["350122"].pk)
    app = submitted(tree, year, unit_code="35010201")
    assert app.point_org.code == "350122"
    assert AuditEvent.objects.filter(event="cross_review.assign").exists()


def test_cross_review_outside_the_subtree_or_by_a_point_is_refused(tree, year, reviewer_quanzhou,
                                                                    reviewer_anxi_bureau):
    with pytest.raises(PermissionDenied):
        org_services.cross_review_assign(actor=reviewer_quanzhou, exam_year=year, stage="point",
                                         source_id=tree["350102"].pk, target_id=tree["350524"].pk)
    with pytest.raises(PermissionDenied):
        org_services.cross_review_assign(actor=reviewer_anxi_bureau, exam_year=year, stage="point",
                                         source_id=tree["350524"].pk, target_id=tree["350524"].pk)
    assert not CrossReviewAssignment.objects.exists()


def test_cross_review_reassignment_replaces_the_active_one_and_can_be_revoked(tree, year, reviewer_fuzhou):
    for code in ("350122", "35010001"):  # each target's reviewer account, as a target needs
        UserFactory(role="point", org=tree[code])
    org_services.cross_review_assign(actor=reviewer_fuzhou, exam_year=year, stage="point",
                                     source_id=tree["350102"].pk, target_id=tree["350122"].pk)
    second = org_services.cross_review_assign(actor=reviewer_fuzhou, exam_year=year, stage="point",
                                              source_id=tree["350102"].pk, target_id=tree["35010001"].pk)
    assert CrossReviewAssignment.objects.filter(active=True).get() == second
    org_services.cross_review_revoke(actor=reviewer_fuzhou, assignment_id=second.pk)
    assert not CrossReviewAssignment.objects.filter(active=True).exists()


def test_the_review_log_keeps_a_corrected_id_number_masked_with_its_hash(app, chain):
    body = "35052419850315002"
    number = body + id_check_char(body)
    services.application_edit(actor=chain[0], application_id=app.pk, expected_version=app.version,
                              changes={"id_number": number})
    before, after = ReviewLog.objects.get(application=app, action="edit").details["changes"]["id_number"]
    assert number not in after and app.id_number not in before
    assert after.endswith(f"#hmac:{personal_number_hash(number)}")


def test_the_review_screen_names_a_corrected_field_by_its_label_and_shows_no_hash(app, chain, client):
    body = "35052419850315002"
    number = body + id_check_char(body)
    key = next(k for k, _label, _v in services.editable_targets(app) if k.startswith("education:") and
               k.endswith(".school"))
    services.application_edit(actor=chain[0], application_id=app.pk, expected_version=app.version,
                              changes={"id_number": number, "name": "李娜娜", key: "泉州医学高等专科学校"})
    client.force_login(chain[0])
    html = client.get(reverse("backoffice:review", args=[app.pk])).content.decode()
    log = html[html.index("审核日志"):]
    assert "证件编号：" in log and "姓名：" in log and "学历 · 学校：" in log and "→ 泉州医学高等专科学校" in log
    assert "性别：（空） → 女" in log
    assert "#hmac" not in log and "id_number" not in log and number not in log


def test_an_opinion_or_reason_longer_than_the_screen_allows_is_refused_and_kept_on_the_page(app, chain, client):
    long = "照" * (services.OPINION_MAX_LENGTH + 1)
    with pytest.raises(ValidationError, match="不超过500字"):
        services.application_reject(actor=chain[0], application_id=app.pk, expected_version=app.version,
                                    reason=long, to="candidate")
    tick_all(app, chain[0])
    app.refresh_from_db()
    client.force_login(chain[0])
    response = client.post(reverse("backoffice:review_decide", args=[app.pk]),
                           {"version": app.version, "decision": "approve", "opinion": long})
    assert response.status_code == 400 and "不超过500字（现有501字）" in response.content.decode()
    assert long in response.content.decode()  # what was typed is still there
    assert Application.objects.get(pk=app.pk).stage == Stage.UNIT_REVIEW


def _ticks(app, stage):
    from prereg.applications.models import FieldCheck

    return dict(FieldCheck.objects.filter(application=app, stage=stage).values_list("field", "consistent"))


def test_a_recall_drops_the_ticks_the_next_stage_had_made_and_keeps_its_own(app, chain):
    hospital, bureau = chain[:2]
    approve(app, hospital)
    assert tick_all(app, bureau) > 0
    app.refresh_from_db()
    services.application_recall(actor=hospital, application_id=app.pk, expected_version=app.version)
    assert _ticks(app, Stage.POINT_CONFIRM) == {}
    assert _ticks(app, Stage.UNIT_REVIEW) and all(_ticks(app, Stage.UNIT_REVIEW).values())


def test_a_recall_is_logged_at_the_recalling_orgs_own_stage(app, chain):
    hospital = chain[0]
    approve(app, hospital)
    app.refresh_from_db()
    services.application_recall(actor=hospital, application_id=app.pk, expected_version=app.version)
    log = ReviewLog.objects.get(application=app, action="recall")
    assert (log.stage, log.org, log.from_stage, log.to_stage) == (Stage.UNIT_REVIEW, hospital.org, Stage.POINT_CONFIRM,
                                                                   Stage.UNIT_REVIEW)


def test_a_return_to_the_previous_stage_drops_the_returning_stages_ticks(app, chain):
    hospital, bureau = chain[:2]
    approve(app, hospital)
    tick_all(app, bureau)
    app.refresh_from_db()
    services.application_reject(actor=bureau, application_id=app.pk, expected_version=app.version,
                                reason="证件照片与原件不符", to="previous")
    assert _ticks(app, Stage.POINT_CONFIRM) == {}


def test_a_corrected_value_drops_the_ticks_of_its_item_at_every_stage_and_no_other(app, chain):
    hospital, bureau = chain[:2]
    approve(app, hospital)
    tick_all(app, bureau)
    app.refresh_from_db()
    before_unit, before_point = _ticks(app, Stage.UNIT_REVIEW), _ticks(app, Stage.POINT_CONFIRM)
    assert "id_card" in before_unit and "id_card" in before_point
    body = "35052419850315002"
    services.application_edit(actor=bureau, application_id=app.pk, expected_version=app.version,
                              changes={"id_number": body + id_check_char(body)})
    assert _ticks(app, Stage.UNIT_REVIEW) == {k: v for k, v in before_unit.items() if k != "id_card"}
    assert _ticks(app, Stage.POINT_CONFIRM) == {k: v for k, v in before_point.items() if k != "id_card"}
    app.refresh_from_db()
    with pytest.raises(ValidationError, match="全部与原件一致"):
        services.application_approve(actor=bureau, application_id=app.pk, expected_version=app.version)


def test_summary_submit_forwards_only_the_set_its_page_counted(tree, year, chain):
    from prereg.applications import review

    hospital, bureau, site, _province = chain
    first, second = submitted(tree, year), submitted(tree, year, name="王芳")
    for application in (first, second):
        approve(application, hospital)
        approve(application, bureau)
    approve(first, site)
    shown = review.forward_digest(review.awaiting_forward_for(site.org, Stage.SITE_REVIEW).values_list("pk", "version"))
    approve(second, site)  # a colleague's approval after the page was drawn
    with pytest.raises(ValidationError, match="打开本页后待汇总提交的报名信息有变化"):
        services.summary_submit(actor=site, stage=Stage.SITE_REVIEW, expected_digest=shown)
    assert not ForwardBatch.objects.exists()
    fresh = review.forward_digest(review.awaiting_forward_for(site.org, Stage.SITE_REVIEW).values_list("pk", "version"))
    assert services.summary_submit(actor=site, stage=Stage.SITE_REVIEW, expected_digest=fresh).count == 2


def test_a_return_is_told_to_the_number_candidate_management_corrected(tree, year, reviewer_anxi_hospital):
    # The verification probe: after 更正手机号码 the 退回通知 still went to the lost number the form held.
    application = submitted(tree, year)
    Application.objects.filter(pk=application.pk).update(phone="15005000404")
    application.candidate.phone = "13900000001"
    application.candidate.save(update_fields=["phone"])
    services.application_reject(actor=reviewer_anxi_hospital, application_id=application.pk,
                                expected_version=application.version, reason="照片不清晰", to="candidate")
    assert SmsMessage.objects.get(purpose="returned").phone == "13900000001"


def test_a_stages_national_mark_is_of_its_decision_this_pass(app, chain):
    """国网已办 names the stages whose current decision was also done on the national site: a
    return or a recall back to a stage clears the marks from it up, a new round clears them all."""
    hospital, bureau, site = chain[:3]
    approve(app, hospital, national_done=True)
    approve(app, bureau, national_done=True)
    app.refresh_from_db()
    assert app.national_marks == {"unit": True, "point": True}
    services.application_reject(actor=site, application_id=app.pk, expected_version=app.version,
                                reason="学历证书不清", to="previous", national_done=True)
    app.refresh_from_db()
    assert app.stage == Stage.POINT_CONFIRM and app.national_marks == {"unit": True}
    approve(app, bureau)  # again, this time not on 国网
    app.refresh_from_db()
    assert app.national_marks == {"unit": True}
    services.application_recall(actor=bureau, application_id=app.pk)
    approve(app, bureau, national_done=True)
    services.application_recall(actor=bureau, application_id=app.pk)
    app.refresh_from_db()
    assert app.stage == Stage.POINT_CONFIRM and app.national_marks == {"unit": True}
    services.application_reject(actor=bureau, application_id=app.pk, expected_version=app.version,
                                reason="请补传学历证书", to="candidate", national_done=True)
    app.refresh_from_db()
    assert app.national_marks == {"unit": True, "point": True}  # the return itself, shown in 已审信息
    services.application_submit(actor=app.candidate, application_id=app.pk)
    app.refresh_from_db()
    assert app.national_marks == {}
    # The log keeps every act's mark.
    assert ReviewLog.objects.filter(application=app, national_done=True).count() == 5


def test_a_correction_of_several_columns_of_one_row_saves_them_all(app, chain):
    """Input probe: 学校, 专业 and 毕业时间 of one row corrected together saved only the last, while the
    review log and the audit log said all were."""
    from prereg.applications.models import EducationRow

    row = EducationRow.objects.get(application=app)
    keys = {k.rpartition(".")[2]: k for k, _label, _v in services.editable_targets(app) if k.startswith(("education:",))}
    changes = {keys["school"]: "福建中医药大学", keys["major"]: "中医学", keys["obtained"]: "2010-07"}
    services.application_edit(actor=chain[0], application_id=app.pk, expected_version=app.version, changes=changes)
    row.refresh_from_db()
    assert (row.school, row.major, row.obtained.isoformat()) == ("福建中医药大学", "中医学", "2010-07-01")
    assert set(ReviewLog.objects.get(application=app, action="edit").details["changes"]) == set(changes)
