"""Checking the audit chain: the first entry whose hash, link or number does not hold.

An entry is broken when its stored hash is not the HMAC of its own content and its
predecessor's hash, when its `prev_hash` is not the stored hash of the entry before it, or when
its id is not the previous id + 1 (an entry was removed or renumbered). Only the end of the
chain cannot be proven from the table alone: keep the head (`audit_verify` prints it) outside
the database to prove nothing was cut off the end.
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
        return f"审计日志第 {self.pk} 条校验失败：{self.reason}"


@dataclass(frozen=True)
class Result:
    count: int
    head: str
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify_chain(batch_size: int = 2000) -> Result:
    """Walks the whole log in id order, in batches, and stops at the first break."""
    expected_prev, expected_pk, count = GENESIS, 1, 0
    last_pk = 0
    while True:
        batch = list(AuditEvent.objects.filter(pk__gt=last_pk).order_by("pk")[:batch_size])
        if not batch:
            return Result(count=count, head=expected_prev, broken=None)
        for entry in batch:
            if entry.pk != expected_pk:
                return Result(count, expected_prev, Break(entry.pk, f"编号不连续（应为 {expected_pk}），有记录被删除或改号"))
            if not hmac.compare_digest(entry.prev_hash, expected_prev):
                return Result(count, expected_prev, Break(entry.pk, "与前一条记录的链接不符，前一条记录被修改或删除"))
            if not hmac.compare_digest(entry.hash, compute_hash(entry.prev_hash, entry)):
                return Result(count, expected_prev, Break(entry.pk, "内容与其哈希不符，本条记录被修改"))
            expected_prev, expected_pk, count = entry.hash, entry.pk + 1, count + 1
            last_pk = entry.pk
