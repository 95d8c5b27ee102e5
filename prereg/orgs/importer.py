"""Bulk import and export of the org tree and the unit dictionary (issue 17.4).

One sheet (xlsx or CSV, read by prereg.core.sheets) holds one org a row, in the columns of
COLUMNS. An import is checked whole first (plan_import: the preview), then applied whole
(org_import): a single error anywhere and nothing is written. Rows are matched by 机构代码:
importing the same file again changes nothing; a changed row updates that org in place (same
id), so applications keep the chain stored on them at submission; orgs absent from the file
are left as they are (disable them explicitly). The stored tree is read in one query and the
changes written set-based (orgs.bulk): new orgs a generation of the tree per bulk_create, changed
ones in one bulk_update, the paths of new orgs and moved subtrees an UPDATE per generation; no
query per row.

Who imports what: the 考区 (and the sysadmin) the whole tree. Every level that manages orgs
(add_unit and edit_unit: 考点, 报名点) may import its own subtree (the manual: each level manages
its subtree), within the limits it has on the org pages: rows strictly below its own org, new
orgs only as units without 单位审查权限, existing orgs keeping their levels and review right
(granting review is the 考区's, orgs.services._check_levels) and a reviewing org (or one above one)
its parent (orgs.services.may_move). Rows of orgs outside the actor's
scope (his own org, say, as an export lists it) are accepted when they change nothing.
"""

import dataclasses
import hashlib
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from prereg.accounts.models import Role
from prereg.accounts.permissions import has_function
from prereg.accounts.services import actor_held, assigned_text, needed_text
from prereg.audit.log import record
from prereg.core.sheets import SheetError, read_table, template_csv, template_xlsx
from prereg.core.validators import halfwidth, is_digits

from .bulk import clear_paths, fill_paths, insert_tree
from .models import LEVEL_FIELDS, Level, Org, search_keys
from .routing import needs_route, routing_gap
from .services import (
    ASSIGNED_CONSEQUENCE,
    MOVE_REVIEW_ORG,
    RIGHT_STILL_WAITING,
    STILL_ASSIGNED,
    STILL_WAITING,
    area_of,
    assigned_counts,
    check_region,
    clean_org_code,
    clean_org_name,
    enable_refusal,
    holds_review,
    lock_codes_and_names,
    parent_level_problem,
)

CODE, NAME, SHORT, PARENT, LEVELS, RIGHT, ENABLED, REGION = (
    "机构代码", "规范全称", "简称", "上级机构代码", "机构类别", "单位审查权限", "启用", "所在地区代码")
COLUMNS = [CODE, NAME, SHORT, PARENT, LEVELS, RIGHT, ENABLED, REGION]
REQUIRED = [CODE, NAME, PARENT, LEVELS]
MAX_ROWS = 200_000
MAX_SHOWN = 200  # errors and changes listed on the preview page
AUDITED_CHANGES = 500  # changed rows named in the audit entry (the file's hash names them all)
LEVEL_WORDS = {label: level for level, label in Level.choices}
FLAG_WORDS = (dict.fromkeys(["是", "有", "y", "yes", "1", "true", "√"], True)
              | dict.fromkeys(["否", "无", "n", "no", "0", "false", "×"], False))
FIELDS = ["name", "short_name", "parent", "is_district", "is_site", "is_point", "is_unit", "has_review_right",
          "enabled", "region_code"]
OWN_FIELDS = [f for f in FIELDS if f != "parent"]  # what an Org row holds as is (the parent is an id there)
STORED_FIELDS = ("pk", "code", "parent_id", "path", *OWN_FIELDS)
FIELD_LABELS = {"name": NAME, "short_name": SHORT, "parent": PARENT, "is_district": "考区", "is_site": "考点",
                "is_point": "报名点", "is_unit": "单位", "has_review_right": RIGHT, "enabled": ENABLED,
                "region_code": REGION}
