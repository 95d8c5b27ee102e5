"""Reviewer-journey probe F9: a 否 ticked by htmx fills 不通过原因 with the mismatched items as a full page
load does (one function, review.js fillReason), and never over what the reviewer typed."""

import pytest
from playwright.sync_api import expect

from tests.backoffice.test_review_browser import app_with_images  # noqa: F401 (a fixture)
from tests.e2e import conftest as e2e
from tests.e2e.conftest import login
from tests.factories import TEST_PASSWORD

_playwright, browser, server, page = e2e._playwright, e2e.browser, e2e.server, e2e.page

pytestmark = pytest.mark.browser


def _tick_no(page, field):
    if field.get_attribute("open") is None:
        field.locator("summary").click()
    field.locator("button[name=consistent][value='0']").click()
    expect(field).to_have_attribute("data-consistent", "no")


def test_ticking_no_fills_the_reason_and_keeps_what_the_reviewer_typed(page, app_with_images,  # noqa: F811
                                                                        reviewer_anxi_hospital):
    login(page, reviewer_anxi_hospital.username, TEST_PASSWORD)
    page.goto(f"{page.base}/backoffice/review/{app_with_images.pk}/")
    reason = page.locator("#reason")
    expect(reason).to_have_value("")
    assert page.locator("[data-check-field]").count() >= 3

    _tick_no(page, page.locator("#field-id_card"))
    expect(reason).to_have_value("以下信息与原件不一致：证件（身份证正反面）。")
    # A second 否 rewrites the text the screen filled in; a reload fills the same text.
    other = page.locator("[data-check-field]:not(#field-id_card)").first
    _tick_no(page, other)
    filled = page.locator("#decision-state [data-fill-reason]").get_attribute("data-fill-reason")
    assert filled.count("、") == 1
    expect(reason).to_have_value(filled)
    page.reload()
    expect(reason).to_have_value(filled)

    # The reviewer's own words stay through a further 否.
    reason.fill("学历证书照片模糊，请重新上传。")
    _tick_no(page, page.locator("[data-check-field]:not(#field-id_card)").nth(1))
    expect(page.locator("#decision-state [data-fill-reason]")).not_to_have_attribute("data-fill-reason", filled)
    expect(reason).to_have_value("学历证书照片模糊，请重新上传。")
