"""Background work of the notify app (django-tasks; the default queue's worker runs it)."""

from django_tasks import task

from .models import SmsMessage
from .sms import deliver


# Ahead of the other tasks: a worker that takes every queue (deploy's prereg-worker@) would otherwise
# send a sign-up code after the photos queued for reading before it.
@task(priority=50)
def sms_deliver(message_id: int) -> None:
    message = SmsMessage.objects.filter(pk=message_id).first()
    if message is not None and not message.delivered:
        deliver(message)
