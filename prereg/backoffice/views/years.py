"""年度与字典, 通知公告, the new year's password sheets and the manuals as pages.

The 考区 (configure_roles) manages years, dictionaries and notices; every reviewer reads the
password sheet his org holds, once. Rules live in prereg.catalog.services.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prereg.accounts.models import Role
from prereg.applications.tasks import verdicts_recompute
from prereg.catalog import importers, markup, services
from prereg.catalog.forms import (
    AnnouncementForm,
    EntryForm,
    ImportForm,
    ProjectForm,
    ProjectWindowsForm,
    WindowsForm,
    YearOpenForm,
)
from prereg.catalog.models import (
    Announcement,
    EligibilityRule,
    ExamProject,
    ExamYear,
    PasswordSheet,
    Specialty,
)
from prereg.core.forms import add_service_errors
from prereg.core.versions import page_version, posted_version

from ..access import staff_required
from .common import CSV, attachment, sheet_download, stamped

MANAGE = services.MANAGE
PAGE_SIZE = 100


# ---------------------------------------------------------------- years

@require_GET
@staff_required(MANAGE)
def year_list(request):
    years = ExamYear.objects.prefetch_related("projects")
    return render(request, "backoffice/years/list.html", {"years": years})


@require_http_methods(["GET", "POST"])
@staff_required(MANAGE)
def year_open(request):
    form = YearOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "confirm"}
        try:
            year = services.exam_year_open(actor=request.user, request=request, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{year.name}已开启并设为当前年度；已复制上一年度字典和资格规则，审核账号密码已重置，"
                                      "各机构管理员可在“新年度账号密码”中查看下级账号的新密码（仅显示一次）。")
            return redirect("backoffice:year_detail", pk=year.pk)
    # Said before anything is typed; a post refused for it says it again at the top of the form.
    refusals = services.year_open_refusals(services.year_to_follow()) if request.method == "GET" else []
    return render(request, "backoffice/years/open.html", {"form": form, "refusals": refusals})


def _catalogue_counts(year):
    return [(kind, label, model.objects.filter(exam_year=year).count(),
             model.objects.filter(exam_year=year, enabled=True).count())
            for kind, (model, label) in services.ENTRY_MODELS.items()]


def _saved(form, service, **arguments):
    """What `service` saved from the form if it is valid, else None; what the service refuses
    becomes the form's errors."""
    if not form.is_valid():
        return None
    try:
        return service(**arguments, **form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


def _detail(request, year, *, form=None, import_form=None, import_result=None, project_form=None, status=200):
    return render(request, "backoffice/years/detail.html", {
        "year": year, "form": form or WindowsForm(instance=year),
        # The windows form's version: the one it was loaded with when it comes back with errors.
        "version": page_version(request, year) if form else year.version,
        "import_form": import_form or ImportForm(), "import_result": import_result,
        "project_form": project_form or ProjectForm(), "counts": _catalogue_counts(year),
        "projects": year.projects.all(),
        "unverified": Specialty.objects.filter(exam_year=year, verified=False).count(),
    }, status=status)


@require_http_methods(["GET", "POST"])
@staff_required(MANAGE)
def year_detail(request, pk):
    year = get_object_or_404(ExamYear, pk=pk)
    if request.method == "GET":
        return _detail(request, year)
    form = WindowsForm(request.POST, instance=ExamYear.objects.get(pk=pk))
    if _saved(form, services.exam_year_update, actor=request.user, exam_year_id=year.pk, request=request,
              expected_version=posted_version(request.POST.get("version"))):
        if "cutoff_date" in form.changed_data:
            # Years count to the cut-off: open applications' verdicts follow it, as they follow a rules import.
            verdicts_recompute.enqueue(year.pk)
            messages.success(request, "年度时间设置已保存。资格计算截止日期已改，未审结的报名信息将在后台重新判定。")
        else:
            messages.success(request, "年度时间设置已保存。")
        return redirect("backoffice:year_detail", pk=year.pk)
    return _detail(request, year, form=form, status=400)


@require_POST
@staff_required(MANAGE)
def year_project_add(request, pk):
    year = get_object_or_404(ExamYear, pk=pk)
    form = ProjectForm(request.POST)
    if _saved(form, services.exam_project_add, actor=request.user, exam_year_id=year.pk, request=request):
        messages.success(request, "考试项目已添加。")
        return redirect("backoffice:year_detail", pk=year.pk)
    return _detail(request, year, project_form=form, status=400)


@require_http_methods(["GET", "POST"])
@staff_required(MANAGE)
def year_project_edit(request, pk, project_id):
    """A project's own windows: blank dates are the year's."""
    year = get_object_or_404(ExamYear, pk=pk)
    project = get_object_or_404(ExamProject, pk=project_id, exam_year=year)
    form = ProjectWindowsForm(request.POST or None, instance=ExamProject.objects.get(pk=project.pk))
    if request.method == "POST" and _saved(form, services.exam_project_update, actor=request.user,
                                           project_id=project.pk, request=request,
                                           expected_version=posted_version(request.POST.get("version"))):
        messages.success(request, f"“{form.cleaned_data['name']}”的时间设置已保存。")
        return redirect("backoffice:year_detail", pk=year.pk)
    return render(request, "backoffice/years/project_edit.html",
                  {"year": year, "project": project, "form": form, "windows": year.windows(project),
                   "version": page_version(request, project)},
                  status=400 if request.method == "POST" else 200)


@require_GET
@staff_required(MANAGE)
def year_catalogue_download(request, pk):
    """The year's catalogue in the import format (an example when it is empty): the template."""
    year = get_object_or_404(ExamYear, pk=pk)
    rows = importers.catalogue_rows(year) or importers.EXAMPLE_ROWS
    return sheet_download(request, rows, importers.catalogue_csv, importers.catalogue_xlsx,
                          stamped("字典", f"{year.year}年度"))


@require_POST
@staff_required(MANAGE)
def year_catalogue_import(request, pk):
    year = get_object_or_404(ExamYear, pk=pk)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, year, import_form=form, status=400)
    upload = form.cleaned_data["file"]
    result = services.catalogue_import(actor=request.user, exam_year_id=year.pk, filename=upload.name,
                                       content=upload.read(), request=request)
    if not result.ok:
        return _detail(request, year, import_form=form, import_result=result, status=400)
    # The verdicts read the entries' names (a renamed 申报专业 may leave a rule's): open applications follow.
    verdicts_recompute.enqueue(year.pk)
    messages.success(request, f"导入成功：共{result.rows}行，新增{result.created}条，更新{result.updated}条，"
                              f"停用{result.disabled}条（文件中没有的条目）。未审结的报名信息将在后台重新判定资格。")
    return redirect("backoffice:year_detail", pk=year.pk)


