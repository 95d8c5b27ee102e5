"""The signed-in reviewer's stage deadline, shown on every back-office page."""

from django import template
from django.utils import timezone

from prereg.applications.models import Stage
from prereg.catalog.models import ExamProject, ExamYear

register = template.Library()


@register.simple_tag(takes_context=True)
def my_review_deadline(context):
    """(year, stage label, deadline, days left) for the signed-in reviewer's stage, or None."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_reviewer", False):
        return None
    if user.role not in ExamYear.STAGE_DEADLINE_FIELDS:
        return None
    # On every reviewer page: the current year's projects with their year in one query.
    year_projects = list(ExamProject.objects.filter(exam_year__is_current=True).select_related("exam_year"))
    year = year_projects[0].exam_year if year_projects else ExamYear.current()
    if year is None:
        return None
    today = timezone.localdate()
    deadline = year.review_deadline(user.role)
    # Projects with a deadline of their own for this stage, listed beside the year's.
    projects = []
    for project in year_projects:
        own = getattr(project, ExamYear.STAGE_DEADLINE_FIELDS[user.role])
        if own is not None and own != deadline:
            projects.append({"name": project.name, "deadline": own, "days_left": (own - today).days})
    if deadline is None and not projects:
        return None
    return {"year": year, "stage": Stage(user.role).label, "deadline": deadline,
            "days_left": (deadline - today).days if deadline else None, "projects": projects}
