"""One SMS service with pluggable backends, and the verification codes sent through it."""

import json
import logging
import secrets
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from prereg.core import ratelimit

from .models import SmsCode, SmsMessage
from .tasks import sms_deliver

logger = logging.getLogger(__name__)


class OutboxBackend:
    """Default: nothing leaves the machine; messages are stored and shown on the outbox page."""

    keeps_text = True  # the outbox page is where its messages are read: their secrets stay there

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s***: %s", phone[:3], text if settings.DEBUG else "(hidden)")


class HttpGatewayBackend:
    """POSTs JSON {phone, text} with a bearer token to SMS_GATEWAY_URL."""

    def send(self, phone: str, text: str) -> None:
        body = json.dumps({"phone": phone, "text": text}).encode()
        request = urllib.request.Request(  # noqa: S310 - URL comes from settings, not from users
            settings.SMS_GATEWAY_URL,
            data=body,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            if response.status >= 300:
                raise RuntimeError(f"gateway answered {response.status}")


def send_sms(phone: str, text: str, *, purpose: str, secret: str = "") -> SmsMessage:
    """Store the message and hand its delivery to the default queue once the act that sent it is
    committed: a slow or dead gateway (10 s timeout) then holds a task worker, not the candidate's
    request nor one of the web server's few workers in the last days' rush. `secret` (a code, a
    password) is starred out of the stored text once a gateway has delivered it."""
    message = SmsMessage.objects.create(phone=phone, text=text, purpose=purpose, backend=settings.SMS_BACKEND,
                                        delivered_text=text.replace(secret, "*" * len(secret)) if secret else "")

    def enqueue():
        try:
            sms_deliver.enqueue(message.pk)
        except Exception:  # the act that sent it is committed: the message waits in the outbox (待发送)
            logger.exception("could not queue SMS %s for delivery", message.pk)

    transaction.on_commit(enqueue)
    return message


class RateLimited(ValidationError):
    pass


def check_sms_rate(phone: str, client_ip: str = "", *, subject: str = "") -> None:
    """Counts one code for the phone (or for `subject`, what the caller limits instead: 找回密码
    counts the identifier typed, so an unknown one is limited like a known one) and the address,
    in fixed windows shared by every process (prereg.core.ratelimit)."""
    minute, day = settings.SMS_PER_MINUTE, settings.SMS_PER_DAY
    for who in filter(None, [subject or f"phone:{phone}", f"ip:{client_ip}" if client_ip else ""]):
        # An address is shared by a whole hospital: it gets a larger allowance than a phone.
        factor = 20 if who.startswith("ip:") else 1
        if not ratelimit.hit("sms-code", f"sms-min:{who}", limit=minute * factor, window=60):
            raise RateLimited("发送过于频繁，请1分钟后再试。", code="rate_minute")
        if not ratelimit.hit("sms-code", f"sms-day:{who}", limit=day * factor, window=86400):
            raise RateLimited("今日短信发送次数已达上限，请明天再试。", code="rate_day")


def new_code() -> tuple[str, str]:
    """A six-digit code and its hash (the hashing is the costly part of issuing one)."""
    code = f"{secrets.randbelow(10**6):06d}"
    return code, make_password(code)


def issue_code(phone: str, purpose: str, *, client_ip: str = "", account: str = "") -> None:
    """A code to `phone` within its limits and the address's; `account` (a key such as
    "phone-change:<user id>") is limited as well (RATE_LIMITS "sms"), so one account cannot walk
    through many numbers, and counted only once the number's own limits let the code go: taps
    refused for the minute cost no part of the account's hour."""
    check_sms_rate(phone, client_ip)
    if account and not ratelimit.hit("sms", account):
        raise RateLimited(ratelimit.MESSAGE, code="rate_account")
    send_code(phone, purpose, client_ip=client_ip)


def send_code(phone: str, purpose: str, *, client_ip: str = "") -> None:
    """A new code to the phone (earlier ones of the purpose are spent); the caller checked the limits."""
    code, code_hash = new_code()
    with transaction.atomic():
        SmsCode.objects.filter(phone=phone, purpose=purpose, used_at__isnull=True).update(used_at=timezone.now())
        SmsCode.objects.create(
            phone=phone,
            purpose=purpose,
            code_hash=code_hash,
            expires_at=timezone.now() + timedelta(seconds=settings.SMS_CODE_TTL_SECONDS),
            client_ip=client_ip,
        )
        minutes = settings.SMS_CODE_TTL_SECONDS // 60
        send_sms(phone, f"【{settings.SITE_NAME}】验证码{code}，{minutes}分钟内有效，请勿告诉他人。", purpose=purpose,
                 secret=code)


def verify_code(phone: str, purpose: str, code: str) -> None:
    """Consume a valid code or raise ValidationError; five wrong tries spend the code."""
    error = None
    with transaction.atomic():
        sms_code = (
            SmsCode.objects.select_for_update()
            .filter(phone=phone, purpose=purpose, used_at__isnull=True, expires_at__gt=timezone.now())
            .order_by("-created_at")
            .first()
        )
        if sms_code is None:
            error = ValidationError("验证码已失效，请重新获取。", code="expired")
        elif not check_password((code or "").strip(), sms_code.code_hash):
            sms_code.attempts += 1
            if sms_code.attempts >= 5:
                sms_code.used_at = timezone.now()
            sms_code.save(update_fields=["attempts", "used_at"])
            error = ValidationError("验证码错误。", code="wrong")
        else:
            sms_code.used_at = timezone.now()
            sms_code.save(update_fields=["used_at"])
    # Raised after the commit, so a wrong try is counted.
    if error is not None:
        raise error
