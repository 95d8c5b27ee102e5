"""工作台: its 待我审核 figure is 待审信息's own count."""

import pytest
from django.urls import reverse

from tests.factories import spread, submitted


@pytest.fixture
def applications(tree, year, reviewer_anxi_hospital):
    """Every stage of three chains, and two applications submitted to 安溪县医院 (its reviewer's
    account first: a unit reviews only once it has one)."""
    return [*spread(tree, year), submitted(tree, year, name="李娜"), submitted(tree, year, name="王五")]


@pytest.mark.parametrize("reviewer", ["reviewer_anxi_hospital", "reviewer_anxi_bureau", "reviewer_quanzhou"])
def test_the_dashboards_pending_count_is_the_queue_pages_count(client, applications, request, reviewer):
    client.force_login(request.getfixturevalue(reviewer))
    queue = client.get(reverse("backoffice:pending")).context["page"].paginator.count
    assert queue > 0  # something to count
    assert client.get(reverse("backoffice:dashboard")).context["pending_count"] == queue


@pytest.mark.parametrize("user", ["sysadmin", "auditor"])
def test_the_dashboard_has_no_pending_count_for_a_user_without_an_org(client, applications, request, user):
    client.force_login(request.getfixturevalue(user))
    response = client.get(reverse("backoffice:dashboard"))
    assert response.status_code == 200 and response.context["pending_count"] is None
    assert "待我审核" not in response.content.decode()
