"""The one rule of typed text (core.validators) decides once about Unicode's bidirectional controls: every one is
dropped wherever text is stored (clean_text, clean_line, clean_person_name), never kept; and a control
character in a name is refused with the message every text field gives, not read as a space."""

import pytest
from django.core.exceptions import ValidationError

from prereg.core.validators import clean_line, clean_person_name, clean_text, searched_name

CONTROL = "不能包含控制字符（不可见的特殊字符），请删除后重新填写。"
# Unicode's bidirectional formatting characters (UAX #9, table 4): ALM, LRM, RLM, LRE, RLE, PDF, LRO, RLO, LRI,
# RLI, FSI, PDI.
BIDI_CONTROLS = ["\u061c", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067",
                 "\u2068", "\u2069"]


@pytest.mark.parametrize("char", BIDI_CONTROLS)
def test_every_bidi_control_is_dropped_by_every_text_rule(char):
    assert clean_text(f"福州{char}市") == "福州市"
    assert clean_line(f" 申报{char}  专业 ") == "申报 专业"
    assert clean_person_name(f"张{char}三") == "张三"
    assert searched_name(f"张{char}三") == "张三"


@pytest.mark.parametrize("char", ["\x01", "\x1b", "\x1c", "\x1f", "\x7f", "\x9b"])
def test_a_control_character_in_a_name_is_refused_as_in_any_text(char):
    for rule in (clean_line, clean_person_name):
        with pytest.raises(ValidationError) as error:
            rule(f"张{char}三")
        assert error.value.messages == [CONTROL]


def test_a_line_is_one_line_with_one_space_between_words():
    assert clean_line("科\t长\r\n 副\u3000 主任") == "科 长 副 主任"
    assert clean_line("\u200b\u202e") == ""
    assert clean_line("代码", "代码") == "代码"
    with pytest.raises(ValidationError) as error:
        clean_line("A\x01", "代码")
    assert error.value.messages == [f"代码：{CONTROL}"]
