"""A login that ends while the candidate types loses nothing typed, in every browser (phone-journey probe: in
WeChat's in-app browser a section saved after 30 idle minutes said 登录已超时，请在新窗口重新登录… without a
link, as WeChat has no second window and following a link replaces the page). The unsaved sections are
kept in this tab's sessionStorage when a request meets the ended login, the message offers 重新登录 back
to the section, and the form page puts them back after the login, unsaved, and says so."""

import datetime

import pytest
from django.conf import settings
from playwright.sync_api import expect

from prereg.applications.models import Application, WorkRow
from tests.e2e import conftest as e2e
from tests.factories import TEST_PASSWORD, CandidateFactory, complete_application, jpeg_upload

_playwright, browser, server = e2e._playwright, e2e.browser, e2e.server

pytestmark = pytest.mark.browser

WECHAT_UA = ("Mozilla/5.0 (Linux; Android 12; V2055A Build/SP1A.210812.003; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 XWEB/5023 MMWEBSDK/20230405 "
             "MicroMessenger/8.0.35.2360(0x2800235B) WeChat/arm64 Weixin NetType/4G Language/zh_CN ABI/arm64")
RESTORED = "已恢复登录超时前未保存的内容，请核对后点保存。"
KEPT = "prereg-unsaved-sections"


def _counting_requests(page):
    """The page's requests in flight, kept in page.in_flight (see _quiet)."""
    page.in_flight = set()
    page.on("request", lambda request: page.in_flight.add(request))
    page.on("requestfinished", lambda request: page.in_flight.discard(request))
    page.on("requestfailed", lambda request: page.in_flight.discard(request))
    return page


@pytest.fixture
def iphone(request, browser, server):
    for page in e2e._new_page(request, browser, server, {"width": 375, "height": 812}, mobile=True):
        yield _counting_requests(page)


@pytest.fixture
def wechat(request, browser, server):
    for page in e2e._new_page(request, browser, server, {"width": 360, "height": 740}, mobile=True):
        # What the script reads: WeChat's in-app browser names itself MicroMessenger.
        page.context.add_init_script(
            f"Object.defineProperty(navigator, 'userAgent', {{get: () => {WECHAT_UA!r}}});")
        yield _counting_requests(page)


def _quiet(page):
    """Nothing in flight: on SQLite the live server serves one request at a time from the test's own database
    connection, and a request the browser drops as it leaves the page (a thumbnail scrolled into view) could
    leave it stuck mid-transaction; nor is the database flushed under a request when the test ends."""
    for _ in range(100):
        if not page.in_flight:
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"requests still in flight: {[r.url for r in page.in_flight]}")


def _open_form(page, candidate, year, tree):
    application = complete_application(candidate, year, tree)
    e2e.login(page, candidate.username, TEST_PASSWORD)
    page.goto(f"{page.base}/candidate/form/")
    return application


def _login_ends(page):
    """The idle timeout, as the browser meets it: the session cookie is gone."""
    page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)


def _type_into_two_sections(page):
    work, basic = page.locator("#section-work"), page.locator("#section-basic")
    work.locator("input[name='work-0-title']").fill("主治医师")
    work.locator("[data-add-row]").click()
    work.locator("input[name='work-1-unit_name']").fill("福州市第一医院")
    work.locator("input[name='work-1-start']").fill("2019-03")
    basic.locator("[name='basic-address']").fill("福建省福州市鼓楼区杨桥路1号")
    return work, basic


def _click_away(page, link):
    """Follow a link once the pictures its scrolling into view brings in have loaded (_quiet)."""
    link.scroll_into_view_if_needed()
    page.wait_for_timeout(200)
    _quiet(page)
    link.click()


def _follow_the_link_and_log_in(page, candidate, link):
    _click_away(page, link)
    page.wait_for_url("**/accounts/login/**")
    page.fill("input[name=username]", candidate.username)
    page.fill("input[name=password]", TEST_PASSWORD)
    e2e.submit(page, "form[action$='/accounts/login/'] button[type=submit]")
    page.wait_for_url("**/candidate/form/#section-work")