TEMPLATE_NOTES = [
    "每行一个机构；第一行为表头，请勿修改列名（列的顺序可以不同）。",
    f"必填列：{'、'.join(REQUIRED)}；{RIGHT}、{ENABLED} 填“是”或“否”（留空分别视为 否 / 是）。",
    f"“{LEVELS}”填 考区、考点、报名点、单位 中的一个或几个，用“、”或空格分隔，如“报名点、单位”。",
    f"“{PARENT}”填上级机构的机构代码（文件中或系统中已有）；只有系统管理员可导入没有上级的机构。",
    "层级规则：考区没有上级；考点的上级须为考区；报名点的上级须为考点或考区；单位可设在任何机构之下（如医院的分院），"
    "但每个单位和报名点向上须能找到启用的报名点、考点、考区，考生才能提交。",
    "按机构代码匹配：系统中已有的机构按文件更新（可改名称、上级、类别等），没有的新增；文件中没有的机构保持不变（不删除）。"
    "已提交的报名信息保留提交时的审核链，不受导入影响。",
    "机构代码、规范全称在全省唯一；文件中任意一行有误则整份文件不导入，请按预览列出的错误修改后重新上传。",
    "考点、报名点可导入本机构的下级机构，新增的只能是单位，不能修改已有机构的类别和单位审查权限，也不能调整有审核权限的机构的上级（由考区办理）。",
]


@dataclasses.dataclass
class Row:
    line: int
    code: str
    name: str = ""
    short_name: str = ""
    parent: str | None = None
    is_district: bool = False
    is_site: bool = False
    is_point: bool = False
    is_unit: bool = False
    has_review_right: bool = False
    enabled: bool = True
    region_code: str = ""

    def values(self, fields=FIELDS) -> dict:
        return {f: getattr(self, f) for f in fields}

    @property
    def where(self) -> str:
        """The row as an error message names it; a stored org's children are named by their name."""
        return f"第{self.line}行（{self.code or '无代码'}）" if self.line else f"现有下级机构 {self.code}（{self.name}）"

    def levels(self) -> list[Level]:
        return [level for level, flag in LEVEL_FIELDS.items() if getattr(self, flag)]


@dataclasses.dataclass
class Plan:
    filename: str
    digest: str
    version: str
    rows: int = 0
    errors: list[str] = dataclasses.field(default_factory=list)
    creates: list[Row] = dataclasses.field(default_factory=list)
    updates: list[tuple[int, Row, dict]] = dataclasses.field(default_factory=list)  # (id, row, {field: [old, new]})
    unchanged: int = 0
    moved: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changes(self) -> int:
        return len(self.creates) + len(self.updates)

    def shown_updates(self):
        """(row, "规范全称：旧 → 新；…") of the first updates, for the preview."""
        def text(value):
            return "—" if value in (None, "") else {True: "是", False: "否"}.get(value, value)

        return [(row, "；".join(f"{FIELD_LABELS[f]}：{text(old)} → {text(new)}" for f, (old, new) in changes.items()))
                for _pk, row, changes in self.updates[:MAX_SHOWN]]

    def summary(self) -> dict:
        return {"file": self.filename, "sha256": self.digest, "rows": self.rows, "created": len(self.creates),
                "updated": len(self.updates), "moved": self.moved, "unchanged": self.unchanged}


def may_import(user) -> bool:
    return has_function(user, "add_unit") and has_function(user, "edit_unit")


def whole_tree(user) -> bool:
    return user.role in (Role.SYSADMIN, Role.DISTRICT)


def tree_version() -> str:
    """What the preview was computed against: the orgs' count and latest change."""
    facts = Org.objects.aggregate(latest=Max("updated_at"), last=Max("pk"))
    return f"{Org.objects.count()}:{facts['last']}:{facts['latest'].isoformat() if facts['latest'] else ''}"


OPTIONAL = {SHORT: "short_name", RIGHT: "has_review_right", ENABLED: "enabled", REGION: "region_code"}


