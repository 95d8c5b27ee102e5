"""A reviewer acting on an application the candidate has withdrawn meanwhile is told so, not that another
reviewer or another window handled it (reviewer probe)."""

import pytest

from prereg.applications import services
from tests.factories import complete_application


def test_a_decision_after_the_candidate_withdrew_says_the_candidate_withdrew(
        tree, year, candidate, reviewer_anxi_hospital):
    application = complete_application(candidate, year, tree)
    application = services.application_submit(actor=candidate, application_id=application.pk)
    seen = application.version
    services.application_withdraw(actor=candidate, application_id=application.pk)
    with pytest.raises(services.AlreadyHandled) as refused:
        services.application_approve(actor=reviewer_anxi_hospital, application_id=application.pk,
                                     expected_version=seen)
    assert str(refused.value).startswith("考生已撤回报名信息，尚未重新提交，无需审核")
    assert "他人" not in str(refused.value)
