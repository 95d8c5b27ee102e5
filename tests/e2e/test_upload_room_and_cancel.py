"""A photo probe's upload findings on a phone: more photos chosen than the slot has room for are refused
before any is shrunk or sent, a slot filled to its limit takes its picker away, and an upload on a slow
network can be cancelled (取消上传), the slot then shown as the server has it."""

import pytest
from playwright.sync_api import expect

from prereg.applications import images
from prereg.applications.models import ApplicationImage, ImageSlot
from tests.factories import TEST_PASSWORD, jpeg_upload

from .conftest import login
from .helpers import draft_for, held_request

pytestmark = pytest.mark.browser

UPLOAD_URL = "**/candidate/images/upload/"


def _file(name, color):
    return {"name": name, "mimeType": "image/jpeg", "buffer": jpeg_upload(size=(400, 300), color=color).read()}


def _open_form(phone, tree, year):
    candidate, application = draft_for(tree, year, "35052401")  # one picture in each slot
    login(phone, candidate.id_number, TEST_PASSWORD)
    phone.goto(f"{phone.base}/candidate/form/")
    return application


def test_more_photos_than_the_slot_has_room_for_are_refused_at_once_without_sending(phone, tree, year):
    application = _open_form(phone, tree, year)
    sent = []
    phone.on("request", lambda request: sent.append(request) if "/images/upload/" in request.url else None)
    slot = phone.locator("[id='img-category-']")
    room = images.slot_limit(ImageSlot.CATEGORY) - 1
    slot.locator("input[type=file]").set_input_files([_file(f"{n}.jpg", (n * 20, 90, 90)) for n in range(room + 1)])
    expect(slot.locator(".upload-status.error")).to_have_text(
        f"此项还可上传{room}张图片，已选择{room + 1}张，请少选几张后重新选择。")
    expect(slot.locator("input[type=file]")).to_be_enabled()
    phone.wait_for_timeout(300)
    assert sent == []
    assert ApplicationImage.objects.filter(application=application, slot="category").count() == 1

    # As many as fit go, and fill the slot: its answer shows, and no picker is offered any more.
    slot.locator("input[type=file]").set_input_files([_file(f"{n}.jpg", (n * 20, 90, 90)) for n in range(room)])
    expect(slot.locator(".upload-status")).to_have_text(f"已上传{room}张图片。", timeout=30_000)
    expect(slot.locator("figure.thumb")).to_have_count(room + 1)
    expect(slot.get_by_text(f"已达上限（{room + 1}张），如需更换请先删除")).to_be_visible()
    expect(slot.locator("input[type=file]")).to_have_count(0)


def test_an_upload_in_flight_can_be_cancelled_and_stores_nothing(phone, tree, year):
    application = _open_form(phone, tree, year)
    held = []
    phone.route(UPLOAD_URL, lambda route: held.append(route))  # a stalled network: it never arrives
    slot = phone.locator("[id='img-category-']")
    slot.locator("input[type=file]").set_input_files(_file("slow.jpg", (10, 200, 10)))
    route = held_request(phone, held)
    cancel = slot.get_by_role("button", name="取消上传")
    expect(cancel).to_be_visible()
    picker = slot.locator("input[type=file]").element_handle()
    with phone.expect_response(lambda response: "/candidate/images/slot/" in response.url):
        cancel.click()
    expect(slot.locator(".upload-status")).to_have_text("已取消上传")
    # Nothing was stored, so the slot is not drawn again: a picker the candidate opens at once for the next try
    # stays the one the page has (a redraw arriving meanwhile sent the chosen files to a detached input).
    phone.wait_for_timeout(300)
    assert picker.evaluate("input => input.isConnected")
    expect(cancel).to_be_hidden()
    expect(slot.locator("progress")).to_be_hidden()
    expect(slot.locator("input[type=file]")).to_be_enabled()
    expect(slot.locator("figure.thumb")).to_have_count(1)
    route.abort()
    assert ApplicationImage.objects.filter(application=application, slot="category").count() == 1

    # The slot takes the next upload as before.
    phone.unroute(UPLOAD_URL)
    slot.locator("input[type=file]").set_input_files(_file("again.jpg", (10, 10, 200)))
    expect(slot.locator(".upload-status")).to_have_text("已上传1张图片。", timeout=30_000)
    expect(slot.locator("figure.thumb")).to_have_count(2)


def test_a_cancel_after_the_server_stored_the_upload_shows_the_stored_picture(phone, tree, year):
    application = _open_form(phone, tree, year)
    held = []
    # The server stores the picture; its answer is held back, as on a network that stalls on the way back.
    phone.route(UPLOAD_URL, lambda route: held.append((route, route.fetch())))
    slot = phone.locator("[id='img-category-']")
    slot.locator("input[type=file]").set_input_files(_file("stored.jpg", (200, 200, 10)))
    route, _answer = held_request(phone, held)
    assert ApplicationImage.objects.filter(application=application, slot="category").count() == 2
    slot.get_by_role("button", name="取消上传").click()
    # The slot is drawn again as the server has it: the picture shows, to be kept or deleted.
    expect(slot.locator("figure.thumb")).to_have_count(2)
    expect(slot.locator(".upload-status")).to_have_text("已取消上传")
    expect(slot.get_by_role("button", name="取消上传")).to_be_hidden()
    route.abort()


def test_a_cancelled_uploads_late_redraw_does_not_undo_the_next_upload(phone, tree, year):
    """取消上传 asks for the slot as the server has it; on a slow line that answer came back after the next
    picture was chosen and uploaded, and put back 已取消上传 over the new picture (a race a browser test met
    on a loaded machine): the late answer is dropped."""
    _open_form(phone, tree, year)
    held, redraws = [], []
    slot = phone.locator("[id='img-category-']")
    slot_url = slot.locator("[data-upload-cancel]").get_attribute("data-slot-url")

    def hold_the_first(routes):
        return lambda route: route.continue_() if routes else routes.append(route)

    phone.route(UPLOAD_URL, hold_the_first(held))
    phone.route(lambda url: slot_url in url, hold_the_first(redraws))
    slot.locator("input[type=file]").set_input_files(_file("slow.jpg", (10, 200, 10)))
    upload = held_request(phone, held)
    slot.get_by_role("button", name="取消上传").click()
    upload.abort()
    stale = held_request(phone, redraws)  # the cancel's redraw, held on its way
    slot.locator("input[type=file]").set_input_files(_file("again.jpg", (10, 10, 200)))
    expect(slot.locator(".upload-status")).to_have_text("已上传1张图片。", timeout=30_000)
    expect(slot.locator("figure.thumb")).to_have_count(2)
    with phone.expect_response(lambda response: slot_url in response.url):
        stale.continue_()
    phone.wait_for_timeout(300)  # the page's handling of that answer
    expect(slot.locator("figure.thumb")).to_have_count(2)
    expect(slot.locator(".upload-status")).to_have_text("已上传1张图片。")
