"""Workflow acts on applications: one function per act.

Each checks role, scope and state, takes the row lock (compare-and-set on `version`), applies
the workflow table, writes the review log and the audit log, all in one transaction.
"""

import logging
from collections import Counter

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from prereg.accounts.backends import (
    PHONE_CHANGED_PURPOSE,
    PHONE_TAKEN_MESSAGE,
    candidate_phone_changed_text,
    phone_taken,
)
from prereg.accounts.models import ROLE_RANK, User
from prereg.accounts.permissions import require_function
from prereg.accounts.services import actor_held
from prereg.audit.log import protect_personal_numbers, record
from prereg.catalog.models import DictEntry, DictKind, ExamYear
from prereg.core import locks
from prereg.core.validators import clean_person_name, is_id
from prereg.notify.services import notice_send
from prereg.notify.sms import send_sms
from prereg.orgs.models import Org
from prereg.orgs.routing import resolve_chain

from . import completeness, eligibility, review, values, workflow
from .drafts import lock_editable
from .images import slot_images_delete
from .models import (
    STAGE_ORDER,
    STAGE_ORG_FIELD,
    Application,
    FieldCheck,
    ForwardBatch,
    ReviewAction,
    ReviewLog,
    Stage,
    State,
)
from .sections import BY_KEY, ROW_TABLES, rows_by_table
from .values import plain_text

logger = logging.getLogger(__name__)


class AlreadyHandled(Exception):
    """Someone else acted first (已被他人处理); carries the current state for the message."""

    def __init__(self, application):
        self.application = application
        if application.is_withdrawn:  # not another reviewer: the candidate took it back (reviewer probe)
            super().__init__("考生已撤回报名信息，尚未重新提交，无需审核。请刷新页面后查看")
            return
        # An approval waiting for 汇总提交 is still 审核中 at its stage: say what happened to it.
        state = "已审核通过，待汇总提交" if application.awaiting_forward else application.get_state_display()
        stage = application.get_stage_display() if application.stage else ""
        super().__init__(f"已被他人处理，当前状态：{state}{('（' + stage + '）') if stage else ''}。"
                         "可能是他人或您在另一窗口处理过，请刷新页面后查看")


class StaleSection(ValidationError):
    """The section was saved from another page (a tab, another device) after this one was drawn."""

    def __init__(self):
        super().__init__("本部分已在其他页面或设备上保存过，本页显示的不是最新内容，您刚填写的内容未保存。"
                         "请先记下需要修改的内容，再刷新页面后重新填写。", code="stale_section")


def lock(application_id: int, expected_version: int | None = None) -> Application:
    """The application, row-locked; AlreadyHandled if it changed since the actor saw it.

    A page's post always brings a version (prereg.core.versions.posted_version: a missing one reads
    as stale). None is for callers that show no page (demo data, tests): nothing seen to compare.
    """
    application = Application.objects.select_for_update().get(pk=application_id)
    _check_seen(application, expected_version)
    return application


def _check_seen(application, expected_version: int | None) -> None:
    """AlreadyHandled unless the locked row is still at the version the actor's page showed."""
    if expected_version is not None and application.version != expected_version:
        raise AlreadyHandled(application)


def _lock_in_scope(actor, application_id: int, expected_version: int | None) -> Application:
    """The application row-locked, in the reviewer's scope (checked first, so a stale page out of
    scope learns nothing) and still as his page showed it."""
    actor_held(actor)
    application = lock(application_id)
    if not Application.objects.visible_to(actor).filter(pk=application.pk).exists():
        raise PermissionDenied("该报名信息不在您的审核范围内。")
    _check_seen(application, expected_version)
    return application


def _apply(application, *, action, actor, to_state, to_stage, org=None, opinion="", national_done=False,
           details=None, request=None, batch=None, stage=None):
    """Move the application and log the act; `stage` is the one the act is done at (by default the
    one the application was at: a recall is done at the recalling org's own stage)."""
    log = ReviewLog.objects.create(
        application=application,
        action=action,
        stage=stage or application.stage,
        org=org,
        actor=actor,
        from_state=application.state,
        to_state=to_state,
        from_stage=application.stage,
        to_stage=to_stage,
        opinion=opinion,
        national_done=national_done,
        submission_round=application.submission_round,
        # The 资格初审 verdict the act was taken with: kept when the year's rules change later.
        details={**(details or {}), **({"verdict": application.verdict} if application.verdict else {})},
        batch=batch,
    )
    application.state = to_state
    application.stage = to_stage
    application.version = F("version") + 1
    application.save()
    application.refresh_from_db(fields=["version"])
    record(f"application.{action}", actor=actor, obj=application, request=request,
           details={"from": [log.from_state, log.from_stage], "to": [to_state, to_stage],
                    **({"opinion": opinion} if opinion else {})})
    return log


def _generate_number(application) -> str:
    # Year + zero-padded id: unique, stable, short enough to type from a printed form.
    return f"{application.exam_year.year}{application.pk:08d}"


# The candidate cannot help it: the 报名点 (or the 考点 that assigned the stage) must re-enable the org or
# revoke the assignment.
CHAIN_ORG_DISABLED = ("您单位的审核机构“{name}”已停用，报名信息暂时无法提交。这不是您填报的问题，"
                      "请联系所在单位或报名点处理。")


