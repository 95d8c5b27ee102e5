"""Org acts: each checks, changes, audits, in one transaction.

Each holds the acting account (accounts.services.actor_held) once it has locked the orgs it changes (orgs
before accounts, as a 禁用 of accounts takes them): a 禁用 of the actor waits for an act under way, or the
act is refused.
"""

import re
import unicodedata
from collections import Counter

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, ProtectedError, Q
from django.http import Http404
from django.utils import timezone

from prereg.accounts.models import ROLE_RANK, Role, User, disabled_above, outranks
from prereg.accounts.permissions import has_function, require_function
from prereg.accounts.services import actor_held, assigned_text, needed_text
from prereg.audit.log import record
from prereg.core import locks
from prereg.core.validators import MOBILE_RE, halfwidth, normalize_mobile, strip_invisible
from prereg.core.versions import check_version
from prereg.notify.sms import send_sms

from . import selectors
from .models import LEVEL_FIELDS, CrossReviewAssignment, Level, Org, UnitRequest, region_prefix, role_word
from .routing import needs_route, routing_gap, unroutable_below
from .stages import Stage

EDITABLE_FIELDS = ["code", "name", "short_name", "region_code", "contact_name", "contact_phone", "address"]
LEVEL_FLAGS = list(LEVEL_FIELDS.values())
STILL_WAITING = "禁用后将无人审核，请待其审核完毕后再禁用。"
STILL_ASSIGNED = "请先在“分配交叉审核”中取消这些分配后再禁用。"
REVIEW_ORG_DELETE = "删除有审核权限的机构（考区、考点、报名点）须由考区（省卫健委）办理。"
RIGHT_STILL_WAITING = "请待其审核完毕后再取消单位审查权限。"
REFUSE_REASON_MAX = UnitRequest._meta.get_field("refuse_reason").max_length
CODE_TAKEN = "该机构代码已被使用。"
NAME_TAKEN = "已存在同名机构，请在机构列表中查找。"
CODE_RE = re.compile(r"[0-9A-Za-z]{2,20}")
CODE_FORMAT = "机构代码应为2至20位数字或字母。"
# A fixed line: its area code (010 and 02x have three digits, the others four) in parentheses or followed
# by a dash or nothing, its 7 or 8 digits, and an extension after "-", "转", "#" or "分机".
AREA = r"010|02[0-9]|0[3-9][0-9]{2}"
LANDLINE_RE = re.compile(rf"(?:\(({AREA})\)|({AREA})-?)([2-9][0-9]{{6,7}})(?:(?:-|转|#|分机)([0-9]{{1,6}}))?")
DASHES = str.maketrans("‐‑–—−", "-----")  # the dashes a word processor puts for "-"
PHONE_FORMAT = "联系电话应为11位手机号码或带区号的固定电话，如 13912345678、0591-87654321（分机写在后面，如 0591-87654321-8001）。"


def lock_codes_and_names() -> None:
    """Taken first by every act that gives an org a code or a name (org_create, org_update, the
    import), until its transaction ends: codes and names are unique among all orgs (规范全称在全省唯一,
    as the import's notes say), each act checks that before it writes, and two acts at once would
    both pass the check. Under this lock the later one sees the earlier's org and is refused at its
    field (or, leaving the code empty, numbered after it). The code's unique constraint alone would
    make the later a server error; the name has no constraint: renames never checked it, so a
    stored database may hold two orgs of one name, on which the constraint's migration would fail."""
    locks.hold("orgs:codes-and-names")


def clean_org_code(raw: str) -> str:
    """A 机构代码 as typed on the org form or read from an import row: 2 to 20 ASCII digits or letters, the
    full-width ones of a Chinese input method read as ASCII; "" for none. One rule for both: an org the
    form gave another code (a hyphen, a Chinese character, one unseen) could not be imported again from
    its own export."""
    code = halfwidth(raw or "").strip()
    if code and not CODE_RE.fullmatch(code):
        raise ValidationError(CODE_FORMAT, code="org_code")
    return code


def clean_org_name(raw: str, label: str = "规范全称") -> str:
    """A 规范全称 or 简称 (`label`) as the org form and the import take it: zero-width and direction
    characters dropped (core.validators.strip_invisible: two names reading alike would differ, and the
    candidates' search would miss one), spaces around it too, and a run of spaces inside made one; a
    control character (a tab, a line break: a cell's Alt+Enter) or another unseen formatting one refused,
    where free text (core.validators.clean_text) takes a tab or a line break as a space: a name is one
    line, as an export writes it."""
    name = strip_invisible(raw)
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        raise ValidationError(f"{label}不能包含换行符、制表符等控制字符或不可见字符。", code="control")
    return " ".join(name.split())


