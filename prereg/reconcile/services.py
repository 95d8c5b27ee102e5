"""Acts of 国网名单核对: upload a roster, confirm its columns and import it, ask for a list's export, remind.

Each takes the acting user, checks the permission table and the org, locks, writes the audit log,
in one transaction. The scope of an org is the submitted applications of its subtree that it may
see (Application.objects.visible_to, units below the org) and the current-year drafts of its units;
lines of the roster outside it are counted, never stored nor shown. Nothing is told of a number
beyond that scope (see reconcile).
"""

import csv
import io
import time
import uuid
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from prereg.accounts.permissions import require_function
from prereg.accounts.services import actor_held
from prereg.applications.models import Application, State
from prereg.audit.log import record
from prereg.audit.models import Outcome
from prereg.catalog.models import ExamYear, Specialty
from prereg.catalog.timeline import day_text
from prereg.core.logmask import mask_personal_numbers
from prereg.core.sheets import SheetError, one_line
from prereg.core.validators import is_id
from prereg.exports.models import ExportJob, ExportKind
from prereg.exports.runner import remove_quietly
from prereg.exports.services import export_request
from prereg.notify.models import Reminder, ReminderKind, RosterReminder
from prereg.notify.reminders import reminders_send
from prereg.orgs.models import Org

from . import columns
from .models import (
    FUNCTION,
    ListKind,
    MissingApplication,
    RosterMapping,
    RosterRow,
    RosterUpload,
    RowKind,
    UploadStatus,
)
from .roster_file import read_roster
from .selectors import DIFF_FIELDS, SUBMITTED_STATES, compare, current_upload, id_variants
from .tasks import run_roster_export

MAX_ROWS = 200_000
ERRORS_KEPT = 500
SAMPLE_LINES = 3
BATCH = 2000


def org_of(actor):
    """The org whose roster the actor works on (the pages check it too, before reading anything)."""
    if not actor.is_reviewer or not actor.org_id:
        raise PermissionDenied("仅审核机构的审核人员可以使用该功能。")
    return actor.org


def _current_year():
    year = ExamYear.current()
    if year is None:
        raise ValidationError("当前没有考试年度。")
    return year


def _lock_scope(org, actor):
    """One act at a time per org: uploads, imports and replacements of its roster queue here; then
    the actor's account (accounts.services.actor_held: orgs before accounts)."""
    Org.objects.select_for_update(no_key=True).filter(pk=org.pk).first()
    actor_held(actor)


# --- upload and column mapping ------------------------------------------------------------------


def remembered_mapping(org) -> dict[str, str]:
    """The mapping the org confirmed last (field -> header text), or {}."""
    return RosterMapping.objects.filter(org=org).values_list("mapping", flat=True).first() or {}


def proposed_mapping(org, header) -> dict[str, str]:
    """field -> header text: the org's remembered mapping where its headers are still there, the
    synonyms for the rest; one header serves one field."""
    remembered = remembered_mapping(org)
    mapping = {}
    for key, text in [*((f.key, remembered.get(f.key)) for f in columns.FIELDS), *columns.detect(header).items()]:
        if text and text in header and key not in mapping and text not in mapping.values():
            mapping[key] = text
    return mapping


def roster_upload(*, actor, file_name: str, content: bytes, request=None) -> RosterUpload:
    """Read the file and keep its cells: the mapping page shows the columns before anything is imported.

    The cells are kept as CSV text, whatever the uploaded format, each line after its row number
    in the sheet (STORED_SUFFIX): the import reads them back with the csv module. Each cell is one
    line of text (core.sheets.one_line: another system's export; its cells are listed and compared).
    The kept file is removed again when the row naming it is not committed: nothing else names it,
    so nothing would purge a file of full ID numbers (security probe, reconcile round 2)."""
    stored = []
    try:
        with transaction.atomic():
            return _roster_upload(actor=actor, file_name=file_name, content=content, request=request, stored=stored)
    except BaseException:
        for name in stored:
            remove_quietly(name)
        raise


