"""A field's error from a refused submit goes once the candidate changes that field (sign-up probe: 请填写“姓名”
stayed under a name typed since, until the next submit), with its aria wiring; the others stay."""

import pytest
from playwright.sync_api import expect

from .conftest import submit

pytestmark = pytest.mark.browser


def test_a_fields_error_goes_once_the_field_is_changed_and_the_others_stay(phone):
    phone.goto(f"{phone.base}/candidate/signup/")
    submit(phone, "form button.btn.primary[type=submit]")
    name, phone_field = phone.locator("#id_name"), phone.locator("#id_phone")
    expect(phone.locator("#id_name_error")).to_have_text("请填写“姓名”。")
    expect(phone.locator("#id_phone_error")).to_be_visible()
    assert name.get_attribute("aria-invalid") == "true"
    assert "id_name_error" in name.get_attribute("aria-describedby")

    name.fill("李娜")

    expect(phone.locator("#id_name_error")).to_have_count(0)
    assert name.get_attribute("aria-invalid") is None
    assert "id_name_error" not in (name.get_attribute("aria-describedby") or "")
    assert "has-error" not in name.locator("xpath=..").get_attribute("class")
    # The fields not changed keep theirs, and the red of their field.
    expect(phone.locator("#id_phone_error")).to_be_visible()
    assert phone_field.get_attribute("aria-invalid") == "true"
    assert "has-error" in phone_field.locator("xpath=..").get_attribute("class")

    # The next submit checks again: a field still wrong is said again.
    name.fill("")
    submit(phone, "form button.btn.primary[type=submit]")
    expect(phone.locator("#id_name_error")).to_have_text("请填写“姓名”。")