def clean_contact_phone(raw: str) -> str:
    """An org's 联系电话: a mobile number (read as core.validators reads one: +86, spaces, full-width
    digits) or a fixed line with its area code and an extension, stored as 13912345678 or
    0591-87654321[-8001]; "" for none."""
    typed = "".join(halfwidth(raw or "").split()).translate(DASHES)
    if not typed:
        return ""
    if MOBILE_RE.fullmatch(mobile := normalize_mobile(typed)):
        return mobile
    if line := LANDLINE_RE.fullmatch(typed):
        return "-".join(part for part in line.groups() if part)
    raise ValidationError(PHONE_FORMAT, code="phone")


def can_grant_review_right(user) -> bool:
    """Only the 考区 (and the sysadmin) adds reviewing orgs or gives a unit its review right."""
    return user.role in (Role.SYSADMIN, Role.DISTRICT)


def is_review_org(org: Org) -> bool:
    """An org holding a reviewing level (考区, 考点, 报名点: Org.objects.reviewing), a unit that is
    also a 报名点 included."""
    return org.is_district or org.is_site or org.is_point


# The orgs holding some review: a reviewing level (is_review_org) or the 单位审查 right.
REVIEW_HOLDERS = Q(is_district=True) | Q(is_site=True) | Q(is_point=True) | Q(has_review_right=True)
MOVE_REVIEW_ORG = ("调整有审核权限的机构（考点、报名点、有单位审查权限的单位）或其上级机构的上级，"
                   "须由考区（省卫健委）办理。")


def holds_review(org) -> bool:
    """Whether `org` (an Org row or the import's row) reviews: a reviewing level or the 单位审查 right."""
    return is_review_org(org) or org.has_review_right


def may_move(user, org: Org) -> bool:
    """Whether `user` may give `org` another parent: the 考区 (and the sysadmin) any org, the others an
    org with no reviewing org at or below it. Moving one hands its candidates, accounts and reviews to
    the orgs above its new place, a change of the review structure, which the 考区 alone makes as it
    alone adds reviewing orgs and grants the review right (the manual: 有审核权限的机构…由省卫健委进行
    增加; security probe F3: a 考点 moved 连江县卫健局 under 鼓楼区卫健局). org_update and the edit form
    (上级机构 shown read-only) ask it; the import asks holds_review of the same orgs."""
    return can_grant_review_right(user) or not Org.objects.subtree_of(org).filter(REVIEW_HOLDERS).exists()


def may_delete(user, org: Org) -> bool:
    """Whether `user`'s role may delete `org` (its scope is get_org_for's): 删除报考单位 is every
    managing level's (the permission table), a reviewing org only the 考区's, as it alone adds them
    (_check_levels; the manual: 若需要新增有审核权限的机构…由省卫健委进行增加). The detail page's 删除
    button and org_delete ask it."""
    return has_function(user, "delete_unit") and (can_grant_review_right(user) or not is_review_org(org))


def get_org_for(user, pk, *, manage: bool = False, lock: bool = False) -> Org:
    """Fetch-and-authorize: an org of the user's subtree (to change: strictly below him), or 404;
    with `lock`, its row locked until the transaction ends."""
    qs = Org.objects.manageable_by(user) if manage else Org.objects.visible_to(user)
    org = (qs.select_for_update(no_key=True) if lock else qs).filter(pk=pk).first()
    if org is None:
        raise Http404("机构不存在或不在您的管辖范围内。")
    return org


# Design section 2: 考区 → 考点 → 报名点 → 单位, each reviewing level below a higher one only.
RANK = {Level.DISTRICT: 1, Level.SITE: 2, Level.POINT: 3, Level.UNIT: 4}


def levels_of(org) -> list[Level]:
    """The levels `org` holds, highest first: an Org row or an import's row alike (the four flags)."""
    return [level for level, flag in LEVEL_FIELDS.items() if getattr(org, flag)]


def parent_level_problem(org, parent) -> str:
    """Why `parent` cannot hold `org` by their levels, or "": the one rule of an org's parent, which
    org_create, org_update (the 上级机构 of the org form) and the import apply alike (`org`, `parent`:
    Org rows or the import's rows). A reviewing level sits below a higher one only: a 报名点 below a
    报名点 would hand the upper one the lower's candidates, accounts and org (security probe: 鼓楼区
    over 连江县). A unit may sit below any org (a branch below its hospital), as long as it finds an
    enabled 报名点, 考点 and 考区 on its way up (routing.routing_gap)."""
    if org.is_district:
        return "考区不能设上级机构"
    own = next((level for level in levels_of(org) if level != Level.UNIT), None)
    if own is not None and min((RANK[level] for level in levels_of(parent)), default=5) >= RANK[own]:
        held = "、".join(level.label for level in levels_of(parent)) or "无"
        return f"上级机构（{parent.code}，类别：{held}）不能下设{own.label}"
    return ""


def _check_parent(actor, parent: Org | None) -> None:
    if parent is None:
        if actor.role != Role.SYSADMIN:
            raise ValidationError({"parent": "请选择上级机构。"})
        return
    if not parent.is_visible_to(actor):
        raise ValidationError({"parent": "上级机构不在您的管辖范围内。"})


