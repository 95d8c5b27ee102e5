from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from prereg.audit.log import client_ip, record
from prereg.audit.models import Outcome
from prereg.core.forms import add_service_errors
from prereg.notify.sms import RateLimited

from . import permissions, services
from .backends import hold_sign_in, login_refusal
from .forms import (
    LoginForm,
    PasswordChangeForm,
    PasswordForgotForm,
    PasswordForgotResetForm,
    ProfileEditForm,
    ProfileForm,
)
from .models import Role, User

RESET_SESSION_KEY = "password_forgot_user"


def _signed_in(request, form) -> bool:
    """The posted sign-in checked, and on success the session begun, in the account's turn
    (backends.hold_sign_in): the lockout question, the password check, the failure counted or the
    failures reset on success all commit before the next attempt on the account asks."""
    with transaction.atomic():
        hold_sign_in(request, request.POST.get("username", ""))
        if not form.is_valid():
            return False
        # Asked again on the account's locked row: a 禁用 that committed while the password was checked is
        # seen, so no sign-in lands after the superior was told the account is disabled (races probe).
        user = User.objects.select_for_update(no_key=True, of=("self",)).select_related("org").get(pk=form.user.pk)
        if reason := login_refusal(user):
            form.user, form.refused = None, user
            form.add_error(None, ValidationError(reason, code="login_refused"))
            return False
        login(request, user, backend="prereg.accounts.backends.IdentifierBackend")
        return True


@login_not_required
@require_http_methods(["GET", "POST"])
def login_view(request):
    if request.user.is_authenticated:
        return redirect("core:home")
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and _signed_in(request, form):
        target = request.POST.get("next") or request.GET.get("next") or ""
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("core:home")
        return redirect(target)
    if form.refused is not None:
        record("auth.login_refused", obj=form.refused, outcome=Outcome.DENIED, request=request,
               actor_name=form.refused.username[:4] + "***", details={"reason": login_refusal(form.refused)})
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", ""),
                                                   "registration_open": permissions.registration_open()})


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes calls this for a locked account; it never says whether the password was right."""
    form = LoginForm(request)
    form.errors["__all__"] = form.error_class(
        ["该账号因连续5次密码错误已被锁定，请联系上级管理员解锁，或稍后再试。"]
    )
    return render(request, "accounts/login.html",
                  {"form": form, "locked": True, "registration_open": permissions.registration_open()}, status=403)


def _signed_out_locked(request):
    """A wrong 原密码 locked the account (services.check_old_password): the session ends as the
    lockout refuses a sign-in, and the login page says the account is locked."""
    logout(request)
    return locked_out(request)


@login_not_required
@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, "您已安全退出。")
    return redirect("accounts:login")


@require_http_methods(["GET", "POST"])
def first_login(request):
    """A one-time password is replaced and a reviewer's profile completed before anything else. The
    phone follows the rule of 个人信息: a new number only with the code 获取验证码 sends to it (which
    posts here, the only page open before the flow is done)."""
    user = request.user
    need_password = user.must_change_password
    need_profile = user.is_reviewer and not user.profile_completed
    if not (need_password or need_profile):
        return redirect("core:home")
    data = request.POST or None
    sending = need_profile and "send_code" in request.POST
    code_status = {}
    if sending:
        ok, message = _send_own_phone_code(request, request.POST.get("profile-phone", ""))
        if request.htmx:  # the status line beside the button; the page keeps what was typed
            return render(request, "accounts/_code_status.html", {"ok": ok, "message": message})
        code_status = {"ok": ok, "message": message}  # said beside the button, as the script would
    # Sending a code is not saving: the passwords are asked afresh (never echoed into the page).
    password_form = (PasswordChangeForm(user, None if sending else data, prefix="pw", request=request)
                     if need_password else None)
    profile_form = (
        ProfileForm(data, prefix="profile",
                    initial={"name": user.name, "title": user.title, "department": user.department,
                             "phone": user.phone, "version": user.version})
        if need_profile else None
    )
    status = 200
    if request.method == "POST" and not sending:
        if all(f.is_valid() for f in (password_form, profile_form) if f is not None):
            try:
                if profile_form is not None:
                    services.user_complete_profile(user=user, request=request, **_profile_values(profile_form))
            except ValidationError as exc:
                add_service_errors(profile_form, exc)
                status = 409 if getattr(exc, "code", None) == "stale" else 400
            else:
                try:
                    if password_form is not None:
                        services.user_change_password(user=user, request=request,
                                                      new_password=password_form.cleaned_data["new_password1"])
                except ValidationError as exc:  # changed meanwhile in another tab with another password
                    add_service_errors(password_form, exc)
                    status = 409
                else:
                    messages.success(request, "信息已保存，欢迎使用。")
                    return redirect("core:home")
        else:
            status = 400
            if password_form is not None and password_form.locked_now:
                return _signed_out_locked(request)
    return render(request, "accounts/first_login.html",
                  {"password_form": password_form, "profile_form": profile_form, **code_status}, status=status)


def _profile_values(form) -> dict:
    data = form.cleaned_data
    return {"expected_version": data["version"], "name": data["name"], "title": data["title"],
            "department": data["department"], "phone": data["phone"], "sms_code": data["sms_code"]}


def _send_own_phone_code(request, phone: str) -> tuple[bool, str]:
    """获取验证码 for a reviewer's own new phone, on 个人信息 or at the first login: (sent, what to say)."""
    try:
        sent_to = services.profile_send_code(user=request.user, phone=phone, client_ip=client_ip(request))
    except ValidationError as exc:
        return False, "；".join(exc.messages)
    return True, f"验证码已发送至{sent_to}，5分钟内有效。"


