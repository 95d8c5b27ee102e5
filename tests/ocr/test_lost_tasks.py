"""A reading whose worker was killed mid-read (kill -9, out of memory) is read again when a worker
starts, once: the task row no longer stays RUNNING for ever with the image unread (races-and-faults
probe 7). The recovery is the task worker's (prereg/core/management/commands/task_worker.py)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from prereg.core.management.commands import task_worker
from prereg.ocr import engine as engine_module
from prereg.ocr.models import ImageReading, ReadingStatus
from prereg.ocr.tasks import read_image_task
from tests.factories import ApplicationFactory

from .test_flow import FakeEngine, stored_image

LOST = "prereg.core.management.commands.task_worker.WorkerLost"


@pytest.fixture
def database_tasks(settings, transactional_db):
    """Tasks queued in the database, as in production (the suite runs them immediately)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default", "exports", "ocr"]}}
    settings.OCR_ENGINE = "tests.ocr.test_flow.FakeEngine"
    engine_module._load.cache_clear()
    yield settings
    engine_module._load.cache_clear()
    FakeEngine.PAGES = []


def dead_worker_id() -> str:
    """The id a task_worker of this machine had, whose process is gone (killed)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])  # noqa: S603
    process.wait()
    return f"{task_worker.HOST}:{process.pid}:k9x2m4q7"


@pytest.fixture
def image(database_tasks, tree, year, candidate):
    application = ApplicationFactory(candidate=candidate, exam_year=year, unit=tree["35052401"], name="李娜")
    return stored_image(application, "id_front", "2")


def reading_taken_by(worker_id, image_id):
    """A reading of the image that a worker took (claimed) and then did not finish."""
    row = DBTaskResult.objects.get(pk=read_image_task.using(queue_name="ocr").enqueue(image_id).id)
    row.claim(worker_id)
    return row


def start_worker():
    call_command("task_worker", "--queue-name", "ocr", "--batch", "--interval", "0", "--no-startup-delay",
                 verbosity=0)


def test_a_reading_whose_worker_was_killed_is_read_when_a_worker_starts(image, keep_signal_handlers):
    lost = reading_taken_by(dead_worker_id(), image.pk)
    FakeEngine.PAGES = [[["姓名", "李娜"]]]
    start_worker()  # run_workers (or systemd) starts the killed worker again
    lost.refresh_from_db()
    assert (lost.status, lost.exception_class_path) == ("FAILED", LOST)
    [again] = DBTaskResult.objects.exclude(pk=lost.pk)
    assert (again.status, again.queue_name, again.priority, again.return_value) == ("SUCCESSFUL", "ocr", -50, "done")
    assert again.args_kwargs == lost.args_kwargs
    # The worker that read it is named after its machine and process.
    assert again.worker_ids[-1].startswith(f"{task_worker.HOST}:{os.getpid()}:")
    assert ImageReading.objects.get(image=image).status == ReadingStatus.DONE


def test_a_reading_lost_a_second_time_is_not_tried_again(image, keep_signal_handlers):
    # A photo that makes the engine run out of memory would otherwise kill the worker for ever.
    first = reading_taken_by(dead_worker_id(), image.pk)
    task_worker.recover_lost_tasks("default", "me")
    [second] = DBTaskResult.objects.exclude(pk=first.pk)
    second.claim(dead_worker_id())  # killed again
    start_worker()
    second.refresh_from_db()
    assert (second.status, second.exception_class_path) == ("FAILED", LOST)
    assert DBTaskResult.objects.count() == 2 and not ImageReading.objects.exists()


def test_the_tasks_of_workers_that_may_still_run_are_left_alone(image, keep_signal_handlers):
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "task_worker"])  # noqa: S603
    try:
        # Until its exec the child's command line is still this process's (a flaky failure, 1 run in 3).
        for _ in range(500):
            if b"task_worker" in Path(f"/proc/{alive.pid}/cmdline").read_bytes():
                break
            time.sleep(0.01)
        other_ids = [f"{task_worker.HOST}:{alive.pid}:a1b2c3d4",  # a worker of this machine still running
                     "another-host:4242:a1b2c3d4",  # another machine's: cannot be told from here
                     "Xq3vB8nR2kL9mP4tW7yZ1cF6hJ0sD5gA"]  # db_worker's random id
        rows = [reading_taken_by(worker_id, image.pk) for worker_id in other_ids]
        assert task_worker.recover_lost_tasks("default", "me") == 0
        assert [DBTaskResult.objects.get(pk=row.pk).status for row in rows] == ["RUNNING"] * 3
        assert DBTaskResult.objects.count() == 3
    finally:
        alive.kill()
        alive.wait()


def test_a_process_id_reused_by_another_program_does_not_keep_a_dead_workers_task(image):
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # noqa: S603
    try:
        row = reading_taken_by(f"{task_worker.HOST}:{other.pid}:a1b2c3d4", image.pk)
        assert task_worker.recover_lost_tasks("default", "me") == 1
        row.refresh_from_db()
        assert row.status == "FAILED"
    finally:
        other.kill()
        other.wait()


def test_a_worker_recovering_after_a_database_outage_does_not_queue_a_task_twice(image):
    row = reading_taken_by(dead_worker_id(), image.pk)
    assert task_worker.recover_lost_tasks("default", "me") == 1
    assert task_worker.recover_lost_tasks("default", "me") == 0  # PatientWorker.run again, or another worker
    assert DBTaskResult.objects.exclude(pk=row.pk).get().status == "READY"
