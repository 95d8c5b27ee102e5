"""The deadline of the stage being worked: on the review screen the application's stage, on the
reviewer's 工作台 and 待审信息 his role's."""

from django import template
from django.utils import timezone

from prereg.applications.models import Stage
from prereg.catalog.models import ExamYear

register = template.Library()


@register.simple_tag(takes_context=True)
def my_review_deadline(context, stage=None):
    """The current year's name, the stage's label, its deadline and days left, and the projects
    whose own deadline for the stage differs from the year's; None when there is nothing to say.

    `stage`: the stage being worked where the page knows it (an application's): a 报名点 works a unit's
    applications at 单位审查 when the unit has no reviewers of its own, and their deadline is the unit's.
    Else the signed-in reviewer's own stage: a reviewer role is its stage's value."""
    user = getattr(context.get("request"), "user", None)
    stage = stage or getattr(user, "role", None)
    field = ExamYear.STAGE_DEADLINE_FIELDS.get(stage)
    if field is None:
        return None
    # The year's deadline and its projects' own, as plain values in one query: model instances
    # of the year and its projects were a tenth of 待审信息's time (bench key queue_page_ratio).
    rows = ExamYear.objects.filter(is_current=True).values_list(
        "name", field, "projects__name", f"projects__{field}").order_by("projects__order", "projects__code")
    if not rows:
        return None
    today = timezone.localdate()
    year_name, deadline = rows[0][:2]
    projects = [{"name": name, "deadline": own, "days_left": (own - today).days}
                for _, _, name, own in rows if own is not None and own != deadline]
    if deadline is None and not projects:
        return None
    return {"year_name": year_name, "stage": Stage(stage).label, "deadline": deadline,
            "days_left": (deadline - today).days if deadline else None, "projects": projects}
