"""The five example chains of design section 2 run from submission to 审核通过 through the services."""

import pytest

from prereg.accounts.models import Role
from prereg.applications import services
from prereg.applications.models import Application, ReviewLog, Stage, State
from tests.factories import UserFactory, approve, submitted

CHAINS = {
    # unit: the orgs deciding unit review, confirmation, site review, district re-check
    "35010201": ("350102", "350102", "350100", "350000"),  # 鼓楼区洪山社区卫生服务中心
    "35052401": ("35052401", "350524", "350500", "350000"),  # 安溪县医院
    "35010001": ("35010001", "35010001", "350100", "350000"),  # 福州市第一医院
    "35000001": ("35000001", "35000001", "350000", "350000"),  # 福建省立医院
    "35000004": ("35000004", "35000004", "350000", "350000"),  # 福能总医院
}
ROLE_OF = {"350000": Role.DISTRICT, "350100": Role.SITE, "350500": Role.SITE, "350102": Role.POINT,
           "350524": Role.POINT, "35052401": Role.UNIT}


@pytest.mark.parametrize("unit_code", CHAINS)
def test_each_example_chain_runs_to_approval_with_one_decision_per_stage(tree, year, unit_code):
    reviewers = {code: UserFactory(role=ROLE_OF.get(code, Role.POINT), org=tree[code])
                 for code in set(CHAINS[unit_code])}
    application = submitted(tree, year, unit_code=unit_code)
    for stage, code in zip([Stage.UNIT_REVIEW, Stage.POINT_CONFIRM, Stage.SITE_REVIEW, Stage.DISTRICT_RECHECK],
                           CHAINS[unit_code], strict=True):
        application.refresh_from_db()
        assert (application.stage, application.org_at(stage).code) == (stage, code)
        approve(application, reviewers[code])
        if stage == Stage.SITE_REVIEW:
            services.summary_submit(actor=reviewers[code], stage=stage)
    application = Application.objects.get(pk=application.pk)
    assert application.state == State.APPROVED
    stages = list(ReviewLog.objects.filter(application=application, action="approve").values_list("stage", flat=True))
    assert stages == ["unit", "point", "site", "district"]