def _roster_upload(*, actor, file_name, content, request, stored: list) -> RosterUpload:
    """roster_upload's work in its transaction; the kept file's name goes into `stored` once written."""
    require_function(actor, FUNCTION)
    org = org_of(actor)
    year = _current_year()
    try:
        roster = read_roster(file_name, content, max_rows=MAX_ROWS, remembered=remembered_mapping(org))
    except SheetError as exc:
        raise ValidationError(str(exc)) from exc
    _lock_scope(org, actor)
    for old in RosterUpload.objects.select_for_update().filter(org=org, status=UploadStatus.PENDING):
        _drop_file(old)
        old.delete()
    header = [one_line(cell) for cell in roster.header]
    lines = [(number, [one_line(cell) for cell in line]) for number, line in roster.lines]
    cells = io.StringIO()
    csv.writer(cells).writerows([["", *header], *([number, *line] for number, line in lines)])
    # A file the storage could not write whole (a full disk) is removed too: its name is known first.
    name = f"reconcile/{uuid.uuid4().hex}{STORED_SUFFIX}"
    stored.append(name)
    stored[-1] = default_storage.save(name, ContentFile(cells.getvalue().encode("utf-8")))
    upload = RosterUpload.objects.create(
        org=org, exam_year=year, uploaded_by=actor, file_name=PurePath(file_name).name[:150], file=stored[-1],
        header=header,
        sample=[[mask_personal_numbers(c) for c in line] for _number, line in lines[:SAMPLE_LINES]],
        mapping=proposed_mapping(org, header))
    record("reconcile.roster_uploaded", actor=actor, obj=upload, request=request,
           details={"file": upload.file_name, "columns": len(header), "rows": len(lines),
                    "year": year.year})
    return upload


# The kept cells of a pending upload: a CSV whose first column is the line's row number in the sheet.
STORED_SUFFIX = ".lines.csv"


def _stored_lines(upload) -> list[tuple[int, list[str]]]:
    """The lines roster_upload kept, (row number, cells); ValueError when the file is not of that kind."""
    if not upload.file.name.endswith(STORED_SUFFIX):
        raise ValueError("kept before the cells had their row numbers")
    with upload.file.open("rb") as handle:
        rows = csv.reader(io.StringIO(handle.read().decode("utf-8")))
        next(rows)  # the header, as upload.header holds it
        return [(int(number), line) for number, *line in rows]


def _drop_file(upload):
    if upload.file:
        name = upload.file.name
        transaction.on_commit(lambda: default_storage.delete(name))


def clean_columns(header, chosen: dict) -> dict[str, int]:
    """The chosen column (index into the header) of each field; raises ValidationError by field."""
    out, errors, used = {}, {}, {}
    for f in columns.FIELDS:
        value = chosen.get(f.key)
        if value in (None, ""):
            if f.required:
                errors[f.key] = f"请选择“{f.label}”所在的列。"
            continue
        try:
            index = int(value)
        except (TypeError, ValueError):
            index = -1
        if not 0 <= index < len(header):
            errors[f.key] = "所选的列不存在。"
        elif index in used:
            errors[f.key] = f"该列已对应“{used[index].label}”。"
        else:
            used[index] = f
            out[f.key] = index
    if errors:
        raise ValidationError(errors)
    return out


def parse_lines(body, chosen: dict[str, int], codes_by_name) -> tuple[list[RosterRow], list[list]]:
    """The lines of the sheet ((row number, cells)) as unsaved RosterRows (reconcile matches them),
    or the reasons each bad one is bad ([row number, reason])."""
    def cell(row, key, size=None):
        index = chosen.get(key)
        value = row[index].strip() if index is not None and index < len(row) else ""
        return value[:size] if size else value

    lines, errors, seen = [], [], {}
    has_status = "status" in chosen
    for number, row in body:
        reasons = []
        id_number = columns.normalise_id(cell(row, "id_number"))
        reason = columns.id_error(id_number)
        if reason:
            reasons.append(reason)
        elif id_number in seen:
            reasons.append(f"证件号码与第{seen[id_number]}行重复")
        else:
            seen[id_number] = number
        name = cell(row, "name")
        if not name:
            reasons.append("姓名为空")
        elif len(name) > 50:
            reasons.append("姓名过长")
        phone, phone_error = columns.normalise_phone(cell(row, "phone"))
        if phone_error:
            reasons.append(phone_error)
        if reasons:
            errors.append([number, "；".join(reasons)])
            continue
        specialty = cell(row, "specialty", 100)
        status = cell(row, "status", 30)
        lines.append(RosterRow(
            line=number, id_number=id_number, name=name, level=cell(row, "level", 30), specialty=specialty,
            specialty_code=columns.specialty_code(specialty, codes_by_name)[:20], serial=cell(row, "serial", 50),
            site=cell(row, "site", 100), status_text=status,
            confirmed=columns.confirmed(status) if has_status else None, phone=phone))
    return lines, errors


