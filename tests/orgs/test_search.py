"""Unit dictionary search: substring, pinyin, ranking, enabled units only."""

import pytest

from prereg.orgs.models import Org
from prereg.orgs.search import NOT_FOUND_MESSAGE, search_units
from tests.factories import OrgFactory


def names(query, limit=20):
    return [o.name for o in search_units(query, limit)]


@pytest.mark.parametrize("query", ["省立", "省立医院", "slyy", "shengli", "fjsl", "SLYY"])
def test_the_provincial_hospital_is_found_by_name_short_name_and_pinyin(tree, query):
    assert names(query)[0] == "福建省立医院"


def test_an_exact_name_ranks_before_a_prefix_and_a_prefix_before_a_substring(tree):
    OrgFactory(name="连江县医院分院", is_unit=True)
    result = names("连江县医院")
    assert result[0] == "连江县医院"
    assert result.index("连江县医院分院") > 0


def test_shorter_names_come_first_among_substring_matches(tree):
    result = names("医院")
    assert result.index("连江县医院") < result.index("福建医科大学附属协和医院")


def test_only_enabled_units_are_found(tree):
    Org.objects.filter(code="35012206").update(enabled=False)
    assert "连江县中医院" not in names("中医院")
    # Not a unit: a bureau that only reviews is not offered to candidates.
    assert "福州市鼓楼区卫生健康局" not in names("鼓楼区卫生")


def test_an_empty_or_unknown_query_finds_nothing(tree):
    assert names("") == [] and names("   ") == []
    assert names("火星医院") == []
    assert "申请添加单位" in NOT_FOUND_MESSAGE


def test_the_limit_is_honoured(tree):
    assert len(names("县", 3)) == 3


@pytest.mark.parametrize("query", ["琯头 卫生院", "琯头镇卫生院", "连江 琯头"])
def test_a_few_characters_of_the_name_find_it_typed_apart_or_with_some_left_out(tree, query):
    """手册: 输入单位名称中的几个字即可查找 (phone probe: 琯头镇卫生院 found nothing and a duplicate
    unit was requested)."""
    OrgFactory(name="连江县琯头镇中心卫生院", is_unit=True)
    assert names(query)[0] == "连江县琯头镇中心卫生院"


def test_words_typed_apart_must_each_be_in_the_name(tree):
    assert names("连江 医院")[0] == "连江县医院"
    assert "福建省立医院" not in names("连江 医院")


def test_characters_in_another_order_find_nothing(tree):
    assert names("院医县江连") == []