def _kept(page):
    return page.evaluate("key => sessionStorage.getItem(key)", KEPT)


def _settled(page):
    """A save's answer sets the index and the image panel fetching themselves again: waited for (_quiet)."""
    page.wait_for_timeout(300)
    _quiet(page)


def _typed_values_are_back(page, work, basic):
    expect(work.locator("input[name='work-0-title']")).to_have_value("主治医师")
    expect(work.locator("input[name='work-1-unit_name']")).to_have_value("福州市第一医院")
    expect(work.locator("input[name='work-1-start']")).to_have_value("2019-03")
    expect(basic.locator("[name='basic-address']")).to_have_value("福建省福州市鼓楼区杨桥路1号")
    for section in (work, basic):
        expect(section.locator("[data-restored]")).to_have_text(RESTORED)


@pytest.mark.parametrize("browser_name", ["iphone", "wechat"])
def test_what_was_typed_comes_back_after_the_login_its_save_met_had_ended(request, server, browser_name, year, tree,
                                                                          candidate):
    page = request.getfixturevalue(browser_name)
    application = _open_form(page, candidate, year, tree)
    work, basic = _type_into_two_sections(page)
    _login_ends(page)
    work.locator(".actions button[type=submit]").click()
    alert = work.locator(":scope > [data-request-error]")
    expect(alert).to_contain_text("登录已超时")
    expect(alert).to_contain_text("已填写的内容已暂存")
    link = alert.get_by_role("link", name="重新登录", exact=True)
    expect(link).to_have_attribute("href", "/accounts/login/?next=%2Fcandidate%2Fform%2F%23section-work")
    assert link.get_attribute("target") is None  # this tab: it comes back here, where the typing was kept
    if browser_name == "wechat":  # no second window there: the message does not ask for one
        expect(alert).not_to_contain_text("新窗口")

    _follow_the_link_and_log_in(page, candidate, link)
    _typed_values_are_back(page, work, basic)
    assert _kept(page) is None  # put back once, not again
    # Unsaved until saved: the save stores them.
    work.locator(".actions button[type=submit]").click()
    expect(work.locator("[data-saved]")).to_be_visible()
    expect(work.locator("[data-restored]")).to_have_count(0)
    rows = list(WorkRow.objects.filter(application=application).order_by("order"))
    assert [(r.title, r.unit_name, r.start) for r in rows][1:] == [("", "福州市第一医院", datetime.date(2019, 3, 1))]
    assert rows[0].title == "主治医师"
    expect(basic.locator("[data-restored]")).to_have_text(RESTORED)  # still to be saved
    _settled(page)


def test_a_row_removed_before_the_login_ended_stays_removed(iphone, year, tree, candidate):
    application = _open_form(iphone, candidate, year, tree)
    work = iphone.locator("#section-work")
    work.locator("[data-add-row]").click()
    work.locator("input[name='work-1-unit_name']").fill("福州市第一医院")
    work.locator("input[name='work-1-start']").fill("2019-03")
    work.locator("[data-remove-row]").first.click()  # the saved row goes
    _login_ends(iphone)
    work.locator(".actions button[type=submit]").click()
    link = work.locator(":scope > [data-request-error]").get_by_role("link", name="重新登录", exact=True)
    _follow_the_link_and_log_in(iphone, candidate, link)
    expect(work.locator("[data-row]:not(.removed)")).to_have_count(1)
    expect(work.locator("input[name='work-1-unit_name']")).to_have_value("福州市第一医院")
    work.locator(".actions button[type=submit]").click()
    expect(work.locator("[data-saved]")).to_be_visible()
    assert list(WorkRow.objects.filter(application=application).values_list("unit_name", flat=True)) == ["福州市第一医院"]
    _settled(iphone)