def _parse(header: list[str], body: list[list[str]], errors: list[str]) -> tuple[list[Row], list[str]]:
    """The rows, and the fields of the optional columns the file leaves out (kept as stored)."""
    index = {title: i for i, title in enumerate(header)}
    missing = [c for c in REQUIRED if c not in index]
    if missing:
        errors.append(f"表头缺少列：{'、'.join(missing)}（第一行须为：{'、'.join(COLUMNS)}）。")
        return [], []
    absent = [field for column, field in OPTIONAL.items() if column not in index]
    rows = []
    for n, cells in enumerate(body, start=2):
        def cell(column, cells=cells):
            return cells[index[column]] if column in index else ""

        problems = []
        code = _cleaned(problems, clean_org_code, cell(CODE))
        if code == "":
            problems.append("机构代码为空")
        row = Row(line=n, code=cell(CODE) if code is None else code)  # a refused one named as typed
        name = _cleaned(problems, clean_org_name, cell(NAME))
        if name == "":
            problems.append("规范全称为空")
        elif name and len(name) > 100:
            problems.append("规范全称超过100字")
        row.name = name or ""
        row.short_name = _cleaned(problems, clean_org_name, cell(SHORT), "简称") or ""
        if len(row.short_name) > 50:
            problems.append("简称超过50字")
        row.parent = halfwidth(cell(PARENT)).strip() or None  # a code, read as clean_org_code reads one
        words = [w for w in re.split(r"[、,，;；/|\s]+", cell(LEVELS)) if w]
        unknown = [w for w in words if w not in LEVEL_WORDS]
        if not words:
            problems.append("机构类别为空（考区、考点、报名点、单位）")
        elif unknown:
            problems.append(f"机构类别“{'、'.join(unknown)}”不存在（可填：考区、考点、报名点、单位）")
        for word in words:
            if word in LEVEL_WORDS:
                setattr(row, LEVEL_FIELDS[LEVEL_WORDS[word]], True)
        for column, attr, default in ((RIGHT, "has_review_right", False), (ENABLED, "enabled", True)):
            value = FLAG_WORDS.get(cell(column).lower()) if cell(column) else default
            if value is None:
                problems.append(f"“{column}”应填“是”或“否”")
            else:
                setattr(row, attr, value)
        row.region_code = cell(REGION)
        if row.region_code and not (is_digits(row.region_code) and len(row.region_code) == 6):
            problems.append("所在地区代码应为6位数字")
        if row.has_review_right and not row.is_unit:
            problems.append("单位审查权限只能给“单位”")
        errors.extend(f"{row.where}：{p}。" for p in problems)
        rows.append(row)
    return rows, absent


def _cleaned(problems: list[str], clean, raw: str, *args) -> str | None:
    """A cell by the org form's rule (orgs.services.clean_org_code, clean_org_name), or None with its
    refusal among the row's problems."""
    try:
        return clean(raw, *args)
    except ValidationError as exc:
        problems.append(exc.messages[0].rstrip("。"))
        return None


def _stored_rows(orgs) -> tuple[dict[str, Row], dict[str, tuple[int, str]]]:
    """The stored orgs as rows (their parent as a code) and (id, path) by code."""
    code_of = {pk: code for pk, code, *_ in orgs}
    rows, ids = {}, {}
    for pk, code, parent_id, path, *values in orgs:
        rows[code] = Row(line=0, code=code, parent=code_of.get(parent_id), **dict(zip(OWN_FIELDS, values, strict=True)))
        ids[code] = (pk, path)
    return rows, ids


def plan_import(*, actor, filename: str, content: bytes, orgs=None, waiting=None, needed=None) -> Plan:
    """Check a whole sheet against the stored tree and say what importing it would do. A row that
    disables an org is refused where 禁用 (org_set_enabled) refuses it: `needed` (its `waiting`:
    applications.selectors.needed_counts) counts the applications that need the org at their current
    stage or a later one, and this year's cross-review assignments to it are counted. `waiting`
    (org_update's: applications.selectors.waiting_counts) refuses a row taking the 单位审查 right from a
    unit applications wait for."""
    if not may_import(actor):
        raise PermissionDenied("您没有导入组织机构的权限。")
    plan = Plan(filename=filename, digest=hashlib.sha256(content).hexdigest(), version=tree_version())
    try:
        header, body = read_table(filename, content, max_rows=MAX_ROWS)
    except SheetError as exc:
        plan.errors.append(str(exc))
        return plan
    plan.rows = len(body)
    rows, absent = _parse(header, body, plan.errors)
    if orgs is None:
        orgs = list(Org.objects.values_list(*STORED_FIELDS))
    stored, ids = _stored_rows(orgs)
    for row in rows:
        if row.code in stored:
            for field in absent:
                setattr(row, field, getattr(stored[row.code], field))
    _check(actor, plan, rows, stored, ids)
    plan.errors += _still_needed(plan, waiting, needed)
    plan.errors += _enable_refused(actor, plan)
    plan.errors.sort(key=_error_order)
    return plan


