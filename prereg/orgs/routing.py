"""Review routing (design section 2): from a candidate's unit to the org of each stage."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from .models import CrossReviewAssignment, Org
from .stages import Stage

UNIT, POINT, SITE, DISTRICT = Stage.values


@dataclass(frozen=True)
class Chain:
    unit_review: Org
    point: Org
    site: Org
    district: Org

    def as_fields(self) -> dict:
        return {
            "unit_review_org": self.unit_review,
            "point_org": self.point,
            "site_org": self.site,
            "district_org": self.district,
        }


def unit_has_reviewers(unit: Org) -> bool:
    from prereg.accounts.models import Role

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
    stages = {
        UNIT: unit if unit_has_reviewers(unit) else point,
        POINT: point,
        SITE: nearest("is_site"),
        DISTRICT: lineage[-1] if lineage[-1].is_district else nearest("is_district"),
    }
    if exam_year is not None:
        assignments = CrossReviewAssignment.objects.filter(
            exam_year=exam_year, active=True, source__in=[o.pk for o in stages.values()]
        ).select_related("target")
        by_key = {(a.stage, a.source_id): a.target for a in assignments}
        stages = {stage: by_key.get((stage, org.pk), org) for stage, org in stages.items()}
    return Chain(unit_review=stages[UNIT], point=stages[POINT], site=stages[SITE], district=stages[DISTRICT])
