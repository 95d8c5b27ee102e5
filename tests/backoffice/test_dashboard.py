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


def test_reviewers_read_the_notices_meant_for_them_and_find_their_manual_on_the_dashboard(client, reviewer_anxi_bureau):
    # The management probe: a notice for 审核人员 showed nowhere in the back office (notice 二(二): study the manuals).
    from django.utils import timezone

    from prereg.catalog.models import Announcement

    now = timezone.now()
    Announcement.objects.create(title="审核人员培训通知", body="请学习**审核操作手册**。", published_at=now,
                                audience=Announcement.Audience.REVIEWERS)
    Announcement.objects.create(title="致考生", body="请按时填报。", published_at=now,
                                audience=Announcement.Audience.CANDIDATES)
    Announcement.objects.create(title="草稿通知", body="未发布。")
    client.force_login(reviewer_anxi_bureau)
    html = client.get(reverse("backoffice:dashboard")).content.decode()
    assert "审核人员培训通知" in html and "<strong>审核操作手册</strong>" in html
    assert "致考生" not in html and "草稿通知" not in html
    assert reverse("backoffice:manual", args=["reviewer"]) in html
