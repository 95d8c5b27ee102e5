"""A refused form, drawn again with its errors, puts the keyboard where to look (app.js)."""

import pytest

from tests.factories import TEST_PASSWORD

from .conftest import login, submit

pytestmark = pytest.mark.browser


def active(page) -> dict:
    return page.evaluate("({name: document.activeElement.name || '', cls: document.activeElement.className})")


def test_a_refused_password_change_focuses_the_first_field_in_error(page, reviewer_anxi_hospital):
    login(page, reviewer_anxi_hospital.username, TEST_PASSWORD)
    page.goto(f"{page.base}/accounts/password/")
    page.fill("input[name='old_password']", TEST_PASSWORD)
    page.fill("input[name='new_password1']", "short")
    page.fill("input[name='new_password2']", "short")
    submit(page, "main form[method=post] button[type=submit]")
    assert page.locator(".has-error").count() >= 1
    page.wait_for_function("document.activeElement && document.activeElement.name === 'new_password1'")


def test_a_refused_sign_in_focuses_its_error(page, candidate):
    login(page, candidate.username, "wrong-password-1")
    page.wait_for_function("document.activeElement && document.activeElement.classList.contains('form-errors')")
    assert "密码" in page.evaluate("document.activeElement.textContent")
