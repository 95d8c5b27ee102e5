"""Password fields tell the phone's password manager what they are (phone probe): a new password is offered
and kept on 修改密码 and 找回密码's reset page, the current one filled on 修改密码; an empty 账号 is named."""

import re

from django.urls import reverse

from prereg.accounts.forms import LoginForm, PasswordChangeForm, PasswordForgotForm, PasswordForgotResetForm
from tests.factories import UserFactory


def _autocomplete(form, name):
    return re.search(r'autocomplete="([^"]+)"', str(form[name])).group(1)


def test_new_and_current_passwords_are_marked_for_the_password_manager(tree):
    change = PasswordChangeForm(UserFactory(org=tree["35012205"]))
    assert _autocomplete(change, "old_password") == "current-password"
    assert _autocomplete(change, "new_password1") == _autocomplete(change, "new_password2") == "new-password"
    reset = PasswordForgotResetForm(None)
    assert _autocomplete(reset, "new_password1") == _autocomplete(reset, "new_password2") == "new-password"


def test_an_empty_account_box_is_named(client, db):
    assert PasswordForgotForm(data={}).errors["identifier"] == ["请填写账号。"]
    assert LoginForm(data={"password": "x"}).errors["username"] == ["请填写账号。"]
    body = client.post(reverse("accounts:password_forgot"), {"identifier": ""}).content.decode()
    assert "请填写账号。" in body