def _still_needed(plan: Plan, waiting, needed) -> list[str]:
    """The refusals of the rows that 禁用 (org_set_enabled) or the org page (org_update) would refuse:
    disabling an org applications need or this year's cross-review assignments hand a stage, taking a
    unit's 单位审查 right while applications wait for it. One a row, at the row."""
    disabled = {pk: row for pk, row, changes in plan.updates if changes.get("enabled") == [True, False]}
    unreviewed = {pk: row for pk, row, changes in plan.updates if changes.get("has_review_right") == [True, False]}
    counts = needed(list(disabled)) if disabled and needed is not None else {}
    assigned = assigned_counts(disabled) if disabled else {}
    waited = waiting(list(unreviewed)) if unreviewed and waiting is not None else {}
    errors = []
    for pk, row in disabled.items():
        if pk in counts:
            errors.append(f"{row.where}：{needed_text(row.name, counts[pk])}，{STILL_WAITING}")
        elif pk in assigned:
            errors.append(f"{row.where}：{assigned_text(row.name, assigned[pk])}{ASSIGNED_CONSEQUENCE}{STILL_ASSIGNED}")
    errors += [f"{row.where}：“{row.name}”有{waited[pk]}份报名信息待其审核，{RIGHT_STILL_WAITING}"
               for pk, row in unreviewed.items() if pk in waited]
    return errors


def _enable_refused(actor, plan: Plan) -> list[str]:
    """The rows enabling an org disabled by a higher rank than the actor's, refused as 启用 refuses
    them (orgs.services.enable_refusal). One a row, at the row."""
    enabling = {pk: row for pk, row, changes in plan.updates if changes.get("enabled") == [False, True]}
    if not enabling:
        return []
    roles = dict(Org.objects.filter(pk__in=list(enabling)).values_list("pk", "disabled_by_role"))
    return [f"{row.where}：{refusal}。" for pk, row in enabling.items()
            if (refusal := enable_refusal(actor, row.name, roles.get(pk, "")))]


ROW_OF_ERROR = re.compile(r"第(\d+)行")


def _error_order(error: str) -> tuple[int, int]:
    """Errors are found check by check over the whole file; the preview lists them by row (as the
    staff and roster imports, which check row by row): first the file's own (表头, format), then
    each row's in row order (a loop by its first row), then the stored orgs' below a changed row.
    The sort is stable: a row's errors keep the order of the checks."""
    if error.startswith("现有下级机构"):
        return 2, 0
    found = ROW_OF_ERROR.match(error)
    return (1, int(found.group(1))) if found else (0, 0)


