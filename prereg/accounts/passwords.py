"""Password rules of the national baseline, as Django password validators."""

import re

from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import UserAttributeSimilarityValidator
from django.core.exceptions import ValidationError

WEAK_PATTERNS = {"123456", "12345678", "123456789", "aa123456", "a123456", "abc123", "password", "qwerty",
                 "111111", "000000", "88888888", "admin", "woaini"}


class SimilarityValidator(UserAttributeSimilarityValidator):
    """Django's, in words of our own: its translation reads 密码跟 用户名 太相似了。"""

    def get_error_message(self):
        return "密码与%(verbose_name)s过于相似，请重新设置。"


class CharacterClassValidator:
    """At least three kinds of character (an all-digit password is refused here too)."""

    MESSAGE = "密码须包含大写字母、小写字母、数字、符号中的至少三类。"

    def validate(self, password, user=None):
        classes = [r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"]
        if sum(bool(re.search(c, password)) for c in classes) < 3:
            raise ValidationError(self.MESSAGE, code="password_classes")

    def get_help_text(self):
        return self.MESSAGE


class NotDerivedValidator:
    """No common password with decorations, and nothing built from the account's own data."""

    def validate(self, password, user=None):
        lowered = password.lower()
        core = re.sub(r"[^a-z0-9]", "", lowered)
        if any(p in core for p in WEAK_PATTERNS if len(p) >= 6) or core in WEAK_PATTERNS:
            raise ValidationError("密码过于简单（含常见弱口令），请重新设置。", code="password_common")
        if user is not None:
            for value in (user.username, getattr(user, "id_number", None), getattr(user, "phone", None)):
                if value and len(value) >= 4 and (value.lower() in lowered or lowered in value.lower()):
                    raise ValidationError("密码不能包含账号、证件号码或手机号码。", code="password_derived")

    def get_help_text(self):
        return "密码不能是常见弱口令，也不能包含账号、证件号码或手机号码。"


class HistoryValidator:
    """The last N passwords may not be reused."""

    def __init__(self, history=5):
        self.history = history

    def validate(self, password, user=None):
        if user is None or not user.pk:
            return
        hashes = [user.password, *user.password_history.values_list("password", flat=True)[: self.history]]
        if any(hashed and check_password(password, hashed) for hashed in hashes):
            raise ValidationError("新密码不能与最近使用过的密码相同。", code="password_reused")

    def get_help_text(self):
        return f"不能重复使用最近{self.history}次用过的密码。"
