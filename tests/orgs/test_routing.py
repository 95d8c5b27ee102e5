"""The five example chains of design section 2 route exactly as the notice says."""

import pytest

from prereg.accounts.models import Role
from prereg.orgs.routing import resolve_chain
from prereg.orgs.stages import Stage
from tests.factories import CrossReviewAssignmentFactory, UserFactory

CHAINS = {
    # unit: (unit review, registration point, exam site, district)
    "35010201": ("350102", "350102", "350100", "350000"),  # 鼓楼区洪山社区卫生服务中心
    "35052401": ("35052401", "350524", "350500", "350000"),  # 安溪县医院
    "35010001": ("35010001", "35010001", "350100", "350000"),  # 福州市第一医院
    "35000001": ("35000001", "35000001", "350000", "350000"),  # 福建省立医院
    "35000004": ("35000004", "35000004", "350000", "350000"),  # 福能总医院
}


@pytest.fixture
def unit_reviewers(tree):
    for code in ("35052401", "35010001", "35000001", "35000004"):
        UserFactory(role=Role.UNIT if code == "35052401" else Role.POINT, org=tree[code])


@pytest.mark.parametrize("unit_code", CHAINS)
def test_example_chains_of_the_notice(tree, unit_reviewers, unit_code):
    chain = resolve_chain(tree[unit_code])
    assert tuple(org.code for org in chain.values()) == CHAINS[unit_code]


def test_unit_without_active_reviewers_is_reviewed_by_its_registration_point(tree):
    # 安溪县医院 has the right but no account here: its bureau does the unit review.
    assert resolve_chain(tree["35052401"])[Stage.UNIT_REVIEW].code == "350524"


def test_cross_review_assignment_reroutes_the_stage(tree, year, reviewer_province):
    CrossReviewAssignmentFactory(exam_year=year, stage=Stage.POINT_CONFIRM, source=tree["350102"],
                                 target=tree["350122"], assigned_by=reviewer_province)
    chain = resolve_chain(tree["35010201"], exam_year=year)
    assert chain[Stage.POINT_CONFIRM].code == "350122"
    assert chain[Stage.UNIT_REVIEW].code == "350102"  # only the assigned stage moves
    assert chain[Stage.SITE_REVIEW].code == "350100"


def test_moving_an_org_moves_its_subtree(tree):
    from prereg.orgs.models import Org

    bureau = tree["350524"]
    bureau.parent = tree["350100"]
    bureau.save()
    hospital = Org.objects.get(code="35052401")
    assert hospital.path.startswith(tree["350100"].path)
    assert set(Org.objects.subtree_of(tree["350100"]).values_list("code", flat=True)) >= {"350524", "35052401"}
    assert resolve_chain(hospital)[Stage.SITE_REVIEW].code == "350100"
