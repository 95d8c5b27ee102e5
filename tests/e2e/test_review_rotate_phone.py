"""The review screen's photo viewer on a phone turns a picture either way (probe F): a photo taken a
quarter turn to the right was three taps of the only (+90°) button away from upright."""

import io

import pytest
from PIL import Image

from tests.factories import TEST_PASSWORD, ApplicationImageFactory, submitted

from .conftest import login

pytestmark = pytest.mark.browser


def _png(color):
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), color).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_reviewer_on_a_phone_turns_the_id_photo_left_and_right(phone, tree, year, reviewer_anxi_hospital):
    application = submitted(tree, year, name="李娜")
    for slot, color in (("id_front", "red"), ("id_back", "blue")):
        ApplicationImageFactory(application=application, slot=slot, width=320, height=200,
                                file__filename=f"{slot}.png", file__data=_png(color))
    login(phone, reviewer_anxi_hospital.username, TEST_PASSWORD)
    phone.goto(f"{phone.base}/backoffice/review/{application.pk}/")
    viewer = phone.locator("#field-id_card [data-viewer]")
    main_image = viewer.locator("[data-viewer-main]")
    left = viewer.get_by_role("button", name="向左旋转90度")
    right = viewer.get_by_role("button", name="向右旋转90度")
    assert "向左旋转" in left.inner_text() and "向右旋转" in right.inner_text()

    left.click()
    assert "rotate(270deg)" in main_image.evaluate("img => img.style.transform")
    right.click()
    right.click()
    assert "rotate(90deg)" in main_image.evaluate("img => img.style.transform")
    left.click()
    assert "rotate(0deg)" in main_image.evaluate("img => img.style.transform")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= phone.viewport_size["width"], f"the review page is {width} px wide"
