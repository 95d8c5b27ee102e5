"""What the export worker does for one job: scope, filter, write the file, store it, audit it.

Runs outside any request (prereg.exports.tasks), without a long transaction: rows are read in
primary-key chunks and the job's progress is a short UPDATE after each chunk, so the page that
polls it and another user's export never wait on this one.
"""

import contextlib
import csv
import io
import logging
import os
import re
import secrets
import shutil
import tempfile
import threading
import zipfile
from collections import Counter, defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from prereg.accounts.permissions import has_function
from prereg.applications.completeness import id_document
from prereg.applications.models import ApplicationImage, ImageSlot
from prereg.applications.pdf import confirmation_pdf
from prereg.applications.sections import BY_SLOT
from prereg.applications.selectors import applications_for
from prereg.audit.log import record
from prereg.audit.models import Outcome
from prereg.core.sheets import XLSX_OPTIONS

from .columns import HEADERS, NUMBER_COLUMNS, iter_row_chunks, today_stamp
from .models import ColumnSet, ExportFormat, ExportJob, ExportKind, ExportStatus

logger = logging.getLogger(__name__)

DEFAULT_TTL_HOURS = 24
DEFAULT_IMAGES_MAX_APPLICATIONS = 500
DEFAULT_CONFIRMATIONS_MAX = 2000
DEFAULT_STALE_MINUTES = 60
DEFAULT_HEARTBEAT_SECONDS = 15
DEFAULT_LOST_SECONDS = 60
STALE_MESSAGE = "生成中断（后台服务重启或未运行），请重新导出。"
LOST_MESSAGE = "生成中断（后台服务已停止），请重新导出。"
# Column widths of the xlsx sheets (characters), by header.
WIDE = {"单位名称": 28, "联系地址": 30, "证件编号": 20, "手机号码": 13, "申报专业": 18, "工作情况": 40,
        "学历": 36, "学位": 36, "现有资格聘任情况": 36, "住院医师规范化培训": 30, "全科医生规范化培训": 30,
        "其他": 24, "退回原因": 30, "当前审核机构": 24, "报名号": 14, "提交时间": 17, "审核通过时间": 17,
        "参评学历": 26, "参评学位": 26}


def ttl() -> timedelta:
    return timedelta(hours=getattr(settings, "EXPORT_TTL_HOURS", DEFAULT_TTL_HOURS))


# --- writers ----------------------------------------------------------------------------------------

def write_xlsx(path, headers, chunks, *, sheet_name="考生信息", tmpdir=None, number_columns=NUMBER_COLUMNS) -> int:
    """Write the rows, a chunk (list of rows) at a time; returns the row count. The cells of the
    headers in `number_columns` are numbers, every other cell text.

    `tmpdir`: where xlsxwriter keeps its own temporary files (the system's temporary directory
    if None). Pass the job's directory: they hold every row written so far, and xlsxwriter
    deletes them only in a close() that an exception (or a kill) never reaches."""
    import xlsxwriter  # kept out of the web process, which loads this module for the exports page

    # constant_memory: each row goes to disk once written, so memory stays flat whatever the count.
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "tmpdir": tmpdir, **XLSX_OPTIONS})
    sheet = workbook.add_worksheet(sheet_name)
    bold = workbook.add_format({"bold": True, "bg_color": "#EEF1F5", "border": 1})
    for col, header in enumerate(headers):
        sheet.set_column(col, col, WIDE.get(header, 10))
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, headers, bold)
    # Each cell by its column's typed method, chosen once here, instead of write_row asking every
    # cell its type; an empty text is no call at all (write_row leaves it out too). The full record
    # of 90,009 applications, export_full_xlsx_s: 21.1 -> 19.6 s on SQLite, 23.2 -> 20.8 s on PostgreSQL.
    writers = [sheet.write_number if header in number_columns else sheet.write_string for header in headers]
    columns = range(len(headers))
    n = 0
    for rows in chunks:
        for row in rows:
            n += 1
            for col, write, value in zip(columns, writers, row, strict=True):
                if value != "":
                    write(n, col, value)
    workbook.close()
    return n


def write_csv(path, headers, chunks) -> int:
    """Write the rows, a chunk (list of rows) at a time; returns the row count."""
    # The BOM makes Excel open the CSV as UTF-8 instead of GBK (written by hand: the utf-8-sig
    # codec is pure Python, plain utf-8 is not).
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as text:
        text.write("\ufeff")
        writer = csv.writer(text)
        writer.writerow(headers)
        for rows in chunks:
            writer.writerows(rows)
            n += len(rows)
    return n


