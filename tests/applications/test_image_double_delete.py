"""An image deleted twice at once (a double tap, two tabs): the first deletes it; the second, which found it
before the first committed, reads it again on the locked application and is told 图片已删除或不存在,
writing nothing (it wrote a second image.delete and queued the files twice)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from prereg.applications import images
from prereg.applications.carryover import start_application
from prereg.applications.models import ApplicationImage, DeletedImageFile
from prereg.audit.models import AuditEvent
from tests.applications.test_one_writer_races import candidate_client, done, paused_after, started
from tests.factories import jpeg_upload

GONE = "图片已删除或不存在"


@pytest.fixture
def image(year, candidate):
    application = start_application(candidate=candidate, exam_year=year)
    [image] = images.images_add(actor=candidate, application=application, slot="category", uploads=[jpeg_upload()])
    return image


def _tap(client, image, **headers):
    return lambda: client.post(reverse("candidate:image_delete", args=[image.pk]),
                               {"version": image.application.version}, **headers)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("headers", [{"HTTP_HX_REQUEST": "true"}, {}], ids=["htmx", "no script"])
def test_a_double_tapped_delete_deletes_once_and_tells_the_second_it_is_gone(postgres_only, monkeypatch, candidate,
                                                                             image, headers):
    tab = candidate_client(candidate)
    first, second = _tap(candidate_client(candidate), image, **headers), _tap(tab, image, **headers)
    locked, go_on = paused_after(monkeypatch, images, "lock_editable")  # the first holds the application
    outcomes = {}
    tapping = started(outcomes, "first", first)
    assert locked.wait(10)
    again = started(outcomes, "second", second)
    again.join(1)
    assert again.is_alive(), outcomes  # found the image, waiting for the application the first holds
    go_on.set()
    tapping.join(10)
    again.join(10)
    assert done(outcomes["first"]) and done(outcomes["second"]), outcomes
    assert not ApplicationImage.objects.filter(pk=image.pk).exists()
    assert AuditEvent.objects.filter(event="image.delete").count() == 1
    assert DeletedImageFile.objects.filter(name__in=[image.file.name, image.thumbnail.name]).count() == 2
    if headers:  # the slot redrawn with the reason
        assert GONE in outcomes["second"].content.decode()
    else:  # said on the form it goes back to
        assert outcomes["second"].status_code == 302
        assert GONE in tab.get(outcomes["second"]["Location"]).content.decode()


def test_a_delete_of_an_image_deleted_meanwhile_is_refused_writing_nothing(candidate, image):
    images.image_delete(actor=candidate, image_id=image.pk)
    with pytest.raises(ValidationError, match=GONE) as refused:
        images.image_delete(actor=candidate, image_id=image.pk)
    assert refused.value.code == "gone"
    assert AuditEvent.objects.filter(event="image.delete").count() == 1
    assert DeletedImageFile.objects.count() == 2
