"""What the phone-journey probe (390 and 360 px) found that only a browser shows: the manual's tables at 360 px,
tap targets of the home and progress pages, Enter in 联系地址, the message of a save that met an ended login,
获取验证码's refusal of a taken number at the number, 尚需补全's links, and a WebP picture converted before it is
sent (test_phone_probe_polish.py holds the server's side)."""

import io

import pytest
from django.conf import settings
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from prereg.applications.models import Application, ApplicationImage, Stage, State
from prereg.catalog.models import Announcement
from tests.e2e import conftest as e2e
from tests.factories import TEST_PASSWORD, CandidateFactory, complete_application

_playwright, browser, server = e2e._playwright, e2e.browser, e2e.server

pytestmark = pytest.mark.browser

NARROW = {"width": 360, "height": 740}


@pytest.fixture
def narrow(request, browser, server):
    yield from e2e._new_page(request, browser, server, NARROW, mobile=True)


def _signed_in(page, candidate, year, tree, path="/candidate/form/"):
    application = complete_application(candidate, year, tree)
    e2e.login(page, candidate.username, TEST_PASSWORD)
    page.goto(f"{page.base}{path}")
    return application


# --- 3: the manual's tables fit a 360 px phone -------------------------------------------------------------------


def test_the_candidate_manuals_tables_wrap_inside_their_frame_at_360px(narrow, year, tree, candidate):
    _signed_in(narrow, candidate, year, tree, "/backoffice/manual/candidate/")
    frames = narrow.locator(".manual-body .table-wrap")
    assert frames.count() > 0
    for i in range(frames.count()):
        frame = frames.nth(i)
        inner, outer = frame.evaluate("f => [f.querySelector('table').scrollWidth, f.clientWidth]")
        assert inner <= outer + 1, (i, inner, outer)
    assert narrow.evaluate("() => document.documentElement.scrollWidth") <= NARROW["width"]


def test_a_list_outside_the_manual_keeps_its_cells_on_one_line(narrow, year, tree, candidate):
    # The back office's lists (queues, rosters) rely on nowrap: the manual's rule is the manual's and the notices'.
    _signed_in(narrow, candidate, year, tree, "/backoffice/manual/candidate/")
    white_space = narrow.evaluate("""() => {
        document.querySelector("main").insertAdjacentHTML("beforeend",
            '<div class="table-wrap"><table class="list"><tr><td id="plain">报名号 姓名</td></tr></table></div>');
        return getComputedStyle(document.getElementById("plain")).whiteSpace; }""")
    assert white_space == "nowrap"


# --- 4: tap targets of the home and progress pages ------------------------------------------------------------------


SMALL_TARGETS = """() => Array.from(document.querySelectorAll(
    ".topbar a, .topbar button, .candidate-nav a, .notices summary, .page .message a")).filter(e => {
  const r = e.getBoundingClientRect();
  return r.width > 0 && (r.width < 40 || r.height < 40);
}).map(e => e.textContent.trim().slice(0, 20) + " " + Math.round(e.getBoundingClientRect().width) + "x" +
          Math.round(e.getBoundingClientRect().height))"""


def test_the_home_and_progress_pages_tap_targets_are_at_least_40px(narrow, year, tree, candidate):
    Announcement.objects.create(title="关于卫生专业技术资格考试报名的通知", body="报名时间见首页。",
                                published_at=timezone.now())
    application = complete_application(candidate, year, tree)
    # Returned: 去修改 is an inline link in the reason's box, on both pages.
    Application.objects.filter(pk=application.pk).update(state=State.RETURNED, stage="", submission_round=1,
                                                         returned_reason="照片不清晰")
    e2e.login(narrow, candidate.username, TEST_PASSWORD)
    for path in ("/candidate/", "/candidate/progress/"):
        narrow.goto(f"{narrow.base}{path}")
        expect(narrow.get_by_role("link", name="去修改")).to_be_visible()
        assert narrow.evaluate(SMALL_TARGETS) == [], path
    narrow.goto(f"{narrow.base}/candidate/")
    expect(narrow.locator(".notices summary").first).to_be_visible()


# --- 5: Enter in 联系地址 -----------------------------------------------------------------------------------------


def test_enter_in_the_address_neither_breaks_the_line_nor_saves(narrow, year, tree, candidate):
    application = _signed_in(narrow, candidate, year, tree)
    address = narrow.locator("#section-basic textarea[name='basic-address']")
    address.fill("福建省福州市鼓楼区")
    address.press("End")
    address.press("Enter")
    address.type("杨桥路1号")
    expect(address).to_have_value("福建省福州市鼓楼区杨桥路1号")
    expect(narrow.locator("#section-basic [data-saved]")).to_have_count(0)
    narrow.locator("#section-basic .actions button[type=submit]").click()
    expect(narrow.locator("#section-basic [data-saved]")).to_be_visible()
    application.refresh_from_db()
    assert application.address == "福建省福州市鼓楼区杨桥路1号"


