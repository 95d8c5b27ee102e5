"""What a reviewer's or administrator's 登录名 may be: the one rule of every act that names a new
account (新增账号 in 用户管理, the staff import).

A login name shaped like someone's phone or ID number took over his sign-in and his 找回密码 (QA
probe M1: find_account asked the login names first; it now asks a phone's holder first, for the
names given before this rule), and one shaped like an ID number not yet registered would refuse
that candidate's sign-up, his ID number being his login name. A reviewer's or administrator's
login name is therefore shaped like neither. A candidate's login name is his ID number and is not
held to this rule.

Staff login names are one name whatever the case of their letters: ADMIN beside admin would be two
accounts a person cannot tell apart when he types one, so a new name differing only in case from an
account's is refused (refuse_case_variant; a unique index on the lowered name, User.Meta, refuses one
created at the same moment), and the login takes ADMIN for admin (backends.find_account).
"""

import re

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower

from prereg.core.validators import normalize_id_number, normalize_mobile

from .models import Role, User

STAFF_LOGIN_NAME_RE = re.compile(r"[0-9A-Za-z_.@-]{3,50}")
STAFF_LOGIN_NAME_RULE = "登录名应为3至50位字母、数字或 _ . @ -"
# Wider than core.validators.MOBILE_RE (1[3-9]…): a number range opened later must not find a
# login name already holding its numbers.
PHONE_SHAPE_RE = re.compile(r"1[0-9]{10}")
# The 公民身份号码's shape without its checks (region, birth date, check digit): a number failing
# them is refused at sign-up anyway, and a login name need not look like one at all.
ID_NUMBER_SHAPE_RE = re.compile(r"[0-9]{15}|[0-9]{17}[0-9X]")
SHAPED_LIKE_PERSON_MESSAGE = "登录名不能是手机号码或身份证号码，请使用机构代码等字母数字组合（如 35012205 或 35012205-01）。"
CASE_VARIANT_MESSAGE = "已有账号使用仅字母大小写不同的登录名（登录名不区分大小写），请另取一个登录名。"


def staff_named_alike(value: str):
    """The staff accounts whose login name is `value` whatever the case of its letters (the lowered
    name, as the unique index staff_login_name_ci reads it and can answer)."""
    return (User.objects.alias(login_name=Lower("username")).filter(login_name=(value or "").lower())
            .exclude(role=Role.CANDIDATE))


def is_phone_shaped(value: str) -> bool:
    """Whether the text reads as a mainland mobile number, however it is spelled (spaces, dashes,
    +86, full-width digits: normalize_mobile, as the login reads a phone)."""
    return bool(PHONE_SHAPE_RE.fullmatch(normalize_mobile(value or "")))


def is_id_number_shaped(value: str) -> bool:
    """Whether the text reads as a resident ID number (15 or 18 characters, the last may be x/X),
    spelled as the login reads one (normalize_id_number)."""
    return bool(ID_NUMBER_SHAPE_RE.fullmatch(normalize_id_number(value or "")))


def clean_staff_login_name(value: str) -> str:
    """A reviewer's or administrator's login name, stripped, or a ValidationError whose message is
    said at the 登录名 field (a service wraps it as {"username": ...})."""
    value = (value or "").strip()
    if not value:
        raise ValidationError("请填写登录名。", code="required")
    if is_phone_shaped(value) or is_id_number_shaped(value):  # first: "+86 150…" is told why
        raise ValidationError(SHAPED_LIKE_PERSON_MESSAGE, code="shaped_like_person")
    if not STAFF_LOGIN_NAME_RE.fullmatch(value):
        raise ValidationError(f"{STAFF_LOGIN_NAME_RULE}。", code="characters")
    return value


def refuse_case_variant(value: str) -> None:
    """A ValidationError (said at the 登录名 field) when a staff account's login name differs from the new
    name `value` only in case: 新增账号 (accounts.services.account_create) and a new account of the staff
    import ask it after clean_staff_login_name. The name itself taken is theirs to say (该登录名已被使用;
    an import row naming an account updates it)."""
    if staff_named_alike(value).exclude(username=value).exists():
        raise ValidationError(CASE_VARIANT_MESSAGE, code="case_variant")
