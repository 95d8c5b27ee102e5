"""What a typed value of an application may be: one rule per kind of value.

The candidate's form (prereg.candidate.forms) and the reviewer's correction (修改填报信息,
services.application_edit) both clean values here, so a reviewer cannot store what the candidate's
form refuses. Each function raises a ValidationError with the message shown at the field.
"""

import datetime
import re

from django.core.exceptions import ValidationError

from prereg.accounts.models import IdType
from prereg.core.validators import (
    clean_text as clean_text,  # free text (an opinion, a reason, a corrected value) is read by core's rule
)
from prereg.core.validators import (
    halfwidth,
    is_digits,
    normalize_chsi_code,
    normalize_id_number,
    parse_id_number,
    validate_chsi_code,
    validate_document_number,
    validate_not_future,
)

# A year-month as Chinese is written (2015年8月, 2015年08月): where the browser has no month picker (an older
# WeChat, Firefox on a PC) the box is plain text, and this is how many type a month there.
CHINESE_MONTH_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月")


def clean_month(raw: str) -> datetime.date:
    """A year-month (取得时间 2015-11), stored as the first of the month, never in the future; typed in
    full-width digits too (２０１５－１１: a Chinese input method's 全角 mode), or as 2015年11月."""
    raw = halfwidth(raw).strip()
    if match := CHINESE_MONTH_RE.fullmatch(raw):
        raw = f"{match[1]}-{match[2]}"
    for fmt in ("%Y-%m", "%Y-%m-%d", "%Y/%m", "%Y.%m"):
        try:
            value = datetime.datetime.strptime(raw, fmt).date().replace(day=1)
        except ValueError:
            continue
        validate_not_future(value)
        return value
    raise ValidationError("请按“年-月”填写，例如 2015-11。", code="invalid")


def month_text(value: datetime.date | None) -> str:
    """A year-month as shown, printed and compared with a photo (2015-11), the way clean_month reads it; blank for none.
    Its year always in four digits: strftime's %Y wrote 0001 as "1" (a value clean_month would not read back)."""
    return f"{value.year:04d}-{value.month:02d}" if value else ""


def plain_text(value) -> str:
    """A stored value as text: a date whole (1990-01-01), nothing as blank."""
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, datetime.date) else str(value)


def typed_text(name: str, value) -> str:
    """A value as the candidate types it: a date as its month, but the birth date (read whole from
    the ID number)."""
    if isinstance(value, datetime.date) and name != "birth_date":
        return month_text(value)
    return plain_text(value)


def span_text(start: datetime.date | None, end: datetime.date | None) -> str:
    """A row's start and end as one span (2014-08 - 2016-07); no end is 至今, a row still running."""
    return f"{month_text(start)} - {month_text(end) if end else '至今'}"


def clean_date(raw: str) -> datetime.date:
    """A whole date (a passport holder's 出生日期 1990-01-01), never in the future; full-width digits too."""
    try:
        value = datetime.date.fromisoformat(halfwidth(raw).strip())
    except ValueError:
        raise ValidationError("请按“年-月-日”填写，例如 1990-01-01。", code="invalid") from None
    validate_not_future(value)
    return value


def clean_postcode(raw: str) -> str:
    code = halfwidth(raw).strip()
    if not (len(code) == 6 and is_digits(code)):
        raise ValidationError("邮编应为6位数字。", code="postcode")
    return code


def is_resident_id(id_type: str) -> bool:
    """A 居民身份证 (blank: the account's default type): its number is checked in full and gives the
    birth date and gender."""
    return id_type in ("", IdType.RESIDENT)


def clean_id_number(raw: str, id_type: str) -> str:
    """A resident ID number is checked in full (region, birth date, check digit); a passport's or a permit's
    by form: Latin letters and digits."""
    number = normalize_id_number(raw)
    if is_resident_id(id_type):
        parse_id_number(number)
    else:
        validate_document_number(number)
    return number


def clean_chsi_code(raw: str) -> str:
    code = normalize_chsi_code(raw)
    validate_chsi_code(code)
    return code


def row_date_errors(start=None, end=None, issued=None) -> dict[str, str]:
    """The order of a row's dates: an end after its start, a certificate issued after the end."""
    errors = {}
    if start and end and end < start:
        errors["end"] = "结束时间应晚于开始时间。"
    if end and issued and issued < end:
        errors["issued"] = "发证日期应不早于培训结束时间。"
    return errors


def after_birth_error(when, birth_date, label: str) -> str:
    """A date of the candidate's own life (a qualification obtained, a job begun, a practice registered,
    named by `label`) on or before his birth: a slip (0001-01, 1900-01). Nothing is said while the birth
    date is unknown (a passport holder before 基本信息 is saved)."""
    if when and birth_date and when <= birth_date:
        return f"{label}应晚于出生日期。"
    return ""


def qualification_date_error(when, birth_date) -> str:
    return after_birth_error(when, birth_date, "取得时间")


# The youngest age at which a date of the candidate's life can fall; one earlier is a slip (1985 typed for
# 2015, phone probe), which the 资格初审 arithmetic would otherwise count as years. No real candidate is refused:
# - a 学历 or 学位's 取得时间: 中专 after 初中, at 14 at the very earliest (the higher levels come later);
# - a job's 开始时间: 16, the minimum working age (劳动法 第十五条: no employer may hire one under 16).
EARLIEST_EDUCATION_AGE = 14
EARLIEST_WORK_AGE = 16


def before_age_error(when, birth_date, age: int, label: str) -> str:
    """A date (named by `label`) before the month the candidate turned `age`; nothing while the birth date is unknown."""
    if when and birth_date and (when.year, when.month) < (birth_date.year + age, birth_date.month):
        return f"{label}早于出生日期后的合理年龄（年满{age}周岁），请核对。"
    return ""


def education_date_error(obtained, birth_date) -> str:
    """A 学历 or 学位 取得时间 before EARLIEST_EDUCATION_AGE (the candidate's form and a reviewer's correction)."""
    return before_age_error(obtained, birth_date, EARLIEST_EDUCATION_AGE, "取得时间")


def work_start_error(start, birth_date) -> str:
    """A 工作经历 开始时间 on or before the birth (said so), else before EARLIEST_WORK_AGE (the candidate's form and
    a reviewer's correction, through completeness.dated_before_birth)."""
    return (after_birth_error(start, birth_date, "开始时间")
            or before_age_error(start, birth_date, EARLIEST_WORK_AGE, "开始时间"))


NO_QUALIFICATION = "无"  # the 现有资格 of one who holds none (or left blank)


def current_qualification_date_error(current: str, when) -> str:
    """现有资格取得年月 goes with a 现有资格: asked for while one is held, not given when it is 无 or blank."""
    held = current not in (None, "", NO_QUALIFICATION)
    if held and not when:
        return "请填写“现有资格取得年月”。"
    if when and not held:
        return "现有资格为“无”时不填“现有资格取得年月”，请清空该项或选择现有资格。"
    return ""
