"""What the phone-journey tester found on small phones, checked in the browser: Back bringing a ⊖'d row back still
marked deleted, Enter in sign-up pressing 发送验证码, the unit search running mid-composition, the section index over
the field typed in (landscape, keyboard open), the menu cut at 150 % text, and 找回密码's focus after a wrong captcha."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from prereg.applications.models import WorkRow
from prereg.demo.people import make_id_number
from prereg.notify.models import SmsMessage
from tests.factories import TEST_PASSWORD, WorkRowFactory

from .conftest import _new_page, login
from .helpers import draft_for

pytestmark = pytest.mark.browser

# Every font size times `f`, as a phone's 字体大小 setting does (CSSOM, which the page's CSP allows).
SCALE_TEXT = """(f) => { const els = Array.from(document.querySelectorAll('body, body *'));
  const sizes = els.map(e => parseFloat(getComputedStyle(e).fontSize));
  els.forEach((e, i) => e.style.setProperty('font-size', (sizes[i] * f) + 'px', 'important')); }"""


@pytest.fixture
def small_phone(request, browser, server):
    yield from _new_page(request, browser, server, {"width": 320, "height": 640}, mobile=True)


def _form(page, tree, year):
    candidate, application = draft_for(tree, year, "35052401")
    login(page, candidate.id_number, TEST_PASSWORD)
    page.goto(f"{page.base}/candidate/form/")
    return application


def test_back_after_leaving_shows_a_row_taken_away_as_kept_and_the_save_keeps_it(phone, tree, year):
    application = _form(phone, tree, year)
    WorkRowFactory(application=application, unit_name="福建省立医院", title="主治医师", major="内科学", order=1)
    phone.reload()
    rows = phone.locator("#section-work [data-row]")
    expect(rows).to_have_count(2)
    rows.nth(1).locator("[data-remove-row]").click()
    expect(rows.nth(1)).to_be_hidden()
    with phone.expect_navigation():
        phone.locator(".candidate-nav a", has_text="首页").click()  # the leave-page prompt is accepted
    phone.go_back()
    phone.wait_for_load_state()
    rows = phone.locator("#section-work [data-row]")
    expect(rows.nth(1)).to_be_visible()
    # What is shown is what a save keeps: the row drawn in full is not still ticked for deletion.
    assert not rows.nth(1).locator("input[name$='-DELETE']").is_checked()
    phone.locator("#section-work .actions [type=submit]").click()
    expect(phone.locator("#section-work [data-saved]")).to_be_visible()
    assert WorkRow.objects.filter(application=application).count() == 2


def test_enter_in_the_last_field_of_sign_up_registers(phone):
    number, mobile, password = make_id_number("350102", datetime.date(1990, 3, 4), 211), "13800138211", "Kaoshi#2026x"
    phone.goto(f"{phone.base}/candidate/signup/")
    phone.fill("input[name=name]", "林一")
    phone.fill("input[name=id_number]", number)
    phone.fill("input[name=phone]", mobile)
    phone.locator("button[name=send_code]").click()
    expect(phone.locator("#code-status")).to_contain_text("已发送")
    code = re.search(r"\d{6}", SmsMessage.objects.filter(phone=mobile).latest("pk").text).group()
    phone.fill("input[name=sms_code]", code)
    phone.fill("input[name=password1]", password)
    phone.fill("input[name=password2]", password)
    # 发送验证码, counting down, came first: Enter did nothing for 60 s, then sent a code that spent this one.
    with phone.expect_navigation():
        phone.press("input[name=password2]", "Enter")
    phone.wait_for_url("**/candidate/**")
    assert "/signup/" not in phone.url
    assert SmsMessage.objects.filter(phone=mobile).count() == 1


def test_the_unit_search_waits_for_the_input_method_to_finish(phone, tree, year):
    _form(phone, tree, year)
    searched = []
    phone.on("request", lambda r: "/candidate/units/?" in r.url and searched.append(r.url))
    box = phone.locator("#unit-q")
    box.click()
    box.type("协和")
    phone.wait_for_timeout(600)
    before = len(searched)
    cdp = phone.context.new_cdp_session(phone)
    for typed in ("y", "yi", "yiy", "yiyu"):  # pinyin under composition: not a name to search for
        cdp.send("Input.imeSetComposition", {"text": typed, "selectionStart": len(typed), "selectionEnd": len(typed)})
        phone.wait_for_timeout(120)
    phone.wait_for_timeout(600)
    assert searched[before:] == [], searched
    cdp.send("Input.insertText", {"text": "医院"})  # the candidate picks 医院: the composition ends
    phone.wait_for_timeout(800)
    after = searched[before:]
    assert after and all("yi" not in url for url in after), after
    assert "%E5%8D%8F%E5%92%8C%E5%8C%BB%E9%99%A2" in after[-1]  # 协和医院


def test_the_section_index_does_not_cover_the_field_in_landscape_with_the_keyboard_open(phone, tree, year):
    _form(phone, tree, year)
    phone.set_viewport_size({"width": 740, "height": 170})
    field = phone.locator("#section-education input[type=text]").first
    # Scrolled to from further down (the keyboard brings the focused field to the top of what is left of the screen).
    field.focus()
    field.evaluate("f => f.scrollIntoView({block: 'start'})")
    top = field.evaluate("f => f.getBoundingClientRect().top")
    index_bottom = phone.locator(".form-index").evaluate("i => i.getBoundingClientRect().bottom")
    assert index_bottom <= top, (index_bottom, top)


def test_every_menu_item_shows_at_320_px_with_150_percent_text(small_phone, tree, year):
    _form(small_phone, tree, year)
    small_phone.evaluate(SCALE_TEXT, 1.5)
    links = small_phone.locator(".candidate-nav a")
    assert links.count() >= 3
    cut = small_phone.locator(".candidate-nav").evaluate("""nav => {
        const box = nav.getBoundingClientRect(), width = document.documentElement.clientWidth;
        return Array.from(nav.querySelectorAll('a')).filter(a => {
            const r = a.getBoundingClientRect();
            return r.right > Math.min(box.right, width) + 0.5 || r.left < box.left - 0.5;
        }).map(a => a.textContent);
    }""")
    assert cut == []


def test_forgot_password_after_a_wrong_captcha_puts_the_focus_on_the_emptied_account_box(phone, candidate):
    phone.goto(f"{phone.base}/accounts/password/forgot/")
    phone.fill("input[name=identifier]", candidate.id_number)
    phone.fill("input[name$=captcha_1]", "zzzz")
    with phone.expect_navigation():
        phone.locator("form button.primary").click()
    expect(phone.locator(".has-error")).to_contain_text("图形验证码错误")
    assert phone.input_value("input[name=identifier]") == ""  # a full ID number is never echoed
    phone.wait_for_function("document.activeElement && document.activeElement.name === 'identifier'")
    note = phone.evaluate("document.getElementById(document.activeElement.getAttribute('aria-describedby')"
                          ".split(' ')[0]).textContent")
    assert "证件号码需重新输入" in note
