"""The phone-journey probe's small findings, checked in the browser: the code row at 200 % text on a
320 px phone, the focus ring of 上传图片, and the link to sign in again after a save found the
login expired."""

import pytest
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD

from .conftest import login
from .helpers import draft_for

pytestmark = pytest.mark.browser

TIMEOUT_MESSAGE = "登录已超时，请在新窗口重新登录后回到本页再点保存（已填写的内容仍在本页）。"


def _open_form(phone, tree, year):
    candidate, application = draft_for(tree, year, "35052401")
    login(phone, candidate.id_number, TEST_PASSWORD)
    phone.goto(f"{phone.base}/candidate/form/")
    return candidate, application


def test_at_200_percent_text_on_a_320_px_phone_the_code_row_stays_inside_its_section(phone, tree, year):
    _open_form(phone, tree, year)
    phone.set_viewport_size({"width": 320, "height": 640})
    # Text zoom scales every text, the body's 15 px too (a root font-size would leave it as it is).
    phone.evaluate("() => { document.body.style.fontSize = '30px'; }")
    row = phone.locator("#section-basic .code-row").first
    section = phone.locator("#section-basic")
    button = row.locator("button", has_text="获取验证码")
    expect(button).to_be_visible()
    right = button.evaluate("b => b.getBoundingClientRect().right")
    inside = section.evaluate("s => s.getBoundingClientRect().right")
    assert right <= inside + 0.5, (right, inside)
    assert phone.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    # The box keeps room for the six digits of the code, not squeezed beside the button.
    box = row.locator("input")
    width, font = box.evaluate("i => [i.getBoundingClientRect().width, parseFloat(getComputedStyle(i).fontSize)]")
    assert width >= 6 * font * 0.6, (width, font)


def test_a_focused_upload_label_shows_a_focus_ring(phone, tree, year):
    _open_form(phone, tree, year)
    chooser = phone.locator(".images-panel .upload input[type=file]").first
    chooser.focus()
    outline = chooser.evaluate("i => getComputedStyle(i.closest('label')).outlineStyle")
    assert outline not in ("", "none"), outline


def test_a_save_refused_for_an_expired_login_offers_a_login_link_in_a_new_tab(phone, tree, year):
    _open_form(phone, tree, year)
    work = phone.locator("#section-work")
    phone.route("**/candidate/form/work/", lambda route: route.fulfill(
        status=401, body=TIMEOUT_MESSAGE, content_type="text/plain; charset=utf-8"))
    work.locator("button[type=submit]").click()
    alert = work.locator("[role=alert]", has_text=TIMEOUT_MESSAGE)
    expect(alert).to_be_visible()
    link = alert.locator("a", has_text="在新窗口重新登录")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("href", "/accounts/login/")
