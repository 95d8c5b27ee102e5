"""Sign-up (考生注册): name, ID, mobile confirmed by SMS, password; one account per ID number."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from prereg.audit.log import client_ip
from prereg.core import ratelimit
from prereg.notify.sms import issue_code

from .. import services
from ..forms import SendCodeForm, SignupForm


@login_not_required
@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("core:home")
    if request.method == "POST" and "send_code" in request.POST:
        # Without scripts the 发送 button posts the whole form: send, and keep what was typed.
        form = SignupForm(initial=request.POST.dict())
        code_form = SendCodeForm(request.POST)
        if code_form.is_valid():
            try:
                issue_code(code_form.cleaned_data["phone"], "signup", client_ip=client_ip(request))
                messages.success(request, "验证码已发送，5分钟内有效。")
            except ValidationError as error:
                messages.error(request, error.messages[0])
        else:
            messages.error(request, code_form.errors["phone"][0])
        return render(request, "candidate/signup.html", {"form": form})
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        if not ratelimit.hit("signup", ratelimit.client_address(request)):
            form.is_valid()
            form.add_error(None, "注册过于频繁，请稍后再试。")
        elif form.is_valid():
            data = form.cleaned_data
            try:
                user = services.candidate_signup(
                    name=data["name"], id_type=data["id_type"], id_number=data["id_number"], phone=data["phone"],
                    sms_code=data["sms_code"], password=data["password1"], request=request)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errs in error.error_dict.items():
                        form.add_error(field, errs)
                else:
                    form.add_error("sms_code", error)
            else:
                login(request, user, backend="prereg.accounts.backends.IdentifierBackend")
                messages.success(request, "注册成功，请填写报名信息。")
                return redirect("candidate:home")
    return render(request, "candidate/signup.html", {"form": form})


@login_not_required
@require_POST
def signup_send_code(request):
    form = SendCodeForm(request.POST)
    ok, message = False, ""
    if form.is_valid():
        try:
            issue_code(form.cleaned_data["phone"], "signup", client_ip=client_ip(request))
            ok, message = True, "验证码已发送，5分钟内有效。"
        except ValidationError as error:
            message = error.messages[0]
    else:
        message = form.errors["phone"][0]
    if request.htmx:
        return render(request, "candidate/_code_status.html", {"ok": ok, "message": message})
    (messages.success if ok else messages.error)(request, message)
    return redirect("candidate:signup")
