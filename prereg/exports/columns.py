"""Column sets of the applications export, and the rows they produce.

One row per application; child rows (work, education, appointments, trainings, others) are
joined into one cell, one line per row: the full record reads those cells kept beside each
application (applications.rowtext), the eligibility set reads the rows. Rows are read by one
cursor in chunks, with names of dictionary entries resolved from small in-memory maps rather than
joins. On PostgreSQL the roster and full-record CSV skip all this: csv_copy has the database write them.

Masking rule (design section 7, "unless the role needs them"; issue 16): every export masks ID
numbers and phones by default. The 考区 and the 考点 may ask for full numbers on one export,
because they check the roster against ID cards and paper forms at the on-site confirmation; the
request is audited as such. Who may ask is `full_numbers_for(user)`; the job keeps the answer.
"""

from collections import defaultdict
from collections.abc import Iterator
from itertools import islice

from django.utils import timezone

from prereg.accounts import permissions
from prereg.accounts.models import Role
from prereg.applications import rowtext
from prereg.applications.models import STAGE_ORG_FIELD, Gender, Stage, State, months_between, years_months
from prereg.catalog.models import (
    Ethnicity,
    ExamLevel,
    ExamProject,
    ExamYear,
    PracticeCategory,
    PracticeScope,
    Qualification,
    Specialty,
)
from prereg.core.masking import mask_id_number, mask_phone
from prereg.orgs.models import Org

from .models import ColumnSet

CHUNK = 2000
FULL_NUMBER_ROLES = frozenset({Role.DISTRICT, Role.SITE})
# If the lead adds this function to the permission table, 配置角色权限 decides instead of the roles above.
FULL_NUMBER_FUNCTION = "export_full_numbers"


def full_numbers_for(user) -> bool:
    """Whether the user may ask for full ID numbers and phones on an export (never the default)."""
    if FULL_NUMBER_FUNCTION in permissions.TABLE:
        return permissions.has_function(user, FULL_NUMBER_FUNCTION)
    return user.role in FULL_NUMBER_ROLES


HEADERS = {
    ColumnSet.ROSTER: ["序号", "报名号", "姓名", "性别", "证件编号", "手机号码", "单位名称", "报考级别",
                       "申报专业", "专业代码", "状态", "审核环节", "考生签字"],
    ColumnSet.FULL: ["报名号", "姓名", "性别", "证件类型", "证件编号", "出生日期", "民族", "手机号码", "邮编",
                     "联系地址", "单位名称", "考试项目", "报考级别", "拟申报资格", "执业类别", "执业注册范围",
                     "申报专业", "专业代码", "执业变更情况", "现有资格", "现有资格取得年月", "学信网在线验证码",
                     "工作情况", "学历", "学位", "现有资格聘任情况", "住院医师规范化培训", "全科医生规范化培训",
                     "其他", "状态", "审核环节", "当前审核机构", "提交次数", "提交时间", "审核通过时间",
                     "退回原因"],
    ColumnSet.ELIGIBILITY: ["报名号", "姓名", "性别", "出生日期", "证件编号", "单位名称", "报考级别",
                            "拟申报资格", "执业类别", "执业注册范围", "申报专业", "参评学历", "学历取得时间",
                            "学历专业", "参评学位", "现有资格", "现有资格取得年月", "取得现有资格年限",
                            "现有资格聘任情况", "住院医师规范化培训", "全科医生规范化培训", "状态", "审核环节",
                            "退回原因"],
}

# The Application columns read for every set (positions used below through FIELD_INDEX).
FIELDS = ["pk", "number", "name", "gender", "id_type", "id_number", "birth_date", "ethnicity_id", "phone",
          "postcode", "address", "unit_id", "project_id", "level_id", "qualification_id", "category_id",
          "scope_id", "specialty_id", "practice_change", "current_qualification", "current_qualification_date",
          "chsi_code", "state", "stage", "unit_review_org_id", "point_org_id", "site_org_id", "district_org_id",
          "submission_round", "submitted_at", "approved_at", "returned_reason", "exam_year_id"]
