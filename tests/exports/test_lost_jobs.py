"""A job whose worker died (killed, out of memory) fails a minute after its last heartbeat and
frees its owner's place, instead of showing 生成中 for an hour; its task row is failed too."""

import datetime
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from prereg.audit.models import AuditEvent
from prereg.exports import runner, services
from prereg.exports.models import ExportFormat, ExportJob, ExportKind, ExportStatus
from tests.factories import ExportJobFactory, make_application


def running_job(owner, *, beat_seconds_ago, progress=7, **fields):
    now = timezone.now()
    return ExportJobFactory(owner=owner, running=True, progress=progress, started_at=now - datetime.timedelta(minutes=5),
                            heartbeat_at=now - datetime.timedelta(seconds=beat_seconds_ago), **fields)


def test_a_job_whose_worker_stopped_beating_a_minute_ago_fails_and_frees_its_place(
        client, tree, year, reviewer_quanzhou):
    make_application(tree, year, "35052401")
    lost = running_job(reviewer_quanzhou, beat_seconds_ago=61)
    working = [running_job(reviewer_quanzhou, beat_seconds_ago=10) for _ in range(services.MAX_ACTIVE_JOBS - 1)]
    client.force_login(reviewer_quanzhou)
    row = client.get(reverse("backoffice:export_status", args=[lost.pk])).content.decode()
    assert runner.LOST_MESSAGE in row and "hx-trigger" not in row  # shown as failed, polled no more
    lost.refresh_from_db()
    assert (lost.status, lost.error) == (ExportStatus.FAILED, runner.LOST_MESSAGE)
    for job in working:  # their workers beat: left alone, five minutes in
        job.refresh_from_db()
        assert job.status == ExportStatus.RUNNING
    job = services.export_request(actor=reviewer_quanzhou, kind="applications", format="csv")
    assert ExportJob.objects.get(pk=job.pk).status == ExportStatus.DONE  # the lost one held no place
    event = AuditEvent.objects.get(event="export.abandoned")
    assert event.details == {"jobs": [lost.pk], "heartbeat_seconds": 60}


def test_a_job_without_heartbeats_still_falls_to_the_hour_rule_only(tree, year, reviewer_quanzhou):
    # Started by a worker of the release before heartbeats: judged by its age, as before.
    job = ExportJobFactory(owner=reviewer_quanzhou, running=True, started_at=timezone.now() - datetime.timedelta(minutes=5))
    assert runner.abandon_stale() == 0
    job.refresh_from_db()
    assert job.status == ExportStatus.RUNNING


def test_the_task_row_of_a_lost_job_is_failed_with_its_message(settings, tree, year, reviewer_quanzhou):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "exports"]}}
    job = services.export_request(actor=reviewer_quanzhou, kind="applications", format="csv")
    task_row = DBTaskResult.objects.get(pk=job.task_id)
    task_row.claim("a-worker-then-killed")  # what the worker did before it died
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING, started_at=timezone.now() - datetime.timedelta(minutes=2),
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=2))
    assert runner.abandon_stale() == 1
    task_row.refresh_from_db()
    assert task_row.status == "FAILED" and task_row.finished_at is not None
    assert task_row.exception_class_path == "prereg.exports.runner.ExportLost"
    assert runner.LOST_MESSAGE in task_row.traceback


@pytest.mark.django_db(transaction=True)
def test_the_worker_beats_while_it_runs_a_job(settings, monkeypatch, tree, year, reviewer_quanzhou):
    settings.EXPORT_HEARTBEAT_SECONDS = 0.05
    beats = []

    def slow_writer(job, queryset, path):
        for _ in range(2):
            time.sleep(0.3)
            beats.append(ExportJob.objects.get(pk=job.pk).heartbeat_at)
        open(path, "w").close()
        return 0, "slow.csv"

    monkeypatch.setitem(runner.WRITERS, ExportKind.APPLICATIONS, slow_writer)
    job = ExportJobFactory(owner=reviewer_quanzhou, queued=True, format=ExportFormat.CSV)
    runner.run_job(job.pk)  # as the worker does: outside any transaction
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    assert job.started_at <= beats[0] < beats[1] <= job.finished_at  # written by the job's heartbeat thread
