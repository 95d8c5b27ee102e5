"""The task worker of `make run` and of the systemd units: it outlives a database outage, and
run_workers starts again a worker that exits."""

import logging
import sys

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from prereg.core.management.commands.run_workers import Supervised
from prereg.core.management.commands.task_worker import PatientWorker


@task()
def echo(text):
    return text


@pytest.fixture
def database_tasks(settings, transactional_db):
    """Tasks queued in the database, as in production (the suite runs them immediately)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "exports"]}}


class Outage:
    """The database refuses the first `queries` statements, as while PostgreSQL restarts."""

    def __init__(self, queries):
        self.left, self.refused = queries, 0

    def __call__(self, execute, sql, params, many, context):
        if self.left:
            self.left -= 1
            self.refused += 1
            raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')
        return execute(sql, params, many, context)


def worker(**options):
    options = {"queue_names": ["default"], "excluded_queue_names": [], "interval": 0, "batch": False,
               "backend_name": "default", "startup_delay": False, "max_tasks": 1, "worker_id": "h1-test",
               **options}
    return PatientWorker(**options)


def test_the_worker_waits_out_a_database_outage_and_then_runs_the_queued_task(database_tasks, monkeypatch,
                                                                                 caplog):
    monkeypatch.setattr(PatientWorker, "first_wait", 0.01)
    result = echo.enqueue("after the outage")
    outage = Outage(queries=4)
    with caplog.at_level(logging.WARNING), connection.execute_wrapper(outage):
        worker().run()  # the stock db_worker raises OperationalError at the first refusal and exits
    assert outage.refused == 4
    row = DBTaskResult.objects.get(pk=result.id)
    assert (row.status, row.return_value, row.worker_ids) == ("SUCCESSFUL", "after the outage", ["h1-test"])
    waits = [r.getMessage().rsplit(" retries in ", 1)[1] for r in caplog.records if "retries in" in r.getMessage()]
    assert waits == ["0.01 s", "0.02 s", "0.04 s", "0.08 s"]  # backing off while the outage lasts


def test_the_worker_stops_backing_off_at_its_longest_wait(database_tasks, monkeypatch, caplog):
    monkeypatch.setattr(PatientWorker, "first_wait", 0.01)
    monkeypatch.setattr(PatientWorker, "most_wait", 0.03)
    echo.enqueue("x")
    with caplog.at_level(logging.WARNING), connection.execute_wrapper(Outage(queries=4)):
        worker().run()
    waits = [r.getMessage().rsplit(" retries in ", 1)[1] for r in caplog.records if "retries in" in r.getMessage()]
    assert waits == ["0.01 s", "0.02 s", "0.03 s", "0.03 s"]


def test_the_task_worker_command_runs_the_queue_with_db_workers_options(database_tasks, keep_signal_handlers):
    results = [echo.enqueue(n) for n in range(3)]
    call_command("task_worker", "--queue-name", "default", "--batch", "--interval", "0", "--no-startup-delay",
                 verbosity=0)
    assert [DBTaskResult.objects.get(pk=r.id).return_value for r in results] == [0, 1, 2]


def test_run_workers_starts_again_a_worker_that_exits_after_a_growing_wait(tmp_path):
    starts = tmp_path / "starts"
    supervised = Supervised([sys.executable, "-c", f"open({str(starts)!r}, 'a').write('x')"],
                            first_wait=1, most_wait=4, healthy_after=60)
    now = 0.0
    started_at = []
    while len(started_at) < 4:
        before = supervised.process
        supervised.tend(now)
        if supervised.process is not None and supervised.process is not before:
            started_at.append(now)
            supervised.process.wait()  # it exits at once, like a worker that cannot start
        now += 0.5
    assert started_at == [0.0, 1.5, 4.0, 8.5]  # waits of 1, 2 and 4 s after each exit (ticks of 0.5 s)
    assert starts.read_text() == "xxxx" and supervised.restarts == 3


def test_run_workers_starts_with_a_short_wait_again_after_a_worker_ran_well(tmp_path):
    supervised = Supervised([sys.executable, "-c", "pass"], first_wait=1, most_wait=60, healthy_after=10)
    supervised.wait = 32  # after a run of failures
    supervised.tend(0.0)
    supervised.process.wait()
    supervised.tend(100.0)  # it had run for 100 s before it exited
    assert supervised.start_at == 101.0 and supervised.wait == 2
