"""Submit, withdraw, progress (进度跟踪) and the confirmation form (审核确认单)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
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


# The service's own refusal (application_withdraw), for a page drawn before the reviewer acted.
WITHDRAW_REFUSED = "审核人员已开始处理，无法撤回。"


def _withdraw_too_late(application) -> str:
    """Why 撤回 from a page drawn before the application changed cannot be done, when the cause is
    a reviewer's decision (not a withdrawal or submission in another tab): said, with where it is."""
    if application.state == State.DRAFT or workflow_services.withdraw_allowed(application):
        return ""
    state = application.get_state_display()
    if application.state == State.IN_REVIEW:
        state += f"（{application.get_stage_display()}）"
    then = "如需修改，请在“填报信息”中按退回原因修改后重新提交。" if application.state == State.RETURNED else ""
    return f"{WITHDRAW_REFUSED}当前状态：{state}。{then}"


@require_POST
def withdraw(request):
    application = current_application(request.user)
    try:
        workflow_services.application_withdraw(
            actor=request.user, application_id=application.pk,
            expected_version=posted_version(request.POST.get("version")), request=request)
    except workflow_services.AlreadyHandled as stale:
        messages.error(request, _withdraw_too_late(stale.application) or STALE_PAGE_MESSAGE)
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
    windows = application.exam_year.windows(application.project)
    return render(request, "candidate/progress.html", {
        "application": application, "logs": logs, "chain": chain, "can_withdraw": workflow_services.withdraw_allowed(application),
        "may_print": may_print(request.user, application), "withdrawn": application.is_withdrawn,
        "windows": windows, "form_closed": windows.form_closes < timezone.localdate(),
    })


@require_GET
def confirmation(request):
    return confirmation_response(current_application(request.user), request)
