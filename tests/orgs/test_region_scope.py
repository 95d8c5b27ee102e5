"""An org's 所在地区 decides which 单位添加申请 its reviewers see: a reviewer may not widen that by
typing a region outside his own org's area (a 报名点 of 安溪县 naming the whole province)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from prereg.orgs import services
from prereg.orgs.models import Org, UnitRequest
from tests.factories import UnitRequestFactory
from tests.orgs.test_import import plan, row


@pytest.fixture
def requests_of_two_cities(db):
    return UnitRequestFactory(region_code="350524"), UnitRequestFactory(region_code="350122")


def _edit(client, org, region):
    return client.post(reverse("backoffice:orgs_edit", args=[org.pk]), {
        "parent": org.parent_id, "code": org.code, "name": org.name, "region_code": region, "is_unit": "on",
        "version": Org.objects.get(pk=org.pk).version})


def test_a_point_cannot_give_a_unit_below_it_a_region_outside_its_own(client, tree, reviewer_anxi_bureau,
                                                                      requests_of_two_cities):
    anxi, lianjiang = requests_of_two_cities
    hospital = tree["35052401"]
    client.force_login(reviewer_anxi_bureau)
    for region in ("350000", "350500", "350122", "110101"):
        html = _edit(client, hospital, region).content.decode()
        assert "所在地区代码应在本机构所在地区（350524）之内" in html, region
        assert Org.objects.get(pk=hospital.pk).region_code == "350524"
    assert list(UnitRequest.objects.visible_to(reviewer_anxi_bureau)) == [anxi]
    with pytest.raises(ValidationError):
        services.org_create(actor=reviewer_anxi_bureau, parent=tree["350524"], name="安溪县某诊所", region_code="350000")
    assert _edit(client, hospital, "350524").status_code == 302


def test_a_site_names_regions_of_its_city_and_the_district_of_the_province(tree, reviewer_quanzhou,
                                                                          reviewer_province):
    assert services.check_region(reviewer_quanzhou, "350524") == ""
    assert services.check_region(reviewer_quanzhou, "350122") != ""
    assert services.check_region(reviewer_province, "350122") == ""
    assert services.check_region(reviewer_province, "110101") != ""


def test_a_units_code_counts_as_itself_not_as_the_area_it_names(tree, reviewer_anxi_bureau, requests_of_two_cities):
    # An old row (typed before the check) holding the province's code widens nothing.
    Org.objects.filter(pk=tree["35052401"].pk).update(region_code="350000")
    assert [r.region_code for r in UnitRequest.objects.visible_to(reviewer_anxi_bureau)] == ["350524"]


def test_the_import_refuses_a_region_outside_the_importers_area(reviewer_province):
    result = plan(reviewer_province, row("35021101", "厦门市集美区第一医院", "350211", region="110101"))
    assert not result.ok and "所在地区代码应在本机构所在地区（350000）之内" in result.errors[0]
