"""Background work of the notify app (django-tasks; the default queue's worker runs it)."""

import logging

from django.utils.module_loading import import_string
from django_tasks import task

from .models import SmsMessage

logger = logging.getLogger(__name__)


# Ahead of the other tasks: a worker that takes every queue (deploy's prereg-worker@) would otherwise
# send a sign-up code after the photos queued for reading before it.
@task(priority=50)
def sms_deliver(message_id: int) -> None:
    """Send one stored message through its backend and record the outcome (a failure is kept on the
    message, for the outbox page and the log; the act that sent it stands)."""
    message = SmsMessage.objects.filter(pk=message_id, delivered=False).first()
    if message is None:
        return
    backend = import_string(message.backend)()
    try:
        backend.send(message.phone, message.text)
    except Exception as exc:
        logger.exception("SMS delivery failed")
        SmsMessage.objects.filter(pk=message.pk).update(error=str(exc)[:200])
    else:
        done = {"delivered": True}
        if message.delivered_text and not getattr(backend, "keeps_text", False):
            done.update(text=message.delivered_text, delivered_text="")
        SmsMessage.objects.filter(pk=message.pk).update(**done)