I = {name: i for i, name in enumerate(FIELDS)}  # noqa: E741 - a short index is clearer in the row builders
STAGE_INDEX = {stage: I[field + "_id"] for stage, field in STAGE_ORG_FIELD.items()}
# The full record reads its child-row cells kept beside each application (applications.rowtext);
# the eligibility set reads the rows themselves (it shows fields of the first 学历 and 学位).
ROW_TEXT_FIELDS = [f"row_text__{cell}" for cell in rowtext.CELLS]
ROW_TEXT_AT = len(FIELDS)


def _d(value) -> str:
    return value.isoformat() if value else ""


_ym = rowtext.ym


def _dt(value, tz=None) -> str:
    return f"{timezone.localtime(value, tz):%Y-%m-%d %H:%M}" if value else ""


class Lookups:
    """id → name maps for the small dictionaries an application points to."""

    def __init__(self, csv_safe=False):
        def names(model):
            pairs = model.objects.values_list("pk", "name")
            return {pk: csv_text(name) for pk, name in pairs} if csv_safe else dict(pairs)

        self.ethnicity = names(Ethnicity)
        self.project = names(ExamProject)
        self.level = names(ExamLevel)
        self.qualification = names(Qualification)
        self.category = names(PracticeCategory)
        self.scope = names(PracticeScope)
        self.specialty = names(Specialty)
        codes = Specialty.objects.values_list("pk", "code")
        self.specialty_code = {pk: csv_text(code) for pk, code in codes} if csv_safe else dict(codes)
        self.org = names(Org)
        self.cutoff = dict(ExamYear.objects.values_list("pk", "cutoff_date"))
        self.state = dict(State.choices)
        self.stage = dict(Stage.choices)
        self.gender = dict(Gender.choices)
        from prereg.accounts.models import IdType

        self.id_type = dict(IdType.choices)
        self.tz = timezone.get_current_timezone()


class _ChildStream:
    """One child table's rows for the whole scope, in application order, handed out chunk by chunk.

    One query per table for the whole export (the scope as a subquery) instead of one per chunk
    with two thousand ids in an IN list: building and sending those lists cost more than the rows.
    """

    def __init__(self, rows):
        self.rows = iter(rows)
        self.head = next(self.rows, None)

    def upto(self, last_id) -> list[tuple]:
        out, head, rows = [], self.head, self.rows
        while head is not None and head[0] <= last_id:
            out.append(head)
            head = next(rows, None)
        self.head = head
        return out


def _child_streams(queryset) -> dict:
    scope = queryset.order_by().values("pk")
    return {source: _ChildStream(model.objects.filter(application_id__in=scope).order_by(
                "application_id", "order", "pk").values_list("application_id", *fields).iterator(chunk_size=CHUNK))
            for source, (model, fields) in rowtext.SOURCES.items()}


def _children(streams: dict, last_id) -> dict:
    """Per application id up to `last_id`, its rows sorted into cells (rowtext.add_rows)."""
    out = defaultdict(lambda: defaultdict(list))
    for source, stream in streams.items():
        rowtext.add_rows(out, source, stream.upto(last_id))
    return out


def _years_between(start, end) -> str:
    # The same count as the review screen and the confirmation form (applications.models).
    if not start or not end or end < start:
        return ""
    return years_months(months_between(start, end))


