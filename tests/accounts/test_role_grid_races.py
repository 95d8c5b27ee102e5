"""配置角色权限 saved from two pages at once (round 7 race probe): an old copy of the grid never undoes
another's change. Only the cells changed on the page are saved, under the table's named lock; a cell
someone else changed since is left and named. The race itself needs PostgreSQL."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from prereg.accounts import permissions, services
from prereg.accounts.models import Role, RolePermission
from prereg.audit.models import AuditEvent
from tests.applications.test_one_writer_races import second_waits
from tests.factories import UserFactory

GRANT_SITE, GRANT_POINT = ("create_reviewer", Role.SITE), ("create_reviewer", Role.POINT)


# --- 配置角色权限: an old copy of the grid never undoes another's change ------------------------------


def _loaded(client) -> dict:
    """The grid form as the page renders it: every editable cell at what it shows, and "shown"."""
    html = client.get(reverse("backoffice:role_permissions")).content.decode()
    form = html[html.index('<form method="post" data-once>'):]
    data = {"shown": re.search(r'name="shown" value="([^"]*)"', form).group(1)}
    for tag in re.findall(r"<input type=\"checkbox\"[^>]*>", form):
        if " checked" in tag and " disabled" not in tag:
            data[re.search(r'name="([^"]+)"', tag).group(1)] = "on"
    return data


def _ticked(data, cell) -> dict:
    return {**data, f"{cell[0]}:{cell[1]}": "on"}


def _saved(client, data) -> list[str]:
    response = client.post(reverse("backoffice:role_permissions"), data, follow=True)
    return [str(m) for m in response.context["messages"]]


def _allowed(cell) -> bool:
    permissions.invalidate_cache()
    return permissions.role_has_function(cell[1], cell[0])


@pytest.mark.django_db
def test_two_admins_saving_the_grid_they_loaded_keep_both_grants(tree, reviewer_province):
    other = UserFactory(role=Role.DISTRICT, org=tree["350000"])
    a, b = Client(), Client()
    a.force_login(reviewer_province)
    b.force_login(other)
    page_a, page_b = _loaded(a), _loaded(b)
    assert _saved(a, _ticked(page_a, GRANT_SITE)) == ["已保存，修改了1项权限。"]
    said = _saved(b, _ticked(page_b, GRANT_POINT))
    assert said[0] == "已保存，修改了1项权限。"  # not 2: A's grant is not B's to undo
    assert f"以下权限在您打开本页后已被他人修改，未覆盖：{Role(Role.SITE).label}·新增审核账号（现为允许）" in said[1]
    assert _allowed(GRANT_SITE) and _allowed(GRANT_POINT)
    changes = AuditEvent.objects.filter(event="permission.change")
    assert [(e.actor_id, e.details["role"], e.details["after"]) for e in changes.order_by("pk")] == [
        (reviewer_province.pk, Role.SITE, True), (other.pk, Role.POINT, True)]
    # A's page as he loaded it, posted again unchanged: B's grant is not undone either.
    said = _saved(a, page_a)
    assert said[0] == "没有修改。" and f"{Role(Role.POINT).label}·新增审核账号（现为允许）" in said[1]
    assert _allowed(GRANT_SITE) and _allowed(GRANT_POINT)


@pytest.mark.django_db
def test_a_save_reverting_a_cell_on_a_fresh_page_still_works(tree, reviewer_province):
    client = Client()
    client.force_login(reviewer_province)
    _saved(client, _ticked(_loaded(client), GRANT_SITE))
    page = _loaded(client)
    del page["create_reviewer:site"]
    assert _saved(client, page) == ["已保存，修改了1项权限。"]
    assert not _allowed(GRANT_SITE) and not RolePermission.objects.exists()


@pytest.mark.django_db
def test_a_grid_posted_without_what_the_page_showed_is_refused_as_stale(tree, reviewer_province):
    client = Client()
    client.force_login(reviewer_province)
    page = _ticked(_loaded(client), GRANT_SITE)
    del page["shown"]
    assert _saved(client, page) == ["该信息已被修改（可能是其他人或在另一窗口），请刷新页面后重新操作。"]
    assert not RolePermission.objects.exists()


@pytest.mark.django_db
def test_the_service_applies_only_the_cells_changed_from_what_was_shown(tree, reviewer_province):
    cells = {GRANT_SITE: True, GRANT_POINT: False, ("add_unit", Role.UNIT): False}
    services.role_permission_set(actor=reviewer_province, role=Role.POINT, function="create_reviewer", allowed=True)
    saved = services.role_permissions_save(actor=reviewer_province, cells=cells,
                                           shown={GRANT_SITE: False, GRANT_POINT: False, ("add_unit", Role.UNIT): False})
    assert saved.changed == 1 and saved.overtaken == {GRANT_POINT: True}
    assert _allowed(GRANT_SITE) and _allowed(GRANT_POINT) and not _allowed(("add_unit", Role.UNIT))


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_grid_saves_take_turns_and_keep_both(postgres_only, tree, reviewer_province, monkeypatch):
    other = UserFactory(role=Role.DISTRICT, org=tree["350000"])
    shown = {GRANT_SITE: False, GRANT_POINT: False}
    outcomes = second_waits(
        monkeypatch, services, "role_permission_set",
        ("a", lambda: services.role_permissions_save(actor=reviewer_province, shown=shown,
                                                     cells={GRANT_SITE: True, GRANT_POINT: False})),
        ("b", lambda: services.role_permissions_save(actor=other, shown=shown,
                                                     cells={GRANT_SITE: False, GRANT_POINT: True})))
    assert outcomes["a"].changed == 1 and outcomes["b"].changed == 1, outcomes
    assert outcomes["b"].overtaken == {GRANT_SITE: True}
    assert _allowed(GRANT_SITE) and _allowed(GRANT_POINT)
    assert AuditEvent.objects.filter(event="permission.change").count() == 2