@dataclass
class ImportResult:
    ok: bool
    upload: RosterUpload  # when not ok, its bad lines: upload.errors


@transaction.atomic
def roster_import(*, actor, upload_id: int, chosen: dict, request=None) -> ImportResult:
    """Import a pending upload with the confirmed columns and reconcile it: every line, or none
    when one is bad. It replaces the roster in force for the org and year."""
    require_function(actor, FUNCTION)
    org = org_of(actor)
    _lock_scope(org, actor)
    upload = get_object_or_404(RosterUpload.objects.select_for_update(), pk=upload_id, org=org)
    if upload.status != UploadStatus.PENDING:
        raise ValidationError("该名单已核对或已被替换，请重新上传。")
    chosen = clean_columns(upload.header, chosen)
    started = time.perf_counter()
    upload.mapping = {key: upload.header[index] for key, index in chosen.items()}
    codes_by_name = {columns.compact(name): code for name, code in
                     Specialty.objects.filter(exam_year=upload.exam_year).values_list("name", "code") if code}
    try:
        body = _stored_lines(upload)
    except (OSError, ValueError, StopIteration) as exc:
        raise ValidationError("上传的文件已失效，请重新上传。") from exc
    lines, errors = parse_lines(body, chosen, codes_by_name)
    # Remembered even when lines are bad: the corrected file comes back with the same columns.
    RosterMapping.objects.update_or_create(org=org, defaults={"mapping": upload.mapping, "updated_by": actor})
    if errors:
        upload.errors, upload.error_count = errors[:ERRORS_KEPT], len(errors)
        upload.save(update_fields=["mapping", "errors", "error_count"])
        record("reconcile.roster_imported", actor=actor, obj=upload, request=request, outcome=Outcome.FAILURE,
               details={"file": upload.file_name, "bad_rows": len(errors)})
        return ImportResult(ok=False, upload=upload)

    replaced = []
    for old in RosterUpload.objects.select_for_update().filter(
            org=org, exam_year=upload.exam_year, status=UploadStatus.DONE).exclude(pk=upload.pk):
        RosterRow.objects.filter(upload=old).delete()
        MissingApplication.objects.filter(upload=old).delete()
        old.status = UploadStatus.REPLACED
        old.save(update_fields=["status"])
        replaced.append(old.pk)
    counts, outside = reconcile(upload=upload, lines=lines, actor=actor)
    _drop_file(upload)
    upload.file = ""
    upload.status, upload.imported_at = UploadStatus.DONE, timezone.now()
    upload.errors, upload.error_count = [], 0
    upload.total_rows, upload.outside_rows, upload.counts = len(lines), outside, counts
    upload.seconds = round(time.perf_counter() - started, 2)
    upload.save()
    record("reconcile.roster_imported", actor=actor, obj=upload, request=request,
           details={"file": upload.file_name, "rows": len(lines), "outside": outside, "counts": counts,
                    "replaced": replaced, "mapping": upload.mapping})
    return ImportResult(ok=True, upload=upload)


