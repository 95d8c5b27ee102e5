"""A new year's draft started from last year's (carryover.start_application) copies the certificate photos.
The copies are stored under names queued for the purge before the draft's transaction (DeletedImageFile.names_queued,
as images_add does): a draft that does not commit (a database error after the copies, a worker killed)
leaves no ID-card or certificate photo behind once the purge has run."""

import datetime
import os

import pytest
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from prereg.applications import carryover
from prereg.applications.images import deleted_images_purge
from prereg.applications.models import Application, ApplicationImage, DeletedImageFile
from tests.catalog.test_carryover import add_image
from tests.factories import ApplicationFactory, EducationRowFactory, make_year

pytestmark = pytest.mark.django_db(transaction=True)


def stored_files() -> set[str]:
    root = str(settings.MEDIA_ROOT)
    return {os.path.relpath(os.path.join(folder, name), root)
            for folder, _dirs, names in os.walk(root) for name in names}


def named_by_rows() -> set[str]:
    return (set(ApplicationImage.objects.values_list("file", flat=True))
            | set(ApplicationImage.objects.values_list("thumbnail", flat=True)))


def purge_after_the_retention():
    deleted_images_purge(now=timezone.now() + datetime.timedelta(hours=settings.DELETED_IMAGE_RETENTION_HOURS + 1))


@pytest.fixture
def last_year_with_photos(tree, candidate):
    old_year = make_year(2030, catalogue=False)
    old = ApplicationFactory(candidate=candidate, exam_year=old_year, unit=tree["35052401"], name=candidate.name)
    edu = EducationRowFactory(application=old)
    add_image(old, "id_front")
    add_image(old, "education", edu.pk)
    return old


def test_a_carry_over_that_does_not_commit_leaves_no_photo_behind_after_the_purge(
        last_year_with_photos, candidate, monkeypatch):
    new_year = make_year(2031, current=True, catalogue=False)

    def failing_record(*args, **kwargs):  # the database goes away at the draft's last write
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(carryover, "record", failing_record)
    with pytest.raises(OperationalError):
        carryover.start_application(candidate=candidate, exam_year=new_year)
    assert not Application.objects.filter(candidate=candidate, exam_year=new_year).exists()
    assert stored_files() - named_by_rows() <= set(DeletedImageFile.objects.values_list("name", flat=True))
    purge_after_the_retention()
    assert stored_files() == named_by_rows()  # last year's four files, no copy


def test_a_carry_over_that_commits_leaves_its_copies_off_the_purges_queue(last_year_with_photos, candidate):
    new_year = make_year(2031, current=True, catalogue=False)
    application = carryover.start_application(candidate=candidate, exam_year=new_year)
    copies = ApplicationImage.objects.filter(application=application)
    assert copies.count() == 2
    assert not DeletedImageFile.objects.exists()
    purge_after_the_retention()
    assert stored_files() == named_by_rows() and len(stored_files()) == 8
    for copy in copies:
        with copy.file.open("rb") as handle:
            assert handle.read(2) == b"\xff\xd8"
