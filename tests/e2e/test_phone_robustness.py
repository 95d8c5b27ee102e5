"""What a QA probe on a 375×812 phone found going wrong in the browser, each checked where it happened:
photos the browser shrinks (transparency, pixel count), an upload outliving its slot, a save that
fails (offline, an error answer, a token renewed in another tab), typing lost on reload, small tap
targets, a long file name pushing the page sideways."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from prereg.applications import images
from prereg.applications.models import ApplicationImage, EducationRow, WorkRow
from tests.factories import TEST_PASSWORD, jpeg_upload

from .conftest import login, logout
from .helpers import draft_for

pytestmark = pytest.mark.browser

NETWORK_MESSAGE = "保存失败：网络连接中断，请检查网络后再点保存。已填写的内容仍在本页。"
TIMEOUT_MESSAGE = "登录已超时，请在新窗口重新登录后回到本页再点保存（已填写的内容仍在本页）。"


def _photo(size, grain):
    """A camera-like picture: a gradient under coarse noise (compresses like a photo, not like a flat fill)."""
    base = Image.linear_gradient("L").resize(size).convert("RGB")
    noise = Image.effect_noise((size[0] // grain, size[1] // grain), 40).resize(size).convert("RGB")
    return Image.blend(base, noise, 0.5)


def _file(name, data, mime="image/jpeg"):
    return {"name": name, "mimeType": mime, "buffer": data}


def _transparent_png():
    """2600×2000 (over the 2400 px the browser shrinks to), over 1 MB; its right half fully transparent."""
    img = Image.new("RGBA", (2600, 2000), (0, 0, 0, 0))
    img.paste(Image.effect_noise((1300, 2000), 60).convert("RGBA"), (0, 0))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def _progressive_jpeg():
    """4000×3000 progressive, under 1 MB: a JPEG the server cannot decode in one pass (images.py)."""
    out = io.BytesIO()
    _photo((4000, 3000), 8).save(out, "JPEG", quality=65, progressive=True)
    return out.getvalue()


def _camera_mpo():
    """4032×3024 as phones save it: a JPEG with an MPO extension (a second, preview image), small."""
    img = _photo((4032, 3024), 32)
    out = io.BytesIO()
    img.save(out, "MPO", quality=40, save_all=True, append_images=[img.resize((640, 480))])
    return out.getvalue()


def _open_form(phone, tree, year):
    candidate, application = draft_for(tree, year, "35052401")
    login(phone, candidate.id_number, TEST_PASSWORD)
    phone.goto(f"{phone.base}/candidate/form/")
    return candidate, application


def _upload_into(slot, file):
    """Choose one file in a slot and wait for the slot's answer; the answer's text."""
    status = slot.locator(".upload-status")
    slot.locator("input[type=file]").set_input_files(file)
    expect(status).to_have_text(re.compile(r"已上传|：|失败|错误"), timeout=30_000)
    return status.inner_text()


# Each file an upload sends, kept aside in the page (XMLHttpRequest's body is not visible to the test).
KEEP_SENT_FILES = """() => {
    window.sentFiles = [];
    const send = XMLHttpRequest.prototype.send;
    XMLHttpRequest.prototype.send = function (body) {
        if (body instanceof FormData) { window.sentFiles.push(...body.getAll("file")); }
        return send.apply(this, arguments);
    };
}"""
SENT_FILES = """() => Promise.all(window.sentFiles.map(f => createImageBitmap(f).then(
    b => [f.type, f.size, Math.max(b.width, b.height), b.width * b.height])))"""


def test_on_a_phone_big_photos_are_shrunk_by_pixels_and_transparency_turns_white(phone, tree, year):
    _candidate, application = _open_form(phone, tree, year)
    slot = phone.locator("[id='img-category-']")
    phone.evaluate(KEEP_SENT_FILES)
    png, progressive, mpo = _transparent_png(), _progressive_jpeg(), _camera_mpo()
    assert len(png) > 1024 * 1024 and len(progressive) < 1024 * 1024 and len(mpo) < 1024 * 1024

    assert "已上传" in _upload_into(slot, _file("scan.png", png, "image/png"))
    stored = ApplicationImage.objects.filter(application=application, slot="category").latest("pk")
    with stored.file.open("rb") as f:
        picture = Image.open(f).convert("RGB")
    # The transparent half is white, as on the screen, not black.
    assert min(picture.getpixel((picture.width * 9 // 10, picture.height // 2))) > 230

    # Small files of many pixels: what the server can take of those depends on how they decode
    # (images.py), so the browser redraws every picture over 2400 px, whatever its size in bytes.
    assert "已上传" in _upload_into(slot, _file("progressive.jpg", progressive))
    assert "已上传" in _upload_into(slot, _file("IMG_20260301_101500.jpg", mpo))
    sent = phone.evaluate(SENT_FILES)
    assert len(sent) == 3
    assert all(kind == "image/jpeg" and side <= 2400 for kind, _size, side, _pixels in sent), sent
    expect(slot.locator("figure.thumb")).to_have_count(4)


def test_an_upload_that_ends_after_its_slot_was_redrawn_shows_in_the_slot(phone, tree, year):
    """Its slot redrawn mid-upload, by a deletion beside it and by the section's own save."""
    candidate, application = draft_for(tree, year, "35052401")
    row = EducationRow.objects.get(application=application)
    images.images_add(actor=candidate, application=application, slot="education", row_id=row.pk,
                      uploads=[jpeg_upload(size=(400, 300), color=(30, 200, 30))])
    login(phone, candidate.id_number, TEST_PASSWORD)
    held = []
    phone.route("**/candidate/images/upload/", lambda route: held.append(route))  # the upload waits until released
    phone.goto(f"{phone.base}/candidate/form/")
    slot = phone.locator(f"[id='img-education-{row.pk}']")
    expect(slot.locator("figure.thumb")).to_have_count(2)

    def upload_while(redraw, color):  # a picture of its own each time: the same one twice is refused
        slot.locator("input[type=file]").set_input_files(
            _file("degree.jpg", jpeg_upload(size=(400, 300), color=color).read()))
        phone.wait_for_function("() => /上传中|正在处理/.test(document.body.innerText)")
        for _ in range(100):
            if held:
                break
            phone.wait_for_timeout(50)
        after_redraw = redraw()
        held.pop().continue_()
        expect(slot.locator("figure.thumb")).to_have_count(after_redraw + 1)
        expect(slot.locator(".upload-status")).to_have_text("已上传1张图片。")

    def delete_other():
        slot.locator("figure.thumb button", has_text="删除").first.click()
        expect(slot.locator("figure.thumb")).to_have_count(1)
        return 1

    def save_section():
        phone.locator("#section-education button[type=submit]").click()
        expect(phone.locator("#section-education .message.success")).to_be_visible()
        return slot.locator("figure.thumb").count()

    upload_while(delete_other, (200, 30, 30))
    upload_while(save_section, (30, 30, 200))
    assert ApplicationImage.objects.filter(application=application, slot="education", row_id=row.pk).count() == 3


