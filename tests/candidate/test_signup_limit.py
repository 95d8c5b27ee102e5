"""The sign-up limit (10 an hour per phone and per ID number) counts sign-ups the form accepts.

Input probe: ten submissions refused at a field (a weak password, an ID number's check digit) within
an hour locked the phone out, the correct eleventh too, with 注册过于频繁，请61分钟后再试. They neither
try the phone's code nor make an account; a wrong code is still counted.
"""

import pytest
from django.urls import reverse

from prereg.accounts.models import User
from tests.candidate.test_signup import ID, PHONE, data, send_code

BAD_CHECK_DIGIT = ID[:-1] + ("0" if ID[-1] != "0" else "1")
TYPOS = [{"password1": "12345678", "password2": "12345678"}, {"id_number": BAD_CHECK_DIGIT},
         {"password2": "Kaoshi#2026y"}, {"name": ""}, {"sms_code": ""}]


@pytest.fixture(autouse=True)
def _signup_may_echo_the_typed_id(monkeypatch):
    """As in test_signup: a failed sign-up re-renders the ID number just typed."""
    try:
        from tests.security import pii
    except ImportError:
        return
    monkeypatch.setattr(pii, "ALLOWED_URL_NAMES", pii.ALLOWED_URL_NAMES | {"candidate:signup"})


@pytest.mark.django_db
def test_sign_ups_refused_at_a_field_do_not_lock_the_phone_out(client):
    for n in range(12):
        body = client.post(reverse("candidate:signup"), data(**TYPOS[n % len(TYPOS)])).content.decode()
        assert "注册过于频繁" not in body, n
    code = send_code(client)  # the code is not refused either (the limit is asked before it is sent)
    response = client.post(reverse("candidate:signup"), data(sms_code=code))
    assert response.status_code == 302
    assert User.objects.filter(id_number=ID, phone=PHONE).exists()


@pytest.mark.django_db
def test_wrong_codes_still_count_and_then_even_the_right_one_waits(client, settings):
    settings.RATE_LIMITS = {"signup": (3, 3600)}
    code = send_code(client)
    wrong = "111111" if code != "111111" else "222222"
    for _ in range(3):
        body = client.post(reverse("candidate:signup"), data(sms_code=wrong)).content.decode()
        assert "验证码错误" in body
    body = client.post(reverse("candidate:signup"), data(sms_code=code)).content.decode()
    assert "注册过于频繁，请" in body and "分钟后再试" in body
    assert not User.objects.filter(id_number=ID).exists()


@pytest.mark.django_db
def test_once_the_limit_is_used_up_a_typo_is_told_so_too(client, settings):
    settings.RATE_LIMITS = {"signup": (2, 3600)}
    for _ in range(2):  # no code was sent: 验证码已失效, counted
        client.post(reverse("candidate:signup"), data())
    body = client.post(reverse("candidate:signup"), data(password2="Kaoshi#2026y")).content.decode()
    assert "两次输入的密码不一致" in body and "注册过于频繁，请" in body
