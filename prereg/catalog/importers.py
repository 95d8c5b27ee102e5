"""The year's catalogue as a table: one row per entry, read from CSV or xlsx, written as xlsx.

The same table is the downloadable template, the import format and the way a new year copies
last year's catalogue. Import checks every row first and writes nothing if any row is bad;
then it creates or updates the entries it names and disables (never deletes) the year's
entries it does not name, so applications keep the entries they reference.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from prereg.core import sheets
from prereg.core.validators import clean_line

from .models import (
    DictEntry,
    DictKind,
    ExamLevel,
    ExamYear,
    PracticeCategory,
    PracticeScope,
    Qualification,
    Specialty,
)

COLUMNS = ["类型", "名称", "代码", "报考级别", "拟申报资格", "执业类别", "适用执业注册范围", "系列", "有执业范围", "已核对",
           "启用", "考试项目"]
LEVEL, QUALIFICATION, CATEGORY, SCOPE, SPECIALTY = "报考级别", "拟申报资格", "执业类别", "执业注册范围", "申报专业"
DICT_KINDS = {label: value for value, label in DictKind.choices}
KINDS = [LEVEL, QUALIFICATION, CATEGORY, SCOPE, SPECIALTY, *DICT_KINDS]
YES, NO = "是", "否"
SCOPE_SEPARATOR = "|"  # between the 执业注册范围 of a 申报专业 (a scope's own name may hold "、")
MAX_ROWS = 20000
MAX_BYTES = 5 * 1024 * 1024


class CatalogueFileError(Exception):
    """The file cannot be read at all (not a table, wrong columns)."""


@dataclass
class ImportResult:
    errors: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    disabled: int = 0
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


# ---------------------------------------------------------------- reading

def read_table(filename: str, content: bytes, columns=COLUMNS, required=("类型", "名称")) -> list[dict]:
    """Rows as {column: text} from a .csv (UTF-8 or GB18030) or .xlsx file (prereg.core.sheets);
    row 1 is the header, of `columns`."""
    try:
        header, body = sheets.read_table(filename, content, max_rows=MAX_ROWS, max_bytes=MAX_BYTES)
    except sheets.SheetError as exc:
        raise CatalogueFileError(str(exc)) from exc
    missing = [c for c in required if c not in header]
    if missing:
        raise CatalogueFileError(f"第1行（表头）缺少列：{'、'.join(missing)}。请使用下载的模板。")
    unknown = [c for c in header if c and c not in columns]
    if unknown:
        raise CatalogueFileError(f"第1行（表头）有无法识别的列：{'、'.join(unknown)}。")
    return [{col: cells[i] for i, col in enumerate(header) if col} for cells in body]


# ---------------------------------------------------------------- checking

FLAG_DEFAULTS = {"启用": True, "有执业范围": True, "已核对": False}  # what a blank cell means


def _flag(value: str, default: bool) -> bool | None:
    if value == "":
        return default
    return {YES: True, NO: False, "1": True, "0": False}.get(value)


def _parent_problems(kind: str, parent_kind: str, parent: str, defined: set) -> list[str]:
    """A row of `kind` names its parent, which an earlier row of the file defines."""
    if not parent:
        return [f"{kind}必须填写所属{parent_kind}"]
    if parent not in defined:
        return [f"{parent_kind}“{parent}”未在本文件前面的行中定义"]
    return []


def _cleaned_cells(row: dict) -> tuple[dict, list[str]]:
    """A row's cells read as the entry form reads its fields (core.validators.clean_line): zero-width and
    direction characters dropped, spaces made one; a cell with a control character is the row's problem,
    named by its column (and left as it is, so it is not also said to be blank)."""
    cells, problems = {}, []
    for column, value in row.items():
        try:
            cells[column] = clean_line(value)
        except ValidationError as exc:
            cells[column] = value
            problems.append(f"{column}{exc.messages[0].rstrip('。')}")
    return cells, problems


def check_rows(rows: list[dict], projects: dict | None = None) -> tuple[list[str], list[dict]]:
    """Row-level Chinese errors (row numbers as in the file, header = 1) and the cleaned rows.

    `projects` maps the code and the name of each of the year's 考试项目 to it: a 报考级别 row may
    name the project it belongs to (blank: offered under every project)."""
    projects = projects or {}
    errors, clean = [], []
    seen: dict[tuple, int] = {}
    levels, qualifications, categories, scopes = set(), set(), set(), set()
    for number, typed in enumerate(rows, start=2):
        row, problems = _cleaned_cells(typed)
        get = lambda col, r=row: r.get(col, "")  # noqa: E731
        kind, name, code = get("类型"), get("名称"), get("代码")
        if kind not in KINDS:
            problems.append(f"类型“{kind}”无法识别（可填：{'、'.join(KINDS)}）" if kind else "类型不能为空")
        if not name:
            problems.append("名称不能为空")
        elif len(name) > 60:
            problems.append("名称不能超过60个字")
        if len(code) > 20:
            problems.append("代码不能超过20个字符")
        flags = {column: _flag(get(column), default) for column, default in FLAG_DEFAULTS.items()}
        problems += [f"“{column}”只能填“是”或“否”" for column, value in flags.items() if value is None]
        level, qualification, category = get("报考级别"), get("拟申报资格"), get("执业类别")
        open_to = ([name.strip() for name in get("适用执业注册范围").split(SCOPE_SEPARATOR) if name.strip()]
                   if kind == SPECIALTY else [])
        project = get("考试项目")
        if project and kind != LEVEL:
            problems.append("只有报考级别行可以填写考试项目")
        elif project and project not in projects:
            problems.append(f"考试项目“{project}”不是本年度的考试项目"
                            + (f"（可填：{'、'.join(sorted({p.code for p in projects.values()}))}）" if projects else ""))
        # A row repeats an earlier one of the same kind and name (a child kind: under the same parent;
        # a 申报专业: the same code under the same 拟申报资格).
        key = (kind, name) if kind in KINDS else None
        if kind == QUALIFICATION:
            problems += _parent_problems(QUALIFICATION, LEVEL, level, levels)
            key = (kind, level, name)
        elif kind == SCOPE:
            problems += _parent_problems(SCOPE, CATEGORY, category, categories)
            key = (kind, category, name)
        elif kind == SPECIALTY:
            if not code:
                problems.append("申报专业必须填写专业代码")
            if not level or not qualification:
                problems.append("申报专业必须填写报考级别和拟申报资格")
            elif (level, qualification) not in qualifications:
                problems.append(f"拟申报资格“{qualification}”（{level}）未在本文件前面的行中定义")
            if category and category not in categories:
                problems.append(f"执业类别“{category}”未在本文件前面的行中定义")
            if open_to and not category:
                problems.append("填写了适用执业注册范围的申报专业必须填写执业类别")
            elif category in categories:
                unknown = [s for s in open_to if (category, s) not in scopes]
                if unknown:
                    problems.append(f"执业注册范围“{'、'.join(unknown)}”未在本文件前面的行中定义于执业类别“{category}”")
            key = (kind, level, qualification, code)
        if key is not None and name:
            if key in seen:
                problems.append(f"与第{seen[key]}行重复")
            else:
                seen[key] = number
        if problems:
            errors.append(f"第{number}行：" + "；".join(problems) + "。")
            continue
        if kind == LEVEL:
            levels.add(name)
        elif kind == QUALIFICATION:
            qualifications.add((level, name))
        elif kind == CATEGORY:
            categories.add(name)
        elif kind == SCOPE:
            scopes.add((category, name))
        clean.append({"kind": kind, "name": name, "code": code, "level": level, "qualification": qualification,
                      "category": category, "scopes": open_to, "series": get("系列"), "has_scopes": flags["有执业范围"],
                      "project": projects.get(project), "verified": flags["已核对"], "enabled": flags["启用"],
                      "order": number - 2})
    if not rows:
        errors.append("文件中没有数据行。")
    return errors, clean


# ---------------------------------------------------------------- writing

def _upsert(model, counts, seen, lookup, values):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        counts["created"] += 1
    else:
        changed = {k: v for k, v in values.items() if getattr(obj, k) != v}
        if changed:
            # Counting the version up: an edit page loaded before the import is now stale.
            model.objects.filter(pk=obj.pk).update(**changed, version=F("version") + 1)
            for k, v in changed.items():
                setattr(obj, k, v)
            counts["updated"] += 1
    seen.setdefault(model, set()).add(obj.pk)
    return obj


def apply_rows(exam_year: ExamYear, rows: list[dict]) -> dict:
    """Write checked rows into the year (call inside a transaction)."""
    counts = {"created": 0, "updated": 0, "disabled": 0}
    seen: dict = {}
    levels, qualifications, categories, scopes = {}, {}, {}, {}
    category_links: dict[int, set[int]] = {}
    for row in rows:
        kind = row["kind"]
        common = {"code": row["code"], "order": row["order"], "enabled": row["enabled"]}
        if kind == LEVEL:
            levels[row["name"]] = _upsert(ExamLevel, counts, seen, {"exam_year": exam_year, "name": row["name"]},
                                          {**common, "project": row["project"]})
        elif kind == QUALIFICATION:
            level = levels[row["level"]]
            qualifications[(row["level"], row["name"])] = _upsert(
                Qualification, counts, seen, {"exam_year": exam_year, "level": level, "name": row["name"]},
                {**common, "series": row["series"]})
        elif kind == CATEGORY:
            categories[row["name"]] = _upsert(
                PracticeCategory, counts, seen, {"exam_year": exam_year, "name": row["name"]},
                {**common, "has_scopes": row["has_scopes"]})
        elif kind == SCOPE:
            scopes[row["category"], row["name"]] = _upsert(
                PracticeScope, counts, seen,
                {"exam_year": exam_year, "category": categories[row["category"]], "name": row["name"]}, common)
        elif kind == SPECIALTY:
            qualification = qualifications[(row["level"], row["qualification"])]
            category = categories.get(row["category"])  # none for a blank one
            specialty = _upsert(Specialty, counts, seen, {"exam_year": exam_year, "qualification": qualification,
                                                          "code": row["code"]},
                                {"name": row["name"], "order": row["order"], "enabled": row["enabled"],
                                 "category": category, "verified": row["verified"]})
            specialty.scopes.set([scopes[row["category"], name] for name in row["scopes"]])
            if category is not None:
                category_links.setdefault(qualification.pk, set()).add(category.pk)
        else:
            _upsert(DictEntry, counts, seen, {"exam_year": exam_year, "kind": DICT_KINDS[kind], "name": row["name"]},
                    common)
    for qualification in qualifications.values():
        if qualification.pk in category_links:
            qualification.categories.set(category_links[qualification.pk])
    for model in (ExamLevel, Qualification, PracticeCategory, PracticeScope, Specialty, DictEntry):
        stale = model.objects.filter(exam_year=exam_year, enabled=True).exclude(pk__in=seen.get(model, set()))
        counts["disabled"] += stale.update(enabled=False, version=F("version") + 1)
    return counts


def import_rows(exam_year: ExamYear, rows: list[dict]) -> ImportResult:
    projects = {}
    for project in exam_year.projects.all():
        projects[project.name] = projects[project.code] = project
    errors, clean = check_rows(rows, projects)
    if errors:
        return ImportResult(errors=errors, rows=len(rows))
    with transaction.atomic():
        return ImportResult(rows=len(rows), **apply_rows(exam_year, clean))


# ---------------------------------------------------------------- exporting

def _yes(value: bool) -> str:
    return YES if value else NO


def catalogue_rows(exam_year: ExamYear) -> list[dict]:
    """The year's catalogue in the import format, parents before children."""
    rows = []

    def add(kind, obj, **extra):
        rows.append({"类型": kind, "名称": obj.name, "代码": obj.code, "启用": _yes(obj.enabled), **extra})

    for level in ExamLevel.objects.filter(exam_year=exam_year).select_related("project"):
        add(LEVEL, level, 考试项目=level.project.code if level.project else "")
    for q in Qualification.objects.filter(exam_year=exam_year).select_related("level").order_by(
            "level__order", "order", "pk"):
        add(QUALIFICATION, q, 报考级别=q.level.name, 系列=q.series)
    for c in PracticeCategory.objects.filter(exam_year=exam_year):
        add(CATEGORY, c, 有执业范围=_yes(c.has_scopes))
    for s in PracticeScope.objects.filter(exam_year=exam_year).select_related("category").order_by(
            "category__order", "order", "pk"):
        add(SCOPE, s, 执业类别=s.category.name)
    for s in Specialty.objects.filter(exam_year=exam_year).select_related(
            "qualification__level", "category").prefetch_related("scopes"):
        add(SPECIALTY, s, 报考级别=s.qualification.level.name, 拟申报资格=s.qualification.name,
            执业类别=s.category.name if s.category else "",
            适用执业注册范围=SCOPE_SEPARATOR.join(scope.name for scope in s.scopes.all()), 已核对=_yes(s.verified))
    labels = dict(DictKind.choices)
    for e in DictEntry.objects.filter(exam_year=exam_year).order_by("kind", "order", "pk"):
        add(labels[e.kind], e)
    return rows


