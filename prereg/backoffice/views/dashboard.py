from django.shortcuts import render
from django.views.decorators.http import require_GET

from prereg.accounts.permissions import has_function
from prereg.applications.selectors import applications_for
from prereg.catalog.models import ExamYear
from prereg.exports import stats

from ..access import staff_required


@require_GET
@staff_required()
def dashboard(request):
    """工作台: what waits for me, the current year's progress over my scope, my stage's deadline."""
    user = request.user
    # 待审信息's own count: the one list selector, so the figure is the queue page's.
    pending = applications_for(user, {"waiting": True}).count() if user.is_reviewer and user.org_id else None
    year = ExamYear.current()
    # The figures of 进度跟踪's head (its aggregate queries, bench key stats_ms), for those who may
    # open it: the overview each level looks at first during the window.
    progress = stats.compute(user, exam_year=year) if year and has_function(user, "track_progress") else None
    return render(request, "backoffice/dashboard.html", {
        "pending_count": pending, "year": year, "progress": progress, "has_org": bool(user.org_id)})
