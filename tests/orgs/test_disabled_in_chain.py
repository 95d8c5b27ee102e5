"""No application is routed to a disabled org (candidate manual 六: 不会流转到刚被禁用的机构): an org an
in-flight application needs at its current stage or a later one of its stored chain, or that this year's
cross-review assignments hand a stage, is not disabled; a submission whose chain names a disabled org is
refused; an assignment to an org disabled meanwhile is refused. And a review org is deleted by the 考区 only.
The races run on PostgreSQL (threads, each its own connection)."""

import datetime
from functools import partial

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from prereg.accounts.models import Role
from prereg.applications import services as application_services
from prereg.applications.models import Application, Stage, State
from prereg.applications.selectors import needed_counts
from prereg.orgs import selectors
from prereg.orgs import services as org_services
from prereg.orgs.models import CrossReviewAssignment, Org
from prereg.orgs.routing import resolve_chain
from tests.applications.test_one_writer_races import done, paused_after, race, started
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    CrossReviewAssignmentFactory,
    EducationRowFactory,
    ExamYearFactory,
    OrgFactory,
    UserFactory,
    submitted,
)


def _draft(tree, year, unit):
    application = ApplicationFactory(candidate=CandidateFactory(), exam_year=year, unit=unit, name="李娜",
                                     id_type="", current_qualification="护师",
                                     current_qualification_date=datetime.date(2016, 10, 1))
    EducationRowFactory(application=application)
    return application


def _disable(client, org):
    return client.post(reverse("backoffice:orgs_toggle"), {"ids": [org.pk], "action": "disable"},
                       follow=True).content.decode()


def _staffed(org, role=Role.POINT):
    """`org` with an active reviewer account, as a cross-review target needs (selectors.unstaffed_refusal)."""
    UserFactory(role=role, org=org)
    return org


def _minhou_unit(tree):
    """A unit below 闽侯县卫生健康局 (报名点), without reviewers: 闽侯 confirms its applications."""
    return OrgFactory(parent=tree["350121"], name="闽侯县医院", region_code="350121")


# --- 交叉审核 to a disabled org (QA H1 a) -------------------------------------------------------


def test_a_submission_routed_to_a_disabled_cross_review_target_is_refused_as_no_fault_of_the_candidate(
        tree, year, reviewer_fuzhou):
    minhou, luoyuan = tree["350121"], _staffed(tree["350123"])
    org_services.cross_review_assign(actor=reviewer_fuzhou, exam_year=year, stage=Stage.POINT_CONFIRM,
                                     source_id=minhou.pk, target_id=luoyuan.pk)
    # Disabled as before the rule below was kept (or by an assignment of a year not then current).
    Org.objects.filter(pk=luoyuan.pk).update(enabled=False)
    application = _draft(tree, year, _minhou_unit(tree))
    with pytest.raises(ValidationError) as refused:
        application_services.application_submit(actor=application.candidate, application_id=application.pk)
    message = refused.value.messages[0]
    assert "罗源县卫生健康局" in message and "不是您填报的问题" in message and "联系所在单位或报名点" in message
    stored = Application.objects.get(pk=application.pk)
    assert stored.state == State.DRAFT and stored.point_org_id is None


def test_disabling_this_years_cross_review_target_is_refused_until_the_assignment_is_revoked(
        client, tree, year, reviewer_fuzhou):
    minhou, luoyuan = tree["350121"], _staffed(tree["350123"])
    assignment = org_services.cross_review_assign(actor=reviewer_fuzhou, exam_year=year, stage=Stage.POINT_CONFIRM,
                                                  source_id=minhou.pk, target_id=luoyuan.pk)
    client.force_login(reviewer_fuzhou)
    html = _disable(client, luoyuan)
    assert "“罗源县卫生健康局”是本年度1项交叉审核分配的交叉审核机构" in html
    assert "请先在“分配交叉审核”中取消这些分配后再禁用" in html
    assert Org.objects.get(pk=luoyuan.pk).enabled
    org_services.cross_review_revoke(actor=reviewer_fuzhou, assignment_id=assignment.pk)
    assert "已禁用1个机构" in _disable(client, luoyuan)
    assert not Org.objects.get(pk=luoyuan.pk).enabled


