"""The demo tree (issue 17.3): today's names, the nine cities and 平潭 as 考点, every district and
county's bureau as 报名点, the notice's codes kept."""

from prereg.catalog.loaders import read_csv
from prereg.demo.orgs import OLD_NAMES, seed_orgs
from prereg.orgs.models import Org
from prereg.orgs.routing import resolve_chain


def test_the_demo_tree_has_ten_sites_with_todays_names(tree):
    sites = Org.objects.filter(is_site=True, is_district=False)
    assert sorted(sites.values_list("code", flat=True)) == [
        "350100", "350128", "350200", "350300", "350400", "350500", "350600", "350700", "350800", "350900"]
    assert set(sites.exclude(code="350128").values_list("name", flat=True)) == {
        f"{city}卫生健康委员会" for city in ("福州市", "厦门市", "莆田市", "三明市", "泉州市", "漳州市", "南平市", "龙岩市",
                                              "宁德市")}
    assert not Org.objects.filter(name__contains="计划生育").exists()
    assert tree["350102"].name == "福州市鼓楼区卫生健康局" and tree["350122"].name == "连江县卫生健康局"
    assert tree["350181"].name == "福清市卫生健康局" and tree["350181"].parent == tree["350100"]


def test_every_district_and_county_has_its_bureau_as_registration_point(tree):
    counties = {d["code"] for d in read_csv("fujian_divisions.csv") if d["level"] == "county"} - {"350128", "350527"}
    points = set(Org.objects.filter(is_point=True, code__in=counties).values_list("code", flat=True))
    assert points == counties and len(counties) == 82
    # Every path is the materialized path of its parents (bulk-created, one generation a query).
    for org in Org.objects.select_related("parent"):
        expected = (org.parent.path if org.parent else "/") + f"{org.pk}/"
        assert org.path == expected and org.depth == expected.count("/") - 2
        assert org.pinyin  # search keys computed


def test_a_new_countys_unit_routes_through_its_bureau_and_city(tree):
    xiamen_unit = Org(code="35020301", name="厦门大学附属第一医院", parent=tree["350203"], region_code="350203")
    xiamen_unit.save()
    chain = resolve_chain(xiamen_unit)
    assert tuple(org.code for org in chain.values()) == (
        "350203", "350203", "350200", "350000")


def test_seeding_again_renames_a_2017_demo_database_and_adds_nothing(tree):
    org = tree["350524"]
    Org.objects.filter(pk=org.pk).update(name="安溪县卫生和计划生育局")
    assert "安溪县卫生和计划生育局" in OLD_NAMES
    count = Org.objects.count()
    again = seed_orgs()
    assert Org.objects.count() == count
    assert again["350524"].name == Org.objects.get(code="350524").name == "安溪县卫生健康局"
