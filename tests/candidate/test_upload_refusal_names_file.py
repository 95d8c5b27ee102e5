"""A refused upload names the file the candidate chose (phone-journey probe: long.png was refused as
"long.jpg：图片过长或过窄…", a file he does not have, because the browser redraws a big picture as a JPEG
before sending it)."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from prereg.applications import images
from tests.e2e import conftest as e2e
from tests.factories import TEST_PASSWORD, complete_application

_playwright, browser, server = e2e._playwright, e2e.browser, e2e.server

pytestmark = pytest.mark.browser


@pytest.fixture
def android(request, browser, server):
    yield from e2e._new_page(request, browser, server, {"width": 360, "height": 740}, mobile=True)


def _long_png() -> bytes:
    """800×8000: more pixels than the server keeps (so the browser redraws it) and ten times longer than wide."""
    out = io.BytesIO()
    Image.new("RGB", (800, 8000), (230, 230, 235)).save(out, "PNG")
    return out.getvalue()


def test_a_picture_redrawn_before_its_upload_is_refused_under_the_name_it_was_chosen_by(android, year, tree, candidate):
    complete_application(candidate, year, tree)
    e2e.login(android, candidate.username, TEST_PASSWORD)
    android.goto(f"{android.base}/candidate/form/")
    slot = android.locator("[id='img-category-']")
    slot.locator("input[type=file]").set_input_files({"name": "long.png", "mimeType": "image/png", "buffer": _long_png()})
    expect(slot.locator(".upload-status")).to_have_text(f"long.png：{images.SHAPE_MESSAGE}")