def _check(actor, plan: Plan, rows: list[Row], stored: dict[str, Row], ids: dict) -> None:
    errors = plan.errors
    seen_name: dict[str, int] = {}
    file_rows: dict[str, Row] = {}
    for row in rows:
        if not row.code:
            continue
        if row.code in file_rows:
            errors.append(f"{row.where}：机构代码与第{file_rows[row.code].line}行重复。")
            continue
        file_rows[row.code] = row
        if row.name and (first := seen_name.setdefault(row.name, row.line)) != row.line:
            errors.append(f"{row.where}：规范全称“{row.name}”与第{first}行重复。")
    # The tree as it would stand: the stored orgs, the file's rows over them.
    final = {**stored, **file_rows}
    names_kept = {r.name: code for code, r in stored.items() if code not in file_rows}
    for row in file_rows.values():
        owner = names_kept.get(row.name)
        if owner is not None:
            errors.append(f"{row.where}：规范全称“{row.name}”已是现有机构 {owner} 的名称。")
    for row in file_rows.values():
        if row.parent is None:
            if actor.role != Role.SYSADMIN and (row.code not in stored or stored[row.code].parent is not None):
                errors.append(f"{row.where}：上级机构代码为空（只有系统管理员可导入顶级机构）。")
            elif not row.is_district:
                errors.append(f"{row.where}：没有上级机构的只能是考区。")
        elif row.parent == row.code:
            errors.append(f"{row.where}：上级机构不能是它自己。")
        elif row.parent not in final:
            errors.append(f"{row.where}：上级机构代码 {row.parent} 不存在（文件和系统中都没有）。")
    cyclic = _cycles(file_rows, final, errors)
    # Levels: each row under its parent, and the stored children of a changed row under it.
    children: dict[str, list[str]] = {}
    for code, row in stored.items():
        if row.parent in file_rows and code not in file_rows:
            children.setdefault(row.parent, []).append(code)
    checked = list(file_rows.values()) + [stored[c] for kids in children.values() for c in kids]
    for row in checked:
        if row.code in cyclic or row.parent is None or row.parent not in final:
            continue
        problem = parent_level_problem(row, final[row.parent])
        if problem:
            errors.append(f"{row.where}：{problem}。")
    area = area_of(actor.org)
    for row in file_rows.values():
        if problem := check_region(actor, row.region_code, area=area):
            errors.append(f"{row.where}：{problem}。")
    if not cyclic:
        _check_routing(file_rows, final, stored, errors)
    _check_scope(actor, file_rows, stored, ids, final, errors)
    if errors:
        return
    for row in file_rows.values():
        before = stored.get(row.code)
        if before is None:
            plan.creates.append(row)
            continue
        old, new = before.values(), row.values()
        changes = {f: [old[f], new[f]] for f in FIELDS if old[f] != new[f]}
        if not changes:
            plan.unchanged += 1
            continue
        plan.moved += "parent" in changes
        plan.updates.append((ids[row.code][0], row, changes))


def _cycles(file_rows, final, errors) -> set[str]:
    """Codes of the file that sit on a loop of parents (A above B above A)."""
    state: dict[str, int] = {}  # 1: on the current walk, 2: known to reach the root
    on_cycle: set[str] = set()
    for start in file_rows:
        walk, code = [], start
        while code is not None and code in final and state.get(code) != 2:
            if state.get(code) == 1:
                loop = walk[walk.index(code):]
                if len(loop) > 1 and not on_cycle.intersection(loop):  # a row its own parent: said already
                    lines = "、".join(f"第{final[c].line}行" for c in loop if final[c].line)
                    errors.append(f"{lines}：上级关系成环（{' → '.join(loop + [code])}）。")
                on_cycle.update(loop)
                break
            state[code] = 1
            walk.append(code)
            code = final[code].parent
        for c in walk:
            state[c] = 2
    return on_cycle


def _check_routing(file_rows, final, stored, errors) -> None:
    """routing.routing_gap, the rule org_create and org_update apply, where they apply it: to each
    unit and 报名点 the file adds, moves, gives other levels, disables or enables, and to those below it
    (of the file or stored). A row the file leaves as it is is not asked again."""
    def lineage(code):
        """Nearest first, as the tree will stand; None where the way up ends at an unknown parent
        (said once, at the row naming it)."""
        way = []
        while code is not None:
            if code not in final:
                return None
            way.append(final[code])
            code = final[code].parent
        return way

    for row in _rerouted(file_rows, stored, final):
        if needs_route(row) and (way := lineage(row.code)) is not None and (gap := routing_gap(way)):
            errors.append(f"{row.where}：{gap}，该机构的考生无法提交。")


ROUTING_FIELDS = ["parent", "enabled", *LEVEL_FIELDS.values()]