EXAMPLE_ROWS = [
    {"类型": LEVEL, "名称": "中级"},
    {"类型": QUALIFICATION, "名称": "主治医师", "报考级别": "中级", "系列": "医疗"},
    {"类型": CATEGORY, "名称": "临床", "有执业范围": YES},
    {"类型": SCOPE, "名称": "内科专业", "代码": "11", "执业类别": "临床"},
    {"类型": SPECIALTY, "名称": "呼吸内科学", "代码": "305", "报考级别": "中级", "拟申报资格": "主治医师",
     "执业类别": "临床", "适用执业注册范围": "内科专业", "已核对": YES},
    {"类型": "学历", "名称": "本科"},
]


def _cells(rows: list[dict]) -> list[list[str]]:
    return [[str(row.get(title, "")) for title in COLUMNS] for row in rows]


def catalogue_xlsx(rows: list[dict]) -> bytes:
    return sheets.template_xlsx("字典", COLUMNS, _cells(rows), TEMPLATE_NOTES)


def catalogue_csv(rows: list[dict]) -> bytes:
    return sheets.template_csv(COLUMNS, _cells(rows))


TEMPLATE_NOTES = [
    "每行一个字典条目；第一行为表头，请勿修改。",
    f"“类型”可填：{'、'.join(KINDS)}。",
    "先写上级、后写下级：报考级别 → 拟申报资格 → 执业类别 → 执业注册范围 → 申报专业。",
    "拟申报资格须填“报考级别”；执业注册范围须填“执业类别”；申报专业须填“代码”“报考级别”“拟申报资格”，可填“执业类别”。",
    "申报专业的“适用执业注册范围”填该执业类别下的执业注册范围名称，多个用“|”分隔（如 内科专业|全科医学专业）；"
    "考生选定执业注册范围后只能选到对其开放的申报专业。留空表示该执业类别的所有执业注册范围均可报考。",
    "“已核对”填“否”的申报专业在字典列表中标为“待核实”；停用的申报专业（如已撤并的专业代码）考生不能选择，往年报名信息仍保留。",
    "“有执业范围”“已核对”“启用”填“是”或“否”，留空分别视为 是 / 否 / 是。",
    "导入时文件中任意一行有误则整份文件不导入；本年度已有但文件中没有的条目将被停用（不删除，以往报名信息不受影响）。",
]
