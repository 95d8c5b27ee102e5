"""The append-only, hash-chained audit log (审计日志)."""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models

from . import labels


class Outcome(models.TextChoices):
    SUCCESS = "success", "成功"
    FAILURE = "failure", "失败"
    DENIED = "denied", "拒绝"


class AuditEvent(models.Model):
    """One entry, never changed: no UPDATE or DELETE (refused by a trigger on PostgreSQL).

    The actor link is DO_NOTHING without a database constraint, so removing an account neither
    touches nor blocks its entries; `actor_name` keeps who it was.
    """

    created_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    actor_name = models.CharField(max_length=150, blank=True)  # kept even if the account goes
    actor_org = models.CharField(max_length=100, blank=True)
    client_ip = models.CharField(max_length=45, blank=True)
    event = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=60, blank=True, db_index=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    details = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=20, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = "审计日志"

    @property
    def actor_account(self) -> str:
        """The account that acted, by what its holder cannot change himself (a name can be, at 个人信息):
        its number and, for staff, its login name (a candidate's is his ID number, kept out of the log)."""
        if not self.actor_id:
            return ""
        try:
            actor = self.actor
        except ObjectDoesNotExist:  # the account was removed; its number stays
            actor = None
        if actor is None or actor.is_candidate:
            return f"#{self.actor_id}"
        return f"{actor.username}（#{self.actor_id}）"

    @property
    def event_label(self) -> str:
        return labels.event_label(self.event)

    @property
    def object_label(self) -> str:
        return labels.object_label(self.object_type)

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.event}"
