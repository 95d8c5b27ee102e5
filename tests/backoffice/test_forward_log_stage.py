"""汇总提交 in the review log names the stage it was done at, for the 考区 as for the 考点 (the
reviewer-flow probe saw the 考区's as "汇总提交 · —" in 已审信息): written so, and an entry stored
without it shows the stage of its batch."""

import pytest
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


def _forget_the_stage(application):
    """An entry as the 考区's 汇总提交 stored it before: without its stage."""
    return ReviewLog.objects.filter(application=application, action=ReviewAction.FORWARD,
                                    org__code="350000").update(stage="")


def test_a_stored_forward_without_its_stage_shows_its_batchs_stage_in_reviewed(client, forwarded, reviewer_province):
    assert _forget_the_stage(forwarded) == 1
    client.force_login(reviewer_province)
    body = client.get(reverse("backoffice:reviewed")).content.decode()
    assert "汇总提交 · 考区复核" in body
    assert "汇总提交 · —" not in body


def test_a_stored_forward_without_its_stage_shows_its_batchs_stage_in_the_review_log(client, forwarded,
                                                                                      reviewer_province):
    _forget_the_stage(forwarded)
    client.force_login(reviewer_province)
    body = client.get(reverse("backoffice:review", args=[forwarded.pk])).content.decode()
    assert body.count("<td>考区复核</td>") == 2  # its approval and its 汇总提交


def test_the_candidates_timeline_names_the_stage_of_each_summary_submit(client, forwarded):
    _forget_the_stage(forwarded)
    client.force_login(forwarded.candidate)
    body = client.get(reverse("candidate:progress")).content.decode()
    assert "<strong>汇总提交</strong> · 考点审核 · " in body
    assert "<strong>汇总提交</strong> · 考区复核 · " in body
