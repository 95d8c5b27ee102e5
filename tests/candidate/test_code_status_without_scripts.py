"""获取验证码 without scripts posts the whole form, and the page comes back with what was typed. Its answer is
said where the script would put it, beside the button (or under 手机号码 when it is about the number typed),
not at the top of the page, far from the field on a phone."""

import re

import pytest
from django.urls import reverse

from prereg.accounts.models import Role
from prereg.applications.carryover import start_application
from prereg.catalog.models import Ethnicity
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def said_in(html: str, box_id: str) -> str:
    """The text of the status box `box_id` (an empty string when it says nothing)."""
    found = re.search(rf'<div id="{box_id}"[^>]*>(.*?)</div>', html, re.S)
    assert found, box_id
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def top_of_page(html: str) -> str:
    found = re.search(r'<div class="messages"[^>]*>(.*?)</div></div>', html, re.S)
    return found.group(1) if found else ""


def test_sign_up_says_the_code_beside_its_button(client):
    typed = {"name": "曹操", "id_type": "resident", "send_code": "1"}  # no ID number: the page would echo it
    html = client.post(reverse("candidate:signup"), {**typed, "phone": "12345"}).content.decode()
    assert "手机号码" in said_in(html, "code-status") and not top_of_page(html)
    assert 'value="曹操"' in html  # nothing typed is lost

    html = client.post(reverse("candidate:signup"), {**typed, "phone": "13800138123"}).content.decode()
    assert "验证码已发送" in said_in(html, "code-status") and not top_of_page(html)


@pytest.fixture
def basic_page(client, year, tree, candidate):
    client.force_login(candidate)
    application = start_application(candidate=candidate, exam_year=year)
    application.phone = "13800000000"
    application.save()

    def post(phone):
        payload = {"basic-name": "曹操", "basic-ethnicity": Ethnicity.objects.get(code="01").pk,
                   "basic-unit": tree["35052401"].pk, "basic-postcode": "350000", "basic-phone": phone,
                   "basic-address": "福建省福州市鼓楼区", "version": application.version, "send_code": "1"}
        return client.post(reverse("candidate:section", args=["basic"]), payload).content.decode()
    return post


def test_the_forms_basic_section_says_a_bad_number_under_the_number(basic_page):
    html = basic_page("1380000")
    assert said_in(html, "phone-number-status") and not said_in(html, "phone-code-status")
    assert not top_of_page(html) and 'value="1380000"' in html


def test_the_forms_basic_section_says_a_sent_code_beside_the_button(basic_page):
    html = basic_page("13900001111")
    assert "验证码已发送至139****1111" in said_in(html, "phone-code-status")
    assert not said_in(html, "phone-number-status") and not top_of_page(html)


def test_the_first_login_says_the_code_beside_its_button(client, tree):
    newcomer = UserFactory(role=Role.POINT, org=tree["350122"], name="", phone="", profile_completed=False,
                           must_change_password=True)
    client.force_login(newcomer)
    typed = {"profile-name": "陈晓", "profile-title": "科员", "profile-department": "医政科",
             "profile-version": newcomer.version, "pw-old_password": TEST_PASSWORD, "send_code": "1"}
    html = client.post(reverse("accounts:first_login"), {**typed, "profile-phone": "13900005556"}).content.decode()
    assert "验证码已发送至139****5556" in said_in(html, "phone-code-status") and not top_of_page(html)
    html = client.post(reverse("accounts:first_login"), {**typed, "profile-phone": "123"}).content.decode()
    assert said_in(html, "phone-code-status") and not top_of_page(html)
