"""django-tasks-db's `db_worker`, made to wait out a database outage instead of exiting.

The stock worker ends with the first OperationalError it meets outside a task (PostgreSQL
restarting, the network to it gone for a moment), and each task queued after that waits for
someone to start a worker again. This one logs the error, waits (1 s, doubling up to 15 s)
and takes up its loop again; the task that was running when the database went away stays with
its own error handling (an export's heartbeat stops: prereg.exports.runner.abandon_stale).

Same options as `db_worker` (see `--help`) except `--reload`, which is ignored: use `db_worker`
while developing.
"""

import logging
import time

from django.core.management.base import CommandError
from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger(__name__)


class PatientWorker(db_worker.Worker):
    """A db_worker Worker whose loop is started again after the database failed it."""

    first_wait = 1.0  # seconds before the first retry; doubled at each failure in a row
    # Short: a refused connection costs the database nothing, and a task asked for during the
    # outage should not wait long once the database is back.
    most_wait = 15.0

    def run(self) -> None:
        wait = self.first_wait
        while True:
            began = time.monotonic()
            try:
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
            max_tasks=max_tasks, worker_id=worker_id,
        )
        worker.configure_signals()
        worker.run()
