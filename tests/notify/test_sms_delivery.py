"""Every stored SMS not delivered is delivered in the end, at least once and never again once it is:
a message whose queueing was lost after its act committed is queued again by the workers' sweep, a
gateway's refusal is tried again a few times with growing waits, and a verification code that has
expired or been replaced is not sent late (races-and-faults probe F4)."""

import re
import threading
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend

from prereg.core.management.commands.task_worker import PatientWorker
from prereg.notify import tasks
from prereg.notify.models import SmsCode, SmsMessage
from prereg.notify.sms import issue_code, send_sms, verify_code
from prereg.notify.tasks import sms_deliver, sms_sweep

PHONE = "13905910000"
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                         "QUEUES": ["default", "exports", "ocr"]}}
REFUSING = {"default": {"BACKEND": "tests.notify.test_sms.RefusingBackend", "QUEUES": ["default", "exports", "ocr"]}}


class Gateway:
    """A gateway that refuses the first `refusals` messages it is given, then accepts each."""

    refusals = 0
    sent: list = []
    tried = 0

    def send(self, phone, text):
        Gateway.tried += 1
        if Gateway.tried <= Gateway.refusals:
            raise RuntimeError("gateway answered 503")
        Gateway.sent.append((phone, text))


@pytest.fixture
def gateway(settings):
    settings.SMS_BACKEND = "tests.notify.test_sms_delivery.Gateway"
    Gateway.refusals, Gateway.sent, Gateway.tried = 0, [], 0
    return Gateway


def time_passes(message):
    """The message's next try has come (as a sweep a while later sees it)."""
    SmsMessage.objects.filter(pk=message.pk).update(next_try_at=timezone.now() - timedelta(seconds=1))


def queueing_lost(settings, django_capture_on_commit_callbacks, send):
    """`send` run as an act whose SMS could not be queued after it committed; the queue is back after."""
    settings.TASKS = REFUSING
    with django_capture_on_commit_callbacks(execute=True):
        result = send()
    settings.TASKS = IMMEDIATE
    return result


def test_a_message_whose_queueing_failed_after_its_act_committed_is_delivered_by_the_sweep(
        db, settings, gateway, django_capture_on_commit_callbacks):
    message = queueing_lost(settings, django_capture_on_commit_callbacks,
                            lambda: send_sms(PHONE, "【测试】您的报名已退回", purpose="returned"))
    message.refresh_from_db()
    assert not message.delivered and gateway.sent == []
    assert sms_sweep() == 1
    message.refresh_from_db()
    assert message.delivered and gateway.sent == [(PHONE, "【测试】您的报名已退回")]
    assert sms_sweep() == 0  # and once only


def test_with_the_database_queue_the_task_commits_with_the_act(transactional_db, settings, gateway):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        message = send_sms(PHONE, "【测试】通知", purpose="returned")
        assert DBTaskResult.objects.get().args_kwargs["args"] == [message.pk]  # queued before the commit
    with pytest.raises(RuntimeError), transaction.atomic():
        send_sms(PHONE, "【测试】不发", purpose="returned")
        raise RuntimeError("the act fails")
    assert DBTaskResult.objects.count() == 1  # a rolled-back act leaves no task


def test_a_task_insert_refused_inside_the_act_leaves_the_act_and_the_message_to_the_worker_s_sweep(
        transactional_db, settings, gateway, monkeypatch, keep_signal_handlers):
    # The probe's trigger: the queue's insert fails while the act (a return to the candidate) commits.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

    def refuse(self, task, args, kwargs):
        raise RuntimeError("probe: queue unavailable")

    with monkeypatch.context() as patch:
        patch.setattr(DatabaseBackend, "enqueue", refuse)
        with transaction.atomic():
            message = send_sms(PHONE, "【测试】您的报名已退回", purpose="returned")
    assert SmsMessage.objects.filter(pk=message.pk).exists()  # the act stands
    call_command("task_worker", "--queue-name", "default", "--batch", "--interval", "0", "--no-startup-delay",
                 verbosity=0)
    message.refresh_from_db()
    assert message.delivered and gateway.sent == [(PHONE, "【测试】您的报名已退回")]


def test_a_gateway_refusal_is_tried_again_after_growing_waits_then_delivered(
        db, settings, gateway, django_capture_on_commit_callbacks):
    gateway.refusals = 2
    with django_capture_on_commit_callbacks(execute=True):
        message = send_sms(PHONE, "【测试】提醒", purpose="reminder")
    message.refresh_from_db()
    assert (message.delivered, message.attempts) == (False, 1) and "503" in message.error
    first_wait = message.next_try_at - timezone.now()
    assert sms_sweep() == 0  # not due yet: the gateway is not hammered
    time_passes(message)
    sms_sweep()
    message.refresh_from_db()
    assert message.attempts == 2 and message.next_try_at - timezone.now() > first_wait
    time_passes(message)
    sms_sweep()
    message.refresh_from_db()
    assert message.delivered and message.attempts == 3 and not message.error and message.next_try_at is None
    assert gateway.tried == 3 and gateway.sent == [(PHONE, "【测试】提醒")]


