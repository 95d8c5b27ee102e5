"""Background work of the applications app (django-tasks; the default queue's worker runs it)."""

from django_tasks import task

from . import eligibility
from .models import Application, State


@task()
def verdicts_recompute(exam_year_id: int) -> int:
    """The year's rules changed: the verdicts of its open applications follow (资格初审 assistant).

    Applications already approved keep the verdict they were decided with; the review screen shows
    the current rules' verdict beside it."""
    rules = eligibility.rules_for(exam_year_id)
    open_ = Application.objects.filter(exam_year_id=exam_year_id).exclude(state=State.APPROVED)
    return eligibility.recompute(open_, rules)
