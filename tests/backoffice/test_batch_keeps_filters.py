"""批量提交 returns to the 待审信息 list as it was filtered (the form carries the list's own path and query),
and follows nothing but a path of that list: no open redirect."""

from html import unescape

import pytest
from django.urls import reverse

from prereg.applications.models import Application
from tests.factories import approve, submitted, tick_all

PENDING = "/backoffice/review/pending/"


@pytest.fixture
def at_site(tree, year, reviewer_anxi_hospital, reviewer_anxi_bureau):
    app = submitted(tree, year, name="王芳")
    approve(app, reviewer_anxi_hospital)
    approve(app, reviewer_anxi_bureau)
    return Application.objects.get(pk=app.pk)


def test_the_batch_form_carries_the_lists_filters(client, at_site, reviewer_quanzhou):
    assert reverse("backoffice:pending") == PENDING
    client.force_login(reviewer_quanzhou)
    body = client.get(PENDING, {"q": "王", "sort": "-name"}).content.decode()
    form = body.split(f'action="{reverse("backoffice:batch_approve")}"')[1].split("</form>")[0]
    assert f'name="next" value="{PENDING}?q=%E7%8E%8B&amp;sort=-name"' in form


def test_after_a_batch_the_list_opens_with_its_filters(client, at_site, reviewer_quanzhou):
    tick_all(at_site, reviewer_quanzhou)
    client.force_login(reviewer_quanzhou)
    listed = f"{PENDING}?q=%E7%8E%8B&sort=-name&page=1"
    response = client.post(reverse("backoffice:batch_approve"),
                           {"items": [f"{at_site.pk}:{at_site.version}"], "next": listed})
    assert response.status_code == 302 and response["Location"] == listed
    assert Application.objects.get(pk=at_site.pk).awaiting_forward
    # Nothing ticked: back to the same list, with the reason.
    response = client.post(reverse("backoffice:batch_approve"), {"next": listed}, follow=True)
    assert response.redirect_chain == [(listed, 302)]
    assert "请先勾选要批量提交的报名信息。" in unescape(response.content.decode())


@pytest.mark.parametrize("posted", [
    "https://evil.example/backoffice/review/pending/?q=1",
    "//evil.example/backoffice/review/pending/",
    "/\\evil.example/backoffice/review/pending/",
    "/backoffice/review/reviewed/?q=1",
    "/backoffice/review/pending/../../../accounts/logout/",
    "javascript:alert(1)",
    "",
])
def test_a_next_that_is_not_the_pending_list_returns_to_the_plain_list(client, at_site, reviewer_quanzhou, posted):
    client.force_login(reviewer_quanzhou)
    response = client.post(reverse("backoffice:batch_approve"), {"items": ["abc:1"], "next": posted})
    assert response.status_code == 302 and response["Location"] == PENDING


def test_the_query_carried_back_is_read_as_a_query_not_as_text(client, at_site, reviewer_quanzhou):
    client.force_login(reviewer_quanzhou)
    response = client.post(reverse("backoffice:batch_approve"),
                           {"items": ["abc:1"], "next": f"{PENDING}?q=王\r\nSet-Cookie: x=1"})
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"{PENDING}?q=%E7%8E%8B") and "\r" not in location and "\n" not in location
    assert "Set-Cookie" not in response.headers
