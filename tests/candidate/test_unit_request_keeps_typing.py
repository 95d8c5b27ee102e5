"""申请添加单位 from the unit search loses nothing typed (phone-journey probe: 民族, 邮编 and 地址 typed before
searching the unit were gone when the candidate came back from the request), and the request starts from
the name searched for."""

import pytest
from playwright.sync_api import expect

from tests.candidate.test_expired_login_keeps_typing import _click_away, _open_form, _quiet, iphone  # noqa: F401
from tests.e2e import conftest as e2e

_playwright, browser, server = e2e._playwright, e2e.browser, e2e.server

pytestmark = pytest.mark.browser


def test_the_typing_comes_back_from_the_unit_request_and_the_request_starts_from_the_search(
        iphone, year, tree, candidate):  # noqa: F811
    page = iphone
    _open_form(page, candidate, year, tree)
    basic = page.locator("#section-basic")
    basic.locator("[name='basic-address']").fill("福建省福州市鼓楼区杨桥路1号")
    basic.locator("#unit-q").fill("火星 诊所")
    link = basic.get_by_role("link", name="申请添加单位")
    expect(link).to_be_visible()
    _quiet(page)
    _click_away(page, link)
    page.wait_for_url("**/candidate/units/request/**")
    expect(page.locator("input[name=full_name]")).to_have_value("火星 诊所")
    page.get_by_role("link", name="返回").click()
    page.wait_for_url("**/candidate/form/#section-basic")
    basic = page.locator("#section-basic")
    expect(basic.locator("[name='basic-address']")).to_have_value("福建省福州市鼓楼区杨桥路1号")
    expect(basic.locator("[data-restored]")).to_have_text("已恢复离开本页前未保存的内容，请核对后点保存。")
    _quiet(page)