def test_an_assignment_of_another_year_does_not_hold_its_target(client, tree, year, reviewer_fuzhou):
    last_year = ExamYearFactory(year=year.year - 1, is_current=False)
    CrossReviewAssignmentFactory(exam_year=last_year, stage=Stage.POINT_CONFIRM, source=tree["350121"],
                                 target=tree["350123"], assigned_by=reviewer_fuzhou)
    client.force_login(reviewer_fuzhou)
    assert "已禁用1个机构" in _disable(client, tree["350123"])


def test_the_source_of_an_assignment_may_be_disabled(tree, year, reviewer_fuzhou):
    org_services.cross_review_assign(actor=reviewer_fuzhou, exam_year=year, stage=Stage.POINT_CONFIRM,
                                     source_id=tree["350121"].pk, target_id=_staffed(tree["350123"]).pk)
    assert org_services.org_set_enabled(actor=reviewer_fuzhou, org_ids=[tree["350121"].pk], enabled=False,
                                        waiting=needed_counts) == 1


# --- An org a later stage needs (QA H1 b) ----------------------------------------------------


def test_disabling_an_org_a_later_stage_of_an_in_flight_application_needs_is_refused(client, tree, year,
                                                                                    reviewer_fuzhou):
    # 洪山社区卫生服务中心 reviews its own staff: the application waits at the unit, 鼓楼 confirms next.
    unit, gulou = tree["35010201"], tree["350102"]
    Org.objects.filter(pk=unit.pk).update(has_review_right=True)
    UserFactory(role=Role.UNIT, org=unit)
    application = submitted(tree, year, unit_code="35010201")
    assert (application.waiting_org_id, application.point_org_id) == (unit.pk, gulou.pk)
    # Moved elsewhere since: 鼓楼 has no unit left below it that would lose its route.
    unit.refresh_from_db()
    unit.parent = tree["350103"]
    unit.save()
    client.force_login(reviewer_fuzhou)
    html = _disable(client, gulou)
    assert "“福州市鼓楼区卫生健康局”有1份报名信息待其审核（当前或后续审核环节）" in html
    assert Org.objects.get(pk=gulou.pk).enabled


def test_the_needed_count_is_of_in_flight_applications_at_or_before_the_orgs_stage(tree, year):
    gulou, fuzhou, province = tree["350102"], tree["350100"], tree["350000"]
    chain = {"unit_review_org": gulou, "point_org": gulou, "site_org": fuzhou, "district_org": province}

    def application(state, stage, awaiting_forward=False):
        return ApplicationFactory(exam_year=year, unit=tree["35010201"], state=state, stage=stage,
                                  awaiting_forward=awaiting_forward, **chain)

    application(State.IN_REVIEW, Stage.UNIT_REVIEW)           # 鼓楼 at two stages: counted once
    application(State.IN_REVIEW, Stage.SITE_REVIEW)           # past 鼓楼
    application(State.IN_REVIEW, Stage.SITE_REVIEW, True)     # the 考点's 汇总提交 due
    application(State.APPROVED, "", True)                      # the 考区's 汇总提交 due
    application(State.APPROVED, "")                            # finished
    application(State.RETURNED, "")                            # routed again when resubmitted
    assert needed_counts([gulou.pk, fuzhou.pk, province.pk, tree["350103"].pk]) == {
        gulou.pk: 1, fuzhou.pk: 3, province.pk: 4}


# --- 分配交叉审核 --------------------------------------------------------------------------------


def test_an_assignment_to_a_disabled_org_is_refused(tree, year, reviewer_fuzhou):
    Org.objects.filter(pk=tree["350123"].pk).update(enabled=False)
    with pytest.raises(PermissionDenied):  # the page never offers it (selectors.assignable_orgs)
        org_services.cross_review_assign(actor=reviewer_fuzhou, exam_year=year, stage=Stage.POINT_CONFIRM,
                                         source_id=tree["350121"].pk, target_id=tree["350123"].pk)
    assert not CrossReviewAssignment.objects.exists()


# --- 删除 (QA L1) ------------------------------------------------------------------------------


