"""The review screen in a browser, as the reviewer-flow probe found it: only the open item's
full-size photo is downloaded, and keyboard focus follows the item that opens after a tick."""

import re

import pytest
from playwright.sync_api import expect

from tests.backoffice import test_review_browser as review_browser
from tests.factories import TEST_PASSWORD

from .conftest import login

pytestmark = pytest.mark.browser

FULL_IMAGE = re.compile(r"/files/images/(\d+)/$")


# The review browser tests' application with a picture for every 📷 item (two for the ID card).
app_with_images = review_browser.app_with_images


def _full_images_requested(page):
    """The ids of full-size images the page asks for from now on (thumbnails are not counted)."""
    asked = []
    page.on("request", lambda request: (m := FULL_IMAGE.search(request.url)) and asked.append(int(m.group(1))))
    return asked


def test_the_review_screen_downloads_only_the_open_items_full_photo(page, app_with_images, reviewer_anxi_hospital):
    # Phone photos are up to 3 MB and an application has about 14: the probe saw every one fetched at once.
    login(page, reviewer_anxi_hospital.username, TEST_PASSWORD)
    asked = _full_images_requested(page)
    page.goto(f"{page.base}/backoffice/review/{app_with_images.pk}/")
    page.wait_for_load_state("networkidle")
    fields = page.locator("[data-check-field]")
    assert fields.count() > 2

    def first_image_of(field):
        return int(re.search(r"/files/images/(\d+)/", field.locator("[data-viewer-src]").first
                             .get_attribute("data-viewer-src")).group(1))

    assert asked == [first_image_of(fields.nth(0))]
    main = fields.nth(0).locator("[data-viewer-main]")
    expect(main).to_have_js_property("naturalWidth", 320)  # the open item shows its full photo

    # Opening another item fetches its photo then, and shows it.
    second = fields.nth(1)
    second.locator("summary").click()
    expect(second.locator("[data-viewer-main]")).to_have_attribute(
        "src", second.locator("[data-viewer-src]").first.get_attribute("data-viewer-src"))
    expect(second.locator("[data-viewer-main]")).to_have_js_property("naturalWidth", 320)
    page.wait_for_load_state("networkidle")
    assert asked == [first_image_of(fields.nth(0)), first_image_of(second)]


def test_after_a_tick_keyboard_focus_moves_into_the_item_that_opens(page, app_with_images, reviewer_anxi_hospital):
    login(page, reviewer_anxi_hospital.username, TEST_PASSWORD)
    page.goto(f"{page.base}/backoffice/review/{app_with_images.pk}/")
    fields = page.locator("[data-check-field]")
    total = fields.count()
    for index in range(total):
        fields.nth(index).locator("button[name=consistent][value='1']").focus()
        page.keyboard.press("Enter")
        expect(fields.nth(index)).to_have_attribute("data-consistent", "yes")
        if index + 1 < total:
            expect(fields.nth(index + 1)).to_have_attribute("open", "")
            # Focus is on the opened item's summary (its heading and toggle), not dropped to <body>.
            expect(fields.nth(index + 1).locator("summary")).to_be_focused()
    # After the last item, focus goes to the decision (审核意见), where the reviewer goes next.
    assert page.evaluate("document.activeElement.closest('.decision') !== null"), \
        page.evaluate("document.activeElement.outerHTML.slice(0, 120)")
    # The page never announces a tick assertively.
    assert page.locator("[aria-live=assertive], [role=alert]").count() == 0
