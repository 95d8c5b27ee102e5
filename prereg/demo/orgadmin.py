"""Demo data of org and account management: a unit added by a registration point, a disabled
unit, open unit requests in two areas."""

from prereg.orgs.models import Org, UnitRequest

# (code, name, parent code, region, enabled): units added below 报名点, without review right.
UNITS = [
    ("35012207", "连江县琯头镇中心卫生院", "350122", "350122", True),
    ("35012208", "连江县东湖镇卫生院", "350122", "350122", False),  # 已禁用: merged into another unit
    ("35052402", "安溪县中医院", "350524", "350524", True),
]
# (full name, region, phone, candidate index): what candidates asked for from the search box.
REQUESTS = [
    ("连江县敖江镇卫生院", "350122", "15005000407", 3),
    ("安溪县城厢镇卫生院", "350524", "15005000405", 1),
]


def seed(context) -> None:
    tree = context["tree"]
    for code, name, parent, region, enabled in UNITS:
        if not Org.objects.filter(code=code).exists():
            org = Org(code=code, name=name, parent=tree[parent], region_code=region, is_unit=True, enabled=enabled)
            org.save()
    candidates = context["candidates"]
    for full_name, region, phone, index in REQUESTS:
        if not UnitRequest.objects.filter(full_name=full_name).exists():
            UnitRequest.objects.create(full_name=full_name, region_code=region, phone=phone,
                                       requested_by=candidates[index])
