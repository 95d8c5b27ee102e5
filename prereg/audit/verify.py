"""Checking the audit chain: the first entry whose hash, link or number does not hold.

An entry is broken when its stored hash is not the HMAC of its own content and its
predecessor's hash, when its `prev_hash` is not the stored hash of the entry before it, or when
its id is not the previous id + 1 (an entry was removed or renumbered). A value the database
holds but cannot give back as its type (a date that is not a date, text in a number column,
broken JSON, a NULL) is tampering too: that entry is named, the walk does not crash. Only the
end of the chain cannot be proven from the table alone: keep the head (`audit_verify` prints it)
outside the database to prove nothing was cut off the end.
"""

import hmac
from dataclasses import dataclass

from .log import GENESIS, compute_hash
from .models import AuditEvent


@dataclass(frozen=True)
class Break:
    pk: int
    reason: str

    def __str__(self):
        return f"row {self.pk}: {self.reason}"


@dataclass(frozen=True)
class Result:
    count: int
    head: str
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def _load(pks: list[int]) -> list:
    """The entries of `pks`, in order; an entry the database cannot give back whole (the ORM's
    conversion of one of its values fails) comes as its pk and the error instead."""
    try:
        return list(AuditEvent.objects.filter(pk__in=pks).order_by("pk"))
    except Exception:  # noqa: BLE001 - one unreadable value: find which entry, one at a time
        entries = []
        for pk in pks:
            try:
                entries.append(AuditEvent.objects.get(pk=pk))
            except Exception as exc:  # noqa: BLE001 - whatever the broken value raises, it is named
                entries.append((pk, exc))
        return entries


def _check(entry, expected_pk: int, expected_prev: str) -> str | None:
    """Why `entry` breaks the chain, or None."""
    if isinstance(entry, tuple):
        return f"有字段的值无法读取（{type(entry[1]).__name__}），本条记录被修改"
    if entry.pk != expected_pk:
        return f"编号不连续（应为 {expected_pk}），有记录被删除或改号"
    if not isinstance(entry.prev_hash, str) or not hmac.compare_digest(entry.prev_hash, expected_prev):
        return "与前一条记录的链接不符，前一条记录被修改或删除"
    try:
        expected_hash = compute_hash(entry.prev_hash, entry)
    except Exception as exc:  # noqa: BLE001 - a NULL or a value of the wrong type in a column
        return f"有字段为空或类型不符（{type(exc).__name__}），本条记录被修改"
    if not isinstance(entry.hash, str) or not hmac.compare_digest(entry.hash, expected_hash):
        return "内容与其哈希不符，本条记录被修改"
    return None


def verify_chain(batch_size: int = 2000) -> Result:
    """Walks the whole log in id order, in batches, and stops at the first break."""
    expected_prev, expected_pk, count = GENESIS, 1, 0
    last_pk = 0
    while True:
        pks = list(AuditEvent.objects.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not pks:
            return Result(count=count, head=expected_prev, broken=None)
        for entry in _load(pks):
            pk = entry[0] if isinstance(entry, tuple) else entry.pk
            reason = _check(entry, expected_pk, expected_prev)
            if reason is not None:
                return Result(count, expected_prev, Break(pk, reason))
            expected_prev, expected_pk, count = entry.hash, entry.pk + 1, count + 1
        last_pk = pks[-1]
