"""Background work of the notify app (django-tasks; the default queue's worker runs it)."""

from django_tasks import task

from .models import SmsMessage
from .sms import deliver


@task()
def sms_deliver(message_id: int) -> None:
    message = SmsMessage.objects.filter(pk=message_id).first()
    if message is not None and not message.delivered:
        deliver(message)
