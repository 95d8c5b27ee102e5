"""The columns of the 国网 roster: headers recognised by their synonyms, cells read and compared.

The 考务管理系统's export changes its headers from year to year (证件号码 one year, 身份证号 the
next; 报考专业 with the code in front, or a separate 专业代码). Each field lists the headers it has
been seen under; the mapping the org confirmed last wins over them (services.proposed_mapping).
Pure functions: tested without a database.
"""

import re
import unicodedata
from dataclasses import dataclass

from prereg.core.validators import (
    MOBILE_RE,
    id_check_char,
    is_digits,
    normalize_id_number,
    normalize_middle_dots,
    normalize_mobile,
    strip_invisible,
)


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    required: bool
    synonyms: tuple[str, ...]  # normalised header texts, the likeliest first


FIELDS = [
    Field("name", "姓名", True, ("姓名", "考生姓名", "名字")),
    Field("id_number", "证件号码", True, ("证件号码", "身份证号", "身份证号码", "证件号", "身份证件号码",
                                          "公民身份号码", "证件编号")),
    Field("level", "报考级别", False, ("报考级别", "级别", "考试级别", "报考等级", "资格级别")),
    Field("specialty", "报考专业", False, ("报考专业", "专业代码", "报考专业代码", "专业", "专业名称", "考试专业",
                                           "报考专业名称")),
    Field("serial", "报名序号", False, ("报名序号", "报名号", "报名流水号", "序列号")),
    Field("site", "考点", False, ("考点", "考点名称", "报考考点", "考区考点", "所属考点")),
    Field("status", "现场确认/审核状态", False, ("现场确认", "审核状态", "现场确认状态", "确认状态", "资格审核状态",
                                                 "现场审核状态", "是否确认", "审核结果")),
    Field("phone", "手机号", False, ("手机号", "手机号码", "手机", "移动电话", "联系电话", "联系方式")),
]


def normalise_header(text: str) -> str:
    """'* 身份证号：' and '身份证号' are one header: width, spaces, markers and colons do not count."""
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"[\s*:：()（）\[\]【】]", "", text).lower()


def detect(header: list[str]) -> dict[str, str]:
    """field key -> header text, by synonyms; a header serves one field only, the first that wants it."""
    positions = {}
    for index, text in enumerate(header):
        positions.setdefault(normalise_header(text), index)
    taken, mapping = set(), {}
    for field in FIELDS:
        for synonym in field.synonyms:
            index = positions.get(synonym)
            if index is not None and index not in taken:
                mapping[field.key] = header[index]
                taken.add(index)
                break
    return mapping


def is_header(cells: list[str], remembered: dict | None = None) -> bool:
    """Whether a row of the sheet is its header: it names 姓名 and 证件号码, by a synonym or as the org
    named them last time (a title and an export time above the header are not)."""
    found = detect(cells)
    return all(key in found or (remembered or {}).get(key) in cells for key in ("name", "id_number"))


# --- cells --------------------------------------------------------------------------------------

SPACES = re.compile(r"\s+")
ID_FORMAT = re.compile(r"[0-9A-Z()\-]{5,30}")
# An ID number Excel stored as a number: 3.50602196801119E+17 as the roster file reads it (roster_file)
# and as Excel writes it into a CSV (3.50602E+17).
ID_AS_NUMBER = re.compile(r"\d(?:\.\d+)?E\+\d+")


def compact(value: str) -> str:
    """How cells compare: full-width characters as their ASCII twins, no spaces (nor full-width ones)."""
    return SPACES.sub("", unicodedata.normalize("NFKC", value or ""))


def normalise_id(value: str) -> str:
    """The stored and matched form of an ID number: no spaces of any width, as every other page
    stores and shows it (validators.normalize_id_number: uppercase X), and a 15-digit one as its
    18 digits (a roster may keep a legacy number the form has upgraded)."""
    return upgrade_legacy_id(normalize_id_number(compact(value)))


