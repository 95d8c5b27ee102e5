"""Column sets of the applications export, and the rows they produce.

One row per application, read in chunks of keys, with the names of dictionary entries looked
up in small in-memory maps rather than joined. Child rows (work, education, appointments,
trainings, others) are read per chunk, a query per table, and joined into one cell each, a line
per row written as the form describes the table (sections.ROW_TABLES); the eligibility set shows
fields of the first 学历 and 学位 instead.

Masking rule (design section 7, "unless the role needs them"; issue 16): every export masks ID
numbers and phones by default. The 考区 and the 考点 may ask for full numbers on one export,
because they check the roster against ID cards and paper forms at the on-site confirmation; the
request is audited as such. Who may ask is `full_numbers_for(user)`; the job keeps the answer.

A masked ID number keeps its first 4 and last 4 characters; the 8 it hides are the county's two
digits and the birth date, so a full 出生日期 beside it would give the number back (with the check
digit the county's digits follow in a few tries; security probe F1). A masked export therefore
prints the year of birth only, and of the 学信网在线验证码 (which opens the CHSI report naming the
full ID number) only whether one was given: 已填写, 无, or nothing.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Q
from django.utils import timezone

from prereg.accounts.models import IdType, Role
from prereg.applications.models import (
    STAGE_ORG_FIELD,
    Gender,
    Stage,
    State,
    Verdict,
    months_between,
    years_months,
)
from prereg.applications.sections import BY_KEY, ROW_MODELS, ROW_TABLES, RowTable
from prereg.applications.values import month_text, span_text
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
from prereg.core.masking import birth_text, chsi_text, mask_id_number, mask_phone
from prereg.core.sheets import FORMULA_START, csv_text
from prereg.orgs.models import Org

from .models import ColumnSet

CHUNK = 2000
FULL_NUMBER_ROLES = frozenset({Role.DISTRICT, Role.SITE})


def full_numbers_for(user) -> bool:
    """Whether the user may ask for full ID numbers and phones on an export (never the default)."""
    return user.role in FULL_NUMBER_ROLES


def may_export_images(user) -> bool:
    """Whether the user may have candidates' images packed (证件图片压缩包): the identity card's photo
    shows the whole number, so the zip is a full-number export, for the roles that may ask for one."""
    return full_numbers_for(user)


HEADERS = {
    ColumnSet.ROSTER: ["序号", "报名号", "姓名", "性别", "证件编号", "手机号码", "单位名称", "报考级别",
                       "申报专业", "专业代码", "状态", "审核环节", "考生签字"],
    ColumnSet.FULL: ["报名号", "姓名", "性别", "证件类型", "证件编号", "出生日期", "民族", "手机号码", "邮编",
                     "联系地址", "单位名称", "考试项目", "报考级别", "拟申报资格", "执业类别", "执业注册范围",
                     "执业注册年月", "申报专业", "专业代码", "执业变更情况", "现有资格", "现有资格取得年月",
                     "学信网在线验证码", "工作情况", "学历", "学位", "现有资格聘任情况", "住院医师规范化培训",
                     "全科医生规范化培训", "其他", "状态", "审核环节", "当前审核机构", "提交次数", "提交时间",
                     "审核通过时间", "退回原因", "资格初审"],
    ColumnSet.ELIGIBILITY: ["报名号", "姓名", "性别", "出生日期", "证件编号", "单位名称", "报考级别",
                            "拟申报资格", "执业类别", "执业注册范围", "执业注册年月", "申报专业", "参评学历",
                            "学历取得时间", "学历专业", "参评学位", "现有资格", "现有资格取得年月",
                            "取得现有资格年限", "现有资格聘任情况", "住院医师规范化培训", "全科医生规范化培训", "状态",
                            "审核环节", "退回原因", "资格初审", "资格初审说明"],
}
# The columns whose cells are numbers; every other cell is text, "" when empty.
NUMBER_COLUMNS = frozenset({"序号", "提交次数"})

# The Application columns the full record and the eligibility set read, by name.
FIELDS = ["pk", "number", "name", "gender", "id_type", "id_number", "birth_date", "ethnicity_id", "phone",
          "postcode", "address", "unit_id", "project_id", "level_id", "qualification_id", "category_id",
          "scope_id", "specialty_id", "practice_change", "current_qualification", "current_qualification_date",
          "chsi_code", "state", "stage", "unit_review_org_id", "point_org_id", "site_org_id", "district_org_id",
          "submission_round", "submitted_at", "approved_at", "returned_reason", "exam_year_id",
          "practice_registered", "verdict", "verdict_text"]
VERDICTS = dict(Verdict.choices)
# The column of the org an application waits for, by stage (当前审核机构).
STAGE_ORG_COLUMN = {stage: f"{field}_id" for stage, field in STAGE_ORG_FIELD.items()}
# The full record's child-row cells, row tables by key, in the order of HEADERS[FULL] (工作情况 … 其他).
CHILD_CELLS = ("work", "education", "degree", "appointment", "residency", "gp", "other")


def _local_time(value, tz=None) -> str:
    return f"{timezone.localtime(value, tz):%Y-%m-%d %H:%M}" if value else ""


class Lookups:
    """id → name maps for the small dictionaries an application points to."""

    def __init__(self, csv_safe=False):
        def names(model, field="name"):
            pairs = model.objects.values_list("pk", field)
            return {pk: csv_text(name) for pk, name in pairs} if csv_safe else dict(pairs)

        self.ethnicity = names(Ethnicity)
        self.project = names(ExamProject)
        self.level = names(ExamLevel)
        self.qualification = names(Qualification)
        self.category = names(PracticeCategory)
        self.scope = names(PracticeScope)
        self.specialty = names(Specialty)
        self.specialty_code = names(Specialty, "code")
        self.org = names(Org)
        self.cutoff = dict(ExamYear.objects.values_list("pk", "cutoff_date"))
        self.state = dict(State.choices)
        self.stage = dict(Stage.choices)
        self.gender = dict(Gender.choices)
        self.id_type = dict(IdType.choices)
        self.tz = timezone.get_current_timezone()


# The row tables by model: one query reads both tables a model holds (学历 and 学位, the two 规培),
# told apart by their kind.
TABLES_OF_MODEL = {model: [table for table in ROW_TABLES if table.model is model] for model in ROW_MODELS}


def child_rows(where: Q) -> dict:
    """Per application id, its rows by row table (sections.ROW_TABLES' keys), in the form's order:
    named rows of the table's columns. One query per model, of the rows `where` picks (a condition
    on `application`)."""
    out = defaultdict(lambda: defaultdict(list))
    for model, tables in TABLES_OF_MODEL.items():
        key_of_kind = {table.kind: table.key for table in tables}  # {None: key} for a model of one table
        kind = ["kind"] if None not in key_of_kind else []
        columns = dict.fromkeys(column for table in tables for column in table.columns)
        rows = model.objects.filter(where).order_by("application_id", "order", "pk").values_list(
            "application_id", *kind, *columns, named=True)
        for row in rows:
            out[row.application_id][key_of_kind[row.kind if kind else None]].append(row)
    return out


def row_line(table: RowTable, row) -> str:
    """A row of `table` as one line of its cell: the table's columns in the form's order, written
    as the confirmation form prints them (pdf._Printed.values), a date as its month and start and
    end as one span, joined by a space; an empty value is left out."""
    texts = []
    for column in table.columns:
        value = getattr(row, column)
        if column == "start":
            texts.append(span_text(row.start, row.end))
        elif column != "end":
            texts.append(month_text(value) if isinstance(value, datetime.date) else value)
    return " ".join(text for text in texts if text)


def _lines(children: dict, key: str) -> str:
    """One application's rows of the row table `key`, a line each."""
    table = BY_KEY[key]
    return "\n".join(row_line(table, row) for row in children.get(key, ()))