def _chain_held(unit, year):
    """The review chain of `unit`, its orgs (and the unit) locked until the submission commits.

    禁用 counts the applications that need an org, at their current stage or a later one, under the
    org's lock (orgs.services.org_set_enabled): with the lock taken here too, an org is either disabled
    before the chain is read again below (and not chosen, or refused) or sees this application (and
    refuses to disable). A disabled org can still be in the chain: resolve_chain takes a stage's
    cross-review target as assigned, enabled or not (org_set_enabled refuses to disable a target of this
    year's assignments; one of another year's, or of before that rule, is not). Such a chain is refused,
    never stored: the application would reach an org whose reviewers cannot sign in.
    """
    chain = resolve_chain(unit, exam_year=year)
    # FOR NO KEY UPDATE: a 禁用 (an update of the row) waits for it, while the foreign-key checks of other
    # acts' rows naming these orgs (a review log's org, checked at commit) do not: with FOR UPDATE, a decision
    # holding the audit chain's lock and checking its log's org at commit deadlocked with a submission
    # holding the org and waiting for the chain (make bench's rush).
    held = {org.pk: org for org in Org.objects.select_for_update(no_key=True).filter(
        pk__in={unit.pk, *(org.pk for org in chain.values())}).order_by("pk")}
    if not held[unit.pk].enabled:
        raise ValidationError(f"单位“{unit.name}”已停用，请在“基本信息”中重新选择单位名称。")
    if resolve_chain(held[unit.pk], exam_year=year) != chain:
        raise ValidationError("审核机构刚刚发生变更，请重新提交。")
    if disabled := next((held[org.pk] for org in chain.values() if not held[org.pk].enabled), None):
        raise ValidationError(CHAIN_ORG_DISABLED.format(name=disabled.name))
    return chain


@transaction.atomic
def application_submit(*, actor, application_id: int, expected_version: int | None = None, request=None,
                       check_complete=None, today=None) -> Application:
    """The candidate hands his form to the review; the chain is resolved now and stored."""
    application = lock(application_id, expected_version)
    if application.candidate_id != actor.pk:
        raise PermissionDenied("只能提交本人的报名信息。")
    if application.state not in State.editable_by_candidate():
        raise AlreadyHandled(application)
    # The year row locked: a window closed or moved meanwhile (exam_year_update, exam_project_update
    # lock it too) either waits for this submission or is what it reads, so a 考区 told the window
    # is closed never finds a submission committed after it.
    year = ExamYear.objects.select_for_update(no_key=True).get(pk=application.exam_year_id)
    today = today or timezone.localdate()
    windows = year.windows(application.project)
    if not windows.form_is_open(today):
        raise ValidationError(windows.form_closed_message())
    if check_complete is not None:
        missing = check_complete(application)
        if missing:
            raise ValidationError(["提交前请补全以下内容："] + list(missing))
    if application.unit_id is None:
        raise ValidationError("请先在“基本信息”中选择单位名称。")
    for stage, org in _chain_held(application.unit, year).items():
        setattr(application, STAGE_ORG_FIELD[stage], org)
    application.submission_round += 1
    application.submitted_at = timezone.now()
    application.returned_reason = ""
    application.awaiting_forward = False
    application.national_marks = {}  # a new round: no stage has done its step on 国网 yet
    if not application.number:
        application.number = _generate_number(application)
    eligibility.refresh(application)  # a draft carried over from last year may come with no save
    to_state = workflow.next_state(application.state, ReviewAction.SUBMIT)
    _apply(application, action=ReviewAction.SUBMIT, actor=actor, to_state=to_state, to_stage=Stage.UNIT_REVIEW,
           request=request)
    return application


def withdraw_allowed(application) -> bool:
    """A submission no reviewer has acted on yet (the 撤回 button and the act itself)."""
    if application.state != State.IN_REVIEW:
        return False
    return not application.review_logs.filter(submission_round=application.submission_round).exclude(
        action__in=[ReviewAction.SUBMIT, ReviewAction.WITHDRAW]).exists()


@transaction.atomic
def application_withdraw(*, actor, application_id: int, expected_version: int | None = None,
                         request=None) -> Application:
    """The candidate takes back a submission that no reviewer has decided yet.

    From the page's version (None: a caller that shows no page): a withdrawal and a resubmission in
    another tab since would otherwise let this page's 撤回 take back a submission it never showed.
    """
    application = lock(application_id)
    if application.candidate_id != actor.pk:
        raise PermissionDenied("只能撤回本人的报名信息。")
    _check_seen(application, expected_version)
    if not withdraw_allowed(application):
        raise ValidationError("审核人员已开始处理，无法撤回。")
    to_state = workflow.next_state(application.state, ReviewAction.WITHDRAW)
    _apply(application, action=ReviewAction.WITHDRAW, actor=actor, to_state=to_state, to_stage="",
           request=request)
    return application


# ---------------------------------------------------------------------------------------------
# The candidate's draft: a section saved (the candidate's manual, sections 二 to 六).

UNIT_GONE_MESSAGE = "所选单位已被删除或停用，请重新选择。"


def _unit_held(unit) -> None:
    """The chosen unit, locked until the save commits, still one a candidate may choose (a unit,
    enabled); else a refusal at the unit.

    The form checked it before the save began. A delete of the unit (orgs.services.org_delete) or its
    禁用 locks the row too: a delete that went first is seen here as no row, one that comes later waits
    for this save and meets the application naming the unit (PROTECT). Without it a delete checked
    before this save committed removed the unit and the save failed at COMMIT on its foreign key (the
    races probe: a 500 in 8 of 12). Two candidates choosing one unit save one after the other."""
    if not Org.objects.select_for_update(no_key=True).filter(pk=unit.pk, is_unit=True, enabled=True).exists():
        raise ValidationError({"unit": UNIT_GONE_MESSAGE})


