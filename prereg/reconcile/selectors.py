"""Reading the reconciliation: the upload in force, its lists, one application's 国网 status, and
what 汇总提交 is about to forward without the roster holding it."""

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Q

from prereg.applications.models import State
from prereg.core.masking import mask_id_number, mask_phone
from prereg.core.sheets import csv_text
from prereg.core.validators import searched_name

from . import columns
from .models import (
    DIFFERENCES,
    ListKind,
    MissingApplication,
    RosterRow,
    RosterUpload,
    RowKind,
    UploadStatus,
)

# On both sites: 已退回 counts, the candidate has submitted and is fixing his form; a draft does not.
SUBMITTED_STATES = (State.IN_REVIEW, State.APPROVED, State.RETURNED)
DIFF_FIELDS = {key: f"{key}_differs" for key in DIFFERENCES}
ANY_DIFFERENCE = Q(level_differs=True) | Q(specialty_differs=True) | Q(name_differs=True)


def current_upload(org, exam_year):
    """The roster in force for the org and year, or None."""
    if org is None or exam_year is None:
        return None
    return (RosterUpload.objects.filter(org=org, exam_year=exam_year, status=UploadStatus.DONE)
            .select_related("uploaded_by").first())


def list_queryset(upload, kind, filters=None):
    """The rows of one list of `upload`, filtered: RosterRow for every list but 只在省网
    (MissingApplication). Filters: q (part of a name, or an ID number), unit (part of its name),
    diff (level/specialty/name, 信息不一致 only)."""
    filters = filters or {}
    kind = ListKind(kind)
    q = (filters.get("q") or "").strip()
    unit = (filters.get("unit") or "").strip()
    if kind == ListKind.ONLY_PROVINCIAL:
        rows = (MissingApplication.objects.filter(upload=upload)
                .select_related("application__unit", "application__level", "application__specialty",
                                "application__candidate")
                .order_by("application__unit__name", "application__name", "pk"))
        if q:
            rows = rows.filter(Q(application__name__contains=searched_name(q))
                               | Q(application__id_number__in=id_variants(columns.normalise_id(q))))
        if unit:
            rows = rows.filter(application__unit__name__contains=unit)
        return rows
    rows = RosterRow.objects.filter(upload=upload).select_related(
        "unit", "application__level", "application__specialty")
    if kind == ListKind.ONLY_NATIONAL:
        rows = rows.filter(kind=RowKind.ONLY_NATIONAL)
    else:
        rows = rows.filter(kind=RowKind.BOTH)
        if kind == ListKind.DIFFERENT:
            diff = filters.get("diff") or ""
            rows = rows.filter(**{DIFF_FIELDS[diff]: True}) if diff in DIFF_FIELDS else rows.filter(ANY_DIFFERENCE)
        elif kind == ListKind.UNCONFIRMED:
            rows = rows.filter(confirmed=False)
        else:
            rows = rows.exclude(ANY_DIFFERENCE).exclude(confirmed=False)
    if q:
        # A roster line's name is as the 国网 wrote it: looked for as typed, and as our names are stored.
        rows = rows.filter(Q(name__contains=searched_name(q)) | Q(name__contains=q)
                           | Q(id_number=columns.normalise_id(q)))
    if unit:
        rows = rows.filter(unit__name__contains=unit)
    return rows.order_by("line")


# --- one list as a file (导出本列表) -------------------------------------------------------------

EXPORT_CHUNK = 2000
PROVINCIAL_HEADER = ["姓名", "证件号码", "单位", "报考级别", "申报专业", "专业代码", "状态", "报名号", "手机号码"]
PROVINCIAL_FIELDS = ["application__name", "application__id_number", "application__unit__name",
                     "application__level__name", "application__specialty__name", "application__specialty__code",
                     "application__state", "application__number", "application__phone"]
ROSTER_HEADER = ["行号", "姓名（国网）", "证件号码", "报考级别（国网）", "报考专业（国网）", "报名序号", "考点", "国网状态",
                 "手机号（国网）", "单位"]
ROSTER_FIELDS = ["line", "name", "id_number", "level", "specialty", "serial", "site", "status_text", "phone",
                 "unit__name"]
MATCHED_HEADER = [*ROSTER_HEADER, "姓名（省网）", "报考级别（省网）", "申报专业（省网）", "不一致项"]
MATCHED_FIELDS = [*ROSTER_FIELDS, "application__name", "application__level__name", "application__specialty__code",
                  "application__specialty__name", *DIFF_FIELDS.values()]
