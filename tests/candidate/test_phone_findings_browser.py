"""On the narrowest phones (320×568): what a QA probe found there, checked in the browser."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from prereg.applications.models import EducationRow
from tests.e2e import conftest as e2e
from tests.factories import TEST_PASSWORD, complete_application, jpeg_upload, submitted

_playwright, browser, server = e2e._playwright, e2e.browser, e2e.server

pytestmark = pytest.mark.browser

LONG = "LiKaShingFacultyOfMedicineTheUniversityOfHongKong"


@pytest.fixture
def small_phone(request, browser, server):
    yield from e2e._new_page(request, browser, server, {"width": 320, "height": 568}, mobile=True)


# Elements reaching past the viewport's right edge (but inside a box that scrolls on purpose, like the index).
WIDER = """() => Array.from(document.querySelectorAll(".page *")).filter(e => {
    if (e.closest(".form-index, .visually-hidden, .hidden, template")) { return false; }
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > document.documentElement.clientWidth + 0.5;
}).map(e => e.tagName + "." + e.className + ":" + e.textContent.slice(0, 40))"""


def page_width(page):
    return page.evaluate("() => document.documentElement.scrollWidth")


def test_long_latin_text_does_not_push_the_page_sideways_at_320px(small_phone, year, tree, candidate):
    application = complete_application(candidate, year, tree)
    EducationRow.objects.filter(application=application).update(school=LONG, major=LONG[:50])
    e2e.login(small_phone, candidate.username, TEST_PASSWORD)
    for path in ("/candidate/form/", "/candidate/", "/candidate/progress/"):
        small_phone.goto(f"{small_phone.base}{path}")
        assert page_width(small_phone) <= 320, path
        assert small_phone.evaluate(WIDER) == [], path


def test_the_review_screen_wraps_the_long_school_name_too_at_320px(small_phone, year, tree, reviewer_province):
    application = submitted(tree, year, name="考生甲")
    EducationRow.objects.filter(application=application).update(school=LONG)
    e2e.login(small_phone, reviewer_province.username, TEST_PASSWORD)
    small_phone.goto(f"{small_phone.base}/backoffice/review/{application.pk}/")
    expect(small_phone.get_by_text(LONG).first).to_be_attached()
    assert page_width(small_phone) <= 320
    assert small_phone.evaluate(WIDER.replace(".form-index", ".table-wrap")) == []


def _form(page, candidate, year, tree):
    application = complete_application(candidate, year, tree)
    e2e.login(page, candidate.username, TEST_PASSWORD)
    page.goto(f"{page.base}/candidate/form/")
    return application


def _answer(page, pattern, status, body, content_type="text/plain; charset=utf-8"):
    page.route(pattern, lambda route: route.fulfill(status=status, body=body, content_type=content_type))


SESSION_ENDED = "登录已超时，请在新窗口重新登录后回到本页再点保存（已填写的内容仍在本页）。"  # the server's 401 text


def test_a_failed_cascade_says_why_and_drops_the_stale_choices_below(small_phone, year, tree, candidate):
    _form(small_phone, candidate, year, tree)
    cascade = small_phone.locator("#cascade")
    level = cascade.locator("select[name='decl-level']")
    qualification = cascade.locator("select[name='decl-qualification']")
    specialty = cascade.locator("select[name='decl-specialty']")
    assert qualification.locator("option").count() > 1 and specialty.locator("option").count() > 1
    other_level = [v for v in level.locator("option").evaluate_all("os => os.map(o => o.value)")
                   if v and v != level.input_value()][0]

    # The session ended while the page was open: the server's 401.
    _answer(small_phone, "**/candidate/cascade/**", 401, SESSION_ENDED)
    level.select_option(other_level)
    alert = cascade.locator("[role=alert]")
    expect(alert).to_have_text("登录已超时，请在新窗口重新登录后回到本页重新选择（已填写的内容仍在本页）。")
    # The qualifications of the level before are not offered under the new one.
    expect(qualification.locator("option")).to_have_count(1)
    expect(qualification).to_have_value("")
    expect(specialty.locator("option")).to_have_count(1)
    expect(level).to_have_value(other_level)  # the choice itself stays
    small_phone.unroute("**/candidate/cascade/**")

    # The network down: said alike, the newest message only; back online, a new choice answers as before.
    small_phone.context.set_offline(True)
    level.select_option(index=0)
    expect(cascade.locator("[role=alert]")).to_have_text(
        "网络连接中断，下面的选项未能更新，请检查网络后重新选择。")
    small_phone.context.set_offline(False)
    level.select_option(other_level)
    expect(cascade.locator("[role=alert]")).to_have_count(0)
    expect(qualification.locator("option")).not_to_have_count(1)


def test_a_failed_unit_search_says_so_instead_of_showing_no_unit(small_phone, year, tree, candidate):
    _form(small_phone, candidate, year, tree)
    search, results = small_phone.locator("#unit-q"), small_phone.locator("#unit-results")
    search.fill(tree["35052401"].name[:2])
    expect(results.locator("[data-unit-id]").first).to_be_visible()

    small_phone.context.set_offline(True)
    search.fill(tree["35052401"].name[:3])
    expect(results.locator("[role=alert]")).to_have_text(
        "网络连接中断，未能搜索单位（并非没有该单位），请检查网络后再搜索。")
    expect(results.locator("[data-unit-id]")).to_have_count(0)  # the earlier search's units are gone
    small_phone.context.set_offline(False)

    _answer(small_phone, "**/candidate/units/**", 401, SESSION_ENDED)
    search.fill(tree["35052401"].name[:2])
    expect(results.locator("[role=alert]")).to_have_text("登录已超时，请在新窗口重新登录后回到本页重新搜索单位。")


def test_an_upload_after_the_session_ended_asks_to_choose_the_picture_again(small_phone, year, tree, candidate):
    _form(small_phone, candidate, year, tree)
    _answer(small_phone, "**/candidate/images/upload/", 401,
            json.dumps({"ok": False, "message": SESSION_ENDED}), "application/json")
    slot = small_phone.locator("[id='img-category-']")
    slot.locator("input[type=file]").set_input_files(
        {"name": "licence.jpg", "mimeType": "image/jpeg", "buffer": jpeg_upload(size=(400, 300)).read()})
    expect(slot.locator(".upload-status")).to_have_text("登录已超时，请在新窗口重新登录后回到本页重新选择图片上传。")


def test_the_signup_picture_is_above_the_sms_code_and_a_tap_swaps_it(small_phone):
    Client().post(reverse("candidate:signup_send_code"), {"phone": "13800138000"})  # this address has had a code
    small_phone.goto(f"{small_phone.base}/candidate/signup/")
    picture, answer = small_phone.locator("img.captcha"), small_phone.locator("input[name=captcha_1]")
    send = small_phone.get_by_role("button", name="发送验证码")
    assert answer.bounding_box()["y"] < send.bounding_box()["y"]  # answered before 发送验证码 is tapped
    old_src, old_key = picture.get_attribute("src"), small_phone.locator("input[name=captcha_0]").input_value()
    answer.fill("abcd")
    small_phone.get_by_role("button", name="看不清，换一张").click()
    expect(picture).not_to_have_attribute("src", old_src)
    expect(small_phone.locator("input[name=captcha_0]")).not_to_have_value(old_key)
    expect(answer).to_have_value("")
    expect(answer).to_be_focused()
    small_phone.wait_for_function("() => { const img = document.querySelector('img.captcha');"
                                  " return img.complete && img.naturalWidth > 0; }")  # the new picture loads
    assert page_width(small_phone) <= 320


def test_the_password_recovery_picture_can_be_swapped_too(small_phone):
    # The same widget on 找回密码: its help said 看不清请刷新页面换一张, which loses what was typed.
    small_phone.goto(f"{small_phone.base}{reverse('accounts:password_forgot')}")
    picture = small_phone.locator("img.captcha")
    old_src = picture.get_attribute("src")
    small_phone.get_by_label("账号").fill("13800138000")
    small_phone.get_by_role("button", name="看不清，换一张").click()
    expect(picture).not_to_have_attribute("src", old_src)
    expect(small_phone.get_by_label("账号")).to_have_value("13800138000")
    assert page_width(small_phone) <= 320


def test_the_machine_readings_table_wraps_at_320px_too(small_phone, year, tree, reviewer_province):
    # The verification probe: 机器识别's comparison under a diploma (证书编号 照片：103921201205001234) made the
    # review screen 350 px wide.
    from prereg.applications.models import ApplicationImage
    from prereg.ocr.models import ImageReading, ReadingStatus
    from tests.factories import ApplicationImageFactory

    application = submitted(tree, year, name="考生乙")
    row = EducationRow.objects.get(application=application)
    EducationRow.objects.filter(pk=row.pk).update(school=LONG)
    image = ApplicationImageFactory(application=application, slot="education", row_id=row.pk)
    text = ["毕业证书", "学生 考生乙，于二〇〇八年九月至二〇一二年七月在本校 护理学 专业 四 年制本科学习",
            "校名：福建中医药大学附属康复医院护理学院继续教育部", "证书编号：103921201205001234123456789"]
    ImageReading.objects.create(
        image=image, application=application, slot="education", sha256=image.sha256, status=ReadingStatus.DONE,
        width=image.width, height=image.height, kind="education",
        lines=[[t, [10, 10 + 40 * i, 300, 10 + 40 * i, 300, 40 + 40 * i, 10, 40 + 40 * i], 0.99, []]
               for i, t in enumerate(text)])
    assert ApplicationImage.objects.filter(application=application, slot="education").exists()
    e2e.login(small_phone, reviewer_province.username, TEST_PASSWORD)
    small_phone.goto(f"{small_phone.base}/backoffice/review/{application.pk}/")
    expect(small_phone.locator("table.ocr-fields").first).to_be_attached()
    assert page_width(small_phone) <= 320


def test_a_refresh_over_the_limit_says_so_not_to_check_the_network(small_phone, settings):
    # 看不清，换一张 is limited per address (security probe F7): over it the page said 请检查网络.
    settings.RATE_LIMITS = {**getattr(settings, "RATE_LIMITS", {}), "captcha_refresh": (1, 300)}
    small_phone.goto(f"{small_phone.base}{reverse('accounts:password_forgot')}")
    swap = small_phone.get_by_role("button", name="看不清，换一张")
    swap.click()
    expect(swap).to_be_enabled()
    swap.click()
    expect(small_phone.locator(".captcha-widget [data-request-error]")).to_have_text("操作过于频繁，请稍后再试。")
