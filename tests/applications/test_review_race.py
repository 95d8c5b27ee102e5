"""Two reviewers deciding the same application at once: one decision, one 已被他人处理 (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from prereg.applications import services
from prereg.applications.models import Application, ReviewLog, State
from prereg.orgs.models import Org
from tests.factories import UserFactory, submitted, tick_all


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_at_once_yield_one_decision(postgres_only, tree, year, reviewer_anxi_hospital):
    colleague = UserFactory(role=reviewer_anxi_hospital.role, org=Org.objects.get(code="35052401"))
    application = submitted(tree, year)
    tick_all(application, reviewer_anxi_hospital)
    version = Application.objects.get(pk=application.pk).version
    barrier = threading.Barrier(2)
    outcomes = {}

    def decide(name, act):
        try:
            barrier.wait()
            act()
            outcomes[name] = "done"
        except services.AlreadyHandled as exc:
            outcomes[name] = str(exc)
        finally:
            connection.close()

    approve = threading.Thread(target=decide, args=("approve", lambda: services.application_approve(
        actor=reviewer_anxi_hospital, application_id=application.pk, expected_version=version)))
    reject = threading.Thread(target=decide, args=("reject", lambda: services.application_reject(
        actor=colleague, application_id=application.pk, expected_version=version, reason="不一致",
        to="candidate")))
    approve.start()
    reject.start()
    approve.join()
    reject.join()

    assert sorted(v == "done" for v in outcomes.values()) == [False, True]
    loser = next(v for v in outcomes.values() if v != "done")
    assert loser.startswith("已被他人处理，当前状态：")
    decisions = ReviewLog.objects.filter(application=application).exclude(action="submit")
    assert decisions.count() == 1
    final = Application.objects.get(pk=application.pk)
    assert final.state == (State.RETURNED if outcomes["reject"] == "done" else State.IN_REVIEW)
    assert final.version == version + 1