def _form_columns(form) -> list[str]:
    """The application columns a section form sets (its model fields that it cleaned)."""
    return [f.name for f in Application._meta.concrete_fields if f.name in form.cleaned_data]


def _changes_nothing(application, form, values, formsets) -> bool:
    """Whether a section's save would leave the locked `application` and its rows as they are."""
    columns = {**(values or {}), **({name: getattr(form.instance, name) for name in _form_columns(form)}
                                     if form is not None else {})}
    return (all(getattr(application, name) == value for name, value in columns.items())
            and not any(formset.has_changed() for formset, *_ in formsets))


@transaction.atomic
def application_section_save(*, actor, application_id: int, section: str, expected_version: int | None = None,
                             section_version: int | None = None, form=None, values=None, formsets=(),
                             request=None) -> Application:
    """Save one section on the locked row: its form's columns, plain `values`, and its row formsets.

    Only the section's own columns are written (a save never writes state, stage or version), after
    the row lock and the editable check, so a save racing a submit either lands before it or is
    refused after it. `section_version`: the section's saves the page showed (None: a caller that
    shows no page); a page drawn before another save of the section is refused (StaleSection).
    """
    application = lock_editable(actor, application_id, expected_version)
    saves = application.section_versions.get(section, 0)
    if section_version is not None and section_version != saves:
        if _changes_nothing(application, form, values, formsets):
            # The page shows what is stored: a save that went through but whose answer was lost (a 503 drawn
            # after the commit, a reload) tapped again. Nothing to write, and nothing of the page is lost.
            return application
        raise StaleSection()
    application.section_versions = {**application.section_versions, section: saves + 1}
    application.save(update_fields=["section_versions"])
    changed = []
    details = {"section": section}
    columns = dict(values or {})
    if form is not None:
        changed += list(form.changed_data)
        # The form was validated against the page's copy; its cleaned columns go onto the locked row.
        columns.update({name: getattr(form.instance, name) for name in _form_columns(form)})
    if "project" in columns and application.submission_round and \
            getattr(columns["project"], "pk", columns["project"]) != application.project_id:
        # The 考试项目 of an application once submitted is fixed: its number, windows and queues follow it.
        raise ValidationError("报名信息已提交过，考试项目不能更改。", code="project")
    if columns.get("unit") is not None:
        _unit_held(columns["unit"])
    if columns:
        changed += [name for name, value in (values or {}).items() if getattr(application, name) != value]
        for name, value in columns.items():
            setattr(application, name, value)
        application.derive_from_id_number()
        application.save(update_fields=[*columns, "birth_date", "gender", "updated_at"])
    if form is not None and "phone" in form.changed_data and application.phone and actor.phone != application.phone:
        # The new number was confirmed by its SMS code (BasicForm): it is the account's now,
        # so a forgotten password is reset through the phone the candidate has. Asked again here,
        # on the locked row: another candidate may have taken it since the form was checked.
        if phone_taken(application.phone, by_other_than=actor, lock=True):
            raise ValidationError({"phone": PHONE_TAKEN_MESSAGE})
        old_phone, actor.phone = actor.phone, application.phone
        actor.save(update_fields=["phone"])
        details["account_phone"] = True
        if old_phone:
            send_sms(old_phone, candidate_phone_changed_text(actor.phone), purpose=PHONE_CHANGED_PURPOSE)
    for formset, slot, extra in formsets:
        for row_form in formset.deleted_forms:
            if row_form.instance.pk:
                if slot:
                    slot_images_delete(application, slot, row_form.instance.pk)
                row_form.instance.delete()
                changed.append("row-")
        # The rows kept, numbered in the form's order (a blank new row is no row).
        kept = [row_form for row_form in formset.forms if row_form not in formset.deleted_forms
                and (row_form.has_changed() or row_form.instance.pk)]
        for order, row_form in enumerate(kept):
            row = row_form.save(commit=False)
            row.application = application
            for key, value in extra.items():
                setattr(row, key, value)
            row.order = order
            row.save()
            if row_form.has_changed():
                changed.append("row")
    eligibility.refresh(application)  # the candidate sees it on 申报信息, reviewers in their lists
    record("application.section_save", actor=actor, obj=application, request=request,
           details={**details, "changed": sorted(set(changed))})
    return application


# ---------------------------------------------------------------------------------------------
# The reviewer's acts (reviewer manual sections 四 and 五; design section 5).

DEFAULT_OPINION = "同意"
OPINION_MAX_LENGTH = 500  # the review screen's textarea says the same (maxlength)


def _opinion(text: str, label: str) -> str:
    """An opinion or a reason as posted (`label` names it in a refusal): blank when it shows nothing."""
    text = values.clean_text(text, label, multiline=True)  # a reason may run over lines
    if len(text) > OPINION_MAX_LENGTH:
        raise ValidationError(f"审核意见和不通过原因不超过{OPINION_MAX_LENGTH}字（现有{len(text)}字）。")
    return text


def _require_stage_actor(actor, application, *, function="review"):
    """Role, function and scope: the actor's org is the org of the application's current stage."""
    require_function(actor, function)
    stage = application.stage
    if not (actor.is_reviewer and actor.org_id and stage) or application.org_id_at(stage) != actor.org_id:
        raise PermissionDenied("该报名信息不在您的审核环节。")
    if ROLE_RANK.get(actor.role, 99) > workflow.STAGE_MIN_RANK[Stage(stage)]:
        raise PermissionDenied("您的角色不能办理该审核环节。")


def _awaits_decision(application) -> bool:
    """In review and not yet approved at its stage (an approval waiting for 汇总提交 is decided)."""
    return application.state == State.IN_REVIEW and not application.awaiting_forward


