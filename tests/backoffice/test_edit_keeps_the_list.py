"""修改填报信息 opened from a review screen that came from a filtered list leads back to that screen with the
list kept, so the reviewer's list survives a correction as it survives a decision (reviewer probe B)."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from prereg.applications.models import Application
from tests.backoffice.test_review_flow_round7 import LISTED, _hrefs, _next_inputs
from tests.factories import submitted


@pytest.fixture
def app(tree, year, reviewer_anxi_hospital):
    return submitted(tree, year, name="李娜")


def test_a_correction_returns_to_the_screen_with_the_list_it_came_from(client, app, reviewer_anxi_hospital):
    client.force_login(reviewer_anxi_hospital)
    screen = f"{reverse('backoffice:review', args=[app.pk])}?{urlencode({'back': LISTED})}"
    edit = f"{reverse('backoffice:review_edit', args=[app.pk])}?{urlencode({'back': LISTED})}"
    assert edit in _hrefs(client.get(screen).content.decode())
    page = client.get(edit).content.decode()
    assert screen in _hrefs(page) and _next_inputs(page) == [LISTED]  # 取消, and the form's way back
    response = client.post(edit, {"version": app.version, "name": "李娜娜", "next": LISTED})
    assert response.status_code == 302 and response.url == screen
    assert Application.objects.get(pk=app.pk).name == "李娜娜"


def test_a_foreign_next_leads_to_the_bare_screen(client, app, reviewer_anxi_hospital):
    client.force_login(reviewer_anxi_hospital)
    edit = reverse("backoffice:review_edit", args=[app.pk])
    response = client.post(edit, {"version": app.version, "name": "李娜娜", "next": "https://evil.example/x"})
    assert response.status_code == 302 and response.url == reverse("backoffice:review", args=[app.pk])
