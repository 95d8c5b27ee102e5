"""An upload the storage refuses (the media directory unwritable, the disk full): the candidate is told at the
slot 图片保存失败，请稍后重试, with or without scripts; no row is kept, no file is left that the purge of deleted
images does not remove, and the operator finds the error in the log."""

import datetime
import logging
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils import timezone

from prereg.applications.carryover import start_application
from prereg.applications.images import deleted_images_purge
from prereg.applications.models import ApplicationImage
from prereg.audit.models import AuditEvent
from tests.factories import jpeg_upload

FAILED = "图片保存失败，请稍后重试"


@pytest.fixture
def logged_in(client, year, candidate):
    client.force_login(candidate)
    return start_application(candidate=candidate, exam_year=year)


def refusing(monkeypatch, folder):
    """The storage refuses to write under `folder` (images/ or thumbs/), as an unwritable directory does."""
    save = FileSystemStorage.save

    def refused(storage, name, *args, **kwargs):
        if name.startswith(folder):
            raise PermissionError(13, "Permission denied", name)
        return save(storage, name, *args, **kwargs)

    monkeypatch.setattr(FileSystemStorage, "save", refused)


def stored_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def assert_nothing_kept(settings):
    assert not ApplicationImage.objects.exists()
    assert not AuditEvent.objects.filter(event="image.add").exists()
    # What the storage took before it refused goes with the purge of deleted images' files.
    deleted_images_purge(now=timezone.now() + datetime.timedelta(days=30))
    assert stored_files(settings) == []


@pytest.mark.parametrize("folder", ["images/", "thumbs/"])
def test_a_refused_write_is_said_at_the_slot_to_a_script(client, logged_in, settings, monkeypatch, caplog, folder):
    refusing(monkeypatch, folder)
    with caplog.at_level(logging.ERROR):
        response = client.post(reverse("candidate:image_upload"),
                               {"slot": "category", "version": logged_in.version, "file": jpeg_upload()},
                               HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json()["message"] == f"{FAILED}。"
    assert any("Permission denied" in (r.exc_text or "") for r in caplog.records if r.levelno >= logging.ERROR)
    assert_nothing_kept(settings)


def test_a_refused_write_is_said_at_the_slot_without_scripts(client, logged_in, settings, monkeypatch):
    refusing(monkeypatch, "thumbs/")
    response = client.post(reverse("candidate:image_upload"),
                           {"slot": "category", "version": logged_in.version, "file": jpeg_upload()})
    assert response.status_code == 302 and response["Location"].endswith("#img-category-")
    page = client.get(response["Location"]).content.decode()
    slot = page[page.index('id="img-category-'):]
    assert FAILED in slot[:3000]
    assert_nothing_kept(settings)


def test_the_upload_goes_through_once_the_storage_takes_files_again(client, logged_in, monkeypatch):
    refusing(monkeypatch, "images/")
    client.post(reverse("candidate:image_upload"),
                {"slot": "category", "version": logged_in.version, "file": jpeg_upload()},
                HTTP_ACCEPT="application/json")
    monkeypatch.undo()
    response = client.post(reverse("candidate:image_upload"),
                           {"slot": "category", "version": logged_in.version, "file": jpeg_upload()},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and ApplicationImage.objects.count() == 1
