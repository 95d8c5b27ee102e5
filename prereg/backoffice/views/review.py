"""The reviewer's pages: 待审信息, the review screen, 已审信息, 汇总提交, 分配交叉审核, notices.

Views fetch and authorize, then call the services in prereg.applications.services; every rule
lives there.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prereg.accounts.models import ROLE_RANK
from prereg.accounts.permissions import has_function
from prereg.applications import review, services, workflow
from prereg.applications.models import Application, ForwardBatch, ReviewLog, Stage, State
from prereg.catalog.models import ExamLevel, ExamProject, ExamYear, Specialty
from prereg.notify.models import Notice
from prereg.orgs.models import CrossReviewAssignment, Org

from ..access import staff_required

PER_PAGE = 20
LIST_COLUMNS = ("pk", "number", "name", "id_number", "state", "stage", "submitted_at", "decided_at",
                "national_marks", "awaiting_forward", "version", "unit__name", "unit__path", "specialty__name",
                "level__name", "project__name")


def _org_of(user):
    if not user.is_reviewer or not user.org_id:
        raise PermissionDenied("仅审核机构的审核人员可以使用该功能。")
    return user.org


def _page(request, queryset):
    paginator = Paginator(queryset, PER_PAGE)
    return paginator.get_page(request.GET.get("page"))


def _query_without_page(request):
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _marks(row):
    return [Stage(s).label for s, done in (row.national_marks or {}).items() if done and s in Stage.values]


# ---------------------------------------------------------------------------------------------
# 待审信息

SORTS = {"submitted": "submitted_at", "name": "name", "specialty": "specialty__name", "unit": "unit__name",
         "number": "number"}


class QueueFilter(forms.Form):
    project = forms.ModelChoiceField(label="考试项目", queryset=ExamProject.objects.none(), required=False,
                                     empty_label="全部")
    level = forms.ModelChoiceField(label="报考级别", queryset=ExamLevel.objects.none(), required=False,
                                   empty_label="全部")
    specialty = forms.ModelChoiceField(label="申报专业", queryset=Specialty.objects.none(), required=False,
                                       empty_label="全部")
    unit = forms.CharField(label="单位", required=False, max_length=50)
    submitted_from = forms.DateField(label="提交日期从", required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))
    submitted_to = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(label="姓名/证件号/报名号", required=False, max_length=30)

    def __init__(self, *args, year=None, **kwargs):
        super().__init__(*args, **kwargs)
        if year is not None:
            self.fields["project"].queryset = ExamProject.objects.filter(exam_year=year)
            self.fields["level"].queryset = ExamLevel.objects.filter(exam_year=year)
            self.fields["specialty"].queryset = Specialty.objects.filter(exam_year=year).order_by("name")

    def apply(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["project"]:
            queryset = queryset.filter(project=data["project"])
        if data["level"]:
            queryset = queryset.filter(level=data["level"])
        if data["specialty"]:
            queryset = queryset.filter(specialty=data["specialty"])
        if data["unit"]:
            queryset = queryset.filter(unit__name__contains=data["unit"].strip())
        if data["submitted_from"]:
            queryset = queryset.filter(submitted_at__date__gte=data["submitted_from"])
        if data["submitted_to"]:
            queryset = queryset.filter(submitted_at__date__lte=data["submitted_to"])
        if data["q"]:
            q = data["q"].strip()
            queryset = queryset.filter(Q(name=q) | Q(id_number=q.upper()) | Q(number=q))
        return queryset


def _sorted(request, queryset, default="submitted"):
    key = request.GET.get("sort", default)
    descending = key.startswith("-")
    column = SORTS.get(key.lstrip("-"), SORTS[default])
    return queryset.order_by(("-" if descending else "") + column, "pk"), key


@require_GET
@staff_required("review")
def pending(request):
    org = _org_of(request.user)
    year = ExamYear.current()
    form = QueueFilter(request.GET or None, year=year)
    queryset = form.apply(review.queue_for(org))
    queryset, sort = _sorted(request, queryset.select_related("unit", "specialty", "level", "project")
                             .only(*LIST_COLUMNS))
    page = _page(request, queryset)
    for row in page:
        row.marks = _marks(row)
        # Cross review: the unit lies outside my subtree, so my org does someone else's stage.
        row.cross = bool(row.unit_id and not row.unit.path.startswith(org.path))
    selects = [(name, form.fields[name].label, list(form.fields[name].queryset.values_list("pk", "name")),
                str(request.GET.get(name, ""))) for name in ("project", "level", "specialty")]
    return render(request, "backoffice/review/pending.html", {
        "form": form, "selects": selects, "page": page, "sort": sort, "query": _query_without_page(request),
        "can_batch": has_function(request.user, "batch_submit"),
    })


@require_POST
@staff_required("batch_submit")
def batch_approve(request):
    _org_of(request.user)
    items = []
    for value in request.POST.getlist("items"):
        pk, _, version = value.partition(":")
        if pk.isdigit() and version.isdigit():
            items.append((int(pk), int(version)))
    if not items:
        messages.error(request, "请先勾选要批量提交的报名信息。")
        return redirect("backoffice:pending")
    done, refused = services.batch_submit(actor=request.user, items=items, opinion=request.POST.get("opinion", ""),
                                          national_done=bool(request.POST.get("national_done")), request=request)
    if done:
        messages.success(request, f"已批量同意{len(done)}条报名信息。")
    for pk, reason in refused.items():
        messages.warning(request, f"报名信息{pk}未提交：{reason}")
    return redirect("backoffice:pending")


# ---------------------------------------------------------------------------------------------
# The review screen


def _get_visible(user, pk):
    queryset = Application.objects.visible_to(user).select_related(
        "exam_year", "unit", "specialty", "level", "qualification", "category", "scope", "ethnicity", "project",
        "unit_review_org", "point_org", "site_org", "district_org")
    return get_object_or_404(queryset, pk=pk)


def _check_context(application, decidable):
    fields = review.check_fields(application)
    if decidable:
        review.attach_checks(application, fields, application.stage)
    return fields


def _render_review(request, application, *, form_data=None, error="", status=200):
    user = request.user
    decidable = services.can_decide(user, application)
    fields = _check_context(application, decidable)
    logs = ReviewLog.objects.filter(application=application).select_related("actor", "org").order_by("created_at", "pk")
    recall_stage = services.recall_allowed(application, user.org_id) if user.org_id else None
    return render(request, "backoffice/review/review.html", {
        "a": application, "fields": fields, "decidable": decidable,
        "all_yes": review.all_consistent(fields), "mismatch": review.mismatch_reason(fields),
        "can_previous": decidable and workflow.previous_stage(application.stage) is not None,
        "eligibility": review.eligibility(application), "logs": logs, "can_recall": recall_stage is not None,
        "form_data": form_data or {}, "error": error,
        "chain": [(Stage(s).label, application.org_at(s)) for s in Stage.values],
    }, status=status)


@require_GET
@staff_required("review")
def review_detail(request, pk):
    application = _get_visible(request.user, pk)
    return _render_review(request, application)


@require_POST
@staff_required("review")
def review_check(request, pk):
    application = _get_visible(request.user, pk)
    key = request.POST.get("field", "")
    try:
        services.field_check_set(actor=request.user, application_id=application.pk, field=key,
                                 consistent=request.POST.get("consistent") == "1", request=request)
    except services.AlreadyHandled as exc:
        messages.warning(request, str(exc))
        return _htmx_redirect(request, reverse("backoffice:review", args=[pk]))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return _htmx_redirect(request, reverse("backoffice:review", args=[pk]))
    if not request.htmx:
        return redirect("backoffice:review", pk=pk)
    fields = _check_context(application, True)
    field = next(f for f in fields if f.key == key)
    return render(request, "backoffice/review/_field_checked.html", {
        "a": application, "f": field, "decidable": True, "all_yes": review.all_consistent(fields),
        "mismatch": review.mismatch_reason(fields),
        "can_previous": workflow.previous_stage(application.stage) is not None,
    })


def _htmx_redirect(request, url):
    from django_htmx.http import HttpResponseClientRedirect

    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_POST
@staff_required("review")
def review_decide(request, pk):
    application = _get_visible(request.user, pk)
    data = request.POST
    version = data.get("version", "")
    if not version.isdigit():
        raise PermissionDenied("请求无效。")
    national = bool(data.get("national_done"))
    try:
        if data.get("decision") == "approve":
            services.application_approve(actor=request.user, application_id=application.pk,
                                         expected_version=int(version), opinion=data.get("opinion", ""),
                                         national_done=national, request=request)
            messages.success(request, f"已同意{application.name}的报名信息。")
        elif data.get("decision") == "reject":
            services.application_reject(actor=request.user, application_id=application.pk,
                                        expected_version=int(version), reason=data.get("reason", ""),
                                        to=data.get("to", ""), national_done=national, request=request)
            messages.success(request, f"已退回{application.name}的报名信息。")
        else:
            raise PermissionDenied("请求无效。")
    except services.AlreadyHandled as exc:
        messages.warning(request, str(exc))
        return redirect("backoffice:review", pk=pk)
    except ValidationError as exc:
        return _render_review(request, _get_visible(request.user, pk), form_data=data,
                              error="；".join(exc.messages), status=400)
    return redirect("backoffice:pending")


@require_POST
@staff_required("review")
def review_recall(request, pk):
    application = _get_visible(request.user, pk)
    try:
        services.application_recall(actor=request.user, application_id=application.pk, request=request)
    except (ValidationError, services.AlreadyHandled) as exc:
        messages.error(request, "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        return redirect("backoffice:reviewed")
    messages.success(request, f"已撤办，{application.name}的报名信息回到待审信息。")
    return redirect("backoffice:pending")


@require_http_methods(["GET", "POST"])
@staff_required("review")
def review_edit(request, pk):
    application = _get_visible(request.user, pk)
    if not services.can_decide(request.user, application):
        raise PermissionDenied("只有当前审核环节的机构可以修改填报信息。")
    targets = services.editable_targets(application)
    values = {key: ("" if value is None else (value.isoformat() if hasattr(value, "isoformat") else str(value)))
              for key, _label, value in targets}
    errors = {}
    if request.method == "POST":
        changes = {key: request.POST[key] for key in values
                   if key in request.POST and request.POST[key].strip() != values[key]}
        version = request.POST.get("version", "")
        try:
            services.application_edit(actor=request.user, application_id=application.pk,
                                      expected_version=int(version) if version.isdigit() else -1,
                                      changes=changes, request=request)
        except services.AlreadyHandled as exc:
            messages.warning(request, str(exc))
            return redirect("backoffice:review", pk=pk)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors = {k: "；".join(v) for k, v in exc.message_dict.items()}
            else:
                errors = {"__all__": "；".join(exc.messages)}
            values.update({k: request.POST.get(k, "") for k in values})
        else:
            messages.success(request, "填报信息已修改，修改前后内容已记入审核日志。")
            return redirect("backoffice:review", pk=pk)
    rows = [{"key": key, "label": label, "value": values[key], "error": errors.get(key, "")}
            for key, label, _v in targets]
    return render(request, "backoffice/review/edit.html", {
        "a": application, "rows": rows, "error": errors.get("__all__", ""),
    }, status=400 if errors else 200)


# ---------------------------------------------------------------------------------------------
# 已审信息


@require_GET
@staff_required("review")
def reviewed(request):
    org = _org_of(request.user)
    decided = ReviewLog.objects.filter(org=org, action__in=workflow.DECISIONS).values("application_id")
    queryset = Application.objects.visible_to(request.user).filter(pk__in=decided)
    q = request.GET.get("q", "").strip()
    if q:
        queryset = queryset.filter(Q(name=q) | Q(id_number=q.upper()) | Q(number=q))
    state = request.GET.get("state", "")
    if state in State.values:
        queryset = queryset.filter(state=state)
    queryset = queryset.select_related("unit", "specialty", "level", "project").only(*LIST_COLUMNS)
    page = _page(request, queryset.order_by("-decided_at", "-pk"))
    ids = [row.pk for row in page]
    last = {}
    for log in (ReviewLog.objects.filter(application_id__in=ids, action__in=workflow.DECISIONS)
                .order_by("application_id", "-created_at", "-pk")):
        last.setdefault(log.application_id, log)
    for row in page:
        row.marks = _marks(row)
        row.last = last.get(row.pk)
        row.can_recall = services.recall_allowed(row, org.pk, last=row.last) is not None if row.last else False
    return render(request, "backoffice/review/reviewed.html", {
        "page": page, "q": q, "state": state, "states": State.choices, "query": _query_without_page(request),
    })


# ---------------------------------------------------------------------------------------------
# 汇总提交


def _forwarding_stages(user):
    org = user.org
    stages = []
    if org.is_site and ROLE_RANK.get(user.role, 99) <= workflow.STAGE_MIN_RANK[Stage.SITE_REVIEW]:
        stages.append(Stage.SITE_REVIEW)
    if org.is_district and ROLE_RANK.get(user.role, 99) <= workflow.STAGE_MIN_RANK[Stage.DISTRICT_RECHECK]:
        stages.append(Stage.DISTRICT_RECHECK)
    return stages


@require_http_methods(["GET", "POST"])
@staff_required("summary_submit")
def forward(request):
    org = _org_of(request.user)
    stages = _forwarding_stages(request.user)
    if request.method == "POST":
        stage = request.POST.get("stage", "")
        if stage not in stages:
            raise PermissionDenied("该环节没有汇总提交。")
        try:
            batch = services.summary_submit(actor=request.user, stage=stage, request=request)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"已汇总提交{batch.count}条报名信息。")
        return redirect("backoffice:forward")
    sections = []
    for stage in stages:
        waiting = review.awaiting_forward_for(org, stage)
        counts = {}
        for name in waiting.values_list("specialty__name", flat=True):
            counts[name or "未选择专业"] = counts.get(name or "未选择专业", 0) + 1
        sections.append({"stage": stage, "label": Stage(stage).label, "count": sum(counts.values()),
                         "by_specialty": sorted(counts.items())})
    batches = ForwardBatch.objects.filter(org=org).select_related("actor").order_by("-created_at")[:20]
    return render(request, "backoffice/review/forward.html", {
        "sections": sections, "batches": batches,
    })


# ---------------------------------------------------------------------------------------------
# 分配交叉审核


class CrossReviewForm(forms.Form):
    stage = forms.ChoiceField(label="审核环节", choices=[(s, Stage(s).label) for s in services.STAGE_TARGET_LEVEL])
    source = forms.ModelChoiceField(label="原审核机构", queryset=Org.objects.none())
    target = forms.ModelChoiceField(label="交叉审核机构", queryset=Org.objects.none())

    def __init__(self, *args, org=None, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = (Org.objects.subtree_of(org).enabled()
                .filter(Q(is_site=True) | Q(is_point=True) | Q(has_review_right=True)).order_by("path"))
        self.fields["source"].queryset = orgs
        self.fields["target"].queryset = orgs


@require_http_methods(["GET", "POST"])
@staff_required("assign_cross_review")
def cross_review(request):
    org = _org_of(request.user)
    year = ExamYear.current()
    if year is None:
        raise Http404("没有当前考试年度。")
    form = CrossReviewForm(request.POST or None, org=org)
    if request.method == "POST" and form.is_valid():
        try:
            services.cross_review_assign(actor=request.user, exam_year=year, stage=form.cleaned_data["stage"],
                                         source_id=form.cleaned_data["source"].pk,
                                         target_id=form.cleaned_data["target"].pk, request=request)
        except ValidationError as exc:
            form.add_error(None, "；".join(exc.messages))
        else:
            messages.success(request, "交叉审核已分配，此后提交的报名信息按新的分配审核。")
            return redirect("backoffice:cross_review")
    assignments = (CrossReviewAssignment.objects.filter(exam_year=year, active=True, source__path__startswith=org.path)
                   .select_related("source", "target", "assigned_by").order_by("-created_at"))
    for a in assignments:
        a.stage_label = Stage(a.stage).label if a.stage in Stage.values else a.stage
    return render(request, "backoffice/review/cross_review.html", {
        "form": form, "assignments": assignments, "year": year,
    }, status=400 if form.errors else 200)


@require_POST
@staff_required("assign_cross_review")
def cross_review_revoke(request, pk):
    services.cross_review_revoke(actor=request.user, assignment_id=pk, request=request)
    messages.success(request, "已取消该交叉审核分配。")
    return redirect("backoffice:cross_review")


# ---------------------------------------------------------------------------------------------
# 消息通知


@require_GET
@staff_required()
def notices(request):
    queryset = Notice.objects.filter(user=request.user).order_by("read_at", "-created_at")
    return render(request, "backoffice/review/notices.html", {"page": _page(request, queryset)})


@require_POST
@staff_required()
def notice_read(request, pk):
    if not services.notice_mark_read(actor=request.user, notice_id=pk):
        get_object_or_404(Notice, pk=pk, user=request.user)
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/backoffice/")
                    else reverse("backoffice:notices"))


@require_POST
@staff_required()
def notices_read_all(request):
    services.notice_mark_read(actor=request.user)
    return redirect("backoffice:notices")
