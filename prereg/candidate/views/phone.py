"""获取验证码 for a new mobile number in 基本信息: the basic section saves a changed number only
with the code sent to it (BasicForm.clean checks it, purpose "phone_change")."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from prereg.accounts.backends import PHONE_TAKEN_MESSAGE, phone_taken
from prereg.applications.drafts import edit_refusal
from prereg.audit.log import client_ip
from prereg.core import ratelimit
from prereg.core.validators import normalize_mobile, validate_mobile
from prereg.notify.sms import issue_code

from ..forms import PHONE_CHANGE_PURPOSE
from .common import current_application

FIELD = "basic-phone"


def send_phone_code(request, application) -> tuple[bool, str, str]:
    """Send a phone_change code to the number typed in 基本信息; (sent, message for the page, the field it is
    said at: "phone" when it is about the number typed, else "sms_code")."""
    refusal = edit_refusal(request.user, application)
    if refusal is not None:
        return False, refusal.messages[0], "sms_code"
    phone = normalize_mobile(request.POST.get(FIELD, ""))
    try:
        validate_mobile(phone)
    except ValidationError as error:
        return False, error.messages[0], "phone"
    if phone == (application.phone or ""):
        return False, "手机号码未修改，无需验证。", "phone"
    account = f"phone-change:{request.user.pk}"
    if phone_taken(phone, by_other_than=request.user):
        # Refused before a code is spent on the number. The refusal counts against the account's
        # codes as a sent code would (issue_code's "sms" limit), so an account cannot ask of more
        # numbers whether a candidate holds them than it could send codes to.
        if not ratelimit.hit("sms", account):
            return False, ratelimit.MESSAGE, "sms_code"
        return False, PHONE_TAKEN_MESSAGE, "phone"
    try:
        issue_code(phone, PHONE_CHANGE_PURPOSE, client_ip=client_ip(request), account=account)
    except ValidationError as error:
        return False, error.messages[0], "sms_code"
    return True, f"验证码已发送至{phone[:3]}****{phone[-4:]}，5分钟内有效。", "sms_code"


@require_POST
def phone_send_code(request):
    """The 获取验证码 button (htmx): the answer is the status line beside it, or, about the number typed (taken by
    another candidate, not a mobile number, unchanged), the line under 手机号码 (each answer clears the other)."""
    application = current_application(request.user)
    ok, message, field = send_phone_code(request, application)
    if request.htmx:
        return render(request, "candidate/_phone_code_status.html", {"ok": ok, "message": message, "field": field})
    # Without scripts the button posts the whole section to candidate:section instead (see
    # section_save), which shows the form again with what was typed.
    (messages.success if ok else messages.error)(request, message)
    return redirect(reverse("candidate:form") + "#section-basic")