def reconcile(*, upload, lines: list[RosterRow], actor) -> tuple[dict, int]:
    """Match the lines with the applications by ID number and store the result: set-based, a
    handful of queries whatever the size (bench reconcile_s: 100,000 lines within 30 s).

    A line is in the org's scope when its ID number is that of a submitted application of the
    scope, or of a current-year draft whose unit is in the org's subtree (the hold 考生信息管理
    gives: applications.selectors.candidates_visible_to); else when the roster's 考点 column names
    a 考点 at or below the org or the 考点 the org is in, or no 考点 of the tree (the roster the org
    exported). Nothing else about a number is looked up: whether it has an account, or an
    application elsewhere in the province, is not the org's to learn, and a one-line roster would
    tell it (security probe F3). So a line of no draft here reads alike whatever the number, and the
    count outside the scope follows from the roster's own cells. Returns (counts per list, lines
    outside the scope)."""
    org, year = upload.org, upload.exam_year
    scope = (Application.objects.visible_to(actor)
             .filter(exam_year=year, unit__path__startswith=org.path, state__in=SUBMITTED_STATES)
             .values_list("pk", "id_number", "name", "level__name", "specialty__code", "specialty__name",
                          "unit_id", "candidate_id"))
    ours = {columns.normalise_id(row[1]): row for row in scope.iterator(chunk_size=5000)}
    unmatched = sorted({line.id_number for line in lines} - ours.keys())
    drafts = _drafts_here(year, org, unmatched)
    sites = _sites()
    own_site = _own_site(sites, org)
    rows, outside = [], 0
    counts = dict.fromkeys(ListKind.values, 0)
    for line in lines:
        app = ours.get(line.id_number)
        if app is not None:
            pk, _number, name, level_name, code, specialty_name, unit_id, candidate_id = app
            diffs = compare(line, name=name, level_name=level_name, specialty_code=code,
                            specialty_name=specialty_name, mapped=upload.mapping)
            if any(diffs.values()):
                counts[ListKind.DIFFERENT] += 1
            elif line.confirmed is not False:
                counts[ListKind.CONSISTENT] += 1
            if line.confirmed is False:
                counts[ListKind.UNCONFIRMED] += 1
            line.kind = RowKind.BOTH
            for key, differs in diffs.items():
                setattr(line, DIFF_FIELDS[key], differs)
        else:
            draft = drafts.get(line.id_number)
            if draft is None and not _site_in_scope(line.site, sites, org, own_site):
                outside += 1
                continue
            pk, unit_id, candidate_id = draft or (None, None, None)
            counts[ListKind.ONLY_NATIONAL] += 1
            line.kind = RowKind.ONLY_NATIONAL
        line.upload_id, line.application_id, line.candidate_id, line.unit_id = upload.pk, pk, candidate_id, unit_id
        rows.append(line)
    RosterRow.objects.bulk_create(rows, batch_size=BATCH)
    on_roster = {line.id_number for line in lines}
    missing = [MissingApplication(upload=upload, application_id=app[0])
               for number, app in ours.items() if number not in on_roster]
    MissingApplication.objects.bulk_create(missing, batch_size=BATCH)
    counts[ListKind.ONLY_PROVINCIAL] = len(missing)
    return counts, outside


def _drafts_here(year, org, numbers) -> dict:
    """For ID numbers not matched in the scope: this year's drafts whose unit is in the org's
    subtree, {normalised ID number: (application, unit, candidate)}. Looked up by the ID number
    alone and the year, state and unit checked here: with them in the WHERE clause SQLite scanned
    the year's index instead (bench reconcile_s: 0.1 s a chunk instead of a few ms)."""
    drafts = {}
    for start in range(0, len(numbers), 400):
        chunk = [v for n in numbers[start:start + 400] for v in id_variants(n)]
        for pk, number, year_id, state, unit_id, unit_path, candidate_id in (
                Application.objects.filter(id_number__in=chunk)
                .values_list("pk", "id_number", "exam_year_id", "state", "unit_id", "unit__path", "candidate_id")):
            if year_id == year.pk and state == State.DRAFT and unit_path and unit_path.startswith(org.path):
                drafts[columns.normalise_id(number)] = (pk, unit_id, candidate_id)
    return drafts


