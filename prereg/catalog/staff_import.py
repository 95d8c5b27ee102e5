"""Reviewer accounts created in bulk from a sheet (issue 17.4), their one-time passwords handed
down through the org tree as when a year opens (services.reviewer_passwords_reset): sealed into
the current year's password sheet of the org above each account (services.hand_down), which
that org's reviewers read once under 新年度账号密码.

It sits beside the password sheets it writes to (catalog), above orgs and accounts whose rules it
applies: the roles the actor may create (accounts.services.creatable_roles), the org holding the
role's level, a unit's review right (account_create's rules, row by row). All or nothing;
re-importing the same sheet creates nothing again (an existing login name of the same org and
role is that account: its name and phone are updated, its password is not touched; a row that
changes nothing is unchanged whatever the account's role, so the template, which lists the actor's
own account and his peers', imports back unchanged); audited.
"""

import dataclasses
import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from prereg.accounts.backends import phone_held
from prereg.accounts.hashers import hash_one_time_password
from prereg.accounts.models import Role, User
from prereg.accounts.permissions import require_function
from prereg.accounts.services import (
    ROLE_LEVEL_FIELD,
    actor_held,
    creatable_roles,
    generate_one_time_password,
    tell_old_phone,
)
from prereg.accounts.validators import clean_staff_login_name, refuse_case_variant
from prereg.audit.log import record
from prereg.core.sheets import SheetError, read_table
from prereg.core.validators import clean_line, clean_person_name, normalize_mobile, validate_mobile
from prereg.orgs.models import Org

from .models import ExamYear
from .services import hand_down

USERNAME, NAME, PHONE, ORG, ROLE, TITLE, DEPARTMENT = "登录名", "姓名", "手机号码", "所属机构代码", "角色", "职务", "科室"
COLUMNS = [USERNAME, NAME, PHONE, ORG, ROLE, TITLE, DEPARTMENT]
REQUIRED = [USERNAME, ORG, ROLE]
MAX_ROWS = 20_000
ROLE_WORDS = {Role(role).label: role for role in Role.reviewer_roles()}
TEMPLATE_NOTES = [
    "每行一个审核账号；第一行为表头，请勿修改列名。",
    f"必填列：{'、'.join(REQUIRED)}；“角色”填 考区、考点、报名点、单位 之一，须是所属机构具有的类别；单位账号的机构须有单位审查权限。",
    "登录名为3至50位字母、数字或 _ . @ -，全省唯一（如机构代码，或机构代码加序号）；不能是手机号码或身份证号码。",
    "新账号的一次性密码按机构逐级下发：放入上级机构本年度的“新年度账号密码”单，由上级机构管理员查看（仅一次）后下发；首次登录须修改密码并完善个人信息。",
    "再次导入同一文件不会重复新增：已有的同名账号（同一机构、同一角色）只更新姓名、手机号码等，不重置密码。",
    "文件中任意一行有误则整份文件不导入。",
]


@dataclasses.dataclass
class StaffPlan:
    filename: str
    digest: str
    rows: int = 0
    errors: list[str] = dataclasses.field(default_factory=list)
    creates: list[dict] = dataclasses.field(default_factory=list)
    updates: list[tuple[User, dict]] = dataclasses.field(default_factory=list)
    unchanged: int = 0
    sheets: int = 0
    phone_lines: dict[str, int] = dataclasses.field(default_factory=dict)  # a number given -> its row

    @property
    def ok(self) -> bool:
        return not self.errors


