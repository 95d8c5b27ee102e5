"""Keep one task worker per queue running, for `make run`: a worker that exits is started again.

`manage.py run_workers default exports` starts `manage.py task_worker --queue-name <queue>` for
each queue and watches them. One that exits (a crash, killed, out of memory) is started again
after a wait that doubles from 1 s up to a minute while it keeps failing, and starts at 1 s again
once a worker has run for a minute. SIGTERM or Ctrl-C stops the workers (each finishes its task)
and then this command; a second one makes them abandon their tasks. In production systemd does the same job (deploy/systemd/prereg-worker@.service).
"""

import logging
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management.base import BaseCommand

logger = logging.getLogger(__name__)

FIRST_WAIT = 1.0
MOST_WAIT = 60.0
HEALTHY_AFTER = 60.0  # a worker that ran this long starts its next back-off at FIRST_WAIT again
TICK = 0.5


@dataclass
class Supervised:
    """One worker process: started, and started again after a back-off when it exits."""

    command: list[str]
    first_wait: float = FIRST_WAIT
    most_wait: float = MOST_WAIT
    healthy_after: float = HEALTHY_AFTER
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    start_at: float = 0.0  # when to start it (again)
    wait: float = field(init=False)
    restarts: int = 0

    def __post_init__(self):
        self.wait = self.first_wait

    def tend(self, now: float) -> None:
        """Start the worker if it is due; note its exit and when to start it again."""
        if self.process is None:
            if now >= self.start_at:
                # A session of its own: Ctrl-C reaches this command only, which then asks each
                # worker once to stop (a second signal would make db_worker abandon its task).
                self.process = subprocess.Popen(self.command, start_new_session=True)  # noqa: S603
                self.started_at = now
            return
        code = self.process.poll()
        if code is None:
            return
        if now - self.started_at >= self.healthy_after:
            self.wait = self.first_wait
        logger.warning("worker %s exited with %s; starting it again in %.0f s", " ".join(self.command[2:]),
                       code, self.wait)
        self.process = None
        self.restarts += 1
        self.start_at = now + self.wait
        self.wait = min(self.wait * 2, self.most_wait)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()

    def join(self) -> None:
        if self.process is not None:
            self.process.wait()


class Command(BaseCommand):
    help = "Run one task worker per queue and start again any that exits (with a back-off), for `make run`."

    def add_arguments(self, parser):
        parser.add_argument("queues", nargs="+", help="queue names, one worker each (e.g. default exports)")

    def handle(self, *, queues, verbosity, **options):
        manage = str(settings.BASE_DIR / "manage.py")
        self.workers = [Supervised([sys.executable, manage, "task_worker", "--queue-name", queue,
                               "--verbosity", str(verbosity)]) for queue in queues]
        self.running = True
        signal.signal(signal.SIGTERM, self.shutdown)
        signal.signal(signal.SIGINT, self.shutdown)
        while self.running:
            now = time.monotonic()
            for worker in self.workers:
                worker.tend(now)
            time.sleep(TICK)
        for worker in self.workers:
            worker.stop()
        for worker in self.workers:
            worker.join()

    def shutdown(self, signum, frame):
        if not self.running:  # asked twice: pass it on, the workers abandon their tasks
            for worker in self.workers:
                worker.stop()
        self.running = False
