"""An org's code and name are unique among all orgs (规范全称在全省唯一), and each act that gives one
checks before it writes (orgs.services.lock_codes_and_names). Two such acts at the same moment
(PostgreSQL, two real transactions, the first paused once its org is written) take turns: the later
is numbered after the earlier or refused at its field, never a server error, never two orgs of one
code or name. The messages themselves are checked on any database."""

from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from prereg.orgs import importer, services
from prereg.orgs.models import Org
from tests.applications.test_one_writer_races import done, paused_after, started

from .test_import import row, sheet

pytestmark = pytest.mark.django_db(transaction=True)


def _one_after_the_other(monkeypatch, first, second, *, pause=(Org, "save")):
    """`first` paused right after it wrote (its transaction open), `second` started meanwhile: the
    second must wait for the first's transaction; both outcomes once the first went on."""
    written, go_on = paused_after(monkeypatch, *pause)
    outcomes = {}
    one = started(outcomes, "first", first)
    assert written.wait(10)
    two = started(outcomes, "second", second)
    two.join(1)
    waited = two.is_alive()
    go_on.set()
    one.join(10)
    two.join(10)
    assert waited, outcomes  # the second waited for the first's org instead of checking without it
    return outcomes["first"], outcomes["second"]


def _unit(actor, parent, name, code=""):
    return partial(services.org_create, actor=actor, parent=parent, code=code, name=name)


def test_two_units_added_at_once_below_one_parent_without_a_code_get_a_code_each(
        postgres_only, tree, reviewer_gulou_bureau, monkeypatch):
    parent = tree["350102"]
    first, second = _one_after_the_other(monkeypatch, _unit(reviewer_gulou_bureau, parent, "鼓楼区甲社区卫生服务站"),
                                         _unit(reviewer_gulou_bureau, parent, "鼓楼区乙社区卫生服务站"))
    assert done(first) and done(second), (first, second)
    assert (first.code, second.code) == ("35010202", "35010203")
    assert sorted(Org.objects.filter(parent=parent).values_list("code", flat=True)) == [
        "35010201", "35010202", "35010203"]


def test_the_same_code_typed_by_two_at_once_is_refused_at_the_code_field_of_the_later(
        postgres_only, tree, reviewer_gulou_bureau, monkeypatch):
    parent = tree["350102"]
    first, second = _one_after_the_other(
        monkeypatch, _unit(reviewer_gulou_bureau, parent, "鼓楼区甲社区卫生服务站", code="35010299"),
        _unit(reviewer_gulou_bureau, parent, "鼓楼区乙社区卫生服务站", code="35010299"))
    assert done(first), first
    assert isinstance(second, ValidationError) and second.message_dict == {"code": [services.CODE_TAKEN]}
    assert list(Org.objects.filter(code="35010299").values_list("name", flat=True)) == ["鼓楼区甲社区卫生服务站"]


def test_the_same_name_added_by_two_at_once_is_refused_at_the_name_field_of_the_later(
        postgres_only, tree, reviewer_fuzhou, reviewer_gulou_bureau, monkeypatch):
    # Below two different parents, by two people: no row both would lock.
    first, second = _one_after_the_other(
        monkeypatch, _unit(reviewer_gulou_bureau, tree["350102"], "福州市同名医院"),
        _unit(reviewer_fuzhou, tree["350122"], "福州市同名医院"))
    assert done(first), first
    assert isinstance(second, ValidationError) and second.message_dict == {"name": [services.NAME_TAKEN]}
    assert Org.objects.filter(name="福州市同名医院").count() == 1


def test_two_orgs_renamed_at_once_to_one_name_one_is_refused(postgres_only, tree, reviewer_fuzhou, monkeypatch):
    a, b = tree["35012205"], tree["35012206"]

    def rename(org):
        return partial(services.org_update, actor=reviewer_fuzhou, org=org, expected_version=org.version,
                       name="连江县总医院")

    first, second = _one_after_the_other(monkeypatch, rename(a), rename(b))
    assert done(first), first
    assert isinstance(second, ValidationError) and list(second.message_dict) == ["name"]
    assert list(Org.objects.filter(name="连江县总医院").values_list("pk", flat=True)) == [a.pk]
    assert Org.objects.get(pk=b.pk).name == "连江县中医院"


def test_a_rename_racing_an_added_unit_of_that_name_one_is_refused(postgres_only, tree, reviewer_fuzhou, monkeypatch):
    org = tree["35012205"]
    first, second = _one_after_the_other(
        monkeypatch,
        partial(services.org_update, actor=reviewer_fuzhou, org=org, expected_version=org.version, name="连江县总医院"),
        _unit(reviewer_fuzhou, tree["350122"], "连江县总医院"))
    assert done(first) and isinstance(second, ValidationError) and list(second.message_dict) == ["name"]
    assert Org.objects.filter(name="连江县总医院").count() == 1


