"""Security probe round 7 (org part).

F3: an org's parent follows one level rule (services.parent_level_problem) on the org form, in org_create
and in the import: a 报名点 put under another 报名点 handed the upper one the lower's candidates, accounts
and org (350100's account moved 连江县卫健局 under 鼓楼区卫健局).
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from prereg.applications.selectors import needed_counts, waiting_counts
from prereg.audit.models import AuditEvent
from prereg.orgs import importer, services
from prereg.orgs.models import Org
from prereg.orgs.routing import resolve_chain
from prereg.orgs.stages import Stage
from tests.factories import submitted
from tests.orgs.test_import import row, sheet

POINT_UNDER_POINT = "上级机构（350102，类别：报名点）不能下设报名点。"


def _edit(client, org, **changes):
    org = Org.objects.get(pk=org.pk)
    data = {"parent": org.parent_id, "code": org.code, "name": org.name, "short_name": org.short_name,
            "region_code": org.region_code, "version": org.version,
            **{flag: "on" for flag in services.LEVEL_FLAGS + ["has_review_right"] if getattr(org, flag)}}
    data.update(changes)
    return client.post(reverse("backoffice:orgs_edit", args=[org.pk]), {k: v for k, v in data.items() if v is not None})


def _import_errors(actor, *rows):
    return importer.plan_import(actor=actor, filename="orgs.csv", content=sheet(*rows)).errors


def test_a_point_is_not_put_under_another_point_by_the_edit_form(client, tree, reviewer_province):
    lianjiang, gulou = tree["350122"], tree["350102"]
    client.force_login(reviewer_province)
    response = _edit(client, lianjiang, parent=gulou.pk)
    assert response.status_code == 200
    assert response.context["form"].errors["parent"] == [POINT_UNDER_POINT]
    assert Org.objects.get(pk=lianjiang.pk).parent_id == tree["350100"].pk
    assert not Org.objects.get(pk=lianjiang.pk).path.startswith(gulou.path)
    assert not AuditEvent.objects.filter(event="org.update").exists()


def test_the_import_and_the_edit_form_give_the_same_answer_for_the_same_move(client, tree, reviewer_province):
    lianjiang = tree["350122"]
    client.force_login(reviewer_province)
    form_errors = _edit(client, lianjiang, parent=tree["350102"].pk).context["form"].errors["parent"]
    import_errors = _import_errors(reviewer_province, row("350122", lianjiang.name, "350102", "报名点、单位",
                                                          short=lianjiang.short_name, region="350122"))
    assert import_errors == [f"第2行（350122）：{form_errors[0]}"]
    # And a move both accept: 连江 below the 考区 itself (a 考点 above a 报名点).
    ok = _import_errors(reviewer_province, row("350122", lianjiang.name, "350000", "报名点、单位",
                                               short=lianjiang.short_name, region="350122"))
    assert ok == []
    assert _edit(client, lianjiang, parent=tree["350000"].pk).status_code == 302
    assert Org.objects.get(pk=lianjiang.pk).parent_id == tree["350000"].pk


def test_the_service_refuses_the_move_and_a_new_point_under_a_point(tree, reviewer_province):
    with pytest.raises(ValidationError) as refused:
        services.org_update(actor=reviewer_province, org=tree["350524"], parent=tree["350502"],
                            waiting=waiting_counts)
    assert refused.value.message_dict["parent"] == ["上级机构（350502，类别：报名点）不能下设报名点。"]
    with pytest.raises(ValidationError) as refused:
        services.org_create(actor=reviewer_province, parent=tree["350102"], name="鼓楼区某报名点",
                            is_point=True, is_unit=False)
    assert refused.value.message_dict["parent"] == [POINT_UNDER_POINT]


def test_a_level_change_leaving_a_child_point_under_a_point_is_refused(tree, reviewer_province):
    # 福州市卫健委 made a 报名点 only: 鼓楼区卫健局 and the other 报名点 below it would sit under a 报名点.
    fuzhou = tree["350100"]
    with pytest.raises(ValidationError) as refused:
        services.org_update(actor=reviewer_province, org=fuzhou, levels={"is_site": False, "is_point": True})
    assert "不能下设报名点" in refused.value.messages[0]
    assert Org.objects.get(pk=fuzhou.pk).is_site


# F3, second part: moving an org that reviews (a reviewing level, the 单位审查 right, or one such below
# it) is the 考区's, as adding one and granting the right are (services.may_move).

MOVE_REFUSED = services.MOVE_REVIEW_ORG


def test_a_site_does_not_move_a_reviewing_unit_to_another_point(client, tree, reviewer_fuzhou):
    hospital, gulou = tree["35012205"], tree["350102"]  # 连江县医院, a unit with its own reviewers
    with pytest.raises(ValidationError) as refused:
        services.org_update(actor=reviewer_fuzhou, org=hospital, parent=gulou)
    assert refused.value.message_dict["parent"] == [MOVE_REFUSED]
    # The edit form shows the parent read-only with the reason; a parent posted anyway is ignored.
    client.force_login(reviewer_fuzhou)
    page = client.get(reverse("backoffice:orgs_edit", args=[hospital.pk]))
    assert page.context["form"].fields["parent"].disabled
    assert MOVE_REFUSED in page.content.decode()
    assert _edit(client, hospital, parent=gulou.pk, short_name="连江医院").status_code == 302
    assert Org.objects.get(pk=hospital.pk).parent_id == tree["350122"].pk
    assert Org.objects.get(pk=hospital.pk).short_name == "连江医院"
    # The import gives the same answer for the same move.
    assert _import_errors(reviewer_fuzhou, row("35012205", "连江县医院", "350102", right="是", region="350122")) == [
        f"第2行（35012205）：{MOVE_REFUSED}"]


def test_a_site_does_not_move_a_point_nor_an_org_with_a_reviewing_org_below(tree, reviewer_fuzhou):
    with pytest.raises(ValidationError) as refused:
        services.org_update(actor=reviewer_fuzhou, org=tree["350122"], parent=tree["350102"])
    assert refused.value.message_dict["parent"] == [MOVE_REFUSED]
    # A plain unit with a reviewing unit below it carries that one along.
    branch_holder = tree["35012206"]  # 连江县中医院
    hospital = tree["35012205"]
    hospital.parent = branch_holder
    hospital.save()  # 连江县医院 now a branch of 连江县中医院 (its path follows)
    with pytest.raises(ValidationError):
        services.org_update(actor=reviewer_fuzhou, org=branch_holder, parent=tree["350102"])
    assert _import_errors(reviewer_fuzhou, row("35012206", "连江县中医院", "350102", region="350122")) == [
        f"第2行（35012206）：{MOVE_REFUSED}"]


def test_a_site_still_moves_a_plain_unit_and_the_district_any_org(client, tree, reviewer_fuzhou, reviewer_province):
    unit = tree["35012204"]  # 连江县卫生监督所
    services.org_update(actor=reviewer_fuzhou, org=unit, parent=tree["350102"])
    assert Org.objects.get(pk=unit.pk).parent_id == tree["350102"].pk
    client.force_login(reviewer_province)
    assert not client.get(reverse("backoffice:orgs_edit", args=[tree["35012205"].pk])).context[
        "form"].fields["parent"].disabled
    services.org_update(actor=reviewer_province, org=tree["35012205"], parent=tree["350102"])
    assert Org.objects.get(pk=tree["35012205"].pk).parent_id == tree["350102"].pk


# F4 (org part): an org disabled by a higher rank is not enabled again by a lower one
# (services.enable_refusal), at 启用 and in the import alike.

REFUSED_ENABLE = "“安溪县中医院”由考区禁用，须由考区启用。"


@pytest.fixture
def anxi_tcm(tree):
    org = Org(code="35052402", name="安溪县中医院", parent=tree["350524"], region_code="350524")
    org.save()
    return org


def test_a_point_does_not_undo_the_districts_disable(client, anxi_tcm, reviewer_province, reviewer_anxi_bureau):
    assert services.org_set_enabled(actor=reviewer_province, org_ids=[anxi_tcm.pk], enabled=False) == 1
    assert Org.objects.get(pk=anxi_tcm.pk).disabled_by_role == "district"
    with pytest.raises(ValidationError) as refused:
        services.org_set_enabled(actor=reviewer_anxi_bureau, org_ids=[anxi_tcm.pk], enabled=True)
    assert refused.value.messages == [REFUSED_ENABLE]
    # On the list: the refusal, and who disabled it.
    client.force_login(reviewer_anxi_bureau)
    page = client.post(reverse("backoffice:orgs_toggle"), {"ids": [anxi_tcm.pk], "action": "enable"}, follow=True)
    text = page.content.decode()
    assert REFUSED_ENABLE in text and "（考区禁用）" in text
    assert not Org.objects.get(pk=anxi_tcm.pk).enabled
    assert not AuditEvent.objects.filter(event="org.enable").exists()
    # The 考区 enables it; the mark goes.
    assert services.org_set_enabled(actor=reviewer_province, org_ids=[anxi_tcm.pk], enabled=True) == 1
    assert Org.objects.get(pk=anxi_tcm.pk).disabled_by_role == ""


def test_the_same_rank_or_a_higher_one_enables_and_a_higher_disable_holds_it(
        anxi_tcm, reviewer_anxi_bureau, reviewer_quanzhou, reviewer_province):
    services.org_set_enabled(actor=reviewer_anxi_bureau, org_ids=[anxi_tcm.pk], enabled=False)
    services.org_set_enabled(actor=reviewer_anxi_bureau, org_ids=[anxi_tcm.pk], enabled=True)
    services.org_set_enabled(actor=reviewer_anxi_bureau, org_ids=[anxi_tcm.pk], enabled=False)
    services.org_set_enabled(actor=reviewer_quanzhou, org_ids=[anxi_tcm.pk], enabled=True)  # a 考点 above
    assert Org.objects.get(pk=anxi_tcm.pk).enabled
    # Disabled by the 报名点, then confirmed by the 考区: the 报名点 no longer undoes it.
    services.org_set_enabled(actor=reviewer_anxi_bureau, org_ids=[anxi_tcm.pk], enabled=False)
    assert services.org_set_enabled(actor=reviewer_province, org_ids=[anxi_tcm.pk], enabled=False) == 0
    assert Org.objects.get(pk=anxi_tcm.pk).disabled_by_role == "district"
    with pytest.raises(ValidationError, match="须由考区启用"):
        services.org_set_enabled(actor=reviewer_anxi_bureau, org_ids=[anxi_tcm.pk], enabled=True)
    with pytest.raises(ValidationError, match="须由考区启用"):
        services.org_set_enabled(actor=reviewer_quanzhou, org_ids=[anxi_tcm.pk], enabled=True)


def test_the_import_holds_and_refuses_as_the_list_does(anxi_tcm, reviewer_province, reviewer_anxi_bureau):
    disabled = importer.org_import(actor=reviewer_province, filename="orgs.csv", content=sheet(
        row("35052402", "安溪县中医院", "350524", enabled="否", region="350524")))
    assert disabled.ok and Org.objects.get(pk=anxi_tcm.pk).disabled_by_role == "district"
    enabling = row("35052402", "安溪县中医院", "350524", enabled="是", region="350524")
    assert _import_errors(reviewer_anxi_bureau, enabling) == [f"第2行（35052402）：{REFUSED_ENABLE}"]
    with pytest.raises(ValidationError) as refused:  # the same answer at 启用
        services.org_set_enabled(actor=reviewer_anxi_bureau, org_ids=[anxi_tcm.pk], enabled=True)
    assert refused.value.messages == [REFUSED_ENABLE]
    assert importer.org_import(actor=reviewer_province, filename="orgs.csv", content=sheet(enabling)).ok
    assert Org.objects.get(pk=anxi_tcm.pk).enabled and Org.objects.get(pk=anxi_tcm.pk).disabled_by_role == ""
    # A 报名点's own disable by import it may undo itself.
    importer.org_import(actor=reviewer_anxi_bureau, filename="orgs.csv", content=sheet(
        row("35052402", "安溪县中医院", "350524", enabled="否", region="350524")))
    assert Org.objects.get(pk=anxi_tcm.pk).disabled_by_role == "point"
    assert importer.org_import(actor=reviewer_anxi_bureau, filename="orgs.csv", content=sheet(enabling)).ok


# F3, in flight: a move re-routes no application. The chain is stored at submission; the orgs it names
# keep the application (and cannot be disabled while it needs them); the next submission routes the new way.

def test_a_move_leaves_the_chains_in_flight_to_the_orgs_they_name(tree, year, reviewer_province):
    application = submitted(tree, year, unit_code="35012206")  # 连江县中医院 → 连江县卫健局 → 福州 → 考区
    assert application.site_org.code == "350100"
    services.org_update(actor=reviewer_province, org=tree["350122"], parent=tree["350000"], waiting=waiting_counts)
    application.refresh_from_db()
    assert (application.point_org.code, application.site_org.code) == ("350122", "350100")
    assert needed_counts([tree["350100"].pk]) == {tree["350100"].pk: 1}
    with pytest.raises(ValidationError, match="请待其审核完毕后再禁用"):
        services.org_set_enabled(actor=reviewer_province, org_ids=[tree["350100"].pk], enabled=False,
                                 waiting=needed_counts)
    assert resolve_chain(Org.objects.get(code="35012206"))[Stage.SITE_REVIEW].code == "350000"