def build_row(columns: str, r: tuple, n: int, lk: Lookups, kids, full_numbers: bool) -> list:
    """One export row of `r` (FIELDS). `kids`: the full record's rowtext.CELLS texts, or the
    eligibility set's rows by cell (_children)."""
    id_number = r[I["id_number"]] if full_numbers else mask_id_number(r[I["id_number"]])
    phone = r[I["phone"]] if full_numbers else mask_phone(r[I["phone"]])
    unit = lk.org.get(r[I["unit_id"]], "")
    state = lk.state.get(r[I["state"]], "")
    stage = lk.stage.get(r[I["stage"]], "") if r[I["state"]] == State.IN_REVIEW else ""
    gender = lk.gender.get(r[I["gender"]], "")
    if columns == ColumnSet.ROSTER:
        return [n, r[I["number"]] or "", r[I["name"]], gender, id_number, phone, unit,
                lk.level.get(r[I["level_id"]], ""), lk.specialty.get(r[I["specialty_id"]], ""),
                lk.specialty_code.get(r[I["specialty_id"]], ""), state, stage, ""]
    if columns == ColumnSet.FULL:
        current_org = ""
        if stage:
            current_org = lk.org.get(r[STAGE_INDEX[r[I["stage"]]]], "")
        return [
            r[I["number"]] or "", r[I["name"]], gender, lk.id_type.get(r[I["id_type"]], r[I["id_type"]]),
            id_number, _d(r[I["birth_date"]]), lk.ethnicity.get(r[I["ethnicity_id"]], ""), phone,
            r[I["postcode"]], r[I["address"]], unit, lk.project.get(r[I["project_id"]], ""),
            lk.level.get(r[I["level_id"]], ""), lk.qualification.get(r[I["qualification_id"]], ""),
            lk.category.get(r[I["category_id"]], ""), lk.scope.get(r[I["scope_id"]], ""),
            lk.specialty.get(r[I["specialty_id"]], ""), lk.specialty_code.get(r[I["specialty_id"]], ""),
            r[I["practice_change"]], r[I["current_qualification"]], _ym(r[I["current_qualification_date"]]),
            r[I["chsi_code"]], *kids, state, stage, current_org, r[I["submission_round"]], _dt(r[I["submitted_at"]], lk.tz),
            _dt(r[I["approved_at"]], lk.tz), r[I["returned_reason"]],
        ]
    # ELIGIBILITY: the 参评 education and degree are the first rows of their kind.
    kids = kids or {}
    education = (kids.get("education") or [None])[0]
    degree = (kids.get("degree") or [None])[0]
    qualified = r[I["current_qualification_date"]]
    return [
        r[I["number"]] or "", r[I["name"]], gender, _d(r[I["birth_date"]]), id_number, unit,
        lk.level.get(r[I["level_id"]], ""), lk.qualification.get(r[I["qualification_id"]], ""),
        lk.category.get(r[I["category_id"]], ""), lk.scope.get(r[I["scope_id"]], ""),
        lk.specialty.get(r[I["specialty_id"]], ""),
        f"{education[0]} {education[2]}" if education else "", _ym(education[1]) if education else "",
        education[4] if education else "", f"{degree[0]} {degree[2]}" if degree else "",
        r[I["current_qualification"]], _ym(qualified),
        _years_between(qualified, lk.cutoff.get(r[I["exam_year_id"]])),
        "\n".join(kids.get("appointment", ())), "\n".join(kids.get("residency", ())),
        "\n".join(kids.get("gp", ())), state, stage, r[I["returned_reason"]],
    ]


def iter_chunks(queryset, fields=FIELDS) -> Iterator[list[tuple]]:
    """The queryset's `fields` in primary-key order, CHUNK rows at a time.

    One query read through a cursor (server-side on PostgreSQL, declared WITH HOLD outside a
    transaction; fetchmany on SQLite, whose WAL readers never block writers). Paging by key
    instead would re-run the scope's OR over four indexes and re-sort the rest on every page.
    """
    rows = queryset.order_by("pk").values_list(*fields).iterator(chunk_size=CHUNK)
    while chunk := list(islice(rows, CHUNK)):
        yield chunk


def csv_text(value):
    """A cell a spreadsheet would read as a formula gets a leading ' (CSV injection)."""
    if value and value[0] in FORMULA_START:
        return "'" + value
    return value


# Characters that make a spreadsheet cell a formula. Only CSV needs the guard: the xlsx writer
# stores every string as a string (strings_to_formulas off).
FORMULA_START = frozenset("=+-@\t\r")
ROSTER_FIELDS = ["pk", "number", "name", "gender", "id_number", "phone", "unit_id", "level_id", "specialty_id",
                 "state", "stage"]


def _keep(value):
    return value or ""


