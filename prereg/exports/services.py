"""Acts of the exports app: ask for an export, download or delete it, remind candidates."""

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404

from prereg.accounts.models import Role
from prereg.accounts.permissions import require_function
from prereg.accounts.services import actor_held
from prereg.applications.models import Application, State
from prereg.audit.log import record
from prereg.catalog.models import ExamYear
from prereg.catalog.timeline import day_text
from prereg.core.validators import is_id
from prereg.notify.models import Reminder, ReminderKind
from prereg.notify.reminders import reminders_send
from prereg.orgs.models import Org
from prereg.orgs.routing import resolve_chain
from prereg.orgs.selectors import reviewed_subtree_paths

from . import runner
from .columns import full_numbers_for, may_export_images
from .models import ColumnSet, ExportFormat, ExportJob, ExportKind, ExportStatus
from .tasks import run_export

MAX_ACTIVE_JOBS = 3
# Each kind's formats, its default first.
FORMATS = {
    ExportKind.APPLICATIONS: (ExportFormat.XLSX, ExportFormat.CSV),
    ExportKind.CONFIRMATIONS: (ExportFormat.PDF,),
    ExportKind.IMAGES: (ExportFormat.ZIP,),
    ExportKind.RECONCILE: (ExportFormat.XLSX, ExportFormat.CSV),
}


@transaction.atomic
def export_request(*, actor, kind: str, format: str = "", columns: str = ColumnSet.ROSTER,  # noqa: A002
                   filters: dict | None = None, full_numbers: bool = False, task=None, request=None) -> ExportJob:
    """Queue one export of the applications visible to `actor`; the worker writes the file.

    ID numbers and phones are masked unless a user whose role may have them asks for them on this
    export (`full_numbers`): the audit entry says so (PIPL, the minimum necessary). That holds for
    the merged 审核确认单 too: its forms print the numbers masked unless the job has full_numbers
    (pdf.printed_numbers); only the single form a candidate or reviewer prints is always whole.
    The images zip shows the whole numbers on the card photos: only those roles may ask for it, and it
    is audited as a full-number export.

    `task`: the task that writes a kind another app owns, which that app's own service passes after
    its checks (国网名单核对's lists: prereg.reconcile.services.roster_export_request); this app's
    kinds are written by run_export."""
    require_function(actor, "export_excel")
    actor_held(actor)
    if full_numbers and not full_numbers_for(actor):
        raise PermissionDenied("您的角色只能导出脱敏的证件号码和手机号码。")
    kind = ExportKind(kind)
    if kind == ExportKind.IMAGES:
        if not may_export_images(actor):
            raise PermissionDenied("证件图片显示完整的证件号码，只有考点、考区可以打包导出。")
        full_numbers = True  # the card photos show the whole number, whatever was asked
    if (task is None) != (kind in runner.WRITERS):
        raise ValidationError("导出类型有误。")
    if kind == ExportKind.CONFIRMATIONS:
        require_function(actor, "print_confirmation")
    format = format or FORMATS[kind][0]  # noqa: A001
    if format not in FORMATS[kind]:
        raise ValidationError("导出格式与类型不符。")
    if columns not in ColumnSet.values:
        raise ValidationError("请选择导出列。")
    # A user's requests take turns on his row (held above): each counts the jobs the one before it wrote.
    runner.abandon_stale(owner=actor)  # a job lost with a restarted worker holds no place
    active = ExportJob.objects.filter(owner=actor, status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING])
    if active.count() >= MAX_ACTIVE_JOBS:
        raise ValidationError(f"您已有{MAX_ACTIVE_JOBS}个导出任务在进行中，请等其完成后再试。")
    job = ExportJob.objects.create(owner=actor, kind=kind, format=format, columns=columns,
                                   filters=filters or {}, full_numbers=full_numbers,
                                   site=request.build_absolute_uri("/") if request is not None else "")
    record("export.requested", actor=actor, obj=job, request=request,
           details={"kind": kind, "format": format, "columns": columns, "filters": job.filters,
                    "full_numbers": job.full_numbers})
    # Enqueued in the same transaction: with the database backend the task row commits with the job.
    result = (task or run_export).enqueue(job.pk)
    ExportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def job_for(user, job_id: int, *, lock: bool = False) -> ExportJob:
    """The user's own job, or 404 (another user's job does not exist for him); with `lock`, its row
    locked until the transaction ends."""
    jobs = ExportJob.objects.select_for_update() if lock else ExportJob.objects
    return get_object_or_404(jobs, pk=job_id, owner=user)


