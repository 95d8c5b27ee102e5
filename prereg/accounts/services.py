"""Account acts: each checks, changes, audits, in one transaction."""

import secrets
import string

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from prereg.audit.log import record

from .models import PasswordHistory, User


def generate_one_time_password(length: int = 12) -> str:
    """A random password meeting the character-class rule; shown once, changed at first use."""
    alphabet = string.ascii_letters + string.digits
    while True:
        body = "".join(secrets.choice(alphabet) for _ in range(length - 2))
        candidate = body + secrets.choice("!@#$%&*") + secrets.choice(string.digits)
        if any(c.islower() for c in candidate) and any(c.isupper() for c in candidate):
            return candidate


def _store_password(user: User, raw: str) -> None:
    if user.password:
        PasswordHistory.objects.create(user=user, password=user.password)
    user.set_password(raw)


@transaction.atomic
def user_change_password(*, user: User, new_password: str, request=None) -> None:
    """The user sets his own password (also ends a one-time password)."""
    validate_password(new_password, user)
    _store_password(user, new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    record("account.password_change", actor=user, obj=user, request=request)
    if request is not None:
        # Keep this session; other sessions of the user end (their hash no longer matches).
        update_session_auth_hash(request, user)


@transaction.atomic
def user_complete_profile(*, user: User, name: str, title: str, department: str, phone: str, request=None) -> None:
    user.name, user.title, user.department, user.phone = name, title, department, phone
    user.profile_completed = True
    user.save(update_fields=["name", "title", "department", "phone", "profile_completed"])
    record("account.profile_complete", actor=user, obj=user, request=request)
