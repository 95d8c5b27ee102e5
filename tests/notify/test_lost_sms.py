"""An SMS whose worker was killed while it sent it (kill -9, out of memory) is sent when a worker
starts, once, and never a second time once the gateway accepted it (races-and-faults probe 7).
The recovery is the task worker's (prereg/core/management/commands/task_worker.py)."""


import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from prereg.core.management.commands import task_worker
from prereg.notify.models import SmsMessage
from prereg.notify.sms import send_sms
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
    SmsMessage.objects.filter(pk=message.pk).update(delivered=True)
    start_worker()
    lost.refresh_from_db()
    assert lost.status == "FAILED" and CountingGateway.sent == []
    assert DBTaskResult.objects.exclude(pk=lost.pk).get().status == "SUCCESSFUL"  # retried: nothing to send


def test_a_message_lost_twice_is_not_tried_a_third_time(database_tasks):
    message, first = in_flight()
    task_worker.recover_lost_tasks("default", "me")
    second = DBTaskResult.objects.exclude(pk=first.pk).get()
    second.claim(dead_worker_id())
    start_worker()
    message.refresh_from_db()
    assert not message.delivered and CountingGateway.sent == []
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["FAILED", "FAILED"]
