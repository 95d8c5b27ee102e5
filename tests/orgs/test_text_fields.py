"""Typed org text read by core's one rule (core.validators.clean_text): an org's 联系人 and 地址 on
新增机构 and its edit, and a candidate's 单位添加申请.

The input probe: a zero-width space or a direction mark pasted with 联系人 or 地址 was stored, and an
escape too (Django strips only ordinary spaces; the names already went through clean_org_name).
"""

import pytest
from django.urls import reverse

from prereg.applications.carryover import start_application
from prereg.orgs.models import Org, UnitRequest

UNIT = "福州市鼓楼区温泉街道某某诊所"


@pytest.fixture
def gulou(client, reviewer_gulou_bureau, tree):
    client.force_login(reviewer_gulou_bureau)
    return tree["350102"]


def add(client, parent, **fields):
    return client.post(reverse("backoffice:orgs_add"), {"parent": parent.pk, "name": UNIT, **fields})


def edit(client, org, **fields):
    data = {"parent": org.parent_id, "code": org.code, "name": org.name, "region_code": org.region_code,
            "contact_name": org.contact_name, "address": org.address, "is_unit": "on", "version": org.version}
    return client.post(reverse("backoffice:orgs_edit", args=[org.pk]), {**data, **fields})


# 联系人 and 地址 ------------------------------------------------------------------------------------

def test_an_orgs_contact_and_address_are_stored_without_invisible_characters_and_a_tab_as_a_space(client, gulou):
    response = add(client, gulou, contact_name="\u200b王\u200e五\ufeff", address="福州市\u202e鼓楼区\t洪山镇\u2066")
    assert response.status_code == 302
    org = Org.objects.get(name=UNIT)
    assert (org.contact_name, org.address) == ("王五", "福州市鼓楼区 洪山镇")


@pytest.mark.parametrize("field", ["contact_name", "address"])
def test_a_control_character_in_an_orgs_contact_or_address_is_refused_at_its_field(client, gulou, field):
    body = add(client, gulou, **{field: "王\x1b[31m五"}).content.decode()
    assert "不能包含控制字符" in body
    assert not Org.objects.filter(name=UNIT).exists()


def test_a_contact_of_invisible_characters_alone_is_none(client, gulou):
    add(client, gulou, contact_name="\u200b\u200d", address="\u2060")
    org = Org.objects.get(name=UNIT)
    assert (org.contact_name, org.address) == ("", "")


def test_an_edit_reads_a_changed_contact_by_the_rule_and_leaves_one_stored_before_it(client, reviewer_fuzhou, tree):
    client.force_login(reviewer_fuzhou)
    org = tree["35012206"]
    Org.objects.filter(pk=org.pk).update(address="连江县\x1b凤城镇")  # stored before the rule
    org.refresh_from_db()
    assert edit(client, org, short_name="连江中医院").status_code == 302  # another field's edit is not stopped
    org.refresh_from_db()
    assert org.address == "连江县\x1b凤城镇" and org.short_name == "连江中医院"
    assert "不能包含控制字符" in edit(client, org, contact_name="李\x07四").content.decode()
    assert edit(client, org, contact_name="李\u200b四").status_code == 302
    org.refresh_from_db()
    assert org.contact_name == "李四"


# 单位添加申请 (its field is the candidate form's TextField since e0c8874) ------------------------------

@pytest.fixture
def applying(client, candidate, year, tree):
    client.force_login(candidate)
    return start_application(candidate=candidate, exam_year=year)


def request_unit(client, full_name):
    return client.post(reverse("candidate:unit_request"), {"full_name": full_name, "region_code": "350524"})


def test_a_unit_request_is_stored_without_invisible_characters(client, applying):
    assert request_unit(client, "\u202e安溪县\u200b某某\u200f诊所\ufeff").status_code == 302
    assert UnitRequest.objects.get().full_name == "安溪县某某诊所"


@pytest.mark.parametrize(("typed", "said"), [("安溪县\x00某某诊所", "空字符"), ("安溪县\x1b某某诊所", "控制字符")])
def test_a_unit_request_with_a_nul_or_a_control_character_is_refused_in_chinese(client, applying, typed, said):
    body = request_unit(client, typed).content.decode()
    assert said in body
    assert not UnitRequest.objects.exists()


def test_a_unit_request_differing_by_an_invisible_character_is_the_open_one_again(client, applying):
    assert request_unit(client, "安溪县某某诊所").status_code == 302
    body = request_unit(client, "安溪县某\u200b某诊所\u200e").content.decode()
    assert "请勿重复申请" in body
    assert UnitRequest.objects.count() == 1