def _lock_for_decision(actor, application_id, expected_version, function="review"):
    """Lock, then authorize against the locked row; a changed version means someone was faster."""
    application = _lock_in_scope(actor, application_id, expected_version)
    if not _awaits_decision(application):
        raise AlreadyHandled(application)
    _require_stage_actor(actor, application, function=function)
    return application


def _orgs_before(application) -> set[int]:
    """The orgs of the stages the application has passed (their turn is over)."""
    stages = STAGE_ORDER[:STAGE_ORDER.index(application.stage)] if application.stage else []
    return {application.org_id_at(stage) for stage in stages}


def _decide(application, move, *, national_done):
    """A decision's marks on the row (the stage's 国网 mark, 汇总提交 flag, time); returns (state, stage)."""
    marks = {stage: True for stage, done in (application.national_marks or {}).items() if done and stage != application.stage}
    application.national_marks = {**marks, application.stage: True} if national_done else marks
    application.awaiting_forward = move.awaiting_forward
    application.decided_at = timezone.now()
    return move.state, move.stage


@transaction.atomic
def field_check_set(*, actor, application_id: int, field: str, consistent: bool, expected_version: int | None = None,
                    request=None) -> FieldCheck:
    """与原件一致 是/否 for one 📷 field, at the current stage and submission round.

    On the locked row: a tick after a colleague decided (the version moved on, or the stage left
    this org) is 已被他人处理, not a refusal.
    """
    application = _lock_in_scope(actor, application_id, expected_version)
    if not _awaits_decision(application) \
            or (actor.org_id in _orgs_before(application) and application.org_id_at(application.stage) != actor.org_id):
        raise AlreadyHandled(application)
    _require_stage_actor(actor, application)
    item = next((f for f in review.check_fields(application) if f.key == field), None)
    if item is None:
        raise ValidationError("没有这一项需要核对的信息。")
    if consistent and not item.images:
        raise ValidationError(f"考生未上传{item.label}的图片，无从核对，不能选择“与原件一致：是”。")
    check, _ = FieldCheck.objects.update_or_create(
        application=application, stage=application.stage, submission_round=application.submission_round,
        field=field, defaults={"consistent": bool(consistent), "reviewer": actor},
    )
    record("application.field_check", actor=actor, obj=application, request=request,
           details={"stage": application.stage, "field": field, "consistent": bool(consistent)})
    return check


@transaction.atomic
def application_approve(*, actor, application_id: int, expected_version: int, opinion: str = "",
                        national_done: bool = False, request=None, _batch=False) -> Application:
    """同意: every 📷 field ticked 是 at this stage; the opinion defaults to 同意."""
    opinion = _opinion(opinion, "审核意见")
    application = _lock_for_decision(actor, application_id, expected_version,
                                     function="batch_submit" if _batch else "review")
    stage = application.stage
    fields = review.attach_checks(application, review.check_fields(application, with_images=False), stage)
    # Every review body checks each 📷 item itself (notice, 注意事项(四)): a batch passes only
    # what this stage ticked 是 item by item, like a single approval.
    if not review.all_consistent(fields):
        raise ValidationError(review.unconfirmed_reason(fields))
    move = workflow.approval_move(application.state, stage, application.awaiting_forward)
    if move.state == State.APPROVED:
        application.approved_at = timezone.now()
    to_state, to_stage = _decide(application, move, national_done=national_done)
    _apply(application, action=ReviewAction.APPROVE, actor=actor, to_state=to_state, to_stage=to_stage,
           org=actor.org, opinion=opinion or DEFAULT_OPINION, national_done=national_done,
           details={"batch": True} if _batch else None, request=request)
    return application


def _handlers(application, exclude):
    """Every reviewer who acted on this submission round (to tell them it was returned)."""
    ids = (ReviewLog.objects.filter(application=application, submission_round=application.submission_round,
                                    org__isnull=False)
           .exclude(actor=exclude).values_list("actor_id", flat=True).distinct())
    return User.objects.filter(pk__in=list(ids), is_active=True)


RETURN_ORG_DISABLED = "上一环节的审核机构“{name}”已停用，不能退回至该机构，可退回考生或联系考区。"
RETURN_ORG_UNSTAFFED = "上一环节的审核机构“{name}”已没有可用的审核账号，不能退回至该机构，可退回考生或联系考区。"


def _previous_org_id(application) -> int | None:
    previous = workflow.previous_stage(application.stage) if application.stage else None
    return application.org_id_at(previous) if previous else None


def return_previous_refusal(application, *, lock: bool = False) -> str:
    """Why 退回上一环节 may not send `application` to its previous stage's org, or "": that org was
    disabled, or its last active reviewer account was, after the application passed it, and no one
    could act there (禁用 of either counts only what still lies ahead of an application,
    applications.selectors.needed_counts). The review screen leaves the choice out on it;
    application_reject asks again with `lock`, the org's row held until the return commits, as 禁用 of
    the org or of its accounts (accounts.services.account_set_active) locks the org before it counts: a
    禁用 meanwhile is seen here, or waits and then sees the application back at the org (and refuses)."""
    org_id = _previous_org_id(application)
    if org_id is None:
        return ""
    orgs = Org.objects.select_for_update(no_key=True) if lock else Org.objects
    org = orgs.filter(pk=org_id).only("name", "enabled").first()
    if org is None:
        return ""
    if not org.enabled:
        return RETURN_ORG_DISABLED.format(name=org.name)
    if not User.objects.active_reviewers().filter(org=org).exists():
        return RETURN_ORG_UNSTAFFED.format(name=org.name)
    return ""