def _rerouted(file_rows, stored, final) -> list[Row]:
    """The rows of the file that are new or change their parent, levels or 启用, then every org below
    one of them (of the file or stored): whose way up the import changes. In the file's order."""
    changed = [row for code, row in file_rows.items()
               if code not in stored or stored[code].values(ROUTING_FIELDS) != row.values(ROUTING_FIELDS)]
    if not changed:
        return []
    children: dict[str, list[str]] = {}
    for code, row in final.items():
        children.setdefault(row.parent, []).append(code)
    seen = {row.code for row in changed}
    queue = [row.code for row in changed]
    while queue:
        for code in children.get(queue.pop(), ()):
            if code not in seen:
                seen.add(code)
                queue.append(code)
    return [row for row in file_rows.values() if row.code in seen] + [
        final[code] for code in sorted(seen - file_rows.keys())]


def _check_scope(actor, file_rows, stored, ids, final, errors) -> None:
    if actor.role == Role.SYSADMIN:
        return
    own = Org.objects.filter(pk=actor.org_id).values_list("code", "path").first() if actor.org_id else None
    if own is None:
        errors.append("您没有所属机构，不能导入组织机构。")
        return
    own_code, own_path = own

    def inside(code):
        """Strictly below the actor's org, as the tree will stand (None: the way up ends at an
        unknown parent or a loop, said at its own row)."""
        seen = {code}
        code = final[code].parent
        while code is not None:
            if code == own_code:
                return True
            if code not in final or code in seen:
                return None
            seen.add(code)
            code = final[code].parent
        return False

    children: dict[str, list[str]] = {}
    for code, org in final.items():
        children.setdefault(org.parent, []).append(code)

    def reviews_at_or_below(code):
        """Whether an org at or below `code`, as the tree will stand, holds some review (holds_review)."""
        seen, queue = {code}, [code]
        while queue:
            current = queue.pop()
            if holds_review(final[current]):
                return True
            for child in children.get(current, ()):
                if child not in seen:
                    seen.add(child)
                    queue.append(child)
        return False

    for row in file_rows.values():
        before = stored.get(row.code)
        if before is not None and before.values() == row.values():
            continue  # an unchanged row (the actor's own org in an export, say) is no change
        if before is not None and not ids[row.code][1].startswith(own_path) or row.code == own_code:
            errors.append(f"{row.where}：该机构不在您的管理范围内（只能修改本机构的下级机构）。")
            continue
        below = inside(row.code)
        if below is None:
            continue
        if not below:
            errors.append(f"{row.where}：上级机构须为本机构或本机构的下级机构。")
            continue
        if whole_tree(actor):
            continue
        granted = [*LEVEL_FIELDS.values(), "has_review_right"]
        if before is None and (any(level != Level.UNIT for level in row.levels()) or row.has_review_right):
            errors.append(f"{row.where}：只能新增单位（不含单位审查权限）；新增审核机构须由考区办理。")
        elif before is not None and before.values(granted) != row.values(granted):
            errors.append(f"{row.where}：机构类别和单位审查权限须由考区修改。")
        if before is not None and before.parent != row.parent and (holds_review(before)
                                                                    or reviews_at_or_below(row.code)):
            errors.append(f"{row.where}：{MOVE_REVIEW_ORG}")


@transaction.atomic
def org_import(*, actor, filename: str, content: bytes, expected_version: str | None = None,
               expected_digest: str | None = None, waiting=None, needed=None, request=None) -> Plan:
    """Apply a sheet, all or nothing: the plan is made again under the lock, against the tree as it
    is; the preview's version and file hash must still hold."""
    if not may_import(actor):
        raise PermissionDenied("您没有导入组织机构的权限。")
    # Codes and names are checked against the whole tree: an org added or renamed meanwhile, outside
    # the rows locked below (another 考点's import, a unit added by hand), waits or is waited for.
    lock_codes_and_names()
    scope = Org.objects.all() if whole_tree(actor) or not actor.org_id else Org.objects.subtree_of(actor.org)
    # The rows the import may change, locked until it commits (SQLite: the write lock already), in pk
    # order as org_set_enabled and a submission lock theirs: never one each while waiting for the other's.
    # No key lock, as every org writer's: FOR UPDATE also held off a decision's commit (its review log's org
    # key), which was holding the audit log's lock this import's own entry waits for (race probe: a deadlock).
    list(scope.select_for_update(no_key=True).order_by("pk").values_list("pk", flat=True))
    actor_held(actor)
    orgs = list(Org.objects.values_list(*STORED_FIELDS))
    plan = plan_import(actor=actor, filename=filename, content=content, orgs=orgs, waiting=waiting, needed=needed)
    if expected_digest is not None and plan.digest != expected_digest:
        plan.errors.insert(0, "文件与预览时的不一致，请重新上传并预览。")
    if expected_version is not None and plan.version != expected_version:
        plan.errors.insert(0, "预览之后组织机构已被修改，请重新预览后再导入。")
    if plan.errors:
        record("org.import", actor=actor, request=request, outcome="failure",
               details={**plan.summary(), "errors": len(plan.errors), "first_errors": plan.errors[:20]})
        return plan
    _apply(plan, orgs, actor)
    record("org.import", actor=actor, request=request, details={
        **plan.summary(),
        "created_codes": [r.code for r in plan.creates[:AUDITED_CHANGES]],
        "changes": {row.code: changes for _, row, changes in plan.updates[:AUDITED_CHANGES]},
        "listed": min(plan.changes, AUDITED_CHANGES * 2),
    })
    return plan


