"""Background work of the notify app (django-tasks; the default queue's worker runs it).

The delivery of an SMS: its row is the queue's truth. `sms.send_sms` stores the message due at once
(`next_try_at`) and queues `sms_deliver`; `sms_sweep`, which every task worker serving the default
queue runs when it starts and every half minute (prereg.core task_worker's PERIODIC), queues again
each message that is due with no delivery waiting for it: one whose queueing was lost (the task's
insert failed, the web worker was killed between the act's commit and the queueing), one whose
worker died while sending it, one whose gateway refused it and whose next try has come. An attempt
takes the message by moving its `next_try_at` forward in one conditional update, so two tasks for
one message never both call the gateway, and a message marked delivered is never sent again.
"""

import logging
from datetime import timedelta

from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from .models import SmsMessage

logger = logging.getLogger(__name__)

# The gateway is called at most 1 + len(RETRY_DELAYS) times; the waits grow, so a gateway down for
# twenty minutes still gets the message, and after the last refusal it stays failed (失败 in the outbox).
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15))
MAX_ATTEMPTS = 1 + len(RETRY_DELAYS)
# An attempt not ended by then lost its worker (the gateway's timeout is 10 s): the sweep tries again.
ATTEMPT_LEASE = timedelta(minutes=1)
SWEEP_BATCH = 500

CODE_STALE = "验证码已失效，未发送"
ATTEMPT_LOST = "发送中断（后台服务已停止）"


def _take(message_id: int) -> SmsMessage | None:
    """The message, its attempt counted and its `next_try_at` moved past the attempt, if it is due
    and still worth sending; None otherwise (delivered, given up, not due, or taken by another task)."""
    now = timezone.now()
    message = (SmsMessage.objects.select_related("code")
               .filter(pk=message_id, delivered=False, next_try_at__lte=now).first())
    if message is None:
        return None
    unchanged = SmsMessage.objects.filter(pk=message.pk, delivered=False, next_try_at=message.next_try_at)
    code = message.code
    if code is not None and (code.used_at or code.expires_at <= now):
        # Late or replaced by a newer one: the candidate would type a code that no longer works.
        unchanged.update(next_try_at=None, error=CODE_STALE)
        return None
    if message.attempts >= MAX_ATTEMPTS:  # the worker of its last attempt died
        unchanged.update(next_try_at=None, error=message.error or ATTEMPT_LOST)
        return None
    if not unchanged.update(attempts=F("attempts") + 1, next_try_at=now + ATTEMPT_LEASE):
        return None
    message.attempts += 1
    return message


# Ahead of the other tasks: a worker that takes every queue (deploy's prereg-worker@) would otherwise
# send a sign-up code after the photos queued for reading before it.
@task(priority=50)
def sms_deliver(message_id: int) -> None:
    """Send one stored message through its backend if it is due, and record the outcome: delivered,
    or the gateway's error with the time of the next try (none after the last)."""
    message = _take(message_id)
    if message is None:
        return
    backend = import_string(message.backend)()
    try:
        backend.send(message.phone, message.text)
    except Exception as exc:
        again = message.attempts < MAX_ATTEMPTS
        logger.exception("SMS %s delivery failed (attempt %s of %s%s)", message.pk, message.attempts, MAX_ATTEMPTS,
                         "" if again else ", given up")
        next_try_at = timezone.now() + RETRY_DELAYS[message.attempts - 1] if again else None
        SmsMessage.objects.filter(pk=message.pk).update(error=str(exc)[:200], next_try_at=next_try_at)
    else:
        done = {"delivered": True, "error": "", "next_try_at": None}
        if message.delivered_text and not getattr(backend, "keeps_text", False):
            done.update(text=message.delivered_text, delivered_text="")
        SmsMessage.objects.filter(pk=message.pk).update(**done)


def _waiting(message_ids: list[int]) -> set[int]:
    """Of these messages, those with a delivery task already queued (database backend only; with
    another backend a second task is harmless: it finds the message taken or delivered)."""
    backend = sms_deliver.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return set()
    queued = DBTaskResult.objects.filter(status=TaskResultStatus.READY, backend_name=backend.alias,
                                         task_path=sms_deliver.module_path)
    wanted = set(message_ids)
    return {args["args"][0] for args in queued.values_list("args_kwargs", flat=True)} & wanted


def sms_sweep() -> int:
    """Queue a delivery for each message that is due and has none waiting; how many were queued.
    A message whose code has expired is queued too: its task drops it, and says so on the row."""
    due = list(SmsMessage.objects.filter(delivered=False, next_try_at__lte=timezone.now())
               .order_by("next_try_at").values_list("pk", flat=True)[:SWEEP_BATCH])
    waiting = _waiting(due) if due else set()
    queued = 0
    for pk in due:
        if pk not in waiting:
            sms_deliver.enqueue(pk)
            queued += 1
    if queued:
        logger.info("queued %s SMS due for delivery", queued)
    return queued
