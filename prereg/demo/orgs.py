"""The demo org tree: every org named in the source notice, wired as design section 2 says."""

from prereg.orgs.models import Org

# (code, name, short name, parent code, levels, has unit reviewers, region)
ORGS = [
    ("350000", "福建省卫生健康委员会", "省卫健委", None, "district site", False, "350000"),
    ("350100", "福州市卫生和计划生育委员会", "福州市卫计委", "350000", "site", False, "350100"),
    ("350500", "泉州市卫生和计划生育委员会", "泉州市卫计委", "350000", "site", False, "350500"),
    ("350800", "龙岩市卫生和计划生育委员会", "龙岩市卫计委", "350000", "site", False, "350800"),
    ("350128", "平潭综合实验区社会事业局", "平潭社会事业局", "350000", "site point", False, "350128"),
    ("350102", "福州市鼓楼区卫生和计划生育局", "鼓楼区卫计局", "350100", "point", False, "350102"),
    ("35010201", "福州市鼓楼区洪山社区卫生服务中心", "鼓楼区洪山社区卫生服务中心", "350102", "unit", False, "350102"),
    ("350122", "连江县卫生和计划生育局", "连江县卫计局", "350100", "point unit", False, "350122"),
    ("35012201", "连江县妇幼保健院", "", "350122", "unit", False, "350122"),
    ("35012202", "连江县皮肤病医院", "", "350122", "unit", False, "350122"),
    ("35012203", "连江县疾病预防控制中心", "", "350122", "unit", False, "350122"),
    ("35012204", "连江县卫生监督所", "", "350122", "unit", False, "350122"),
    ("35012205", "连江县医院", "", "350122", "unit", True, "350122"),
    ("35012206", "连江县中医院", "", "350122", "unit", False, "350122"),
    ("35010001", "福州市第一医院", "", "350100", "unit point", True, "350100"),
    ("350524", "安溪县卫生和计划生育局", "安溪县卫计局", "350500", "point", False, "350524"),
    ("35052401", "安溪县医院", "", "350524", "unit", True, "350524"),
    ("35000001", "福建省立医院", "省立医院", "350000", "unit point", True, "350102"),
    ("35000002", "福建省立金山医院", "省立金山医院", "35000001", "unit", False, "350104"),
    ("35000003", "福建医科大学附属协和医院", "协和医院", "350000", "unit point", True, "350102"),
    ("35000004", "福能集团总医院", "福能总医院", "350000", "unit point", True, "350102"),
    ("35080001", "龙岩市中医院", "", "350800", "unit point", True, "350802"),
]


def seed_orgs() -> dict[str, Org]:
    orgs: dict[str, Org] = {}
    for code, name, short, parent, levels, reviewers, region in ORGS:
        org = Org.objects.filter(code=code).first()
        if org is None:
            org = Org(code=code, name=name, short_name=short, parent=orgs.get(parent), region_code=region,
                      is_district="district" in levels, is_site="site" in levels, is_point="point" in levels,
                      is_unit="unit" in levels, has_review_right=reviewers)
            org.save()
        orgs[code] = org
    return orgs
