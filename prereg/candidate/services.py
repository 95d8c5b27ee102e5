"""The candidate's sign-up (his draft's acts are prereg.applications.services)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from prereg.accounts.backends import PHONE_TAKEN_MESSAGE, phone_taken
from prereg.accounts.models import Role
from prereg.accounts.permissions import registration_open
from prereg.audit.log import record
from prereg.notify.sms import verify_code

# 配置角色权限 may withdraw 注册 from candidates (registration_open).
REGISTRATION_CLOSED = "考生注册已关闭。"


def candidate_signup(*, name, id_type, id_number, phone, sms_code, password, request=None):
    """One account per ID number, one candidate account per phone (phone_taken: a reviewer's
    account may hold the number too); the ID number is the login name."""
    if not registration_open():
        raise PermissionDenied(REGISTRATION_CLOSED)
    verify_code(phone, "signup", sms_code)
    User = get_user_model()
    try:
        with transaction.atomic():
            user = User(username=id_number, id_number=id_number, id_type=id_type, name=name, phone=phone,
                        role=Role.CANDIDATE, profile_completed=True)
            user.set_password(password)
            user.save()
            # After the code, so only the number's holder is told (as of a registered ID number),
            # and after the save, so an ID number registered already is what he is told first.
            if phone_taken(phone, by_other_than=user, lock=True):
                raise ValidationError({"phone": PHONE_TAKEN_MESSAGE})
            record("account.signup", actor=user, obj=user, request=request, details={"id_type": id_type})
    except IntegrityError:
        raise ValidationError({"id_number": "该证件编号已注册，每个证件只能注册一个账号。"}) from None
    return user
