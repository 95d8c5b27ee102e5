"""单位审查权限 is not taken from a unit while applications wait for its review: as 禁用 is refused
(the page, the service and the import alike)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from prereg.applications.selectors import waiting_counts
from prereg.audit.models import AuditEvent
from prereg.orgs import importer, services
from prereg.orgs.models import Org
from tests.factories import submitted
from tests.orgs.test_import import row, sheet


def _take_right(client, org):
    org = Org.objects.get(pk=org.pk)
    return client.post(reverse("backoffice:orgs_edit", args=[org.pk]), {
        "parent": org.parent_id, "code": org.code, "name": org.name, "region_code": org.region_code, "is_unit": "on",
        "version": org.version})


def test_the_right_is_not_taken_from_a_unit_applications_wait_for(client, tree, year, reviewer_province,
                                                                   reviewer_anxi_hospital):
    hospital = tree["35052401"]
    for _ in range(2):
        assert submitted(tree, year, unit_code="35052401").waiting_org == hospital
    client.force_login(reviewer_province)
    response = _take_right(client, hospital)
    assert response.status_code == 200
    assert response.context["form"].errors["has_review_right"] == [
        "“安溪县医院”有2份报名信息待其审核，请待其审核完毕后再取消单位审查权限。"]
    assert Org.objects.get(pk=hospital.pk).has_review_right
    assert not AuditEvent.objects.filter(event="org.update").exists()
    with pytest.raises(ValidationError):
        services.org_update(actor=reviewer_province, org=hospital, has_review_right=False, waiting=waiting_counts)
    # The import refuses the same row.
    result = importer.plan_import(actor=reviewer_province, filename="orgs.csv", waiting=waiting_counts, content=sheet(
        row("35052401", "安溪县医院", "350524", "单位", right="否", region="350524")))
    assert result.errors == ["第2行（35052401）：“安溪县医院”有2份报名信息待其审核，请待其审核完毕后再取消单位审查权限。"]


def test_the_right_is_taken_from_a_unit_nothing_waits_for(client, tree, reviewer_province):
    client.force_login(reviewer_province)
    assert _take_right(client, tree["35052401"]).status_code == 302
    assert not Org.objects.get(pk=tree["35052401"].pk).has_review_right
    assert AuditEvent.objects.get(event="org.update").details["changes"]["has_review_right"] == [True, False]
