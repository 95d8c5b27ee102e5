"""A reviewer's act under way and the 禁用 of his account (PostgreSQL): the 禁用 waits for the act, so no
act of an account lands after its superior was told it is disabled (the races probe: 14 of 16 approvals
were logged after the account.disable their superior had been told was done)."""

from functools import partial

import pytest
from django.core.exceptions import PermissionDenied

from prereg.accounts.services import account_set_active
from prereg.applications import services
from prereg.applications.models import Application, State
from prereg.audit.models import AuditEvent
from tests.applications.test_one_writer_races import paused_after, started
from tests.factories import submitted, tick_all

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_disable_waits_for_the_approval_under_way_and_the_next_act_is_refused(
        postgres_only, tree, year, reviewer_quanzhou, reviewer_anxi_hospital, monkeypatch):
    application = submitted(tree, year, "35052401")
    tick_all(application, reviewer_anxi_hospital)
    application.refresh_from_db()
    held, go_on = paused_after(monkeypatch, services, "actor_held")
    outcomes = {}
    approving = started(outcomes, "approved", partial(
        services.application_approve, actor=reviewer_anxi_hospital, application_id=application.pk,
        expected_version=application.version))
    assert held.wait(10)
    disabling = started(outcomes, "disabled", partial(
        account_set_active, actor=reviewer_quanzhou, user_ids=[reviewer_anxi_hospital.pk], active=False))
    disabling.join(1)
    assert disabling.is_alive(), outcomes  # waiting for the account row the approval holds
    go_on.set()
    approving.join(10)
    disabling.join(10)
    assert outcomes["disabled"] == 1 and Application.objects.get(pk=application.pk).state == State.IN_REVIEW
    events = list(AuditEvent.objects.filter(event__in=["application.approve", "account.disable"])
                  .order_by("pk").values_list("event", flat=True))
    assert events == ["application.approve", "account.disable"]
    # Once it is disabled, an act of the account (a page left open, a session not yet ended) is refused.
    monkeypatch.undo()
    reviewer_anxi_hospital.refresh_from_db()
    with pytest.raises(PermissionDenied, match="账号已被禁用"):
        services.field_check_set(actor=reviewer_anxi_hospital, application_id=application.pk, field="id_card",
                                 consistent=True)
