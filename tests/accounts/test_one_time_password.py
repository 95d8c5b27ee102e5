"""A one-time password (a superior's reset, a new account, a candidate's reset by SMS) signs in for
ONE_TIME_PASSWORD_TTL_HOURS only (security probe S3: they never expired)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from prereg.accounts import services
from prereg.accounts.models import Role, User
from prereg.audit.models import AuditEvent
from prereg.notify.models import SmsMessage
from tests import captcha
from tests.factories import TEST_PASSWORD, UserFactory

NEW_PASSWORD = "Xinmima#2027"  # noqa: S105


def login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def age(user, hours):
    User.objects.filter(pk=user.pk).update(one_time_password_set_at=timezone.now() - datetime.timedelta(hours=hours))


@pytest.fixture
def clerk(tree, reviewer_fuzhou):
    return UserFactory(role=Role.UNIT, org=tree["35012205"], phone="13800005555")


def test_a_reset_password_signs_in_within_72_hours_and_not_after(client, reviewer_fuzhou, clerk):
    password = services.account_reset_password(actor=reviewer_fuzhou, user=clerk)
    age(clerk, 71)
    assert login(client, clerk.username, password).status_code == 302
    client.logout()
    age(clerk, 73)
    response = login(client, clerk.username, password)
    html = response.content.decode()
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "该一次性密码已超过72小时未修改，已失效" in html and "找回密码" in html
    refused = AuditEvent.objects.filter(event="auth.login_refused").latest("pk")
    assert refused.object_id == str(clerk.pk) and "已失效" in refused.details["reason"]
    # A wrong password still says only that (the expiry is told once the password is right).
    assert "已失效" not in login(client, clerk.username, "Wrong#pass1").content.decode()


def test_the_hours_are_a_setting(client, settings, reviewer_fuzhou, clerk):
    settings.ONE_TIME_PASSWORD_TTL_HOURS = 1
    password = services.account_reset_password(actor=reviewer_fuzhou, user=clerk)
    age(clerk, 2)
    assert "已超过1小时未修改" in login(client, clerk.username, password).content.decode()


def test_a_new_accounts_password_expires_and_a_chosen_one_does_not(client, reviewer_province, tree):
    user, password = services.account_create(actor=reviewer_province, org=tree["350102"], role=Role.POINT,
                                             username="gulou-3")
    assert user.one_time_password_set_at is not None
    assert login(client, "gulou-3", password).status_code == 302
    services.user_change_password(user=User.objects.get(pk=user.pk), new_password=NEW_PASSWORD)
    user.refresh_from_db()
    assert user.one_time_password_set_at is None and not user.must_change_password
    client.logout()
    assert login(client, "gulou-3", NEW_PASSWORD).status_code == 302


def test_password_recovery_replaces_an_expired_one_time_password(client, reviewer_fuzhou, clerk):
    password = services.account_reset_password(actor=reviewer_fuzhou, user=clerk)
    age(clerk, 100)
    client.post(reverse("accounts:password_forgot"), {"identifier": clerk.username, **captcha.solved()})
    code = re.search(r"验证码(\d{6})", SmsMessage.objects.filter(phone=clerk.phone).latest("pk").text).group(1)
    client.post(reverse("accounts:password_forgot_reset"),
                {"code": code, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert login(client, clerk.username, NEW_PASSWORD).status_code == 302
    client.logout()
    assert login(client, clerk.username, password).status_code == 200  # the old one is gone


def test_the_shown_password_says_how_long_it_is_valid(client, reviewer_fuzhou, clerk):
    client.force_login(reviewer_fuzhou)
    html = client.post(reverse("backoffice:accounts_reset", args=[clerk.pk]), follow=True).content.decode()
    assert "72小时内有效" in html


def test_a_one_time_password_of_unknown_age_is_not_refused(client, clerk):
    """One set before the field existed, or handed down in a year's password sheet (None), is not aged."""
    User.objects.filter(pk=clerk.pk).update(must_change_password=True, one_time_password_set_at=None)
    assert login(client, clerk.username, TEST_PASSWORD).status_code == 302


def test_a_new_years_sheet_password_is_not_refused_for_an_older_reset(client, reviewer_province, clerk, year):
    # A reviewer reset weeks ago and never signed in: the new year's sheet gives him a new password,
    # which no earlier reset's age may refuse.
    from prereg.catalog.services import reviewer_passwords_reset

    services.account_reset_password(actor=reviewer_province, user=clerk)
    age(clerk, 24 * 30)
    reviewer_passwords_reset(actor=reviewer_province, exam_year=year)
    clerk.refresh_from_db()
    assert clerk.one_time_password_set_at is None and clerk.must_change_password
