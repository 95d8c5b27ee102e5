"""The keys of the review screen's 核对原件 items (review.js): Y/1 answers 与原件一致 是, N/2 否, for the open
item; Tabbing to 是 past the viewer's buttons took 10-12 presses an item (manual tester). Typing in the opinion
answers nothing."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from prereg.applications import completeness
from prereg.applications.models import FieldCheck
from tests.factories import TEST_PASSWORD, ApplicationImageFactory, submitted

from .conftest import login

pytestmark = pytest.mark.browser


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), "green").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def application(tree, year, reviewer_anxi_hospital):  # the unit reviews it: its reviewer exists at submission
    application = submitted(tree, year, name="李娜")
    for image in completeness.required_images(application):
        ApplicationImageFactory(application=application, slot=image.slot, row_id=image.row_id, width=320, height=200,
                                file__filename=f"{image.slot}.png", file__data=_png())
    return application


def _focused_item(page):
    return page.evaluate("(document.activeElement.closest('[data-check-field]') || {}).id || ''")


def test_y_and_n_answer_the_open_item_and_typing_answers_nothing(page, application, reviewer_anxi_hospital):
    login(page, reviewer_anxi_hospital.username, TEST_PASSWORD)
    page.goto(f"{page.base}/backoffice/review/{application.pk}/")
    expect(page.locator("[data-review-keys]")).to_be_visible()
    items = page.locator("[data-check-field]")
    first, second, third = (items.nth(i).get_attribute("id") for i in range(3))

    # A closed item is not answered unseen.
    page.locator(f"#{second} summary").focus()
    page.keyboard.press("y")
    page.wait_for_timeout(300)
    expect(page.locator(f"#{second}")).to_have_attribute("data-consistent", "")

    # Y on the open first item: ticked 是, and the focus goes on to the next item, opened.
    page.locator(f"#{first} summary").focus()
    page.keyboard.press("y")
    expect(page.locator(f"#{first}")).to_have_attribute("data-consistent", "yes")
    expect(page.locator(f"#{second}")).to_have_attribute("open", "")
    page.wait_for_function(f"document.activeElement.closest('#{second}')")
    # From there, 2 answers 否 without a Tab.
    page.keyboard.press("2")
    expect(page.locator(f"#{second}")).to_have_attribute("data-consistent", "no")
    page.wait_for_function(f"document.activeElement.closest('#{third}')")
    # With Ctrl held nothing is answered.
    page.keyboard.press("Control+y")
    page.wait_for_timeout(300)
    expect(page.locator(f"#{third}")).to_have_attribute("data-consistent", "")

    # Typing Y, N, 1, 2 in the 审核意见 (the third item still open) ticks nothing.
    page.locator("#opinion").click()
    page.keyboard.type("Yes N 1 2")
    page.wait_for_timeout(300)
    expect(page.locator("#opinion")).to_have_value("Yes N 1 2")
    expect(page.locator(f"#{third}")).to_have_attribute("data-consistent", "")
    assert FieldCheck.objects.filter(application=application).count() == 2
