"""An export failed by abandon_stale while its worker still runs it (an hour past EXPORT_STALE_MINUTES, or a
heartbeat missed for a minute): abandon_stale does not stop the worker, and run by another machine's worker it
cannot remove the job's temporary directory either. Its owner sees 失败 and may delete it (export_delete refuses
only an active job). The worker's late end must then leave no file of the whole scope's personal data behind,
named by no job and so never purged (races probe); a job still there ends as done, as abandon_stale says."""

import datetime
import logging

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from prereg.audit.models import AuditEvent
from prereg.exports import runner, services
from prereg.exports.models import ExportJob, ExportStatus
from tests.factories import ExportJobFactory, make_application

pytestmark = pytest.mark.django_db(transaction=True)


def export_files() -> set[str]:
    try:
        _dirs, names = default_storage.listdir("exports")
    except FileNotFoundError:
        return set()
    return {f"exports/{name}" for name in names}


def named_by_jobs() -> set[str]:
    return {name for name in ExportJob.objects.values_list("file", flat=True) if name}


def failed_as_stale_once_written(monkeypatch, then=lambda job: None):
    """A writer of the applications kind that, its rows written and before its worker ends, sees the job failed
    as stale by a sweep of another machine an hour later by the sweep's clock, then `then(job)` done."""

    def slow_write(job, path):
        result = runner._write_applications_kind(job, path)
        with monkeypatch.context() as other_machine:  # its temporary directory is not this worker's
            other_machine.setattr(runner, "remove_leftovers", lambda: 0)
            assert runner.abandon_stale(now=timezone.now() + datetime.timedelta(minutes=61)) == 1
        assert ExportJob.objects.get(pk=job.pk).status == ExportStatus.FAILED
        then(job)
        return result

    return slow_write


def test_a_job_deleted_after_it_was_failed_as_stale_leaves_no_file_when_its_worker_ends(
        tree, year, reviewer_quanzhou, monkeypatch, caplog):
    make_application(tree, year, "35052401")
    job = ExportJobFactory(owner=reviewer_quanzhou, queued=True)

    def owner_deletes(job):
        services.export_delete(actor=reviewer_quanzhou, job_id=job.pk)

    with caplog.at_level(logging.INFO, logger="prereg.exports.runner"):
        runner.run_job(job.pk, write=failed_as_stale_once_written(monkeypatch, owner_deletes))
    assert not ExportJob.objects.filter(pk=job.pk).exists()
    assert export_files() == set()
    assert not AuditEvent.objects.filter(event="export.finished").exists()  # of a job deleted before it
    assert [r.levelname for r in caplog.records if "deleted before its worker ended" in r.getMessage()] == ["INFO"]


def test_a_job_failed_as_stale_that_its_owner_kept_still_ends_as_done_with_its_file(
        tree, year, reviewer_quanzhou, monkeypatch):
    make_application(tree, year, "35052401")
    job = ExportJobFactory(owner=reviewer_quanzhou, queued=True)
    runner.run_job(job.pk, write=failed_as_stale_once_written(monkeypatch))
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.row_count == 1
    assert export_files() == named_by_jobs() == {job.file.name}
