"""修改密码 posted twice at once (round 7 race probe): made once, one history row; a different new
password from a check made before the change is refused. The races themselves need PostgreSQL."""

import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

from prereg.accounts import services
from prereg.accounts.models import PasswordHistory, Role, User
from prereg.audit.models import AuditEvent
from tests.applications.test_one_writer_races import done, second_waits
from tests.factories import TEST_PASSWORD, UserFactory

NEW_PASSWORD = "Xinmima#2027"  # noqa: S105
OTHER_PASSWORD = "Lingyige#2028"  # noqa: S105


# --- 修改密码: the same post twice ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_password_change_posted_twice_is_made_once(tree):
    user = UserFactory(role=Role.UNIT, org=tree["35012205"])
    first, second = User.objects.get(pk=user.pk), User.objects.get(pk=user.pk)
    services.user_change_password(user=first, new_password=NEW_PASSWORD)
    services.user_change_password(user=second, new_password=NEW_PASSWORD)  # read before the first's change
    assert PasswordHistory.objects.filter(user=user).count() == 1
    assert AuditEvent.objects.filter(event="account.password_change").count() == 1
    assert second.password == User.objects.get(pk=user.pk).password  # the caller's copy is the one in force
    assert check_password(NEW_PASSWORD, second.password)


@pytest.mark.django_db
def test_another_password_from_a_stale_check_is_refused(tree):
    user = UserFactory(role=Role.UNIT, org=tree["35012205"])
    first, second = User.objects.get(pk=user.pk), User.objects.get(pk=user.pk)
    services.user_change_password(user=first, new_password=NEW_PASSWORD)
    with pytest.raises(ValidationError) as refused:
        services.user_change_password(user=second, new_password=OTHER_PASSWORD)
    assert refused.value.code == "stale" and "您的密码刚刚已被修改" in refused.value.messages[0]
    assert check_password(NEW_PASSWORD, User.objects.get(pk=user.pk).password)
    assert PasswordHistory.objects.filter(user=user).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_identical_concurrent_password_changes_write_one_history_row(postgres_only, tree, monkeypatch):
    user = UserFactory(role=Role.UNIT, org=tree["35012205"])
    first, second = User.objects.get(pk=user.pk), User.objects.get(pk=user.pk)
    outcomes = second_waits(
        monkeypatch, services, "_set_chosen_password",
        ("first", lambda: services.user_change_password(user=first, new_password=NEW_PASSWORD)),
        ("second", lambda: services.user_change_password(user=second, new_password=NEW_PASSWORD)))
    assert done(outcomes["first"]) and done(outcomes["second"]), outcomes
    assert PasswordHistory.objects.filter(user=user).count() == 1
    assert check_password(NEW_PASSWORD, User.objects.get(pk=user.pk).password)
    assert not check_password(TEST_PASSWORD, User.objects.get(pk=user.pk).password)


@pytest.mark.django_db(transaction=True)
def test_two_different_concurrent_password_changes_keep_the_first(postgres_only, tree, monkeypatch):
    user = UserFactory(role=Role.UNIT, org=tree["35012205"])
    first, second = User.objects.get(pk=user.pk), User.objects.get(pk=user.pk)
    outcomes = second_waits(
        monkeypatch, services, "_set_chosen_password",
        ("first", lambda: services.user_change_password(user=first, new_password=NEW_PASSWORD)),
        ("second", lambda: services.user_change_password(user=second, new_password=OTHER_PASSWORD)))
    assert done(outcomes["first"]) and isinstance(outcomes["second"], ValidationError), outcomes
    assert check_password(NEW_PASSWORD, User.objects.get(pk=user.pk).password)
    assert PasswordHistory.objects.filter(user=user).count() == 1


# --- the pages: a change committed between the form's check and the service's lock --------------------


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["accounts:password_change", "accounts:first_login"])
def test_a_stale_change_is_said_at_the_field_not_a_server_error(client, monkeypatch, tree, page):
    from django.urls import reverse

    user = UserFactory(role=Role.UNIT, org=tree["35012205"], must_change_password=page == "accounts:first_login")
    original = services.user_change_password

    def another_tab_first(*, user, **kwargs):  # the other tab's change commits after this page's check
        User.objects.filter(pk=user.pk).update(password=User.objects.get(pk=user.pk).password + "x")
        return original(user=user, **kwargs)

    monkeypatch.setattr(services, "user_change_password", another_tab_first)
    client.force_login(user)
    prefix = "pw-" if page == "accounts:first_login" else ""
    response = client.post(reverse(page), {f"{prefix}old_password": TEST_PASSWORD,
                                           f"{prefix}new_password1": OTHER_PASSWORD,
                                           f"{prefix}new_password2": OTHER_PASSWORD})
    assert response.status_code == 409
    assert "您的密码刚刚已被修改" in response.content.decode()
