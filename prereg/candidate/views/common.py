"""Fetch-and-authorize for the candidate's pages."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from prereg.accounts.permissions import has_function
from prereg.applications.carryover import start_application
from prereg.applications.models import Application
from prereg.catalog.models import ExamYear


def require_candidate(user):
    if not user.is_candidate:
        raise PermissionDenied("该页面仅供考生使用。")


def may_track_progress(user) -> bool:
    """进度跟踪 (配置角色权限) for the candidate: his progress page asks it, and so does every link to
    it (the templates through the role_functions filter, the same has_function)."""
    return has_function(user, "track_progress")


def progress_or_home(user) -> str:
    """Where the candidate goes after a submit or a withdrawal: his progress, or his home page (which
    then offers 打印 and 撤回 itself) where 进度跟踪 is withdrawn."""
    return "candidate:progress" if may_track_progress(user) else "candidate:home"


def current_application(user, *, create=False) -> Application:
    """The candidate's application of the current year (started on first use if `create`)."""
    require_candidate(user)
    year = ExamYear.current()
    if year is None:
        raise Http404("当前没有开放的考试年度。")
    application = (Application.objects.visible_to(user).filter(exam_year=year)
                   .select_related("level", "qualification", "category", "scope", "specialty", "unit", "project").first())
    if application is None:
        if not create:
            raise Http404("尚未填报。")
        return start_application(candidate=user, exam_year=year)
    # The same rows (visible_to gives a candidate his own): spare the form page a query for each.
    application.exam_year = year
    application.candidate = user
    return application

