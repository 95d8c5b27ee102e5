"""Review routing (design section 2): from a candidate's unit to the org of each stage."""

from types import SimpleNamespace

from django.core.exceptions import ValidationError

from prereg.accounts.models import Role

from .models import Level, Org
from .selectors import assigned_targets
from .stages import Stage

# The org acting at each stage, keyed by Stage in review order. An application keeps it in one
# column per stage; which column is the applications' business (applications.models.STAGE_ORG_FIELD).
Chain = dict[Stage, Org]


# The levels a unit's candidates need above them, each found at its nearest enabled holder.
ROUTED_LEVELS = {"is_point": Level.POINT, "is_site": Level.SITE, "is_district": Level.DISTRICT}


def nearest_holder(lineage, flag: str):
    """The nearest enabled org of `lineage` (an org and its ancestors, nearest first) holding the
    level `flag`: the org of that level's stage."""
    return next((org for org in lineage if getattr(org, flag) and org.enabled), None)


def routing_gap(lineage) -> str:
    """The one rule of where a unit may sit: "" when `lineage` (the unit and its ancestors, nearest
    first; Org rows or the import's rows alike) holds an enabled 报名点, 考点 and 考区, else what is
    missing. A unit without them can never be submitted for (resolve_chain raises), so org_create,
    org_update and the import refuse to leave an enabled unit (or 报名点) so."""
    missing = [level.label for flag, level in ROUTED_LEVELS.items() if nearest_holder(lineage, flag) is None]
    return f"向上找不到{'、'.join(missing)}（或已禁用）" if missing else ""


def needs_route(org) -> bool:
    """Whether routing_gap applies to `org`: an enabled unit (candidates choose it) or 报名点."""
    return org.enabled and (org.is_unit or org.is_point)


def unroutable_below(org: Org) -> list[tuple[str, str]]:
    """(name, routing_gap) of each org at or below `org`, as the tree stands now, that needs a route
    and has none: what a move or a change of levels would leave behind (org_update asks after saving)."""
    lineages = {org.parent_id: org.parent.ancestors_and_self() if org.parent_id else []}
    stuck = []
    for values in Org.objects.subtree_of(org).order_by("depth", "code").values(
            "pk", "parent_id", "name", "enabled", *ROUTED_LEVELS, "is_unit"):
        node = SimpleNamespace(**values)
        lineage = lineages[node.pk] = [node, *lineages.get(node.parent_id, [])]
        if needs_route(node) and (gap := routing_gap(lineage)):
            stuck.append((node.name, gap))
    return stuck


def unit_has_reviewers(unit: Org) -> bool:
    return unit.has_review_right and unit.users.filter(role=Role.UNIT, is_active=True).exists()


def resolve_chain(unit: Org, exam_year=None) -> Chain:
    """The four stage orgs of a unit, honouring the year's cross-review assignments."""
    lineage = unit.ancestors_and_self()  # nearest first

    def nearest(flag: str) -> Org:
        org = nearest_holder(lineage, flag)
        if org is None:
            raise ValidationError(f"单位“{unit.name}”没有可用的上级审核机构，请联系报名点。")
        return org

    point = nearest("is_point")
    chain = {
        Stage.UNIT_REVIEW: unit if unit_has_reviewers(unit) else point,
        Stage.POINT_CONFIRM: point,
        Stage.SITE_REVIEW: nearest("is_site"),
        Stage.DISTRICT_RECHECK: lineage[-1] if lineage[-1].is_district else nearest("is_district"),
    }
    if exam_year is not None:
        targets = assigned_targets(exam_year, [org.pk for org in chain.values()])
        chain = {stage: targets.get((stage, org.pk), org) for stage, org in chain.items()}
    return chain