def write_table(job, path, headers, chunks, *, total: int, sheet_name: str, number_columns=frozenset()) -> int:
    """Write a kind of another app (国网名单核对's lists, prereg.reconcile.tasks) in the job's format:
    the rows a chunk (list of rows) at a time, the job's progress moved after each chunk by the rows
    written of `total`. Returns the row count. The caller guards a CSV's cells (core.sheets.csv_text)."""
    progress = _Progress(job, total)

    def counted():
        done = 0
        for rows in chunks:
            yield rows
            done += len(rows)
            progress(done)

    if job.format == ExportFormat.CSV:
        return write_csv(path, headers, counted())
    return write_xlsx(path, headers, counted(), sheet_name=sheet_name, tmpdir=os.path.dirname(path),
                      number_columns=number_columns)


def _safe_name(text: str) -> str:
    """`text` as a file or folder name Windows opens: none of its forbidden characters nor control
    characters, no trailing dot (Explorer drops it, so 曹操. and 曹操 would be one folder)."""
    return re.sub(r'[\\/:*?"<>|\s\x00-\x1f\x7f]+', "_", text or "")[:40].strip("_. ") or "未命名"


# --- running a job --------------------------------------------------------------------------------

class _Progress:
    """Writes the job's percentage after each chunk, only when it moved."""

    def __init__(self, job, total):
        self.job, self.total, self.last = job, max(total, 1), -1

    def __call__(self, done, total=None):
        if total is not None:  # the rows' writer counts the scope as it reads its keys
            self.total = max(total, 1)
        self.show(min(99, done * 100 // self.total))

    def show(self, percent):
        if percent != self.last:
            self.last = percent
            ExportJob.objects.filter(pk=self.job.pk).update(progress=percent)


@contextlib.contextmanager
def heartbeat(job_id: int):
    """While the job runs, a thread of its worker writes the job's heartbeat_at every
    EXPORT_HEARTBEAT_SECONDS. If the worker dies (killed, out of memory, its machine gone) the
    beats stop, and abandon_stale fails the job a minute later instead of an hour."""
    stopped = threading.Event()

    def beat():
        interval = getattr(settings, "EXPORT_HEARTBEAT_SECONDS", DEFAULT_HEARTBEAT_SECONDS)
        try:
            while not stopped.wait(interval):
                try:
                    ExportJob.objects.filter(pk=job_id, status=ExportStatus.RUNNING).update(
                        heartbeat_at=timezone.now())
                except DatabaseError:
                    # The database is away for a moment (or busy): beat again next time.
                    logger.warning("export %s: heartbeat not written", job_id, exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"export-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stopped.set()
        thread.join()


TMP_PREFIX = "prereg-export-"


def remove_leftovers() -> int:
    """Delete the temporary directories (and files, of the release before them) of exports killed
    mid-way (a worker stopped by kill -9 cleans nothing up), which hold personal data: those of
    this machine's temporary directory whose job no longer runs. How many were deleted."""
    found = {}
    for name in os.listdir(tempfile.gettempdir()):
        job_id = name.removeprefix(TMP_PREFIX).partition("-")[0]
        if name.startswith(TMP_PREFIX) and job_id.isascii() and job_id.isdigit():
            found[os.path.join(tempfile.gettempdir(), name)] = int(job_id)
    running = set(ExportJob.objects.filter(pk__in=set(found.values()), status=ExportStatus.RUNNING)
                  .values_list("pk", flat=True))
    removed = 0
    for path, job_id in found.items():
        if job_id not in running:
            try:
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path)
                else:
                    os.unlink(path)
                removed += 1
            except FileNotFoundError:
                pass
    return removed


def run_job(job_id: int, *, write=None) -> None:
    """Run one queued job; a job already taken (or gone) is left alone.

    `write(job, path) -> (row count, download name)` writes the file of a kind another app owns
    (its task passes it: 国网名单核对, prereg.reconcile.tasks), after its own scope checks; the
    kinds of this app are written from the applications in the owner's scope (WRITERS)."""
    remove_leftovers()  # a worker started again after a kill finds its predecessor's files
    now = timezone.now()
    taken = ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=now, heartbeat_at=now, progress=0)
    if not taken:
        return
    # Inside the caller's transaction (the immediate task backend) there is no worker to lose, and
    # a heartbeat from another connection would wait for this transaction's lock on the row.
    with contextlib.nullcontext() if connection.in_atomic_block else heartbeat(job_id):
        _run_taken_job(job_id, write or _write_applications_kind)


FAILED_MESSAGE = "生成失败，请稍后重试或联系管理员。"


def _write_applications_kind(job, path):
    return WRITERS[job.kind](job, applications_for(job.owner, job.filters), path)


def _run_taken_job(job_id: int, write) -> None:
    job = ExportJob.objects.select_related("owner", "owner__org").get(pk=job_id)
    try:
        if not has_function(job.owner, "export_excel"):
            raise PermissionError("导出权限已被收回。")
        suffix = "." + job.format
        # A directory of the job's own, named after it: the file and whatever the writer keeps
        # beside it (xlsxwriter's temporary files) go with it here, or by remove_leftovers after a kill.
        tmp_dir = tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{job.pk}-")
        try:
            tmp_path = os.path.join(tmp_dir, "export" + suffix)
            rows, file_name = write(job, tmp_path)
            target = f"exports/{job.pk}-{secrets.token_hex(8)}{suffix}"
            with open(tmp_path, "rb") as fh:
                try:
                    name = default_storage.save(target, File(fh))
                except Exception:
                    # A full disk leaves what was written of the file (FileSystemStorage does not remove
                    # it): a cut file of personal data named by no job, never purged (faults probe).
                    remove_quietly(target)
                    raise
        finally:
            shutil.rmtree(tmp_dir, ignore_errors=True)
    except (PermissionError, ValueError) as exc:  # the job cannot be made as asked: said to its owner, no fault
        logger.info("export %s refused: %s", job_id, exc)
        message = str(exc)
        _on_a_working_connection(lambda: _record_failure(job, message))
        return
    except Exception:
        logger.exception("export %s failed", job_id)
        _on_a_working_connection(lambda: _record_failure(job, FAILED_MESSAGE))
        return
    finished = timezone.now()
    try:
        with transaction.atomic():
            # On the job's row locked as export_delete locks it: a job failed by abandon_stale while this
            # worker still ran may have been deleted by its owner since; then no row would name the file, and
            # neither export_delete nor purge_expired would ever remove it. Still here (even failed), it ends
            # as done.
            own = ExportJob.objects.select_for_update().filter(pk=job.pk, started_at=job.started_at).exists()
            if own:
                ExportJob.objects.filter(pk=job.pk).update(
                    status=ExportStatus.DONE, progress=100, row_count=rows, file=name, file_name=file_name,
                    size=default_storage.size(name), finished_at=finished, expires_at=finished + ttl())
                record("export.finished", actor=job.owner, obj=job, details={
                    "kind": job.kind, "format": job.format,
                    "columns": job.columns if job.kind == ExportKind.APPLICATIONS else "",
                    "filters": job.filters, "rows": rows, "full_numbers": job.full_numbers})
    except DatabaseError:
        # The file is written but no row names it (the connection died, a lock timed out): removed, and the
        # job failed, as when the writing fails, or the file of personal data would stay for ever.
        logger.exception("export %s written but not recorded", job_id)
        remove_quietly(name)
        _on_a_working_connection(lambda: _record_failure(job, FAILED_MESSAGE))
        return
    if not own:
        default_storage.delete(name)
        logger.info("export %s was deleted before its worker ended: its file is removed", job_id)


def remove_quietly(name: str) -> None:
    """Remove a stored file no row will name (a cut export, a roster upload not committed); a failure to is
    logged, not raised: the error that led here is the one to report."""
    try:
        default_storage.delete(name)
    except Exception:
        logger.warning("could not remove the stored file %s", name, exc_info=True)


def _record_failure(job, message: str) -> None:
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.FAILED, error=message[:300],
                                               finished_at=timezone.now())
    record("export.failed", actor=job.owner, obj=job, outcome=Outcome.FAILURE,
           details={"kind": job.kind, "filters": job.filters, "error": message})