def _years_between(start, end) -> str:
    # The same count as the review screen and the confirmation form (applications.models).
    if not start or not end or end < start:
        return ""
    return years_months(months_between(start, end))


def full_record_row(app, lookups: Lookups, children: dict, full_numbers: bool) -> list:
    """The HEADERS[FULL] cells of `app` (a row of FIELDS) with its child_rows."""
    state = lookups.state.get(app.state, "")
    stage = lookups.stage.get(app.stage, "") if app.state == State.IN_REVIEW else ""
    current_org = lookups.org.get(getattr(app, STAGE_ORG_COLUMN[app.stage]), "") if stage else ""
    return [
        app.number or "", app.name, lookups.gender.get(app.gender, ""), lookups.id_type.get(app.id_type, app.id_type),
        app.id_number if full_numbers else mask_id_number(app.id_number), birth_text(app.birth_date, full_numbers),
        lookups.ethnicity.get(app.ethnicity_id, ""), app.phone if full_numbers else mask_phone(app.phone),
        app.postcode, app.address, lookups.org.get(app.unit_id, ""), lookups.project.get(app.project_id, ""),
        lookups.level.get(app.level_id, ""), lookups.qualification.get(app.qualification_id, ""),
        lookups.category.get(app.category_id, ""), lookups.scope.get(app.scope_id, ""),
        month_text(app.practice_registered), lookups.specialty.get(app.specialty_id, ""),
        lookups.specialty_code.get(app.specialty_id, ""),
        app.practice_change, app.current_qualification, month_text(app.current_qualification_date),
        chsi_text(app.chsi_code, full_numbers), *(_lines(children, key) for key in CHILD_CELLS), state, stage, current_org,
        app.submission_round, _local_time(app.submitted_at, lookups.tz), _local_time(app.approved_at, lookups.tz),
        app.returned_reason, VERDICTS.get(app.verdict, ""),
    ]