def test_typing_put_back_over_a_section_saved_elsewhere_meanwhile_is_refused_as_stale(iphone, year, tree, candidate):
    # Kept with the section_version it was typed against: put back, it does not overwrite the other save unseen.
    application = _open_form(iphone, candidate, year, tree)
    work = iphone.locator("#section-work")
    work.locator("input[name='work-0-title']").fill("主治医师")
    _login_ends(iphone)
    work.locator(".actions button[type=submit]").click()
    link = work.locator(":scope > [data-request-error]").get_by_role("link", name="重新登录", exact=True)
    expect(link).to_be_visible()
    saves = application.section_versions.get("work", 0)
    Application.objects.filter(pk=application.pk).update(section_versions={"work": saves + 1})  # another phone
    WorkRow.objects.filter(application=application).update(title="医师（另一台手机）")
    _follow_the_link_and_log_in(iphone, candidate, link)
    expect(work.locator("input[name='work-0-title']")).to_have_value("主治医师")
    work.locator(".actions button[type=submit]").click()
    expect(work.locator("[role=alert]").first).to_contain_text("本部分已在其他页面或设备上保存过")
    assert WorkRow.objects.get(application=application).title == "医师（另一台手机）"
    _settled(iphone)


def test_the_sms_code_and_the_csrf_token_are_not_kept(iphone, year, tree, candidate):
    _open_form(iphone, candidate, year, tree)
    basic = iphone.locator("#section-basic")
    basic.locator("[name='basic-address']").fill("福建省福州市鼓楼区杨桥路1号")
    basic.locator("input[name='basic-sms_code']").fill("123456")
    _login_ends(iphone)
    basic.locator(".actions button[type=submit]").click()
    expect(basic.locator(":scope > [data-request-error]")).to_contain_text("已填写的内容已暂存")
    kept = _kept(iphone)
    assert "杨桥路1号" in kept
    assert "123456" not in kept and "sms_code" not in kept and "csrfmiddlewaretoken" not in kept
    _settled(iphone)


def test_another_account_signing_in_in_the_tab_does_not_get_what_was_kept(iphone, year, tree, candidate):
    other = CandidateFactory()
    complete_application(other, year, tree)
    _open_form(iphone, candidate, year, tree)
    iphone.locator("#section-basic [name='basic-address']").fill("福建省福州市鼓楼区杨桥路1号")
    _login_ends(iphone)
    iphone.locator("#section-basic .actions button[type=submit]").click()
    expect(iphone.locator("#section-basic [data-request-error]")).to_contain_text("已填写的内容已暂存")
    e2e.login(iphone, other.username, TEST_PASSWORD, next_url="/candidate/form/")
    iphone.wait_for_url("**/candidate/form/")
    expect(iphone.locator("#section-basic [name='basic-address']")).not_to_have_value("福建省福州市鼓楼区杨桥路1号")
    expect(iphone.locator("[data-restored]")).to_have_count(0)
    assert _kept(iphone) is None  # dropped, not kept for later
    _settled(iphone)


def test_the_declarations_cascading_choices_come_back_as_chosen(iphone, year, tree, candidate):
    _open_form(iphone, candidate, year, tree)
    declaration = iphone.locator("#section-declaration")
    level = declaration.locator("select[name='decl-level']")
    other_level = [v for v in level.locator("option").evaluate_all("os => os.map(o => o.value)")
                   if v and v != level.input_value()][0]
    level.select_option(other_level)
    chosen = {"decl-level": other_level}
    # Each select below offers what the one above allows (the cascade draws itself again): the first offered.
    for name in ("decl-qualification", "decl-category", "decl-scope", "decl-specialty"):
        _settled(iphone)
        select = declaration.locator(f"select[name='{name}']")
        if not select.count():  # no 执业注册范围 for this category
            continue
        expect(select.locator("option")).not_to_have_count(1)
        chosen[name] = select.locator("option").nth(1).get_attribute("value")
        select.select_option(chosen[name])
    _settled(iphone)
    _login_ends(iphone)
    declaration.locator(".actions button[type=submit]").click()
    link = declaration.locator(":scope > [data-request-error]").get_by_role("link", name="重新登录", exact=True)
    _click_away(iphone, link)
    iphone.fill("input[name=username]", candidate.username)
    iphone.fill("input[name=password]", TEST_PASSWORD)
    e2e.submit(iphone, "form[action$='/accounts/login/'] button[type=submit]")
    iphone.wait_for_url("**/candidate/form/#section-declaration")
    expect(declaration.locator("[data-restored]")).to_have_text(RESTORED)
    for name, value in chosen.items():
        expect(declaration.locator(f"select[name='{name}']")).to_have_value(value)
    _settled(iphone)


