"""The IDOR matrix's engine: how a cell is walked (tests/security/test_idor.py holds the matrices).

A cell is (viewer, target, relation, object) for one Action. `run_cells` runs each cell in a
savepoint that is rolled back: prepare the object, derive the expected answer, log the viewer in,
send the request, then check the answer: an allowed cell must succeed and have its effect; a
denied one must answer 403 or 404 and change nothing (state, audit log, no byte of the object in
the answer); a REFUSED one (in scope, but the workflow says no) must change nothing and not fail.
"""

from dataclasses import dataclass, field

import pytest
from django.db import transaction

from prereg.audit.models import AuditEvent

# A target's position relative to the viewer.
OWN, SIBLING, PARENT, OTHER_CITY, BELOW = "own", "sibling", "parent", "other city", "below"


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def audit_head():
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def acts_since(head) -> bool:
    """Whether an act was audited after `head` (the refusal itself, access.denied or access.not_found
    for an object out of scope, is not one)."""
    return AuditEvent.objects.filter(pk__gt=head).exclude(event__in=["access.denied", "access.not_found"]).exists()


@dataclass(frozen=True)
class Action:
    """One action on one kind of object.

    prepare(world, viewer, target) → ctx (dict) puts the object where the cell needs it (inside
    the cell's savepoint); call(client, ctx) → response; state(ctx) → what must not change when
    denied; effect(ctx, response, body) → None if the allowed cell did what it should, else why not;
    allowed(viewer_name, viewer, relation, ctx) → the expected answer.
    """

    name: str
    prepare: object
    call: object
    state: object
    effect: object
    allowed: object
    secret: object = None  # ctx → bytes that a denied answer must not contain
    xfail_cells: dict = field(default_factory=dict)  # (viewer, target) → reason (a known bug)
    all_denied: bool = False  # a row of refusals only (the "at a stage not his" rows)


REFUSED = "refused"  # an `allowed` answer: in scope, but the workflow refuses (any status, no change)


def run_cells(client, world, action, cells):
    """cells: (viewer name, target key, relation, target). Returns the list of wrong cells."""
    wrong, xfailed, sides = [], [], set()
    for viewer_name, key, relation, target in cells:
        viewer = world.viewers[viewer_name]
        label = f"{action.name}: {viewer_name} × {key} ({relation})"
        with transaction.atomic():
            ctx = action.prepare(world, viewer, target)
            expected = action.allowed(viewer_name, viewer, relation, ctx)
            sides.add(bool(expected) and expected is not REFUSED)
            client.force_login(viewer)  # writes its own audit entry (auth.login): before the count
            before, head = action.state(ctx), audit_head()
            response = action.call(client, ctx)
            body = body_of(response)
            problems = []
            if expected is REFUSED:
                # In scope, but the workflow says no (nothing to recall…): a message, no change.
                if response.status_code >= 500 or action.state(ctx) != before:
                    problems.append(f"{label}: refused by the workflow, yet {response.status_code} or changed")
            elif expected:
                problem = action.effect(ctx, response, body)
                if problem:
                    problems.append(f"{label}: allowed, but {problem}")
            else:
                if response.status_code not in (403, 404):
                    problems.append(f"{label}: expected 403/404, got {response.status_code}")
                if action.state(ctx) != before:
                    problems.append(f"{label}: denied, yet the object changed")
                if acts_since(head):
                    problems.append(f"{label}: denied, yet the act was audited")
                secret = action.secret(ctx) if action.secret else None
                if secret and secret in body:
                    problems.append(f"{label}: denied, yet the answer holds the object's content")
            (xfailed if (viewer_name, key) in action.xfail_cells else wrong).extend(problems)
            transaction.set_rollback(True)
    return wrong, xfailed, sides


def assert_cells(client, world, action, cells):
    wrong, xfailed, sides = run_cells(client, world, action, cells)
    assert sides == ({False} if action.all_denied else {True, False}), f"{action.name}: the sides of the matrix"
    assert wrong == [], wrong
    if action.xfail_cells:
        # Strict: while the known bug is there the test xfails; once fixed it fails until the
        # xfail cells are removed.
        if not xfailed:
            pytest.fail(f"{action.name}: the xfail cells now pass: remove them")
        pytest.xfail("; ".join(sorted(set(action.xfail_cells.values()))) + " — " + "; ".join(xfailed))
