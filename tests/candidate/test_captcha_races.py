"""The 图形验证码's rules hold for requests sent at the same moment (security probe F2), on PostgreSQL
with threads: one sign-up code without the picture per address, and one code per answered picture.

Each race widens the window the probe found, so that every request is inside it: the sign-up code's
hashing is slowed as a production hasher is (the free code was counted only after it), and every
reader of a picture's row holds it a moment before going on (the package read the row, then
deleted it). Sequential behaviour is in tests/candidate/test_signup.py and
tests/accounts/test_login_security.py."""

import threading

import pytest
from captcha.models import CaptchaStore
from django.core.cache import caches
from django.core.management import call_command
from django.db.models.signals import post_init
from django.test import Client
from django.urls import reverse

from prereg.notify import sms
from prereg.notify.models import SmsCode, SmsMessage
from tests import captcha
from tests.concurrency import at_once
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db(transaction=True)
N = 12


def post(url, data):
    def act():
        response = Client().post(url, data, HTTP_HX_REQUEST="true")
        return response.status_code, response.get("Location", ""), response.content.decode()

    return act


@pytest.fixture(params=["locmem", "database"])
def cache(request, settings):
    """The suite's cache, and the database cache a server without Redis counts in (each request its
    own connection, as each process)."""
    if request.param == "database":
        settings.CACHES = {
            **settings.CACHES,
            "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "prereg_cache"},
        }
        call_command("createcachetable", verbosity=0)
        caches["default"].clear()
    return request.param


def test_sign_up_codes_sent_at_once_from_one_address_without_the_picture_send_one(
    postgres_only, cache, monkeypatch
):
    slow = sms.new_code

    def new_code():
        threading.Event().wait(0.5)  # a production hash takes this long, or a busy server
        return slow()

    monkeypatch.setattr(sms, "new_code", new_code)
    url = reverse("candidate:signup_send_code")
    outcomes = at_once(*(post(url, {"phone": f"1770000{i:04d}"}) for i in range(N)))
    bodies = [body for _status, _location, body in outcomes]
    assert sum("验证码已发送" in body for body in bodies) == 1, bodies
    assert sum("请输入图形验证码" in body for body in bodies) == N - 1
    assert SmsMessage.objects.filter(purpose="signup").count() == 1
    assert SmsCode.objects.filter(purpose="signup").count() == 1
    # The others were asked for the picture, as a second request is: answered, it sends.
    asked = next(body for body in bodies if "请输入图形验证码" in body)
    sent = Client().post(url, {"phone": "17700000099", **captcha.solved_on(asked)}, HTTP_HX_REQUEST="true")
    assert "验证码已发送" in sent.content.decode()


def test_forgot_password_posts_at_once_with_one_answered_picture_issue_one_code(postgres_only):
    accounts = [CandidateFactory(phone=f"1770000{i:04d}") for i in range(N)]
    answered = captcha.solved()

    def held(sender, instance, **kwargs):
        threading.Event().wait(0.3)  # every request has read the row before any goes on

    post_init.connect(held, sender=CaptchaStore, weak=False)
    try:
        url = reverse("accounts:password_forgot")
        outcomes = at_once(*(post(url, {"identifier": account.phone, **answered}) for account in accounts))
    finally:
        post_init.disconnect(held, sender=CaptchaStore)
    accepted = [location for status, location, _body in outcomes if status == 302]
    assert accepted == [reverse("accounts:password_forgot_reset")], outcomes
    assert sum("图形验证码错误" in body for _status, _location, body in outcomes) == N - 1
    assert SmsCode.objects.filter(purpose="password_reset").count() == 1
    assert not CaptchaStore.objects.filter(hashkey=answered["captcha_0"]).exists()


def test_one_picture_allows_one_try_in_turn_too(db):
    from prereg.accounts.forms import CaptchaForm

    answered = captcha.solved()
    assert CaptchaForm(answered).is_valid()
    again = CaptchaForm(answered)
    assert not again.is_valid() and again.errors["captcha"] == ["图形验证码错误，请看清后重新输入。"]
    answered = captcha.solved()
    assert not CaptchaForm({**answered, "captcha_1": "zzzz"}).is_valid()
    assert not CaptchaForm(answered).is_valid()  # a wrong try spent the picture, as the package does
    assert CaptchaForm({**captcha.solved(), "captcha_1": ""}).errors["captcha"] == ["请输入图形验证码。"]
    answered = captcha.solved()
    assert CaptchaForm({**answered, "captcha_1": f" {answered['captcha_1'].upper()} "}).is_valid()  # any case