def eligibility_row(app, lookups: Lookups, children: dict, full_numbers: bool) -> list:
    """The HEADERS[ELIGIBILITY] cells of `app` (a row of FIELDS) with its child_rows: the 参评
    education and degree are the first rows of their kind."""
    education = (children.get("education") or [None])[0]
    degree = (children.get("degree") or [None])[0]
    qualified = app.current_qualification_date
    return [
        app.number or "", app.name, lookups.gender.get(app.gender, ""), birth_text(app.birth_date, full_numbers),
        app.id_number if full_numbers else mask_id_number(app.id_number), lookups.org.get(app.unit_id, ""),
        lookups.level.get(app.level_id, ""), lookups.qualification.get(app.qualification_id, ""),
        lookups.category.get(app.category_id, ""), lookups.scope.get(app.scope_id, ""),
        month_text(app.practice_registered), lookups.specialty.get(app.specialty_id, ""),
        f"{education.level} {education.school}" if education else "",
        month_text(education.obtained) if education else "", education.major if education else "",
        f"{degree.level} {degree.school}" if degree else "", app.current_qualification, month_text(qualified),
        _years_between(qualified, lookups.cutoff.get(app.exam_year_id)), _lines(children, "appointment"),
        _lines(children, "residency"), _lines(children, "gp"), lookups.state.get(app.state, ""),
        lookups.stage.get(app.stage, "") if app.state == State.IN_REVIEW else "", app.returned_reason,
        VERDICTS.get(app.verdict, ""), app.verdict_text,
    ]


ROW_BUILDERS = {ColumnSet.FULL: full_record_row, ColumnSet.ELIGIBILITY: eligibility_row}


def iter_chunks(queryset, fields=FIELDS) -> Iterator[tuple[list[tuple], object, int, int]]:
    """(rows, block, done, total): the queryset's `fields` as named tuples, CHUNK rows at a time, the
    queryset of that chunk (for the child rows' subqueries), and how many of how many rows are read.
    In primary-key order, or in the queryset's own where it has one (a list's sort, 导出本列表).

    The scope's keys are read first, then each chunk whole, as the scope between two of its keys:
    no query stays open between chunks. On SQLite a connection whose read began before another
    connection's write may not write itself ("database is locked"), and the job writes its
    progress after each chunk while its heartbeat thread writes on its own connection. A key
    range, not the chunk's 2,000 keys as parameters: binding them for the chunk and its five
    child tables took half of the full record's reading's CPU (`export_full_s`, bench export).
    A list's sort binds each chunk's keys (a list's export is a queue's or a city's, not the province's).
    """
    ordered = bool(queryset.query.order_by)
    keys = list((queryset if ordered else queryset.order_by("pk")).values_list("pk", flat=True))
    for start in range(0, len(keys), CHUNK):
        part = keys[start:start + CHUNK]
        if ordered:
            block = queryset.order_by().filter(pk__in=part)
            place = {pk: n for n, pk in enumerate(part)}
            chunk = sorted(block.values_list(*fields, named=True), key=lambda row: place[row.pk])
        else:
            block = queryset.filter(pk__gte=part[0], pk__lte=part[-1])
            chunk = list(block.order_by("pk").values_list(*fields, named=True))
        if chunk:  # empty only if all of them were deleted meanwhile
            yield chunk, block, start + len(part), len(keys)


