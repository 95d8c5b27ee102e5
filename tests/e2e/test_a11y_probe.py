"""What the accessibility, keyboard and no-script probe found, in a browser: the back-office menu out of keyboard
reach on a narrow screen, no way past the menu, badges under 4.5:1, tables that scroll sideways but not by
keyboard, focus dropped to the page after a row or a picture changes, thumbnails that do nothing without
scripts, and the candidate's form that cannot be finished without them and says nothing."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.backoffice import test_review_browser as review_browser
from tests.factories import TEST_PASSWORD, approve, jpeg_upload, submitted

from .conftest import login
from .helpers import draft_for

pytestmark = pytest.mark.browser

NARROW = {"width": 640, "height": 800}  # 1280 px at 200 % zoom lays out as 640 px


def _narrow(page):
    page.set_viewport_size(NARROW)
    return page


def _tab_until(page, predicate, limit=40):
    """Press Tab until `predicate` (JS, given the focused element) holds; the focused elements' texts on the way."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(e => {predicate})(document.activeElement)"):
            return seen
        seen.append(page.evaluate("(document.activeElement.innerText || document.activeElement.name || '').trim().slice(0, 20)"))
    raise AssertionError(f"never reached after {limit} tabs: {seen}")


# A. The back-office menu at 1280 px and 200 % zoom: ☰ 菜单 is reached by Tab and opens by keyboard.

def test_the_back_office_menu_opens_by_keyboard_on_a_narrow_screen(page, reviewer_province):
    login(_narrow(page), reviewer_province.username, TEST_PASSWORD)
    page.goto(f"{page.base}/backoffice/")
    menu = page.locator("nav.sidebar")
    expect(menu).to_be_hidden()
    _tab_until(page, "e.matches('[data-nav-toggle]')")
    toggle = page.locator("[data-nav-toggle]")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(menu).to_be_visible()
    # The next Tab goes into the menu: 已审信息, 导出, 进度跟踪… are in reach.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('nav.sidebar') !== null")
    _tab_until(page, "e.textContent.trim() === '进度跟踪'")
    # Escape folds it again and gives the focus back to ☰ 菜单.
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
    expect(menu).to_be_hidden()


def test_the_back_office_menu_has_no_toggle_on_a_wide_screen(page, reviewer_province):
    login(page, reviewer_province.username, TEST_PASSWORD)
    page.goto(f"{page.base}/backoffice/")
    expect(page.locator("[data-nav-toggle]")).to_be_hidden()
    expect(page.locator("nav.sidebar")).to_be_visible()


def test_without_scripts_the_narrow_back_office_shows_its_menu(browser, server, reviewer_province):
    context = browser.new_context(java_script_enabled=False, viewport=NARROW)
    try:
        page = context.new_page()
        page.base = server
        login(page, reviewer_province.username, TEST_PASSWORD)
        page.goto(f"{server}/backoffice/")
        expect(page.locator("[data-nav-toggle]")).to_be_hidden()  # it would do nothing
        expect(page.locator("nav.sidebar a", has_text="进度跟踪")).to_be_visible()
    finally:
        context.close()


# B. 跳到主要内容: the first Tab of a page, shown when focused, lands past the menu.

@pytest.mark.parametrize("path", ["/backoffice/review/pending/", "/candidate/"])
def test_the_first_tab_offers_to_skip_to_the_main_content(page, path, reviewer_province, candidate):
    who = reviewer_province if path.startswith("/backoffice/") else candidate
    login(page, who.username, TEST_PASSWORD)
    page.goto(f"{page.base}{path}")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("跳到主要内容")
    assert skip.evaluate("a => { const r = a.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main#main') !== null"), \
        page.evaluate("document.activeElement.outerHTML.slice(0, 120)")


# C. Every badge of the stylesheets: its text at least 4.5:1 on its own ground.