def area_of(org: Org | None) -> str:
    """The region of the nearest reviewing org (考区, 考点, 报名点) at or above `org` that has one
    ("" for no org: the sysadmin's)."""
    if org is None:
        return ""
    return next((o.region_code for o in org.ancestors_and_self()
                 if o.region_code and (o.is_district or o.is_site or o.is_point)), "")


def check_region(actor, region_code: str, *, area: str | None = None) -> str:
    """Why `actor` may not give an org `region_code`, or "": a region outside his own org's area (a
    报名点 of 安溪县 350524 naming 350000) would have its reviewers see 单位添加申请 of elsewhere.
    `area`: the actor's, when the caller has it already (the import, once for every row)."""
    if area is None:
        area = area_of(actor.org)
    if region_code and area and not region_code.startswith(region_prefix(area)):
        return f"所在地区代码应在本机构所在地区（{area}）之内"
    return ""


def _check_levels(actor, levels: dict, has_review_right: bool) -> None:
    reviewing = levels.get("is_district") or levels.get("is_site") or levels.get("is_point")
    if (reviewing or has_review_right) and not can_grant_review_right(actor):
        raise PermissionDenied("新增或修改有审核权限的机构须由考区（省卫健委）办理。")
    if not any(levels.get(flag) for flag in LEVEL_FLAGS):
        raise ValidationError({"is_unit": "请至少选择一种机构类别。"})


# The fields typed the import reads too (or whose rule is the import's), each with its cleaning.
CLEANED_FIELDS = {"code": clean_org_code, "name": clean_org_name, "short_name": lambda raw: clean_org_name(raw, "简称"),
                  "contact_phone": clean_contact_phone}


def _clean_fields(fields: dict, before: Org | None = None) -> dict:
    """The typed fields as stored, every error at its field: the code, names and 联系电话 by CLEANED_FIELDS,
    the others trimmed. On an edit (`before`: the org as stored) a value left as it is is not asked
    again: an org saved before a rule keeps what it has until that field is changed."""
    fields = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}
    errors = {}
    for name, clean in CLEANED_FIELDS.items():
        if name not in fields or before is not None and fields[name] == getattr(before, name):
            continue
        try:
            fields[name] = clean(fields[name])
        except ValidationError as exc:
            errors[name] = exc.messages
    if not fields.get("name") and "name" not in errors:
        errors["name"] = ["请填写机构的规范全称。"]
    if before is not None and not fields.get("code") and "code" not in errors:
        errors["code"] = ["请填写机构代码。"]
    if errors:
        raise ValidationError(errors)
    return fields


def region_or_parents(region_code: str, parent: Org | None) -> str:
    """The 所在地区代码 an org is saved with: as given, or, left empty, its parent's (the form's
    "留空则同上级机构"), on creation and on every edit alike."""
    return region_code or (parent.region_code if parent is not None else "")


def next_child_code(parent: Org) -> str:
    """The next free code below a parent: parent code + two digits (350122 → 35012207)."""
    taken = set(Org.objects.filter(code__startswith=parent.code).values_list("code", flat=True))
    candidates = (f"{parent.code}{n:02d}" for n in range(1, 100))
    # None past 20 characters (or below a code from before clean_org_code): the code is then typed.
    return next((code for code in candidates if code not in taken and CODE_RE.fullmatch(code)), "")


@transaction.atomic
def org_create(*, actor, parent: Org | None, code: str = "", name: str, short_name: str = "",
               region_code: str = "", contact_name: str = "", contact_phone: str = "", address: str = "",
               is_district=False, is_site=False, is_point=False, is_unit=True, has_review_right=False,
               request=None) -> Org:
    require_function(actor, "add_unit")
    lock_codes_and_names()
    if parent is not None:
        # The parent read again under its lock: a 禁用, move or deletion of it meanwhile waits for the
        # new org (and then counts it below the parent), or has been made and is seen here.
        parent = Org.objects.select_for_update(no_key=True).filter(pk=parent.pk).first()
        if parent is None:
            raise ValidationError({"parent": "所选上级机构已被删除，请重新选择。"})
    actor_held(actor)
    _check_parent(actor, parent)
    levels = {"is_district": is_district, "is_site": is_site, "is_point": is_point, "is_unit": is_unit}
    _check_levels(actor, levels, has_review_right)
    fields = _clean_fields({"code": code, "name": name, "short_name": short_name, "region_code": region_code,
                            "contact_name": contact_name, "contact_phone": contact_phone, "address": address})
    if not fields["code"] and parent is not None:
        fields["code"] = next_child_code(parent)
    if not fields["code"]:
        raise ValidationError({"code": "请填写机构代码。"})
    if Org.objects.filter(code=fields["code"]).exists():
        raise ValidationError({"code": CODE_TAKEN})
    if Org.objects.filter(name=fields["name"]).exists():
        raise ValidationError({"name": NAME_TAKEN})
    fields["region_code"] = region_or_parents(fields["region_code"], parent)
    if problem := check_region(actor, fields["region_code"]):
        raise ValidationError({"region_code": problem + "。"})
    org = Org(parent=parent, has_review_right=has_review_right, **levels, **fields)
    if parent is not None and (problem := parent_level_problem(org, parent)):
        raise ValidationError({"parent": problem + "。"})
    if needs_route(org) and (gap := routing_gap([org, *(parent.ancestors_and_self() if parent else [])])):
        raise ValidationError({"parent": f"所选上级机构{gap}，该单位的考生将无法提交。"
                                         "请选择报名点（如区县卫生健康局）或其下级机构作为上级机构。"})
    org.save()
    record("org.create", actor=actor, obj=org, request=request,
           details={"code": org.code, "name": org.name, "parent": parent.code if parent else None,
                    "levels": org.level_labels, "review_right": has_review_right})
    return org