def _previous_org_held(application_id: int) -> None:
    """The org 退回上一环节 would send the application to, locked before the actor's account and the
    application are: orgs before accounts before applications, the order of 禁用 of several accounts
    (accounts.services.account_set_active locks their orgs, then them). Taken after the two, it deadlocked
    with a 禁用 of the returning reviewer and of an account of that org (PostgreSQL cancelled one, a 500
    for its user). The org is read from the row before its lock; the version check that follows makes
    it the locked row's (only a submission stores a chain, and it moves the version on)."""
    stored = Application.objects.filter(pk=application_id).first()
    if stored is not None and (org_id := _previous_org_id(stored)):
        Org.objects.select_for_update(no_key=True).filter(pk=org_id).first()


@transaction.atomic
def application_reject(*, actor, application_id: int, expected_version: int, reason: str, to: str,
                       national_done: bool = False, request=None) -> Application:
    """不同意: with a mandatory reason, back to the previous stage (`to="previous"`) or the candidate."""
    reason = _opinion(reason, "不通过原因")
    if not reason:
        raise ValidationError("不同意时必须填写不通过原因。")
    if to not in ("previous", "candidate"):
        raise ValidationError("请选择退回上一环节或退回考生。")
    if to == "previous":
        _previous_org_held(application_id)
    application = _lock_for_decision(actor, application_id, expected_version)
    stage = application.stage
    if to == "previous":
        try:
            move = workflow.reject_previous_move(application.state, stage, application.awaiting_forward)
        except workflow.TransitionNotAllowed:
            raise ValidationError("单位审查是第一个环节，只能退回考生。") from None
        if refusal := return_previous_refusal(application, lock=True):
            raise ValidationError({"to": refusal})
        action = ReviewAction.REJECT_PREVIOUS
    else:
        move = workflow.reject_candidate_move(application.state, application.awaiting_forward)
        action = ReviewAction.REJECT_CANDIDATE
        application.returned_reason = reason
    to_state, to_stage = _decide(application, move, national_done=national_done)
    if to_stage:
        _drop_marks(application, from_stage=to_stage)
    _apply(application, action=action, actor=actor, to_state=to_state, to_stage=to_stage, org=actor.org,
           opinion=reason, national_done=national_done, request=request)
    if to_stage:
        _drop_ticks(application, above=to_stage)
    if action == ReviewAction.REJECT_CANDIDATE:
        _notify_returned(application, actor, reason, stage)
    else:
        target_org = application.org_at(to_stage)
        notice_send(recipients=User.objects.active_reviewers().filter(org=target_org),
                    title=f"{application.name}的报名信息被退回{Stage(to_stage).label}",
                    body=f"{actor.org}退回：{reason}", link=reverse(settings.REVIEW_URL, args=[application.pk]))
    return application


def _notify_returned(application, actor, reason, stage):
    # The account's number first: checked by an SMS code, and where 考生信息管理 corrects a lost one.
    phone = application.candidate.phone or application.phone
    # Past 省网填报 (reviewers work on until 现场确认) application_submit refuses his resubmission: the
    # message says so and whom to ask, as his home page does (candidate/_form_closed.html), not 重新提交.
    closes = application.exam_year.windows(application.project).form_closes
    closed = closes < timezone.localdate()
    if phone:
        from prereg.catalog.timeline import day_text

        then = (f"省网填报已于{day_text(closes)}截止，不能再修改后重新提交，如有疑问请联系您所在单位或报名点。"
                if closed else "请登录系统修改后重新提交。")
        send_sms(phone, f"【{settings.SITE_NAME}】您的{application.exam_year.name}报名信息已被退回，原因：{reason[:120].rstrip('。')}"
                        f"。{then}", purpose="returned")
    notice_send(recipients=_handlers(application, exclude=actor),
                title=f"{application.name}的报名信息已退回考生",
                body=f"{actor.org}（{Stage(stage).label}）退回考生，原因：{reason}"
                     + ("（省网填报已截止，考生不能再重新提交）" if closed else ""),
                link=reverse(settings.REVIEW_URL, args=[application.pk]))


def _drop_marks(application, *, from_stage) -> None:
    """The 国网 marks of `from_stage` and the stages above it: the application went back to
    `from_stage` (a recall, a return to the previous stage), so none of them has decided this pass."""
    keep = STAGE_ORDER[:STAGE_ORDER.index(Stage(from_stage))]
    application.national_marks = {stage: True for stage, done in (application.national_marks or {}).items()
                                  if done and stage in keep}


def _drop_ticks(application, *, above=None, corrected=()) -> None:
    """This round's 与原件一致 ticks that no longer vouch for what a reviewer sees: those of the
    stages above `above` (the application went back below them: a recall, a return to the previous
    stage), and those of the items holding a `corrected` value (editable_targets keys), at every stage."""
    checks = FieldCheck.objects.filter(application=application, submission_round=application.submission_round)
    if above is not None:
        checks.filter(stage__in=STAGE_ORDER[STAGE_ORDER.index(Stage(above)) + 1:]).delete()
    if corrected:
        items = {key.partition(".")[0] for key in corrected if ":" in key}
        items |= {str(item) for item, names in review.FIELD_VALUES.items() if set(names) & set(corrected)}
        checks.filter(field__in=items).delete()


def last_decision(application) -> ReviewLog | None:
    return (ReviewLog.objects.filter(application=application, action__in=workflow.DECISIONS)
            .order_by("-created_at", "-pk").first())


