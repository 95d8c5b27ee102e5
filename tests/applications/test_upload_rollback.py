"""An upload whose transaction does not commit leaves no file behind (the races probe: a killed database
connection left certificate photos in media, named by no image row and no DeletedImageFile)."""

import datetime
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from prereg.applications import images
from prereg.applications.carryover import start_application
from prereg.applications.models import ApplicationImage, DeletedImageFile
from tests.factories import jpeg_upload


@pytest.fixture
def application(year, candidate):
    return start_application(candidate=candidate, exam_year=year)


def _stored_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def _after_retention():
    return timezone.now() + datetime.timedelta(hours=settings.DELETED_IMAGE_RETENTION_HOURS, minutes=1)


def test_files_written_by_an_upload_that_does_not_commit_are_purged(application, candidate):
    before = _stored_files()
    # The transaction fails after both files of both images are in storage (as a killed connection does).
    with mock.patch.object(images, "record", side_effect=RuntimeError("connection lost")), \
            pytest.raises(RuntimeError):
        images.images_add(actor=candidate, application=application, slot="category",
                          uploads=[jpeg_upload(color=(10, 20, 30)), jpeg_upload(color=(40, 50, 60))])
    assert not ApplicationImage.objects.filter(application=application).exists()
    left = _stored_files() - before
    assert len(left) == 4  # two images and their thumbnails, written before the failure
    # Every one of them is named in the purge's queue: none is orphaned.
    assert left == set(DeletedImageFile.objects.values_list("name", flat=True))
    assert images.deleted_images_purge(now=_after_retention()) == 4
    assert _stored_files() == before
    assert not DeletedImageFile.objects.exists()


def test_an_upload_that_commits_leaves_nothing_queued_and_its_files_stay(application, candidate):
    [image] = images.images_add(actor=candidate, application=application, slot="category", uploads=[jpeg_upload()])
    assert not DeletedImageFile.objects.exists()
    assert {image.file.name, image.thumbnail.name} <= _stored_files()
    images.deleted_images_purge(now=_after_retention())
    assert {image.file.name, image.thumbnail.name} <= _stored_files()
    assert image.file.name.startswith("images/") and image.thumbnail.name.startswith("thumbs/")


def test_an_upload_refused_on_the_locked_row_queues_nothing(application, candidate):
    images.images_add(actor=candidate, application=application, slot="category", uploads=[jpeg_upload()])
    before = _stored_files()
    with pytest.raises(ValidationError) as refused:  # the same picture again: refused inside the transaction
        images.images_add(actor=candidate, application=application, slot="category", uploads=[jpeg_upload()])
    assert refused.value.code == "duplicate"
    assert not DeletedImageFile.objects.exists()
    assert _stored_files() == before


def test_a_commit_whose_answer_was_lost_keeps_its_files(application, candidate):
    """The rows committed but the upload failed after (its queue entries stay): the purge keeps the files a
    row names."""
    [image] = images.images_add(actor=candidate, application=application, slot="category", uploads=[jpeg_upload()])
    DeletedImageFile.objects.bulk_create([DeletedImageFile(name=image.file.name),
                                          DeletedImageFile(name=image.thumbnail.name)])
    images.deleted_images_purge(now=_after_retention())
    assert {image.file.name, image.thumbnail.name} <= _stored_files()
    assert not DeletedImageFile.objects.exists()
