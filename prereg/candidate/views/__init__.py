from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from prereg.applications.completeness import missing
from prereg.applications.models import Application, State
from prereg.applications.services import withdraw_allowed
from prereg.applications.views import may_print
from prereg.catalog.models import ExamYear

from .common import may_track_progress, require_candidate


@require_GET
def home(request):
    require_candidate(request.user)
    year = ExamYear.current()
    application = (Application.objects.visible_to(request.user).filter(exam_year=year)
                   .select_related("project").first() if year else None)
    # His project's dates once he has an application (the project is chosen with it), else the year's.
    project = application.project if application else None
    windows = year.windows(project) if year else None
    # Where 进度跟踪 is withdrawn the home offers what the progress page would: 打印 and 撤回 (asked
    # only then: the withdraw check reads the review log, on the window's busiest page).
    offers = bool(application) and not may_track_progress(request.user)
    return render(request, "candidate/home.html", {
        "year": year, "application": application, "project": project, "windows": windows,
        "missing": missing(application) if application and application.state in State.editable_by_candidate() else [],
        "form_open": windows.form_is_open() if windows else False,
        # Past its end the window does not open again: the home says so, not 开放后再提交.
        "form_closed": bool(windows) and windows.form_closes < timezone.localdate(),
        "to_submit": not application or application.state in State.editable_by_candidate(),
        "may_print": offers and may_print(request.user, application),
        "can_withdraw": offers and withdraw_allowed(application),
        "withdrawn": bool(application) and application.is_withdrawn,
        # Returned or withdrawn: 我的报名 (the reason, the deadline) comes first on the page.
        "needs_action": bool(application) and (application.state == State.RETURNED or application.is_withdrawn),
    })
