"""The phone probe's races on a slow line: a choice in 申报信息 made while the cascade's last answer was on its way
came back undone (htmx dropped the newer request and swapped in the older answer), and a double tap on 发送验证码
sent a second request that the 图形验证码 rule then answered over the first's 验证码已发送."""

import contextlib

import pytest
from playwright.sync_api import expect

from prereg.catalog.models import Qualification
from tests.factories import TEST_PASSWORD

from .conftest import login
from .helpers import draft_for, held_request

pytestmark = pytest.mark.browser


def test_a_choice_made_while_the_cascade_is_loading_is_the_one_kept(phone, tree, year):
    candidate, application = draft_for(tree, year, "35052401")
    chosen = application.level.name
    other = (Qualification.objects.filter(level__exam_year=year).exclude(level=application.level)
             .select_related("level").first().level.name)
    login(phone, candidate.id_number, TEST_PASSWORD)
    phone.goto(f"{phone.base}/candidate/form/")
    held = []
    phone.route("**/candidate/cascade/**", lambda route: held.append(route))
    level = phone.locator("#section-declaration select[name='decl-level']")
    level.select_option(label=other)
    held_request(phone, held)
    level.select_option(label=chosen)  # changed back before the first answer came
    held_request(phone, held, 2)  # the newer choice asks the server at once (queued behind the first, it never did)
    phone.unroute("**/candidate/cascade/**")
    for route in held:
        with contextlib.suppress(Exception):  # the browser gave the superseded request up meanwhile
            route.continue_()
    expect(phone.locator("#cascade.htmx-request, #cascade.htmx-swapping, #cascade.htmx-settling")).to_have_count(0)
    phone.wait_for_timeout(300)
    expect(level.locator("option:checked")).to_have_text(chosen)


def test_a_double_tap_on_send_code_sends_one_request(phone, db):
    phone.goto(f"{phone.base}/candidate/signup/")
    held = []
    phone.route("**/candidate/signup/code/**", lambda route: held.append(route))
    phone.locator("[name=name]").fill("林晓燕")
    phone.locator("[name=id_number]").fill("350102199003151226")
    phone.locator("[name=phone]").fill("13905910001")
    button = phone.get_by_role("button", name="发送验证码")
    button.click()
    held_request(phone, held)
    expect(button).to_be_disabled()  # while the first is on its way: a second tap does nothing
    button.click(force=True)
    held[0].continue_()
    expect(phone.locator("#code-status")).to_contain_text("验证码已发送")
    phone.wait_for_timeout(500)
    assert len(held) == 1  # htmx queued the second tap's request after the first
    expect(phone.locator("#code-status")).to_contain_text("验证码已发送")
