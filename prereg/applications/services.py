"""Workflow acts on applications: one function per act.

Each checks role, scope and state, takes the row lock (compare-and-set on `version`), applies
the workflow table, writes the review log and the audit log, all in one transaction.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from prereg.audit.log import record
from prereg.orgs.routing import resolve_chain

from . import workflow
from .models import Application, ReviewAction, ReviewLog, Stage, State


class AlreadyHandled(Exception):
    """Someone else acted first (已被他人处理); carries the current state for the message."""

    def __init__(self, application):
        self.application = application
        state = application.get_state_display()
        stage = application.get_stage_display() if application.stage else ""
        super().__init__(f"已被他人处理，当前状态：{state}{('（' + stage + '）') if stage else ''}")


def lock(application_id: int, expected_version: int | None = None) -> Application:
    """The application, row-locked; AlreadyHandled if it changed since the actor saw it."""
    application = Application.objects.select_for_update().get(pk=application_id)
    if expected_version is not None and application.version != expected_version:
        raise AlreadyHandled(application)
    return application


def _apply(application, *, action, actor, to_state, to_stage, org=None, opinion="", national_done=False,
           details=None, request=None, batch=None):
    log = ReviewLog.objects.create(
        application=application,
        action=action,
        stage=application.stage,
        org=org,
        actor=actor,
        from_state=application.state,
        to_state=to_state,
        from_stage=application.stage,
        to_stage=to_stage or "",
        opinion=opinion,
        national_done=national_done,
        submission_round=application.submission_round,
        details=details or {},
        batch=batch,
    )
    application.state = to_state
    application.stage = to_stage or ""
    application.version = F("version") + 1
    application.save()
    application.refresh_from_db(fields=["version"])
    record(f"application.{action}", actor=actor, obj=application, request=request,
           details={"from": [log.from_state, log.from_stage], "to": [to_state, to_stage or ""],
                    **({"opinion": opinion} if opinion else {})})
    return log


def _generate_number(application) -> str:
    # Year + zero-padded id: unique, stable, short enough to type from a printed form.
    return f"{application.exam_year.year}{application.pk:08d}"


@transaction.atomic
def application_submit(*, actor, application_id: int, expected_version: int | None = None, request=None,
                       check_complete=None, today=None) -> Application:
    """The candidate hands his form to the review; the chain is resolved now and stored."""
    application = lock(application_id, expected_version)
    if application.candidate_id != actor.pk:
        raise PermissionDenied("只能提交本人的报名信息。")
    if application.state not in State.editable_by_candidate():
        raise AlreadyHandled(application)
    year = application.exam_year
    today = today or timezone.localdate()
    if not year.form_is_open(today):
        raise ValidationError(
            f"{year.name}省网填报时间为{year.form_opens:%Y年%m月%d日}至{year.form_closes:%Y年%m月%d日}，"
            "当前不在填报时间内，无法提交。"
        )
    if check_complete is not None:
        missing = check_complete(application)
        if missing:
            raise ValidationError(["提交前请补全以下内容："] + list(missing))
    if application.unit_id is None:
        raise ValidationError("请先在“基本信息”中选择单位名称。")
    chain = resolve_chain(application.unit, exam_year=year)
    for field, org in chain.as_fields().items():
        setattr(application, field, org)
    application.submission_round += 1
    application.submitted_at = timezone.now()
    application.returned_reason = ""
    application.awaiting_forward = False
    if not application.number:
        application.number = _generate_number(application)
    to_state = workflow.next_state(application.state, ReviewAction.SUBMIT)
    _apply(application, action=ReviewAction.SUBMIT, actor=actor, to_state=to_state, to_stage=Stage.UNIT_REVIEW,
           request=request)
    return application


@transaction.atomic
def application_withdraw(*, actor, application_id: int, request=None) -> Application:
    """The candidate takes back a submission that no reviewer has decided yet."""
    application = lock(application_id)
    if application.candidate_id != actor.pk:
        raise PermissionDenied("只能撤回本人的报名信息。")
    decided = application.review_logs.filter(
        submission_round=application.submission_round
    ).exclude(action__in=[ReviewAction.SUBMIT, ReviewAction.WITHDRAW]).exists()
    if application.state != State.IN_REVIEW or decided:
        raise ValidationError("审核人员已开始处理，无法撤回。")
    to_state = workflow.next_state(application.state, ReviewAction.WITHDRAW)
    _apply(application, action=ReviewAction.WITHDRAW, actor=actor, to_state=to_state, to_stage="",
           request=request)
    return application
