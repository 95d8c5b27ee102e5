"""An export downloaded while it is deleted (two tabs of one reviewer; PostgreSQL, real transactions): the
download that began first gets the whole file and is recorded before the delete; one that comes after the
delete is refused, recording nothing. A file gone from storage is said, never a server error."""

import threading

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from prereg.accounts.models import Role
from prereg.audit.models import AuditEvent
from prereg.exports import services
from prereg.exports.models import ExportJob
from tests.applications.test_one_writer_races import done, started
from tests.factories import ExportJobFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

CONTENT = "序号,报名号\n" + "".join(f"{n},2027{n:08d}\n" for n in range(1, 2001))


def paused_once_after(monkeypatch, module, name):
    """Make module.name stop once, after its first call returned, until the test lets it go on; later
    calls (the other tab's) run through: (reached, go_on)."""
    reached, go_on = threading.Event(), threading.Event()
    original = getattr(module, name)

    def pausing(*args, **kwargs):
        result = original(*args, **kwargs)
        if not reached.is_set():
            reached.set()
            go_on.wait(10)
        return result

    monkeypatch.setattr(module, name, pausing)
    return reached, go_on


@pytest.fixture
def owner(tree):
    return UserFactory(role=Role.SITE, org=tree["350500"])


@pytest.fixture
def job(owner):
    return ExportJobFactory(owner=owner, file__data=CONTENT.encode())


def _tab(user):
    client = Client()
    client.force_login(user)
    return client


def _events(job):
    return list(AuditEvent.objects.filter(object_id=str(job.pk), event__in=["export.download", "export.deleted"])
                .order_by("pk").values_list("event", flat=True))


def test_a_delete_while_a_download_opens_the_file_waits_and_the_download_gets_the_whole_file(
        postgres_only, monkeypatch, owner, job):
    downloader, deleter = _tab(owner), _tab(owner)
    name = job.file.name
    found, go_on = paused_once_after(monkeypatch, services, "job_for")  # the download has its job, not the file
    outcomes = {}
    downloading = started(outcomes, "download", lambda: downloader.get(
        reverse("backoffice:export_download", args=[job.pk])))
    assert found.wait(10)
    deleting = started(outcomes, "delete", lambda: deleter.post(reverse("backoffice:export_delete", args=[job.pk])))
    deleting.join(1)
    assert deleting.is_alive(), outcomes  # waiting for the job's row the download holds
    go_on.set()
    downloading.join(10)
    deleting.join(10)
    assert done(outcomes["download"]), outcomes["download"]
    response = outcomes["download"]
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).decode() == CONTENT  # read to its end after the delete
    assert done(outcomes["delete"]) and outcomes["delete"].status_code == 302
    assert not ExportJob.objects.filter(pk=job.pk).exists() and not default_storage.exists(name)
    assert _events(job) == ["export.download", "export.deleted"]


def test_a_download_while_the_job_is_deleted_waits_and_is_refused_recording_nothing(
        postgres_only, monkeypatch, owner, job):
    downloader, deleter = _tab(owner), _tab(owner)
    found, go_on = paused_once_after(monkeypatch, services, "job_for")  # the delete has its job, not yet removed
    outcomes = {}
    deleting = started(outcomes, "delete", lambda: deleter.post(reverse("backoffice:export_delete", args=[job.pk])))
    assert found.wait(10)
    downloading = started(outcomes, "download", lambda: downloader.get(
        reverse("backoffice:export_download", args=[job.pk])))
    downloading.join(1)
    assert downloading.is_alive(), outcomes  # waiting for the job's row the delete holds
    go_on.set()
    deleting.join(10)
    downloading.join(10)
    assert done(outcomes["delete"]) and outcomes["delete"].status_code == 302
    assert done(outcomes["download"]), outcomes["download"]
    assert outcomes["download"].status_code == 404  # the job is no more, as for any job not his
    assert _events(job) == ["export.deleted"]


def test_a_file_gone_from_storage_is_said_and_its_download_not_recorded(owner, job):
    default_storage.delete(job.file.name)  # lost from storage, or removed by a sweep at this moment
    response = _tab(owner).get(reverse("backoffice:export_download", args=[job.pk]), follow=True)
    assert response.status_code == 200
    assert "文件已过期或已删除，请重新导出。" in response.content.decode()
    assert _events(job) == []


def test_the_expiry_purge_waits_for_a_delete_and_does_not_record_the_deleted_job_as_expired(
        postgres_only, monkeypatch, owner, job):
    from django.utils import timezone

    from prereg.exports import runner

    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now())
    deleter = _tab(owner)
    found, go_on = paused_once_after(monkeypatch, services, "job_for")  # the delete has its job, not yet removed
    outcomes = {}
    deleting = started(outcomes, "delete", lambda: deleter.post(reverse("backoffice:export_delete", args=[job.pk])))
    assert found.wait(10)
    purging = started(outcomes, "purged", runner.purge_expired)
    purging.join(1)
    assert purging.is_alive(), outcomes  # waiting for the job's row the delete holds
    go_on.set()
    deleting.join(10)
    purging.join(10)
    assert outcomes["purged"] == 0
    assert not AuditEvent.objects.filter(event="export.expired").exists()
    assert _events(job) == ["export.deleted"]
