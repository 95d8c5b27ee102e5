"""Where the keyboard (and a screen reader) goes on after a photo upload, 取消上传 and the choice of a unit:
in the slot or at the choice the candidate is working on, never back at the page's top (phone journey probe)."""

import pytest
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD, jpeg_upload
from tests.ocr import test_flow

from .conftest import login
from .helpers import draft_for

pytestmark = pytest.mark.browser

queued = test_flow.queued  # an OCR queue whose readings wait: a slot asks for itself again after an upload
UPLOAD_URL = "**/candidate/images/upload/"
SLOT = "[id='img-category-']"


def _file(name, color):
    return {"name": name, "mimeType": "image/jpeg", "buffer": jpeg_upload(size=(400, 300), color=color).read()}


def _open_form(phone, tree, year):
    candidate, application = draft_for(tree, year, "35052401")
    login(phone, candidate.id_number, TEST_PASSWORD)
    phone.goto(f"{phone.base}/candidate/form/")
    return application


def _expect_focus(phone, selector):
    """Wait (as a loaded machine may need) until the focused element is the (first) one `selector` finds."""
    try:
        phone.wait_for_function("s => document.activeElement === document.querySelector(s)", arg=selector,
                                timeout=5_000)
    except Exception as exc:  # noqa: BLE001 - said with where the focus is instead
        raise AssertionError(phone.evaluate("document.activeElement.outerHTML")) from exc


def test_after_an_upload_the_focus_stays_in_the_slot_when_it_is_drawn_again_for_its_reading(phone, queued, tree,
                                                                                             year):
    _open_form(phone, tree, year)
    slot = phone.locator(SLOT)
    slot.locator("input[type=file]").focus()
    slot.locator("input[type=file]").set_input_files(_file("new.jpg", (10, 200, 10)))
    expect(slot.locator(".upload-status")).to_have_text("已上传1张图片。", timeout=30_000)
    expect(slot.locator("[data-ocr-pending]")).to_be_visible()
    _expect_focus(phone, f"{SLOT} input[type=file]")
    # 正在识别照片: the slot asks for itself again a few seconds later and is swapped for its answer.
    with phone.expect_response(lambda response: "/candidate/images/slot/?slot=category" in response.url,
                               timeout=15_000):
        pass
    phone.wait_for_timeout(300)  # the swap and its settling
    _expect_focus(phone, f"{SLOT} input[type=file]")

    # A slot the candidate has left is drawn again without taking the focus back.
    address = "#section-basic [name='basic-address']"
    phone.locator(address).focus()
    with phone.expect_response(lambda response: "/candidate/images/slot/?slot=category" in response.url,
                               timeout=15_000):
        pass
    phone.wait_for_timeout(300)
    _expect_focus(phone, address)


def test_after_cancelling_an_upload_the_focus_is_on_the_slots_picker(phone, tree, year):
    _open_form(phone, tree, year)
    held = []
    phone.route(UPLOAD_URL, lambda route: held.append(route))  # a stalled network
    slot = phone.locator(SLOT)
    slot.locator("input[type=file]").set_input_files(_file("slow.jpg", (10, 20, 10)))
    cancel = slot.get_by_role("button", name="取消上传")
    expect(cancel).to_be_visible()
    cancel.focus()
    cancel.click()
    expect(slot.locator(".upload-status")).to_have_text("已取消上传")
    _expect_focus(phone, f"{SLOT} input[type=file]")  # the browser moves a hidden element's focus at its next rendering
    held[0].abort()


def test_after_choosing_a_unit_the_focus_is_on_the_choice(phone, tree, year):
    _open_form(phone, tree, year)
    basic = phone.locator("#section-basic")
    basic.locator("#unit-q").fill("安溪县医院")
    basic.locator("button.unit-option", has_text="安溪县医院").first.click()
    expect(basic.locator("[data-unit-chosen]")).to_have_text("已选择：安溪县医院（保存后生效）")
    _expect_focus(phone, "#section-basic [data-unit-chosen]")