@pytest.mark.parametrize("quanzhou_code", ["35052499", "35010299"], ids=["same name", "same code"])
def test_two_imports_of_two_subtrees_adding_one_name_or_code_at_once_the_later_is_refused(
        postgres_only, tree, reviewer_fuzhou, reviewer_quanzhou, monkeypatch, quanzhou_code):
    # Each 考点 locks only its own subtree's rows: without the common lock both would check the tree
    # without the other's unit (two orgs of one name, or a server error on the code).
    sheets = {"fuzhou": sheet(row("35010299", "闽南同名医院", "350102")),
              "quanzhou": sheet(row(quanzhou_code, "闽南同名医院", "350524"))}
    actors = {"fuzhou": reviewer_fuzhou, "quanzhou": reviewer_quanzhou}
    previews = {k: importer.plan_import(actor=actors[k], filename="a.csv", content=c) for k, c in sheets.items()}
    assert all(p.ok for p in previews.values()), [p.errors for p in previews.values()]

    def apply(key):
        return partial(importer.org_import, actor=actors[key], filename="a.csv", content=sheets[key],
                       expected_version=previews[key].version, expected_digest=previews[key].digest)

    first, second = _one_after_the_other(monkeypatch, apply("fuzhou"), apply("quanzhou"),
                                         pause=(importer, "insert_tree"))
    assert done(first) and first.ok, first
    assert done(second) and not second.ok, second
    assert "预览之后组织机构已被修改" in second.errors[0]
    assert [(o.code, o.parent.code) for o in Org.objects.filter(name="闽南同名医院")] == [("35010299", "350102")]


def test_an_add_page_posted_twice_at_once_with_one_code_comes_back_with_the_message_and_what_was_typed(
        postgres_only, tree, reviewer_gulou_bureau, monkeypatch):
    def post(name):
        def act():
            client = Client()
            client.force_login(reviewer_gulou_bureau)
            return client.post(reverse("backoffice:orgs_add"), {
                "parent": tree["350102"].pk, "code": "35010299", "name": name, "contact_name": "林芳",
                "is_unit": "on"})
        return act

    first, second = _one_after_the_other(monkeypatch, post("鼓楼区甲社区卫生服务站"), post("鼓楼区乙社区卫生服务站"))
    assert first.status_code == 302
    assert second.status_code == 200
    html = second.content.decode()
    assert services.CODE_TAKEN in html and "鼓楼区乙社区卫生服务站" in html and "林芳" in html
    assert second.context["form"].errors == {"code": [services.CODE_TAKEN]}


# --- The refusals themselves (any database) ----------------------------------------------------


def test_a_rename_to_another_orgs_name_is_refused_at_the_name_field_keeping_what_was_typed(
        client, tree, reviewer_fuzhou):
    org = tree["35012206"]
    client.force_login(reviewer_fuzhou)
    response = client.post(reverse("backoffice:orgs_edit", args=[org.pk]), {
        "version": org.version, "parent": org.parent_id, "code": org.code, "name": "连江县医院",
        "short_name": "连江中医", "region_code": org.region_code, "is_unit": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["已有其他机构使用该规范全称（规范全称须全省唯一）。"]}
    assert "连江中医" in response.content.decode()
    assert Org.objects.get(pk=org.pk).name == "连江县中医院"


def test_an_org_sharing_its_name_from_before_can_still_be_edited(tree, reviewer_fuzhou):
    # A stored database may hold two orgs of one name (renames were not checked): they keep it.
    a, b = tree["35012205"], tree["35012206"]
    Org.objects.filter(pk=b.pk).update(name=a.name)
    b.refresh_from_db()
    org = services.org_update(actor=reviewer_fuzhou, org=b, expected_version=b.version, short_name="连江县医院二")
    assert (org.name, org.short_name) == ("连江县医院", "连江县医院二")


def test_a_taken_code_is_refused_at_the_code_field_keeping_what_was_typed(client, tree, reviewer_gulou_bureau):
    client.force_login(reviewer_gulou_bureau)
    response = client.post(reverse("backoffice:orgs_add"), {
        "parent": tree["350102"].pk, "code": "35012205", "name": "鼓楼区甲社区卫生服务站", "is_unit": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"code": [services.CODE_TAKEN]}
    assert "鼓楼区甲社区卫生服务站" in response.content.decode()


def test_a_unit_added_below_a_parent_deleted_meanwhile_is_refused_at_the_parent_field(tree, reviewer_fuzhou):
    parent = services.org_create(actor=reviewer_fuzhou, parent=tree["350122"], name="连江县某医院", is_unit=True)
    parent_pk = parent.pk
    Org.objects.filter(pk=parent_pk).delete()
    parent.pk = parent_pk  # the page's choice, read before the deletion
    with pytest.raises(ValidationError) as refused:
        services.org_create(actor=reviewer_fuzhou, parent=parent, name="连江县某医院分院", is_unit=True)
    assert list(refused.value.message_dict) == ["parent"]
