"""The confirmation form (审核确认单): content, who may print it, and the QR authenticity page."""

import pytest
from django.urls import reverse

from prereg.applications import services
from prereg.applications.models import Stage, State
from prereg.applications.pdf import confirmation_pdf, may_print, verify_path
from tests.candidate.factories import complete_application
from tests.factories import CandidateFactory


@pytest.fixture
def confirmed(tree, year, candidate):
    """Submitted, and past the 报名点 (now at the 考点)."""
    application = complete_application(candidate, year, tree)
    services.application_submit(actor=candidate, application_id=application.pk)
    application.refresh_from_db()
    application.stage = Stage.SITE_REVIEW
    application.save()
    return application


def test_the_pdf_is_a_pdf_with_a_cjk_font_and_the_photo(confirmed):
    data = confirmation_pdf(confirmed)
    assert data.startswith(b"%PDF")
    assert b"STSong-Light" in data or b"PreregCJK" in data
    assert b"/Subtype /Image" in data  # the candidate's photo
    assert len(data) < 200_000


def test_it_is_printable_only_once_the_point_has_confirmed(confirmed):
    assert may_print(confirmed)
    confirmed.stage = Stage.POINT_CONFIRM
    assert not may_print(confirmed)
    confirmed.state, confirmed.stage = State.APPROVED, ""
    assert may_print(confirmed)


def test_the_candidate_downloads_his_form(client, confirmed, candidate):
    client.force_login(candidate)
    response = client.get(reverse("candidate:confirmation"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_the_candidate_cannot_print_before_the_point_confirmed(client, confirmed, candidate):
    confirmed.stage = Stage.UNIT_REVIEW
    confirmed.save()
    client.force_login(candidate)
    assert client.get(reverse("candidate:confirmation")).status_code == 403


def test_a_reviewer_in_scope_prints_it_from_the_back_office(client, confirmed, reviewer_quanzhou):
    client.force_login(reviewer_quanzhou)
    response = client.get(reverse("backoffice:print_confirmation", args=[confirmed.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_a_reviewer_out_of_scope_gets_404(client, confirmed, reviewer_fuzhou):
    client.force_login(reviewer_fuzhou)
    assert client.get(reverse("backoffice:print_confirmation", args=[confirmed.pk])).status_code == 404


def test_a_candidate_cannot_use_the_back_office_print(client, confirmed, candidate):
    client.force_login(candidate)
    assert client.get(reverse("backoffice:print_confirmation", args=[confirmed.pk])).status_code == 403


def test_print_refuses_post(client, confirmed, reviewer_quanzhou):
    client.force_login(reviewer_quanzhou)
    assert client.post(reverse("backoffice:print_confirmation", args=[confirmed.pk])).status_code == 405


def test_the_qr_page_confirms_a_genuine_form_to_a_reviewer(client, confirmed, reviewer_quanzhou):
    client.force_login(reviewer_quanzhou)
    response = client.get(verify_path(confirmed))
    assert response.status_code == 200
    assert "由本系统生成" in response.content.decode() and confirmed.number in response.content.decode()


def test_the_qr_page_flags_a_forged_token(client, confirmed, reviewer_quanzhou):
    client.force_login(reviewer_quanzhou)
    response = client.get(reverse("files:verify", args=[confirmed.number, "forged"]))
    assert "伪造" in response.content.decode()


def test_the_qr_page_is_for_reviewers_only(client, confirmed, candidate, reviewer_fuzhou):
    client.force_login(candidate)
    assert client.get(verify_path(confirmed)).status_code == 403
    client.force_login(reviewer_fuzhou)
    assert client.get(verify_path(confirmed)).status_code == 404
    client.force_login(CandidateFactory())
    assert client.get(reverse("candidate:confirmation")).status_code == 404
