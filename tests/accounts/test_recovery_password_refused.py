"""找回密码 step 2 with the right code and a new password the account's own rules refuse (a recent
password, one built from the account's details): the refusal must leave the code live for a second
password (phone probe: the code was spent first and the candidate was told 验证码已失效, a new SMS and
a minute away), and must tell no one without the code anything an unknown identifier would not."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from prereg.accounts.services import RECOVERY_TRIES
from prereg.notify.models import SmsCode, SmsMessage
from tests import captcha
from tests.factories import TEST_PASSWORD, CandidateFactory

NEW_PASSWORD = "Xinmima#2027"  # noqa: S105
UNKNOWN_ID = "350111199009091021"  # no account has it


@pytest.fixture
def user(db):
    return CandidateFactory(phone="15005000499")


def _forgot(client, identifier):
    return client.post(reverse("accounts:password_forgot"), {"identifier": identifier, **captcha.solved()})


def _reset(client, code, password):
    return client.post(reverse("accounts:password_forgot_reset"),
                       {"code": code, "new_password1": password, "new_password2": password})


def _sent_code(phone):
    return re.search(r"验证码(\d{6})", SmsMessage.objects.filter(phone=phone).latest("pk").text).group(1)


def _messages(response):
    """What the page says (its messages, its form errors), without the parts that echo the input."""
    html = response.content.decode()
    return sorted(set(re.findall(r'role="alert">(?:<div>)?([^<]+)<', html)
                      + re.findall(r'<div class="message [^"]*">([^<]+)<', html)))


# A password of the account's own: its current one (the history rule), one holding its phone.
OWN_REFUSALS = [(TEST_PASSWORD, "新密码不能与最近使用过的密码相同"), ("Mima#15005000499", "密码不能包含账号、证件号码或手机号码")]


@pytest.mark.parametrize(("refused", "said"), OWN_REFUSALS)
def test_a_new_password_the_account_refuses_leaves_the_code_live_for_another(client, user, refused, said):
    _forgot(client, user.id_number)
    code = _sent_code(user.phone)
    response = _reset(client, code, refused)
    assert response.status_code == 200 and said in " ".join(_messages(response))
    assert not {"验证码错误。", "验证码已失效，请重新获取。"} & set(_messages(response))
    assert SmsCode.objects.get(phone=user.phone).used_at is None
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)

    response = _reset(client, code, NEW_PASSWORD)  # the same code, a password of his own
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert SmsCode.objects.get(phone=user.phone).used_at is not None  # and now it is spent
    assert "验证码已失效" in " ".join(_messages(_reset(Client(), code, "Other#20278x")))


def test_refused_passwords_with_the_right_code_use_none_of_the_tickets_tries(client, user):
    _forgot(client, user.id_number)
    code = _sent_code(user.phone)
    for _ in range(RECOVERY_TRIES + 1):
        assert "新密码不能与最近使用过的密码相同" in " ".join(_messages(_reset(client, code, TEST_PASSWORD)))
    assert SmsCode.objects.get(phone=user.phone).attempts == 0
    assert _reset(client, code, NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(("refused", "said"), OWN_REFUSALS)
def test_without_the_code_a_password_the_account_refuses_answers_as_for_an_unknown_identifier(user, refused, said):
    """The account's own rules (history, its details) are asked only once the code is right: before
    that a known account and a made-up ticket both answer 验证码错误, then 验证码已失效, alike."""
    answers = {}
    for who, identifier in (("known", user.id_number), ("unknown", UNKNOWN_ID)):
        client = Client()
        _forgot(client, identifier)
        wrong = "111111" if _sent_code(user.phone) == "000000" else "000000"
        answers[who] = [_messages(_reset(client, wrong, refused)) for _ in range(RECOVERY_TRIES + 1)]
    assert answers["known"] == answers["unknown"]
    assert all("验证码错误" in " ".join(a) and said not in " ".join(a) for a in answers["known"][:RECOVERY_TRIES])
    assert "验证码已失效" in " ".join(answers["known"][-1])


def test_each_step_of_password_recovery_is_audited_whatever_its_answer(user):
    """Security probe F4: only a successful recovery was in the audit log, so code requests and wrong
    codes aimed at an account (the start of a takeover) left no trace. The page answers alike."""
    from prereg.audit.models import AuditEvent, Outcome

    client = Client()
    _forgot(client, user.phone)
    _reset(client, "000000" if _sent_code(user.phone) != "000000" else "111111", NEW_PASSWORD)
    _forgot(Client(), UNKNOWN_ID)
    requested = list(AuditEvent.objects.filter(event="account.password_recover_code").order_by("pk"))
    assert [(e.object_id, e.outcome, e.details["known_account"], e.details["code_sent"]) for e in requested] == [
        (str(user.pk), Outcome.SUCCESS, True, True), ("", Outcome.DENIED, False, False)]
    assert UNKNOWN_ID not in requested[1].actor_name  # the identifier typed, cut short as a failed login's
    wrong = AuditEvent.objects.get(event="account.password_recover")
    assert (wrong.object_id, wrong.outcome, wrong.details["reason"]) == (str(user.pk), Outcome.FAILURE, "验证码错误")
