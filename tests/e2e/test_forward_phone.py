"""汇总提交 on the narrowest phone: its 提交记录 scrolls in its own frame, the page never sideways."""

import pytest
from playwright.sync_api import expect

from prereg.applications.models import ForwardBatch, Stage
from tests.factories import TEST_PASSWORD

from .conftest import login

pytestmark = pytest.mark.browser


def test_the_forward_records_do_not_make_a_320px_page_scroll_sideways(phone, tree, year, reviewer_province):
    ForwardBatch.objects.create(
        org=tree["350000"], stage=Stage.DISTRICT_RECHECK, actor=reviewer_province, count=12,
        by_specialty={"心血管内科学（主治医师）": 5, "呼吸内科学（主治医师）": 4, "内科护理（主管护师）": 3})
    login(phone, reviewer_province.username, TEST_PASSWORD)
    phone.set_viewport_size({"width": 320, "height": 640})
    phone.goto(f"{phone.base}/backoffice/review/forward/")
    expect(phone.locator("td", has_text="心血管内科学")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"the 汇总提交 page is {width} px wide"