NUMBER_COLUMNS = frozenset({"行号"})
STATES = dict(State.choices)


@dataclass
class ListTable:
    header: list[str]
    total: int
    chunks: Iterator[list[list]]  # the rows, EXPORT_CHUNK at a time


def list_table(upload, kind, filters=None, *, full_numbers: bool, csv_safe: bool = False) -> ListTable:
    """One list as list_queryset shows it (its filters, its order), as the rows of a file: ID numbers
    and phones masked unless `full_numbers` (prereg.exports.columns: the masking rule of every export);
    with `csv_safe`, a cell a spreadsheet would read as a formula guarded (the roster is another
    system's file).

    The list's keys are read first, in its order, then each chunk of them whole: memory stays flat
    whatever the list's length, and no query stays open between chunks (exports.columns.iter_chunks
    says why SQLite needs that). A chunk is read as the columns the file shows, not as the page's
    objects: five model instances a line took 13 of the 15 s of a 41,693-line list."""
    kind = ListKind(kind)
    queryset = list_queryset(upload, kind, filters)
    keys = list(queryset.values_list("pk", flat=True))
    show_id, show_phone = (_as_stored, _as_stored) if full_numbers else (mask_id_number, mask_phone)
    if kind == ListKind.ONLY_PROVINCIAL:
        header, fields = PROVINCIAL_HEADER, PROVINCIAL_FIELDS

        def line(name, id_number, unit, level, specialty, code, state, number, phone):
            return [name, show_id(id_number), unit or "", level or "", specialty or "", code or "",
                    STATES.get(state, ""), number or "", show_phone(phone)]
    elif kind == ListKind.ONLY_NATIONAL:
        header, fields = ROSTER_HEADER, ROSTER_FIELDS

        def line(number, name, id_number, level, specialty, serial, site, status, phone, unit):
            return [number, name, show_id(id_number), level, specialty, serial, site, status, show_phone(phone),
                    unit or ""]
    else:
        header, fields = MATCHED_HEADER, MATCHED_FIELDS

        def line(number, name, id_number, level, specialty, serial, site, status, phone, unit, app_name,
                 app_level, app_code, app_specialty, *differs):
            return [number, name, show_id(id_number), level, specialty, serial, site, status, show_phone(phone),
                    unit or "", app_name or "", app_level or "",
                    f"{app_code} {app_specialty}" if app_specialty is not None else "",
                    "、".join(label for label, flag in zip(DIFFERENCES.values(), differs, strict=True) if flag)]

    def chunks():
        for start in range(0, len(keys), EXPORT_CHUNK):
            wanted = keys[start:start + EXPORT_CHUNK]
            found = {pk: values for pk, *values in
                     queryset.filter(pk__in=wanted).order_by().values_list("pk", *fields)}
            rows = [line(*found[key]) for key in wanted if key in found]
            yield [[csv_text(cell) for cell in row] for row in rows] if csv_safe else rows

    return ListTable(header=header, total=len(keys), chunks=chunks())


def _as_stored(value):
    return value or ""


def id_variants(number: str) -> list[str]:
    """An application's ID number is stored normalised by the form (uppercase X); one stored before
    the form normalised it may have a lowercase x."""
    return sorted({number, number.upper(), number.lower()})


def compare(row, *, name, level_name, specialty_code, specialty_name, mapped) -> dict[str, bool]:
    """Which of 报考级别, 报考专业 (its code) and 姓名 differ between a roster line and an application.
    A field whose column was not mapped is not compared."""
    out = {"level": False, "specialty": False, "name": False}
    if "level" in mapped:
        out["level"] = columns.canonical_level(row.level) != columns.canonical_level(level_name)
    if "specialty" in mapped:
        if row.specialty_code and specialty_code:
            out["specialty"] = row.specialty_code != specialty_code
        else:
            out["specialty"] = columns.compact(row.specialty) != columns.compact(specialty_name)
    out["name"] = columns.normalise_name(row.name) != columns.normalise_name(name)
    return out


# --- one application (the review screen) --------------------------------------------------------


