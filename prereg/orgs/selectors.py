"""交叉审核 (cross review, design section 2) read in one place: which orgs may be assigned, what an
assignment changes in a unit's chain, which subtrees an org reviews by assignment, and which
assignments an org's assigner sees and may revoke.

The acts (cross_review_assign, cross_review_revoke) are in services.py and routing.resolve_chain
applies the assignments; both ask here, as do the back office and the reminders of exports.
"""

from django.db.models import Q, QuerySet

from prereg.accounts.models import User

from .models import CrossReviewAssignment, Org
from .stages import Stage

# The stages an assigner may hand over, each with the levels of which the org taking it must hold
# one. 考区复核 is the district's alone and is never handed over.
STAGE_TARGET_LEVEL = {Stage.UNIT_REVIEW: ("is_unit", "is_point"), Stage.POINT_CONFIRM: ("is_point",),
                      Stage.SITE_REVIEW: ("is_site",)}


def assignable_orgs(org: Org) -> QuerySet[Org]:
    """The orgs an assigner of `org` may name as source or target: the enabled reviewing orgs of
    its subtree (考点, 报名点, units given the review right). The page offers these, and
    cross_review_assign accepts no other."""
    return (Org.objects.subtree_of(org)
            .filter(Q(is_site=True) | Q(is_point=True) | Q(has_review_right=True), enabled=True).order_by("path"))


def staffed_ids(orgs) -> set[int]:
    """The ids of those of `orgs` with an active reviewer account: only these may take a stage by
    assignment, the applications it hands over waiting where someone can sign in (race probe). The
    page marks the others among its targets and refuses them at the field; cross_review_assign
    refuses them too (unstaffed_refusal)."""
    return set(User.objects.active_reviewers().filter(org__in=orgs).values_list("org", flat=True))


def unstaffed_refusal(target: Org) -> str:
    """Why `target` may not take a stage by assignment for want of an active reviewer account, or ""."""
    if target.pk in staffed_ids([target.pk]):
        return ""
    return f"“{target.name}”没有可用的审核账号，不能作为交叉审核机构：请先启用或新增该机构的审核账号。"


def can_take(target: Org, stage: Stage) -> bool:
    """Whether `target` holds a level that does `stage` (STAGE_TARGET_LEVEL)."""
    return any(getattr(target, flag) for flag in STAGE_TARGET_LEVEL.get(stage, ()))


def decided_above(org: Org, stage: str, source_id: int) -> bool:
    """Whether handing over `source`'s `stage` is not for an assigner of `org` but for the org
    above it: its own 考点审核, which it would otherwise hand away from itself."""
    return stage == Stage.SITE_REVIEW and source_id == org.pk


def assigned_targets(exam_year, source_ids) -> dict[tuple[str, int], Org]:
    """(stage, source id) -> the org doing that stage in the source's place in `exam_year`."""
    assignments = (CrossReviewAssignment.objects.filter(exam_year=exam_year, active=True, source__in=source_ids)
                   .select_related("target"))
    return {(a.stage, a.source_id): a.target for a in assignments}


def reviewed_subtree_paths(org: Org, exam_year) -> list[str]:
    """The paths of the subtrees some stage of which `org` may do in `exam_year`: its own, and that
    of each org a stage of which is assigned to it. A unit below none of them never routes to
    `org`; one below them may (routing.resolve_chain tells)."""
    sources = CrossReviewAssignment.objects.filter(exam_year=exam_year, active=True, target=org)
    return [org.path, *sources.values_list("source__path", flat=True)]


def assigned_to(org: Org) -> set[tuple[int, str, str]]:
    """(exam year id, stage, source path) of each assignment that ever handed a stage to `org`,
    revoked since or not: what reviews_by_assignment asks, once for a page of rows."""
    return set(CrossReviewAssignment.objects.filter(target=org).values_list("exam_year_id", "stage", "source__path"))


def reviews_by_assignment(assigned: set[tuple[int, str, str]], exam_year_id: int, stage: str, unit_path: str) -> bool:
    """Whether an org acts at `stage` on an application of the unit at `unit_path` by a cross-review
    assignment (`assigned`: assigned_to(org)): the stage's own org for a unit is always the unit or
    above it, so one of the org's assignments of that year and stage has its source there. Revoked
    ones count: an application routed by one keeps its chain."""
    return any(year == exam_year_id and kind == stage and unit_path.startswith(path)
               for year, kind, path in assigned)


def assignments_over(org: Org, exam_year) -> QuerySet[CrossReviewAssignment]:
    """The active assignments of `exam_year` that hand over a stage of an org of `org`'s subtree,
    whoever made them: what its assigner is shown."""
    return CrossReviewAssignment.objects.filter(exam_year=exam_year, active=True, source__path__startswith=org.path)


def assignments_within(org: Org) -> QuerySet[CrossReviewAssignment]:
    """The assignments (of any year, active or revoked since) between two orgs of `org`'s subtree,
    enabled or not (an org disabled since keeps its assignment revocable). Of these an assigner of
    `org` may revoke those not decided_above it."""
    subtree = Org.objects.subtree_of(org)
    return CrossReviewAssignment.objects.filter(source__in=subtree, target__in=subtree)


def may_revoke(org: Org, assignment: CrossReviewAssignment) -> bool:
    """Whether an assigner of `org` may revoke `assignment` (if it is still active): one within its
    subtree, not decided above it (what it could have assigned itself). The page's 取消分配 and
    cross_review_revoke ask it."""
    return (not decided_above(org, assignment.stage, assignment.source_id)
            and assignments_within(org).filter(pk=assignment.pk).exists())
