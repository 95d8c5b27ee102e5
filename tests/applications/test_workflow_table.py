import pytest

from prereg.applications.models import ReviewAction, Stage, State
from prereg.applications.workflow import (
    TransitionNotAllowed,
    is_last_stage,
    next_stage,
    next_state,
    previous_stage,
)


def test_submission_starts_the_review_from_draft_and_from_returned():
    assert next_state(State.DRAFT, ReviewAction.SUBMIT) == State.IN_REVIEW
    assert next_state(State.RETURNED, ReviewAction.SUBMIT) == State.IN_REVIEW


@pytest.mark.parametrize(("state", "action"), [
    (State.APPROVED, ReviewAction.SUBMIT),
    (State.DRAFT, ReviewAction.APPROVE),
    (State.RETURNED, ReviewAction.APPROVE),
    (State.DRAFT, ReviewAction.WITHDRAW),
])
def test_transitions_outside_the_table_are_refused(state, action):
    with pytest.raises(TransitionNotAllowed):
        next_state(state, action)


def test_stage_order_is_unit_point_site_district():
    assert next_stage(Stage.UNIT_REVIEW) == Stage.POINT_CONFIRM
    assert next_stage(Stage.SITE_REVIEW) == Stage.DISTRICT_RECHECK
    assert previous_stage(Stage.UNIT_REVIEW) is None
    assert is_last_stage(Stage.DISTRICT_RECHECK)


def test_approval_moves_unit_and_point_on_and_holds_site_and_district_for_forwarding():
    from prereg.applications.workflow import approval_move

    assert approval_move(State.IN_REVIEW, Stage.UNIT_REVIEW, False).stage == Stage.POINT_CONFIRM
    site = approval_move(State.IN_REVIEW, Stage.SITE_REVIEW, False)
    assert (site.stage, site.awaiting_forward) == (Stage.SITE_REVIEW, True)
    final = approval_move(State.IN_REVIEW, Stage.DISTRICT_RECHECK, False)
    assert (final.state, final.awaiting_forward) == (State.APPROVED, True)
    with pytest.raises(TransitionNotAllowed):
        approval_move(State.IN_REVIEW, Stage.SITE_REVIEW, True)


def test_recall_ends_once_the_next_stage_decided_and_never_follows_final_approval():
    from prereg.applications.workflow import recall_target

    A = ReviewAction
    assert recall_target(State.IN_REVIEW, Stage.POINT_CONFIRM, False, A.APPROVE, Stage.UNIT_REVIEW) == "unit"
    assert recall_target(State.IN_REVIEW, Stage.SITE_REVIEW, False, A.APPROVE, Stage.UNIT_REVIEW) is None
    assert recall_target(State.IN_REVIEW, Stage.UNIT_REVIEW, False, A.REJECT_PREVIOUS, Stage.POINT_CONFIRM) is None
    assert recall_target(State.IN_REVIEW, Stage.SITE_REVIEW, True, A.APPROVE, Stage.SITE_REVIEW) == "site"
    assert recall_target(State.IN_REVIEW, Stage.DISTRICT_RECHECK, False, A.FORWARD, Stage.SITE_REVIEW) == "site"
    assert recall_target(State.APPROVED, "", True, A.APPROVE, Stage.DISTRICT_RECHECK) is None


def test_reject_to_previous_is_impossible_at_the_first_stage():
    from prereg.applications.workflow import reject_previous_move

    with pytest.raises(TransitionNotAllowed):
        reject_previous_move(State.IN_REVIEW, Stage.UNIT_REVIEW, False)
    assert reject_previous_move(State.IN_REVIEW, Stage.DISTRICT_RECHECK, False).stage == Stage.SITE_REVIEW
