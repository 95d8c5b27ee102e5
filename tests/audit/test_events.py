"""Login events reach the audit log, including the lockout django-axes signals."""

from django.urls import reverse

from prereg.audit.models import AuditEvent
from prereg.audit.verify import verify_chain
from tests.factories import CandidateFactory


def test_the_fifth_failure_records_a_lockout_and_each_failure_is_recorded(client, db):
    user = CandidateFactory(phone="15005000477")
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": user.id_number, "password": "wrong"})
    events = list(AuditEvent.objects.values_list("event", flat=True))
    assert events.count("auth.login_failed") == 5
    lockouts = AuditEvent.objects.filter(event="auth.lockout")
    assert lockouts.count() == 1 and lockouts.get().object_id == str(user.pk)
    assert user.id_number not in lockouts.get().actor_name  # masked
    assert verify_chain().ok


def test_attempts_on_a_locked_account_are_recorded(client, db):
    user = CandidateFactory(phone="15005000478")
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": user.id_number, "password": "wrong"})
    before = AuditEvent.objects.count()
    response = client.post(reverse("accounts:login"), {"username": user.id_number, "password": "Ceshi#2026pw"})
    assert response.status_code == 403
    new = list(AuditEvent.objects.filter(pk__gt=before).values_list("event", "outcome"))
    assert new, "an attempt on a locked account leaves no audit entry"
