"""SMS outbox and codes, and in-app notices."""

from django.conf import settings
from django.db import models


class SmsMessage(models.Model):
    """Every SMS the system sends, whatever the backend (the outbox page shows them in demo mode)."""

    phone = models.CharField(max_length=20, db_index=True)
    text = models.CharField(max_length=500)
    purpose = models.CharField(max_length=30)
    backend = models.CharField(max_length=60)
    delivered = models.BooleanField(default=False)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]


class SmsCode(models.Model):
    """A one-time verification code: 6 digits, hashed, single use, short life."""

    phone = models.CharField(max_length=20, db_index=True)
    purpose = models.CharField(max_length=30)  # signup, password_reset, phone_change
    code_hash = models.CharField(max_length=128)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    client_ip = models.CharField(max_length=45, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)


class Notice(models.Model):
    """An in-app notice to one user (e.g. an application he handled was returned)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    title = models.CharField(max_length=100)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=200, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