def _on_a_working_connection(write) -> None:
    """Run `write` (the job's failure); if the database refuses it, once more on a new connection.

    The export may have failed because its connection died (the server ended it, the network
    dropped it): the failure written on that same connection fails too, and the job stayed
    running until the lost-heartbeat rule failed it a minute later with the wrong reason."""
    try:
        write()
    except DatabaseError:
        if connection.in_atomic_block:  # the caller's transaction (immediate backend): not ours to drop
            raise
        logger.warning("export failure not written; trying again on a new connection", exc_info=True)
        connection.close()  # the next query connects afresh
        write()


def _write_applications(job, queryset, path):
    headers = HEADERS[job.columns]
    name = f"考生信息_{ColumnSet(job.columns).label}_{today_stamp()}.{job.format}"
    progress = _Progress(job, 1)
    chunks = iter_row_chunks(queryset, job.columns, full_numbers=job.full_numbers,
                             csv_safe=job.format == ExportFormat.CSV, progress=progress)
    if job.format == ExportFormat.CSV:
        return write_csv(path, headers, chunks), name
    return write_xlsx(path, headers, chunks, sheet_name=ColumnSet(job.columns).label,
                      tmpdir=os.path.dirname(path)), name


def _write_confirmations(job, queryset, path):
    from pypdf import PdfWriter  # kept out of the web process, which loads this module for the exports page

    limit = getattr(settings, "EXPORT_CONFIRMATIONS_MAX", DEFAULT_CONFIRMATIONS_MAX)
    applications = list(queryset.printable().order_by("number", "pk").only("pk")[:limit + 1])
    if len(applications) > limit:
        raise ValueError(f"一次最多合并{limit}份确认单，请缩小筛选范围。")
    if not applications:
        raise ValueError("所选范围内没有可打印确认单的报名信息（须报名点审核通过）。")
    progress = _Progress(job, len(applications))
    writer = PdfWriter()
    for n, application in enumerate(applications, start=1):
        # Which reads what it prints; the numbers masked as every export's are unless the job asked
        # for them (a merged file of up to 2000 forms is an export, not the form one candidate signs).
        writer.append(io.BytesIO(confirmation_pdf(application, site=job.site, full_numbers=job.full_numbers)))
        if n % 20 == 0:
            progress(n)
    with open(path, "wb") as fh:
        writer.write(fh)
    return len(applications), f"审核确认单_{len(applications)}份_{today_stamp()}.pdf"


