"""Account acts: each checks, changes, audits, in one transaction.

set_one_time_password, valid_phone, reset_login_failures and tell_old_phone are building blocks
that check and audit nothing: the acts here use them, and so do those of 考生信息管理
(applications.candidates), whose scope is a question about applications, and the staff import.
"""

import dataclasses
import secrets
import string
import time
from functools import partial

from axes import utils as axes_utils
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone

from prereg.audit.log import record
from prereg.audit.models import Outcome
from prereg.core import locks
from prereg.core.masking import mask_phone
from prereg.core.validators import clean_line, clean_person_name, normalize_mobile, validate_mobile
from prereg.notify.sms import (
    RateLimited,
    check_sms_rate,
    issue_code,
    new_code,
    send_code,
    send_sms,
    verify_code,
)

from . import permissions
from .backends import STAFF_PHONE_TAKEN_MESSAGE, find_account, hold_sign_in, identifier_key, phone_held
from .models import PasswordHistory, Role, RolePermission, User, disabled_above, outranks, roles_below
from .validators import CASE_VARIANT_MESSAGE, clean_staff_login_name, refuse_case_variant, staff_named_alike


def generate_one_time_password(length: int = 12) -> str:
    """A random password meeting the character-class rule; shown once, changed at first use."""
    alphabet = string.ascii_letters + string.digits
    while True:
        body = "".join(secrets.choice(alphabet) for _ in range(length - 2))
        candidate = body + secrets.choice("!@#$%&*") + secrets.choice(string.digits)
        if any(c.islower() for c in candidate) and any(c.isupper() for c in candidate):
            return candidate


def _store_password(user: User, raw: str) -> None:
    """Every path that sets a password goes through here, so the history is always kept."""
    if user.password and user.has_usable_password():
        PasswordHistory.objects.create(user=user, password=user.password)
    user.set_password(raw)


def set_one_time_password(user: User) -> str:
    """A random password the user must change at his next login; returns it, to be sent or shown once."""
    password = generate_one_time_password()
    _store_password(user, password)
    user.must_change_password = True
    user.one_time_password_set_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "one_time_password_set_at"])
    return password


def _set_chosen_password(user: User, raw: str) -> None:
    """A password the user chose himself: checked against the rules; it ends a one-time password."""
    validate_password(raw, user)
    _store_password(user, raw)
    user.must_change_password = False
    user.one_time_password_set_at = None
    user.save(update_fields=["password", "must_change_password", "one_time_password_set_at"])