def recall_allowed(application, org_id, last=None) -> str | None:
    """The stage a recall by `org_id` would return the application to, or None."""
    last = last if last is not None else last_decision(application)
    if last is None or last.org_id != org_id:
        return None
    return workflow.recall_target(application.state, application.stage, application.awaiting_forward,
                                  last.action, last.stage)


@transaction.atomic
def application_recall(*, actor, application_id: int, expected_version: int | None = None,
                       request=None) -> Application:
    """撤办: the org that approved takes it back while the next stage has not decided.

    From the page's version (None: a caller that shows no page): a colleague's recall and new
    approval since would otherwise let this page's 撤办 take back a decision it never showed.
    """
    require_function(actor, "review")
    application = _lock_in_scope(actor, application_id, expected_version)
    target = recall_allowed(application, actor.org_id)
    if target is None:
        raise ValidationError("下一环节已办理或已审核通过，无法撤办。")
    if application.org_id_at(target) != actor.org_id:
        raise PermissionDenied("只有办理该环节的机构可以撤办。")
    application.awaiting_forward = False
    _drop_marks(application, from_stage=target)
    _apply(application, action=ReviewAction.RECALL, actor=actor,
           to_state=workflow.next_state(application.state, ReviewAction.RECALL), to_stage=target,
           org=actor.org, request=request, stage=target)
    _drop_ticks(application, above=target)
    return application


BATCH_FAULT_MESSAGE = "系统繁忙，请稍后重新提交。"


def batch_submit(*, actor, items: list[tuple[int, int]], opinion: str = "", national_done: bool = False,
                 request=None) -> tuple[list[int], dict[int, str]]:
    """批量提交 (考点/考区): approve many at once, each its own decision and log entry.

    `items` are (application id, version seen). Returns the approved ids and, per refused id,
    the reason; one refusal does not undo the others. Nor does a database error on one (its own
    transaction rolled back): it is a fault, logged, and the reviewer is told it was not submitted,
    so that what the page says is exactly what was approved.
    """
    require_function(actor, "batch_submit")
    opinion = _opinion(opinion, "审核意见")  # refused once for the batch, not once per application
    done, refused = [], {}
    for application_id, version in items:
        try:
            application_approve(actor=actor, application_id=application_id, expected_version=version,
                                opinion=opinion, national_done=national_done, request=request, _batch=True)
        except ValidationError as exc:
            refused[application_id] = "；".join(exc.messages)
        except Application.DoesNotExist:
            refused[application_id] = "报名信息不存在。"
        except (AlreadyHandled, PermissionDenied) as exc:
            refused[application_id] = str(exc)
        except DatabaseError:
            logger.exception("batch submit: application %s not approved (database error)", application_id)
            refused[application_id] = BATCH_FAULT_MESSAGE
        else:
            done.append(application_id)
    return done, refused


def forwarding_stages(actor) -> list[Stage]:
    """The stages whose approvals `actor` forwards by 汇总提交 (the page and the act): his org is
    of that level (考点, 考区) and his role ranks high enough to decide there."""
    if not (actor.is_reviewer and actor.org_id):
        return []
    level = {Stage.SITE_REVIEW: actor.org.is_site, Stage.DISTRICT_RECHECK: actor.org.is_district}
    return [stage for stage in workflow.FORWARDING_STAGES
            if level[stage] and ROLE_RANK.get(actor.role, 99) <= workflow.STAGE_MIN_RANK[stage]]


@transaction.atomic
def summary_submit(*, actor, stage: str, expected_digest: str | None = None, request=None) -> ForwardBatch:
    """汇总提交: forward everything my org approved at `stage` and has not yet forwarded, as one batch;
    with `expected_digest` (review.forward_digest of what the page counted: None for a caller that
    shows no page), only if that is still the set (no approval or recall by another since)."""
    require_function(actor, "summary_submit")
    stage = Stage(stage)
    if stage not in forwarding_stages(actor):
        raise PermissionDenied("该环节没有汇总提交。")
    actor_held(actor)
    applications = list(review.awaiting_forward_for(actor.org, stage).select_for_update(of=("self",))
                        .select_related("specialty").order_by("pk"))
    # The page's set first: a page that listed some, all recalled or forwarded since (another tab, a
    # colleague), is told its list changed, not only that none await (reviewer probe F10).
    if expected_digest is not None and review.forward_digest((a.pk, a.version) for a in applications) != expected_digest:
        raise ValidationError("打开本页后待汇总提交的报名信息有变化（他人审核通过或撤办），未提交。"
                              "本页已显示最新的数字，请核对后再提交。")
    if not applications:
        raise ValidationError("没有待汇总提交的报名信息。")
    counts = Counter(a.specialty.name if a.specialty_id else "未选择专业" for a in applications)
    batch = ForwardBatch.objects.create(org=actor.org, stage=stage, actor=actor, count=len(applications),
                                        by_specialty=dict(sorted(counts.items())))
    for application in applications:
        move = workflow.forward_move(application.state, stage, application.awaiting_forward)
        application.awaiting_forward = False
        # At the stage forwarded: the 考区's approved applications have none left to default to.
        _apply(application, action=ReviewAction.FORWARD, actor=actor, to_state=move.state, to_stage=move.stage,
               org=actor.org, batch=batch, request=request, stage=stage)
    record("application.summary_submit", actor=actor, obj=batch, request=request,
           details={"stage": stage, "count": batch.count, "by_specialty": batch.by_specialty,
                    "applications": [a.pk for a in applications]})
    return batch


