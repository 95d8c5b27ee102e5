"""A double tap on 提交审核 or 撤回 asks once (phone-journey probe: the data-confirm question came twice,
one post going through; the second question asked about an act already under way)."""

import pytest
from playwright.sync_api import expect

from prereg.applications.models import State
from tests.e2e import conftest as e2e
from tests.factories import TEST_PASSWORD, complete_application

_playwright, browser, server = e2e._playwright, e2e.browser, e2e.server

pytestmark = pytest.mark.browser


@pytest.fixture
def android(request, browser, server):
    yield from e2e._new_page(request, browser, server, {"width": 360, "height": 740}, mobile=True)


def _slow(page, path):
    """The answer to a post to `path` takes a moment, as on a slow 3G phone: the second tap comes first."""
    def answer_late(route):
        page.wait_for_timeout(800)
        route.continue_()
    page.route(f"**{path}", answer_late)


def test_a_double_tap_on_submit_asks_once_and_submits_once(android, year, tree, candidate):
    application = complete_application(candidate, year, tree)
    e2e.login(android, candidate.username, TEST_PASSWORD)
    android.goto(f"{android.base}/candidate/form/")
    _slow(android, "/candidate/submit/")
    with android.expect_navigation():
        android.locator("form[action$='/candidate/submit/'] button").dblclick()
    android.wait_for_url("**/candidate/progress/")
    assert android.dialogs == ["提交后进入审核，审核期间不能修改。确定提交？"]
    application.refresh_from_db()
    assert application.state == State.IN_REVIEW and application.submission_round == 1


def test_a_double_tap_on_withdraw_asks_once(android, year, tree, candidate):
    application = complete_application(candidate, year, tree)
    e2e.login(android, candidate.username, TEST_PASSWORD)
    android.goto(f"{android.base}/candidate/form/")
    android.locator("form[action$='/candidate/submit/'] button").click()
    android.wait_for_url("**/candidate/progress/")
    android.dialogs.clear()
    _slow(android, "/candidate/withdraw/")
    with android.expect_navigation():
        android.get_by_role("button", name="撤回").dblclick()
    android.wait_for_url("**/candidate/form/")
    expect(android.locator(".message.success")).to_contain_text("已撤回")
    assert android.dialogs == ["撤回后需重新提交，确定撤回？"]
    application.refresh_from_db()
    assert application.state == State.DRAFT