CONTRAST = """cls => {
  const luminance = color => {
    const [r, g, b] = color.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map(v => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const span = document.createElement("span");
  span.className = cls;
  span.textContent = "审核通过";
  document.querySelector("main").appendChild(span);
  const style = getComputedStyle(span);
  const [a, b] = [luminance(style.color), luminance(style.backgroundColor)].sort((x, y) => y - x);
  span.remove();
  return Math.round((a + 0.05) / (b + 0.05) * 100) / 100;
}"""
BADGES = ["state", "state approved", "state returned", "state in_review", "badge", "badge ok", "ocr-photo"]


def test_every_badge_has_text_of_at_least_4_5_to_1_on_its_ground(page, reviewer_province, tree, year):
    application = submitted(tree, year, name="考生甲")
    login(page, reviewer_province.username, TEST_PASSWORD)
    page.goto(f"{page.base}/backoffice/review/{application.pk}/")  # app.css, review.css and ocr.css
    ratios = {cls: page.evaluate(CONTRAST, cls) for cls in BADGES}
    assert all(ratio >= 4.5 for ratio in ratios.values()), ratios


# D. A table that scrolls sideways in its frame is scrolled by keyboard too: the frame is a named, focusable region.

UNREACHABLE_SCROLLERS = """() => {
  const focusable = "a[href], button, input:not([type=hidden]), select, textarea, [tabindex]";
  return [...document.querySelectorAll("body *")].filter(e => {
    const style = getComputedStyle(e);
    return /auto|scroll/.test(style.overflowX) && e.scrollWidth > e.clientWidth + 1
      && !(e.tabIndex >= 0) && !e.querySelector(focusable);
  }).map(e => e.outerHTML.slice(0, 100));
}"""
UNNAMED_FRAMES = """() => [...document.querySelectorAll(".table-wrap")].filter(e =>
  !(e.tabIndex === 0 && e.getAttribute("role") === "region" && e.getAttribute("aria-label"))).map(e => e.outerHTML.slice(0, 100))"""


def test_a_table_wider_than_a_phone_scrolls_by_keyboard(page, reviewer_province, tree, year):
    application = submitted(tree, year, name="考生甲")
    login(page, reviewer_province.username, TEST_PASSWORD)
    page.set_viewport_size({"width": 360, "height": 800})
    for path in (f"/backoffice/review/{application.pk}/", "/backoffice/review/reviewed/", "/backoffice/stats/"):
        page.goto(f"{page.base}{path}")
        assert page.evaluate(UNREACHABLE_SCROLLERS) == [], path
        assert page.evaluate(UNNAMED_FRAMES) == [], path
    # The review log of the review screen takes the focus (tabindex 0) and an arrow key scrolls it.
    page.goto(f"{page.base}/backoffice/review/{application.pk}/")
    log = page.get_by_role("region", name="审核日志")
    assert log.evaluate("w => w.scrollWidth > w.clientWidth")
    log.focus()
    page.keyboard.press("ArrowRight")
    expect(log).not_to_have_js_property("scrollLeft", 0)


ROOT = Path(__file__).resolve().parents[2] / "prereg"


def _probed_templates():
    """Every template of the project (the org, year and account pages were done after the probe's own)."""
    return list(ROOT.glob("**/templates/**/*.html"))


def test_every_table_frame_of_these_templates_is_a_named_focusable_region():
    """The pattern the stylesheet names beside .table-wrap (app.css)."""
    bare = [f"{path.relative_to(ROOT)}: {tag}" for path in _probed_templates()
            for tag in re.findall(r'<div class="table-wrap[^>]*>', path.read_text())
            if not all(part in tag for part in ('role="region"', 'tabindex="0"', 'aria-label="'))]
    assert bare == []


# E. The candidate's keyboard goes on where the form changed, not from the top of the page.

def _draft_form(page, tree, year):
    candidate, application = draft_for(tree, year, "35052401")  # every section and picture in place
    login(page, candidate.id_number, TEST_PASSWORD)
    page.goto(f"{page.base}/candidate/form/")
    return application


