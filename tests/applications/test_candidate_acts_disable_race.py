"""考生信息管理 acts of a reviewer whose account is being disabled (PostgreSQL).

The acts hold the acting account's row (accounts.services.actor_held), as the application acts do: a 禁用
waits for an act under way, or is seen by it, so no act lands after the superior was told the account is
disabled. Without it (races probe) a 更正手机号码 or 重置考生密码 committed after the 禁用: the very acts
that hand a candidate's account to a new phone, the reason to disable a suspect account at once.
"""

from functools import partial

import pytest
from django.core.exceptions import PermissionDenied

from prereg.applications import candidates
from prereg.audit.models import AuditEvent
from tests.factories import CandidateFactory, submitted
from tests.orgs.test_disabled_actor_races import _disable_while_paused, _events

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_phone_correction_under_way_lands_before_its_reviewers_disable(
        postgres_only, tree, year, reviewer_quanzhou, reviewer_anxi_bureau, monkeypatch):
    candidate = CandidateFactory(phone="13900000001")
    submitted(tree, year, "35052401", candidate=candidate)
    outcomes, disable_done_first = _disable_while_paused(
        monkeypatch, candidates, "get_candidate_for",
        partial(candidates.candidate_change_phone, actor=reviewer_anxi_bureau, candidate=candidate, phone="13900000002"),
        reviewer_quanzhou, reviewer_anxi_bureau)
    assert not disable_done_first, outcomes  # the 禁用 waited for the account row the correction holds
    assert outcomes["disabled"] == 1 and outcomes["act"] is False, outcomes
    assert _events("account.candidate_phone_change", "account.disable") == [
        "account.candidate_phone_change", "account.disable"]
    candidate.refresh_from_db()
    assert candidate.phone == "13900000002"


def test_a_candidate_password_reset_under_way_lands_before_its_reviewers_disable(
        postgres_only, tree, year, reviewer_quanzhou, reviewer_anxi_bureau, monkeypatch):
    candidate = CandidateFactory(phone="13900000003")
    submitted(tree, year, "35052401", candidate=candidate)
    outcomes, disable_done_first = _disable_while_paused(
        monkeypatch, candidates, "get_candidate_for",
        partial(candidates.candidate_reset_password, actor=reviewer_anxi_bureau, candidate=candidate),
        reviewer_quanzhou, reviewer_anxi_bureau)
    assert not disable_done_first, outcomes
    assert outcomes["disabled"] == 1 and outcomes["act"] is None, outcomes
    assert _events("account.candidate_password_reset", "account.disable") == [
        "account.candidate_password_reset", "account.disable"]


def test_a_candidate_unlock_under_way_lands_before_its_reviewers_disable(
        postgres_only, tree, year, reviewer_quanzhou, reviewer_anxi_bureau, monkeypatch):
    candidate = CandidateFactory(phone="13900000004")
    submitted(tree, year, "35052401", candidate=candidate)
    outcomes, disable_done_first = _disable_while_paused(
        monkeypatch, candidates, "get_candidate_for",
        partial(candidates.candidate_unlock, actor=reviewer_anxi_bureau, candidate=candidate),
        reviewer_quanzhou, reviewer_anxi_bureau)
    assert not disable_done_first, outcomes
    assert outcomes["disabled"] == 1 and outcomes["act"] == 0, outcomes
    assert _events("account.unlock", "account.disable") == ["account.unlock", "account.disable"]


@pytest.mark.parametrize("act", ["candidate_change_phone", "candidate_reset_password", "candidate_unlock"])
def test_a_disabled_reviewers_candidate_act_is_refused(tree, year, reviewer_anxi_bureau, act):
    """A page left open, a session not yet ended: the act of the disabled account is refused in words."""
    candidate = CandidateFactory(phone="13900000005")
    submitted(tree, year, "35052401", candidate=candidate)
    reviewer_anxi_bureau.is_active = False
    reviewer_anxi_bureau.save(update_fields=["is_active"])
    extra = {"phone": "13900000006"} if act == "candidate_change_phone" else {}
    with pytest.raises(PermissionDenied, match="账号已被禁用"):
        getattr(candidates, act)(actor=reviewer_anxi_bureau, candidate=candidate, **extra)
    candidate.refresh_from_db()
    assert candidate.phone == "13900000005"
    assert not AuditEvent.objects.filter(event__startswith="account.candidate_").exists()
