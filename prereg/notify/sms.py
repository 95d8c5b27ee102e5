"""One SMS service with pluggable backends, and the verification codes sent through it."""

import json
import logging
import secrets
import urllib.request
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend

from prereg.core import locks, ratelimit
from prereg.core.validators import halfwidth

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


def send_sms(phone: str, text: str, *, purpose: str, secret: str = "", code: SmsCode | None = None) -> SmsMessage:
    """Store the message, due at once, and hand its delivery to the default queue: a slow or dead
    gateway (10 s timeout) then holds a task worker, not the candidate's request nor one of the web
    server's few workers in the last days' rush. `secret` (a code, a password) is starred out of the
    stored text once a gateway has delivered it; a message carrying `code` is not sent once that
    code is spent or expired. The message row is what counts (prereg.notify.tasks): one whose task
    is lost is queued again by the workers' sweep."""
    message = SmsMessage.objects.create(phone=phone, text=text, purpose=purpose, backend=settings.SMS_BACKEND,
                                        delivered_text=text.replace(secret, "*" * len(secret)) if secret else "",
                                        code=code, next_try_at=timezone.now())
    if isinstance(sms_deliver.get_backend(), DatabaseBackend):
        # The task row commits with the message and the act that sent it: no moment in which the
        # message is stored and its task not (a commit's on_commit is lost to a kill -9 or a blip).
        # In a savepoint: a refused insert leaves the act standing and the message to the sweep.
        try:
            with transaction.atomic():
                sms_deliver.enqueue(message.pk)
        except Exception:
            logger.exception("could not queue SMS %s for delivery; the sweep will", message.pk)
    else:
        # A queue outside the database (and the suite's immediate backend) must not see the message
        # before it is committed, nor send one whose act is rolled back.
        transaction.on_commit(partial(_enqueue_after_commit, message.pk))
    return message


def _enqueue_after_commit(message_id: int) -> None:
    try:
        sms_deliver.enqueue(message_id)
    except Exception:  # the act that sent it is committed: the message waits for the sweep (待发送)
        logger.exception("could not queue SMS %s for delivery; the sweep will", message_id)


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


# What a code is asked for, said in its text: a code for 找回密码 the person did not ask for is a warning.
CODE_PURPOSES = {"signup": "注册账号", "password_reset": "找回密码", "phone_change": "更换手机号码",
                 "staff_phone": "更换手机号码"}


def send_code(phone: str, purpose: str, *, client_ip: str = "") -> None:
    """A new code to the phone (earlier ones of the purpose are spent, and a message of one not yet
    sent is no longer sent); the caller checked the limits."""
    code, code_hash = new_code()
    with transaction.atomic():
        # Two codes asked for at once (获取验证码 tapped twice, two tabs) take turns: the later spends the
        # earlier, committed by then, and one code is live, the last one sent.
        locks.hold(f"sms-code:{purpose}:{phone}")
        SmsCode.objects.filter(phone=phone, purpose=purpose, used_at__isnull=True).update(used_at=timezone.now())
        sms_code = SmsCode.objects.create(
            phone=phone,
            purpose=purpose,
            code_hash=code_hash,
            expires_at=timezone.now() + timedelta(seconds=settings.SMS_CODE_TTL_SECONDS),
            client_ip=client_ip,
        )
        minutes = settings.SMS_CODE_TTL_SECONDS // 60
        doing = f"您正在{CODE_PURPOSES[purpose]}，" if purpose in CODE_PURPOSES else ""
        send_sms(phone, f"【{settings.SITE_NAME}】{doing}验证码{code}，{minutes}分钟内有效，请勿告诉他人。",
                 purpose=purpose, secret=code, code=sms_code)


def verify_code(phone: str, purpose: str, code: str, *, then=None):
    """Consume a valid code or raise ValidationError; five wrong tries spend the code. `then`, the
    act the code allows, runs in the transaction that spends it and its result is returned: an act
    it refuses (it raises) takes the spending back with it, so the code stays live for another try
    (找回密码: a new password refused as a recent one cost the candidate his code)."""
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
        elif not check_password(halfwidth(code).strip(), sms_code.code_hash):  # a 全角 "１２３４５６" too
            sms_code.attempts += 1
            if sms_code.attempts >= 5:
                sms_code.used_at = timezone.now()
            sms_code.save(update_fields=["attempts", "used_at"])
            error = ValidationError("验证码错误。", code="wrong")
        else:
            sms_code.used_at = timezone.now()
            sms_code.save(update_fields=["used_at"])
            if then is not None:
                return then()
    # Raised after the commit, so a wrong try is counted.
    if error is not None:
        raise error
