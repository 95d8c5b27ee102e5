"""The browser's shrink before an upload (candidate.js) as the phone meets it: a long screenshot arrives
at the size the server stores it at (not shrunk to an unreadable strip), a picture of no or a generic
type is decoded all the same, and an answer that is not JSON (nginx's 413, the rate limit's 429) says
what happened."""

import email
import io

import pytest
from django.urls import reverse
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from prereg.applications import images
from prereg.applications.models import ApplicationImage
from tests.e2e import conftest as e2e
from tests.factories import TEST_PASSWORD, ApplicationImageFactory, complete_application, submitted

_playwright, browser, server = e2e._playwright, e2e.browser, e2e.server

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(request, browser, server):
    yield from e2e._new_page(request, browser, server, e2e.PHONE, mobile=True)


def _picture(size, fmt) -> bytes:
    img = Image.new("RGB", size, (235, 235, 240))
    draw = ImageDraw.Draw(img)
    for y in range(0, size[1], 60):  # lines of "text", so that it is not one flat colour
        draw.rectangle([(20, y + 10), (size[0] - 20, y + 30)], fill=(40, 40, 40))
    out = io.BytesIO()
    img.save(out, fmt)
    return out.getvalue()


def _sent_files(request) -> list[tuple[str, bytes]]:
    """The files of a multipart/form-data request: (content type, bytes) each."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = email.message_from_bytes(head + request.post_data_buffer)
    return [(part.get_content_type(), part.get_payload(decode=True)) for part in message.get_payload()
            if part.get_filename()]


def _form(page, candidate, year, tree):
    application = complete_application(candidate, year, tree)
    e2e.login(page, candidate.username, TEST_PASSWORD)
    page.goto(f"{page.base}/candidate/form/")
    return application


def _capture(page):
    sent = []

    def handle(route):
        sent.extend(_sent_files(route.request))
        route.continue_()

    page.route("**/candidate/images/upload/", handle)
    return sent


def test_a_long_screenshot_arrives_at_the_size_the_server_keeps(phone, year, tree, candidate):
    application = _form(phone, candidate, year, tree)
    sent = _capture(phone)
    slot = phone.locator("[id='img-category-']")
    slot.locator("input[type=file]").set_input_files(
        {"name": "社保证明.jpg", "mimeType": "image/jpeg", "buffer": _picture((1080, 7000), "JPEG")})
    expect(slot.locator(".upload-status")).to_have_text("已上传1张图片。")
    [(content_type, data)] = sent
    with Image.open(io.BytesIO(data)) as arrived:
        width, height = arrived.size
    target = images.stored_size(1080, 7000)
    assert target == (680, 4410)
    assert abs(width - target[0]) <= 1 and abs(height - target[1]) <= 1, (width, height)
    stored = ApplicationImage.objects.filter(application=application, slot="category").latest("pk")
    assert stored.width >= 670  # readable, not the 370 px a 2400 px long side left
    # Its thumbnail shows the whole strip, not its middle cut to fill the box.
    thumb = slot.locator(".thumb img").last
    assert thumb.evaluate("i => getComputedStyle(i).objectFit") == "contain"


def test_a_picture_of_a_generic_type_is_decoded_and_shrunk_all_the_same(phone, year, tree, candidate):
    # A PNG of more pixels than any PNG may have decoded (IMAGE_MAX_PIXELS_FULL_DECODE), from a picker
    # that names no type: sent as it is, the server would refuse it.
    application = _form(phone, candidate, year, tree)
    sent = _capture(phone)
    slot = phone.locator("[id='img-category-']")
    slot.locator("input[type=file]").set_input_files(
        {"name": "IMG_2041", "mimeType": "application/octet-stream", "buffer": _picture((3700, 2800), "PNG")})
    expect(slot.locator(".upload-status")).to_have_text("已上传1张图片。")
    [(content_type, data)] = sent
    assert content_type == "image/jpeg" and data[:3] == b"\xff\xd8\xff"
    stored = ApplicationImage.objects.filter(application=application, slot="category").latest("pk")
    assert (stored.width, stored.height) == images.stored_size(3700, 2800)


def test_a_file_the_browser_cannot_read_is_sent_as_it_is_and_the_server_says_why(phone, year, tree, candidate):
    _form(phone, candidate, year, tree)
    slot = phone.locator("[id='img-category-']")
    slot.locator("input[type=file]").set_input_files(
        {"name": "说明.jpg", "mimeType": "", "buffer": "这不是图片".encode() * 50})
    expect(slot.locator(".upload-status")).to_have_text(f"说明.jpg：{images.TYPE_MESSAGE}")


@pytest.mark.parametrize(("status", "message"), [
    (413, "文件过大，请缩小图片或减少一次选择的张数后再上传。"),
    (429, "操作过于频繁，请稍后再试。"),
    (403, "上传失败，请重试。"),  # a page of no known status (a CSRF refusal)
])
def test_an_answer_that_is_not_json_says_what_happened(phone, year, tree, candidate, status, message):
    _form(phone, candidate, year, tree)
    phone.route("**/candidate/images/upload/", lambda route: route.fulfill(
        status=status, body=f"<html><body><h1>{status}</h1></body></html>", content_type="text/html"))
    slot = phone.locator("[id='img-category-']")
    slot.locator("input[type=file]").set_input_files(
        {"name": "licence.jpg", "mimeType": "image/jpeg", "buffer": _picture((400, 300), "JPEG")})
    expect(slot.locator(".upload-status")).to_have_text(message)


# How much of the picture an <img> shows: its box's aspect against the picture's own (1.0: all of it).
SHOWN = """i => { const r = i.getBoundingClientRect();
    return {width: r.width, height: r.height, ratio: (r.width / r.height) / (i.naturalWidth / i.naturalHeight)}; }"""


def test_the_candidates_photo_on_the_review_screen_is_small_and_whole(phone, year, tree, reviewer_province):
    application = submitted(tree, year, name="考生甲")
    photo = ApplicationImageFactory(application=application, slot="photo", width=300, height=420,
                                    file__data=_picture((300, 420), "JPEG"), content_type="image/jpeg")
    e2e.login(phone, reviewer_province.username, TEST_PASSWORD)
    phone.goto(f"{phone.base}/backoffice/review/{application.pk}/")
    phone.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    img = phone.locator("[data-candidate-photo] img")
    expect(img).to_have_attribute("src", reverse("files:thumb", args=[photo.pk]))
    img.evaluate("i => i.decode()")
    shown = img.evaluate(SHOWN)
    assert shown["width"] <= 122 and shown["height"] <= 170, shown
    assert abs(shown["ratio"] - 1) < 0.03, shown  # upright as taken, not squeezed or cut
    assert img.evaluate("i => getComputedStyle(i).borderTopStyle") == "solid"
