"""Review routing (design section 2): from a candidate's unit to the org of each stage."""

from django.core.exceptions import ValidationError

from prereg.accounts.models import Role

from .models import Org
from .selectors import assigned_targets
from .stages import Stage

# The org acting at each stage, keyed by Stage in review order. An application keeps it in one
# column per stage; which column is the applications' business (applications.models.STAGE_ORG_FIELD).
Chain = dict[Stage, Org]


def unit_has_reviewers(unit: Org) -> bool:
    return unit.has_review_right and unit.users.filter(role=Role.UNIT, is_active=True).exists()


def resolve_chain(unit: Org, exam_year=None) -> Chain:
    """The four stage orgs of a unit, honouring the year's cross-review assignments."""
    lineage = unit.ancestors_and_self()  # nearest first

    def nearest(flag: str) -> Org:
        for org in lineage:
            if getattr(org, flag) and org.enabled:
                return org
        raise ValidationError(f"单位“{unit.name}”没有可用的上级审核机构，请联系报名点。")

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
