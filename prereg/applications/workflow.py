"""The review workflow as a table (design section 5).

`TRANSITIONS[(state, action)]` gives the next state; the stage moves by `next_stage` /
`previous_stage`. Pure: no database here, so the table is tested on its own. The services in
services.py are the only callers of `transition()`.
"""

from .models import STAGE_ORDER, ReviewAction, Stage, State

A = ReviewAction

# (state, action) -> state after the act. Approve at the last stage gives APPROVED;
# services decide that case with `is_last_stage`.
TRANSITIONS = {
    (State.DRAFT, A.SUBMIT): State.IN_REVIEW,
    (State.RETURNED, A.SUBMIT): State.IN_REVIEW,
    (State.IN_REVIEW, A.WITHDRAW): State.DRAFT,
    (State.IN_REVIEW, A.APPROVE): State.IN_REVIEW,
    (State.IN_REVIEW, A.REJECT_PREVIOUS): State.IN_REVIEW,
    (State.IN_REVIEW, A.REJECT_CANDIDATE): State.RETURNED,
    (State.IN_REVIEW, A.RECALL): State.IN_REVIEW,
    (State.IN_REVIEW, A.FORWARD): State.IN_REVIEW,
    (State.IN_REVIEW, A.EDIT): State.IN_REVIEW,
    (State.APPROVED, A.RECALL): State.IN_REVIEW,
}


class TransitionNotAllowed(Exception):
    def __init__(self, state, action):
        super().__init__(f"{action} is not allowed in state {state}")
        self.state, self.action = state, action


def next_state(state: str, action: str) -> str:
    try:
        return TRANSITIONS[(State(state), ReviewAction(action))]
    except (KeyError, ValueError):
        raise TransitionNotAllowed(state, action) from None


def next_stage(stage: str) -> str | None:
    index = STAGE_ORDER.index(Stage(stage))
    return STAGE_ORDER[index + 1] if index + 1 < len(STAGE_ORDER) else None


def previous_stage(stage: str) -> str | None:
    index = STAGE_ORDER.index(Stage(stage))
    return STAGE_ORDER[index - 1] if index > 0 else None


def is_last_stage(stage: str) -> bool:
    return next_stage(stage) is None
