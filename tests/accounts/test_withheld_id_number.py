"""登录 and 找回密码 never echo a full ID number into the page (docs/security.md: no full ID number on
pages not meant to show it), so a captcha typo or a wrong password empties the 账号 box. The box
says why, at the field, whenever it withheld what was typed (phone probe: the 18 digits vanished
without a word and the candidate thought the page had lost them)."""

import re

import pytest
from django.urls import reverse

from tests.factories import CandidateFactory

NOTE = "为保护个人信息，证件号码需重新输入"
UNKNOWN_ID = "350111199009091021"  # a valid number no account has


@pytest.fixture
def candidate(db):
    return CandidateFactory(phone="15005000499")


def _login(client, username):
    return client.post(reverse("accounts:login"), {"username": username, "password": "Wrong#2026pw"})


def _forgot(client, identifier):
    return client.post(reverse("accounts:password_forgot"), {"identifier": identifier, "captcha_0": "x",
                                                            "captcha_1": "wrong"})


def _box(html, name):
    return re.search(rf'<input [^>]*name="{name}"[^>]*>', html).group(0)


@pytest.mark.parametrize(("post", "name"), [(_login, "username"), (_forgot, "identifier")])
def test_an_id_number_typed_and_withheld_is_said_at_the_field(client, candidate, post, name):
    for number in (candidate.id_number, UNKNOWN_ID):  # said for what was typed, whoever has an account
        html = post(client, number).content.decode()
        box = _box(html, name)
        assert "value=" not in box and number not in html
        note = re.search(rf'<small class="help" id="(id_{name}_withheld)">([^<]+)</small>', html)
        assert note and NOTE in note.group(2)
        # Read with the box: the field's help and error ids stay beside it.
        described = re.search(r'aria-describedby="([^"]+)"', box).group(1).split()
        assert described[0] == note.group(1) and f"id_{name}_helptext" in described


@pytest.mark.parametrize(("post", "name"), [(_login, "username"), (_forgot, "identifier")])
def test_a_phone_or_a_login_name_is_echoed_and_nothing_is_said(client, candidate, post, name):
    for typed in (candidate.phone, "r350000"):
        html = post(client, typed).content.decode()
        assert f'value="{typed}"' in _box(html, name) and NOTE not in html
    assert NOTE not in client.get(reverse("accounts:login" if name == "username" else "accounts:password_forgot")
                                  ).content.decode()


def test_a_wrong_captcha_with_an_id_number_on_the_forgot_page_says_both(client, candidate):
    html = _forgot(client, candidate.id_number).content.decode()
    assert "图形验证码错误" in html and NOTE in html

