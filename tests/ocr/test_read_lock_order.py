"""The machine reading kept while the candidate deletes or replaces the photo (PostgreSQL).

The reading's transaction locked the image, then its new row's key to the application waited for the
candidate's lock on the application, while the candidate, holding it, waited for the image: PostgreSQL
cancelled one of them (races probe: the upload answered 503, or the reading was lost). The reading now
locks the application first, as every act of the candidate does.
"""

import threading

import pytest

from prereg.applications import images
from prereg.applications.models import ApplicationImage, ImageSlot
from prereg.ocr.models import ImageReading
from prereg.ocr.services import read_image
from tests.applications.test_one_writer_races import started
from tests.factories import ApplicationFactory

from .test_flow import FakeEngine, stored_image

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_photo_deleted_while_its_reading_is_kept_waits_for_it_and_neither_fails(
        postgres_only, tree, year, candidate, monkeypatch):
    application = ApplicationFactory(candidate=candidate, exam_year=year, unit=tree["35052401"], name="李娜")
    image = stored_image(application, ImageSlot.ID_FRONT, "a")
    # The reading stops just before it writes its row, inside its transaction (its locks taken).
    reached, go_on = threading.Event(), threading.Event()
    save = ImageReading.save

    def pausing(self, *args, **kwargs):
        reached.set()
        go_on.wait(10)
        return save(self, *args, **kwargs)

    monkeypatch.setattr(ImageReading, "save", pausing)
    outcomes = {}
    reading = started(outcomes, "read", lambda: read_image(image.pk, engine=FakeEngine()))
    assert reached.wait(10), outcomes
    deleting = started(outcomes, "delete", lambda: images.image_delete(actor=candidate, image_id=image.pk))
    deleting.join(1)
    assert deleting.is_alive(), outcomes  # the candidate waits for the reading's locks
    go_on.set()
    reading.join(10)
    deleting.join(10)
    assert isinstance(outcomes["read"], ImageReading), outcomes
    assert outcomes["delete"] is None, outcomes
    assert not ApplicationImage.objects.filter(pk=image.pk).exists()
    assert not ImageReading.objects.filter(image_id=image.pk).exists()
