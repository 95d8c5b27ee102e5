"""A section's save on a slow network whose answer never came (the page timed out, the server had saved it):
the page says the save may not have finished and to tap 保存 again, and that tap goes through instead of
being refused as saved on another page or device (phone journey probe)."""

import pytest
from playwright.sync_api import expect

from prereg.applications.models import Application
from tests.factories import TEST_PASSWORD

from .conftest import login
from .helpers import draft_for, held_request

pytestmark = pytest.mark.browser

SAVE_URL = "**/candidate/form/basic/"


def test_a_save_whose_answer_timed_out_is_finished_by_tapping_save_again(phone, tree, year):
    candidate, application = draft_for(tree, year, "35052401")
    login(phone, candidate.id_number, TEST_PASSWORD)
    phone.goto(f"{phone.base}/candidate/form/")
    phone.evaluate("htmx.config.timeout = 2000")  # the page's 30 s, shortened for the test
    held = []
    # The server saves; its answer is held back past the page's timeout, as on a network with 40 s of latency.
    phone.route(SAVE_URL, lambda route: held.append((route, route.fetch())))
    basic = phone.locator("#section-basic")
    basic.locator("textarea[name='basic-address'], input[name='basic-address']").fill("福建省泉州市安溪县凤城镇")
    basic.get_by_role("button", name="保存基本信息").click()
    route, _answer = held_request(phone, held)
    message = basic.locator("[data-request-error]")
    expect(message).to_have_text("未收到保存结果：网络响应超时，本次保存可能未完成。请检查网络后再点保存即可，"
                                 "已填写的内容仍在本页。", timeout=10_000)
    assert Application.objects.get(pk=application.pk).address == "福建省泉州市安溪县凤城镇"  # it was saved
    route.abort()
    phone.unroute(SAVE_URL)

    # The network is back: 保存 again (what is on the page, changed since or not) goes through.
    basic.locator("textarea[name='basic-address'], input[name='basic-address']").fill("福建省泉州市安溪县凤城镇城东路1号")
    basic.get_by_role("button", name="保存基本信息").click()
    basic = phone.locator("#section-basic")
    expect(basic.locator("[data-saved]")).to_have_text("已保存。")
    expect(phone.get_by_text("已在其他页面或设备上保存过")).to_have_count(0)
    assert Application.objects.get(pk=application.pk).address == "福建省泉州市安溪县凤城镇城东路1号"

    # The answer came: the next save is a new attempt, checked as every save is.
    basic.locator("textarea[name='basic-address'], input[name='basic-address']").fill("福建省泉州市安溪县凤城镇城东路2号")
    basic.get_by_role("button", name="保存基本信息").click()
    expect(phone.locator("#section-basic [data-saved]")).to_have_text("已保存。")
    assert Application.objects.get(pk=application.pk).address == "福建省泉州市安溪县凤城镇城东路2号"


def test_a_save_whose_connection_dropped_says_it_may_have_been_saved(phone, tree, year):
    # The server saved; the connection dropped before its answer came back.
    candidate, application = draft_for(tree, year, "35052401")
    login(phone, candidate.id_number, TEST_PASSWORD)
    phone.goto(f"{phone.base}/candidate/form/")

    def dropped(route):
        route.fetch()
        route.abort("connectionreset")

    phone.route(SAVE_URL, dropped)
    basic = phone.locator("#section-basic")
    basic.locator("textarea[name='basic-address'], input[name='basic-address']").fill("福建省泉州市安溪县城厢镇")
    basic.get_by_role("button", name="保存基本信息").click()
    expect(basic.locator("[data-request-error]")).to_have_text(
        "未收到保存结果：网络连接中断，本次保存可能未完成。请检查网络后再点保存即可，已填写的内容仍在本页。")
    phone.unroute(SAVE_URL)
    basic.get_by_role("button", name="保存基本信息").click()
    expect(phone.locator("#section-basic [data-saved]")).to_have_text("已保存。")
    assert Application.objects.get(pk=application.pk).address == "福建省泉州市安溪县城厢镇"
