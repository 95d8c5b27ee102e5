"""Where a unit may sit (orgs.routing.routing_gap): below an enabled 报名点, 考点 and 考区, or its
candidates can never submit. One rule for 新增机构, 编辑机构 (moves, levels), 单位添加申请 and the import."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from prereg.notify.models import SmsMessage
from prereg.orgs import services
from prereg.orgs.models import Org
from prereg.orgs.routing import resolve_chain, routing_gap
from tests.factories import UnitRequestFactory
from tests.orgs.test_import import plan, row


def test_the_rule_agrees_with_routing_on_every_org_of_the_demo_tree(tree):
    Org.objects.filter(pk=tree["350122"].pk).update(enabled=False)  # 连江县's units lose their 报名点
    for org in Org.objects.filter(is_unit=True):
        gap = routing_gap(org.ancestors_and_self())
        try:
            resolve_chain(org)
        except ValidationError:
            assert gap, org.code
        else:
            assert not gap, org.code
    assert routing_gap(tree["35012205"].ancestors_and_self()) == "向上找不到报名点（或已禁用）"


def test_a_site_cannot_add_a_unit_below_itself(client, tree, reviewer_fuzhou):
    client.force_login(reviewer_fuzhou)
    page = client.get(reverse("backoffice:orgs_add"))
    offered = set(page.context["form"].fields["parent"].queryset.values_list("code", flat=True))
    assert "350100" not in offered and {"350102", "350122", "35010001"} <= offered
    assert page.context["form"]["parent"].value() is None  # not pre-filled with the 考点 itself
    with pytest.raises(ValidationError) as refused:
        services.org_create(actor=reviewer_fuzhou, parent=tree["350100"], name="福州市某某诊所")
    assert "向上找不到报名点" in refused.value.message_dict["parent"][0]
    assert not Org.objects.filter(name="福州市某某诊所").exists()


def test_the_district_cannot_add_a_unit_directly_below_itself(client, tree, reviewer_province):
    client.force_login(reviewer_province)
    response = client.post(reverse("backoffice:orgs_add"), {"parent": tree["350000"].pk, "name": "某省属诊所",
                                                           "is_unit": "on"})
    assert response.status_code == 200
    assert "向上找不到报名点（或已禁用），该单位的考生将无法提交" in response.context["form"].errors["parent"][0]
    assert not Org.objects.filter(name="某省属诊所").exists()
    # A 报名点 it adds below the 考区 (a 考点 too) routes: it is its own 报名点.
    services.org_create(actor=reviewer_province, parent=tree["350000"], name="某省直报名点", is_point=True,
                        is_unit=False)


def test_a_site_resolving_a_request_is_offered_only_registration_points(client, tree, reviewer_fuzhou,
                                                                       django_capture_on_commit_callbacks):
    unit_request = UnitRequestFactory(full_name="连江县琯头镇卫生院", region_code="350122")
    client.force_login(reviewer_fuzhou)
    url = reverse("backoffice:unit_request_resolve", args=[unit_request.pk])
    form = client.get(url).context["add_form"]
    assert "350100" not in set(form.fields["parent"].queryset.values_list("code", flat=True))
    assert form["parent"].value() == tree["350122"].pk  # the request's county's bureau
    response = client.post(url, {"mode": "add", "parent": tree["350100"].pk, "name": "连江县琯头镇卫生院"})
    assert response.status_code == 200 and response.context["add_form"].errors["parent"]
    with pytest.raises(ValidationError) as refused:
        services.unit_request_resolve_add(actor=reviewer_fuzhou, unit_request=unit_request, parent=tree["350100"],
                                          name="连江县琯头镇卫生院")
    assert "parent" in refused.value.message_dict
    assert not Org.objects.filter(name="连江县琯头镇卫生院").exists() and not SmsMessage.objects.exists()
    unit_request.refresh_from_db()
    assert unit_request.status == "open"


def _edit(client, org, **changes):
    data = {"parent": org.parent_id, "code": org.code, "name": org.name, "region_code": org.region_code,
            "version": Org.objects.get(pk=org.pk).version}
    data.update({flag: "on" for flag in ("is_district", "is_site", "is_point", "is_unit") if getattr(org, flag)})
    data.update(changes)
    return client.post(reverse("backoffice:orgs_edit", args=[org.pk]), {k: v for k, v in data.items() if v != ""})


def test_a_unit_is_not_moved_where_it_finds_no_registration_point(client, tree, reviewer_province):
    client.force_login(reviewer_province)
    hospital = tree["35052401"]
    response = _edit(client, hospital, parent=tree["350500"].pk)
    assert response.status_code == 200
    assert "“安溪县医院”向上找不到报名点" in response.context["form"].errors["parent"][0]
    hospital.refresh_from_db()
    assert hospital.parent == tree["350524"] and hospital.path.startswith(tree["350524"].path)


def test_an_org_with_units_below_is_not_moved_or_changed_to_leave_them_without_a_route(client, tree,
                                                                                      reviewer_province):
    client.force_login(reviewer_province)
    bureau = tree["350524"]
    # Its 报名点 taken away: 安溪县医院 below it would find none.
    response = _edit(client, bureau, is_point="", is_unit="on")
    assert response.status_code == 200 and "“安溪县医院”向上找不到报名点" in response.context["form"].errors["is_point"][0]
    assert Org.objects.get(pk=bureau.pk).is_point
    # Moved with its units below another 考点: they keep their 报名点 (the bureau), the move is done.
    assert _edit(client, bureau, parent=tree["350100"].pk).status_code == 302
    assert [org.code for org in resolve_chain(Org.objects.get(pk=tree["35052401"].pk)).values()][1:] == [
        "350524", "350100", "350000"]
    assert Org.objects.get(pk=tree["35052401"].pk).path.startswith(tree["350100"].path)


def test_the_import_applies_the_same_rule_to_stored_units_below_a_changed_row(reviewer_province, tree):
    # The bureau's 报名点 taken away: 安溪县医院, stored below it and not in the file, finds none.
    bureau = row("350524", "安溪县卫生健康局", "350500", "单位", short="安溪县卫健局", region="350524")
    result = plan(reviewer_province, bureau)
    assert result.errors == ["第2行（350524）：向上找不到报名点（或已禁用），该机构的考生无法提交。",
                             "现有下级机构 35052401（安溪县医院）：向上找不到报名点（或已禁用），该机构的考生无法提交。"]
    # A unit of the file below a disabled 报名点 of the file, likewise; a disabled unit needs no route.
    result = plan(reviewer_province, row("350211", "厦门市集美区卫生健康局", "350200", "报名点", enabled="否",
                                         region="350211"),
                  row("35021101", "集美区某诊所", "350211"), row("35021102", "集美区某已停诊所", "350211", enabled="否"))
    assert [e for e in result.errors if "35021101" in e or "35021102" in e] == [
        "第3行（35021101）：向上找不到报名点（或已禁用），该机构的考生无法提交。"]


def test_a_request_is_not_pointed_to_a_unit_nobody_can_review(client, tree, reviewer_fuzhou):
    unit_request = UnitRequestFactory(full_name="连江县中医医院", region_code="350122")
    stray = tree["35012206"]  # 连江县中医院, as an old 新增机构 could leave it: right below the 考点
    stray.parent = tree["350100"]
    stray.save()
    client.force_login(reviewer_fuzhou)
    response = client.post(reverse("backoffice:unit_request_resolve", args=[unit_request.pk]),
                           {"mode": "point", "org": stray.pk})
    assert response.status_code == 200
    assert "“连江县中医院”向上找不到报名点（或已禁用），考生选择后无法提交" in response.context["error"]
    unit_request.refresh_from_db()
    assert unit_request.status == "open" and not SmsMessage.objects.exists()


def test_a_point_is_not_disabled_over_enabled_units_nor_a_unit_enabled_where_no_point_is(client, tree, reviewer_fuzhou):
    # The verification probe: 禁用 of 连江县卫生健康局 left 连江县医院 selectable, and its candidate's resubmission
    # was refused with 没有可用的上级审核机构.
    point, hospital = tree["350122"], tree["35012201"]
    client.force_login(reviewer_fuzhou)
    html = client.post(reverse("backoffice:orgs_toggle"), {"ids": [point.pk], "action": "disable"},
                       follow=True).content.decode()
    assert f"“{hospital.name}”向上找不到报名点" in html and "其考生将无法提交" in html
    assert Org.objects.get(pk=point.pk).enabled
    # Disabled with everything below it, it may go; a unit below is not enabled again on its own.
    below = list(Org.objects.subtree_of(point).values_list("pk", flat=True))
    services.org_set_enabled(actor=reviewer_fuzhou, org_ids=below, enabled=False)
    with pytest.raises(ValidationError, match="向上找不到报名点"):
        services.org_set_enabled(actor=reviewer_fuzhou, org_ids=[hospital.pk], enabled=True)
    assert not Org.objects.get(pk=hospital.pk).enabled


def test_the_import_does_not_disable_a_point_over_enabled_units(reviewer_province, tree):
    from prereg.orgs import importer

    rows = [r for r in importer.export_rows(reviewer_province) if r[0] == "350122"]
    rows[0][6] = "否"
    result = plan(reviewer_province, *rows)
    assert not result.ok and any("向上找不到报名点" in error for error in result.errors)


def test_a_stage_is_not_handed_over_from_an_org_that_does_not_do_it(tree, year, reviewer_fuzhou,
                                                                      reviewer_gulou_bureau):  # the target's account
    # The verification probe: 报名点确认 "from" 连江县医院 (a unit) was accepted, an assignment no chain meets.
    with pytest.raises(ValidationError, match="不办理报名点确认"):
        services.cross_review_assign(actor=reviewer_fuzhou, exam_year=year, stage="point",
                                     source_id=tree["35012205"].pk, target_id=tree["350102"].pk)