def valid_phone(phone: str) -> str:
    """The mobile number normalized, or a ValidationError on the form's `phone` field."""
    phone = normalize_mobile(phone)
    try:
        validate_mobile(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from exc
    return phone


OWN_CHANGE_STALE_MESSAGE = "您的密码刚刚已被修改（可能在另一窗口），本次未修改。请使用当前密码重新操作。"


@transaction.atomic
def user_change_password(*, user: User, new_password: str, request=None) -> None:
    """The user sets his own password (also ends a one-time password).

    `user` is the account as the caller read it, whose password the form checked the old one
    against. His row is locked and compared with it: a change committed meanwhile (a second tab, a
    double post) makes that check stale. The same new password again is that change, already made:
    nothing written twice; another one is refused (ValidationError, code "stale")."""
    locked = User.objects.select_for_update(no_key=True).get(pk=user.pk)
    if locked.password != user.password:
        if not check_password(new_password, locked.password):
            raise ValidationError(OWN_CHANGE_STALE_MESSAGE, code="stale")
        user.password, user.must_change_password = locked.password, locked.must_change_password
        user.one_time_password_set_at = locked.one_time_password_set_at
        if request is not None:
            update_session_auth_hash(request, user)
        return
    _set_chosen_password(user, new_password)
    record("account.password_change", actor=user, obj=user, request=request)
    if request is not None:
        # Keep this session; other sessions of the user end (their hash no longer matches).
        update_session_auth_hash(request, user)


def user_complete_profile(*, user: User, expected_version: int, name: str, title: str, department: str, phone: str,
                          sms_code: str = "", request=None) -> None:
    """完善个人信息 at the first login: the phone follows the rule of 个人信息 (confirm_own_phone: a
    number not already on the account only with the code sent to it), since 找回密码 sends its codes
    there. Checked, the row locked, its version compared with the page's, audited, in one transaction."""
    # The rules of 个人信息 (the page's form says them at the fields first).
    values = _clean_profile({"name": name, "title": title, "department": department, "phone": phone}, own=True)
    name, title, department, phone = values["name"], values["title"], values["department"], values["phone"]
    if user.version != expected_version:
        raise ValidationError(STALE_MESSAGE, code="stale")
    confirm_own_phone(user, phone, sms_code)
    with transaction.atomic():
        locked = User.objects.select_for_update(no_key=True).filter(pk=user.pk).first()
        if locked is None or locked.version != expected_version:
            raise ValidationError(STALE_MESSAGE, code="stale")
        before = locked.phone
        locked.name, locked.title, locked.department, locked.phone = name, title, department, phone
        locked.profile_completed = True
        locked.version += 1
        locked.save(update_fields=["name", "title", "department", "phone", "profile_completed", "version"])
        record("account.profile_complete", actor=locked, obj=locked, request=request,
               details={"phone": mask_phone(phone), "phone_confirmed_by_code": phone != before})
    user.name, user.title, user.department, user.phone = name, title, department, phone
    user.profile_completed, user.version = True, locked.version


@transaction.atomic
def user_reset_password_by_code(*, user: User, new_password: str, request=None) -> None:
    """找回密码: the user chose his new password; run within the transaction that spends the SMS
    code (password_recovery_finish), so a password refused here leaves the code live."""
    _set_chosen_password(user, new_password)
    reset_login_failures(user.username)
    record("account.password_recover", actor=user, obj=user, request=request)


# --- 找回密码 without telling who has an account -------------------------------------------------
# Both steps answer and work alike for an identifier that names no account (ASVS 5.0 V6.3.8, no
# account enumeration): the limits count the identifier as find_account reads it (identifier_key)
# and the address, a code is made and hashed either way, and step 2 checks a code against a hash
# either way. The ticket (kept in the session between the steps) names the account, or none: then
# it is a decoy. Step 2 answers from the ticket alone, never from the state of the account's codes.

RECOVERY_PURPOSE = "password_reset"
RECOVERY_TRIES = 5  # as many wrong codes as verify_code allows before the code is spent


def may_recover_password(user: User) -> bool:
    """找回密码 for this account: active, with a phone for the code, and its role holds the function
    (配置角色权限). Both steps ask it; an account it refuses is answered as an unknown one."""
    return user.is_active and bool(user.phone) and permissions.role_has_function(user.role, "recover_password")


def recovery_withdrawn_roles() -> list[str]:
    """The roles whose 找回密码 is withdrawn, named on the 找回密码 page to every visitor alike: the
    page tells nothing about the account typed, yet no one waits for a code that will not come."""
    return [Role(role).label for role in Role.values if not permissions.role_has_function(role, "recover_password")]


def _recovery_audited(event: str, event_outcome: str, *, user, identifier: str = "", request=None,
                      **details) -> None:
    """A step of 找回密码 in the audit log, whatever its answer (security probe: only a success was,
    so a run of code requests or wrong codes at an account left no trace). Written for an unknown
    identifier too: the page answers alike, the log (read by auditors) says which it was."""
    record(event, actor=None, obj=user, request=request, outcome=event_outcome,
           actor_name=(identifier or getattr(user, "username", ""))[:4] + "***", details=details)


def password_recovery_start(*, identifier: str, client_ip: str = "", request=None) -> dict:
    """找回密码, step 1: a code to the account's registered phone. Raises RateLimited (the same for
    any identifier); returns the ticket for step 2."""
    check_sms_rate("", client_ip, subject=f"recover:{identifier_key(identifier)}")
    user = find_account(identifier)
    ticket = {"user": None, "issued": int(time.time()), "tries": 0}
    sent = False
    if user is not None and may_recover_password(user):
        ticket["user"] = user.pk
        try:
            check_sms_rate(user.phone)  # the phone's own limit (he may be asked for by another name)
        except RateLimited:
            pass  # said nowhere: the answer would tell that the account exists
        else:
            send_code(user.phone, RECOVERY_PURPOSE, client_ip=client_ip)
            sent = True
    if not sent:
        new_code()  # the hashing a sent code costs, so an unknown identifier takes as long
    _recovery_audited("account.password_recover_code", Outcome.SUCCESS if sent else Outcome.DENIED, user=user,
                      identifier=identifier, request=request, known_account=user is not None, code_sent=sent)
    return ticket


def password_recovery_finish(*, ticket: dict | None, code: str, new_password: str, request=None) -> User:
    """找回密码, step 2: the code and the new password. The answer follows the ticket alone, a real
    one as a decoy: 验证码已失效 once its time is up or its RECOVERY_TRIES wrong codes are used, and
    until then 验证码错误 for any code that does not set the password (`ticket["tries"]` counts them).
    That includes a known account with no live code: the phone's own limit held the code back
    silently, another session's wrong tries spent it, or a later ticket's code replaced it; saying
    验证码已失效 there, where a decoy says 验证码错误, told that the account exists (security probe).

    The password's own rules (length, kinds of character, weak patterns) are the form's, checked
    for everyone before this; those of the account (its details, its recent passwords) only once the
    code is right, so without the code they tell nothing. They are checked in the transaction that
    spends the code: a password they refuse leaves the code live and the ticket's tries unused, and
    the candidate chooses another with the same code (phone probe: he was sent back for a new SMS)."""
    ticket = ticket if ticket is not None else {"user": None, "issued": 0, "tries": RECOVERY_TRIES}
    user = User.objects.filter(pk=ticket.get("user")).first() if ticket.get("user") else None
    if (ticket.get("tries", 0) >= RECOVERY_TRIES
            or time.time() > ticket.get("issued", 0) + settings.SMS_CODE_TTL_SECONDS):
        _recovery_audited("account.password_recover", Outcome.FAILURE, user=user, request=request,
                          reason="验证码已失效")
        raise ValidationError("验证码已失效，请重新获取。", code="expired")
    if user is not None and not may_recover_password(user):
        user = None  # disabled, its phone removed or its role's 找回密码 withdrawn since step 1
    if user is None:
        make_password(code)  # the hash check a real code costs
    else:
        try:
            verify_code(user.phone, RECOVERY_PURPOSE, code, then=partial(
                user_reset_password_by_code, user=user, new_password=new_password, request=request))
        except ValidationError as exc:
            if getattr(exc, "code", None) not in ("expired", "wrong"):
                raise  # the code was right and the password refused: both stay as they were
            if exc.code == "expired":
                make_password(code)  # no live code to check: as long as a check
        else:
            return user
    ticket["tries"] = ticket.get("tries", 0) + 1
    _recovery_audited("account.password_recover", Outcome.FAILURE, user=user, request=request, reason="验证码错误",
                      tries=ticket["tries"])
    raise ValidationError("验证码错误。", code="wrong")


def locked_usernames(usernames) -> set[str]:
    """Which of these accounts failed logins lock now (django-axes: the failures within the
    cool-off reach AXES_FAILURE_LIMIT), in one query for a page of 用户管理; reset_login_failures
    unlocks one."""
    attempts = AccessAttempt.objects.filter(username__in=list(usernames))
    cool_off = get_cool_off()
    if cool_off:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return set(attempts.values("username").annotate(n=Sum("failures_since_start"))
               .filter(n__gte=settings.AXES_FAILURE_LIMIT).values_list("username", flat=True))


def login_locked(username: str) -> bool:
    """Whether failed logins lock the account now (locked_usernames)."""
    return username in locked_usernames([username])


def reset_login_failures(username: str) -> int:
    """Forget the failed logins that lock the account (django-axes); returns how many were cleared."""
    return axes_utils.reset(username=username) or 0


OLD_PASSWORD_LOCKED_MESSAGE = "该账号因连续多次密码错误已被锁定，暂不能修改密码。请联系上级管理员解锁，或稍后再试。"  # noqa: S105


def old_password_wrong_message() -> str:
    return f"原密码错误。连续{settings.AXES_FAILURE_LIMIT}次密码错误将锁定账号。"


def check_old_password(*, user: User, password: str, request=None) -> None:
    """原密码 of 修改密码 and of the first login: a guess at the account's password like a sign-in's,
    counted as one (security probe F2: a session's holder tried 30 in 1.4 s, unaudited, and the
    answer told the right one). A wrong one is a failed login of the account for django-axes (its
    count, its lockout, AXES_FAILURE_LIMIT) and an audited failure; an account locked is refused
    before the password is checked, so a right one tells nothing either. Raises ValidationError:
    code "wrong"; "locked_now" when this failure locked the account (the caller signs the session
    out, as the lockout would have refused its sign-in); "locked" when it was locked already.
    Taken in the account's turn (backends.hold_sign_in), as a sign-in is: attempts sent at once are
    counted one after the other, none checked past the limit."""
    with transaction.atomic():  # the refusal is raised once the failure and its entry are committed
        if request is not None:
            hold_sign_in(request, user.username)
        if login_locked(user.username):
            outcome = "locked"
            record("account.password_change", actor=user, obj=user, request=request, outcome=Outcome.DENIED,
                   details={"reason": "账号已锁定"})
        elif user.check_password(password):
            return
        else:
            if request is not None:
                AxesProxyHandler.user_login_failed(sender=check_old_password,
                                                   credentials={"username": user.username}, request=request)
            outcome = "locked_now" if login_locked(user.username) else "wrong"
            record("account.password_change", actor=user, obj=user, request=request, outcome=Outcome.FAILURE,
                   details={"reason": "原密码错误", "locked": outcome == "locked_now"})
    raise ValidationError(old_password_wrong_message() if outcome == "wrong" else OLD_PASSWORD_LOCKED_MESSAGE,
                          code=outcome)


# --- Reviewer accounts (账户管理) ----------------------------------------------------------------


def actor_held(actor) -> None:
    """The acting reviewer's account, row-locked until his act commits: its 禁用 (which locks it too,
    account_set_active) waits for an act under way or is seen here, so no act of an account lands after
    its superior was told it is disabled (the races probe met 14 in 16 approvals, and 考生信息管理's
    更正手机号码 and 重置考生密码). Every act of a reviewer takes it: the application acts, 考生信息管理,
    账户管理 (his own profile too), the org acts, imports, exports and reminders, the 考区's years,
    catalogue, notices and permissions. Taken after the orgs an act locks and before the rest, as
    account_set_active takes the orgs of the accounts it disables first (orgs before accounts before
    applications); the accounts an act changes rank below the actor's, so they come after his."""
    if not User.objects.select_for_update(no_key=True).filter(pk=actor.pk, is_active=True).values_list("pk"):
        raise PermissionDenied("您的账号已被禁用。")


def get_staff_for(actor, pk, *, administer: bool = False) -> User:
    """Fetch-and-authorize a reviewer account: visible in the actor's subtree (to act on it: of
    lower rank too), or 404."""
    qs = User.objects.administered_by(actor) if administer else User.objects.staff_visible_to(actor)
    user = qs.filter(pk=pk).select_related("org").first()
    if user is None:
        raise Http404("账号不存在或不在您的管辖范围内。")
    return user


ROLE_LEVEL_FIELD = {Role.DISTRICT: "is_district", Role.SITE: "is_site", Role.POINT: "is_point",
                    Role.UNIT: "is_unit"}


def creatable_roles(actor) -> list[str]:
    return roles_below(actor.role)


@transaction.atomic
def account_create(*, actor, org, role: str, username: str, name: str = "", phone: str = "",
                   request=None) -> tuple[User, str]:
    """新增审核账号: returns the account and its one-time password, shown once."""
    permissions.require_function(actor, "create_reviewer")
    if role not in creatable_roles(actor):
        raise PermissionDenied("您不能新增该角色的账号。")
    try:
        username = clean_staff_login_name(username)
    except ValidationError as exc:
        raise ValidationError({"username": exc.messages}) from None
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": "该登录名已被使用。"})
    try:
        refuse_case_variant(username)
    except ValidationError as exc:
        raise ValidationError({"username": exc.messages}) from None
    if name := (name or "").strip():  # optional; clean_person_name reads the spaces and control characters
        try:
            name = clean_person_name(name)
        except ValidationError as exc:
            raise ValidationError({"name": exc.messages}) from None
    if phone:
        phone = valid_phone(phone)
        if phone_held(phone, lock=True):
            raise ValidationError({"phone": STAFF_PHONE_TAKEN_MESSAGE})
    # The org read and checked under its lock, as org_create locks the parent: its deletion (orgs.services.
    # org_delete locks it, then counts its accounts) has been made and is seen here, or waits for this
    # account and counts it; its levels and 单位审查 right are those the account is made with. Read from the
    # page, a deletion before the COMMIT removed the org and the account failed on its foreign key, a server
    # error (races probe). Locked after the checks of the name, which need none: two admins creating
    # accounts of one org take turns from here only.
    Org = User._meta.get_field("org").related_model
    org = Org.objects.select_for_update(no_key=True).filter(pk=org.pk).first()
    if org is None:
        raise ValidationError({"org": "所选机构已被删除，请重新选择。"})
    if not org.is_visible_to(actor):
        raise Http404("机构不在您的管辖范围内。")
    if not getattr(org, ROLE_LEVEL_FIELD[role]):
        raise ValidationError({"role": f"“{org.name}”不是{Role(role).label}，不能设该角色的账号。"})
    if role == Role.UNIT and not org.has_review_right:
        raise ValidationError({"role": "该单位没有单位审查权限，须由考区先授予。"})
    actor_held(actor)
    user = User(username=username, role=role, org=org, name=name, phone=phone,
                created_by=actor, profile_completed=False)
    user.set_unusable_password()
    try:
        with transaction.atomic():  # a second admin may have created the same name since the check above
            user.save()
    except IntegrityError:
        if User.objects.filter(username=username).exists():
            raise ValidationError({"username": "该登录名已被使用。"}) from None
        if staff_named_alike(username).exists():  # ADMIN created meanwhile beside this admin
            raise ValidationError({"username": CASE_VARIANT_MESSAGE}) from None
        raise
    password = set_one_time_password(user)
    record("account.create", actor=actor, obj=user, request=request,
           details={"username": username, "role": role, "org": org.code})
    return user, password


RESET_JUST_DONE_MESSAGE = ("该账号的密码刚被他人重置（或本人刚修改了密码），本次未重置，以免两个密码混淆。"
                           "请与对方核对；如仍需重置，请刷新页面后再操作。")


@transaction.atomic
def account_reset_password(*, actor, user: User, request=None) -> str:
    """重置审核账户密码: a random one-time password, shown once; his sessions end.

    `user` is the account as the caller read it. Its row is locked and compared with that: when its
    password changed meanwhile (another admin's reset of the same moment, or the holder's own change),
    this one is refused (ValidationError, code "stale") instead of showing a second password and
    silently voiding the one the other admin was just shown."""
    permissions.require_function(actor, "reset_reviewer_password")
    actor_held(actor)
    seen = user.password
    user = (User.objects.administered_by(actor).filter(pk=user.pk)
            .select_for_update(no_key=True, of=("self",)).first())
    if user is None:
        raise Http404("账号不存在或不在您的管辖范围内。")
    if user.password != seen:
        raise ValidationError(RESET_JUST_DONE_MESSAGE, code="stale")
    password = set_one_time_password(user)
    reset_login_failures(user.username)
    record("account.password_reset", actor=actor, obj=user, request=request, details={"username": user.username})
    return password


@transaction.atomic
def account_unlock(*, actor, user_ids, request=None) -> int:
    """解锁 accounts locked by failed logins (django-axes), for who may reset their passwords
    (重置审核账户密码 clears the failures too); returns how many were locked."""
    permissions.require_function(actor, "reset_reviewer_password")
    actor_held(actor)
    ids = {int(i) for i in user_ids}
    users = list(User.objects.administered_by(actor).filter(pk__in=ids).select_for_update(no_key=True).in_lock_order())
    if len(users) != len(ids):
        raise Http404("所选账号不存在或不在您的管辖范围内。")
    locked = locked_usernames(u.username for u in users)
    for user in users:
        count = reset_login_failures(user.username)
        record("account.unlock", actor=actor, obj=user, request=request,
               details={"username": user.username, "attempts_cleared": count})
    return len(locked)


@transaction.atomic
def account_set_active(*, actor, user_ids, active: bool, waiting=None, assigned=None, request=None) -> int:
    """禁用/启用审核账户, several at once; a disabled account's sessions end at once
    (the auth backend refuses inactive users on every request). Refuses to disable the last active
    reviewer accounts of an org still needed, by the rule that refuses to disable the org itself
    (orgs.services.org_set_enabled), with its counts, which this app cannot import: `waiting` (org ids
    -> how many applications in flight need each at their current stage or a later one of their stored
    chain: applications.selectors.needed_counts) and `assigned` (-> how many of this year's cross-review
    assignments hand each a stage: orgs.services.assigned_counts)."""
    permissions.require_function(actor, "toggle_reviewer")
    ids = {int(i) for i in user_ids}
    scope = User.objects.administered_by(actor).filter(pk__in=ids)
    counted = not active and (waiting is not None or assigned is not None)
    if counted:
        # The orgs first, in pk order, as a submission locks its chain's orgs before it asks whether
        # a unit has reviewers (applications.services._chain_held), an assignment its source and
        # target (orgs.services.cross_review_assign), and a 退回上一环节 the org it returns to before its
        # reviewer's account and the application (applications.services._previous_org_held): one of
        # the two waits for the other.
        org_ids = set(scope.exclude(org=None).values_list("org", flat=True))
        Org = User._meta.get_field("org").related_model
        list(Org.objects.filter(pk__in=org_ids).select_for_update(no_key=True).order_by("pk"))
    # Then the actor's own account (a 禁用 of it by his superior waits, or is seen), then the lower ranks'.
    actor_held(actor)
    users = list(scope.select_for_update(no_key=True, of=("self",)).in_lock_order())
    if len(users) != len(ids):
        raise Http404("所选账号不存在或不在您的管辖范围内。")
    changed = [u for u in users if u.is_active != active]
    if active:
        _refuse_enabling_above(actor, changed)
    if counted:
        _keep_a_reviewer(changed, waiting, assigned)
    # Who disabled an account is kept (the role), so that a lower rank does not undo it; enabling forgets it.
    User.objects.filter(pk__in=[u.pk for u in changed]).update(is_active=active,
                                                               disabled_by_role="" if active else actor.role)
    if not active:  # disabled already, by a lower rank: now this rank's 禁用 too
        User.objects.filter(pk__in=[u.pk for u in users if u not in changed
                                    and outranks(actor.role, u.disabled_by_role)]).update(disabled_by_role=actor.role)
    for user in changed:
        record("account.enable" if active else "account.disable", actor=actor, obj=user, request=request,
               details={"username": user.username})
    return len(changed)


def _refuse_enabling_above(actor, enabling: list[User]) -> None:
    """启用 refused for an account a higher rank than the actor's disabled (security probe F4: a 考区
    disabled a unit's account and its 报名点 enabled it again). The same rank or a higher one enables it."""
    above = [u for u in enabling if disabled_above(actor.role, u.disabled_by_role)]
    if not above:
        return
    if len(above) == 1:
        label = Role(above[0].disabled_by_role).label
        raise ValidationError(f"账号 {above[0].username} 由上级（{label}）禁用，须由{label}或其上级启用。")
    names = "、".join(f"{u.username}（{Role(u.disabled_by_role).label}）" for u in above)
    raise ValidationError(f"以下账号由上级禁用，须由禁用它的上级启用：{names}。")


# The words of a refusal to leave an org that is needed without reviewers: here, for its last reviewer
# accounts; orgs.services for the org's own 禁用 and orgs.importer for an import row disabling it.
def needed_text(name: str, count: int) -> str:
    return f"“{name}”有{count}份报名信息待其审核（当前或后续审核环节）"


def assigned_text(name: str, count: int) -> str:
    return f"“{name}”是本年度{count}项交叉审核分配的交叉审核机构"


def _keep_a_reviewer(leaving: list[User], waiting, assigned) -> None:
    """Refuse when `leaving` are the last active reviewer accounts of an org that applications in flight
    will reach or this year's cross-review assignments hand a stage (account_set_active's counts): they
    would wait for no one (the org's own 禁用 is refused likewise)."""
    org_ids = {u.org_id for u in leaving if u.org_id and u.role in Role.reviewer_roles()}
    counts = waiting(org_ids) if org_ids and waiting is not None else {}
    targets = assigned(org_ids) if org_ids and assigned is not None else {}
    needed = counts.keys() | targets.keys()
    staffed = set(User.objects.active_reviewers().filter(org__in=list(needed))
                  .exclude(pk__in=[u.pk for u in leaving]).values_list("org", flat=True))
    stranded = dict.fromkeys(u.org for u in leaving if u.org_id in needed and u.org_id not in staffed)
    if not stranded:
        return
    names = "；".join(needed_text(org.name, counts[org.pk]) if org.pk in counts
                     else assigned_text(org.name, targets[org.pk]) for org in stranded)
    remedies = [remedy for remedy, orgs in (("待其审核完毕", counts), ("先在“分配交叉审核”中取消这些分配", targets))
                if any(org.pk in orgs for org in stranded)]
    raise ValidationError(f"{names}，禁用后该机构将没有可用的审核账号、无人审核："
                          f"请{'或'.join(remedies)}，或先启用或新增该机构的其他审核账号。")


# --- Role permissions (配置角色权限) -------------------------------------------------------------

# The named lock (core.locks) every change of the permission table holds: absent override rows
# mean the default, so no row stands for every cell a save reads.
PERMISSIONS_LOCK = "prereg.accounts.role_permissions"


def _cell_in_force(role: str, function: str) -> bool:
    """A cell's value as committed (not the cached copy a page was drawn from): its override or the default."""
    row = RolePermission.objects.filter(role=role, function=function).first()
    return row.allowed if row is not None else role in permissions.TABLE[function]


@transaction.atomic
def role_permission_set(*, actor, role: str, function: str, allowed: bool, request=None) -> bool:
    """Change one cell of the permission table; returns whether anything changed."""
    permissions.require_function(actor, "configure_roles")
    if function not in permissions.TABLE or role not in Role.values:
        raise ValidationError("未知的角色或功能。")
    if permissions.is_locked(function, role):
        raise PermissionDenied(f"“{Role(role).label}·{permissions.NAMES[function]}”受三员分立或《通知》权限表约束，不能修改。")
    locks.hold(PERMISSIONS_LOCK)
    actor_held(actor)
    before = _cell_in_force(role, function)
    if before == allowed:
        return False
    default = role in permissions.TABLE[function]
    if allowed == default:
        RolePermission.objects.filter(role=role, function=function).delete()
    else:
        RolePermission.objects.update_or_create(role=role, function=function,
                                                defaults={"allowed": allowed, "changed_by": actor})
    transaction.on_commit(permissions.invalidate_cache)
    permissions.invalidate_cache()
    record("permission.change", actor=actor, request=request,
           details={"role": role, "function": function, "before": before, "after": allowed,
                    "default": default})
    return True


@dataclasses.dataclass
class GridSave:
    changed: int  # cells changed (and audited)
    overtaken: dict[tuple[str, str], bool]  # (function, role) -> value in force: changed by another since the page


def role_permissions_save(*, actor, cells: dict[tuple[str, str], bool], shown: dict[tuple[str, str], bool] | None = None,
                          request=None) -> GridSave:
    """Save the grid of 配置角色权限, all or none, under the table's lock: `cells` ((function, role) ->
    ticked) as posted, `shown` what the page showed in each when it was loaded.

    Only the cells the user changed on his page (ticked != shown) are changed (and audited) as above.
    A cell whose value in force is no longer the one his page showed was changed by someone else since:
    it is left as it is (his page's old value never undoes that change) and returned in `overtaken`,
    so he can be told. Without `shown` (a caller that shows no page) every cell that differs is changed."""
    permissions.require_function(actor, "configure_roles")
    with transaction.atomic():
        locks.hold(PERMISSIONS_LOCK)
        actor_held(actor)  # a disabled account's save is refused, even one that would change nothing
        changed, overtaken = 0, {}
        for (function, role), allowed in cells.items():
            if function not in permissions.TABLE:
                continue
            if shown is not None:
                now = _cell_in_force(role, function)
                if now != shown.get((function, role), now):
                    overtaken[function, role] = now
                    continue
                if allowed == shown.get((function, role), allowed):
                    continue
            changed += role_permission_set(actor=actor, role=role, function=function, allowed=allowed,
                                           request=request)
    return GridSave(changed, overtaken)


# --- Keeping accounts up to date (账号用户管理要求 第二条, issue 17.5) ----------------------------

STAFF_PHONE_PURPOSE = "staff_phone"
STAFF_PHONE_CHANGED_PURPOSE = "staff_phone_changed"
STALE_MESSAGE = "该账号信息已被修改（可能在另一窗口），请刷新页面后重新填写。"


def tell_old_phone(*, user: User, old_phone: str, actor) -> None:
    """A superior changed the account's phone with no code from either number (the manual lets him
    vouch for a new holder of the post): the old number is told, since 找回密码 sends its codes to
    the new one from now on, so a change its holder did not ask for is reported by him rather than
    found out once the account is taken (security probe). Sent when the caller's transaction commits."""
    if old_phone and old_phone != user.phone:
        send_sms(old_phone, f"【{settings.SITE_NAME}】您的审核账号{user.username}的手机号码已由"
                            f"{actor.org or '系统管理员'}更改为{mask_phone(user.phone)}，今后找回密码的验证码将发往新号码。"
                            "如非本人申请，请立即联系上级管理员。", purpose=STAFF_PHONE_CHANGED_PURPOSE)


def profile_send_code(*, user: User, phone: str, client_ip: str = "") -> str:
    """获取验证码 for the new phone a reviewer types on his own 个人信息 page; returns the number
    (masked) it went to. Limited per account as well as per number and address."""
    phone = valid_phone(phone)
    if phone == user.phone:
        raise ValidationError({"phone": "手机号码未修改，无需验证。"})
    try:
        issue_code(phone, STAFF_PHONE_PURPOSE, client_ip=client_ip, account=f"staff-phone:{user.pk}")
    except ValidationError as exc:
        raise ValidationError({"sms_code": exc.messages}) from exc
    return mask_phone(phone)


def confirm_own_phone(user: User, phone: str, sms_code: str) -> None:
    """The one rule of a reviewer's own phone (个人信息 and the first login): a number not already on
    the account is taken only with the code profile_send_code sent to it, since 找回密码 sends its
    codes there (security probe F4); the number already on it, echoed back, needs none. Call it
    outside the act's transaction: the code's own transaction counts a wrong try even though the
    act is refused."""
    if phone == user.phone:
        return
    if not (sms_code or "").strip():
        raise ValidationError({"sms_code": "手机号码已修改，请获取并填写发送到新号码的短信验证码。"})
    try:
        verify_code(phone, STAFF_PHONE_PURPOSE, sms_code)
    except ValidationError as exc:
        raise ValidationError({"sms_code": exc.messages}) from exc


def _clean_profile(values: dict, *, own: bool) -> dict:
    """An account holder's details as they are stored, or a ValidationError naming each field refused: 姓名 as
    clean_person_name makes it (新增账号's rule: one 间隔号, no spaces around it), 职务 and 科室 by the rule of
    every typed line (core.validators.clean_line: a control character refused, zero-width and direction
    characters dropped, one space between words), the phone normalized."""
    values, errors = dict(values), {}
    for field, label in (("name", "姓名"), ("title", "职务"), ("department", "科室")):
        if field not in values:
            continue  # title and department only in the holder's own
        try:
            value = clean_line(values[field] or "")
        except ValidationError as exc:
            errors[field] = exc.messages
            continue
        if len(value) > 50:
            errors[field] = f"{label}不超过50字。"
        elif not value and (own or field == "name"):
            errors[field] = f"请填写{label}。"
        elif field == "name":
            try:
                value = clean_person_name(value)
            except ValidationError as exc:
                errors[field] = exc.messages
        values[field] = value
    values["phone"] = normalize_mobile(values["phone"] or "")
    if not values["phone"]:
        errors["phone"] = "请填写手机号码。"
    else:
        try:
            validate_mobile(values["phone"])
        except ValidationError as exc:
            errors["phone"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return values


def _target_for(actor, user_id) -> tuple[User, bool]:
    """The account to change and whether it is the actor's own: a reviewer (or the sysadmin) his
    own; another only if the actor administers it (his subtree, lower rank) and may 用户管理."""
    if user_id == actor.pk:
        if not (actor.is_reviewer or actor.role == Role.SYSADMIN):
            raise PermissionDenied("考生请在填报信息中修改个人信息。")
        return actor, True
    permissions.require_function(actor, "toggle_reviewer")
    return get_staff_for(actor, user_id, administer=True), False


PHONE_NEEDS_RESET_MESSAGE = "找回密码的验证码发送到该手机号码，修改他人的手机号码须有“重置审核账户密码”的权限。"


def may_set_phone_of_others(actor) -> bool:
    """Whether a superior may give an account holder a new phone: 找回密码 sends its codes there, so
    a new number takes the account as a password reset does (security probe: a 报名点 refused
    重置审核账户密码 set his own number and recovered the password)."""
    return permissions.has_function(actor, "reset_reviewer_password")


def account_update(*, actor, user_id: int, expected_version: int, name: str, phone: str, title: str | None = None,
                   department: str | None = None, sms_code: str = "", request=None) -> dict:
    """A reviewer's own 姓名, 职务, 科室 and phone (a new phone only with the SMS code sent to it),
    or a superior's correction of an account holder's name and phone (the old number told): checked,
    the row locked, its version compared with the page's, changed and audited in one transaction.
    Returns the changes ({field: [before, after]}, empty when nothing changed)."""
    target, own = _target_for(actor, user_id)
    values = {"name": name, "phone": phone}
    if own:
        values.update(title=title or "", department=department or "")
    values = _clean_profile(values, own=own)
    if target.version != expected_version:
        raise ValidationError(STALE_MESSAGE, code="stale")
    if own:
        confirm_own_phone(target, values["phone"], sms_code)
    with transaction.atomic():
        actor_held(actor)
        user = User.objects.select_for_update(no_key=True).filter(pk=target.pk).first()
        # Scope and version again under the lock: a move or an edit may have come in between.
        if user is None or (not own and not User.objects.administered_by(actor).filter(pk=user.pk).exists()):
            raise Http404("账号不存在或不在您的管辖范围内。")
        if user.version != expected_version:
            raise ValidationError(STALE_MESSAGE, code="stale")
        changes = {f: [getattr(user, f), v] for f, v in values.items() if getattr(user, f) != v}
        if not changes:
            return {}
        if not own and "phone" in changes and not may_set_phone_of_others(actor):
            raise ValidationError({"phone": PHONE_NEEDS_RESET_MESSAGE}, code="forbidden")
        # A superior vouches for the new number without a code from it: not one another account holds.
        if not own and "phone" in changes and phone_held(values["phone"], by_other_than=user, lock=True):
            raise ValidationError({"phone": STAFF_PHONE_TAKEN_MESSAGE})
        for field, (_before, after) in changes.items():
            setattr(user, field, after)
        user.version += 1
        user.save(update_fields=[*changes, "version"])
        if not own and "phone" in changes:
            tell_old_phone(user=user, old_phone=changes["phone"][0], actor=actor)
        record("account.profile_update" if own else "account.update", actor=actor, obj=user, request=request,
               details={"username": user.username, "changes": changes})
    if own:
        for field, (_before, after) in changes.items():
            setattr(actor, field, after)
        actor.version = user.version
    return changes