@transaction.atomic
def org_update(*, actor, org: Org, expected_version: int | None = None, parent: Org | None = None,
               levels: dict | None = None, has_review_right: bool | None = None, waiting=None, request=None,
               **fields) -> Org:
    """Edit an org below the actor, as the page loaded at `expected_version` showed it; a new
    parent moves its whole subtree (Org.save). `waiting`: as org_set_enabled's, refuses to take the
    单位审查 right from a unit applications wait for (counted under the org's lock, which a
    submission routed to it takes too)."""
    require_function(actor, "edit_unit")
    lock_codes_and_names()  # before the org's row, as org_create and the import take them
    org = get_org_for(actor, org.pk, manage=True, lock=True)
    actor_held(actor)
    check_version(org, expected_version)
    before = {f: getattr(org, f) for f in EDITABLE_FIELDS + LEVEL_FLAGS + ["has_review_right", "parent_id"]}
    fields = _clean_fields({**{f: getattr(org, f) for f in EDITABLE_FIELDS}, **fields}, before=org)
    if fields["code"] != org.code and Org.objects.filter(code=fields["code"]).exclude(pk=org.pk).exists():
        raise ValidationError({"code": CODE_TAKEN})
    # Only a new name is asked: an org that shares its name with another from before keeps it.
    if fields["name"] != org.name and Org.objects.filter(name=fields["name"]).exclude(pk=org.pk).exists():
        raise ValidationError({"name": "已有其他机构使用该规范全称（规范全称须全省唯一）。"})
    if parent is not None and parent.pk != org.parent_id:
        if not may_move(actor, org):
            raise ValidationError({"parent": MOVE_REVIEW_ORG})
        _check_parent(actor, parent)
        if parent.is_within(org):
            raise ValidationError({"parent": "不能把机构移到它自己或它的下级机构之下。"})
        org.parent = parent
    old_levels = {flag: getattr(org, flag) for flag in LEVEL_FLAGS}
    new_levels = {**old_levels, **(levels or {})}
    new_right = org.has_review_right if has_review_right is None else has_review_right
    if new_levels != old_levels or new_right != org.has_review_right:
        _check_levels(actor, new_levels, new_right)
    if org.has_review_right and not new_right and waiting is not None and (n := waiting([org.pk]).get(org.pk)):
        raise ValidationError({"has_review_right": f"“{org.name}”有{n}份报名信息待其审核，{RIGHT_STILL_WAITING}"})
    fields["region_code"] = region_or_parents(fields["region_code"], org.parent)
    if fields["region_code"] != org.region_code and (problem := check_region(actor, fields["region_code"])):
        raise ValidationError({"region_code": problem + "。"})
    for name, value in {**fields, **new_levels}.items():
        setattr(org, name, value)
    _check_level_rule(org, moved=org.parent_id != before["parent_id"], relevelled=new_levels != old_levels)
    org.has_review_right = new_right
    org.save()
    moved = org.parent_id != before["parent_id"]
    if (moved or new_levels != old_levels) and (stuck := unroutable_below(org)):
        # Saved, then refused: the transaction undoes the move and the new paths of the subtree.
        field = "parent" if moved else next(f for f in LEVEL_FLAGS if new_levels[f] != old_levels[f])
        names = "、".join(f"“{name}”" for name, _gap in stuck[:3]) + (f"等{len(stuck)}个机构" if len(stuck) > 3 else "")
        raise ValidationError({field: f"如此调整后，{names}{stuck[0][1]}，其考生将无法提交。"
                                      "单位须在启用的报名点（如区县卫生健康局）之下。"})
    changes = {f: [old, getattr(org, f)] for f, old in before.items() if getattr(org, f) != old}
    record("org.update", actor=actor, obj=org, request=request, details={"code": org.code, "changes": changes})
    return org


