"""An SMS whose worker was killed while it sent it (kill -9, out of memory) is sent when a worker
starts, once, and never a second time once the gateway accepted it (races-and-faults probe 7).
The task worker fails the lost task (prereg/core/management/commands/task_worker.py) and its SMS
sweep queues the message again while its row says it is due (prereg/notify/tasks.py)."""


import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from prereg.core.management.commands import task_worker
from prereg.notify import tasks
from prereg.notify.models import SmsMessage
from prereg.notify.sms import send_sms
from prereg.notify.tasks import sms_sweep
from tests.ocr.test_lost_tasks import dead_worker_id

pytestmark = pytest.mark.usefixtures("keep_signal_handlers")

PHONE = "13905910000"
LOST = "prereg.core.management.commands.task_worker.WorkerLost"


class CountingGateway:
    """A gateway that accepts every message and remembers each."""

    sent: list = []

    def send(self, phone, text):
        self.sent.append((phone, text))


@pytest.fixture
def database_tasks(settings, transactional_db):
    """Tasks queued in the database, as in production (the suite runs them immediately)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default", "exports", "ocr"]}}
    settings.SMS_BACKEND = "tests.notify.test_lost_sms.CountingGateway"
    CountingGateway.sent = []
    return settings


def in_flight(text="【测试】您的报名已退回，请修改后重新提交。"):
    """A message whose delivery a worker took and did not finish: killed while the gateway answered."""
    message = send_sms(PHONE, text, purpose="returned")  # queued at once: no transaction around it
    row = DBTaskResult.objects.get(task_path="prereg.notify.tasks.sms_deliver", args_kwargs__args=[message.pk])
    row.claim(dead_worker_id())
    return message, row


def start_worker():
    call_command("task_worker", "--queue-name", "default", "--batch", "--interval", "0", "--no-startup-delay",
                 verbosity=0)


def test_a_message_in_flight_when_its_worker_was_killed_is_sent_when_a_worker_starts(database_tasks):
    message, lost = in_flight()
    start_worker()
    lost.refresh_from_db()
    assert (lost.status, lost.exception_class_path) == ("FAILED", LOST)
    message.refresh_from_db()
    assert message.delivered and CountingGateway.sent == [(PHONE, message.text)]
    start_worker()  # and once only, however often a worker starts
    assert len(CountingGateway.sent) == 1


def test_a_message_the_gateway_accepted_is_not_sent_again(database_tasks):
    # Killed after the gateway accepted it and the message was marked delivered, before the task row was.
    message, lost = in_flight()
    SmsMessage.objects.filter(pk=message.pk).update(delivered=True, next_try_at=None)
    start_worker()
    lost.refresh_from_db()
    assert lost.status == "FAILED" and CountingGateway.sent == []
    assert DBTaskResult.objects.count() == 1  # nothing queued again: the row says it is delivered


def test_a_message_whose_worker_is_killed_in_every_gateway_call_is_given_up(database_tasks):
    # A message that kills its worker must not kill every worker that starts: each call counts.
    message, _ = in_flight()
    for _ in range(tasks.MAX_ATTEMPTS):
        tasks._take(message.pk)  # the worker that took it dies in the gateway call
        SmsMessage.objects.filter(pk=message.pk).update(next_try_at=timezone.now())  # the attempt's lease is over
        task_worker.recover_lost_tasks("default", "me")
        sms_sweep()  # what the next worker does when it starts; it takes the task and dies too
        DBTaskResult.objects.ready().get().claim(dead_worker_id())
    start_worker()
    message.refresh_from_db()
    assert not message.delivered and message.next_try_at is None and message.error == tasks.ATTEMPT_LOST
    assert CountingGateway.sent == []