def _sites():
    """考点 of the tree by the place they name (泉州市卫生健康委员会 -> 泉州) and by their codes."""
    sites = {}
    for path, code, *names in Org.objects.filter(is_site=True).values_list("path", "code", "name", "short_name"):
        sites.setdefault(code, path)
        for name in names:
            if name:
                sites.setdefault(columns.place(name), path)
    return sites


def _own_site(sites, org) -> str:
    """The path of the 考点 the org is in: itself, or the nearest 考点 above it ('' if none)."""
    return max((path for path in set(sites.values()) if org.path.startswith(path)), key=len, default="")


def _site_in_scope(text, sites, org, own_site) -> bool:
    """By the roster's 考点 cell: a 考点 at or below the org, or the one the org is in (a 报名点's
    roster names its 考点); unknown text counts as the org's. A 考点 further up is another's: the
    province's 考点 (福建省卫生健康委员会) is that of the province-direct units, not of every org below it."""
    key = columns.place(text)
    if not key:
        return True
    path = sites.get(key)
    if path is None:
        found = {p for name, p in sites.items() if key in name or name in key}
        path = found.pop() if len(found) == 1 else None
    if path is None:
        return True
    return path.startswith(org.path) or path == own_site


# --- export -----------------------------------------------------------------------------------


@transaction.atomic
def roster_export_request(*, actor, kind: str, filters: dict, fmt: str = "xlsx", full_numbers: bool = False,
                          request=None) -> ExportJob:
    """Queue the export of one list of the roster in force as the list shows it (`filters`: its q,
    unit and diff, selectors.list_queryset): a job of the exports app, with its limits, masking rule,
    audit and expiry, whose file the exports worker writes (tasks.run_roster_export). The job names
    the roster: one replaced before the worker starts is not exported in its stead."""
    require_function(actor, FUNCTION)
    org = org_of(actor)
    upload = current_upload(org, _current_year())
    if upload is None:
        raise ValidationError("尚未上传国网名单。")
    kind = ListKind(kind)
    wanted = {"list": str(kind), "upload": upload.pk, **{key: value for key, value in filters.items() if value}}
    return export_request(actor=actor, kind=ExportKind.RECONCILE, format=fmt, filters=wanted,
                          full_numbers=full_numbers, task=run_roster_export, request=request)


# --- reminders --------------------------------------------------------------------------------


def _text(kind, name, year, org) -> str:
    site = settings.SITE_NAME
    if kind == ListKind.ONLY_NATIONAL:
        return (f"【{site}】{name}您好：您已在中国卫生人才网报名{year.name}卫生专业技术资格考试，但尚未在省网预报名"
                f"系统提交报名信息。只在一个网站报名视为未报名，请于{day_text(year.form_closes)}前在省网完成填报并提交。")
    return (f"【{site}】{name}您好：您已在省网提交{year.name}卫生专业技术资格考试预报名信息，但{org.name}核对的"
            f"中国卫生人才网报名名单中没有您。只在一个网站报名视为未报名，请于{day_text(year.national_closes)}前"
            f"在中国卫生人才网完成报名。")


@dataclass
class Target:
    key: int
    name: str
    id_number: str
    candidate_id: int | None
    application: Application | None
    phones: list
    obj: object