def upgrade_legacy_id(number: str) -> str:
    """A 15-digit 身份证号码 (GB 11643-1989: no century, no check character) as its 18 digits: 19
    before the birth date, then the check character (reference/id_rules.md section 2). Other
    numbers are left as they are."""
    if len(number) != 15 or not is_digits(number):
        return number
    body = f"{number[:6]}19{number[6:]}"
    return body + id_check_char(body)


def id_error(number: str) -> str:
    """Why a normalised ID number cannot be right ('' when it may be)."""
    if not number:
        return "证件号码为空"
    if ID_AS_NUMBER.fullmatch(number):
        return "证件号码被存为数字（已丢失末尾数字），请在Excel中将该列设为文本后重新导出"
    if not ID_FORMAT.fullmatch(number):
        return "证件号码格式不正确"
    if len(number) == 18 and number[:17].isdigit() and id_check_char(number[:17]) != number[17]:
        return "身份证号码校验位不正确"
    return ""


def normalise_phone(value: str) -> tuple[str, str]:
    """(phone, error), read as a candidate's number is (normalize_mobile): a masked number
    (138****0000) counts as none, not as an error."""
    value = normalize_mobile(value)
    if not value or "*" in value:
        return "", ""
    if not MOBILE_RE.fullmatch(value):
        return "", "手机号格式不正确"
    return value, ""


def normalise_name(value: str) -> str:
    """Names compare without spaces, without the invisible characters a form's name is stored without
    (validators.strip_invisible; NFKC keeps a zero-width space, so 李同 with one inside differed) and
    with one kind of middle dot (阿依·古丽, 阿依•古丽, 阿依‧古丽), as a name typed in the form is stored
    (validators.normalize_middle_dots)."""
    return normalize_middle_dots(compact(strip_invisible(value)))


def canonical_level(value: str) -> str:
    """初级（士）, 初级士, 士级 -> 初级(士); 中级, 中级职称 -> 中级: the levels of this exam."""
    text = compact(value)
    if not text:
        return ""
    if "中级" in text:
        return "中级"
    if "士" in text and "师" not in text:
        return "初级(士)"
    if "师" in text:
        return "初级(师)"
    return text


def specialty_code(value: str, codes_by_name: dict[str, str]) -> str:
    """The exam code of a 报考专业 cell: '203', '203护理学(师)', '203 护理学(师)' or a name of the year's catalogue."""
    text = compact(value)
    match = re.match(r"\d{3,4}", text)
    return match.group() if match else codes_by_name.get(text, "")


# What follows a place in the name of a commission or a 考点 cell: "泉州市卫生健康委员会", "泉州市卫计委",
# "泉州考点" and "泉州" all name 泉州.
ORG_SUFFIXES = ("卫生和计划生育委员会", "卫生健康委员会", "卫生和计划生育局", "卫生健康局", "社会事业局", "卫健委", "卫计委",
                "卫健局", "卫计局", "考点", "考区")


def place(text: str) -> str:
    """The place a 考点 cell or an org name names, without the commission's kind: 泉州市卫计委 -> 泉州."""
    text = normalise_name(text)
    for suffix in ORG_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    return text[:-1] if len(text) > 2 and text[-1] in "市省县区" else text


CONFIRMED_WORDS = ("已确认", "确认通过", "审核通过", "已审核", "通过", "已现场确认", "是")
NOT_CONFIRMED_MARKS = ("未", "不", "待", "否", "退回")


def confirmed(value: str) -> bool:
    """Whether a 现场确认/审核状态 cell says the 国网 side is confirmed (已确认, 审核通过, 是…)."""
    text = compact(value)
    if not text or any(mark in text for mark in NOT_CONFIRMED_MARKS):
        return False
    return any(word in text for word in CONFIRMED_WORDS) or text.lower() in ("1", "y", "yes", "true")
