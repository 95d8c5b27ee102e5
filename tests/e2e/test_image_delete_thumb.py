"""A picture deleted before its thumbnail was loaded: the thumbnail is never asked for after the delete.

The slot's thumbnails load lazily (loading="lazy"): one screens below the top is not asked for until it comes near
the screen. Tapping 删除 there (from the index's 证件图片, or a page opened at the slot) brought it into view in the
very frame the delete was sent, so the browser asked for a thumbnail the server was deleting: a 404, a broken
picture for a moment and a console error, every time (the phone journey met it once its scroll position changed)."""

import pytest
from playwright.sync_api import expect

from prereg.applications.models import ApplicationImage
from tests.factories import TEST_PASSWORD

from .conftest import login
from .helpers import draft_for

pytestmark = pytest.mark.browser


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
