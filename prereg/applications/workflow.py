"""The review workflow as a table (design section 5).

`TRANSITIONS[(state, action)]` gives the next state; where the stage goes is decided by
`approval_move` / `previous_stage` / `recall_target`. Pure: no database here, so the table is
tested on its own. The services in services.py are the only callers.

Approval and forwarding (汇总提交), as decided for this system:
- 单位审查 and 报名点确认: approval hands the application straight to the next stage.
- 考点审核: approval keeps it at the 考点 with `awaiting_forward` set; the 考点's 汇总提交 then
  moves all of them to the 考区 at once, as one recorded batch (notice 一(三): "审核通过后…
  提交考区复核").
- 考区复核: approval makes the application 审核通过 (final) with `awaiting_forward` set; the
  考区's 汇总提交 records the final batch of approved applications and clears the flag.
Recall (撤办) is possible only while the next stage has not decided (manual 五.2) and never
after 审核通过 ("已通过审核后都无法进行撤办").
"""

from dataclasses import dataclass

from .models import STAGE_ORDER, ReviewAction, Stage, State

# (state, action) -> state after the act. Approve at the last stage gives APPROVED instead:
# see `approval_move`.
TRANSITIONS = {
    (State.DRAFT, ReviewAction.SUBMIT): State.IN_REVIEW,
    (State.RETURNED, ReviewAction.SUBMIT): State.IN_REVIEW,
    (State.IN_REVIEW, ReviewAction.WITHDRAW): State.DRAFT,
    (State.IN_REVIEW, ReviewAction.APPROVE): State.IN_REVIEW,
    (State.IN_REVIEW, ReviewAction.REJECT_PREVIOUS): State.IN_REVIEW,
    (State.IN_REVIEW, ReviewAction.REJECT_CANDIDATE): State.RETURNED,
    (State.IN_REVIEW, ReviewAction.RECALL): State.IN_REVIEW,
    (State.IN_REVIEW, ReviewAction.FORWARD): State.IN_REVIEW,
    (State.APPROVED, ReviewAction.FORWARD): State.APPROVED,
    (State.IN_REVIEW, ReviewAction.EDIT): State.IN_REVIEW,
}

# Stages whose approvals wait for the org's 汇总提交 (the 考点 and the 考区 hold that function).
FORWARDING_STAGES = (Stage.SITE_REVIEW, Stage.DISTRICT_RECHECK)
# The acts that count as a decision: after one of them by the next stage, recall is over.
DECISIONS = (ReviewAction.SUBMIT, ReviewAction.WITHDRAW, ReviewAction.APPROVE, ReviewAction.REJECT_PREVIOUS, ReviewAction.REJECT_CANDIDATE, ReviewAction.RECALL, ReviewAction.FORWARD)
# The least senior role that may decide at each stage (accounts.models.ROLE_RANK: lower is higher).
STAGE_MIN_RANK = {Stage.UNIT_REVIEW: 4, Stage.POINT_CONFIRM: 3, Stage.SITE_REVIEW: 2, Stage.DISTRICT_RECHECK: 1}


class TransitionNotAllowed(Exception):
    def __init__(self, state, action):
        super().__init__(f"{action} is not allowed in state {state}")


@dataclass(frozen=True)
class Move:
    state: str
    stage: str
    awaiting_forward: bool = False


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


def approval_move(state: str, stage: str, awaiting_forward: bool) -> Move:
    """Where an approval at `stage` puts the application."""
    if awaiting_forward:
        # Already approved here and waiting for 汇总提交: a second approval is a replay.
        raise TransitionNotAllowed(state, ReviewAction.APPROVE)
    next_state(state, ReviewAction.APPROVE)
    if is_last_stage(stage):
        return Move(State.APPROVED, "", awaiting_forward=True)
    if Stage(stage) in FORWARDING_STAGES:
        return Move(State.IN_REVIEW, stage, awaiting_forward=True)
    return Move(State.IN_REVIEW, next_stage(stage))


def reject_previous_move(state: str, stage: str, awaiting_forward: bool) -> Move:
    target = previous_stage(stage)
    if target is None or awaiting_forward:
        raise TransitionNotAllowed(state, ReviewAction.REJECT_PREVIOUS)
    return Move(next_state(state, ReviewAction.REJECT_PREVIOUS), target)


def reject_candidate_move(state: str, awaiting_forward: bool) -> Move:
    if awaiting_forward:
        raise TransitionNotAllowed(state, ReviewAction.REJECT_CANDIDATE)
    return Move(next_state(state, ReviewAction.REJECT_CANDIDATE), "")


def forward_move(state: str, stage: str, awaiting_forward: bool) -> Move:
    """`stage` is the forwarding org's stage (the 考区's approved applications have none left)."""
    if not awaiting_forward or Stage(stage) not in FORWARDING_STAGES:
        raise TransitionNotAllowed(state, ReviewAction.FORWARD)
    to_state = next_state(state, ReviewAction.FORWARD)
    return Move(to_state, "" if to_state == State.APPROVED else next_stage(stage))


def recall_target(state: str, stage: str, awaiting_forward: bool, last_action: str, last_stage: str) -> str | None:
    """The stage a recall returns to, or None when recall is over.

    `last_action`/`last_stage` describe the latest decision on the application; the caller
    checks that it was made by the recalling org.
    """
    if State(state) != State.IN_REVIEW or not last_stage:
        return None
    if last_action == ReviewAction.APPROVE:
        if Stage(last_stage) in FORWARDING_STAGES:
            # Approved at the 考点, not yet forwarded.
            return last_stage if (stage == last_stage and awaiting_forward) else None
        return last_stage if stage == next_stage(last_stage) else None
    if last_action == ReviewAction.FORWARD and not is_last_stage(last_stage):
        # Forwarded by the 考点 and the 考区 has not decided yet.
        return last_stage if stage == next_stage(last_stage) else None
    return None
