"""The review screen in a real browser: open by double click, view and turn the images, tick
every 📷 field (each tick closes the field and opens the next), approve; and a return to the
candidate whose reason starts from the fields ticked 否."""

import contextlib
import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from prereg.applications import completeness
from prereg.applications.models import Application, Stage, State
from tests.e2e import conftest as e2e
from tests.e2e.conftest import login, shot
from tests.factories import TEST_PASSWORD, ApplicationImageFactory, submitted

# The browser fixtures of tests/e2e, used here beside the other review tests.
_playwright, browser, server, page = e2e._playwright, e2e.browser, e2e.server, e2e.page

pytestmark = pytest.mark.browser


def _accept(dialog):
    # Under load the dialog may already be gone when the handler runs: that is no failure.
    with contextlib.suppress(Exception):
        dialog.accept()


def _png(color):
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), color).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def app_with_images(tree, year, reviewer_anxi_hospital):
    application = submitted(tree, year, name="李娜")
    for slot, color in (("id_front", "red"), ("id_back", "blue")):
        ApplicationImageFactory(application=application, slot=slot, width=320, height=200,
                                file__filename=f"{slot}.png", file__data=_png(color))
    for image in completeness.required_images(application):  # the rest of what the form asks for
        if image.slot not in ("id_front", "id_back"):
            ApplicationImageFactory(application=application, slot=image.slot, row_id=image.row_id, width=320,
                                    height=200, file__filename=f"{image.slot}.png", file__data=_png("green"))
    return application


def test_a_unit_reviewer_checks_every_field_and_approves_in_the_browser(page, app_with_images,
                                                                        reviewer_anxi_hospital):
    app = app_with_images
    login(page, reviewer_anxi_hospital.username, TEST_PASSWORD)
    page.goto(f"{page.base}/backoffice/review/pending/")
    page.locator("tr[data-href]", has_text="李娜").dblclick()
    page.wait_for_url(f"**/backoffice/review/{app.pk}/?back=*")
    approve = page.locator("button[name=decision][value=approve]")
    assert approve.is_disabled()

    # The ID card field is open with its first image; next/zoom/rotate stay on the page.
    viewer = page.locator("#field-id_card [data-viewer]")
    main_image = viewer.locator("[data-viewer-main]")
    first_src = main_image.get_attribute("src")
    viewer.locator("[data-viewer-action=next]").click()
    assert main_image.get_attribute("src") != first_src
    assert viewer.locator("[data-viewer-count]").inner_text() == "2 / 2"
    viewer.locator("[data-viewer-action=rotate]").click()
    viewer.locator("[data-viewer-action=zoom-in]").click()
    assert "rotate(90deg)" in main_image.evaluate("img => img.style.transform")
    assert main_image.evaluate("img => img.naturalWidth") == 320
    shot(page, "review-screen")

    fields = page.locator("[data-check-field]")
    total = fields.count()
    for index in range(total):
        field = fields.nth(index)
        field.locator("button[name=consistent][value='1']").click()
        expect(field).to_have_attribute("data-consistent", "yes")
        if index + 1 < total:
            # The ticked field closes and the next one opens by itself.
            expect(fields.nth(index + 1)).to_have_attribute("open", "")
            expect(field).not_to_have_attribute("open", "")
    assert approve.is_enabled()
    page.fill("#opinion", "")
    approve.click()
    page.wait_for_url("**/backoffice/review/pending/")
    assert "已同意" in page.content()
    app.refresh_from_db()
    assert app.stage == Stage.POINT_CONFIRM


def test_a_field_ticked_no_starts_the_reason_of_a_return_to_the_candidate(page, app_with_images,
                                                                         reviewer_anxi_hospital):
    app = app_with_images
    login(page, reviewer_anxi_hospital.username, TEST_PASSWORD)
    page.goto(f"{page.base}/backoffice/review/{app.pk}/")
    page.locator("#field-id_card button[name=consistent][value='0']").click()
    page.wait_for_selector("#field-id_card[data-consistent=no]")
    assert page.locator("button[name=decision][value=approve]").is_disabled()
    page.fill("#reason", "")
    page.locator("[data-fill-reason]").click()
    assert page.input_value("#reason").startswith("以下信息与原件不一致：证件（身份证正反面）")
    page.check("input[name=to][value=candidate]")
    page.on("dialog", _accept)
    page.locator("button[name=decision][value=reject]").click()
    page.wait_for_url("**/backoffice/review/pending/")
    assert Application.objects.get(pk=app.pk).state == State.RETURNED


