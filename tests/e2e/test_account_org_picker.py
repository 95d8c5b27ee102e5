"""新增审核账号: the account's org is found by typing its name, as the filters' 单位 is."""

import pytest

from prereg.accounts.models import User
from tests.factories import TEST_PASSWORD

from .conftest import login, submit

pytestmark = pytest.mark.browser


def test_a_district_finds_the_org_of_a_new_account_by_its_name(page, tree, reviewer_province):
    login(page, reviewer_province.username, TEST_PASSWORD)
    page.goto(f"{page.base}/backoffice/accounts/add/")
    page.fill("[data-org-text]", "鼓楼区卫生")
    page.locator(f"[data-org-id='{tree['350102'].pk}']").click()
    page.select_option("select[name=role]", label="报名点")
    page.fill("input[name=username]", "gulou-3")
    submit(page, "main form[method=post] button[type=submit]")
    assert User.objects.get(username="gulou-3").org == tree["350102"]
