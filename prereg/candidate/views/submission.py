"""Submit, withdraw, progress (进度跟踪) and the confirmation form (审核确认单)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from prereg.applications import services as workflow_services
from prereg.applications.completeness import missing
from prereg.applications.drafts import STALE_PAGE_MESSAGE
from prereg.applications.models import STAGE_ORDER, State
from prereg.applications.views import confirmation_response, may_print
from prereg.catalog.models import ExamYear
from prereg.core.versions import posted_version

from .common import current_application, may_track_progress, progress_or_home


@require_POST
def submit(request):
    application = current_application(request.user)
    try:
        workflow_services.application_submit(
            actor=request.user, application_id=application.pk, check_complete=missing,
            expected_version=posted_version(request.POST.get("version")), request=request)
    except workflow_services.AlreadyHandled as stale:
        if stale.application.state in State.editable_by_candidate():
            # Still a draft: the page was loaded before a submit and withdrawal in another tab; it is
            # refused as a section save from it would be, to be seen again first.
            messages.error(request, STALE_PAGE_MESSAGE)
            return redirect(reverse("candidate:form") + "#submit")
        # A double click or a retry: the first request did the work.
        messages.info(request, "报名信息已提交，请勿重复提交。")
        return redirect(progress_or_home(request.user))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(reverse("candidate:form") + "#submit")
    messages.success(request, "报名信息已提交，等待单位审查。请关注审核进度。")
    return redirect(progress_or_home(request.user))


@require_POST
def withdraw(request):
    application = current_application(request.user)
    try:
        workflow_services.application_withdraw(
            actor=request.user, application_id=application.pk,
            expected_version=posted_version(request.POST.get("version")), request=request)
    except workflow_services.AlreadyHandled:
        messages.error(request, STALE_PAGE_MESSAGE)
        return redirect(progress_or_home(request.user))
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(progress_or_home(request.user))
    messages.success(request, "已撤回，可以修改后重新提交。")
    return redirect("candidate:form")


@require_GET
def progress(request):
    if not may_track_progress(request.user):
        raise PermissionDenied("您没有“进度跟踪”的权限。")
    try:
        application = current_application(request.user)
    except Http404 as missing_application:
        # Not a dead end: the menu offers this page before anything was filled in.
        return render(request, "candidate/progress.html",
                      {"missing": str(missing_application), "may_start": ExamYear.current() is not None})
    logs = application.review_logs.select_related("org").order_by("created_at", "pk")
    chain = [{"stage": stage, "org": application.org_at(stage),
              "current": application.state == State.IN_REVIEW and application.stage == stage}
             for stage in STAGE_ORDER]
    return render(request, "candidate/progress.html", {
        "application": application, "logs": logs, "chain": chain, "can_withdraw": workflow_services.withdraw_allowed(application),
        "may_print": may_print(request.user, application),
    })


@require_GET
def confirmation(request):
    return confirmation_response(current_application(request.user), request)