def test_the_arrow_keys_move_the_pictures_of_the_item_in_use(page, app_with_images, reviewer_anxi_hospital):
    # Photo probe: with the 证件 item open (as on load) and another opened and its picture clicked, → moved the
    # 证件's pictures, the first open item's.
    login(page, reviewer_anxi_hospital.username, TEST_PASSWORD)
    page.goto(f"{page.base}/backoffice/review/{app_with_images.pk}/")
    id_card = page.locator("#field-id_card [data-viewer-count]")
    expect(id_card).to_have_text("1 / 2")
    other = page.locator("details[data-check-field]:not(#field-id_card):has([data-viewer])").first
    other.locator("summary").click()
    other.locator("[data-viewer-main]").click()
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(200)
    expect(id_card).to_have_text("1 / 2")
    id_card.locator("xpath=ancestor::*[@data-viewer]").locator("[data-viewer-main]").click()
    page.keyboard.press("ArrowRight")
    expect(id_card).to_have_text("2 / 2")


def test_a_long_screenshot_zooms_to_its_own_size(page, tree, year, reviewer_anxi_hospital):
    # Photo probe: a 680×4410 screenshot fitted to the stage's height could be zoomed only to 57 % of its width.
    application = submitted(tree, year, name="王长图")
    tall = io.BytesIO()
    Image.new("RGB", (600, 4000), "white").save(tall, "PNG")
    ApplicationImageFactory(application=application, slot="id_front", width=600, height=4000,
                            file__filename="tall.png", file__data=tall.getvalue())
    ApplicationImageFactory(application=application, slot="id_back", width=320, height=200,
                            file__filename="id_back.png", file__data=_png("blue"))
    login(page, reviewer_anxi_hospital.username, TEST_PASSWORD)
    page.goto(f"{page.base}/backoffice/review/{application.pk}/")
    viewer = page.locator("#field-id_card [data-viewer]")
    main = viewer.locator("[data-viewer-main]")
    expect(main).to_have_js_property("naturalWidth", 600)
    for _ in range(25):
        viewer.locator("[data-viewer-action=zoom-in]").click()
    assert main.evaluate("img => parseFloat(img.style.width)") >= 600


def test_a_long_screenshot_opens_fitted_to_the_width_from_its_top(page, tree, year, reviewer_anxi_hospital):
    """Photo probe: fitted whole to the stage, a 680×4410 screenshot opened 64 px wide; it is read by
    scrolling down from its top, as on a phone."""
    application = submitted(tree, year, name="王长图")
    tall = io.BytesIO()
    Image.new("RGB", (680, 4410), "white").save(tall, "PNG")
    ApplicationImageFactory(application=application, slot="id_front", width=320, height=200,
                            file__filename="id_front.png", file__data=_png("red"))
    ApplicationImageFactory(application=application, slot="id_back", width=680, height=4410,
                            file__filename="tall.png", file__data=tall.getvalue())
    login(page, reviewer_anxi_hospital.username, TEST_PASSWORD)
    page.goto(f"{page.base}/backoffice/review/{application.pk}/")
    viewer = page.locator("#field-id_card [data-viewer]")
    main = viewer.locator("[data-viewer-main]")
    stage = viewer.locator(".viewer-stage")
    expect(main).to_have_js_property("naturalWidth", 320)
    assert main.evaluate("img => parseFloat(img.style.width)") <= 320  # an ordinary picture: whole, as before
    stage.evaluate("stage => { stage.scrollTop = 50; }")
    viewer.locator("[data-viewer-action=next]").click()
    expect(main).to_have_js_property("naturalWidth", 680)
    page.wait_for_function("img => parseFloat(img.style.width) > 300", arg=main.element_handle())
    width, stage_width = main.evaluate("img => parseFloat(img.style.width)"), stage.evaluate("s => s.clientWidth")
    assert abs(width - min(680, stage_width)) <= 1
    assert stage.evaluate("s => s.scrollTop") == 0
    assert stage.evaluate("s => s.scrollHeight > 4 * s.clientHeight")  # scrolled, not shrunk