def _check_level_rule(org: Org, *, moved: bool, relevelled: bool) -> None:
    """parent_level_problem for an edited org (its new parent and levels set, not yet saved): under its
    parent when either changed, and its children under it when its levels did, as the import checks a
    changed row and the stored children of one."""
    if (moved or relevelled) and org.parent_id and (problem := parent_level_problem(org, org.parent)):
        raise ValidationError({"parent" if moved else _first_level_field(org): problem + "。"})
    if relevelled:
        for child in Org.objects.filter(parent=org).order_by("code"):
            if problem := parent_level_problem(child, org):
                raise ValidationError({_first_level_field(org): f"下级机构“{child.name}”：{problem}。"})


def _first_level_field(org: Org) -> str:
    return next((flag for flag in LEVEL_FLAGS if getattr(org, flag)), "is_unit")


def org_references(org: Org) -> list[str]:
    """Why an org cannot be deleted: everything that still refers to it, in words."""
    reasons = []
    if n := Org.objects.filter(parent=org).count():
        reasons.append(f"有{n}个下级机构")
    if n := User.objects.filter(org=org).count():
        reasons.append(f"有{n}个用户账号")
    if n := UnitRequest.objects.filter(resolved_org=org).count():
        reasons.append(f"有{n}条单位添加申请指向它")
    if CrossReviewAssignment.objects.filter(Q(source=org) | Q(target=org)).exists():
        reasons.append("有交叉审核分配涉及它")
    return reasons


@transaction.atomic
def org_delete(*, actor, org: Org, expected_version: int | None = None, request=None) -> None:
    require_function(actor, "delete_unit")
    org = get_org_for(actor, org.pk, manage=True, lock=True)
    actor_held(actor)
    check_version(org, expected_version)
    reasons = org_references(org)
    if reasons:
        raise ValidationError(f"“{org.name}”不能删除：{'；'.join(reasons)}。可改为禁用。")
    if not may_delete(actor, org):
        raise PermissionDenied(REVIEW_ORG_DELETE)
    record("org.delete", actor=actor, obj=org, request=request, details={"code": org.code, "name": org.name})
    try:
        with transaction.atomic():
            org.delete()
    except ProtectedError as error:
        # What else refers to it (报名信息 naming it as unit or reviewer, …) is held by PROTECT.
        counts = Counter(str(obj._meta.verbose_name) for obj in error.protected_objects)
        held = "；".join(f"有{n}条{name}以其为单位或审核机构" if name == "报名信息" else f"有{n}条{name}指向它"
                        for name, n in counts.items())
        raise ValidationError(f"“{org.name}”不能删除：{held}。可改为禁用。") from None


@transaction.atomic
def org_set_enabled(*, actor, org_ids, enabled: bool, waiting=None, request=None) -> int:
    """Enable or disable several orgs below the actor at once (禁用/启用机构账户). `waiting` (org ids
    -> how many applications still need each: applications wait for it at their current stage or
    will at a later one of their stored chain; applications.selectors.needed_counts, which this app
    cannot import) refuses to disable an org others' applications need: a chain is
    stored at submission and never re-routed, so an application would reach it and no one could act.
    An org a stage of this year is assigned to (交叉审核) is refused too: the next submissions of the
    source's units would be routed to it (routing.resolve_chain)."""
    require_function(actor, "edit_unit")
    ids = {int(i) for i in org_ids}
    # Locked in pk order, as a submission locks its chain (applications.services._chain_held) and an
    # assignment its two orgs (cross_review_assign): two lockers of the same orgs never hold one each
    # while waiting for the other's. Under these locks a submission naming an org, or an assignment to
    # it, has committed (and is counted below) or will see it disabled (and refuse).
    orgs = list(Org.objects.manageable_by(actor).filter(pk__in=ids).select_for_update(no_key=True).order_by("pk"))
    if len(orgs) != len(ids):
        raise Http404("所选机构不存在或不在您的管辖范围内。")
    actor_held(actor)
    changed = [o for o in orgs if o.enabled != enabled]
    if changed and not enabled:
        _check_nothing_needs(changed, waiting)
    if enabled and (refused := [text for o in changed if (text := enable_refusal(actor, o.name, o.disabled_by_role))]):
        raise ValidationError("；".join(refused) + "。")
    Org.objects.filter(pk__in=[o.pk for o in changed]).update(
        enabled=enabled, disabled_by_role="" if enabled else actor.role, updated_at=timezone.now(),
        version=F("version") + 1)
    if not enabled:
        # Those disabled already by a lower rank (or before the rank was kept) are held by the actor's now:
        # the 考区 that confirms a 报名点's 禁用 keeps the 报名点 from undoing it.
        for org in orgs:
            if not org.enabled and outranks(actor.role, org.disabled_by_role):
                Org.objects.filter(pk=org.pk).update(disabled_by_role=actor.role)
                record("org.disable", actor=actor, obj=org, request=request,
                       details={"code": org.code, "held_from": org.disabled_by_role})
    # routing.routing_gap, as the tree now stands: a 报名点 disabled over enabled units, or a unit enabled
    # where no 报名点 is above it, would leave candidates choosing a unit nobody reviews (undone by the raise).
    if stuck := [(org, name, gap) for org in changed for name, gap in unroutable_below(org)]:
        raise ValidationError("；".join(f"“{name}”{gap}" for _org, name, gap in stuck[:5])
                              + f"{'等' if len(stuck) > 5 else ''}：其考生将无法提交，请先调整这些单位的上级或一并禁用。")
    for org in changed:
        record("org.enable" if enabled else "org.disable", actor=actor, obj=org, request=request,
               details={"code": org.code})
    return len(changed)


