"""Background work of the applications app (django-tasks; the default queue's worker runs it)."""

from django_tasks import task

from prereg.catalog.models import ExamYear

from . import eligibility
from .models import Application, State


@task()
def verdicts_recompute(exam_year_id: int) -> int:
    """The year's rules changed: the verdicts of its open applications follow (资格初审 assistant).

    Applications already approved keep the verdict they were decided with; the review screen shows
    the current rules' verdict beside it. Run again as it is should its worker be lost
    (task_worker.RETRY_WHEN_LOST): the verdicts it computes twice are the same."""
    year = ExamYear.objects.get(pk=exam_year_id)
    open_ = Application.objects.filter(exam_year=year).exclude(state=State.APPROVED)
    return eligibility.recompute(year, eligibility.rules_for(year), open_)
