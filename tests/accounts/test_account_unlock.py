"""用户管理 shows a reviewer account locked by failed logins and unlocks it (QA probe M7: the row
said 启用 and only 重置密码 was offered)."""

import pytest
from django.urls import reverse

from prereg.accounts import permissions, services
from prereg.accounts.models import Role, RolePermission
from prereg.audit.models import AuditEvent
from tests.factories import TEST_PASSWORD


def lock(client, user):
    anonymous = type(client)()
    for _ in range(5):
        anonymous.post(reverse("accounts:login"), {"username": user.username, "password": "wrong"})
    assert anonymous.post(reverse("accounts:login"),
                          {"username": user.username, "password": TEST_PASSWORD}).status_code == 403
    return anonymous


def unlock(client, user):
    return client.post(reverse("backoffice:accounts_toggle"), {"ids": [user.pk], "action": "unlock"})


def test_a_locked_reviewer_shows_as_locked_and_his_superior_unlocks_him(client, reviewer_fuzhou,
                                                                        reviewer_lianjiang_hospital):
    anonymous = lock(client, reviewer_lianjiang_hospital)
    client.force_login(reviewer_fuzhou)
    html = client.get(reverse("backoffice:accounts")).content.decode()
    row = html[html.index(f"<td>{reviewer_lianjiang_hospital.username}</td>"):]
    row = row[:row.index("</tr>")]
    assert "已锁定" in row and ">启用<" not in row and 'value="unlock"' in row
    response = unlock(client, reviewer_lianjiang_hospital)
    assert response.status_code == 302
    assert "已解除1个账号的登录锁定" in client.get(response.url).content.decode()
    assert not services.login_locked(reviewer_lianjiang_hospital.username)
    event = AuditEvent.objects.get(event="account.unlock")
    assert event.actor_id == reviewer_fuzhou.pk and event.object_id == str(reviewer_lianjiang_hospital.pk)
    assert event.details["attempts_cleared"] >= 1
    assert anonymous.post(reverse("accounts:login"), {"username": reviewer_lianjiang_hospital.username,
                                                      "password": TEST_PASSWORD}).status_code == 302


def test_an_unlocked_account_offers_no_unlock(client, reviewer_fuzhou, reviewer_lianjiang_hospital):
    client.force_login(reviewer_fuzhou)
    html = client.get(reverse("backoffice:accounts")).content.decode()
    assert "已锁定" not in html and 'value="unlock"' not in html


def test_unlock_is_for_who_may_reset_the_password(client, reviewer_fuzhou, reviewer_lianjiang_hospital):
    lock(client, reviewer_lianjiang_hospital)
    RolePermission.objects.create(role=Role.SITE, function="reset_reviewer_password", allowed=False)
    permissions.invalidate_cache()
    client.force_login(reviewer_fuzhou)
    html = client.get(reverse("backoffice:accounts")).content.decode()
    assert "已锁定" in html and 'value="unlock"' not in html
    assert unlock(client, reviewer_lianjiang_hospital).status_code == 403
    assert services.login_locked(reviewer_lianjiang_hospital.username)
    assert not AuditEvent.objects.filter(event="account.unlock").exists()


@pytest.mark.parametrize("who", ["reviewer_quanzhou", "reviewer_anxi_hospital"])
def test_unlock_out_of_scope_or_role_changes_nothing(request, client, who, reviewer_lianjiang_hospital):
    lock(client, reviewer_lianjiang_hospital)
    client.force_login(request.getfixturevalue(who))
    # Another city's 考点: not found; a unit reviewer: no 用户管理 at all.
    assert unlock(client, reviewer_lianjiang_hospital).status_code == (404 if who == "reviewer_quanzhou" else 403)
    assert services.login_locked(reviewer_lianjiang_hospital.username)


def test_unlock_needs_post(client, reviewer_fuzhou):
    client.force_login(reviewer_fuzhou)
    assert client.get(reverse("backoffice:accounts_toggle"), {"action": "unlock"}).status_code == 405