FILE_GONE_MESSAGE = "文件已过期或已删除，请重新导出。"


@transaction.atomic
def export_download(*, actor, job_id: int, request=None) -> tuple[ExportJob, File]:
    """The job's file, opened for `actor` to take, and recorded as taken.

    On the locked row, as export_delete removes the file: a delete at the same moment either waits for
    this open (the open file reads to its end though its name is then removed) or went first, and the
    job is gone. The file is opened before the download is recorded: one that is gone (its job deleted,
    expired, lost from storage) is refused with FILE_GONE_MESSAGE and records nothing (the races probe
    met 8 server errors and downloads recorded that never happened, some after export.deleted)."""
    require_function(actor, "export_excel")
    job = job_for(actor, job_id, lock=True)
    if job.status != ExportStatus.DONE or not job.file:
        raise ValidationError("文件尚未生成或已过期。")
    if job.expired:
        raise ValidationError("文件已过期，请重新导出。")
    try:
        opened = default_storage.open(job.file.name, "rb")
    except FileNotFoundError:
        raise ValidationError(FILE_GONE_MESSAGE) from None
    try:
        record("export.download", actor=actor, obj=job, request=request,
               details={"kind": job.kind, "rows": job.row_count, "filters": job.filters})
    except Exception:
        opened.close()
        raise
    return job, opened


@transaction.atomic
def export_delete(*, actor, job_id: int, request=None) -> None:
    """Delete the job and its file, on the locked row (a download at the same moment: export_download)."""
    actor_held(actor)
    job = job_for(actor, job_id, lock=True)
    if job.active:
        raise ValidationError("任务进行中，完成后才能删除。")
    record("export.deleted", actor=actor, obj=job, request=request, details={"kind": job.kind})
    name = job.file.name if job.file else ""
    job.delete()
    if name:  # last: a refusal above leaves the file to its job
        default_storage.delete(name)


# --- reminders (提醒考生) --------------------------------------------------------------------------

DRAFT_CHAIN_CACHE_SECONDS = 300


def _never_submitted_drafts(exam_year):
    return Application.objects.filter(exam_year=exam_year, state=State.DRAFT, submission_round=0)


def _draft_chains(unit_ids, exam_year) -> dict:
    """unit id -> the ids of the four orgs its applications would be routed to (None: unroutable).

    routing.resolve_chain is the one answer; it costs a few queries per unit, so the answers are
    kept a few minutes (a reminder list may lag a re-organisation of the tree by that much).
    """
    keys = {unit_id: f"exports:draft-chain:{exam_year.pk}:{unit_id}" for unit_id in unit_ids}
    cached = cache.get_many(list(keys.values()))
    chains, fresh = {}, {}
    units = Org.objects.in_bulk([u for u, key in keys.items() if key not in cached])
    for unit_id, key in keys.items():
        if key in cached:
            chains[unit_id] = cached[key]
            continue
        try:
            chain = resolve_chain(units[unit_id], exam_year=exam_year)
        except (KeyError, ValidationError):
            ids = None
        else:
            ids = [org.pk for org in chain.values()]
        chains[unit_id] = fresh[key] = ids
    if fresh:
        cache.set_many(fresh, DRAFT_CHAIN_CACHE_SECONDS)
    return chains


