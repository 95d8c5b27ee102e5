"""Numbers posted in digits of another script: str.isdigit() passes "²" (int() raises) and "١" or
"२" (int() reads them as 1 and 2). Every id or number a page posts is read with
core.validators.is_digits: such a value is refused as any other garbage, never a server error."""

import pytest
from django.urls import reverse

from prereg.accounts.models import Role
from tests.factories import ApplicationFactory, UserFactory, jpeg_upload

ODD = ["²", "١", "२", "１"]


@pytest.mark.parametrize("value", ODD)
def test_the_back_office_refuses_odd_ids_without_an_error(client, tree, reviewer_province, sysadmin, value):
    client.force_login(reviewer_province)
    for url, data in ((reverse("backoffice:orgs_toggle"), {"ids": [value], "action": "disable"}),):
        assert client.post(url, data).status_code == 302
    assert client.get(reverse("backoffice:exports"), {"year": value, "project": value}).status_code == 200
    client.force_login(sysadmin)
    UserFactory(role=Role.UNIT, org=tree["35052401"])
    assert client.post(reverse("backoffice:accounts_toggle"), {"ids": [value], "action": "disable"}).status_code == 302


@pytest.mark.parametrize("value", ODD)
def test_the_candidates_upload_refuses_an_odd_row_id_without_an_error(client, tree, year, candidate, value):
    application = ApplicationFactory(candidate=candidate, exam_year=year, unit=tree["35052401"])
    client.force_login(candidate)
    response = client.post(reverse("candidate:image_upload"),
                           {"slot": "education", "row_id": value, "version": application.version,
                            "file": jpeg_upload()}, HTTP_ACCEPT="application/json")
    assert response.status_code < 500
    assert client.get(reverse("candidate:image_slot"), {"slot": "education", "row_id": value}).status_code < 500