def _press(page, locator, key="Enter"):
    locator.focus()
    page.keyboard.press(key)


def test_a_row_added_or_taken_away_leaves_the_focus_on_a_field_of_the_table(page, tree, year):
    _draft_form(page, tree, year)
    rows = page.locator("#section-education [data-rows]").first
    _press(page, rows.locator("[data-add-row]"))
    new_row = rows.locator("[data-row]").last
    # The new row's first field to type into, not its hidden id (focus then stayed on ⊕).
    assert new_row.evaluate("row => row.contains(document.activeElement) && document.activeElement.type !== 'hidden'")
    # ⊖ on the first row: the next row's first field.
    _press(page, rows.locator("[data-row]").first.locator("[data-remove-row]"))
    assert new_row.evaluate("row => row.contains(document.activeElement)")
    # ⊖ on the last row left: ⊕.
    _press(page, new_row.locator("[data-remove-row]"))
    expect(rows.locator("[data-add-row]")).to_be_focused()


def test_a_saved_section_leaves_the_focus_on_what_its_answer_says(page, tree, year):
    _draft_form(page, tree, year)
    section = page.locator("#section-education")
    _press(page, section.locator(".actions [type=submit]"))
    expect(section.locator("[data-saved]")).to_be_focused()


def test_an_upload_and_a_deletion_leave_the_focus_in_their_slot(page, tree, year):
    _draft_form(page, tree, year)
    slot = page.locator("[id='img-category-']")
    picker = slot.locator("input[type=file]")
    picker.focus()
    picker.set_input_files({"name": "new.jpg", "mimeType": "image/jpeg",
                            "buffer": jpeg_upload(size=(400, 300), color=(10, 120, 10)).read()})
    expect(slot.locator(".upload-status")).to_have_text("已上传1张图片。", timeout=30_000)
    expect(slot.locator(":focus")).to_have_count(1)  # its picker again, not the page
    _press(page, slot.locator("figure.thumb").first.get_by_role("button", name="删除"))
    expect(slot.locator("figure.thumb")).to_have_count(1)
    expect(slot.locator(":focus")).to_have_count(1)


# F. The review screen's thumbnails: without scripts each opens its own full-size picture; with them, the viewer.

app_with_images = review_browser.app_with_images


def test_without_scripts_each_thumbnail_opens_its_own_full_size_picture(browser, server, app_with_images,
                                                                        reviewer_anxi_hospital):
    back = app_with_images.images.get(slot="id_back")
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.base = server
        login(page, reviewer_anxi_hospital.username, TEST_PASSWORD)
        page.goto(f"{server}/backoffice/review/{app_with_images.pk}/")
        thumbs = page.locator("#field-id_card .viewer-thumb")
        expect(thumbs).to_have_count(2)
        expect(page.locator("#field-id_card [data-viewer-action]").first).to_be_hidden()  # they need scripts
        with context.expect_page() as opened:
            thumbs.nth(1).click()
        picture = opened.value
        picture.wait_for_load_state()
        assert picture.url == f"{server}/files/images/{back.pk}/"
    finally:
        context.close()


def test_with_scripts_a_thumbnail_shows_its_picture_in_the_viewer(page, app_with_images, reviewer_anxi_hospital):
    back = app_with_images.images.get(slot="id_back")
    login(page, reviewer_anxi_hospital.username, TEST_PASSWORD)
    page.goto(f"{page.base}/backoffice/review/{app_with_images.pk}/")
    viewer = page.locator("#field-id_card [data-viewer]")
    thumbs = viewer.locator(".viewer-thumb")
    _press(page, thumbs.nth(1))  # by keyboard: a link opens with Enter
    expect(viewer.locator("[data-viewer-main]")).to_have_attribute("src", f"/files/images/{back.pk}/")
    expect(thumbs.nth(1)).to_have_attribute("aria-current", "true")
    expect(thumbs.nth(0)).not_to_have_attribute("aria-current", "true")
    expect(viewer.locator("[data-viewer-open]")).to_have_attribute("href", f"/files/images/{back.pk}/")
    assert len(page.context.pages) == 1  # no tab opened beside it


