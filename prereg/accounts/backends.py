"""Login by account name, ID number or phone, all resolving to one account; the rules of a phone
that make that hold (one candidate account per phone) and the notice to a number given up."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.utils import timezone

from prereg.core import locks
from prereg.core.masking import mask_phone
from prereg.core.validators import halfwidth, is_digits, normalize_id_number, normalize_mobile

from .models import Role
from .permissions import role_has_function
from .validators import is_id_number_shaped, staff_named_alike

SHARED_PHONE_MESSAGE = "该手机号码登记在多个账号上，无法用手机号码登录。请使用证件编号（考生）或登录名（审核人员）登录。"
PHONE_TAKEN_MESSAGE = "该手机号码已被其他考生账号使用，请填写其他手机号码。"


def phone_taken(phone: str, *, by_other_than=None, lock: bool = False) -> bool:
    """Whether another candidate account holds the number: one candidate account per phone.

    A phone signs in (find_account) only while one account holds it, and it is where a candidate's
    找回密码 codes and 退回 notices go, so no candidate takes a number another candidate holds: his
    sign-up, his change in 基本信息 and a reviewer's 更正手机号码 all ask this. A staff account may
    share a candidate's number: a unit reviewer who sits the exam himself has two accounts and one
    phone (he signs in by his 证件编号 or login name; SHARED_PHONE_MESSAGE tells him so).

    With `lock` (the acts that give an account the number, inside their transaction) the number is
    held until the transaction ends, so of two candidates taking one number at the same moment the
    later is asked after the earlier has committed and is refused.
    """
    if lock and phone:
        locks.hold(f"phone:{phone}")
    User = get_user_model()
    others = User.objects.filter(phone=phone, role=Role.CANDIDATE)
    if by_other_than is not None and by_other_than.pk is not None:
        others = others.exclude(pk=by_other_than.pk)
    return bool(phone) and others.exists()


STAFF_PHONE_TAKEN_MESSAGE = ("该手机号码已被其他账号使用，请填写其他手机号码（如确为本人号码，"
                             "可由账号持有人登录后在“个人信息”中凭短信验证码修改）。")


def phone_held(phone: str, *, by_other_than=None, lock: bool = False) -> bool:
    """Whether another active account, of any role, holds the number.

    Asked where a superior gives a staff account a number with no code from it (新增账号, 修改账号信息,
    the staff import): a number shared by two active accounts signs neither in by phone and sends no
    找回密码 code (find_account finds two), so a superior setting a subordinate's phone to a
    candidate's number took the candidate's sign-in by phone and his 找回密码 (security probe F5). The
    holder himself may still take a number he shares, with the code sent to it (个人信息: a unit
    reviewer who sits the exam, phone_taken). `lock` holds the number as phone_taken does (the same
    name), so of two acts giving it at once the later sees the earlier and is refused.
    """
    if lock and phone:
        locks.hold(f"phone:{phone}")
    others = get_user_model().objects.filter(phone=phone, is_active=True)
    if by_other_than is not None and by_other_than.pk is not None:
        others = others.exclude(pk=by_other_than.pk)
    return bool(phone) and others.exists()


PHONE_CHANGED_PURPOSE = "phone_changed"  # SmsMessage.purpose of the notice to the old number


def candidate_phone_changed_text(new_phone: str, *, by: str = "") -> str:
    """The SMS that tells a candidate's old number it is no longer his account's: sent whether he
    changed it himself in 基本信息 or a reviewer (`by`, his org) corrected it, since from now on
    找回密码 and the 退回 notices go to the new one — a change he did not make is reported by him,
    not found out once the account is taken (security probe)."""
    who = f"已由{by}更正为" if by else "已更改为"
    return (f"【{settings.SITE_NAME}】您报名账号的手机号码{who}{mask_phone(new_phone)}，"
            "今后找回密码的验证码和审核通知将发往新号码。如非本人申请，请立即联系报名点。")


def find_account(identifier: str):
    """The account an identifier names: the phone's holder, else the login name's or ID number's.

    The phone first (QA probe M1): were the login name matched first, an account named like a
    person's phone would take over his sign-in, his 找回密码 and his lockout count. No new login
    name may be so shaped (accounts.validators), but one given before that rule may. So an
    identifier read as a phone (as identifier_key reads one) names the number's holder while any
    active account holds it (one holder; none when several do, and _shared_phone_holder says why),
    and only a number nobody holds is read as a login name. Of the two losses this is the safer:
    the wrongly named account loses that way in (it signs in by its own phone until renamed), not
    the person, who could not know why. An identifier shaped like an ID number is likewise asked
    of the ID numbers before the login names.
    """
    User = get_user_model()
    identifier = halfwidth(identifier).strip()  # a 全角 "３５００００" is the login name 350000
    if not identifier:
        return None
    phone = normalize_mobile(identifier)
    if is_digits(phone) and len(phone) == 11:
        holders = list(User.objects.filter(phone=phone, is_active=True)[:2])
        if holders:
            # A phone shared by two accounts identifies neither: the user must use his name/ID.
            return holders[0] if len(holders) == 1 else None
    by_id_number = User.objects.filter(id_number=normalize_id_number(identifier))
    if is_id_number_shaped(identifier):
        return by_id_number.first() or _by_login_name(identifier)
    return _by_login_name(identifier) or by_id_number.first()


def _by_login_name(identifier: str):
    """The account of this login name; else the one staff account whose name it is in another case
    (ADMIN for admin: a staff login name is one name whatever its case, accounts.validators). Two such
    accounts (names given before that rule, or before its index) are not guessed between: neither."""
    User = get_user_model()
    if (user := User.objects.filter(username=identifier).first()) is not None:
        return user
    alike = list(staff_named_alike(identifier)[:2])
    return alike[0] if len(alike) == 1 else None


def identifier_key(identifier: str) -> str:
    """An identifier as find_account reads it, for counting what is asked of it: a phone however it
    is spelled (spaces, dashes, +86, full-width digits) as its eleven digits, anything else (an ID
    number, a login name) as normalize_id_number reads it. It depends on the text alone, never on
    whether an account has it, so a limit counted by it answers a known and an unknown one alike,
    and one account is not a fresh allowance under each spelling (security probe)."""
    phone = normalize_mobile(identifier or "")
    if is_digits(phone) and len(phone) == 11:
        return f"phone:{phone}"
    return f"id:{normalize_id_number(identifier or '')}"


def axes_username(request, credentials):
    """Lockout is per account, whichever identifier was typed (django-axes hook)."""
    identifier = (credentials or {}).get("username") or request.POST.get("username", "")
    user = find_account(identifier)
    return user.username if user else identifier.strip()


def hold_sign_in(request, identifier: str) -> None:
    """Wait for, then hold until the transaction ends, the turn of the account `identifier` names:
    one sign-in attempt on an account at a time.

    django-axes asks whether the account is locked (AxesStandaloneBackend) before the password is
    checked and counts a failure after it (its user_login_failed handler), so attempts sent at once
    all passed the question before any failure was counted: with one try left, twelve at once
    checked twelve passwords, and a right one among them signed in and wiped the burst's failures
    (AXES_RESET_ON_SUCCESS) (race probe). The login view holds this around the whole attempt, in one
    transaction, so each attempt sees the failure (or the reset) of the one before. Keyed by what
    axes counts (axes_username): the account whichever identifier names it, else the typed text, so
    an unknown name takes a lock as a known one does and answers as fast."""
    locks.hold(f"sign-in:{axes_username(request, {'username': identifier})}")


def may_log_in(user) -> bool:
    """登录 in 配置角色权限: whether accounts of the user's role may sign in. It is locked for the
    sysadmin, the 考区 and the auditor (permissions.is_locked), so nobody locks them out."""
    return role_has_function(user.role, "login")


DEFAULT_ONE_TIME_PASSWORD_TTL_HOURS = 72


def one_time_password_ttl_hours() -> float:
    """How long a one-time password (a reset, a new account) signs in, if not changed sooner."""
    return getattr(settings, "ONE_TIME_PASSWORD_TTL_HOURS", DEFAULT_ONE_TIME_PASSWORD_TTL_HOURS)


def one_time_password_expired(user) -> bool:
    """A one-time password still unchanged after its hours: one lying in a mailbox or an SMS for
    weeks must not open the account (User.one_time_password_set_at)."""
    issued = user.one_time_password_set_at
    return bool(user.must_change_password and issued
                and timezone.now() - issued > timedelta(hours=one_time_password_ttl_hours()))


def login_refusal(user) -> str:
    """Why an account whose password was right may not sign in, or "": the account disabled, its org
    disabled (禁用机构账户), 登录 withdrawn from its role, its one-time password expired, or it was
    named by a phone other accounts hold too (_shared_phone_holder)."""
    if not user.is_active:
        return "该账号已被禁用，暂不能登录。请联系上级管理员。"
    if user.org_id and not user.org.enabled:
        return f"您所在的机构（{user.org.name}）已被禁用，暂不能登录。请联系上级管理员。"
    if not may_log_in(user):
        return f"{Role(user.role).label}账号的登录功能已关闭，暂不能登录。"
    if one_time_password_expired(user):
        return (f"该一次性密码已超过{one_time_password_ttl_hours():g}小时未修改，已失效。"
                "请通过“找回密码”设置新密码，或请为您重置密码的管理员重新重置。")
    if getattr(user, "signed_in_by_shared_phone", False):
        return SHARED_PHONE_MESSAGE
    return ""


def _shared_phone_holder(identifier: str, password: str):
    """The account of a phone several active accounts hold whose password is `password`, marked so
    that login_refusal says to sign in by 证件编号 or login name: told only to whoever knows one of
    the passwords, so the answer says nothing to anyone else about whose the number is."""
    phone = normalize_mobile(identifier or "")
    if not (is_digits(phone) and len(phone) == 11):
        return None
    holders = list(get_user_model().objects.filter(phone=phone, is_active=True)[:5])
    if len(holders) < 2:
        return None
    user = next((holder for holder in holders if holder.check_password(password)), None)
    if user is not None:
        user.signed_in_by_shared_phone = True
    return user


class IdentifierBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = find_account(username)
        if user is None and (user := _shared_phone_holder(username, password)) is not None:
            return user  # refused by the login form with SHARED_PHONE_MESSAGE (login_refusal)
        if user is None:
            # Run the hasher anyway so a wrong name takes as long as a wrong password.
            get_user_model()().set_password(password)
            return None
        # An account disabled, of a disabled org or of a role without 登录 is not refused here but by
        # the login form, which can then say why once the password is right, and no sooner
        # (LoginForm.confirm_login_allowed, Django's own pattern); get_user() refuses it all the same.
        return user if user.check_password(password) else None

    def user_can_authenticate(self, user):
        """An active account, of an enabled org (禁用机构账户), whose role holds 登录. Since get_user()
        asks it on every request, disabling an account or its org, or withdrawing 登录 from its
        role, also refuses its open sessions at their next request (and FirstLoginMiddleware ends
        them then, so enabling it again does not revive them)."""
        return super().user_can_authenticate(user) and (not user.org_id or user.org.enabled) and may_log_in(user)

    def get_user(self, user_id):
        try:
            user = get_user_model()._default_manager.select_related("org").get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
