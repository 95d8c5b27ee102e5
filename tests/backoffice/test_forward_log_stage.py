"""汇总提交 in the review log names the stage it was done at, for the 考区 as for the 考点 (the
reviewer-flow probe saw the 考区's as "汇总提交 · —" in 已审信息), and an entry stored without it takes
the stage of its batch (migration applications/0013)."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from prereg.applications import services
from prereg.applications.models import ReviewAction, ReviewLog, Stage
from tests.factories import approve, submitted


@pytest.fixture
def chain(reviewer_anxi_hospital, reviewer_anxi_bureau, reviewer_quanzhou, reviewer_province):
    return [reviewer_anxi_hospital, reviewer_anxi_bureau, reviewer_quanzhou, reviewer_province]


@pytest.fixture
def forwarded(tree, year, chain):
    """An application through the whole chain, forwarded by the 考点 and then by the 考区."""
    hospital, bureau, site, province = chain
    application = submitted(tree, year, name="李娜")
    approve(application, hospital)
    approve(application, bureau)
    approve(application, site)
    services.summary_submit(actor=site, stage=Stage.SITE_REVIEW)
    approve(application, province)
    services.summary_submit(actor=province, stage=Stage.DISTRICT_RECHECK)
    return application


def test_each_summary_submit_is_logged_at_the_stage_it_forwards(forwarded, reviewer_province):
    stages = list(ReviewLog.objects.filter(application=forwarded, action=ReviewAction.FORWARD)
                  .order_by("pk").values_list("org__code", "stage"))
    assert stages == [("350500", Stage.SITE_REVIEW), ("350000", Stage.DISTRICT_RECHECK)]


migration = importlib.import_module("prereg.applications.migrations.0013_forward_log_stage")


def test_a_stored_forward_without_its_stage_takes_its_batchs_and_every_page_shows_it(client, forwarded,
                                                                                      reviewer_province):
    ReviewLog.objects.filter(application=forwarded, action=ReviewAction.FORWARD, org__code="350000").update(stage="")
    migration.stage_from_batch(apps, None)
    stages = list(ReviewLog.objects.filter(application=forwarded, action=ReviewAction.FORWARD)
                  .order_by("pk").values_list("stage", flat=True))
    assert stages == [Stage.SITE_REVIEW, Stage.DISTRICT_RECHECK]
    client.force_login(reviewer_province)
    assert "汇总提交 · 考区复核" in client.get(reverse("backoffice:reviewed")).content.decode()
    client.force_login(forwarded.candidate)
    body = client.get(reverse("candidate:progress")).content.decode()
    assert "<strong>汇总提交</strong> · 考点审核 · " in body and "<strong>汇总提交</strong> · 考区复核 · " in body
