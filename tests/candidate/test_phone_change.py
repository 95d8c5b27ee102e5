"""Changing the mobile number in 基本信息: 获取验证码 for the new number, and the save checks it."""

import datetime
import re

import pytest
from django.contrib.auth import get_user
from django.urls import reverse
from django.utils import timezone

from prereg.applications.carryover import start_application
from prereg.applications.models import Application, State
from prereg.candidate.views.common import current_application
from prereg.catalog.models import Ethnicity
from prereg.notify.models import SmsCode, SmsMessage
from prereg.notify.sms import issue_code

NEW = "13900001111"


@pytest.fixture
def app(client, year, tree, candidate):
    client.force_login(candidate)
    application = start_application(candidate=candidate, exam_year=year)
    application.phone = "13800000000"
    application.save()
    return application


def basic(tree, **extra):
    return {"basic-name": "曹操", "basic-ethnicity": Ethnicity.objects.get(code="01").pk,
            "basic-unit": tree["35052401"].pk, "basic-postcode": "350000", "basic-phone": NEW,
            "basic-address": "福建省福州市鼓楼区", **extra}


def send(client, phone=NEW, htmx=True):
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(reverse("candidate:phone_send_code"), {"basic-phone": phone}, **extra)


def save(client, payload):
    """基本信息 saved as its page posts it: with the version the page was loaded with."""
    version = current_application(get_user(client)).version
    return client.post(reverse("candidate:section", args=["basic"]), {"version": version, **payload},
                       HTTP_HX_REQUEST="true")


def sent_code(phone=NEW):
    return re.search(r"\d{6}", SmsMessage.objects.filter(phone=phone).latest("pk").text).group()


def test_the_basic_section_has_a_send_code_button(client, app):
    body = client.get(reverse("candidate:form")).content.decode()
    assert "获取验证码" in body and reverse("candidate:phone_send_code") in body


def test_the_new_number_gets_a_phone_change_code_and_the_save_accepts_it(client, app, tree):
    response = send(client)
    assert "验证码已发送" in response.content.decode()
    assert SmsCode.objects.get(phone=NEW).purpose == "phone_change"
    body = save(client, basic(tree, **{"basic-sms_code": sent_code()})).content.decode()
    assert "已保存" in body
    app.refresh_from_db()
    assert app.phone == NEW


def test_a_wrong_code_is_refused_at_the_field_and_keeps_what_was_typed(client, app, tree):
    send(client)
    wrong = "000000" if sent_code() != "000000" else "111111"
    body = save(client, basic(tree, **{"basic-sms_code": wrong, "basic-address": "厦门市思明区某路1号"})).content.decode()
    assert "验证码错误" in body and '厦门市思明区某路1号</textarea>' in body and f'value="{NEW}"' in body
    app.refresh_from_db()
    assert app.phone == "13800000000" and app.address == ""


def test_an_expired_code_is_refused_with_a_message_to_get_a_new_one(client, app, tree):
    send(client)
    code = sent_code()
    SmsCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    body = save(client, basic(tree, **{"basic-sms_code": code})).content.decode()
    assert "验证码已失效，请重新获取" in body
    app.refresh_from_db()
    assert app.phone == "13800000000"


def test_a_code_sent_to_another_number_or_for_sign_up_does_not_confirm_the_new_one(client, app, tree):
    send(client, "13900002222")
    other_number = sent_code("13900002222")
    issue_code(NEW, "signup")
    signup_code = sent_code(NEW)
    for code in (other_number, signup_code):
        body = save(client, basic(tree, **{"basic-sms_code": code})).content.decode()
        assert "验证码已失效，请重新获取" in body or "验证码错误" in body
    app.refresh_from_db()
    assert app.phone == "13800000000"


def test_a_code_confirms_once(client, app, tree):
    send(client)
    code = sent_code()
    assert "已保存" in save(client, basic(tree, **{"basic-sms_code": code})).content.decode()
    Application.objects.filter(pk=app.pk).update(phone="13800000000")
    body = save(client, basic(tree, **{"basic-sms_code": code})).content.decode()
    assert "验证码已失效" in body


