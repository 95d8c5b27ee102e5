"""A recompute of a year's verdicts (资格规则 imported, 资格计算截止日期 changed) whose worker was killed is run
again when a worker starts, as the administrator was told it would be (未审结的报名信息将在后台按新规则重新判定);
the recovery is the task worker's (prereg/core/management/commands/task_worker.py)."""

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from prereg.applications import eligibility
from prereg.applications.models import Application
from prereg.applications.tasks import verdicts_recompute
from prereg.core.management.commands import task_worker
from tests.factories import ApplicationFactory, EducationRowFactory
from tests.ocr.test_lost_tasks import LOST, dead_worker_id

TASK = "prereg.applications.tasks.verdicts_recompute"


@pytest.fixture
def database_tasks(settings, transactional_db):
    """Tasks queued in the database, as in production (the suite runs them immediately)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "exports"]}}
    return settings


@pytest.fixture
def stale(database_tasks, tree, year):
    """A draft whose stored verdict the year's rules no longer give (they changed since it was kept)."""
    application = ApplicationFactory(exam_year=year, unit=tree["35052401"], name="李娜", current_qualification="护师")
    EducationRowFactory(application=application)
    Application.objects.filter(pk=application.pk).update(verdict="eligible", verdict_text="按旧规则判定")
    return application


def recompute_taken_by(worker_id, year):
    """A recompute of the year that a worker took (claimed) and then did not finish."""
    row = DBTaskResult.objects.get(pk=verdicts_recompute.enqueue(year.pk).id)
    row.claim(worker_id)
    return row


def start_worker():
    call_command("task_worker", "--queue-name", "default", "--batch", "--interval", "0", "--no-startup-delay",
                 verbosity=0)


def verdict_is_current(application) -> bool:
    application.refresh_from_db()
    current = eligibility.verdict_of(application)
    return (application.verdict, application.verdict_text) == (current.result, current.text)


def test_a_recompute_whose_worker_was_killed_runs_when_a_worker_starts(stale, year, keep_signal_handlers):
    lost = recompute_taken_by(dead_worker_id(), year)
    assert not verdict_is_current(stale)
    start_worker()  # run_workers (or systemd) starts the killed worker again
    lost.refresh_from_db()
    assert (lost.status, lost.exception_class_path) == ("FAILED", LOST)
    again = DBTaskResult.objects.filter(task_path=TASK).exclude(pk=lost.pk).get()
    assert again.status == "SUCCESSFUL" and again.args_kwargs == lost.args_kwargs
    assert verdict_is_current(stale)


def test_a_later_recompute_of_the_year_lost_too_is_run_again_like_the_first(stale, year, keep_signal_handlers):
    # March: the rules imported, the recompute lost and run again. April: the cut-off changed, and its
    # recompute lost as well: it is another request, not a third try of the first.
    march = recompute_taken_by(dead_worker_id(), year)
    start_worker()
    assert DBTaskResult.objects.filter(task_path=TASK).exclude(pk=march.pk).get().status == "SUCCESSFUL"
    Application.objects.filter(pk=stale.pk).update(verdict="eligible", verdict_text="按旧规则判定")
    april = recompute_taken_by(dead_worker_id(), year)
    start_worker()
    april.refresh_from_db()
    assert (april.status, april.exception_class_path) == ("FAILED", LOST)
    assert DBTaskResult.objects.filter(task_path=TASK, status="SUCCESSFUL").count() == 2
    assert verdict_is_current(stale)


def test_a_recompute_lost_twice_in_a_row_is_not_tried_a_third_time(stale, year, keep_signal_handlers):
    # A year whose recompute kills its worker (out of memory) must not kill it for ever.
    first = recompute_taken_by(dead_worker_id(), year)
    task_worker.recover_lost_tasks("default", "me")
    second = DBTaskResult.objects.filter(task_path=TASK).exclude(pk=first.pk).get()
    second.claim(dead_worker_id())  # killed again
    start_worker()
    second.refresh_from_db()
    assert (second.status, second.exception_class_path) == ("FAILED", LOST)
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 2
    assert not verdict_is_current(stale)