def _apply(plan: Plan, orgs, actor) -> None:
    """Write the plan: new orgs a generation per bulk_create, changed ones in one bulk_update; then
    the orgs below a moved one have their paths cleared and, with the new orgs, filled again from
    their parents' (orgs.bulk). An org the plan disables is held by the actor's rank, as 禁用 holds it
    (org_set_enabled); one it enables is free again."""
    now = timezone.now()
    id_of = {code: pk for pk, code, *_ in orgs}
    id_of.update(insert_tree([{"code": r.code, "parent": r.parent, **r.values(OWN_FIELDS)} for r in plan.creates],
                             id_of))
    objs = []
    for pk, row, _changes in plan.updates:
        org = Org(pk=pk, code=row.code, updated_at=now, **row.values(OWN_FIELDS))
        org.parent_id = id_of[row.parent] if row.parent else None
        org.pinyin, org.initials = search_keys(row.name, row.short_name)
        org.version = F("version") + 1  # an edit page of the org loaded before the import is now stale
        objs.append(org)
    Org.objects.bulk_update(objs, [*OWN_FIELDS, "parent_id", "pinyin", "initials", "updated_at", "version"],
                            batch_size=500)
    for role, pks in ((actor.role, [pk for pk, _row, changes in plan.updates if changes.get("enabled") == [True, False]]
                                   + [id_of[row.code] for row in plan.creates if not row.enabled]),
                      ("", [pk for pk, _row, changes in plan.updates if changes.get("enabled") == [False, True]])):
        for start in range(0, len(pks), 500):
            Org.objects.filter(pk__in=pks[start:start + 500]).update(disabled_by_role=role)
    moved = [pk for pk, _row, changes in plan.updates if "parent" in changes]
    if moved:
        path_of = {pk: path for pk, _code, _parent, path, *_ in orgs}
        prefixes = tuple(path_of[pk] for pk in moved)
        clear_paths([pk for pk, path in path_of.items() if path.startswith(prefixes)])
    fill_paths()


# --- Export ------------------------------------------------------------------------------------


def export_rows(user) -> list[list[str]]:
    """The orgs the user sees, parents first, in the import's columns."""
    orgs = Org.objects.visible_to(user).order_by("depth", "code")
    rows = []
    for code, name, short, parent, *held, right, enabled, region in orgs.values_list(
            "code", "name", "short_name", "parent__code", *LEVEL_FIELDS.values(), "has_review_right", "enabled",
            "region_code"):
        levels = "、".join(Level(level).label for level, flag in zip(LEVEL_FIELDS, held, strict=True) if flag)
        rows.append([code, name, short, parent or "", levels, "是" if right else "否", "是" if enabled else "否",
                     region])
    return rows


def export_csv(rows: list[list[str]]) -> bytes:
    return template_csv(COLUMNS, rows)


def export_xlsx(rows: list[list[str]]) -> bytes:
    return template_xlsx("组织机构", COLUMNS, rows, TEMPLATE_NOTES, widths={NAME: 30})
