"""What the phone-journey tester found that the pages' markup settles: the row fields' red * told to a screen
reader, a ⊖'d row's box never put back by the browser, and Enter pressing the form's main button, not 发送验证码."""

import re

import pytest
from django.urls import reverse

from prereg.accounts.models import Role
from tests.factories import UserFactory, complete_application


@pytest.fixture
def form_html(client, candidate, year, tree):
    complete_application(candidate, year, tree)
    client.force_login(candidate)
    return client.get(reverse("candidate:form")).content.decode()


def _fields(html, section):
    """Each .field block of a section's rows: (its classes, its control's tag)."""
    part = re.search(rf'<form id="section-{section}".*?</form>', html, re.S).group(0)
    rows = "".join(re.findall(r'<fieldset class="row-card.*?</fieldset>', part, re.S))
    return re.findall(r'<div class="(field[^"]*)">\s*<label[^>]*>.*?</label>\s*(<(?:input|select|textarea)[^>]*>)',
                      rows, re.S)


@pytest.mark.parametrize("section", ["work", "education", "appointment"])
def test_a_row_field_marked_required_says_so_to_a_screen_reader(form_html, section):
    fields = _fields(form_html, section)
    assert fields, section
    required = [control for classes, control in fields if "required" in classes.split()]
    optional = [control for classes, control in fields if "required" not in classes.split()]
    assert required, section
    assert all('aria-required="true"' in control for control in required), required
    assert not any("aria-required" in control for control in optional), optional


def test_the_row_template_of_add_row_says_it_too(form_html):
    template = re.search(r'<template data-row-template>(.*?)</template>', form_html, re.S).group(1)
    assert 'aria-required="true"' in template


def test_a_rows_delete_box_is_not_put_back_by_the_browser(form_html):
    boxes = re.findall(r'<input type="checkbox" name="[\w-]+-DELETE"[^>]*>', form_html)
    assert boxes and all('autocomplete="off"' in box for box in boxes), boxes


def _first_submit(html, form_pattern=r"<form[^>]*method=\"post\"[^>]*>.*?</form>", which=0):
    form = [f for f in re.findall(form_pattern, html, re.S) if "csrfmiddlewaretoken" in f][which]
    return re.search(r'<button[^>]*type="submit"[^>]*>[^<]*</button>', form).group(0)


def test_enter_in_sign_up_presses_register_not_send_code(client, db):
    first = _first_submit(client.get(reverse("candidate:signup")).content.decode())
    assert "send_code" not in first and "hx-post" not in first and ">注册<" in first


@pytest.mark.parametrize("url", ["accounts:profile", "accounts:first_login"])
def test_enter_in_the_profile_and_the_first_login_saves_not_send_code(client, tree, url):
    reviewer = UserFactory(role=Role.POINT, org=tree["350122"], name="", phone="",
                           profile_completed=url == "accounts:profile", must_change_password=False)
    client.force_login(reviewer)
    first = _first_submit(client.get(reverse(url)).content.decode(), r'<form method="post" novalidate>.*?</form>')
    assert "send_code" not in first and ">保存<" in first