def enable_refusal(actor, name: str, disabled_by_role: str) -> str:
    """Why `actor` may not enable again the org `name` disabled by a `disabled_by_role`, or "": none of
    lower rank than who disabled it (security probe F4: a 报名点 re-enabled 安溪县中医院 the 考区 had
    disabled). 启用 (org_set_enabled) and an import row enabling an org ask it."""
    if not disabled_above(actor.role, disabled_by_role):
        return ""
    rank = ROLE_RANK.get(disabled_by_role, 99)
    enablers = [role_word(r) for r in reversed(Role.reviewer_roles()) if ROLE_RANK[r] <= rank] or [role_word(Role.SYSADMIN)]
    words = enablers[0] if len(enablers) == 1 else "、".join(enablers[:-1]) + "或" + enablers[-1]
    return f"“{name}”由{role_word(disabled_by_role)}禁用，须由{words}启用"


def assigned_counts(org_ids) -> dict[int, int]:
    """How many of this year's active cross-review assignments (交叉审核) hand each of these orgs a
    stage: the next submissions of their sources' units are routed to it (routing.resolve_chain), so it
    is needed as an org an application in flight will reach is (applications.selectors.needed_counts).
    Counted wherever those are: 禁用 of an org, an import row disabling one, 禁用 of its last reviewer
    account."""
    return dict(Counter(CrossReviewAssignment.objects.filter(
        target__in=list(org_ids), active=True, exam_year__is_current=True).values_list("target_id", flat=True)))


ASSIGNED_CONSEQUENCE = "，禁用后分配给它的审核将无人办理。"


def _check_nothing_needs(orgs: list[Org], waiting) -> None:
    """org_set_enabled's refusals to disable `orgs` (locked): applications need them, or this year's
    cross-review assignments hand them a stage."""
    counts = waiting([o.pk for o in orgs]) if waiting is not None else {}
    if counts:
        raise ValidationError("；".join(needed_text(o.name, counts[o.pk]) for o in orgs if o.pk in counts)
                              + "。" + STILL_WAITING)
    if assigned := assigned_counts(o.pk for o in orgs):
        raise ValidationError("；".join(assigned_text(o.name, assigned[o.pk]) for o in orgs if o.pk in assigned)
                              + ASSIGNED_CONSEQUENCE + STILL_ASSIGNED)


# --- Unit requests (单位添加申请) --------------------------------------------------------------


@transaction.atomic
def unit_request_create(*, actor, full_name: str, region_code: str, request=None) -> UnitRequest:
    """A candidate asks for a unit missing from the dictionary; the area's 报名点 resolve it and
    the answer goes by SMS to his account's phone (_resolve). No number is typed: one was, and the
    answer repeating the typed name went to it under the official signature, a way to send any text
    to any phone (security probe). The request keeps the account's phone as its 联系电话."""
    if actor.role != Role.CANDIDATE:
        raise PermissionDenied("单位添加申请由考生在填报时提交。")
    full_name = " ".join((full_name or "").split())
    if len(full_name) < 4:
        raise ValidationError({"full_name": "请填写单位的规范全称。"})
    # The candidate's row locked: two posts of one request at once take turns, the later sees the first.
    User.objects.select_for_update(no_key=True).filter(pk=actor.pk).first()
    if UnitRequest.objects.filter(requested_by=actor, full_name=full_name, status=UnitRequest.Status.OPEN).exists():
        raise ValidationError({"full_name": f"您已申请添加“{full_name}”，报名点尚在处理，请勿重复申请。"})
    unit_request = UnitRequest.objects.create(full_name=full_name, region_code=region_code, phone=actor.phone,
                                              requested_by=actor)
    record("org.unit_request", actor=actor, obj=unit_request, request=request,
           details={"full_name": full_name, "region": region_code})
    return unit_request


def get_unit_request_for(user, pk) -> UnitRequest:
    unit_request = UnitRequest.objects.visible_to(user).filter(pk=pk).first()
    if unit_request is None:
        raise Http404("申请不存在或不在您的辖区内。")
    return unit_request