def test_with_something_unsaved_the_last_minutes_of_the_login_are_said(iphone, year, tree, candidate):
    complete_application(candidate, year, tree)
    e2e.login(iphone, candidate.username, TEST_PASSWORD)
    iphone.clock.install()
    iphone.goto(f"{iphone.base}/candidate/form/")
    warning = iphone.locator("[data-session-warning]")
    iphone.clock.fast_forward("26:00")  # idle, nothing typed: nothing to say
    expect(warning).to_be_hidden()
    work = iphone.locator("#section-work")
    work.locator("input[name='work-0-title']").fill("主治医师")
    iphone.clock.fast_forward("00:30")
    expect(warning).to_be_visible()
    expect(warning).to_have_text("已较长时间未保存：约4分钟后登录超时，请先点保存已填写的部分。")
    work.locator(".actions button[type=submit]").click()  # the server's clock: the login has not ended
    expect(work.locator("[data-saved]")).to_be_visible()
    expect(warning).to_be_hidden()
    _settled(iphone)


def test_a_second_tap_on_save_still_says_the_typing_is_kept(wechat, year, tree, candidate):
    _open_form(wechat, candidate, year, tree)
    work = wechat.locator("#section-work")
    work.locator("input[name='work-0-title']").fill("主治医师")
    _login_ends(wechat)
    for _ in range(2):
        work.locator(".actions button[type=submit]").click()
        expect(work.locator(".actions button[type=submit]")).to_be_enabled()  # answered
    alert = work.locator(":scope > [data-request-error]")
    expect(alert).to_contain_text("已填写的内容已暂存")
    expect(alert.get_by_role("link", name="重新登录", exact=True)).to_be_visible()
    _settled(wechat)


def test_in_wechat_a_cascade_or_an_upload_meeting_the_ended_login_offers_the_login_too(wechat, year, tree, candidate):
    # Their messages elsewhere ask to sign in again in a new window, which WeChat does not have.
    _open_form(wechat, candidate, year, tree)
    basic = wechat.locator("#section-basic")
    basic.locator("[name='basic-address']").fill("福建省福州市鼓楼区杨桥路1号")
    _login_ends(wechat)
    cascade = wechat.locator("#cascade")
    level = cascade.locator("select[name='decl-level']")
    level.select_option(index=0)
    alert = cascade.locator("[role=alert]")
    expect(alert).to_have_text("登录已超时，已填写的内容已暂存，请重新登录，登录后回到本页重新选择。")
    expect(alert.get_by_role("link", name="重新登录")).to_have_attribute(
        "href", "/accounts/login/?next=%2Fcandidate%2Fform%2F%23section-declaration")

    slot = wechat.locator("[id='img-category-']")
    slot.locator("input[type=file]").set_input_files(
        {"name": "licence.jpg", "mimeType": "image/jpeg", "buffer": jpeg_upload(size=(400, 300)).read()})
    status = slot.locator(".upload-status")
    expect(status).to_have_text("登录已超时，图片未上传。已填写的内容已暂存，请重新登录，登录后回到本页重新选择图片上传。")
    _click_away(wechat, status.get_by_role("link", name="重新登录"))
    wechat.fill("input[name=username]", candidate.username)
    wechat.fill("input[name=password]", TEST_PASSWORD)
    e2e.submit(wechat, "form[action$='/accounts/login/'] button[type=submit]")
    wechat.wait_for_url("**/candidate/form/#img-category-")
    expect(basic.locator("[name='basic-address']")).to_have_value("福建省福州市鼓楼区杨桥路1号")
    expect(basic.locator("[data-restored]")).to_have_text(RESTORED)
    _settled(wechat)
