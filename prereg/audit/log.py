"""Writing the audit log: `record(...)` inside the caller's transaction.

Each entry's hash is HMAC(key, previous hash + canonical entry), so changing, removing or
reordering any entry breaks every later hash (see verify.py). Writers serialise on a lock so
two concurrent writers never both chain to the same predecessor. The id is given here, under
that lock, as the previous id + 1 (not by a sequence, which leaves gaps on rollback): ids are
then gap-free and part of the hash, so a removed or renumbered entry shows.
"""

import hashlib
import hmac
import json

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from prereg.core.logmask import looks_personal, mask_personal_numbers
from prereg.core.middleware import current_request_id

from .models import AuditEvent, Outcome

GENESIS = "0" * 64
# Arbitrary constant: the PostgreSQL advisory lock that serialises audit writers.
ADVISORY_LOCK_KEY = 0x41554449


def canonical(event: AuditEvent) -> bytes:
    payload = {
        "id": event.pk,
        "t": event.created_at.isoformat(),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "actor_org": event.actor_org,
        "ip": event.client_ip,
        "event": event.event,
        "otype": event.object_type,
        "oid": event.object_id,
        "outcome": event.outcome,
        "details": event.details,
        "rid": event.request_id,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def compute_hash(prev_hash: str, event: AuditEvent) -> str:
    key = settings.AUDIT_HMAC_KEY.encode()
    return hmac.new(key, prev_hash.encode() + canonical(event), hashlib.sha256).hexdigest()


# A personal number in the details (a reviewer's ID-number correction, a search, a login name
# that is an ID number) is kept masked, with a keyed hash of the full value: enough to prove
# which value it was (personal_number_hash of a candidate value), not to read it back (PIPL,
# the minimum necessary; issue 16). The key is not the chain's key, so it can be kept apart.
PII_HASH_CHARS = 32  # 128 bits of HMAC-SHA256


def personal_number_hash(value: str) -> str:
    key = settings.AUDIT_PII_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:PII_HASH_CHARS]


def protect_personal_numbers(value):
    """`value` (details, at any depth) with every ID number or mobile masked: a value that is one
    becomes "masked#hmac:<hash>", one inside a text is masked in place."""
    if isinstance(value, dict):
        return {key: protect_personal_numbers(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [protect_personal_numbers(item) for item in value]
    if isinstance(value, str):
        if looks_personal(value):
            return f"{mask_personal_numbers(value)}#hmac:{personal_number_hash(value)}"
        return mask_personal_numbers(value)
    return value


def client_ip(request) -> str:
    if request is None:
        return ""
    # The same address django-axes uses, which honours the configured proxy count.
    return get_client_ip_address(request) or ""


def _lock_chain():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
    # SQLite: the project opens every transaction IMMEDIATE, which already serialises writers.


def record(
    event: str,
    *,
    actor=None,
    obj=None,
    outcome: str = Outcome.SUCCESS,
    details: dict | None = None,
    request=None,
    actor_name: str = "",
) -> AuditEvent:
    """Append one entry. Call it inside the transaction of the act it records. Personal numbers in
    `details` are kept masked with a keyed hash (protect_personal_numbers)."""
    with transaction.atomic():
        _lock_chain()
        last_id, last_hash = AuditEvent.objects.order_by("-pk").values_list("pk", "hash").first() or (0, GENESIS)
        entry = AuditEvent(
            pk=last_id + 1,
            created_at=timezone.now(),
            actor=actor if getattr(actor, "pk", None) else None,
            actor_name=actor_name or getattr(actor, "display_name", ""),
            actor_org=str(actor.org) if getattr(actor, "org_id", None) else "",
            client_ip=client_ip(request),
            event=event,
            object_type=obj._meta.label if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            outcome=outcome,
            details=protect_personal_numbers(details or {}),
            request_id=current_request_id() if current_request_id() != "-" else "",
            prev_hash=last_hash,
        )
        # JSON round trip so the hash is computed over what the database will give back.
        entry.details = json.loads(json.dumps(entry.details, ensure_ascii=False, default=str))
        entry.hash = compute_hash(entry.prev_hash, entry)
        entry.save(force_insert=True)
        return entry