# G. Without scripts the candidate is told the form needs them and how to turn them on; Enter in 基本信息 saves it.

@pytest.fixture
def no_script_page(browser, server):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    page.base = server
    yield page
    context.close()


def test_without_scripts_sign_up_and_the_form_say_they_need_them(no_script_page, page, tree, year):
    candidate, _application = draft_for(tree, year, "35052401")
    no_script_page.goto(f"{no_script_page.base}/candidate/signup/")
    notice = no_script_page.locator("[data-noscript]")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("JavaScript")
    expect(notice).to_contain_text("微信")
    login(no_script_page, candidate.id_number, TEST_PASSWORD)
    no_script_page.goto(f"{no_script_page.base}/candidate/form/")
    expect(no_script_page.locator("[data-noscript]")).to_be_visible()
    assert no_script_page.locator("[data-noscript]").evaluate("n => n.getBoundingClientRect().top") < \
        no_script_page.locator("#section-basic").evaluate("s => s.getBoundingClientRect().top")
    # With scripts there is nothing to say.
    page.goto(f"{page.base}/candidate/signup/")
    expect(page.locator("[data-noscript]")).to_have_count(0)


def test_without_scripts_enter_in_a_basic_field_saves_the_section(no_script_page, tree, year):
    candidate, application = draft_for(tree, year, "35052401")
    login(no_script_page, candidate.id_number, TEST_PASSWORD)
    no_script_page.goto(f"{no_script_page.base}/candidate/form/")
    # 邮编, a one-line box (联系地址 is a box of several rows, where Enter is no submission).
    no_script_page.fill("#id_basic-postcode", "350001")
    with no_script_page.expect_navigation():
        no_script_page.press("#id_basic-postcode", "Enter")
    expect(no_script_page.get_by_text("手机号码未修改")).to_have_count(0)  # 获取验证码 took the Enter before
    application.refresh_from_db()
    assert application.postcode == "350001"


def test_with_scripts_enter_in_a_basic_field_saves_the_section(page, tree, year):
    application = _draft_form(page, tree, year)
    page.fill("#id_basic-postcode", "350002")
    page.press("#id_basic-postcode", "Enter")
    expect(page.locator("#section-basic [data-saved]")).to_be_visible()
    application.refresh_from_db()
    assert application.postcode == "350002"


# H. The batch 审核意见 box fits a phone at 200 % (180 px of layout); no column header is empty.

def test_the_batch_opinion_box_fits_a_phone_at_200_percent(page, tree, year, reviewer_anxi_hospital,
                                                           reviewer_anxi_bureau, reviewer_quanzhou):
    application = submitted(tree, year)
    approve(application, reviewer_anxi_hospital)
    approve(application, reviewer_anxi_bureau)  # now at the 考点, who submits in batches
    login(page, reviewer_quanzhou.username, TEST_PASSWORD)
    page.set_viewport_size({"width": 180, "height": 640})
    page.goto(f"{page.base}/backoffice/review/pending/")
    box = page.locator(".batch input[name=opinion]")
    expect(box).to_be_visible()
    right = box.evaluate("b => b.getBoundingClientRect().right")
    room = box.evaluate("b => b.parentElement.getBoundingClientRect().right")
    assert right <= room + 0.5, f"the box ends at {right} px, its row at {room} px"


def test_every_column_header_has_a_name(page, reviewer_province):
    login(page, reviewer_province.username, TEST_PASSWORD)
    page.goto(f"{page.base}/backoffice/notices/")
    headers = page.locator("main th")
    assert headers.count()
    assert headers.evaluate_all("ths => ths.filter(th => !th.textContent.trim()).map(th => th.outerHTML)") == []
    # The 操作 column of the other lists too (交叉审核).
    assert [path.name for path in _probed_templates() if re.search(r"<th[^>]*>\s*</th>", path.read_text())] == []