def test_a_failed_save_says_so_at_the_section_and_a_token_renewed_in_another_tab_is_used(phone, tree, year):
    _candidate, application = _open_form(phone, tree, year)
    work = phone.locator("#section-work")
    title = work.locator("input[name='work-0-title']")

    # Offline: the message is at the section, what was typed stays.
    title.fill("主治医师")
    phone.context.set_offline(True)
    work.locator("button[type=submit]").click()
    alert = work.locator("[role=alert]", has_text=NETWORK_MESSAGE)
    expect(alert).to_be_visible()
    expect(title).to_have_value("主治医师")
    phone.context.set_offline(False)

    # An expired session (the server's 401 text/plain), and any other refusal (a generic message with
    # its status; a 5xx would fail the test in conftest, the status is shown alike).
    def answer(status, body, content_type):
        phone.route("**/candidate/form/work/", lambda route: route.fulfill(
            status=status, body=body, content_type=content_type))
        work.locator("button[type=submit]").click()
        phone.unroute("**/candidate/form/work/")

    answer(401, TIMEOUT_MESSAGE, "text/plain; charset=utf-8")
    # What was typed is kept in the tab: the message offers this tab's 重新登录, which puts it back.
    expect(work.locator("[role=alert]", has_text="登录已超时，本部分未保存。已填写的内容已暂存在本页")).to_be_visible()
    expect(work.locator("[role=alert]", has_text=NETWORK_MESSAGE)).to_have_count(0)  # the newest only
    answer(403, "<h1>禁止访问</h1>", "text/html")
    expect(work.locator("[role=alert]", has_text=re.compile("保存失败.*403"))).to_be_visible()
    expect(work.locator("[role=alert]", has_text="已填写的内容仍在本页")).to_be_visible()

    # Signed out and in again in another tab: Django gave the session a new CSRF token, which the
    # old tab's saves must use.
    other = phone.context.new_page()
    other.base = phone.base
    other.goto(f"{phone.base}/candidate/")
    logout(other)
    login(other, application.candidate.id_number, TEST_PASSWORD)
    other.close()
    work.locator("button[type=submit]").click()
    expect(phone.locator("#section-work .message.success")).to_be_visible()
    expect(phone.locator("#section-work [role=alert]")).to_have_count(0)
    assert WorkRow.objects.get(application=application).title == "主治医师"
    # The row slot's deletion (an htmx button inside the section's form) posts with it too.
    education_slot = phone.locator("[id^='img-education-']")
    education_slot.locator("figure.thumb button", has_text="删除").click()
    expect(education_slot.locator("figure.thumb")).to_have_count(0)


def _warns_on_leaving(phone):
    """Whether leaving the page now asks first (the browser's own beforeunload prompt)."""
    return phone.evaluate("""() => {
        const event = new Event("beforeunload", {cancelable: true});
        window.dispatchEvent(event);
        return event.defaultPrevented;
    }""")