def test_sending_is_rate_limited_per_number(client, app):
    send(client)
    body = send(client).content.decode()
    assert "发送过于频繁" in body
    assert SmsMessage.objects.filter(phone=NEW).count() == 1


def test_sending_is_rate_limited_per_account(client, app, settings):
    settings.RATE_LIMITS = {**getattr(settings, "RATE_LIMITS", {}), "sms": (2, 3600)}
    for phone in ("13900000001", "13900000002"):
        assert "验证码已发送" in send(client, phone).content.decode()
    assert "操作过于频繁" in send(client, "13900000003").content.decode()
    assert not SmsMessage.objects.filter(phone="13900000003").exists()


def test_taps_refused_for_the_minute_cost_nothing_of_the_accounts_hour(client, app, settings):
    # The races probe: 20 taps in a minute sent one code and then shut the account out for an hour.
    settings.RATE_LIMITS = {**getattr(settings, "RATE_LIMITS", {}), "sms": (2, 3600)}
    assert "验证码已发送" in send(client, "13900000001").content.decode()
    for _ in range(4):
        assert "发送过于频繁" in send(client, "13900000001").content.decode()
    assert "验证码已发送" in send(client, "13900000002").content.decode()
    assert "操作过于频繁" in send(client, "13900000003").content.decode()


@pytest.mark.parametrize(("phone", "message"), [("12345", "手机号码"), ("13800000000", "手机号码未修改")])
def test_no_code_for_a_bad_or_unchanged_number(client, app, phone, message):
    body = send(client, phone).content.decode()
    assert message in body and 'class="error"' in body
    assert not SmsMessage.objects.exists()


def test_no_code_while_the_application_is_in_review(client, app):
    Application.objects.filter(pk=app.pk).update(state=State.IN_REVIEW)
    assert "不能修改" in send(client).content.decode()
    assert not SmsMessage.objects.exists()


def test_without_scripts_the_page_comes_back_with_what_was_typed(client, app, tree):
    payload = {**basic(tree, **{"basic-address": "泉州市鲤城区某路2号"}), "send_code": "1"}
    response = client.post(reverse("candidate:section", args=["basic"]), payload)
    body = response.content.decode()
    assert response.status_code == 200 and "验证码已发送" in body
    assert '泉州市鲤城区某路2号</textarea>' in body and f'value="{NEW}"' in body
    assert SmsCode.objects.get(phone=NEW).purpose == "phone_change"
    app.refresh_from_db()
    assert app.address == ""  # sending a code saves nothing


def test_the_button_without_scripts_outside_htmx_goes_back_to_the_form(client, app):
    response = send(client, htmx=False)
    assert response.status_code == 302 and response["Location"].endswith("#section-basic")


def test_send_code_refuses_get(client, app):
    assert client.get(reverse("candidate:phone_send_code")).status_code == 405


def test_send_code_is_for_candidates_only(client, app, reviewer_quanzhou):
    client.force_login(reviewer_quanzhou)
    assert send(client).status_code == 403
    assert not SmsMessage.objects.exists()


def test_send_code_needs_a_login(client, app):
    client.logout()
    response = send(client)
    assert response.status_code in (302, 401, 403)
    assert not SmsMessage.objects.exists()


def test_a_slip_in_another_field_does_not_spend_the_code(client, app, tree):
    send(client)
    code = sent_code()
    body = save(client, basic(tree, **{"basic-sms_code": code, "basic-postcode": "35"})).content.decode()
    assert "邮编应为6位数字" in body and f'value="{code}"' in body  # the code stays in its box
    assert SmsCode.objects.get(phone=NEW).used_at is None
    assert "已保存" in save(client, basic(tree, **{"basic-sms_code": code})).content.decode()
    app.refresh_from_db()
    assert app.phone == NEW


def test_the_confirmed_number_becomes_the_accounts_for_a_password_reset(client, app, tree, candidate):
    from prereg.audit.models import AuditEvent

    send(client)
    save(client, basic(tree, **{"basic-sms_code": sent_code()}))
    candidate.refresh_from_db()
    assert candidate.phone == NEW
    event = AuditEvent.objects.filter(event="application.section_save").latest("pk")
    assert event.details.get("account_phone") is True