ROSTER_FIELDS = ["pk", "number", "name", "gender", "id_number", "phone", "unit_id", "level_id", "specialty_id",
                 "state", "stage"]


def _keep(value):
    return value or ""


def _roster_chunks(queryset, lookups: Lookups, full_numbers: bool,
                   csv_safe: bool) -> Iterator[tuple[list, int, int]]:  # rows, done, total
    # The 花名册 is the export everyone makes: one list comprehension per chunk over few columns,
    # and every label pair (专业+代码, 状态+环节) one dictionary look-up.
    org, level, genders = lookups.org, lookups.level, lookups.gender
    specialty = {pk: (name, lookups.specialty_code.get(pk, "")) for pk, name in lookups.specialty.items()}
    status = {(state, stage): (label, lookups.stage.get(stage, "") if state == State.IN_REVIEW else "")
              for state, label in lookups.state.items() for stage in ["", *lookups.stage]}
    nothing = ("", "")
    mask_id, mask_ph = (_keep, _keep) if full_numbers else (mask_id_number, mask_phone)
    formula = FORMULA_START if csv_safe else frozenset()
    n = 0
    for chunk, _block, done, total in iter_chunks(queryset, ROSTER_FIELDS):
        yield [[i, number or "", "'" + name if name and name[0] in formula else name, genders.get(gender, ""),
                mask_id(id_number), mask_ph(phone), org.get(unit, ""), level.get(level_id, ""),
                *specialty.get(specialty_id, nothing), *status.get((state, stage), nothing), ""]
               for i, (_pk, number, name, gender, id_number, phone, unit, level_id, specialty_id, state, stage)
               in enumerate(chunk, start=n + 1)], done, total
        n += len(chunk)


def _guard(row: list) -> list:
    formula = FORMULA_START
    return [("'" + c if c and c[0] in formula else c) if c.__class__ is str else c for c in row]


def _record_chunks(queryset, columns, lookups: Lookups, full_numbers: bool,
                   csv_safe: bool) -> Iterator[tuple[list, int, int]]:
    build = ROW_BUILDERS[columns]
    for chunk, block, done, total in iter_chunks(queryset):
        # The chunk's key range as well as its keys: PostgreSQL then reads each child table's
        # range by its index instead of scanning the whole table for every chunk.
        keys = [app.pk for app in chunk]
        children = child_rows(Q(application__in=block.values("pk"), application__gte=min(keys),
                                application__lte=max(keys)))
        rows = [build(app, lookups, children.get(app.pk, {}), full_numbers) for app in chunk]
        yield ([_guard(row) for row in rows] if csv_safe else rows), done, total


def iter_row_chunks(queryset, columns: str, *, full_numbers: bool, csv_safe: bool = False,
                    progress=None) -> Iterator[list[list]]:
    """Export rows of a scoped, filtered queryset, a chunk (list of rows) at a time.

    `progress(done, total)` is called after each chunk: how many of the scope's rows are written.
    With `csv_safe`, a cell a spreadsheet would read as a formula gets a leading ' (dictionary
    names are guarded once, in Lookups).
    """
    lookups = Lookups(csv_safe=csv_safe)
    if columns == ColumnSet.ROSTER:
        chunks = _roster_chunks(queryset, lookups, full_numbers, csv_safe)
    else:
        chunks = _record_chunks(queryset, columns, lookups, full_numbers, csv_safe)
    for rows, done, total in chunks:
        yield rows
        if progress is not None:
            progress(done, total)


def iter_rows(queryset, columns: str, *, full_numbers: bool, csv_safe: bool = False) -> Iterator[list]:
    """Export rows of a scoped, filtered queryset, one at a time (see iter_row_chunks)."""
    for rows in iter_row_chunks(queryset, columns, full_numbers=full_numbers, csv_safe=csv_safe):
        yield from rows


def today_stamp() -> str:
    return f"{timezone.localtime():%Y%m%d%H%M}"