def plan_staff_import(*, actor, filename: str, content: bytes) -> StaffPlan:
    require_function(actor, "create_reviewer")
    plan = StaffPlan(filename=filename, digest=hashlib.sha256(content).hexdigest())
    try:
        header, body = read_table(filename, content, max_rows=MAX_ROWS)
    except SheetError as exc:
        plan.errors.append(str(exc))
        return plan
    plan.rows = len(body)
    index = {title: i for i, title in enumerate(header)}
    missing = [c for c in REQUIRED if c not in index]
    if missing:
        plan.errors.append(f"表头缺少列：{'、'.join(missing)}（第一行须为：{'、'.join(COLUMNS)}）。")
        return plan
    rows = [{column: cells[index[column]] if column in index else "" for column in COLUMNS} | {"line": n}
            for n, cells in enumerate(body, start=2)]
    codes = {r[ORG] for r in rows if r[ORG]}
    orgs = {org.code: org for org in Org.objects.filter(code__in=codes)}
    visible = set(Org.objects.visible_to(actor).filter(code__in=codes).values_list("code", flat=True))
    existing = {u.username: u for u in User.objects.filter(username__in=[r[USERNAME] for r in rows if r[USERNAME]])
                .select_related("org")}
    allowed = set(creatable_roles(actor))
    seen: dict[str, int] = {}
    phones: dict[str, int] = {}  # a number the sheet gives an account -> its first line
    for r in rows:
        username, problems = r[USERNAME], []
        user = existing.get(username)
        try:
            # The rule of a new login name (accounts.validators). A reviewer account the sheet names
            # is not renamed by it, and the template lists it as it is: a name given before the rule
            # imports back unchanged.
            if user is None or not user.is_reviewer:
                username = clean_staff_login_name(username)
            if user is None:
                refuse_case_variant(username)  # ADMIN beside an account's admin
        except ValidationError as exc:
            problems.append(exc.messages[0].rstrip("。"))
        else:
            if username.lower() in seen:  # one login name whatever its case (accounts.validators)
                problems.append(f"登录名与第{seen[username.lower()]}行重复")
            else:
                seen[username.lower()] = r["line"]
        role = ROLE_WORDS.get(r[ROLE])
        org = orgs.get(r[ORG])
        if role is None:
            problems.append(f"角色“{r[ROLE]}”不存在（可填：{'、'.join(ROLE_WORDS)}）")
        if org is None:
            problems.append(f"所属机构代码 {r[ORG] or '（空）'} 不存在")
        elif r[ORG] not in visible:
            problems.append(f"机构 {org.code} 不在您的管辖范围内")
        elif role is not None and user is None:
            # The rules of a new account (account_create's): an existing one is only updated.
            if role not in allowed:
                problems.append(f"您不能新增“{r[ROLE]}”账号")
            if not getattr(org, ROLE_LEVEL_FIELD[role]):
                problems.append(f"“{org.name}”不是{Role(role).label}，不能设该角色的账号")
            elif role == Role.UNIT and not org.has_review_right:
                problems.append(f"“{org.name}”没有单位审查权限，须由考区先授予")
        phone = normalize_mobile(r[PHONE])
        if phone:
            try:
                validate_mobile(phone)
            except ValidationError:
                problems.append("手机号码应为11位手机号码")
        problems += [f"{column}超过50字" for column in (NAME, TITLE, DEPARTMENT) if len(r[column]) > 50]
        # Stored as the pages store them (accounts.services): the name by clean_person_name, 职务 and 科室 by
        # clean_line (control characters refused, invisible ones dropped).
        values = {"name": r[NAME], "phone": phone, "title": r[TITLE], "department": r[DEPARTMENT]}
        if r[NAME] and (user is None or r[NAME] != user.name):  # a name kept as stored is not asked again
            try:
                values["name"] = clean_person_name(r[NAME])
            except ValidationError as exc:
                problems.append(exc.messages[0].rstrip("。"))
        for key, column in (("title", TITLE), ("department", DEPARTMENT)):
            try:
                values[key] = clean_line(r[column], column)
            except ValidationError as exc:
                problems.append(exc.messages[0].rstrip("。"))
        if user is not None and not problems and (user.org_id != org.pk or user.role != role):
            problems.append("登录名已被其他账号使用")
        changes = {} if user is None or problems else {k: [getattr(user, k), v] for k, v in values.items()
                                                          if v and getattr(user, k) != v}
        # The template lists every account the actor sees, his own and his peers' among them: a row
        # that changes nothing is unchanged whoever may change it; one that does change needs an
        # account the actor administers (a lower role).
        if changes and role not in allowed:
            problems.append(f"“{r[ROLE]}”账号不能在此修改（只能修改您下级的账号；本人信息请在“个人信息”中修改）")
        # A number the sheet gives (a new account's, a changed one), no code from it: not one another account
        # holds, nor another row gives (accounts.backends.phone_held; _apply asks again under its lock).
        if phone and not problems and (user is None or "phone" in changes):
            if phone in phones:
                problems.append(f"手机号码与第{phones[phone]}行重复")
            elif phone_held(phone, by_other_than=user):
                problems.append("该手机号码已被其他账号使用")
            phones.setdefault(phone, r["line"])
        if problems:
            plan.errors.extend(f"第{r['line']}行（{username or '无登录名'}）：{p}。" for p in problems)
            continue
        if user is None:
            plan.creates.append({"username": username, "role": role, "role_label": Role(role).label, "org": org,
                                 **values})
        elif changes:
            plan.updates.append((user, changes))
        else:
            plan.unchanged += 1
    if plan.errors:
        plan.creates, plan.updates = [], []
    plan.phone_lines = phones
    return plan


