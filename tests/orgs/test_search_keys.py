"""The unit search keys computed for bulk imports equal lazy_pinyin of the whole name (what the
search was built on), digits and Latin letters included."""

import pytest
from pypinyin import Style, lazy_pinyin

from prereg.orgs.models import search_keys


@pytest.mark.parametrize("name, short", [
    ("福州市鼓楼区洪山社区卫生服务中心", "鼓楼区洪山社区卫生服务中心"),
    ("福建医科大学附属协和医院", "协和医院"),
    ("重庆市长寿区人民医院", ""),
    ("厦门大学附属第一医院（思明分院）", "厦大附一"),
    ("泉州市第1医院 CT室", "A2"),
    ("连江县琯头镇中心卫生院", ""),
])
def test_search_keys_are_lazy_pinyins_of_the_whole_name(name, short):
    text = f"{name} {short}".strip().replace(" ", "")
    expected = ("".join(lazy_pinyin(text)).lower()[:400],
                "".join(lazy_pinyin(text, style=Style.FIRST_LETTER)).lower()[:100])
    assert search_keys(name, short) == expected
