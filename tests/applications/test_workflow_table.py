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
