"""Headers recognised by their synonyms, and the cells of the roster read as the 国网 writes them."""

import pytest

from prereg.reconcile import columns
from tests.reconcile.helpers import HEADER_2020, HEADER_2021, person


def test_the_2020_headers_are_recognised():
    assert columns.detect(HEADER_2020) == {
        "name": "姓名", "id_number": "证件号码", "level": "报考级别", "specialty": "报考专业", "serial": "报名序号",
        "site": "考点", "status": "现场确认", "phone": "手机号"}


def test_the_next_years_headers_are_recognised_by_their_synonyms():
    assert columns.detect(HEADER_2021) == {
        "name": "考生姓名", "id_number": "* 身份证号", "level": "级别", "specialty": "专业代码", "serial": "报名号",
        "site": "考点名称", "status": "审核状态", "phone": "手机号码"}


def test_full_width_marks_and_colons_do_not_hide_a_header():
    mapping = columns.detect(["（姓名）", "身份证号码：", "现场确认状态", "联系电话"])
    assert mapping == {"name": "（姓名）", "id_number": "身份证号码：", "status": "现场确认状态", "phone": "联系电话"}


def test_a_header_serves_one_field_only():
    assert columns.detect(["姓名", "专业", "专业代码"])["specialty"] == "专业代码"


@pytest.mark.parametrize(("cell", "expected"), [
    (" 35052419900101503x ", "35052419900101503X"), ("3505 2419 9001 01503X", "35052419900101503X"),
    ("３５０５２４", "350524"), ("e1234567８", "E12345678")])
def test_id_numbers_are_normalised_as_every_page_does_uppercase_without_spaces(cell, expected):
    assert columns.normalise_id(cell) == expected


def test_a_wrong_check_digit_or_format_is_a_reason():
    right = columns.normalise_id(person(3))
    wrong = right[:17] + ("1" if right[17] != "1" else "2")
    assert columns.id_error(right) == ""
    assert columns.id_error(wrong) == "身份证号码校验位不正确"
    assert columns.id_error("") == "证件号码为空"
    assert columns.id_error("3505#") == "证件号码格式不正确"


@pytest.mark.parametrize(("cell", "level"), [("初级（士）", "初级(士)"), ("初级士", "初级(士)"), ("初级(师)", "初级(师)"),
                                             ("中级", "中级"), ("中级职称", "中级")])
def test_levels_compare_whatever_their_brackets(cell, level):
    assert columns.canonical_level(cell) == level


@pytest.mark.parametrize(("cell", "code"), [("203", "203"), ("203护理学(师)", "203"), ("203 护理学(师)", "203"),
                                            ("护理学(师)", "203"), ("不知道", "")])
def test_the_specialty_code_is_read_from_the_cell_or_the_catalogue(cell, code):
    assert columns.specialty_code(cell, {"护理学(师)": "203"}) == code


@pytest.mark.parametrize(("cell", "confirmed"), [("已确认", True), ("审核通过", True), ("是", True), ("未确认", False),
                                                 ("待审核", False), ("审核不通过", False), ("", False), ("否", False),
                                                 ("１", True), ("Ｙ", True), ("\u3000已确认", True)])
def test_the_status_cell_says_whether_the_national_side_is_confirmed(cell, confirmed):
    assert columns.confirmed(cell) is confirmed


def test_a_masked_phone_is_no_phone_and_a_wrong_one_is_a_reason():
    assert columns.normalise_phone("138****0000") == ("", "")
    assert columns.normalise_phone("+86 139-0000-0001") == ("13900000001", "")
    assert columns.normalise_phone("12345") == ("", "手机号格式不正确")


def test_a_roster_phone_is_read_as_a_candidates_number():
    # The one rule of core.validators: a national prefix without its +, full-width digits, and
    # ASCII digits only (\d would take the digits of every script).
    assert columns.normalise_phone("8613900000001") == ("13900000001", "")
    assert columns.normalise_phone("１３９００００００01") == ("13900000001", "")
    assert columns.normalise_phone("13" + "\u0660" * 9) == ("", "手机号格式不正确")


@pytest.mark.parametrize("cell", ["泉州市卫生健康委员会", "泉州市卫计委", "泉州考点", "泉州市", "泉州"])
def test_a_site_cell_names_its_place_whatever_the_commissions_name(cell):
    assert columns.place(cell) == "泉州"