def _entry_model(kind):
    if kind not in services.ENTRY_MODELS:
        raise Http404("未知的字典类型。")
    return services.ENTRY_MODELS[kind]


@require_GET
@staff_required(MANAGE)
def year_entries(request, pk, kind):
    year = get_object_or_404(ExamYear, pk=pk)
    model, label = _entry_model(kind)
    entries = model.objects.filter(exam_year=year)
    q = request.GET.get("q", "").strip()
    if q:
        entries = entries.filter(name__contains=q)
    page = Paginator(entries.order_by("order", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    # 申报专业 not yet checked against the official 专业目录 are marked 待核实, with their count.
    unverified = Specialty.objects.filter(exam_year=year, verified=False).count() if model is Specialty else None
    return render(request, "backoffice/years/entries.html",
                  {"year": year, "kind": kind, "label": label, "page": page, "q": q, "unverified": unverified})


@require_http_methods(["GET", "POST"])
@staff_required(MANAGE)
def year_entry_edit(request, pk, kind, entry_id):
    year = get_object_or_404(ExamYear, pk=pk)
    model, label = _entry_model(kind)
    entry = get_object_or_404(model, pk=entry_id, exam_year=year)
    initial = {"name": entry.name, "code": entry.code, "order": entry.order, "enabled": entry.enabled}
    form = EntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and _saved(form, services.catalogue_entry_update, actor=request.user, kind=kind,
                                           entry_id=entry.pk, request=request,
                                           expected_version=posted_version(request.POST.get("version"))):
        if "name" in form.changed_data:  # the verdicts read the names, as after an import
            verdicts_recompute.enqueue(year.pk)
            messages.success(request, f"已保存“{form.cleaned_data['name']}”。未审结的报名信息将在后台重新判定资格。")
        else:
            messages.success(request, f"已保存“{form.cleaned_data['name']}”。")
        return redirect("backoffice:year_entries", pk=year.pk, kind=kind)
    return render(request, "backoffice/years/entry_edit.html",
                  {"year": year, "kind": kind, "label": label, "entry": entry, "form": form,
                   "version": page_version(request, entry)},
                  status=400 if request.method == "POST" else 200)


# ---------------------------------------------------------------- password sheets

@require_GET
@staff_required()
def password_sheets(request):
    if not (request.user.is_reviewer or request.user.role == Role.SYSADMIN):
        raise PermissionDenied("新年度账号密码由各审核机构的管理员查看。")
    return render(request, "backoffice/years/passwords.html", {"sheets": services.sheets_for(request.user)})


@never_cache
@require_POST
@staff_required()
def password_sheet_reveal(request, pk):
    sheet = get_object_or_404(PasswordSheet, pk=pk)
    try:
        entries = services.password_sheet_reveal(actor=request.user, sheet_id=sheet.pk, request=request)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("backoffice:year_passwords")
    return render(request, "backoffice/years/password_sheet.html", {"sheet": sheet, "entries": entries})


# ---------------------------------------------------------------- notices

@require_GET
@staff_required(MANAGE)
def announcement_list(request):
    page = Paginator(Announcement.objects.select_related("exam_year", "created_by"), 30).get_page(
        request.GET.get("page"))
    return render(request, "backoffice/years/announcements.html", {"page": page})


@require_http_methods(["GET", "POST"])
@staff_required(MANAGE)
def announcement_edit(request, pk=None):
    announcement = get_object_or_404(Announcement, pk=pk) if pk else None
    form = AnnouncementForm(request.POST or None, instance=announcement,
                            initial={} if announcement else {"exam_year": ExamYear.current()})
    saved = request.method == "POST" and _saved(
        form, services.announcement_save, actor=request.user, announcement_id=pk, request=request,
        expected_version=posted_version(request.POST.get("version")) if announcement else None)
    if saved:
        if "publish" in request.POST and not saved.is_published:
            services.announcement_publish(actor=request.user, announcement_id=saved.pk, request=request)
            messages.success(request, f"已发布“{saved.title}”。")
        else:
            messages.success(request, f"已保存“{saved.title}”。")
        return redirect("backoffice:announcements")
    preview = markup.render(announcement.body) if announcement else None
    return render(request, "backoffice/years/announcement_edit.html",
                  {"form": form, "announcement": announcement, "preview": preview,
                   "version": page_version(request, announcement) if announcement else None},
                  status=400 if request.method == "POST" else 200)


@require_POST
@staff_required(MANAGE)
def announcement_publish(request, pk):
    announcement = get_object_or_404(Announcement, pk=pk)
    publish = request.POST.get("publish") == "1"
    try:
        services.announcement_publish(actor=request.user, announcement_id=announcement.pk, publish=publish,
                                      expected_version=posted_version(request.POST.get("version")), request=request)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"已{'发布' if publish else '撤回'}“{announcement.title}”。")
    return redirect("backoffice:announcements")


# ---------------------------------------------------------------- manuals

@require_GET
def manual(request, which):
    """The manuals as pages: the reviewer manual for staff, the candidate manual for everyone."""
    if which not in markup.MANUALS:
        raise Http404("没有该手册。")
    user = request.user
    if which == "reviewer" and not (user.is_reviewer or user.role == Role.SYSADMIN):
        raise PermissionDenied("审核操作手册仅供审核及管理人员查看。")
    title, html = markup.manual(which)
    layout = "layouts/candidate.html" if user.is_candidate else "layouts/backoffice.html"
    return render(request, "backoffice/years/manual.html", {"title": title, "html": html, "layout": layout})


# ---------------------------------------------------------------- 资格规则

@require_http_methods(["GET", "POST"])
@staff_required(MANAGE)
def year_rules(request, pk):
    """The year's 资格规则 (the tables the 资格初审 assistant applies): shown, downloaded, replaced by import."""
    year = get_object_or_404(ExamYear, pk=pk)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    result = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        result = services.eligibility_rules_import(actor=request.user, exam_year_id=year.pk, filename=upload.name,
                                                   content=upload.read(), request=request)
        if result.ok:
            # Open applications follow the new rules; decided ones keep the verdict they were decided with.
            verdicts_recompute.enqueue(year.pk)
            messages.success(request, f"资格规则已更新：共{result.created}条。未审结的报名信息将在后台按新规则重新判定。")
            return redirect("backoffice:year_rules", pk=year.pk)
    if request.GET.get("download"):
        return attachment(services.eligibility_rules_file(year), f"{stamped('资格规则', f'{year.year}年度')}.csv", CSV)
    return render(request, "backoffice/years/rules.html", {
        "year": year, "rules": EligibilityRule.objects.filter(exam_year=year), "import_form": form,
        "import_result": result}, status=400 if request.method == "POST" else 200)
