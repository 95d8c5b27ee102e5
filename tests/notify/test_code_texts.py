"""A verification code's SMS says what it is for: one for 找回密码 the person did not ask for is a warning."""

import pytest

from prereg.notify.models import SmsMessage
from prereg.notify.sms import send_code


@pytest.mark.django_db
@pytest.mark.parametrize(("purpose", "doing"), [("signup", "您正在注册账号，"), ("password_reset", "您正在找回密码，"),
                                                ("phone_change", "您正在更换手机号码，"), ("staff_phone", "您正在更换手机号码，")])
def test_a_code_says_what_it_was_asked_for(purpose, doing):
    send_code("13800138000", purpose)
    text = SmsMessage.objects.get(phone="13800138000").text
    assert f"】{doing}验证码" in text and "分钟内有效，请勿告诉他人。" in text
