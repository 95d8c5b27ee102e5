"""考生信息导出: ask for an export, watch its progress, download it; and 提醒考生."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prereg.accounts.permissions import has_function
from prereg.applications.models import Application
from prereg.applications.selectors import get_application_for
from prereg.catalog.models import ExamYear
from prereg.core.validators import is_digits
from prereg.exports import runner, services
from prereg.exports.columns import full_numbers_for, may_export_images
from prereg.exports.models import ColumnSet, ExportFormat, ExportJob, ExportKind
from prereg.notify.reminders import REMINDERS_PER_YEAR, reminder_counts
from prereg.orgs.models import Org
from prereg.orgs.search import search_orgs

from ..access import staff_required
from ..filters import SEARCH_FIELD, ApplicationFilterForm, describe
from .reconcile import describe_filters as describe_list_filters

RECENT_JOBS = 20


# The kinds asked for on this page; a list of 国网名单核对 is asked for on the list (reconcile.export).
PAGE_KINDS = [(value, label) for value, label in ExportKind.choices if value != ExportKind.RECONCILE]


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label="导出内容", choices=PAGE_KINDS, initial=ExportKind.APPLICATIONS,
                             widget=forms.RadioSelect)
    format = forms.ChoiceField(label="文件格式", initial=ExportFormat.XLSX,
                               choices=[(ExportFormat.XLSX, "Excel (xlsx)"), (ExportFormat.CSV, "CSV")])
    columns = forms.ChoiceField(label="导出列", choices=ColumnSet.choices, initial=ColumnSet.ROSTER,
                                help_text="花名册：核对纸质材料用；完整信息：全部填报内容；资格审核：学历、资格与年限。")

    full_numbers = forms.BooleanField(
        label="本次导出完整的证件号码和手机号码", required=False,
        help_text="默认脱敏导出；仅在现场确认等确需核对完整号码时勾选，本次导出将记入审计日志。")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not full_numbers_for(user):
            del self.fields["full_numbers"]
        hidden = {kind for kind, allowed in ((ExportKind.CONFIRMATIONS, has_function(user, "print_confirmation")),
                                             (ExportKind.IMAGES, may_export_images(user))) if not allowed}
        self.fields["kind"].choices = [c for c in PAGE_KINDS if c[0] not in hidden]


def _filter_text(job) -> str:
    return describe_list_filters(job.filters) if job.kind == ExportKind.RECONCILE else describe(job.filters)


# What a job's row_count counts, by kind (prereg.exports.runner's writers): a table its rows (one per
# application; a 国网名单核对 list, its roster's rows), the merged PDF its forms, the zip its image files.
COUNT_UNITS = {ExportKind.APPLICATIONS: "条报名信息", ExportKind.CONFIRMATIONS: "份确认单",
               ExportKind.IMAGES: "张图片", ExportKind.RECONCILE: "行"}


def _for_table(job):
    """The job as a row of 我的导出 shows it: its filter and its count in words."""
    job.filter_text = _filter_text(job)
    job.count_text = "" if job.row_count is None else f"{job.row_count}{COUNT_UNITS.get(job.kind, '行')}"
    return job


def _page(request, export_form, filter_form, status=200):
    runner.abandon_stale(owner=request.user)
    jobs = list(ExportJob.objects.filter(owner=request.user)[:RECENT_JOBS])
    for job in jobs:
        _for_table(job)
    offered = {kind for kind, _label in export_form.fields["kind"].choices}  # the help of the kinds offered only
    return render(request, "backoffice/exports/index.html", {
        "export_form": export_form, "filter_form": filter_form, "jobs": jobs,
        "full_numbers": full_numbers_for(request.user), "offers_confirmations": ExportKind.CONFIRMATIONS in offered,
        "offers_images": ExportKind.IMAGES in offered,
        "ttl_hours": int(runner.ttl().total_seconds() // 3600),
    }, status=status)


@require_GET
@staff_required("export_excel")
def exports(request):
    """The page: the filter of the list the user came from (query string), and his jobs."""
    initial = {} if "year" in request.GET else {"year": ExamYear.current()}
    filter_form = ApplicationFilterForm(request.GET or None, user=request.user, initial=initial)
    return _page(request, ExportForm(user=request.user), filter_form)


@require_GET
@staff_required()
def org_search(request):
    """Suggestions for the filter's 单位 box (考生信息导出, 待审信息): orgs of the user's own subtree
    whose names match."""
    if not (has_function(request.user, "export_excel") or has_function(request.user, "review")):
        raise PermissionDenied("您没有“考生信息Excel导出”或“审核”的权限。")
    query = (request.GET.get(SEARCH_FIELD) or "").strip()[:50]
    orgs = list(search_orgs(query, Org.objects.visible_to(request.user))) if query else []
    return render(request, "backoffice/exports/_org_results.html", {"orgs": orgs, "query": query})


@require_POST
@staff_required("export_excel")
def export_create(request):
    export_form = ExportForm(request.POST, user=request.user)
    filter_form = ApplicationFilterForm(request.POST, user=request.user)
    if not (export_form.is_valid() and filter_form.is_valid()):
        return _page(request, export_form, filter_form, status=400)
    kind = export_form.cleaned_data["kind"]
    fmt = export_form.cleaned_data["format"] if kind == ExportKind.APPLICATIONS else ""
    try:
        job = services.export_request(actor=request.user, kind=kind, format=fmt,
                                      columns=export_form.cleaned_data["columns"], filters=filter_form.as_json(),
                                      full_numbers=export_form.cleaned_data.get("full_numbers", False),
                                      request=request)
    except ValidationError as exc:
        export_form.add_error(None, exc)
        return _page(request, export_form, filter_form, status=400)
    messages.success(request, f"已开始生成（任务号 {job.pk}），可离开本页，稍后回到“考生信息导出”下载。")
    return redirect("backoffice:exports")


@require_POST
@staff_required("export_excel")
def export_application_images(request, pk):
    """A zip of one application's images (the review screen can post here)."""
    application = get_application_for(request.user, pk)
    try:
        services.export_request(actor=request.user, kind=ExportKind.IMAGES, filters={"ids": [application.pk]},
                                request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"正在打包 {application.name} 的证件图片，完成后在本页下载。")
    return redirect("backoffice:exports")