def test_after_the_last_refusal_the_message_stays_failed_and_the_outbox_says_so(
        client, sysadmin, settings, gateway, django_capture_on_commit_callbacks):
    gateway.refusals = 100
    with django_capture_on_commit_callbacks(execute=True):
        message = send_sms(PHONE, "【测试】提醒", purpose="reminder")
    for _ in range(10):
        time_passes(message)
        sms_sweep()
        message.refresh_from_db()
        if message.next_try_at is None:
            break
    assert gateway.tried == tasks.MAX_ATTEMPTS and not message.delivered and message.error
    assert sms_sweep() == 0 and gateway.tried == tasks.MAX_ATTEMPTS
    settings.DEMO_MODE = True
    client.force_login(sysadmin)
    assert "失败" in client.get(reverse("backoffice:sms_outbox")).content.decode()


def test_a_delivered_message_is_never_sent_again(db, gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = send_sms(PHONE, "【测试】通知", purpose="returned")
    sms_deliver.call(message.pk)  # a second task for it (queued twice, or run again after a worker died)
    SmsMessage.objects.filter(pk=message.pk).update(next_try_at=timezone.now())  # even if marked due by mistake
    sms_sweep()
    assert gateway.sent == [(PHONE, "【测试】通知")]


def test_a_message_being_sent_is_neither_queued_again_nor_sent_by_a_second_task(db, gateway):
    message = send_sms(PHONE, "【测试】通知", purpose="returned")  # its on_commit never runs here
    assert tasks._take(message.pk) is not None  # a worker began the attempt
    assert sms_sweep() == 0
    sms_deliver.call(message.pk)
    assert gateway.tried == 0


def test_an_attempt_whose_worker_died_is_tried_again_once_its_lease_is_over(db, gateway):
    message = send_sms(PHONE, "【测试】通知", purpose="returned")
    tasks._take(message.pk)  # killed in the gateway call: the attempt counts
    time_passes(message)
    sms_sweep()
    message.refresh_from_db()
    assert message.delivered and message.attempts == 2 and gateway.tried == 1


def test_a_message_that_lost_its_worker_at_every_attempt_is_given_up(db, gateway):
    # A message that kills the worker (or workers killed again and again) must not be tried for ever.
    message = send_sms(PHONE, "【测试】通知", purpose="returned")
    for _ in range(tasks.MAX_ATTEMPTS):
        time_passes(message)
        tasks._take(message.pk)
    time_passes(message)
    sms_sweep()
    message.refresh_from_db()
    assert gateway.tried == 0 and not message.delivered and message.next_try_at is None
    assert message.error == tasks.ATTEMPT_LOST


def test_an_expired_code_is_not_sent_late(db, settings, gateway, django_capture_on_commit_callbacks):
    queueing_lost(settings, django_capture_on_commit_callbacks, lambda: issue_code(PHONE, "signup"))
    SmsCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    sms_sweep()
    message = SmsMessage.objects.get()
    assert gateway.tried == 0 and not message.delivered
    assert message.next_try_at is None and message.error == tasks.CODE_STALE


def test_a_code_still_valid_is_sent_when_its_queueing_was_lost(db, settings, gateway,
                                                               django_capture_on_commit_callbacks):
    queueing_lost(settings, django_capture_on_commit_callbacks, lambda: issue_code(PHONE, "signup"))
    sms_sweep()
    [(_, text)] = gateway.sent
    verify_code(PHONE, "signup", re.search(r"验证码(\d{6})", text).group(1))


def test_a_code_replaced_by_a_newer_one_is_not_sent_when_its_retry_comes(db, settings, gateway,
                                                                         django_capture_on_commit_callbacks):
    settings.SMS_PER_MINUTE = 10
    gateway.refusals = 1
    with django_capture_on_commit_callbacks(execute=True):
        issue_code(PHONE, "signup")  # refused by the gateway: a retry is planned
    with django_capture_on_commit_callbacks(execute=True):
        issue_code(PHONE, "signup")  # the candidate taps again: this one arrives
    first = SmsMessage.objects.order_by("pk").first()
    time_passes(first)
    sms_sweep()
    first.refresh_from_db()
    assert len(gateway.sent) == 1 and first.error == tasks.CODE_STALE
    verify_code(PHONE, "signup", re.search(r"验证码(\d{6})", gateway.sent[0][1]).group(1))


def worker(queues, excluded=()):
    return PatientWorker(queue_names=queues, excluded_queue_names=list(excluded), interval=0, batch=True,
                         backend_name="default", startup_delay=False, max_tasks=None, worker_id="w")


def test_the_workers_serving_the_default_queue_run_the_sms_sweep():
    sweep = ["prereg.notify.tasks.sms_sweep"]
    assert worker(["default"]).sweeps == sweep and worker(["*"]).sweeps == sweep
    assert worker(["ocr"]).sweeps == [] and worker(["*"], excluded=["default"]).sweeps == []


def test_a_running_worker_sweeps_every_while_without_being_restarted(transactional_db, settings, gateway):
    settings.TASKS = IMMEDIATE
    lost = SmsMessage.objects.create(phone=PHONE, text="【测试】通知", purpose="returned",  # its queueing lost
                                     backend=settings.SMS_BACKEND, next_try_at=timezone.now())
    running = worker(["default"])
    running.periodic_seconds = 0.05
    running.stop_sweeping = threading.Event()
    sweeper = threading.Thread(target=running.sweep_periodically)
    sweeper.start()
    try:
        deadline = time.monotonic() + 5
        while not SmsMessage.objects.filter(pk=lost.pk, delivered=True).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        running.stop_sweeping.set()
        sweeper.join()
    assert gateway.sent == [(PHONE, "【测试】通知")]
