"""重置审核账户密码 by two admins at once (round 7 race probe): one password shown, and it works; the
other admin is told. The race itself needs PostgreSQL."""

import re
from html import unescape

import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from prereg.accounts import services
from prereg.accounts.models import Role, User
from prereg.audit.models import AuditEvent
from tests.applications.test_one_writer_races import done, second_waits
from tests.factories import UserFactory

# --- 重置审核账户密码: two admins at once, one password shown ---------------------------------------


@pytest.fixture
def clerk(tree):
    return UserFactory(role=Role.UNIT, org=tree["35012205"])


@pytest.mark.django_db
def test_a_reset_of_an_account_whose_password_changed_since_it_was_read_is_refused(reviewer_fuzhou, clerk):
    read_before = User.objects.get(pk=clerk.pk)
    password = services.account_reset_password(actor=reviewer_fuzhou, user=User.objects.get(pk=clerk.pk))
    with pytest.raises(ValidationError) as refused:
        services.account_reset_password(actor=reviewer_fuzhou, user=read_before)
    assert refused.value.code == "stale" and "该账号的密码刚被他人重置" in refused.value.messages[0]
    assert check_password(password, User.objects.get(pk=clerk.pk).password)
    assert AuditEvent.objects.filter(event="account.password_reset").count() == 1


@pytest.mark.django_db
def test_the_reset_page_tells_the_second_admin_and_shows_no_password(client, reviewer_fuzhou, clerk, monkeypatch):
    read_before = User.objects.get(pk=clerk.pk)
    password = services.account_reset_password(actor=reviewer_fuzhou, user=User.objects.get(pk=clerk.pk))
    # The second request read the account before the first committed: as in the race below.
    monkeypatch.setattr(services, "get_staff_for", lambda *args, **kwargs: read_before)
    client.force_login(reviewer_fuzhou)
    response = client.post(reverse("backoffice:accounts_reset", args=[clerk.pk]), follow=True)
    html = response.content.decode()
    assert "该账号的密码刚被他人重置" in html and "password-once" not in html
    assert check_password(password, User.objects.get(pk=clerk.pk).password)


@pytest.mark.django_db
def test_consecutive_resets_each_work(client, reviewer_fuzhou, clerk):
    client.force_login(reviewer_fuzhou)
    for _ in range(2):
        html = client.post(reverse("backoffice:accounts_reset", args=[clerk.pk]), follow=True).content.decode()
        password = unescape(re.search(r'class="password-once">([^<]+)<', html).group(1))
        assert check_password(password, User.objects.get(pk=clerk.pk).password)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_resets_show_one_password_and_it_works(postgres_only, tree, reviewer_fuzhou, clerk,
                                                              monkeypatch):
    other = UserFactory(role=Role.SITE, org=tree["350100"])
    read_by_a, read_by_b = User.objects.get(pk=clerk.pk), User.objects.get(pk=clerk.pk)
    outcomes = second_waits(
        monkeypatch, services, "set_one_time_password",
        ("a", lambda: services.account_reset_password(actor=reviewer_fuzhou, user=read_by_a)),
        ("b", lambda: services.account_reset_password(actor=other, user=read_by_b)))
    assert done(outcomes["a"]) and isinstance(outcomes["b"], ValidationError), outcomes
    assert outcomes["b"].code == "stale"
    assert check_password(outcomes["a"], User.objects.get(pk=clerk.pk).password)
    assert AuditEvent.objects.filter(event="account.password_reset").count() == 1