# Editable typed data: application columns, and row columns as "<kind>:<pk>.<column>".
EDITABLE_FIELDS = [
    "name", "id_number", "birth_date", "postcode", "address", "chsi_code",
    "practice_registered", "practice_change", "current_qualification", "current_qualification_date",
]
# Columns whose value is one of the year's dictionary entries (the candidate picks them from a list).
DICTIONARY_COLUMNS = {"practice_change": DictKind.PRACTICE_CHANGE, "current_qualification": DictKind.TITLE,
                      "study_form": DictKind.STUDY_FORM}
# The application's values the candidate's form asks for before a submission (completeness.gaps: those of
# 基本信息, and the 学信网在线验证码, "无" when there is none): a correction may change them, never empty them.
# The others (执业注册年月, 执业变更情况, 现有资格) the candidate may leave blank, and so may a reviewer.
REQUIRED_COLUMNS = {attname for attname, _label in completeness.BASIC_FIELDS} | {"chsi_code"}


def _editable_fields(application) -> list[str]:
    """EDITABLE_FIELDS but the birth date of a resident ID, which its number gives."""
    return [name for name in EDITABLE_FIELDS if not (name == "birth_date" and application.has_resident_id)]


def editable_targets(application) -> list[tuple[str, str, object]]:
    """(key, label, current value) of every typed value a reviewer may correct."""
    out = [(name, Application._meta.get_field(name).verbose_name, getattr(application, name))
           for name in _editable_fields(application)]
    for table in ROW_TABLES:
        if not table.correctable:
            continue
        for index, row in enumerate(table.rows(application), start=1):
            for column in table.columns:
                label = f"{table.label}{index} · {table.model._meta.get_field(column).verbose_name}"
                out.append((f"{table.key}:{row.pk}.{column}", label, getattr(row, column)))
    return out


def _resolve_target(application, key, rows: dict):
    """The object and column an editable_targets key names, or ValidationError. A row is read once
    (`rows` keeps those read, by "table:id"): the columns of one row corrected together change one object."""
    if ":" not in key:
        if key in _editable_fields(application):
            return application, key
        raise ValidationError(f"“{key}”不可修改。")
    prefix, _, rest = key.partition(":")
    row_id, _, column = rest.partition(".")
    table = BY_KEY.get(prefix)
    if table and table.correctable and column in table.columns and is_id(row_id):
        row_key = f"{prefix}:{int(row_id)}"
        if row_key not in rows:
            rows[row_key] = table.rows(application).filter(pk=int(row_id)).first()
        if rows[row_key] is not None:
            return rows[row_key], column
    raise ValidationError(f"“{key}”不可修改。")


# The sign-up's words for a number registered already (candidate.services.candidate_signup), said of a number
# another candidate's account or application of the year holds.
ID_NUMBER_TAKEN_MESSAGE = "该证件编号已被其他考生注册或填报，每个证件只能用于一名考生。请核对证件编号。"


def id_number_taken(number: str, *, application, lock: bool = False) -> bool:
    """Whether the number is another person's: held by an account other than the application's candidate
    (one account per ID number, as the sign-up's unique constraint keeps it), or by another application of
    the application's exam year, in any state (a draft's number is its candidate's, copied from his account).

    One number, one person: 国网名单核对 matches the year's applications by it, and reminders, rosters and
    the 确认单 read it; a second application with the number would be matched, reminded and printed as the
    first person (security probe F6: a 单位 corrected 李娜's number to 林峰's). With `lock` (an act that gives
    the application the number, inside its transaction) the number is held until the transaction ends, so
    of two corrections to one number at the same moment the later is asked after the earlier committed.
    """
    if not number:
        return False
    if lock:
        locks.hold(f"id-number:{number}")
    accounts = User.objects.filter(id_number=number).exclude(pk=application.candidate_id)
    applications = Application.objects.filter(exam_year_id=application.exam_year_id, id_number=number)
    return accounts.exists() or applications.exclude(pk=application.pk).exists()


def _clean_correction(application, obj, column, raw):
    """A corrected value, cleaned by the rule the candidate's form applies to it (prereg.applications.values)."""
    field = obj._meta.get_field(column)
    raw = values.clean_text(raw)
    if not raw:
        if not field.blank or (obj is application and column in REQUIRED_COLUMNS):
            raise ValidationError(f"请填写“{field.verbose_name}”。")
        return None if field.null else ""
    if getattr(field, "max_length", None) and len(raw) > field.max_length:
        raise ValidationError(f"“{field.verbose_name}”最多{field.max_length}个字。")
    if isinstance(field, models.DateField):
        return values.clean_date(raw) if column == "birth_date" else values.clean_month(raw)
    cleaner = {"name": clean_person_name, "postcode": values.clean_postcode,
               "chsi_code": values.clean_chsi_code,
               "id_number": lambda v: values.clean_id_number(v, application.id_type)}.get(column)
    if obj is application and cleaner:
        return cleaner(raw)
    kind = DICTIONARY_COLUMNS.get(column) or (obj.kind if column == "level" and obj is not application else None)
    if kind and not DictEntry.objects.filter(exam_year=application.exam_year, kind=kind, name=raw).exists():
        raise ValidationError(f"“{raw}”不在本年度的{DictKind(kind).label}字典中，请从字典中选择。")
    return raw


def _born_after(application, touched, *, every_row: bool) -> list[tuple[str, str, str, str, str]]:
    """completeness.dated_before_birth of the rows as the correction leaves them (`touched`); the untouched
    ones are read only with `every_row` (the birth date changed)."""
    if every_row:
        rows = {key: [touched.get(f"{key}:{row.pk}", row) for row in table_rows]
                for key, table_rows in rows_by_table(application).items()}
    else:
        rows = {table.key: [row for key, row in touched.items() if key.partition(":")[0] == table.key]
                for table in ROW_TABLES}
    return completeness.dated_before_birth(application, rows)