def test_a_site_is_neither_offered_nor_allowed_to_delete_a_point(client, tree, reviewer_fuzhou):
    taijiang = tree["350103"]
    client.force_login(reviewer_fuzhou)
    html = client.get(reverse("backoffice:orgs_detail", args=[taijiang.pk])).content.decode()
    assert reverse("backoffice:orgs_delete", args=[taijiang.pk]) not in html
    assert org_services.REVIEW_ORG_DELETE in html
    response = client.post(reverse("backoffice:orgs_delete", args=[taijiang.pk]), {"version": taijiang.version})
    assert response.status_code == 403 and org_services.REVIEW_ORG_DELETE in response.content.decode()
    assert Org.objects.filter(pk=taijiang.pk).exists()


def test_the_district_deletes_an_unused_point(client, tree, reviewer_province):
    taijiang = tree["350103"]
    client.force_login(reviewer_province)
    html = client.get(reverse("backoffice:orgs_detail", args=[taijiang.pk])).content.decode()
    assert reverse("backoffice:orgs_delete", args=[taijiang.pk]) in html
    response = client.post(reverse("backoffice:orgs_delete", args=[taijiang.pk]), {"version": taijiang.version})
    assert response.status_code == 302 and not Org.objects.filter(pk=taijiang.pk).exists()


def test_who_may_delete_which_org(tree, reviewer_province, reviewer_fuzhou, reviewer_gulou_bureau, sysadmin):
    unit, point, unit_and_point = tree["35010201"], tree["350103"], tree["35010001"]
    assert [org_services.may_delete(user, org) for user in (reviewer_province, sysadmin)
            for org in (unit, point, unit_and_point)] == [True] * 6
    assert [org_services.may_delete(reviewer_fuzhou, org) for org in (unit, point, unit_and_point)] == [
        True, False, False]
    assert org_services.may_delete(reviewer_gulou_bureau, unit)


# --- Races (PostgreSQL) -----------------------------------------------------------------------


def _lianjiang_hospital_reviews_its_own(tree, reviewer_lianjiang_hospital):
    """连江县医院 reviews its staff (its reviewer's account), 连江县卫生健康局 confirms next; 福州 is given
    the 报名点 level so that 连江's units keep a route when 连江 is disabled (only what needs it refuses)."""
    Org.objects.filter(pk=tree["350100"].pk).update(is_point=True)
    return tree["35012205"], tree["350122"]


def test_a_submission_holds_a_later_stage_org_of_its_chain_against_its_disabling(
        postgres_only, transactional_db, tree, year, reviewer_fuzhou, reviewer_lianjiang_hospital, monkeypatch):
    # The submission pauses right after it read its chain under its locks; a 禁用 of the org of its 报名点确认
    # meanwhile must wait for it, and then refuse: the application now needs that org.
    unit, lianjiang = _lianjiang_hospital_reviews_its_own(tree, reviewer_lianjiang_hospital)
    application = _draft(tree, year, unit)
    chain_read, go_on = paused_after(monkeypatch, application_services, "_chain_held")
    outcomes = {}
    submitting = started(outcomes, "submitted", partial(
        application_services.application_submit, actor=application.candidate, application_id=application.pk))
    assert chain_read.wait(10)
    disabling = started(outcomes, "disabled", partial(
        org_services.org_set_enabled, actor=reviewer_fuzhou, org_ids=[lianjiang.pk], enabled=False,
        waiting=needed_counts))
    disabling.join(1)
    assert disabling.is_alive(), outcomes  # waiting for 连江's row the submission holds
    go_on.set()
    submitting.join(10)
    disabling.join(10)
    stored = Application.objects.get(pk=application.pk)
    assert done(outcomes["submitted"]) and (stored.waiting_org_id, stored.point_org_id) == (unit.pk, lianjiang.pk)
    assert isinstance(outcomes["disabled"], ValidationError), outcomes["disabled"]
    assert "待其审核（当前或后续审核环节）" in outcomes["disabled"].messages[0]
    assert Org.objects.get(pk=lianjiang.pk).enabled