def test_the_address_shows_a_long_address_whole_at_360px(narrow, year, tree, candidate):
    application = complete_application(candidate, year, tree)
    Application.objects.filter(pk=application.pk).update(address="福建省泉州市安溪县凤城镇城东社区大同路二十八号某某小区三号楼二单元五零二室")
    e2e.login(narrow, candidate.username, TEST_PASSWORD)
    narrow.goto(f"{narrow.base}/candidate/form/")
    address = narrow.locator("#section-basic [name='basic-address']")
    # Read back without scrolling the box: everything typed is inside what it shows.
    assert address.evaluate("a => a.scrollHeight <= a.clientHeight + 1 && a.scrollWidth <= a.clientWidth + 1")


# --- 7: a save that met an ended login --------------------------------------------------------------------------


def test_an_ended_login_offers_one_link_and_says_what_it_does(narrow, year, tree, candidate):
    _signed_in(narrow, candidate, year, tree)
    work = narrow.locator("#section-work")
    work.locator("input[name='work-0-title']").fill("主治医师")
    narrow.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
    work.locator(".actions button[type=submit]").click()
    alert = work.locator(":scope > [data-request-error]")
    expect(alert).to_contain_text("登录已超时")
    expect(alert).to_have_text("登录已超时，本部分未保存。已填写的内容已暂存在本页，请点重新登录，"
                               "登录后自动回到本部分并填回已填写的内容，请核对后再点保存。")
    links = alert.locator("a")
    expect(links).to_have_count(1)
    assert links.get_attribute("target") is None  # this tab, where the typing was kept


# --- 9: 获取验证码 for a number another candidate holds -------------------------------------------------------------


def test_a_taken_number_is_said_under_the_number(narrow, year, tree, candidate):
    _signed_in(narrow, candidate, year, tree)
    CandidateFactory(phone="13900002222")
    basic = narrow.locator("#section-basic")
    basic.locator("input[name='basic-phone']").fill("13900002222")
    basic.get_by_role("button", name="获取验证码").click()
    at_number = basic.locator("#phone-number-status")
    expect(at_number).to_have_text("该手机号码已被其他考生账号使用，请填写其他手机号码。")
    # Right under the number's box, above 短信验证码.
    box = basic.locator("input[name='basic-phone']").bounding_box()
    said = at_number.bounding_box()
    code = basic.locator("input[name='basic-sms_code']").bounding_box()
    assert box["y"] < said["y"] < code["y"]
    expect(basic.locator("#phone-code-status")).to_have_text("")


# --- 10: 尚需补全's items lead to their place ---------------------------------------------------------------------


def test_a_missing_item_takes_the_phone_to_its_slot(narrow, year, tree, candidate):
    application = complete_application(candidate, year, tree)
    ApplicationImage.objects.filter(application=application, slot="id_back").delete()
    e2e.login(narrow, candidate.username, TEST_PASSWORD)
    narrow.goto(f"{narrow.base}/candidate/form/")
    narrow.locator("#submit").get_by_role("link", name="请上传“身份证反面”的图片。").click()
    slot = narrow.locator("#img-id_back-")
    expect(slot).to_be_in_viewport()
    assert narrow.evaluate("() => location.hash") == "#img-id_back-"


# --- 12: a WebP picture is converted in the browser --------------------------------------------------------------


def test_a_webp_picture_is_sent_as_a_jpeg(narrow, year, tree, candidate):
    application = _signed_in(narrow, candidate, year, tree)
    ApplicationImage.objects.filter(application=application, slot="id_back").delete()
    narrow.reload()
    picture = io.BytesIO()
    Image.new("RGB", (400, 300), (30, 120, 200)).save(picture, "WEBP")
    slot = narrow.locator("#img-id_back-")
    slot.locator("input[type=file]").set_input_files(
        {"name": "saved-from-chat.webp", "mimeType": "image/webp", "buffer": picture.getvalue()})
    expect(slot.locator(".upload-status")).to_have_text("已上传1张图片。", timeout=30_000)
    stored = ApplicationImage.objects.get(application=application, slot="id_back")
    with stored.file.open("rb") as f:
        assert f.read(3) == b"\xff\xd8\xff"  # a JPEG


def test_the_site_agreed_state_reads_on_a_phone(narrow, year, tree, candidate):
    application = complete_application(candidate, year, tree)
    Application.objects.filter(pk=application.pk).update(state=State.IN_REVIEW, stage=Stage.SITE_REVIEW,
                                                         awaiting_forward=True, submission_round=1)
    e2e.login(narrow, candidate.username, TEST_PASSWORD)
    narrow.goto(f"{narrow.base}/candidate/progress/")
    expect(narrow.locator(".state").first).to_have_text("审核中（考点已审核同意，待考点汇总提交至考区）")