def _cross_errors(application, touched, diff) -> dict[str, str]:
    """The rules that join two values (date order, a date of one's life after one's birth, a 现有资格 and
    its date), after the change. A birth date changed is checked against every row, touched or not: a
    value the correction left as it was and the new birth date refuses is said at the birth date (at the
    ID number that gives it, for a resident ID), naming it; one the reviewer typed, at itself."""
    errors = {}
    for key, row in touched.items():
        dates = {name: getattr(row, name) for name in ("start", "end", "issued") if hasattr(row, name)}
        for column, message in values.row_date_errors(**dates).items():
            errors[f"{key}.{column}"] = message
    if message := values.current_qualification_date_error(application.current_qualification,
                                                          application.current_qualification_date):
        errors["current_qualification_date"] = message
    birth_changed = "birth_date" in diff
    left = []
    for key, _section, label, message, wrong in _born_after(application, touched, every_row=birth_changed):
        if birth_changed and key not in diff:
            left.append(label + wrong)
        else:
            errors.setdefault(key, message)
    if left:
        field = "birth_date" if "birth_date" in _editable_fields(application) else "id_number"
        errors[field] = f"按修改后的出生日期，{'；'.join(left)}。请核对出生日期，或一并修改这些信息。"
    return errors


@transaction.atomic
def application_edit(*, actor, application_id: int, expected_version: int, changes: dict[str, str],
                     request=None) -> Application:
    """Reviewer correction of typed data (images stay the candidate's); before/after logged.

    Every value passes the rule the candidate's form applies to it, and what is derived follows
    (birth date and gender from a resident ID number).
    """
    application = _lock_for_decision(actor, application_id, expected_version)
    number_before = application.id_number
    diff, errors, touched, rows = {}, {}, {}, {}
    for key, raw in changes.items():
        obj, column = _resolve_target(application, key, rows)
        try:
            value = _clean_correction(application, obj, column, raw)
        except ValidationError as exc:
            errors[key] = "；".join(exc.messages)
            continue
        before = getattr(obj, column)
        if before == value or (before in (None, "") and value in (None, "")):
            continue
        diff[key] = [plain_text(before), plain_text(value)]
        setattr(obj, column, value)
        if obj is not application:
            touched[key.rpartition(".")[0]] = obj
    if "id_number" in diff:
        before = {column: getattr(application, column) for column in ("birth_date", "gender")}
        application.derive_from_id_number()
        diff.update({column: [plain_text(value), plain_text(getattr(application, column))]
                     for column, value in before.items() if getattr(application, column) != value})
        if "birth_date" in diff:
            # The logs keep the number masked to its first and last four digits; the full birth date
            # beside it would give back the eight between (an auditor sees these logs).
            diff["birth_date"] = [text[:4] + "年" if text else text for text in diff["birth_date"]]
    errors = errors or _cross_errors(application, touched, diff)
    # Asked only of a correction that is otherwise saved (security probe F1): asked beside another
    # field's error, a refused correction told whether anyone held the number, for nothing recorded.
    if not errors and "id_number" in diff and id_number_taken(application.id_number, application=application,
                                                              lock=True):
        errors["id_number"] = ID_NUMBER_TAKEN_MESSAGE
    if errors:
        raise ValidationError(errors)
    if not diff:
        raise ValidationError("没有修改任何信息。")
    for row in touched.values():
        row.save()
    account_followed = "id_number" in diff and _account_number_follows(application, number_before)
    eligibility.refresh(application)  # as a candidate's save: lists, exports and statistics read it
    # The review log, shown on the review screen, keeps personal numbers as the audit log does:
    # masked, with a keyed hash that proves which number it was (PIPL: the minimum necessary).
    _apply(application, action=ReviewAction.EDIT, actor=actor,
           to_state=workflow.next_state(application.state, ReviewAction.EDIT),
           to_stage=application.stage, org=actor.org, details={"changes": protect_personal_numbers(diff)},
           request=request)
    record("application.edit.values", actor=actor, obj=application, request=request,
           details={"changes": diff, **({"account_id_number": True} if account_followed else {})})
    _drop_ticks(application, corrected=diff)
    return application


def _account_number_follows(application, number_before: str) -> bool:
    """The candidate's account takes the corrected ID number when it held the one corrected (the draft
    copies the account's number, carryover.start_application, and nothing else changes either): the
    number the correction read off his ID document is the one he signs in with (the one he registered,
    his login name, still signs in), next year's draft starts from, and a sign-up of it meets as registered. Left
    apart, the corrected number would be free to sign up with, and that account's draft would carry it
    beside this application, the two numbers of F6 again. id_number_taken has asked, under the number's
    lock, that no other account holds it; a sign-up committed meanwhile (it does not take the lock: its
    unique constraint speaks) is refused here in the same words."""
    try:
        with transaction.atomic():
            return bool(User.objects.filter(pk=application.candidate_id, id_number=number_before)
                        .exclude(id_number="").update(id_number=application.id_number, version=F("version") + 1))
    except IntegrityError:
        raise ValidationError({"id_number": ID_NUMBER_TAKEN_MESSAGE}) from None


def can_decide(actor, application) -> bool:
    """Whether `actor` may decide `application` now (for showing the decision buttons)."""
    if not _awaits_decision(application):
        return False
    try:
        _require_stage_actor(actor, application)
    except PermissionDenied:
        return False
    return True