def draft_units_for(user, exam_year) -> list[int]:
    """Units whose never-submitted drafts fall in the user's scope once submitted.

    A draft has no review chain until it is submitted, but once its candidate has chosen a unit
    routing already tells which orgs it will go to: the user's org is one of them only if the
    unit lies in a subtree it reviews this year (its own, or one cross-reviewed by it).
    """
    if not user.org_id or user.role not in Role.reviewer_roles():
        return []
    org = user.org
    below = Q()
    for path in reviewed_subtree_paths(org, exam_year):
        below |= Q(unit__path__startswith=path)
    unit_ids = set(_never_submitted_drafts(exam_year).filter(below).values_list("unit_id", flat=True).distinct())
    chains = _draft_chains(sorted(unit_ids), exam_year)
    return [unit_id for unit_id, ids in chains.items() if ids and org.pk in ids]


def unattributed_draft_count(user, exam_year) -> int | None:
    """For the whole province's view (考区, system admin): drafts with no unit chosen yet, which no
    registration point or exam site can be told about. None for every other view."""
    if user.role not in (Role.DISTRICT, Role.SYSADMIN):
        return None
    return _never_submitted_drafts(exam_year).filter(unit__isnull=True).count()


def reminder_candidates(user, exam_year):
    """Candidates in the user's scope with an unfinished (草稿) or returned (已退回) application this year.

    The scope is `visible_to` (withdrawn drafts and returned applications have a chain), plus the
    never-submitted drafts whose chosen unit routes to the user's org (draft_units_for).
    """
    scope = Application.objects.visible_to(user)
    units = draft_units_for(user, exam_year)
    if units:
        scope = scope | _never_submitted_drafts(exam_year).filter(unit_id__in=units)
    return (scope.filter(exam_year=exam_year, state__in=[State.DRAFT, State.RETURNED])
            .select_related("unit", "candidate")
            .order_by("state", "unit__name", "name", "pk"))


def _reminder_text(application, year) -> str:
    site = settings.SITE_NAME
    if application.state == State.RETURNED:
        what = "已被退回，请按退回原因修改后重新提交"
    else:
        what = "尚未提交，请尽快完成填报并提交"
    return (f"【{site}】{application.name or '考生'}您好，您的{year.name}卫生资格考试预报名信息{what}，"
            f"截止日期{day_text(year.form_closes)}。")


@transaction.atomic
def reminder_send(*, actor, application_ids, request=None) -> dict:
    """SMS reminders to the chosen candidates, at most REMINDERS_PER_YEAR each per exam year.

    Returns {"sent": n, "skipped": [(application, reason), …]}.
    """
    require_function(actor, "send_reminders")
    year = ExamYear.current()
    if year is None:
        raise ValidationError("当前没有开放的考试年度。")
    if not year.form_is_open():
        raise ValidationError(f"{year.name}省网填报已截止（或未开始），无需提醒。")
    if not all(is_id(str(i)) for i in application_ids):
        raise ValidationError("选择的考生有误。")
    ids = sorted({int(i) for i in application_ids})
    if not ids:
        raise ValidationError("请先勾选要提醒的考生。")
    # The actor's account, then row locks on the chosen applications: two reviewers pressing 发送 at
    # once count right.
    actor_held(actor)
    scope = reminder_candidates(actor, year).filter(pk__in=ids).values_list("pk", flat=True)
    applications = list(Application.objects.select_for_update().filter(pk__in=list(scope))
                        .select_related("candidate").order_by("pk"))
    found = {a.pk for a in applications}
    skipped = [(pk, "不在您的范围内或无需提醒") for pk in ids if pk not in found]
    # Counted by his account and his ID number: a reminder of 国网名单核对 sent before he had an
    # application counts too.
    sent, refused = reminders_send(
        year, [(a, a.id_number, a.candidate_id, a.name, a.candidate.phone or a.phone) for a in applications],
        lambda application: _reminder_text(application, year))
    for application, message, nth in sent:
        kind = ReminderKind.RETURNED if application.state == State.RETURNED else ReminderKind.DRAFT
        Reminder.objects.create(candidate_id=application.candidate_id, exam_year=year, application=application,
                                kind=kind, sent_by=actor, org=actor.org, sms=message)
        record("reminder.sent", actor=actor, obj=application, request=request, details={"kind": kind, "nth": nth})
    return {"sent": len(sent), "skipped": skipped + [(a.pk, reason) for a, reason in refused]}
