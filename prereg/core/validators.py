"""Validators for the identity numbers and codes the form takes.

Rules and their sources: ../shared/reference/id_rules.md. Each validator raises a
ValidationError with a Chinese message that names what is wrong, so the form can show it at
the field.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils import timezone

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
PROVINCE_CODES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83",
}
MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")  # [0-9], not \d: \d matches the digits of every script
# 学信网 online verification code: 12 digits on the 电子注册备案表; newer reports carry an
# alphanumeric code (letters and digits mixed, 10-16 characters); candidates without one write 无.
CHSI_DIGITS_RE = re.compile(r"[0-9]{12}")
CHSI_ALNUM_RE = re.compile(r"(?=.*[A-Z])[A-Z0-9]{10,16}")


@dataclass(frozen=True)
class IdFacts:
    number: str
    birth_date: datetime.date
    gender: str  # "M" or "F"
    region_code: str


def is_digits(value: str) -> bool:
    """Plain ASCII digits, at least one. str.isdigit() alone also passes "²" (which int() refuses: a
    server error) and "١٩٩٠" (which int() reads as 1990: an ID number typed in another script would
    pass for a second account of the same person). Every typed or posted number is read with this."""
    return value.isascii() and value.isdigit()


MAX_ID = 2**63 - 1  # the largest key a database row has (bigint)


def is_id(value: str) -> bool:
    """A posted id that can name a row: plain ASCII digits within a key's range (a longer number
    overflows the query that would look for it: a server error, not "no such row")."""
    return is_digits(value) and int(value) <= MAX_ID


def id_check_char(body17: str) -> str:
    total = sum(int(d) * w for d, w in zip(body17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def halfwidth(value: str) -> str:
    """Full-width digits and letters (a Chinese input method's 全角 mode: "１５０") as ASCII."""
    return unicodedata.normalize("NFKC", value or "")


def normalize_id_number(value: str) -> str:
    return halfwidth(value).strip().replace(" ", "").upper()


# The number of a passport or a permit (reference/id_rules.md §4): Latin letters and digits, as the
# document prints them in its machine-readable line. str.isalnum() also passed 护照号码一二三四,
# Arabic-Indic digits and 𠮷: no document has them, and a number so spelled would pass for a second
# account of the same person.
DOCUMENT_NUMBER_RE = re.compile(r"[0-9A-Z]{6,30}")


def validate_document_number(number: str) -> None:
    """A non-resident document's number, normalized (normalize_id_number: half-width, upper case)."""
    if not number.isascii() or not number.isalnum():
        raise ValidationError("证件编号只能包含英文字母和数字，请按证件上的编号填写。", code="characters")
    if not DOCUMENT_NUMBER_RE.fullmatch(number):
        raise ValidationError("证件编号应为6至30位英文字母或数字。", code="length")


def parse_id_number(value: str) -> IdFacts:
    """Validate an 18-digit 公民身份号码 and return what it tells (birth date, gender, region)."""
    number = normalize_id_number(value)
    if len(number) == 15 and is_digits(number):
        raise ValidationError("请填写18位身份证号码（15位旧号码请升级为18位）。", code="legacy")
    if len(number) != 18:
        raise ValidationError("身份证号码应为18位。", code="length")
    body, check = number[:17], number[17]
    if not is_digits(body) or not (is_digits(check) or check == "X"):
        raise ValidationError("身份证号码前17位应为数字，最后一位为数字或X。", code="format")
    if body[:2] not in PROVINCE_CODES:
        raise ValidationError("身份证号码的地区码无效。", code="region")
    try:
        birth = datetime.date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    except ValueError:
        raise ValidationError("身份证号码中的出生日期无效。", code="birth_date") from None
    today = timezone.localdate()
    if birth > today or birth.year < 1900:
        raise ValidationError("身份证号码中的出生日期无效。", code="birth_date")
    if id_check_char(body) != check:
        raise ValidationError("身份证号码校验位错误，请核对。", code="check_digit")
    gender = "M" if int(body[16]) % 2 else "F"
    return IdFacts(number=number, birth_date=birth, gender=gender, region_code=body[:6])


def normalize_mobile(value: str) -> str:
    number = re.sub(r"[\s-]", "", halfwidth(value))
    if number.startswith("+86"):
        number = number[3:]
    elif number.startswith("86") and len(number) == 13:
        number = number[2:]
    return number


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.fullmatch(normalize_mobile(value)):
        raise ValidationError("请输入11位手机号码。", code="mobile")


def normalize_chsi_code(value: str) -> str:
    value = halfwidth(value).strip().replace(" ", "").upper()
    return "无" if value in {"无", "NONE"} else value


def validate_chsi_code(value: str) -> None:
    code = normalize_chsi_code(value)
    if code == "无" or CHSI_DIGITS_RE.fullmatch(code) or CHSI_ALNUM_RE.fullmatch(code):
        return
    raise ValidationError("学信网在线验证码应为12位数字（或字母数字组合），没有请填写“无”。", code="chsi")


def validate_not_future(value: datetime.date) -> None:
    if value and value > timezone.localdate():
        raise ValidationError("日期不能晚于今天。", code="future")


# Characters that show nothing yet change how text reads, pasted with it from a web page, a chat or a
# PDF: zero-width spaces and joiners (U+200B-U+200D), direction marks (U+200E, U+200F, the Arabic letter
# mark U+061C), embeddings and overrides (U+202A-U+202E: an override shows the text after it reversed, so
# two names look alike that are not), the word joiner (U+2060), isolates (U+2066-U+2069) and the
# byte-order mark (U+FEFF). Every one of Unicode's bidirectional controls is here: text is stored without
# them, wherever it is typed (clean_text, clean_line, clean_person_name), rather than refused for them.
INVISIBLE_RE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
# A line break however it came: Windows's, a word processor's manual break (\v) or page break (\f), Unicode's.
LINE_BREAK_RE = re.compile("\r\n|[\n\r\v\f\x85\u2028\u2029]")


def strip_invisible(text: str) -> str:
    """`text` without the invisible format characters of INVISIBLE_RE."""
    return INVISIBLE_RE.sub("", text or "")


def is_blank_text(text: str) -> bool:
    """Text that shows nothing: spaces (a full-width one too) and invisible format characters (a zero-width
    space or a byte-order mark pasted from a web page or a chat: Unicode's category Cf)."""
    return all(ch.isspace() or unicodedata.category(ch) == "Cf" for ch in text)


def clean_text(raw: str, label: str = "", *, multiline: bool = False) -> str:
    """Free text as typed or posted (an address, a row's unit name, a notice's title, an opinion, a reason),
    stripped, without invisible format characters (INVISIBLE_RE), and blank when it shows nothing
    (is_blank_text), so a required one is asked for. A tab is a space; a line break is a space in a
    one-line field and one \\n in a `multiline` one. A NUL is refused as every form field refuses it
    (Django's validator, its message in locale/zh_Hans), and so is any other control character (an
    escape, a backspace): PostgreSQL's text cannot hold a NUL (a server error), and the others reach
    SMS texts, sheets and PDFs. `label` names the text in a refusal said where its field is not."""
    text = strip_invisible(raw)
    try:
        ProhibitNullCharactersValidator()(text)
    except ValidationError as error:
        raise ValidationError(f"{label}：{error.messages[0]}" if label else error.messages[0], code=error.code) from None
    text = LINE_BREAK_RE.sub("\n" if multiline else " ", text.replace("\t", " "))
    if any(unicodedata.category(ch) == "Cc" and ch != "\n" for ch in text):
        message = "不能包含控制字符（不可见的特殊字符），请删除后重新填写。"
        raise ValidationError(f"{label}：{message}" if label else message, code="control_characters")
    text = text.strip()
    return "" if is_blank_text(text) else text


def clean_line(raw: str, label: str = "") -> str:
    """One line of text that names something, as typed on a back-office page (a year's or a 考试项目's name,
    a dictionary entry's 名称 and 代码, a reviewer's 职务 and 科室) or read from an import's cell: clean_text's
    rule (a control character refused, invisible ones dropped, blank when it shows nothing), and a run of
    spaces inside made one, so two names that read alike are stored alike."""
    return " ".join(clean_text(raw, label).split())


# The 间隔号 of a minority or foreign name (阿依古丽·买买提) as it is typed: the Latin and the full-width
# full stop, the bullet, the Japanese middle dots, the hyphenation point (U+2027), the dot operators. A
# name is stored, shown and compared (国网名单核对) with one kind, U+00B7, and without the spaces an input
# method may put around it.
MIDDLE_DOT_RE = re.compile(r"\s*[.．·•・･‧∙⋅]\s*")


def normalize_middle_dots(name: str) -> str:
    return MIDDLE_DOT_RE.sub("·", name)


def searched_name(typed: str) -> str:
    """A name typed into a search box as a name is stored (clean_person_name): without invisible characters, one
    space between words, one kind of 间隔号, so 阿依古丽.买买提 finds 阿依古丽·买买提. Text of invisible
    characters alone stays as typed (it finds nothing)."""
    return normalize_middle_dots(" ".join(strip_invisible(typed).split())) or typed


# A name as an ID document prints it: letters of any script, words joined by one separator (the
# 间隔号 of a minority or foreign name, a space, a hyphen, an apostrophe).
PERSON_NAME_RE = re.compile(r"[^\W\d_]+(?:[·\- '][^\W\d_]+)*")


def clean_person_name(raw: str) -> str:
    """A person's 姓名, wherever it is typed: a candidate's (sign-up, 基本信息, a reviewer's correction)
    and a reviewer account's (新增审核账号, 用户管理, 个人信息, the staff import)."""
    # A doubled space typed between the parts is one; the 间隔号 is one kind, spaces around it dropped. A
    # control character is refused as in any text (clean_text: an information separator such as \x1f would
    # otherwise be read as a space by split()), invisible ones are dropped.
    name = normalize_middle_dots(clean_line(raw))
    if len(name) < 2:
        raise ValidationError("请填写与证件一致的姓名。", code="name")
    # \w takes numerals of other kinds (①, Ⅲ) as letters: no name prints them.
    if not PERSON_NAME_RE.fullmatch(name) or any(unicodedata.category(ch)[0] == "N" for ch in name):
        raise ValidationError("姓名只能包含文字，少数民族或外文姓名的各部分之间可用“·”或空格分隔。", code="name")
    return name
