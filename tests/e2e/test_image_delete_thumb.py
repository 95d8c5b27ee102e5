"""A deleted picture is never asked for after its delete, nor shown again: neither its lazy thumbnail not loaded yet
nor a reading poll's answer drawn before the delete brings it back.

The slot's thumbnails load lazily (loading="lazy"): one screens below the top is not asked for until it comes near
the screen. Tapping 删除 there (from the index's 证件图片, or a page opened at the slot) brought it into view in the
very frame the delete was sent, so the browser asked for a thumbnail the server was deleting: a 404, a broken
picture for a moment and a console error, every time (the phone journey met it once its scroll position changed)."""

import contextlib

import pytest
from playwright.sync_api import Error, expect

from prereg.applications.models import ApplicationImage
from tests.factories import TEST_PASSWORD
from tests.ocr import test_flow

from .conftest import login
from .helpers import draft_for, held_request

pytestmark = pytest.mark.browser

queued = test_flow.queued  # an OCR queue whose readings wait: the slots ask for themselves again


def test_a_picture_deleted_before_its_lazy_thumbnail_loaded_is_never_asked_for_after_the_delete(phone, tree, year):
    candidate, application = draft_for(tree, year, "35052401")  # one picture in each slot
    photo = ApplicationImage.objects.get(application=application, slot="photo")
    thumb = f"/files/images/{photo.pk}/thumb/"
    login(phone, candidate.id_number, TEST_PASSWORD)
    asked = []  # in the order the browser sent them
    phone.on("request", lambda request: asked.append(request.url.split(phone.base, 1)[-1]))
    phone.goto(f"{phone.base}/candidate/form/")
    slot = phone.locator("#img-photo-")
    phone.wait_for_load_state("networkidle")
    assert thumb not in asked, "the photo's slot is near enough the top for its thumbnail to load: no case here"

    slot.locator("form[action$='/delete/'] button").click()  # scrolled into view and tapped, as a finger does
    expect(slot.locator("figure.thumb")).to_have_count(0)
    phone.wait_for_load_state("networkidle")
    assert not ApplicationImage.objects.filter(pk=photo.pk).exists()
    delete = asked.index(f"/candidate/images/{photo.pk}/delete/")
    assert thumb not in asked[delete:], asked[delete:]
    assert not phone.problems.console_errors, phone.problems.console_errors


def test_a_picture_whose_delete_failed_is_shown_again(phone, tree, year):
    candidate, application = draft_for(tree, year, "35052401")
    photo = ApplicationImage.objects.get(application=application, slot="photo")
    login(phone, candidate.id_number, TEST_PASSWORD)
    phone.goto(f"{phone.base}/candidate/form/")
    phone.route(f"**/candidate/images/{photo.pk}/delete/", lambda route: route.abort())  # the network dropped it
    slot = phone.locator("#img-photo-")
    slot.locator("form[action$='/delete/'] button").click()
    expect(slot.locator("[data-request-error]")).to_be_visible()
    thumbnail = slot.locator("figure.thumb img")
    expect(thumbnail).to_have_attribute("src", f"/files/images/{photo.pk}/thumb/")
    phone.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())
    assert ApplicationImage.objects.filter(pk=photo.pk).exists()


def test_a_reading_poll_answered_during_a_delete_does_not_bring_the_deleted_picture_back(phone, queued, tree, year):
    # 正在识别照片: a slot whose photo waits for its reading asks for itself again (load delay:4s), answered with the
    # slot as it was then. Drawn before the delete went through and arriving first, that answer put the picture back
    # (its thumbnail asked for again), and the delete's own answer then went to the slot it had replaced: the page
    # kept showing a deleted picture, with a 删除 of a version gone.
    candidate, application = draft_for(tree, year, "35052401")  # uploaded just now, none read yet
    image = ApplicationImage.objects.get(application=application, slot="id_front")
    login(phone, candidate.id_number, TEST_PASSWORD)
    polls, deletes = [], []
    phone.route("**/candidate/images/slot/?slot=id_front*", lambda route: polls.append(route))
    phone.route(f"**/candidate/images/{image.pk}/delete/", lambda route: deletes.append(route))
    phone.goto(f"{phone.base}/candidate/form/")
    slot = phone.locator("#img-id_front-")
    expect(slot.locator("[data-ocr-pending]")).to_have_count(1)
    poll = held_request(phone, polls)
    before = poll.fetch()  # drawn now, with the picture

    slot.locator("form[action$='/delete/'] button").click()
    delete = held_request(phone, deletes)
    with contextlib.suppress(Error):  # the poll given up for the delete: nobody waits for its answer
        poll.fulfill(response=before)
    phone.wait_for_timeout(300)
    delete.continue_()
    expect(phone.locator("#img-id_front- figure.thumb")).to_have_count(0)
    assert not ApplicationImage.objects.filter(pk=image.pk).exists()
    phone.unroute("**/candidate/images/slot/?slot=id_front*")
    phone.wait_for_timeout(300)
    expect(phone.locator("#img-id_front- figure.thumb")).to_have_count(0)