def test_typing_into_a_section_warns_before_leaving_until_it_is_saved(phone, tree, year):
    _open_form(phone, tree, year)
    assert not _warns_on_leaving(phone)
    work = phone.locator("#section-work")
    work.locator("input[name='work-0-title']").fill("主治医师")
    assert _warns_on_leaving(phone)
    # A reload asks with the browser's own prompt (conftest's handler says leave).
    kinds = []
    phone.on("dialog", lambda dialog: kinds.append(dialog.type))
    phone.reload()
    assert kinds == ["beforeunload"]
    work = phone.locator("#section-work")
    work.locator("input[name='work-0-title']").fill("主治医师")
    # A refused save keeps the warning; a successful one ends it.
    work.locator("input[name='work-0-end']").fill("2010-01")
    work.locator("button[type=submit]").click()
    expect(phone.locator("#section-work .error", has_text="结束时间应晚于开始时间")).to_be_visible()
    assert _warns_on_leaving(phone)
    phone.locator("#section-work input[name='work-0-end']").fill("")
    phone.locator("#section-work button[type=submit]").click()
    expect(phone.locator("#section-work .message.success")).to_be_visible()
    assert not _warns_on_leaving(phone)
    # Submitting the application navigates without asking.
    phone.locator("form[action$='/candidate/submit/'] button").click()
    phone.wait_for_url("**/candidate/progress/")
    assert kinds == ["beforeunload", "confirm"]  # its own 确定提交, and no prompt for leaving


def test_on_a_phone_buttons_and_top_bar_links_are_tap_targets_and_long_names_wrap(phone, tree, year):
    small = ("els => els.map(e => [e.textContent.trim(), e.getBoundingClientRect()])"
             ".filter(([n, r]) => r.height < 44).map(([n, r]) => n + ' ' + r.width + 'x' + r.height)")
    phone.goto(f"{phone.base}/accounts/login/")
    assert not phone.locator("button:visible, .btn:visible").evaluate_all(small)
    _open_form(phone, tree, year)
    phone.goto(f"{phone.base}/candidate/units/request/")
    assert not phone.locator("main button:visible, main .btn:visible").evaluate_all(small)
    assert not phone.locator(".topbar a:visible, .topbar button:visible, .candidate-nav a:visible").evaluate_all(small)

    # A refused file whose name is one long word: its message wraps, the page does not scroll sideways.
    phone.goto(f"{phone.base}/candidate/form/")
    name = "IMG_" + "1234567890" * 20 + ".jpg"
    slot = phone.locator("[id='img-category-']")
    answer = _upload_into(slot, _file(name, b"not a picture at all" * 10))
    assert name in answer and "已上传" not in answer
    assert phone.evaluate("document.scrollingElement.scrollWidth <= document.documentElement.clientWidth"), \
        phone.evaluate("document.scrollingElement.scrollWidth")


def _in_view(phone, selector):
    return phone.evaluate("""s => { const r = document.querySelector(s).getBoundingClientRect();
        return r.bottom > 0 && r.top < window.innerHeight; }""", selector)


def test_a_save_says_it_is_on_its_way_and_its_answer_is_shown_where_the_candidate_is(phone, tree, year):
    _open_form(phone, tree, year)
    basic = phone.locator("#section-basic")
    button = basic.locator(".actions button[type=submit]")
    held = []
    phone.route("**/candidate/form/basic/", lambda route: held.append(route))
    basic.locator("input[name='basic-name']").fill("")
    button.click()
    expect(button).to_have_text("正在保存…")
    expect(button).to_be_disabled()
    held[0].continue_()
    # Refused: the first error is brought into view and its field has the focus (the probe saw the
    # errors drawn 823 px above the screen, the focus on the page's body, nothing by the button).
    expect(basic.locator(".has-error .error", has_text="请填写")).to_be_visible()
    expect(basic.locator(".actions .message.error")).to_have_text("未保存：请按标红的提示修改后再保存。")
    phone.wait_for_function("document.activeElement && document.activeElement.name === 'basic-name'")  # once settled
    assert _in_view(phone, "#section-basic .has-error")
    phone.unroute("**/candidate/form/basic/")
    basic.locator("input[name='basic-name']").fill("李娜")
    basic.locator(".actions button[type=submit]").click()
    expect(basic.locator(".message.success")).to_be_visible()
    expect(basic.locator(".actions button[type=submit]")).to_have_text("保存基本信息")
    expect(basic.locator(".actions .message.success")).to_be_in_viewport()


def test_leaving_during_an_upload_asks_first(phone, tree, year):
    _open_form(phone, tree, year)
    held = []
    phone.route("**/candidate/images/upload/", lambda route: held.append(route))
    slot = phone.locator("[data-slot]").first
    slot.locator("input[type=file]").set_input_files(_file("id.jpg", jpeg_upload().read()))
    for _ in range(100):  # the route handler runs while the test waits
        if held:
            break
        phone.wait_for_timeout(100)
    assert held and _warns_on_leaving(phone)
    held[0].continue_()
    expect(phone.locator("[data-slot]").first.locator(".upload-status")).to_have_text(re.compile("已上传"),
                                                                                     timeout=30_000)
    assert not _warns_on_leaving(phone)
