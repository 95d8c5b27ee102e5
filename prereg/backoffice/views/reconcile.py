"""国网名单核对: upload the 国网 roster, confirm its columns, see the lists, export one, remind.

Views fetch and authorize, then call prereg.reconcile.services; every rule lives there.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prereg.accounts.permissions import has_function
from prereg.catalog.models import ExamYear
from prereg.core.sheets import MAX_BYTES
from prereg.core.validators import is_id
from prereg.exports.columns import full_numbers_for
from prereg.notify.reminders import REMINDERS_PER_YEAR, reminder_counts
from prereg.reconcile import columns, services
from prereg.reconcile.models import DIFFERENCES, ListKind, RosterUpload, UploadStatus
from prereg.reconcile.selectors import current_upload, list_queryset

from ..access import staff_required
from .common import query_without

PER_PAGE = 50


class UploadForm(forms.Form):
    file = forms.FileField(label="国网名单文件", help_text="从国网考务管理系统导出的考生名单，xlsx、xls或CSV格式，不超过20MB。")

    def clean_file(self):
        upload_file = self.cleaned_data["file"]
        if upload_file.size > MAX_BYTES:
            raise forms.ValidationError(f"文件过大（不超过{MAX_BYTES // (1024 * 1024)}MB）。")
        return upload_file


class ListFilterForm(forms.Form):
    q = forms.CharField(label="姓名或证件号码", required=False, max_length=50)
    unit = forms.CharField(label="单位", required=False, max_length=50)
    diff = forms.ChoiceField(label="不一致项", required=False,
                             choices=[("", "全部"), *DIFFERENCES.items()])

    @property
    def filters(self) -> dict:
        """What the list is filtered by, read by the list and by its export alike: the export asked
        from a list holds the rows the list shows. An invalid form filters nothing."""
        return self.cleaned_data if self.is_valid() else {}


def describe_filters(filters: dict) -> str:
    """The export job's filter in the words of the list's page (我的导出): the list, then each filter."""
    kind = filters.get("list")
    parts = [f"名单：{ListKind(kind).label}"] if kind in ListKind.values else []
    for name, field in ListFilterForm.base_fields.items():
        if filters.get(name):
            value = filters[name]
            parts.append(f"{field.label}：{dict(field.choices).get(value, value) if name == 'diff' else value}")
    return "；".join(parts)


def _tabs(upload, active=""):
    counts = upload.counts if upload else {}
    return [{"kind": k, "label": ListKind(k).label, "count": counts.get(k, 0), "active": k == active,
             "url": f"{reverse('backoffice:reconcile_list')}?list={k}"} for k in ListKind.values]


@require_http_methods(["GET", "POST"])
@staff_required(services.FUNCTION)
def home(request):
    org = services.org_of(request.user)
    year = ExamYear.current()
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            services.roster_upload(actor=request.user, file_name=upload_file.name, content=upload_file.read(),
                                   request=request)
        except ValidationError as exc:
            form.add_error("file", "；".join(exc.messages))
        else:
            return redirect("backoffice:reconcile_mapping")
    upload = current_upload(org, year)
    pending = RosterUpload.objects.filter(org=org, status=UploadStatus.PENDING).first()
    history = (RosterUpload.objects.filter(org=org).exclude(status=UploadStatus.PENDING)
               .select_related("uploaded_by", "exam_year")[:10])
    return render(request, "backoffice/reconcile/home.html", {
        "year": year, "upload": upload, "pending": pending, "form": form, "tabs": _tabs(upload),
        "history": history, "org": org,
    }, status=400 if request.method == "POST" else 200)


class MappingForm(forms.Form):
    def __init__(self, *args, header=(), initial_mapping=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "（无此列）")] + [(str(i), text or f"第{i + 1}列") for i, text in enumerate(header)]
        by_text = {text: str(i) for i, text in reversed(list(enumerate(header)))}
        for f in columns.FIELDS:
            self.fields[f.key] = forms.ChoiceField(
                label=f"{f.label}（必需）" if f.required else f.label, choices=choices, required=False,
                initial=by_text.get((initial_mapping or {}).get(f.key), ""))


@require_http_methods(["GET", "POST"])
@staff_required(services.FUNCTION)
def mapping(request):
    org = services.org_of(request.user)
    upload = RosterUpload.objects.filter(org=org, status=UploadStatus.PENDING).first()
    if upload is None:
        messages.info(request, "请先上传国网名单。")
        return redirect("backoffice:reconcile")
    form = MappingForm(request.POST or None, header=upload.header, initial_mapping=upload.mapping)
    if request.method == "POST" and form.is_valid():
        # The upload the page showed: another upload of the org since then replaced it.
        shown = request.POST.get("upload", "")
        try:
            result = services.roster_import(actor=request.user, upload_id=int(shown) if is_id(shown) else 0,
                                            chosen=form.cleaned_data, request=request)
        except Http404:
            messages.warning(request, "该名单已被本机构重新上传的名单替换，请确认新名单的列对应。")
            return redirect("backoffice:reconcile_mapping")
        except ValidationError as exc:  # by field (clean_columns: the form's own keys), or for the whole form
            form.add_error(None, exc)
        else:
            if result.ok:
                done = result.upload
                # 范围外 as the pages word it: only the roster's 考点 column puts a line there (reconcile).
                messages.success(request, f"国网名单已导入并核对：共{done.total_rows}行，其中范围外{done.outside_rows}行"
                                          "（“考点”列为其他考点，只计数，不显示）。")
                return redirect("backoffice:reconcile")
            upload = result.upload  # its bad lines
    return render(request, "backoffice/reconcile/mapping.html", {"upload": upload, "form": form},
                  status=400 if request.method == "POST" else 200)


def _kind(params):
    kind = params.get("list", "")
    if kind not in ListKind.values:
        raise Http404("没有这个名单。")
    return kind


@require_GET
@staff_required(services.FUNCTION)
def list_view(request):
    org = services.org_of(request.user)
    kind = _kind(request.GET)
    year = ExamYear.current()
    upload = current_upload(org, year)
    if upload is None:
        messages.info(request, "请先上传国网名单。")
        return redirect("backoffice:reconcile")
    form = ListFilterForm(request.GET)
    page = Paginator(list_queryset(upload, kind, form.filters), PER_PAGE).get_page(request.GET.get("page"))
    remindable = kind in ListKind.remindable()
    if remindable:
        if kind == ListKind.ONLY_PROVINCIAL:
            people = {m.pk: (columns.normalise_id(m.application.id_number), m.application.candidate_id) for m in page}
        else:
            people = {r.pk: (r.id_number, r.candidate_id) for r in page}
        counts = reminder_counts(upload.exam_year, people.values())
        for item in page:
            item.reminded = counts[people[item.pk]]
    rest = query_without(request, "page", "list")
    return render(request, "backoffice/reconcile/list.html", {
        "page": page, "kind": kind, "label": ListKind(kind).label,
        "upload": upload, "form": form, "tabs": _tabs(upload, kind), "year": year, "limit": REMINDERS_PER_YEAR,
        # The list first: 发送提醒 returns to it.
        "query": f"list={kind}" + (f"&{rest}" if rest else ""),
        "can_remind": remindable and has_function(request.user, "send_reminders"),
        "can_export": has_function(request.user, "export_excel"), "full_numbers": full_numbers_for(request.user),
        # The filter the list applies (none of an invalid form): its export posts it back.
        "export_filters": [(name, value) for name, value in form.filters.items() if value],
    })


@require_http_methods(["GET", "POST"])
@staff_required(services.FUNCTION)
def export(request):
    """导出本列表: a background job (exports), then the exports page, where it is downloaded.

    A GET (a link or bookmark of when the file came in the response) goes back to its list."""
    services.org_of(request.user)
    params = request.POST if request.method == "POST" else request.GET
    kind = _kind(params)
    form = ListFilterForm(params)
    filters = {name: value for name, value in form.filters.items() if value}
    back = f"{reverse('backoffice:reconcile_list')}?" + urlencode({"list": kind, **filters})
    if request.method == "GET":
        messages.info(request, "导出在后台生成：请点击列表上方的“导出本列表”按钮。")
        return redirect(back)
    try:
        job = services.roster_export_request(
            actor=request.user, kind=kind, filters=filters,
            fmt="csv" if request.POST.get("format") == "csv" else "xlsx", full_numbers=request.POST.get("full") == "1",
            request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(back)
    messages.success(request, f"已开始导出“{ListKind(kind).label}”名单（任务号 {job.pk}），生成后在下方“我的导出”中下载；"
                              "可离开本页，稍后回到“考生信息导出”下载。")
    return redirect("backoffice:exports")


@require_POST
@staff_required(services.FUNCTION)
def remind(request):
    services.org_of(request.user)
    kind = _kind(request.POST)
    try:
        shown = request.POST.get("upload", "")
        result = services.roster_remind(actor=request.user, kind=kind, keys=request.POST.getlist("ids"),
                                        expected_upload=int(shown) if is_id(shown) else None, request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except ValueError:
        messages.error(request, "选择的考生有误。")
    else:
        messages.success(request, f"已发送提醒短信 {result['sent']} 条。")
        for reason in result["skipped"][:20]:
            messages.warning(request, f"未发送：{reason}")
    query = request.POST.get("query", "")
    return redirect(f"{reverse('backoffice:reconcile_list')}?{query if query.startswith('list=') else f'list={kind}'}")
