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


# --- Personal numbers in the details (issue 16) --------------------------------------------------


def test_a_reviewers_id_number_correction_is_kept_masked_with_a_keyed_hash(client, tree, year, settings):
    """The log kept the correction with before and after in full, shown in the viewer and its CSV."""
    from prereg.accounts.models import Role
    from prereg.applications import services
    from prereg.audit.log import personal_number_hash
    from prereg.core.masking import mask_id_number
    from prereg.core.validators import id_check_char
    from tests.factories import UserFactory, submitted

    hospital = UserFactory(role=Role.UNIT, org=tree["35052401"])
    for code, role in (("350524", Role.POINT), ("350500", Role.SITE), ("350000", Role.DISTRICT)):
        UserFactory(role=role, org=tree[code])
    app = submitted(tree, year)
    body = "35052419850315002"
    new = body + id_check_char(body)
    old = app.id_number
    services.application_edit(actor=hospital, application_id=app.pk, expected_version=app.version,
                              changes={"id_number": new})
    entries = AuditEvent.objects.filter(object_id=str(app.pk), event__startswith="application.edit", details__has_key="changes")
    assert entries.exists()
    for entry in entries:
        before, after = entry.details["changes"]["id_number"]
        assert before == f"{mask_id_number(old)}#hmac:{personal_number_hash(old)}"
        assert after == f"{mask_id_number(new)}#hmac:{personal_number_hash(new)}"
        assert personal_number_hash(new) != personal_number_hash(old)
    auditor = UserFactory(role=Role.AUDITOR)
    client.force_login(auditor)
    for url in (reverse("backoffice:audit"), reverse("backoffice:audit_export")):
        response = client.get(url)
        body_ = b"".join(response.streaming_content) if response.streaming else response.content
        assert old.encode() not in body_ and new.encode() not in body_
    assert verify_chain().ok
    # Another key gives another hash: the hash is keyed, not a plain digest of the number.
    settings.AUDIT_PII_KEY = "another key"
    assert personal_number_hash(new) != after.rpartition(":")[2]


def test_numbers_anywhere_in_the_details_are_masked_and_the_rest_kept():
    from prereg.audit.log import protect_personal_numbers

    kept = protect_personal_numbers({"q": "找 13800138000 的考生", "username": "r35052401", "rows": 3,
                                     "filters": {"q": "350102199205171234"}, "phones": ["13912345678"]})
    assert kept["q"] == "找 138****8000 的考生" and kept["username"] == "r35052401" and kept["rows"] == 3
    assert kept["filters"]["q"].startswith("3501**********1234#hmac:")
    assert kept["phones"][0].startswith("139****5678#hmac:")