@dataclass
class NationalStatus:
    upload: RosterUpload | None
    found: bool = False
    confirmed: bool | None = None
    status_text: str = ""
    differences: list[str] = field(default_factory=list)
    roster_values: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        if self.upload is None:
            return "尚无国网名单"
        if not self.found:
            return "国网名单中没有（只在省网）"
        if self.differences:
            return "信息不一致"
        if self.confirmed is False:
            return "国网未确认"
        return "一致"


def rosters_of(org, exam_year_ids) -> list[RosterUpload]:
    """The rosters in force a reviewer of `org` reads, nearest first: the org's own (the one whose lists
    it opens), then those of the orgs above it. Never a lower org's: a 报名点's roster holds its own
    lines only, and what the 考点 sees must not change with what a 报名点 below uploaded last."""
    if org is None:
        return []
    ids = [int(p) for p in org.path.strip("/").split("/") if p]
    uploads = RosterUpload.objects.filter(org_id__in=ids, exam_year_id__in=exam_year_ids, status=UploadStatus.DONE)
    return sorted(uploads.select_related("org"), key=lambda upload: -len(upload.org.path))


def roster_covering(rosters, exam_year_id, unit_path) -> RosterUpload | None:
    """Of `rosters` (rosters_of), the nearest of the year whose org has the unit in its subtree."""
    return next((upload for upload in rosters if upload.exam_year_id == exam_year_id and unit_path
                 and unit_path.startswith(upload.org.path)), None)


def status_for(application, *, org) -> NationalStatus:
    """The application's 国网 status, to a reviewer of `org`, in the roster it reads for the unit
    (roster_covering), compared now."""
    upload = roster_covering(rosters_of(org, [application.exam_year_id]), application.exam_year_id,
                             application.unit.path if application.unit_id else "")
    if upload is None:
        return NationalStatus(upload=None)
    row = RosterRow.objects.filter(upload=upload, id_number=columns.normalise_id(application.id_number)).first()
    if row is None:
        return NationalStatus(upload=upload)
    diffs = compare(row, name=application.name, level_name=application.level.name if application.level_id else "",
                    specialty_code=application.specialty.code if application.specialty_id else "",
                    specialty_name=application.specialty.name if application.specialty_id else "",
                    mapped=upload.mapping)
    return NationalStatus(upload=upload, found=True, confirmed=row.confirmed, status_text=row.status_text,
                          differences=[DIFFERENCES[k] for k, v in diffs.items() if v],
                          roster_values={"姓名": row.name, "报考级别": row.level, "报考专业": row.specialty,
                                         "报名序号": row.serial})


# --- 汇总提交 ----------------------------------------------------------------------------------


@dataclass
class ForwardCheck:
    missing: list[str] = field(default_factory=list)  # names of the applications the roster lacks
    uncovered: int = 0  # applications no roster covers yet
    rosters: list[RosterUpload] = field(default_factory=list)  # those the missing ones were checked against
    own: bool = False  # all of them the org's own: its 只在省网 list is theirs


CHUNK = 500


def forward_check(applications, *, org) -> ForwardCheck:
    """Of `applications` (those 汇总提交 of `org` would forward), which the roster a reviewer of the org
    reads for each one (roster_covering, as the review screen) lacks, and how many no roster covers:
    a few queries for the whole batch."""
    apps = list(applications.values_list("exam_year_id", "unit__path", "id_number", "name"))
    check = ForwardCheck()
    rosters = rosters_of(org, {a[0] for a in apps})
    wanted = {}  # upload id -> normalised ID numbers to look up
    owner = []
    for year_id, unit_path, number, name in apps:
        upload = roster_covering(rosters, year_id, unit_path)
        if upload is None:
            check.uncovered += 1
            continue
        key = columns.normalise_id(number)
        wanted.setdefault(upload.pk, set()).add(key)
        owner.append((upload.pk, key, name))
    present = set()
    for upload_id, numbers in wanted.items():
        numbers = sorted(numbers)
        for start in range(0, len(numbers), CHUNK):
            present.update((upload_id, n) for n in RosterRow.objects.filter(
                upload_id=upload_id, id_number__in=numbers[start:start + CHUNK]).values_list("id_number", flat=True))
    lacking = [(upload_id, name) for upload_id, key, name in owner if (upload_id, key) not in present]
    check.missing = [name for _upload_id, name in lacking]
    check.rosters = [upload for upload in rosters if upload.pk in {upload_id for upload_id, _name in lacking}]
    check.own = all(upload.org_id == org.pk for upload in check.rosters)
    return check

