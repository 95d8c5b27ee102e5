"""Scope matrix: each role × {own org, sibling, parent, other city, child} × each act.

Only the allowed cells succeed; the others answer 403 (no such function) or 404 (out of
scope), and nothing changes.
"""

import pytest
from django.urls import reverse

from prereg.accounts.models import Role
from tests.factories import UserFactory

# actor role, actor org, then the target org of each relation (None: not applicable).
ACTORS = {
    Role.DISTRICT: ("350000", {"own": "350000", "child": "350100"}),
    Role.SITE: ("350100", {"own": "350100", "sibling": "350500", "parent": "350000", "other_city": "350524",
                           "child": "350122"}),
    Role.POINT: ("350102", {"own": "350102", "sibling": "350122", "parent": "350100", "other_city": "350524",
                            "child": "35010201"}),
    Role.UNIT: ("35012205", {"own": "35012205", "sibling": "35012201", "parent": "350122",
                             "other_city": "35052401"}),
}
ACTS = ["view", "edit", "disable_org", "reset_password", "disable_account"]
# What succeeds: reviewers with the org functions act strictly below their org and see their own.
ALLOWED = {
    (Role.DISTRICT, "own"): {"view"}, (Role.DISTRICT, "child"): set(ACTS),
    (Role.SITE, "own"): {"view"}, (Role.SITE, "child"): set(ACTS),
    (Role.POINT, "own"): {"view"}, (Role.POINT, "child"): set(ACTS),
}
CELLS = [(role, relation, act) for role, (_org, targets) in ACTORS.items() for relation in targets for act in ACTS]


def snapshot(org, account):
    org.refresh_from_db()
    account.refresh_from_db()
    return (org.name, org.enabled, account.password, account.is_active)


def perform(client, act, org, account):
    if act == "view":
        return client.get(reverse("backoffice:orgs_detail", args=[org.pk]))
    if act == "edit":
        data = {"parent": org.parent_id or "", "code": org.code, "name": org.name + "（改）",
                "region_code": org.region_code, "version": org.version}
        data.update({flag: "on" for flag in ("is_district", "is_site", "is_point", "is_unit", "has_review_right")
                     if getattr(org, flag)})
        return client.post(reverse("backoffice:orgs_edit", args=[org.pk]), data)
    if act == "disable_org":  # with the orgs below it: a 报名点 is not disabled over enabled units (routing_gap)
        return client.post(reverse("backoffice:orgs_toggle"), {"ids": _with_subtree(org), "action": "disable"})
    if act == "reset_password":
        return client.post(reverse("backoffice:accounts_reset", args=[account.pk]), follow=True)
    if act == "disable_account":
        return client.post(reverse("backoffice:accounts_toggle"), {"ids": [account.pk], "action": "disable"})
    raise AssertionError(act)


def _with_subtree(org) -> list[int]:
    from prereg.orgs.models import Org

    return list(Org.objects.subtree_of(org).values_list("pk", flat=True))


SUCCESS = {"view": 200, "edit": 302, "disable_org": 302, "reset_password": 200, "disable_account": 302}


@pytest.mark.parametrize(("role", "relation", "act"), CELLS, ids=[f"{r}-{rel}-{a}" for r, rel, a in CELLS])
def test_scope_matrix(client, tree, role, relation, act):
    actor_org, targets = ACTORS[role]
    actor = UserFactory(role=role, org=tree[actor_org])
    target = tree[targets[relation]]
    # The target org's account: in his own org a colleague of his rank, elsewhere one of the
    # lowest rank, so that only scope decides.
    account = UserFactory(role=role if relation == "own" else Role.UNIT, org=target)
    client.force_login(actor)
    before = snapshot(target, account)
    response = perform(client, act, target, account)
    allowed = act in ALLOWED.get((role, relation), set())
    after = snapshot(target, account)
    if allowed:
        # Each act's own success: the page, or the redirect after a change (a 302 to a login or an
        # error page would be no success).
        assert response.status_code == SUCCESS[act], response.status_code
        if response.status_code == 302:
            assert "/accounts/login/" not in response["Location"]
        if act != "view":
            assert after != before
    else:
        assert response.status_code in (403, 404), response.status_code
        assert after == before


def test_a_reviewer_cannot_act_on_a_colleague_of_the_same_rank_in_his_own_org(client, tree):
    actor = UserFactory(role=Role.POINT, org=tree["350102"])
    colleague = UserFactory(role=Role.POINT, org=tree["350102"])
    client.force_login(actor)
    password = colleague.password
    assert client.post(reverse("backoffice:accounts_reset", args=[colleague.pk]), follow=True).status_code == 404
    assert client.post(reverse("backoffice:accounts_toggle"),
                       {"ids": [colleague.pk], "action": "disable"}).status_code == 404
    colleague.refresh_from_db()
    assert colleague.password == password and colleague.is_active


@pytest.mark.parametrize("code", ["350000", "350524", "35012205"])
def test_the_sysadmin_acts_anywhere_in_the_tree(client, tree, sysadmin, code):
    account = UserFactory(role=Role.UNIT, org=tree[code])
    client.force_login(sysadmin)
    assert client.get(reverse("backoffice:orgs_detail", args=[tree[code].pk])).status_code == 200
    assert client.post(reverse("backoffice:accounts_reset", args=[account.pk]), follow=True).status_code == 200
    assert client.post(reverse("backoffice:orgs_toggle"),
                       {"ids": _with_subtree(tree[code]), "action": "disable"}).status_code == 302
    tree[code].refresh_from_db()
    assert not tree[code].enabled


def test_a_batch_with_one_org_out_of_scope_changes_nothing(client, tree, reviewer_gulou_bureau):
    client.force_login(reviewer_gulou_bureau)
    response = client.post(reverse("backoffice:orgs_toggle"),
                           {"ids": [tree["35010201"].pk, tree["35052401"].pk], "action": "disable"})
    assert response.status_code == 404
    tree["35010201"].refresh_from_db()
    assert tree["35010201"].enabled


def test_the_auditor_and_a_candidate_see_no_org(tree, auditor, candidate):
    from prereg.orgs.models import Org

    assert not Org.objects.visible_to(auditor).exists()
    assert not Org.objects.visible_to(candidate).exists()
