"""Login by account name, ID number or phone, all resolving to one account."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.utils import timezone

from prereg.core.validators import is_digits, normalize_id_number, normalize_mobile

from .models import Role
from .permissions import role_has_function


def find_account(identifier: str):
    """The account an identifier names: login name, then ID number, then a unique phone."""
    User = get_user_model()
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    user = (User.objects.filter(username=identifier).first()
            or User.objects.filter(id_number=normalize_id_number(identifier)).first())
    if user is None:
        phone = normalize_mobile(identifier)
        if is_digits(phone) and len(phone) == 11:
            matches = list(User.objects.filter(phone=phone, is_active=True)[:2])
            # A phone shared by two accounts identifies neither: the user must use his name/ID.
            if len(matches) == 1:
                user = matches[0]
    return user


def axes_username(request, credentials):
    """Lockout is per account, whichever identifier was typed (django-axes hook)."""
    identifier = (credentials or {}).get("username") or request.POST.get("username", "")
    user = find_account(identifier)
    return user.username if user else identifier.strip()


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
    disabled (禁用机构账户), 登录 withdrawn from its role, or its one-time password expired."""
    if not user.is_active:
        return "该账号已被禁用，暂不能登录。请联系上级管理员。"
    if user.org_id and not user.org.enabled:
        return f"您所在的机构（{user.org.name}）已被禁用，暂不能登录。请联系上级管理员。"
    if not may_log_in(user):
        return f"{Role(user.role).label}账号的登录功能已关闭，暂不能登录。"
    if one_time_password_expired(user):
        return (f"该一次性密码已超过{one_time_password_ttl_hours():g}小时未修改，已失效。"
                "请通过“找回密码”设置新密码，或请为您重置密码的管理员重新重置。")
    return ""


class IdentifierBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = find_account(username)
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
        role, also ends its open sessions at their next request."""
        return super().user_can_authenticate(user) and (not user.org_id or user.org.enabled) and may_log_in(user)

    def get_user(self, user_id):
        try:
            user = get_user_model()._default_manager.select_related("org").get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