def test_submissions_racing_the_disabling_of_a_later_stage_org_never_store_it_disabled(
        postgres_only, transactional_db, tree, year, reviewer_fuzhou, reviewer_lianjiang_hospital):
    unit, lianjiang = _lianjiang_hospital_reviews_its_own(tree, reviewer_lianjiang_hospital)
    outcomes = set()
    for _ in range(20):
        application = _draft(tree, year, unit)
        submitted_, disabled = race(
            partial(application_services.application_submit, actor=application.candidate,
                    application_id=application.pk),
            lambda: org_services.org_set_enabled(actor=reviewer_fuzhou, org_ids=[lianjiang.pk], enabled=False,
                                                 waiting=needed_counts))
        stored = Application.objects.get(pk=application.pk)
        assert not (stored.state == State.IN_REVIEW and not stored.point_org.enabled), (submitted_, disabled)
        if done(submitted_):
            # Routed before the 禁用 (to 连江, which then stays enabled) or after it (to 福州).
            assert stored.point_org_id in (lianjiang.pk, tree["350100"].pk)
        outcomes.add((done(submitted_), done(disabled)))
        # The next round starts from a clean slate: 连江 enabled, nothing in flight.
        Org.objects.filter(pk=lianjiang.pk).update(enabled=True)
        Application.objects.filter(pk=application.pk).update(state=State.APPROVED, stage="", waiting_org=None)
    assert (True, False) in outcomes  # the 禁用 met a submission it had to respect at least once


def test_an_assignment_holds_its_target_against_its_disabling(postgres_only, transactional_db, tree, year,
                                                               reviewer_fuzhou, monkeypatch):
    # The assignment pauses after its checks, its orgs locked; a 禁用 of the target meanwhile waits for it
    # and then refuses (the target now has this year's assignment).
    minhou, luoyuan = tree["350121"], _staffed(tree["350123"])
    checked, go_on = paused_after(monkeypatch, selectors, "decided_above")
    outcomes = {}
    assigning = started(outcomes, "assigned", partial(
        org_services.cross_review_assign, actor=reviewer_fuzhou, exam_year=year, stage=Stage.POINT_CONFIRM,
        source_id=minhou.pk, target_id=luoyuan.pk))
    assert checked.wait(10)
    disabling = started(outcomes, "disabled", partial(
        org_services.org_set_enabled, actor=reviewer_fuzhou, org_ids=[luoyuan.pk], enabled=False,
        waiting=needed_counts))
    disabling.join(1)
    assert disabling.is_alive(), outcomes  # waiting for 罗源's row the assignment holds
    go_on.set()
    assigning.join(10)
    disabling.join(10)
    assert isinstance(outcomes["assigned"], CrossReviewAssignment), outcomes["assigned"]
    assert isinstance(outcomes["disabled"], ValidationError) and "交叉审核" in outcomes["disabled"].messages[0]
    assert Org.objects.get(pk=luoyuan.pk).enabled


def test_an_assignment_to_an_org_being_disabled_waits_and_is_refused(postgres_only, transactional_db, tree, year,
                                                                     reviewer_fuzhou, monkeypatch):
    # The 禁用 pauses after its write, its org locked; an assignment to it meanwhile waits and then is refused.
    minhou, luoyuan = tree["350121"], tree["350123"]
    written, go_on = paused_after(monkeypatch, org_services, "unroutable_below")
    outcomes = {}
    disabling = started(outcomes, "disabled", partial(
        org_services.org_set_enabled, actor=reviewer_fuzhou, org_ids=[luoyuan.pk], enabled=False,
        waiting=needed_counts))
    assert written.wait(10)
    assigning = started(outcomes, "assigned", partial(
        org_services.cross_review_assign, actor=reviewer_fuzhou, exam_year=year, stage=Stage.POINT_CONFIRM,
        source_id=minhou.pk, target_id=luoyuan.pk))
    assigning.join(1)
    go_on.set()
    disabling.join(10)
    assigning.join(10)
    assert outcomes["disabled"] == 1
    assert isinstance(outcomes["assigned"], ValidationError), outcomes["assigned"]
    assert "刚被禁用" in outcomes["assigned"].messages[0]
    assert not CrossReviewAssignment.objects.exists()


def test_the_chain_of_a_unit_below_an_assigned_source_names_the_target(tree, year, reviewer_fuzhou):
    # What the refusals above protect: resolve_chain hands the stage to the target as assigned.
    org_services.cross_review_assign(actor=reviewer_fuzhou, exam_year=year, stage=Stage.POINT_CONFIRM,
                                     source_id=tree["350121"].pk, target_id=_staffed(tree["350123"]).pk)
    assert resolve_chain(_minhou_unit(tree), exam_year=year)[Stage.POINT_CONFIRM] == tree["350123"]