def _row_order(application_ids) -> dict[tuple[int, str], list[int]]:
    """(application id, slot) -> the ids of its rows in the form's order, the 参评 row first where the
    table has one: one query per table with images."""
    order = defaultdict(list)
    for slot, table in BY_SLOT.items():
        rows = table.model.objects.filter(application_id__in=application_ids, **table.filter).order_by(
            "application_id", "order", "pk").values_list("application_id", "pk")
        for application_id, pk in rows:
            order[(application_id, slot)].append(pk)
    return order


def image_file_names(images, applications, row_order) -> list[tuple[object, str]]:
    """(image, its name in the zip): a folder per candidate, 报名号_姓名/, holding 字段[行号][-n].ext.

    The identity images are named as the candidate's 证件类型 has them, by the rule the form and the
    review screen read (completeness.ID_DOCUMENTS: 护照信息页, 港澳居民居住证正面); a row's images by
    the row's place in the form (`row_order`, from _row_order: 学历证书1 is the 参评学历); the second image
    of one field or row is -2. `images` come by application, slot and row id: a row no longer in the
    form is numbered after those that are."""
    slot_labels = dict(ImageSlot.choices)
    used = Counter()
    out = []
    for image in images:
        application = applications[image.application_id]
        sides = {side.slot: side.label for side in id_document(application).sides}
        label = sides.get(image.slot) or slot_labels.get(image.slot, image.slot).split("（")[0]
        if image.row_id is not None:
            rows = row_order[(image.application_id, image.slot)]
            if image.row_id not in rows:
                rows.append(image.row_id)
            label += str(rows.index(image.row_id) + 1)
        folder = f"{application.number or application.pk}_{_safe_name(application.name)}"
        base = f"{folder}/{_safe_name(label)}"
        used[base] += 1
        ext = os.path.splitext(image.file.name)[1].lower() or ".jpg"
        out.append((image, base + (f"-{used[base]}" if used[base] > 1 else "") + ext))
    return out


