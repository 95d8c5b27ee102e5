import pytest
from django.urls import reverse

from prereg.accounts.models import Role
from prereg.audit.models import AuditEvent
from tests.factories import TEST_PASSWORD, CandidateFactory, UserFactory


def login(client, username, password=TEST_PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


@pytest.mark.parametrize("identifier", ["id_number", "phone", "id_lower"])
def test_candidate_logs_in_by_id_number_or_phone(client, db, identifier):
    user = CandidateFactory(id_number="52030219891209794X", username="52030219891209794X", phone="15005000404")
    value = {"id_number": user.id_number, "phone": user.phone, "id_lower": user.id_number.lower()}[identifier]
    response = login(client, value)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert AuditEvent.objects.filter(event="auth.login", actor=user).exists()


def test_reviewer_logs_in_by_account_name(client, tree):
    user = UserFactory(username="350524", role=Role.POINT, org=tree["350524"])
    assert login(client, "350524").status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_wrong_password_says_so_in_chinese_and_is_audited(client, candidate):
    response = login(client, candidate.username, "wrong")
    assert response.status_code == 200
    assert "账号或密码错误" in response.content.decode()
    assert AuditEvent.objects.filter(event="auth.login_failed").count() == 1


def test_five_failures_lock_the_account_whatever_identifier_is_used(client, db):
    user = CandidateFactory(phone="15005000499")
    for i in range(5):
        login(client, user.phone if i % 2 else user.id_number, "wrong")
    response = login(client, user.id_number)  # right password, but locked
    assert response.status_code == 403
    html = response.content.decode()
    assert "锁定" in html
    assert "_auth_user_id" not in client.session


def test_reviewer_with_incomplete_profile_must_complete_it_first(client, tree):
    user = UserFactory(role=Role.POINT, org=tree["350122"], profile_completed=False, must_change_password=True)
    client.force_login(user)
    response = client.get(reverse("backoffice:dashboard"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:first_login")
    response = client.post(reverse("accounts:first_login"), {
        "profile-name": "陈明", "profile-title": "科员", "profile-department": "医政科",
        "profile-phone": user.phone, "profile-version": user.version, "pw-old_password": TEST_PASSWORD,
        "pw-new_password1": "Lianjiang#2027", "pw-new_password2": "Lianjiang#2027",
    })
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.profile_completed and not user.must_change_password
    assert user.check_password("Lianjiang#2027")
    assert client.get(reverse("backoffice:dashboard")).status_code == 200


@pytest.mark.parametrize(("password", "fragment"), [
    ("123456", "至少"), ("Aa123456", "弱口令"), ("abcdefgh", "三类"),
])
def test_weak_passwords_are_refused(client, candidate, password, fragment):
    client.force_login(candidate)
    response = client.post(reverse("accounts:password_change"), {
        "old_password": TEST_PASSWORD, "new_password1": password, "new_password2": password})
    assert response.status_code == 200
    assert fragment in response.content.decode()


def withdraw(role, function):
    from prereg.accounts import permissions
    from prereg.accounts.models import RolePermission

    RolePermission.objects.create(role=role, function=function, allowed=False)
    permissions.invalidate_cache()


def test_where_login_is_withdrawn_from_a_role_its_accounts_are_told_so_once_the_password_is_right(client, tree):
    user = UserFactory(username="350524", role=Role.POINT, org=tree["350524"])
    withdraw(Role.POINT, "login")
    response = login(client, "350524")
    assert response.status_code == 200 and "报名点账号的登录功能已关闭" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(event="auth.login_refused", object_id=str(user.pk)).exists()
    # A wrong password, or no such account, is answered as before: the role is said to no one else.
    for username, password in (("350524", "wrong"), ("nobody", TEST_PASSWORD)):
        body = login(client, username, password).content.decode()
        assert "账号或密码错误" in body and "登录功能已关闭" not in body


def test_where_login_is_withdrawn_from_candidates_a_reviewer_still_logs_in(client, tree, candidate):
    UserFactory(username="350524", role=Role.POINT, org=tree["350524"])
    withdraw(Role.CANDIDATE, "login")
    assert "考生账号的登录功能已关闭" in login(client, candidate.username).content.decode()
    assert login(client, "350524").status_code == 302


def test_withdrawing_login_ends_the_open_sessions_of_the_role_at_their_next_request(client, candidate, year):
    client.force_login(candidate)
    assert client.get(reverse("candidate:home")).status_code == 200
    withdraw(Role.CANDIDATE, "login")
    response = client.get(reverse("candidate:home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    client.get(response["Location"])
    assert "_auth_user_id" not in client.session  # ended, not only ignored while the cell is withdrawn
    from prereg.accounts import permissions
    from prereg.accounts.models import RolePermission

    RolePermission.objects.all().delete()
    permissions.invalidate_cache()
    assert client.get(reverse("candidate:home")).status_code == 302


def test_login_cannot_be_withdrawn_from_the_administrators_nor_the_auditor(client, tree):
    from prereg.accounts import permissions

    for role in (Role.SYSADMIN, Role.DISTRICT, Role.AUDITOR):
        withdraw(role, "login")
        assert permissions.is_locked("login", role) and permissions.role_has_function(role, "login")
    UserFactory(username="admin1", role=Role.SYSADMIN)
    assert login(client, "admin1").status_code == 302


def test_a_disabled_account_is_told_so_once_the_password_is_right_and_only_then(client, tree):
    user = UserFactory(username="350524", role=Role.POINT, org=tree["350524"], is_active=False)
    body = login(client, "350524").content.decode()
    assert "该账号已被禁用" in body and "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(event="auth.login_refused", object_id=str(user.pk)).exists()
    body = login(client, "350524", "wrong").content.decode()
    assert "账号或密码错误" in body and "已被禁用" not in body
