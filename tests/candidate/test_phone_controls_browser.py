"""Form controls and small links on a phone (phone-journey probe): iOS Safari zooms into a focused field whose
text is under 16 px (every input and select computed to 15 px, file inputs and checkboxes to 13.3 px), and
忘记密码？, 考生注册, 已有账号，去登录 and 查看审核进度 were 21–23 px tall to a thumb."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e import conftest as e2e
from tests.factories import TEST_PASSWORD, complete_application

_playwright, browser, server = e2e._playwright, e2e.browser, e2e.server

pytestmark = pytest.mark.browser

IPHONE_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
             "Version/17.0 Mobile/15E148 Safari/604.1")


def _page(request, browser, server, width):
    yield from e2e._new_page(request, browser, server, {"width": width, "height": 740}, mobile=True)


@pytest.fixture
def phone_360(request, browser, server):
    yield from _page(request, browser, server, 360)


@pytest.fixture
def phone_320(request, browser, server):
    yield from _page(request, browser, server, 320)


# Every control a person can focus or tap, hidden ones included (a file input under its 上传图片 label).
SMALL_CONTROLS = """() => Array.from(document.querySelectorAll("input:not([type=hidden]), select, textarea"))
    .filter(e => !e.closest("template"))
    .map(e => [e.name || e.id || e.type, parseFloat(getComputedStyle(e).fontSize)])
    .filter(([name, size]) => size < 16)"""

# Elements reaching past the viewport's right edge (but inside a box that scrolls on purpose, like the index).
WIDER = """() => Array.from(document.querySelectorAll(".page *")).filter(e => {
    if (e.closest(".form-index, .visually-hidden, .hidden, template")) { return false; }
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > document.documentElement.clientWidth + 0.5;
}).map(e => e.tagName + "." + e.className + ":" + e.textContent.slice(0, 40))"""

PAGES = ["/candidate/form/", "/candidate/", "/candidate/progress/"]
ANONYMOUS_PAGES = [reverse("accounts:login"), reverse("candidate:signup"), reverse("accounts:password_forgot")]


def test_on_a_phone_no_form_control_is_under_16px(phone_360, year, tree, candidate):
    complete_application(candidate, year, tree)
    for path in ANONYMOUS_PAGES:
        phone_360.goto(f"{phone_360.base}{path}")
        assert phone_360.evaluate(SMALL_CONTROLS) == [], path
    e2e.login(phone_360, candidate.username, TEST_PASSWORD)
    for path in PAGES:
        phone_360.goto(f"{phone_360.base}{path}")
        assert phone_360.evaluate(SMALL_CONTROLS) == [], path


def test_at_320px_the_bigger_controls_push_no_page_sideways(phone_320, year, tree, candidate):
    complete_application(candidate, year, tree)
    for path in ANONYMOUS_PAGES:
        phone_320.goto(f"{phone_320.base}{path}")
        assert phone_320.evaluate("() => document.documentElement.scrollWidth") <= 320, path
        assert phone_320.evaluate(WIDER) == [], path
    e2e.login(phone_320, candidate.username, TEST_PASSWORD)
    for path in PAGES:
        phone_320.goto(f"{phone_320.base}{path}")
        assert phone_320.evaluate("() => document.documentElement.scrollWidth") <= 320, path
        assert phone_320.evaluate(WIDER) == [], path


def _height(locator):
    expect(locator).to_be_visible()
    return locator.evaluate("e => e.getBoundingClientRect().height")


def test_the_small_links_are_tall_enough_to_tap(phone_360, year, tree, candidate):
    complete_application(candidate, year, tree)
    phone_360.goto(f"{phone_360.base}{reverse('accounts:login')}")
    for name in ("忘记密码？", "考生注册"):
        assert _height(phone_360.get_by_role("link", name=name)) >= 44, name
    phone_360.goto(f"{phone_360.base}{reverse('candidate:signup')}")
    assert _height(phone_360.get_by_role("link", name="已有账号，去登录")) >= 44
    e2e.login(phone_360, candidate.username, TEST_PASSWORD)
    phone_360.goto(f"{phone_360.base}/candidate/form/")
    phone_360.locator("form[action$='/candidate/submit/'] button").click()
    phone_360.wait_for_url("**/candidate/progress/")
    phone_360.goto(f"{phone_360.base}/candidate/form/")
    assert _height(phone_360.locator("#submit").get_by_role("link", name="查看审核进度")) >= 44
