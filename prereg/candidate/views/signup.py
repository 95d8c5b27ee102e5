"""Sign-up (考生注册): name, ID, mobile confirmed by SMS, password; one account per ID number.

Sign-ups are limited per phone and per ID number, and per address only as far as a large
hospital signing up its staff from behind one address never goes (issue 15); the limit is
checked before a code is sent, so no one gets a code for a sign-up that would be refused.
Only sign-ups the form accepts are counted: each tries the phone's code (a wrong one counts) and
may make an account; one refused at a field (a weak password, an ID number's check digit) does
neither, and counting it locked out a candidate correcting his typos for an hour.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from prereg.accounts.forms import CaptchaForm
from prereg.accounts.permissions import registration_open
from prereg.audit.log import client_ip
from prereg.core import ratelimit
from prereg.core.validators import normalize_id_number, normalize_mobile
from prereg.notify.sms import check_sms_rate, send_code

from .. import services
from ..forms import SendCodeForm, SignupForm


def _signup_limits(request) -> list[tuple[str, str]]:
    """(scope, key) of the limits a sign-up counts against: its phone, its ID number, its address."""
    phone = normalize_mobile(request.POST.get("phone", ""))
    id_number = normalize_id_number(request.POST.get("id_number", ""))
    return [("signup", f"phone:{phone}" if phone else ""), ("signup", f"id:{id_number}" if id_number else ""),
            ("signup_address", ratelimit.client_address(request))]


def _too_often(seconds: int) -> str:
    return f"注册过于频繁，请{ratelimit.wait_text(seconds)}后再试。"


def _captcha_needed(request) -> bool:
    """An address that had a code sent within the window is asked for a 图形验证码 before the
    next one (issue 16: one address sent codes to 20 phones a minute with nothing else asked)."""
    return ratelimit.spent("sms_without_captcha", ratelimit.client_address(request)) is not None


def _captcha_refusal(request) -> str | None:
    """What to say if the posted 图形验证码 is missing or wrong (one answer passes once)."""
    captcha = CaptchaForm(request.POST)
    return None if captcha.is_valid() else captcha.errors["captcha"][0]


def _captcha_form(request):
    return CaptchaForm() if _captcha_needed(request) else None


def _send_code(request) -> tuple[bool, str]:
    """Send a sign-up code to the posted phone: whether it was sent, and what to tell."""
    form = SendCodeForm(request.POST)
    if not form.is_valid():
        return False, form.errors["phone"][0]
    if not registration_open():
        return False, services.REGISTRATION_CLOSED
    wait = ratelimit.wait_for(_signup_limits(request), count=False)
    if wait is not None:
        return False, _too_often(wait)
    free = not _captcha_needed(request)
    if not free and (refusal := _captcha_refusal(request)):
        return False, refusal
    phone, ip = form.cleaned_data["phone"], client_ip(request)
    try:
        check_sms_rate(phone, ip)
    except ValidationError as error:
        return False, error.messages[0]
    # The code without a picture is claimed by counting it, atomically (ratelimit.hit), before the
    # slow send: checked and counted only after the send, requests at the same moment all found it
    # free and all sent (security probe F2: 5 codes of 12 posts). Claimed after the number's own
    # limits (issue_code's checks, run here as check_sms_rate, the send itself being send_code), so a
    # number refused for the minute does not spend it; of requests at once, one gets it and the
    # others are asked for the picture, as a second request would be.
    claimed = ratelimit.hit("sms_without_captcha", ratelimit.client_address(request))
    if free and not claimed and (refusal := _captcha_refusal(request)):
        return False, refusal
    send_code(phone, "signup", client_ip=ip)
    return True, "验证码已发送，5分钟内有效。"


@login_not_required
@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("core:home")
    if not registration_open():
        raise PermissionDenied(services.REGISTRATION_CLOSED)
    if request.method == "POST" and "send_code" in request.POST:
        # Without scripts the 发送 button posts the whole form: send, and keep what was typed.
        form = SignupForm(initial=request.POST.dict())
        ok, message = _send_code(request)
        # Said beside the button, where the script puts it, not at the top of the page.
        return render(request, "candidate/signup.html",
                      {"form": form, "captcha_form": _captcha_form(request), "ok": ok, "message": message})
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        valid = form.is_valid()
        # Not counted when refused at a field, but said all the same once the limit is used up.
        wait = ratelimit.wait_for(_signup_limits(request), count=valid)
        if wait is not None:
            form.add_error(None, _too_often(wait))
        elif valid:
            data = form.cleaned_data
            try:
                user = services.candidate_signup(
                    name=data["name"], id_type=data["id_type"], id_number=data["id_number"], phone=data["phone"],
                    sms_code=data["sms_code"], password=data["password1"], request=request)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    # The service says the number is taken only after the phone's code was verified.
                    form.duplicate = "id_number" in error.error_dict
                    form.add_error(None, error)
                else:
                    form.add_error("sms_code", error)
            else:
                login(request, user, backend="prereg.accounts.backends.IdentifierBackend")
                messages.success(request, "注册成功，请填写报名信息。")
                return redirect("candidate:home")
    return render(request, "candidate/signup.html", {"form": form, "captcha_form": _captcha_form(request)})


@login_not_required
@require_POST
def signup_send_code(request):
    ok, message = _send_code(request)
    if request.htmx:
        return render(request, "candidate/_code_status.html",
                      {"ok": ok, "message": message, "captcha_form": _captcha_form(request), "oob": True})
    (messages.success if ok else messages.error)(request, message)
    return redirect("candidate:signup")