@require_http_methods(["GET", "POST"])
def password_change(request):
    permissions.require_function(request.user, "change_password")  # the top bar's link asks the same
    form = PasswordChangeForm(request.user, request.POST or None, request=request)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.user_change_password(user=request.user, new_password=form.cleaned_data["new_password1"],
                                          request=request)
        except ValidationError as exc:  # changed meanwhile in another tab with another password
            add_service_errors(form, exc)
            status = 409
        else:
            messages.success(request, "密码已修改。")
            return redirect("core:home")
    if form.locked_now:
        return _signed_out_locked(request)
    return render(request, "accounts/password_change.html", {"form": form}, status=status)


@login_not_required
@require_http_methods(["GET", "POST"])
def password_forgot(request):
    """找回密码, step 1: a code to the account's registered phone. The answer is the same whether
    the account exists or not, so the page does not tell who has an account; the roles whose 找回密码
    is withdrawn are named on the page to every visitor alike."""
    form = PasswordForgotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.password_recovery_start(identifier=form.cleaned_data["identifier"],
                                                      client_ip=client_ip(request), request=request)
        except RateLimited as exc:
            form.add_error(None, exc.messages[0])
        else:
            request.session[RESET_SESSION_KEY] = ticket
            # A code the phone's own limit held back is not told (it would tell that the account exists):
            # the page says what to do if none arrives (the phone journey's probe waited in vain).
            messages.info(request, "如该账号存在并登记了手机号码，验证码已发送至该手机，5分钟内有效；"
                                   "如未收到，请1分钟后重新获取。")
            return redirect("accounts:password_forgot_reset")
    return render(request, "accounts/password_forgot.html",
                  {"form": form, "withdrawn_roles": services.recovery_withdrawn_roles()})


@login_not_required
@require_http_methods(["GET", "POST"])
def password_forgot_reset(request):
    """找回密码, step 2: the code and a new password (checked against the account's own details
    only once the code is right: before that, nothing may differ for an unknown account)."""
    form = PasswordForgotResetForm(None, request.POST or None)
    if request.method == "POST" and form.is_valid():
        ticket = request.session.get(RESET_SESSION_KEY)
        try:
            services.password_recovery_finish(ticket=ticket, code=form.cleaned_data["code"],
                                              new_password=form.cleaned_data["new_password1"], request=request)
        except ValidationError as exc:
            if ticket is not None:
                request.session[RESET_SESSION_KEY] = ticket  # its count of wrong codes
            form.add_error("code" if getattr(exc, "code", None) in ("expired", "wrong") else "new_password1", exc)
        else:
            request.session.pop(RESET_SESSION_KEY, None)
            messages.success(request, "密码已重置，请用新密码登录。")
            return redirect("accounts:login")
    return render(request, "accounts/password_forgot_reset.html", {"form": form})


@require_http_methods(["GET", "POST"])
def profile(request):
    """个人信息, from the name in the top bar: a reviewer keeps his 姓名, 职务, 科室 and phone up to
    date; a new phone is confirmed by the code sent to it (获取验证码 posts the form here too)."""
    user = request.user
    if not (user.is_reviewer or user.role == Role.SYSADMIN):
        raise PermissionDenied("考生请在填报信息中修改个人信息。")
    initial = {"name": user.name, "title": user.title, "department": user.department, "phone": user.phone,
               "version": user.version}
    form = ProfileEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "send_code" in request.POST:
            try:
                sent_to = services.profile_send_code(user=user, phone=data["phone"], client_ip=client_ip(request))
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = 400
            else:
                messages.info(request, f"验证码已发送至{sent_to}，5分钟内有效。")
        else:
            try:
                changes = services.account_update(
                    actor=user, user_id=user.pk, expected_version=data["version"], name=data["name"],
                    phone=data["phone"], title=data["title"], department=data["department"],
                    sms_code=data["sms_code"], request=request)
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = 409 if getattr(exc, "code", None) == "stale" else 400
            else:
                messages.success(request, "个人信息已保存。" if changes else "没有修改。")
                return redirect("accounts:profile")
    elif request.method == "POST":
        status = 400
    return render(request, "accounts/profile.html", {"form": form}, status=status)
