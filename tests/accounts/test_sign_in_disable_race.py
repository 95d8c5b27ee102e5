"""A sign-in under way while a superior disables the account (PostgreSQL for the race).

The sign-in asked whether the account was active before its password check, then signed in after a 禁用
that committed meanwhile: the superior was told 已禁用, and the audit log showed a successful sign-in of
the disabled account after it (races probe). The sign-in now asks again on the account's locked row.
"""

from functools import partial

import pytest
from django.test import Client
from django.urls import reverse

from prereg.accounts import forms as account_forms
from prereg.accounts import services as account_services
from prereg.audit.models import AuditEvent
from tests.applications.test_one_writer_races import paused_after, started
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_sign_in_whose_account_is_disabled_meanwhile_is_refused(
        postgres_only, reviewer_province, reviewer_fuzhou, monkeypatch):
    # The sign-in stops once its form has found the account may sign in (password checked).
    reached, go_on = paused_after(monkeypatch, account_forms, "login_refusal")
    outcomes = {}
    signing_in = started(outcomes, "sign_in", lambda: Client().post(
        reverse("accounts:login"), {"username": reviewer_fuzhou.username, "password": TEST_PASSWORD}))
    assert reached.wait(10), outcomes
    disabling = started(outcomes, "disabled", partial(account_services.account_set_active, actor=reviewer_province,
                                                      user_ids=[reviewer_fuzhou.pk], active=False))
    disabling.join(10)
    assert outcomes["disabled"] == 1, outcomes  # told 已禁用
    go_on.set()
    signing_in.join(10)

    answer = outcomes["sign_in"]
    assert answer.status_code == 200 and "该账号已被禁用" in answer.content.decode(), answer
    events = list(AuditEvent.objects.filter(event__in=["account.disable", "auth.login", "auth.login_refused"])
                  .order_by("pk").values_list("event", flat=True))
    assert events == ["account.disable", "auth.login_refused"], events
