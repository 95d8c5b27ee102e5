"""Org acts: each checks, changes, audits, in one transaction."""

from django.core.exceptions import ValidationError
from django.db import transaction

from prereg.audit.log import record
from prereg.core.validators import normalize_mobile, validate_mobile

from .models import UnitRequest


@transaction.atomic
def unit_request_create(*, actor, full_name: str, region_code: str, phone: str, request=None) -> UnitRequest:
    """A candidate asks for a unit missing from the dictionary; the area's 报名点 resolve it."""
    full_name = (full_name or "").strip()
    if len(full_name) < 4:
        raise ValidationError({"full_name": "请填写单位的规范全称。"})
    phone = normalize_mobile(phone)
    validate_mobile(phone)
    unit_request = UnitRequest.objects.create(full_name=full_name, region_code=region_code, phone=phone,
                                              requested_by=actor)
    record("org.unit_request", actor=actor, obj=unit_request, request=request,
           details={"full_name": full_name, "region": region_code})
    return unit_request