@transaction.atomic
def roster_remind(*, actor, kind: str, keys, expected_upload: int | None = None, request=None) -> dict:
    """SMS to the chosen people of a 只在一侧 list, at most REMINDERS_PER_YEAR per candidate and year
    counted with the reminders of 提醒考生 (notify.reminders). Of the 只在国网 list only those with
    a draft in the org's subtree are reminded: an SMS, or the answer about it, to a number of no
    draft here would tell whether it has an account or an application elsewhere (security probe F3).

    Returns {"sent": n, "skipped": [reason, …]}."""
    require_function(actor, FUNCTION)
    require_function(actor, "send_reminders")
    org = org_of(actor)
    year = _current_year()
    kind = ListKind(kind)
    if kind not in ListKind.remindable():
        raise ValidationError("该名单不发送提醒。")
    today = timezone.localdate()
    if kind == ListKind.ONLY_NATIONAL and not year.form_is_open(today):
        raise ValidationError(f"{year.name}省网填报已截止（或未开始），无法提醒考生到省网填报。")
    if kind == ListKind.ONLY_PROVINCIAL and not year.national_opens <= today <= year.national_closes:
        raise ValidationError(f"当前不在{year.name}国网报名时间内，无法提醒考生到国网报名。")
    if not all(is_id(str(k)) for k in keys):
        raise ValidationError("选择的考生有误。")
    ids = sorted({int(k) for k in keys})
    if not ids:
        raise ValidationError("请先勾选要提醒的考生。")
    upload = current_upload(org, year)
    if upload is None:
        raise ValidationError("尚未上传国网名单。")
    if expected_upload is not None and upload.pk != expected_upload:
        raise ValidationError("国网名单已重新上传，请在新名单中重新勾选。")
    # The actor's account, then row locks on the roster rows and the applications (as 提醒考生 takes
    # them): two reminders at once count right.
    actor_held(actor)
    targets = _targets(upload, kind, ids)
    locked = {a.pk: a for a in Application.objects.select_for_update(of=("self",)).filter(
        pk__in=[t.application.pk for t in targets if t.application]).select_related("candidate")}
    keys = {t.key for t in targets}
    skipped = [f"第{k}条：不在名单中，或不在本机构范围" for k in ids if k not in keys]
    sent, refused = reminders_send(
        year, [(t, t.id_number, t.candidate_id, t.name, next((p for p in t.phones if p), "")) for t in targets],
        lambda target: _text(kind, target.name, year, org))
    for target, message, nth in sent:
        application = locked.get(target.application.pk) if target.application else None
        if application is not None:
            reminder_kind = {State.DRAFT: ReminderKind.DRAFT, State.RETURNED: ReminderKind.RETURNED}.get(
                application.state, ReminderKind.NATIONAL)
            Reminder.objects.create(candidate_id=application.candidate_id, exam_year=year, application=application,
                                    kind=reminder_kind, sent_by=actor, org=org, sms=message)
        else:
            RosterReminder.objects.create(exam_year=year, id_number=target.id_number, candidate_id=target.candidate_id,
                                          sent_by=actor, org=org, sms=message)
        record("reconcile.reminder_sent", actor=actor, obj=target.obj, request=request,
               details={"list": kind, "nth": nth, "account": bool(target.candidate_id),
                        "phone_from": "account" if message.phone in target.phones[:-1] else "roster"})
    return {"sent": len(sent), "skipped": skipped + [reason for _target, reason in refused]}


def _targets(upload, kind, ids) -> list[Target]:
    if kind == ListKind.ONLY_PROVINCIAL:
        missing = (MissingApplication.objects.filter(upload=upload, pk__in=ids)
                   .select_related("application__candidate").order_by("pk"))
        return [Target(key=m.pk, name=m.application.name, id_number=columns.normalise_id(m.application.id_number),
                       candidate_id=m.application.candidate_id, application=m.application,
                       phones=[m.application.candidate.phone, m.application.phone, ""], obj=m.application)
                for m in missing]
    # Rows of a draft here only (reconcile): no other number of the roster is reminded.
    rows = (RosterRow.objects.select_for_update(of=("self",))
            .filter(upload=upload, kind=RowKind.ONLY_NATIONAL, pk__in=ids, application__isnull=False)
            .select_related("application", "candidate").order_by("pk"))
    # The account's phone (checked by an SMS code, corrected by 考生信息管理) before the form's and the one typed
    # on the 国网. The name is the one we hold, the draft's or else the account's, as for the 只在省网 list: the
    # roster's cell is whatever the reviewer's sheet says, and would go out under the system's signature
    # (security probe, reconcile round 2).
    return [Target(key=r.pk, name=r.application.name or (r.candidate.name if r.candidate else "") or "考生",
                   id_number=r.id_number, candidate_id=r.candidate_id,
                   application=r.application,
                   phones=[r.candidate.phone if r.candidate else "", r.application.phone if r.application else "",
                           r.phone], obj=r)
            for r in rows]