def _write_images(job, queryset, path):
    limit = getattr(settings, "EXPORT_IMAGES_MAX_APPLICATIONS", DEFAULT_IMAGES_MAX_APPLICATIONS)
    applications = {application.pk: application for application
                    in queryset.order_by("pk").only("pk", "number", "name", "id_type")[:limit + 1]}
    if len(applications) > limit:
        raise ValueError(f"一次最多打包{limit}名考生的图片，请缩小筛选范围。")
    images = list(ApplicationImage.objects.filter(application_id__in=list(applications)).order_by(
        "application_id", "slot", "row_id", "pk"))
    names = image_file_names(images, applications, _row_order(list(applications)))
    progress = _Progress(job, len(images))
    # Stored, not deflated: the images are JPEGs already. zipfile marks a name that is not ASCII as
    # UTF-8 (flag bit 11), which the Windows Explorer and 7-Zip read.
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for n, (image, name) in enumerate(names, start=1):
            with image.file.open("rb") as src, archive.open(name, "w") as dst:
                for block in iter(lambda src=src: src.read(1 << 16), b""):
                    dst.write(block)
            if n % 50 == 0:
                progress(n)
    who = _safe_name(next(iter(applications.values())).name) if len(applications) == 1 else f"{len(applications)}人"
    return len(images), f"证件图片_{who}_{today_stamp()}.zip"


WRITERS = {
    ExportKind.APPLICATIONS: _write_applications,
    ExportKind.CONFIRMATIONS: _write_confirmations,
    ExportKind.IMAGES: _write_images,
}


def sweep() -> None:
    """What each export does after its job, so expired files and lost jobs go even where no cron
    runs purge_exports."""
    purge_expired()
    abandon_stale()


def stale_after() -> timedelta:
    return timedelta(minutes=getattr(settings, "EXPORT_STALE_MINUTES", DEFAULT_STALE_MINUTES))


def lost_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "EXPORT_LOST_SECONDS", DEFAULT_LOST_SECONDS))


class ExportLost(Exception):
    """What the task row of a job failed by abandon_stale records as its error."""


def abandon_stale(*, owner=None, now=None) -> int:
    """Fail the jobs no worker will finish, so they stop holding their owner's places
    (services.MAX_ACTIVE_JOBS) and the page stops polling them:

    - lost: running, and its worker's heartbeat stopped EXPORT_LOST_SECONDS (60) ago (the worker
      was killed or its machine stopped);
    - stale: queued or running for longer than EXPORT_STALE_MINUTES (no worker runs, or one
      written before heartbeats, or an export that takes too long).

    A job that does end later still ends as done, unless its owner deleted it meanwhile (_run_taken_job).
    """
    now = now or timezone.now()
    active = ExportJob.objects.filter(status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING])
    if owner is not None:
        active = active.filter(owner=owner)
    cutoff = now - stale_after()
    stale = _fail(active.filter(Q(started_at__lt=cutoff) | Q(started_at__isnull=True, created_at__lt=cutoff)),
                  STALE_MESSAGE, now, {"minutes": int(stale_after().total_seconds() // 60)})
    lost = _fail(active.filter(status=ExportStatus.RUNNING, heartbeat_at__lt=now - lost_after()), LOST_MESSAGE, now,
                 {"heartbeat_seconds": int(lost_after().total_seconds())})
    remove_leftovers()
    return len(stale) + len(lost)


def _fail(jobs, message: str, now, details: dict) -> list[int]:
    """Fail the jobs, and the task rows still marked running for them, and record it with `details`;
    returns their ids."""
    found = dict(jobs.values_list("pk", "task_id"))
    if not found:
        return []
    ExportJob.objects.filter(pk__in=found, status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING]).update(
        status=ExportStatus.FAILED, error=message, finished_at=now)
    # A worker that died mid-task leaves its row of the database task backend RUNNING for ever:
    # mark it failed the way the worker itself does (DBTaskResult.set_failed). django-tasks-db
    # documents no call for this; the method is public and the worker's own.
    if isinstance(task_backends["default"], DatabaseBackend):  # run_export's backend
        for result in DBTaskResult.objects.running().filter(pk__in=[t for t in found.values() if t]):
            result.set_failed(ExportLost(message))
    record("export.abandoned", details={"jobs": list(found), **details}, outcome=Outcome.FAILURE,
           actor_name="system")
    return list(found)


@transaction.atomic
def purge_expired(now=None) -> int:
    """Delete the files of jobs past their expiry; the job rows stay as the record. The rows are
    locked as export_download and export_delete lock them: a job its owner deletes meanwhile is
    waited for and then no longer listed."""
    now = now or timezone.now()
    expired = list(ExportJob.objects.select_for_update().filter(status=ExportStatus.DONE, expires_at__lte=now))
    if not expired:
        return 0
    ExportJob.objects.filter(pk__in=[job.pk for job in expired]).update(status=ExportStatus.EXPIRED, file="")
    record("export.expired", details={"jobs": [job.pk for job in expired]}, actor_name="system")
    for job in expired:
        if job.file:
            default_storage.delete(job.file.name)
    return len(expired)
