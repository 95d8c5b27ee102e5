"""An object out of the user's scope is answered 404 (as if it did not exist): a reviewer walking ids
left no trace in the audit log, where a 403 did (security probe F2)."""

from django.urls import reverse

from prereg.audit.models import AuditEvent, Outcome
from tests.factories import make_application


def test_a_reviewer_asking_for_an_application_out_of_his_scope_is_audited(client, tree, year, reviewer_fuzhou):
    application = make_application(tree, year, "35052401")  # 安溪: another city
    client.force_login(reviewer_fuzhou)
    url = reverse("backoffice:review", args=[application.pk])
    response = client.get(url)
    assert response.status_code == 404
    event = AuditEvent.objects.get(event="access.not_found")
    assert (event.actor_id, event.outcome, event.details["path"]) == (reviewer_fuzhou.pk, Outcome.DENIED, url)
    assert "不在您的审核范围内" in event.details["reason"]


def test_an_address_no_page_has_and_an_anonymous_visitor_are_only_answered(client, tree, reviewer_fuzhou):
    assert client.get("/backoffice/review/1/").status_code in (302, 404)  # anonymous: sign in first, or not found
    client.force_login(reviewer_fuzhou)
    assert client.get("/no-such-page/").status_code == 404
    assert not AuditEvent.objects.filter(event="access.not_found").exists()
