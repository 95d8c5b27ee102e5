"""The demo org tree: the province's health commission (考区), the nine cities' commissions and
平潭综合实验区 (考点), every district and county's health bureau (报名点), and the units named in
the source notice, wired as design section 2 says (its five example chains route as it says).

Names are today's (卫生健康委员会 / 卫生健康局, since the 2018–2019 reorganisation); the divisions
and their codes come from the catalog's data/fujian_divisions.csv (NBS 2023, the header says where from).
平潭综合实验区 has no division code of its own: it keeps 350128 (平潭县), as Fujian's systems do.
金门县 (350527) is not under mainland administration and has no bureau here.
"""

from prereg.catalog.loaders import read_csv
from prereg.orgs.bulk import fill_paths, insert_tree
from prereg.orgs.models import Org

PROVINCE = "350000"
PINGTAN = "350128"
NO_BUREAU = {PINGTAN, "350527"}

# (code, name, short name, parent code, levels, has unit reviewers, region): the orgs of the
# notice's examples beyond the generated cities and counties.
UNITS = [
    (PINGTAN, "平潭综合实验区社会事业局", "平潭社会事业局", PROVINCE, "site point", False, PINGTAN),
    ("35010201", "福州市鼓楼区洪山社区卫生服务中心", "鼓楼区洪山社区卫生服务中心", "350102", "unit", False, "350102"),
    ("35012201", "连江县妇幼保健院", "", "350122", "unit", False, "350122"),
    ("35012202", "连江县皮肤病医院", "", "350122", "unit", False, "350122"),
    ("35012203", "连江县疾病预防控制中心", "", "350122", "unit", False, "350122"),
    ("35012204", "连江县卫生监督所", "", "350122", "unit", False, "350122"),
    ("35012205", "连江县医院", "", "350122", "unit", True, "350122"),
    ("35012206", "连江县中医院", "", "350122", "unit", False, "350122"),
    ("35010001", "福州市第一医院", "", "350100", "unit point", True, "350100"),
    ("35052401", "安溪县医院", "", "350524", "unit", True, "350524"),
    ("35000001", "福建省立医院", "省立医院", PROVINCE, "unit point", True, "350102"),
    ("35000002", "福建省立金山医院", "省立金山医院", "35000001", "unit", False, "350104"),
    ("35000003", "福建医科大学附属协和医院", "协和医院", PROVINCE, "unit point", True, "350102"),
    ("35000004", "福能集团总医院", "福能总医院", PROVINCE, "unit point", True, "350102"),
    ("35080001", "龙岩市中医院", "", "350800", "unit point", True, "350802"),
]
# Levels other than the generated ones: 连江县's bureau is a unit too (its own staff apply through it).
EXTRA_LEVELS = {"350122": "point unit"}
# The 2017 names of a demo database seeded before the reorganisation's names were used.
OLD_NAMES = {
    "福州市卫生和计划生育委员会", "泉州市卫生和计划生育委员会", "龙岩市卫生和计划生育委员会",
    "福州市鼓楼区卫生和计划生育局", "连江县卫生和计划生育局", "安溪县卫生和计划生育局",
}


def bureau_names(county: str, city: str) -> tuple[str, str]:
    """A district's bureau carries its city's name (福州市鼓楼区卫生健康局); a county's or county-level
    city's does not (连江县卫生健康局, 福清市卫生健康局)."""
    full = f"{city}{county}" if county.endswith("区") else county
    return f"{full}卫生健康局", f"{county}卫健局"


def org_rows() -> list[tuple]:
    """Every org of the demo tree, parents first, as (code, name, short, parent, levels, reviewers, region)."""
    rows = [(PROVINCE, "福建省卫生健康委员会", "省卫健委", None, "district site", False, PROVINCE)]
    cities = {}
    divisions = read_csv("fujian_divisions.csv")
    for division in divisions:
        code, name = division["code"], division["name"]
        if division["level"] == "city":
            cities[code] = name
            rows.append((code, f"{name}卫生健康委员会", f"{name}卫健委", PROVINCE, "site", False, code))
    for division in divisions:
        code = division["code"]
        if division["level"] == "county" and code not in NO_BUREAU:
            parent = division["parent_code"]
            name, short = bureau_names(division["name"], cities[parent])
            rows.append((code, name, short, parent, EXTRA_LEVELS.get(code, "point"), False, code))
    rows.extend(UNITS)
    return rows


def seed_orgs() -> dict[str, Org]:
    """Create the orgs missing (a generation of the tree per query), give a demo database of the
    2017 names today's, and return every org of the tree by code."""
    rows = org_rows()
    stored = {org.code: org for org in Org.objects.filter(code__in=[r[0] for r in rows])}
    specs = []
    for code, name, short, parent, levels, reviewers, region in rows:
        org = stored.get(code)
        if org is None:
            specs.append({"code": code, "parent": parent, "name": name, "short_name": short, "region_code": region,
                          "is_district": "district" in levels, "is_site": "site" in levels,
                          "is_point": "point" in levels, "is_unit": "unit" in levels, "has_review_right": reviewers})
        elif org.name in OLD_NAMES:
            org.name, org.short_name = name, short
            org.save()
    if specs:
        insert_tree(specs, {code: org.pk for code, org in stored.items()})
        fill_paths()
        stored.update({org.code: org for org in Org.objects.filter(code__in=[s["code"] for s in specs])})
    return {code: stored[code] for code, *_ in rows}
