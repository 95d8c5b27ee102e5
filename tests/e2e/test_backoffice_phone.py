"""The back office on a 375-px phone: a list wider than the screen scrolls in its own frame; the
page itself never scrolls sideways (the QA probe measured 883–1597 px on every list page)."""

import pytest

from tests.factories import TEST_PASSWORD, submitted

from .conftest import login

pytestmark = pytest.mark.browser

PAGES = ["/backoffice/", "/backoffice/review/pending/", "/backoffice/review/reviewed/", "/backoffice/review/forward/",
         "/backoffice/review/cross/", "/backoffice/orgs/", "/backoffice/orgs/add/", "/backoffice/unit-requests/",
         "/backoffice/accounts/", "/backoffice/role-permissions/", "/backoffice/candidates/", "/backoffice/exports/",
         "/backoffice/reminders/", "/backoffice/reconcile/", "/backoffice/stats/", "/backoffice/years/",
         "/backoffice/years/open/", "/backoffice/announcements/", "/backoffice/notices/"]


def test_no_back_office_list_makes_the_phone_page_scroll_sideways(phone, tree, year, reviewer_province):
    applications = [submitted(tree, year, name=f"考生{n}") for n in range(3)]
    login(phone, reviewer_province.username, TEST_PASSWORD)
    for path in [*PAGES, f"/backoffice/review/{applications[0].pk}/", f"/backoffice/years/{year.pk}/"]:
        phone.goto(f"{phone.base}{path}")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= phone.viewport_size["width"], f"{path}: the page is {width} px wide"


def test_the_menu_links_are_tap_targets_on_a_phone(phone, tree, year, reviewer_province):
    login(phone, reviewer_province.username, TEST_PASSWORD)
    phone.goto(f"{phone.base}/backoffice/")
    phone.click(".nav-toggle")
    heights = phone.eval_on_selector_all(".sidebar a", "links => links.map(a => a.getBoundingClientRect().height)")
    assert heights and min(heights) >= 44, heights


def test_a_list_wider_than_its_frame_keeps_its_actions_in_view(phone, tree, year, reviewer_province):
    # The review probe: 审核 and 撤办 were cut at the right edge at 1366 px and off-screen on a tablet.
    submitted(tree, year, name="考生甲")
    login(phone, reviewer_province.username, TEST_PASSWORD)
    for path in ("/backoffice/review/pending/", "/backoffice/review/reviewed/"):
        phone.goto(f"{phone.base}{path}")
        wrap = phone.locator(".table-wrap").first
        assert wrap.evaluate("w => w.scrollWidth > w.clientWidth"), path  # the list is wider than the phone
        cell = wrap.locator("thead th.actions-cell")
        right = wrap.evaluate("w => w.getBoundingClientRect().right")
        assert cell.evaluate("c => c.getBoundingClientRect().right") <= right + 1, path