@require_GET
@staff_required("export_excel")
def export_status(request, pk):
    """One row of the jobs table; htmx polls it while the job runs."""
    runner.abandon_stale(owner=request.user)  # a job whose worker died shows as failed, and stops the polling
    job = _for_table(services.job_for(request.user, pk))
    return render(request, "backoffice/exports/_job.html", {"job": job})


@require_GET
@staff_required("export_excel")
def export_download(request, pk):
    try:
        job, opened = services.export_download(actor=request.user, job_id=pk, request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("backoffice:exports")
    # Kept out of every cache by the middleware's no-store for signed-in pages.
    return FileResponse(opened, as_attachment=True, filename=job.file_name or f"export-{job.pk}.{job.format}")


@require_POST
@staff_required("export_excel")
def export_delete(request, pk):
    try:
        services.export_delete(actor=request.user, job_id=pk, request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已删除。")
    return redirect("backoffice:exports")


# --- 提醒考生 ------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@staff_required("send_reminders")
def reminders(request):
    year = ExamYear.current()
    if request.method == "POST":
        try:
            result = services.reminder_send(actor=request.user, application_ids=request.POST.getlist("ids"),
                                            request=request)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        except ValueError:
            messages.error(request, "选择的考生有误。")
        else:
            messages.success(request, f"已发送提醒短信 {result['sent']} 条。")
            for _pk, reason in result["skipped"][:20]:
                messages.warning(request, f"未发送：{reason}")
        return redirect(reverse("backoffice:reminders") + (f"?page={request.GET['page']}"
                                                           if is_digits(request.GET.get("page", "")) else ""))
    rows = services.reminder_candidates(request.user, year) if year else Application.objects.none()
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    # Each row's reminders this year, counted as sending counts them (reminder_send).
    counts = reminder_counts(year, [(a.id_number, a.candidate_id) for a in page]) if year else {}
    for application in page:
        application.reminder_count = counts[application.id_number, application.candidate_id]
    return render(request, "backoffice/exports/reminders.html", {
        "page": page, "year": year, "limit": REMINDERS_PER_YEAR,
        "window_open": bool(year and year.form_is_open()),
        "unattributed": services.unattributed_draft_count(request.user, year) if year else None,
    })
