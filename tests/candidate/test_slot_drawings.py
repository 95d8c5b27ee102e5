"""A 📷 slot drawn alone (an upload's answer, the reading's poll, a deletion's answer) is the slot as the
form page draws it: the views render it through one function with the page's names for its context."""

import re

import pytest
from django.urls import reverse

from prereg.applications.models import ApplicationImage, EducationRow
from tests.factories import complete_application, jpeg_upload


def _same_tokens(html):
    """A rendering with its CSRF token blanked (Django masks the token anew each time it is drawn)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken" value=""', html)


@pytest.fixture
def application(client, year, tree, candidate):
    client.force_login(candidate)
    return complete_application(candidate, year, tree)


def _form_page(client):
    return _same_tokens(client.get(reverse("candidate:form")).content.decode())


def _slots(application):
    """A slot at the bottom of the form, and one in a row of its section."""
    row = EducationRow.objects.get(application=application, kind="education")
    return [("category", None), ("education", row.pk)]


def test_an_uploads_answer_draws_the_slot_as_the_form_page_does(client, application):
    for slot, row_id in _slots(application):
        answer = client.post(reverse("candidate:image_upload"), {
            # another picture than the factory's, which the slot holds already (the same one is refused)
            "version": application.version, "slot": slot, "row_id": row_id or "", "file": jpeg_upload(color=(1, 2, 3))},
            HTTP_ACCEPT="application/json").json()
        assert answer["ok"] and answer["html"].startswith('<div class="slot')
        assert _same_tokens(answer["html"]) in _form_page(client)


def test_the_readings_poll_draws_the_slot_as_the_form_page_does(client, application):
    for slot, row_id in _slots(application):
        html = client.get(reverse("candidate:image_slot"), {"slot": slot, "row_id": row_id or ""}).content.decode()
        assert f'id="img-{slot}-{row_id or ""}"' in html
        assert _same_tokens(html) in _form_page(client)


def test_a_deletions_answer_draws_the_slot_as_the_form_page_does(client, application):
    for slot, row_id in _slots(application):
        image = ApplicationImage.objects.filter(application=application, slot=slot, row_id=row_id).first()
        response = client.post(reverse("candidate:image_delete", args=[image.pk]), {"version": application.version},
                               HTTP_HX_REQUEST="true")
        assert response["HX-Trigger"] == "images-changed" and "尚未上传" in response.content.decode()
        assert _same_tokens(response.content.decode()) in _form_page(client)


def test_a_row_id_given_to_a_slot_of_the_form_itself_is_no_slot_not_a_server_error(client, application):
    # The security probe: ?slot=id_front&row_id=1 answered 500 (a KeyError).
    response = client.get(reverse("candidate:image_slot"), {"slot": "id_front", "row_id": "1"})
    assert response.status_code == 404