@transaction.atomic
def staff_import(*, actor, filename: str, content: bytes, expected_digest: str | None = None,
                 request=None) -> StaffPlan:
    """Create the sheet's new accounts (one-time passwords into the holders' sheets of the current
    year) and update the others, or nothing when any row is wrong."""
    plan = plan_staff_import(actor=actor, filename=filename, content=content)
    if expected_digest is not None and plan.digest != expected_digest:
        plan.errors.insert(0, "文件与预览时的不一致，请重新上传并预览。")
    year = ExamYear.current()
    if year is None and plan.creates:
        plan.errors.insert(0, "请先开启年度：新账号的一次性密码随本年度的密码单下发。")
    if plan.errors:
        record("account.import", actor=actor, request=request, outcome="failure",
               details={"file": filename, "sha256": plan.digest, "errors": len(plan.errors),
                        "first_errors": plan.errors[:20]})
        return plan
    try:
        with transaction.atomic():
            new_users = _apply(actor, plan, year)
    except PhoneTaken as exc:
        plan.errors = [f"第{'、'.join(str(line) for line in exc.lines)}行的手机号码刚被其他账号使用，整份文件未导入；"
                       "请修改后重新上传并预览。"]
        record("account.import", actor=actor, request=request, outcome="failure",
               details={"file": filename, "sha256": plan.digest, "errors": 1, "first_errors": plan.errors})
        return plan
    except IntegrityError:
        # A login name of the sheet taken since the preview (an account added by hand or by another
        # import at the same moment): the unique index refuses the insert; nothing of the sheet stays.
        taken = User.objects.filter(username__in=[spec["username"] for spec in plan.creates])
        names = "、".join(taken.values_list("username", flat=True)[:20]) or "部分新账号的登录名"
        plan.errors = [f"登录名 {names} 刚被其他账号使用，整份文件未导入；请修改后重新上传并预览。"]
        record("account.import", actor=actor, request=request, outcome="failure",
               details={"file": filename, "sha256": plan.digest, "errors": 1, "first_errors": plan.errors})
        return plan
    record("account.import", actor=actor, request=request, details={
        "file": filename, "sha256": plan.digest, "rows": plan.rows, "created": len(plan.creates),
        "updated": len(plan.updates), "unchanged": plan.unchanged, "sheets": plan.sheets,
        "created_usernames": [u.username for u in new_users[:500]],
        "changes": {u.username: {f: [str(v) for v in values] for f, values in c.items()}
                    for u, c in plan.updates[:500]}})
    return plan


class PhoneTaken(Exception):
    """A number the sheet gives was taken by another account since the preview (`lines`: its rows)."""

    def __init__(self, lines):
        self.lines = lines
        super().__init__(lines)


def _phones_still_free(plan: StaffPlan) -> None:
    """The numbers the sheet gives, held (phone_held's lock, in order) and asked again: an account may
    have taken one since the preview. Raises PhoneTaken."""
    given = {spec["phone"]: None for spec in plan.creates if spec["phone"]}
    given |= {changes["phone"][1]: user for user, changes in plan.updates if "phone" in changes}
    taken = [number for number in sorted(given) if phone_held(number, by_other_than=given[number], lock=True)]
    if taken:
        raise PhoneTaken([plan.phone_lines.get(number, "?") for number in taken])


def _apply(actor, plan: StaffPlan, year) -> list[User]:
    """Write the plan: the changed accounts updated under their locks, the new ones created with
    their one-time passwords handed down. Returns the new accounts."""
    # The actor's account, then those the sheet changes, then the numbers it gives: every act takes
    # accounts before numbers (修改 of an account's phone locks the account, then its new number), so a
    # superior's 修改 of one of the sheet's accounts to one of its numbers waits or is waited for (race probe:
    # the import took the number first, and each waited for the other).
    actor_held(actor)
    locked = {u.pk: u for u in User.objects.select_for_update(no_key=True).filter(pk__in=[u.pk for u, _ in plan.updates])
              .in_lock_order()}
    _phones_still_free(plan)
    for user, changes in plan.updates:
        user = locked[user.pk]
        for field, (_old, new) in changes.items():
            setattr(user, field, new)
        user.version += 1  # an edit page of the account loaded before the import is now stale
    User.objects.bulk_update(list(locked.values()), ["name", "phone", "title", "department", "version"],
                             batch_size=500)
    for user, changes in plan.updates:
        if "phone" in changes:
            tell_old_phone(user=locked[user.pk], old_phone=changes["phone"][0], actor=actor)
    passwords = []
    for spec in plan.creates:
        raw = generate_one_time_password()
        user = User(**{k: v for k, v in spec.items() if k != "role_label"}, created_by=actor,
                    must_change_password=True, profile_completed=False, password=hash_one_time_password(raw))
        passwords.append((user, raw))
    new_users = [user for user, _raw in passwords]
    User.objects.bulk_create(new_users, batch_size=500)
    plan.sheets = hand_down(year, passwords)
    return new_users


def template_rows(actor) -> list[list[str]]:
    """The reviewer accounts the actor sees, in the import's columns (the template). Phones are
    left out (a blank phone changes nothing on import): the file leaves the system."""
    users = User.objects.staff_visible_to(actor).select_related("org").order_by("org__path", "username")
    return [[u.username, u.name, "", u.org.code, u.get_role_display(), u.title, u.department] for u in users]


def raise_unless_allowed(actor) -> None:
    if not creatable_roles(actor):
        raise PermissionDenied("您不能新增审核账号。")
