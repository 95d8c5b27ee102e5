"""django-tasks-db's `db_worker`, made to wait out a database outage instead of exiting.

The stock worker ends with the first OperationalError it meets outside a task (PostgreSQL
restarting, the network to it gone for a moment), and each task queued after that waits for
someone to start a worker again. This one logs the error, waits (1 s, doubling up to 15 s)
and takes up its loop again; the task that was running when the database went away stays with
its own error handling (an export's heartbeat stops: prereg.exports.runner.abandon_stale).

A task whose worker died (kill -9, out of memory, the machine stopped) stays RUNNING for ever:
django-tasks-db has no heartbeat nor retry. So each worker is named after its machine and process
(`<host>:<pid>:<token>`, unless --worker-id names it), and when a worker starts it fails, with the
row's own set_failed as the worker does, the tasks left running by a worker of its machine whose
process is gone (`recover_lost_tasks`); those of RETRY_WHEN_LOST are queued again, once in a row.

A worker also runs the PERIODIC sweeps of the queues it serves, when it starts and every
PERIODIC_SECONDS in a thread of its own (the SMS sweep queues again each message that is due and
has no delivery waiting, prereg.notify.tasks): no cron is needed for work that must not wait an hour.

Same options as `db_worker` (see `--help`) except `--reload`, which is ignored: use `db_worker`
while developing.
"""

import logging
import os
import socket
import threading
import time
from pathlib import Path

from django.core.exceptions import SuspiciousOperation
from django.core.management.base import CommandError
from django.db import InterfaceError, OperationalError, connections
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

logger = logging.getLogger(__name__)

# Tasks safe to run again after their worker died, and how many times in a row: each does nothing when
# its work is done (a reading of the stored image is kept; a year's verdicts computed again are the
# same verdicts), and a user may have been told it will be done (未审结的报名信息将在后台按新规则重新判定,
# after a rules import or a change of the cut-off date). Once only: a photo (a year) that kills the worker
# (out of memory) must not kill it for ever. An export is not here: its job fails as lost
# (prereg.exports.runner), its owner sees it failed and asks again. Nor an SMS delivery: its message row
# says whether it is due and counts its attempts, and the SMS sweep queues it again (PERIODIC).
RETRY_WHEN_LOST = {
    "prereg.ocr.tasks.read_image_task": 1,
    "prereg.applications.tasks.verdicts_recompute": 1,
}
# Sweeps a worker runs for the queue it serves (dotted path: queue), when it starts and every
# PERIODIC_SECONDS after; each queues the tasks that should be waiting and are not. Named by path,
# as the tasks above: core imports none of the apps.
PERIODIC = {
    "prereg.notify.tasks.sms_sweep": "default",
}
PERIODIC_SECONDS = 30
HOST = socket.gethostname()[:40]


class WorkerLost(Exception):
    """What the task row of a task whose worker died records as its error."""


def new_worker_id() -> str:
    """This process's worker id: its machine, its process, and a token (process ids are reused)."""
    return f"{HOST}:{os.getpid()}:{get_random_string(8)}"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's: alive
        pass
    proc = Path(f"/proc/{pid}/cmdline")
    if not Path("/proc/self").exists():
        return True  # no /proc to tell a reused process id from the worker's: alive
    try:
        return b"task_worker" in proc.read_bytes()  # the id reused by another program: the worker is gone
    except FileNotFoundError:
        return False
    except OSError:
        return True


def worker_gone(worker_id: str, me: str) -> bool:
    """Whether the worker `worker_id` has certainly stopped: one of this machine whose process has
    ended (or is this process, under another token). A worker of another machine, or named by
    --worker-id, cannot be told from here: not gone."""
    host, _, rest = worker_id.partition(":")
    pid, _, token = rest.partition(":")
    if host != HOST or not pid.isdigit() or not token or worker_id == me:
        return False
    return int(pid) == os.getpid() or not _process_alive(int(pid))


def _retries_so_far(row: DBTaskResult) -> int:
    """How often this task (its path and arguments) was already queued again for a lost worker: the
    tasks like it queued before it and lost, back to the last one that was not lost. One that ran (to its
    end, or failing of itself) ends the count: a year's verdicts recomputed for new rules weeks after a
    recompute lost and run again are another request, and are run again as the first was."""
    same = DBTaskResult.objects.filter(task_path=row.task_path, args_kwargs=row.args_kwargs,
                                       enqueued_at__lt=row.enqueued_at)
    lost = same.failed().filter(exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}")
    last_other = (same.exclude(pk__in=lost.values("pk")).order_by("-enqueued_at")
                  .values_list("enqueued_at", flat=True).first())
    return (lost if last_other is None else lost.filter(enqueued_at__gt=last_other)).count()