def _open_request_locked(actor, unit_request: UnitRequest) -> UnitRequest:
    """The request to resolve, locked: in the actor's area and still open (one resolution each)."""
    unit_request = UnitRequest.objects.select_for_update().get(pk=get_unit_request_for(actor, unit_request.pk).pk)
    if unit_request.status != UnitRequest.Status.OPEN:
        raise ValidationError("该申请已处理。")
    return unit_request


def _resolve(actor, unit_request, org, status, request):
    """Close the locked request as `status` (with `org`, or refused with its refuse_reason set) and
    tell the candidate by SMS at his account's phone (verified when he signed up or changed it; none,
    no SMS). The text says what the 报名点 decided, in the words of the 报名点 (the org's name, the
    reason), and repeats nothing the candidate typed: the day he asked tells which request it is."""
    unit_request.status = status
    unit_request.resolved_org = org
    unit_request.resolved_by = actor
    unit_request.resolved_at = timezone.now()
    unit_request.save(update_fields=["status", "resolved_org", "resolved_by", "resolved_at", "refuse_reason"])
    record("org.unit_request_resolve", actor=actor, obj=unit_request, request=request,
           details={"status": status, "org": org.code if org else None, "org_name": org.name if org else None,
                    **({"reason": unit_request.refuse_reason} if status == UnitRequest.Status.REFUSED else {})})
    phone = unit_request.requested_by.phone
    if not phone:
        return
    day = timezone.localtime(unit_request.created_at)
    asked = f"【{settings.SITE_NAME}】您{day.month}月{day.day}日申请添加的单位"
    if status == UnitRequest.Status.ADDED:
        text = f"{asked}已加入单位库，名称为“{org.name}”，请在填报时搜索选择。"
    elif status == UnitRequest.Status.POINTED:
        text = f"{asked}在单位库中已有，名称为“{org.name}”，请在填报时搜索选择。"
    else:
        text = f"{asked}未予添加，原因：{unit_request.refuse_reason[:120].rstrip('。')}。如有疑问请联系所在地区报名点。"
    send_sms(phone, text, purpose="unit_request")


def unit_request_parents(user):
    """The orgs a unit added for a request may be filed under: the enabled 报名点 of the user's
    subtree that serve an area (models.AREA_OFFICE: a 区县卫健局, not a hospital that is its own
    staff's 报名点), what the resolve page offers and all unit_request_resolve_add accepts."""
    return Org.objects.visible_to(user).area_offices().filter(is_point=True, enabled=True).order_by("code")


@transaction.atomic
def unit_request_resolve_add(*, actor, unit_request: UnitRequest, parent: Org, name: str, short_name: str = "",
                             code: str = "", request=None) -> Org:
    """Resolve by adding the unit (no review right) below a 报名点 of the actor's subtree."""
    require_function(actor, "add_unit")
    unit_request = _open_request_locked(actor, unit_request)
    if not unit_request_parents(actor).filter(pk=parent.pk).exists():
        raise ValidationError({"parent": "请选择本辖区内已启用的区县卫生健康局等报名点作为上级机构"
                                         "（单位自设的报名点只审核本单位人员）。"})
    org = org_create(actor=actor, parent=parent, code=code, name=name, short_name=short_name,
                     region_code=unit_request.region_code, is_unit=True, request=request)
    _resolve(actor, unit_request, org, UnitRequest.Status.ADDED, request)
    return org


@transaction.atomic
def unit_request_resolve_existing(*, actor, unit_request: UnitRequest, org: Org, request=None) -> None:
    """Resolve by pointing the candidate to a unit already in the dictionary."""
    require_function(actor, "add_unit")
    unit_request = _open_request_locked(actor, unit_request)
    # The unit read again under its lock (as a candidate's section save locks the unit he chooses,
    # applications.services._unit_held): its deletion or 禁用 (org_delete, org_set_enabled: both lock it)
    # has been made and is seen here, or waits for this request to point to it (and a deletion then counts
    # it). On the page's copy, a deletion meanwhile failed the COMMIT on the foreign key (a server error),
    # and a 禁用 meanwhile had the candidate texted to choose a unit he cannot (races probe).
    chosen = org
    org = Org.objects.select_for_update(no_key=True).filter(pk=chosen.pk).first()
    if org is None:
        raise ValidationError({"org": f"所选单位“{chosen.name}”已被删除，请重新搜索选择。"})
    if org.is_unit and not org.enabled:
        raise ValidationError({"org": f"所选单位“{org.name}”已被禁用，考生无法选择，请重新搜索选择。"})
    if not org.is_unit:
        raise ValidationError({"org": "请选择单位库中已启用的单位。"})
    actor_held(actor)
    if gap := routing_gap(org.ancestors_and_self()):
        raise ValidationError({"org": f"“{org.name}”{gap}，考生选择后无法提交；请先将其调整到报名点之下。"})
    _resolve(actor, unit_request, org, UnitRequest.Status.POINTED, request)