def _roster_chunks(queryset, lk: Lookups, full_numbers: bool, csv_safe: bool) -> Iterator[tuple[list, int, int]]:
    # The 花名册 is the export everyone makes: one list comprehension per chunk over few columns,
    # and every label pair (专业+代码, 状态+环节) one dictionary look-up.
    org, level, genders = lk.org, lk.level, lk.gender
    specialty = {pk: (name, lk.specialty_code.get(pk, "")) for pk, name in lk.specialty.items()}
    status = {(state, stage): (label, lk.stage.get(stage, "") if state == State.IN_REVIEW else "")
              for state, label in lk.state.items() for stage in ["", *lk.stage]}
    nothing = ("", "")
    mask_id, mask_ph = (_keep, _keep) if full_numbers else (mask_id_number, mask_phone)
    formula = FORMULA_START if csv_safe else frozenset()
    n = 0
    for chunk in iter_chunks(queryset, ROSTER_FIELDS):
        yield [[i, number or "", "'" + name if name and name[0] in formula else name, genders.get(gender, ""),
                mask_id(id_number), mask_ph(phone), org.get(unit, ""), level.get(lvl, ""),
                *specialty.get(sp, nothing), *status.get((state, stage), nothing), ""]
               for i, (_pk, number, name, gender, id_number, phone, unit, lvl, sp, state, stage)
               in enumerate(chunk, start=n + 1)], chunk[0][0], chunk[-1][0]
        n += len(chunk)


def _guard(row: list) -> list:
    formula = FORMULA_START
    return [("'" + c if c and c[0] in formula else c) if c.__class__ is str else c for c in row]


def iter_row_chunks(queryset, columns: str, *, full_numbers: bool, csv_safe: bool = False,
                    progress=None) -> Iterator[list[list]]:
    """Export rows of a scoped, filtered queryset, a chunk (list of rows) at a time.

    `progress(done, first_pk, last_pk)` is called after each chunk (rows come in primary-key order). With `csv_safe`, a cell a spreadsheet would read
    as a formula gets a leading ' (dictionary names are guarded once, in Lookups).
    """
    lookups = Lookups(csv_safe=csv_safe)
    n = 0
    if columns == ColumnSet.ROSTER:
        chunks = _roster_chunks(queryset, lookups, full_numbers, csv_safe)
    else:
        chunks = _record_chunks(queryset, columns, lookups, full_numbers, csv_safe)
    for rows, first_pk, last_pk in chunks:
        n += len(rows)
        yield rows
        if progress is not None:
            progress(n, first_pk, last_pk)


def full_record_cells(chunk: list[tuple]) -> dict:
    """Per application of a chunk read with ROW_TEXT_FIELDS, its child-row cells: those kept, or
    read from the rows for one whose were dropped since the export filled them."""
    lost = [r[0] for r in chunk if r[ROW_TEXT_AT] is None]
    read = rowtext.cells_of(lost) if lost else {}
    return {r[0]: r[ROW_TEXT_AT:] if r[ROW_TEXT_AT] is not None else read[r[0]] for r in chunk}


def _record_chunks(queryset, columns, lk: Lookups, full_numbers: bool, csv_safe: bool) -> Iterator[tuple[list, int, int]]:
    full = columns == ColumnSet.FULL
    streams = _child_streams(queryset) if columns == ColumnSet.ELIGIBILITY else None
    n = 0
    for chunk in iter_chunks(queryset, FIELDS + ROW_TEXT_FIELDS if full else FIELDS):
        kids = full_record_cells(chunk) if full else _children(streams, chunk[-1][0])
        rows = [build_row(columns, r, i, lk, kids.get(r[0]), full_numbers) for i, r in enumerate(chunk, start=n + 1)]
        n += len(chunk)
        yield ([_guard(row) for row in rows] if csv_safe else rows), chunk[0][0], chunk[-1][0]


def iter_rows(queryset, columns: str, *, full_numbers: bool, csv_safe: bool = False, progress=None) -> Iterator[list]:
    """Export rows of a scoped, filtered queryset, one at a time (see iter_row_chunks)."""
    for rows in iter_row_chunks(queryset, columns, full_numbers=full_numbers, csv_safe=csv_safe, progress=progress):
        yield from rows


def today_stamp() -> str:
    return f"{timezone.localtime():%Y%m%d%H%M}"