def recover_lost_tasks(backend_name: str, me: str) -> int:
    """Fail the tasks left running by a worker that died, and queue again those of RETRY_WHEN_LOST
    not yet retried as often as it allows; how many were failed."""
    running = DBTaskResult.objects.running().filter(backend_name=backend_name)
    lost = [pk for pk, ids in running.values_list("pk", "worker_ids") if ids and worker_gone(ids[-1], me)]
    failed = 0
    for pk in lost:
        with exclusive_transaction(running.db):
            row = running.filter(pk=pk).get_locked()  # another worker starting may be at it too
            if row is None:
                continue
            row.set_failed(WorkerLost(f"worker {row.worker_ids[-1]} stopped while it ran this task"))
            failed += 1
            allowed = RETRY_WHEN_LOST.get(row.task_path, 0)
            again = allowed and _retries_so_far(row) < allowed
            logger.warning("task %s (%s) was left running by worker %s, which stopped: %s", row.pk, row.task_path,
                           row.worker_ids[-1], "queued again" if again else "failed")
            if again:
                try:
                    task = row.task
                except (ImportError, SuspiciousOperation):
                    logger.exception("task %s cannot be queued again", row.pk)
                    continue
                task.enqueue(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
    return failed


class PatientWorker(db_worker.Worker):
    """A db_worker Worker whose loop is started again after the database failed it."""

    first_wait = 1.0  # seconds before the first retry; doubled at each failure in a row
    # Short: a refused connection costs the database nothing, and a task asked for during the
    # outage should not wait long once the database is back.
    most_wait = 15.0
    periodic_seconds = PERIODIC_SECONDS

    @property
    def sweeps(self) -> list[str]:
        """The PERIODIC sweeps of the queues this worker serves."""
        return [path for path, queue in PERIODIC.items()
                if (queue in self.queue_names or self.process_all_queues) and queue not in self.excluded_queue_names]

    def sweep(self) -> None:
        """Each sweep once; a failure (the database away) is logged, and the next round tries again."""
        for path in self.sweeps:
            try:
                import_string(path)()
            except (OperationalError, InterfaceError) as error:  # an outage: run's loop says so already
                logger.warning("periodic %s not run: database unavailable (%s)", path, str(error).strip())
            except Exception:
                logger.exception("periodic %s failed", path)

    def sweep_periodically(self) -> None:
        """The sweeps every periodic_seconds, beside the task loop (which may be busy with a long task)."""
        while not self.stop_sweeping.wait(self.periodic_seconds):
            self.sweep()
            connections.close_all()  # this thread's own: not held between rounds

    def recover(self) -> None:
        """recover_lost_tasks, then the sweeps; a database outage goes to run's waiting, any other
        error is only logged: the worker must start whatever a task row left behind holds."""
        try:
            recover_lost_tasks(self.backend_name, self.worker_id)
        except (OperationalError, InterfaceError):
            raise
        except Exception:
            logger.exception("tasks left running by stopped workers not recovered")
        self.sweep()

    def run(self) -> None:
        # Not in --batch mode: that run ends when the queue is empty, and the sweep at start suffices.
        self.stop_sweeping = threading.Event()
        if self.sweeps and not self.batch:
            threading.Thread(target=self.sweep_periodically, name="periodic-sweeps", daemon=True).start()
        try:
            self._run()
        finally:
            self.stop_sweeping.set()

    def _run(self) -> None:
        wait = self.first_wait
        while True:
            began = time.monotonic()
            try:
                self.recover()
                return super().run()
            except (OperationalError, InterfaceError) as error:
                if time.monotonic() - began > self.most_wait:
                    wait = self.first_wait  # it had been working for a while: a new outage
                logger.warning("database unavailable (%s); worker %s retries in %g s",
                               str(error).strip() or type(error).__name__, self.worker_id, wait)
                # Drop the broken connections: the next loop connects afresh.
                connections.close_all()
            time.sleep(wait)
            wait = min(wait * 2, self.most_wait)


class Command(db_worker.Command):
    help = "Run a database task worker that waits out database outages (db_worker's options)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        # Named after its machine and process (db_worker's default is random), for recover_lost_tasks.
        parser.set_defaults(worker_id=None)

    def handle(self, *, verbosity, queue_name, exclude_queues, interval, batch, backend_name,
               startup_delay, max_tasks, worker_id, **options) -> None:
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = PatientWorker(
            queue_names=queue_names, excluded_queue_names=excluded,
            interval=interval, batch=batch, backend_name=backend_name, startup_delay=startup_delay,
            max_tasks=max_tasks, worker_id=worker_id or new_worker_id(),
        )
        worker.configure_signals()
        worker.run()