@transaction.atomic
def unit_request_refuse(*, actor, unit_request: UnitRequest, reason: str, request=None) -> None:
    """不予添加: close a bogus or duplicate request; the candidate is told why by SMS."""
    require_function(actor, "add_unit")
    unit_request = _open_request_locked(actor, unit_request)
    actor_held(actor)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "请填写不予添加的原因（将短信告知考生）。"})
    if len(reason) > REFUSE_REASON_MAX:
        raise ValidationError({"reason": f"原因不超过{REFUSE_REASON_MAX}字。"})
    unit_request.refuse_reason = reason
    _resolve(actor, unit_request, None, UnitRequest.Status.REFUSED, request)


# ---------------------------------------------------------------------------------------------
# 分配交叉审核: the rules are read from selectors, where the page and routing read them too.


@transaction.atomic
def cross_review_assign(*, actor, exam_year, stage: str, source_id: int, target_id: int,
                        request=None) -> CrossReviewAssignment:
    """A 考点/考区 has `target` do the `stage` normally done by `source`, both assignable orgs of
    its subtree (selectors.assignable_orgs: the very choices of the page)."""
    require_function(actor, "assign_cross_review")
    if not actor.org_id:
        raise PermissionDenied("您没有所属机构。")
    try:
        stage = Stage(stage)
    except ValueError:
        raise ValidationError("请选择审核环节。") from None
    if stage not in selectors.STAGE_TARGET_LEVEL:
        raise ValidationError("考区复核不能分配交叉审核。")
    assignable = selectors.assignable_orgs(actor.org)
    if not assignable.filter(pk=source_id).exists() or not assignable.filter(pk=target_id).exists():
        raise PermissionDenied("只能在本机构及下属的审核机构之间分配交叉审核。")
    if source_id == target_id:
        raise ValidationError("交叉审核机构不能与原审核机构相同。")
    # Both rows locked, in pk order as org_set_enabled locks what it disables: a 禁用 of either meanwhile
    # has been made and is seen here, or waits for this assignment and then refuses to disable its
    # target. Two assignments of the source's stage at once take turns (the later replaces the
    # earlier) instead of one failing on the one-active-assignment constraint.
    held = {org.pk: org for org in Org.objects.select_for_update(no_key=True).filter(
        pk__in=[source_id, target_id]).order_by("pk")}
    source, target = held.get(source_id), held.get(target_id)
    if source is None or target is None:
        raise ValidationError("所选机构刚被删除，请刷新页面后重新选择。")
    actor_held(actor)
    if disabled := [org.name for org in (source, target) if not org.enabled]:
        raise ValidationError(f"“{'”“'.join(disabled)}”刚被禁用，不能分配交叉审核，请刷新页面后重新选择。")
    # Its applications would wait where no one can sign in (race probe). A 禁用 of its last account locks
    # the org first (accounts.services.account_set_active): one made meanwhile is seen here, or waits for
    # this assignment, then counts it and refuses.
    if refusal := selectors.unstaffed_refusal(target):
        raise ValidationError(refusal)
    if not selectors.can_take(source, stage):  # an assignment no chain would ever meet
        raise ValidationError(f"“{source.name}”不办理{stage.label}，无需分配。")
    if not selectors.can_take(target, stage):
        raise ValidationError(f"“{target.name}”不能办理{stage.label}。")
    if selectors.decided_above(actor.org, stage, source.pk):
        raise PermissionDenied("不能分配本机构自己的考点审核。")
    CrossReviewAssignment.objects.filter(exam_year=exam_year, stage=stage, source=source, active=True).update(
        active=False)
    assignment = CrossReviewAssignment.objects.create(exam_year=exam_year, stage=stage, source=source,
                                                      target=target, assigned_by=actor)
    record("cross_review.assign", actor=actor, obj=assignment, request=request,
           details={"year": exam_year.year, "stage": stage, "source": source.code, "target": target.code})
    return assignment


@transaction.atomic
def cross_review_revoke(*, actor, assignment_id: int, request=None) -> CrossReviewAssignment:
    require_function(actor, "assign_cross_review")
    assignment = CrossReviewAssignment.objects.select_for_update().filter(pk=assignment_id).first()
    # Revoke only what the actor could have assigned himself (the rules of cross_review_assign).
    if assignment is None or not actor.org_id or not selectors.may_revoke(actor.org, assignment):
        raise PermissionDenied("该交叉审核分配不在您的管理范围内。")
    actor_held(actor)
    if not assignment.active:
        raise ValidationError("该交叉审核分配已被取消或已由新的分配代替（可能是其他人或在另一窗口），请刷新页面。",
                              code="stale")
    assignment.active = False
    assignment.save(update_fields=["active"])
    record("cross_review.revoke", actor=actor, obj=assignment, request=request,
           details={"stage": assignment.stage, "source": assignment.source_id, "target": assignment.target_id})
    return assignment
