"""Security probe F4: 完善个人信息 at the first login stored a reviewer's phone with no SMS code, though
个人信息 asks one for a new phone and 找回密码 sends its codes there. The first login now follows the
same rule (accounts.services.confirm_own_phone), with the same 获取验证码 (profile_send_code)."""

import re

import pytest
from django.urls import reverse

from prereg.accounts import services
from prereg.accounts.models import Role, User
from prereg.audit.models import AuditEvent
from prereg.notify.models import SmsCode, SmsMessage
from tests.factories import TEST_PASSWORD, UserFactory

NEW = "13900005555"
URL = "accounts:first_login"


def sent_code(phone=NEW):
    return re.search(r"\d{6}", SmsMessage.objects.filter(phone=phone).latest("pk").text).group()


@pytest.fixture
def newcomer(tree):
    """A 报名点 reviewer at his first login: a one-time password, no profile, no phone yet."""
    return UserFactory(role=Role.POINT, org=tree["350122"], name="", phone="", profile_completed=False,
                       must_change_password=True)


def first_login(newcomer, **extra):
    return {"profile-name": "陈晓", "profile-title": "科员", "profile-department": "医政科", "profile-phone": NEW,
            "profile-version": newcomer.version, "pw-old_password": TEST_PASSWORD,
            "pw-new_password1": "Lianjiang#2027", "pw-new_password2": "Lianjiang#2027", **extra}


def test_a_new_phone_at_the_first_login_needs_the_code_sent_to_it(client, newcomer):
    client.force_login(newcomer)
    response = client.post(reverse(URL), first_login(newcomer))
    html = response.content.decode()
    assert response.status_code == 400 and "请获取并填写发送到新号码的短信验证码" in html
    assert 'value="陈晓"' in html and f'value="{NEW}"' in html  # what was typed is kept
    newcomer.refresh_from_db()
    assert (newcomer.phone, newcomer.profile_completed, newcomer.must_change_password) == ("", False, True)
    assert not AuditEvent.objects.filter(event__in=["account.profile_complete", "account.password_change"]).exists()

    # 获取验证码 is 个人信息's: the same purpose, the same limits.
    response = client.post(reverse(URL), first_login(newcomer, send_code="1"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "验证码已发送至139****5555" in response.content.decode()
    assert SmsCode.objects.get(phone=NEW).purpose == services.STAFF_PHONE_PURPOSE
    response = client.post(reverse(URL), first_login(newcomer, **{"profile-sms_code": "000000"}))
    assert response.status_code == 400 and "验证码错误" in response.content.decode()
    response = client.post(reverse(URL), first_login(newcomer, **{"profile-sms_code": sent_code()}))
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert (newcomer.phone, newcomer.profile_completed, newcomer.must_change_password) == (NEW, True, False)
    event = AuditEvent.objects.get(event="account.profile_complete")
    assert event.details["phone"] == "139****5555" and event.details["phone_confirmed_by_code"] is True
    assert NEW not in str(event.details)


def test_the_code_is_sent_without_scripts_and_the_profile_typed_is_kept(client, newcomer):
    client.force_login(newcomer)
    response = client.post(reverse(URL), first_login(newcomer, send_code="1"))
    html = response.content.decode()
    assert response.status_code == 200 and "验证码已发送至139****5555" in html
    assert 'value="陈晓"' in html and f'value="{NEW}"' in html
    assert not User.objects.get(pk=newcomer.pk).profile_completed  # a code sent is nothing saved


def test_a_phone_already_on_the_account_echoed_back_needs_no_code(client, tree):
    holder = UserFactory(role=Role.UNIT, org=tree["35012205"], phone="13800007777", profile_completed=False)
    client.force_login(holder)
    page = client.get(reverse(URL)).content.decode()
    assert 'value="13800007777"' in page and "获取验证码" in page
    response = client.post(reverse(URL), {
        "profile-name": "林一", "profile-title": "科员", "profile-department": "医务科",
        "profile-phone": "13800007777", "profile-version": holder.version})
    assert response.status_code == 302
    holder.refresh_from_db()
    assert holder.profile_completed and holder.phone == "13800007777" and not SmsMessage.objects.exists()
    event = AuditEvent.objects.get(event="account.profile_complete")
    assert event.details == {"phone": "138****7777", "phone_confirmed_by_code": False}
    # 获取验证码 for the number already there says so and sends nothing, as on 个人信息.
    with pytest.raises(Exception, match="手机号码未修改"):
        services.profile_send_code(user=holder, phone="13800007777")


def test_the_service_refuses_a_new_phone_without_its_code_whoever_calls_it(newcomer):
    with pytest.raises(Exception) as error:
        services.user_complete_profile(user=newcomer, expected_version=newcomer.version, name="陈晓", title="科员",
                                       department="医政科", phone=NEW)
    assert "sms_code" in error.value.message_dict
    assert User.objects.get(pk=newcomer.pk).phone == ""


def test_a_first_login_page_loaded_before_a_superiors_correction_does_not_overwrite_it(client, newcomer,
                                                                                      reviewer_fuzhou):
    client.force_login(newcomer)
    stale = first_login(newcomer, **{"profile-phone": ""})
    services.account_update(actor=reviewer_fuzhou, user_id=newcomer.pk, expected_version=newcomer.version,
                            name="陈晓", phone="13800008888")
    stale["profile-phone"] = "13800008888"
    response = client.post(reverse(URL), stale)
    assert response.status_code == 409 and "请刷新页面" in response.content.decode()
    assert not User.objects.get(pk=newcomer.pk).profile_completed
