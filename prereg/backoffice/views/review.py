"""The reviewer's pages: 待审信息, the review screen, 已审信息, 汇总提交, 分配交叉审核, notices.

Views fetch and authorize, then call the services in prereg.applications.services; every rule
lives there.
"""

from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Func, IntegerField, Subquery
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from prereg.accounts.permissions import has_function
from prereg.applications import review, services, workflow
from prereg.applications.models import Application, ForwardBatch, ReviewLog, Stage, Verdict
from prereg.applications.selectors import applications_for, get_application_for
from prereg.applications.values import typed_text
from prereg.applications.views import may_print
from prereg.audit.log import record
from prereg.audit.models import Outcome
from prereg.catalog.models import ExamYear
from prereg.catalog.timeline import day_text
from prereg.core import ratelimit
from prereg.core.masking import mask_id_number
from prereg.core.validators import is_id, normalize_id_number
from prereg.core.versions import posted_version
from prereg.notify import services as notice_services
from prereg.notify.models import Notice
from prereg.ocr import services as ocr
from prereg.orgs import selectors as org_selectors
from prereg.orgs import services as org_services
from prereg.orgs.models import Org
from prereg.reconcile import selectors as reconcile

from ..access import staff_required
from ..filters import ListFilterForm, query_string
from .common import query_without

PER_PAGE = 20
DEEP_OFFSET = 10 * PER_PAGE
LIST_COLUMNS = ("pk", "number", "name", "id_number", "state", "stage", "verdict", "submitted_at", "decided_at",
                "national_marks", "awaiting_forward", "version", "unit__name", "unit__path", "specialty__name",
                "level__name", "project__name")


def _org_of(user):
    if not user.is_reviewer or not user.org_id:
        raise PermissionDenied("仅审核机构的审核人员可以使用该功能。")
    return user.org


def _page(request, queryset):
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


# The last page whose OFFSET a database holds (a bigint); one beyond is out of range like any other.
MAX_PAGE = 2**63 // PER_PAGE


def _page_counted(request, queryset, columns):
    """The requested page of `queryset` as tuples of `columns`, its total carried by the same query.

    `COUNT(*)` of the filtered queue rides along as an uncorrelated scalar subquery (the last
    column), evaluated once by the database: a page is one round trip, not a COUNT and then a
    SELECT. A page number out of range (no row to carry the total) falls back to the
    paginator, which shows the last page as before; the total column is then dropped.
    """
    try:
        number = int(request.GET.get("page") or 1)
    except ValueError:
        number = 1
    if 1 <= number <= MAX_PAGE:
        # From the filtered queryset itself, before the columns' joins: the range alone.
        # COUNT(*), not COUNT(id): PostgreSQL then answers from the queue's index alone (its
        # waiting_org index holds no id; counting ids read 8,675 table rows for the 考区: 5 ms).
        total = queryset.order_by().values_list(Func(template="COUNT(*)", output_field=IntegerField()))
        start = (number - 1) * PER_PAGE
        if start < DEEP_OFFSET:
            fetched = list(queryset.values_list(*columns, Subquery(total))[start:start + PER_PAGE])
        else:
            # A deep page: its ids first, by the sort's index alone, then the columns of those
            # rows. OFFSET over the joined rows would read every skipped row with its joins.
            ids = queryset.values("pk")[start:start + PER_PAGE]
            fetched = list(queryset.filter(pk__in=ids).values_list(*columns, Subquery(total)))
        if fetched:
            paginator = Paginator(queryset, PER_PAGE)
            paginator.count = fetched[0][-1]  # a cached_property: the paginator asks no COUNT itself
            return Page([row[:-1] for row in fetched], number, paginator)
    paginator = Paginator(queryset.values_list(*columns), PER_PAGE)
    paginator.count = queryset.order_by().count()  # without the columns' joins
    return paginator.get_page(request.GET.get("page"))


def _stage_label(stage):
    return Stage(stage).label if stage in Stage.values else stage


def _mark_labels(national_marks):
    return [Stage(s).label for s, done in (national_marks or {}).items() if done and s in Stage.values]


# ---------------------------------------------------------------------------------------------
# 待审信息


# Reversed once per page and filled in per row: a {% url %} per row costs more than its row.
_PK_SLOT = 987654321


@dataclass
class QueueRow:
    """One line of 待审信息, built from plain column values: model instances for the row and
    its four related objects cost more than the rest of the page's Python."""

    COLUMNS = ("pk", "number", "name", "id_number", "version", "stage", "submitted_at", "national_marks",
               "unit_id", "unit__name", "unit__path", "project__name", "level__name", "specialty__name", "verdict",
               "exam_year_id")

    pk: int
    number: str
    name: str
    id_masked: str  # lists never show a full ID number
    item: str  # the batch checkbox's value, "pk:version"
    stage_label: str
    submitted: str  # local time, "Y-m-d H:i"
    marks: list[str]
    cross: bool
    unit_name: str
    project_name: str
    level_name: str
    specialty_name: str
    verdict: str  # the 资格初审 assistant's (Verdict value, or "" before any)
    verdict_label: str
    open_url: str

    @classmethod
    def of(cls, values, assigned, open_url):
        (pk, number, name, id_number, version, stage, submitted_at, marks, unit_id, unit_name, unit_path,
         project_name, level_name, specialty_name, verdict, year_id) = values
        return cls(
            pk=pk, number=number or "", name=name, id_masked=mask_id_number(id_number), item=f"{pk}:{version}",
            stage_label=_stage_label(stage),
            submitted=f"{timezone.localtime(submitted_at):%Y-%m-%d %H:%M}" if submitted_at else "",
            marks=_mark_labels(marks),
            cross=bool(unit_id and org_selectors.reviews_by_assignment(assigned, year_id, stage, unit_path)),
            unit_name=unit_name or "", project_name=project_name or "", level_name=level_name or "",
            specialty_name=specialty_name or "", verdict=verdict or "", verdict_label=Verdict(verdict).label if verdict else "",
            open_url=open_url.replace(str(_PK_SLOT), str(pk), 1),  # the path's, not a number in its `back`
        )


# The columns 待审信息 may be sorted by (a key of selectors.SORTS each).
QUEUE_SORTS = ("submitted", "name", "specialty", "unit", "number")


def _sort_links(request, sort):
    """Each sortable column's link, the filter kept: ascending first, descending when it is the
    current sort."""
    query = query_without(request, "page", "sort")
    prefix = f"?{query}&sort=" if query else "?sort="
    links = {}
    for key in QUEUE_SORTS:
        arrow = " ▲" if sort == key else " ▼" if sort == f"-{key}" else ""
        links[key] = {"href": prefix + ("-" if sort == key else "") + key, "active": bool(arrow), "arrow": arrow}
    return links


@require_GET
@staff_required("review")
def pending(request):
    org = _org_of(request.user)
    form = ListFilterForm(request.GET, user=request.user)
    filters = {**form.as_json(), "waiting": True}
    filters.setdefault("sort", "submitted")  # an unknown one was dropped by the form: the default
    sort = filters["sort"]
    queryset = applications_for(request.user, filters)
    page = _page_counted(request, queryset, QueueRow.COLUMNS)
    # The row's link carries the list (filter, sort, page): the review screen returns to it.
    open_url = f"{reverse('backoffice:review', args=[_PK_SLOT])}?{_back_query(request.get_full_path())}"
    assigned = org_selectors.assigned_to(org) if page.object_list else set()
    page.object_list = [QueueRow.of(values, assigned, open_url) for values in page.object_list]
    return render(request, "backoffice/review/pending.html", {
        "form": form, "page": page, "query": query_without(request, "page"),
        "sort_links": _sort_links(request, sort), "sort": sort,
        "can_batch": has_function(request.user, "batch_submit"),
        "list_url": request.get_full_path(),  # where 批量提交 returns, the list's filters kept
        "export_url": _export_url(request.user, filters),
    })


def _export_url(user, filters):
    """考生信息导出 holding the filter a list applied (so the export reads exactly the list's rows),
    or "" for a role that may not export."""
    if not has_function(user, "export_excel"):
        return ""
    return f"{reverse('backoffice:exports')}?{query_string(filters)}"


LISTS = ("backoffice:pending", "backoffice:reviewed")


def _list_url(posted: str, lists=LISTS) -> str:
    """The list (待审信息, 已审信息) a page was opened from, its filter, sort and page kept: `posted`
    (the list's own path and query, which the list's forms and links carry as `next`/`back`) when it is
    a same-site path of one of `lists`, else "". Nothing else is followed (no open redirect), and the
    query is parsed and encoded again, never passed on as text."""
    if not posted or not url_has_allowed_host_and_scheme(posted, allowed_hosts=None):
        return ""
    parts = urlsplit(posted)
    if parts.scheme or parts.netloc or parts.path not in {reverse(name) for name in lists}:
        return ""
    query = QueryDict(parts.query).urlencode()
    return f"{parts.path}?{query}" if query else parts.path


def _pending_list(posted: str) -> str:
    """The 待审信息 list a batch was sent from, its filters kept, else the plain list."""
    return _list_url(posted, ("backoffice:pending",)) or reverse("backoffice:pending")


def _back_query(list_url: str) -> str:
    """The query a list's link to the review screen carries: where its 返回 and decisions lead."""
    return urlencode({"back": list_url})


def _review_url(pk, back: str) -> str:
    """The review screen of `pk`, opened from the list `back` (a _list_url) when there is one."""
    url = reverse("backoffice:review", args=[pk])
    return f"{url}?{_back_query(back)}" if back else url


@require_POST
@staff_required("batch_submit")
def batch_approve(request):
    _org_of(request.user)
    back = _pending_list(request.POST.get("next", ""))
    items, unknown = [], []
    for value in request.POST.getlist("items"):  # "pk:version" of each row ticked on the queue page
        pk, _, version = value.partition(":")
        if is_id(pk):
            items.append((int(pk), posted_version(version)))
        else:
            unknown.append(pk)
    if not items and not unknown:
        messages.error(request, "请先勾选要批量提交的报名信息。")
        return redirect(back)
    try:
        done, refused = services.batch_submit(actor=request.user, items=items, opinion=request.POST.get("opinion", ""),
                                              national_done=bool(request.POST.get("national_done")), request=request)
    except ValidationError as exc:  # the opinion: refused once, for the whole batch
        messages.error(request, "；".join(exc.messages))
        return redirect(back)
    refused.update((pk, "报名信息不存在。") for pk in unknown)  # as the service answers an id it cannot find
    if done:
        messages.success(request, f"已批量同意{len(done)}条报名信息。")
    # Each refusal names the application as the list shows it (姓名, 报名号), never by its database id.
    shown = {pk: f"{name}（报名号{number}）" if number else name for pk, name, number in
             Application.objects.visible_to(request.user).filter(pk__in=[pk for pk in refused if isinstance(pk, int)])
             .values_list("pk", "name", "number")}
    for pk, reason in refused.items():
        messages.warning(request, f"“{shown.get(pk, '所选的一条报名信息')}”未提交：{reason}")
    return redirect(back)


# ---------------------------------------------------------------------------------------------
# The review screen


def _previous_to(application, decidable) -> str:
    """Where 退回上一环节 sends the application, as its option names it (the message after the return
    names the same): "考点审核：福州市卫生健康委员会"; "" where there is no stage before (单位审查) or its
    org has been disabled since or has no active reviewer account left (services.return_previous_refusal:
    退回考生 remains)."""
    previous = workflow.previous_stage(application.stage) if decidable else None
    if previous is None or services.return_previous_refusal(application):
        return ""
    org = application.org_at(previous)
    return f"{Stage(previous).label}：{org}" if org else Stage(previous).label


def _return_closed(application, decidable) -> str:
    """The warning at 退回考生 once the candidate's 省网填报 has closed for good (reviewers work on until
    现场确认): a return then ends the registration, for application_submit refuses his resubmission.
    Said before the reviewer decides, with the way that keeps it (the manual: a reviewer corrects typed
    fields himself; only a wrong attachment goes back to the candidate). "" while he can still resubmit."""
    if not decidable:
        return ""
    closes = application.exam_year.windows(application.project).form_closes
    if closes >= timezone.localdate():
        return ""
    return (f"省网填报已于{day_text(closes)}截止：退回考生后，考生将无法修改后重新提交。"
            "如仅填报信息有误，可直接“修改填报信息”。")


def _fields_context(application, decidable):
    """What the review screen and a field's htmx tick both show: the 📷 fields, the decision state, and
    the pictures no field asks for (every picture the candidate sent is shown)."""
    fields = review.check_fields(application, with_images=False)
    unasked = review.attach_images(application, fields)
    if decidable:
        review.attach_checks(application, fields, application.stage)
    fields = ocr.with_readings(application, fields)  # each item's machine reading; disagreements first
    return {"a": application, "fields": fields, "unasked": unasked, "decidable": decidable,
            "all_yes": review.all_consistent(fields), "mismatch": review.mismatch_reason(fields)}


def _chain(application) -> list[tuple[str, object, bool]]:
    """审核流程: (stage, its org, whether the org acts there by a cross-review assignment), as the queue marks it."""
    chain = []
    for stage in Stage.values:
        org = application.org_at(stage)
        cross = bool(org and application.unit_id and org_selectors.reviews_by_assignment(
            org_selectors.assigned_to(org), application.exam_year_id, stage, application.unit.path))
        chain.append((Stage(stage).label, org, cross))
    return chain


def _came_from(request) -> str:
    """The list the review screen was opened from (its `back`), or that its form posted (`next`)."""
    return _list_url(request.POST.get("next", "") if request.method == "POST" else request.GET.get("back", ""))


def _render_review(request, application, *, form_data=None, error="", to_error="", reason_error="", status=200):
    user = request.user
    decidable = services.can_decide(user, application)
    logs = ReviewLog.objects.filter(application=application).select_related("actor", "org").order_by("created_at", "pk")
    for log in logs:
        log.change_lines = review.change_lines(log.details.get("changes") or {})
    recall_stage = services.recall_allowed(application, user.org_id) if user.org_id else None
    back = _came_from(request)
    return render(request, "backoffice/review/review.html", {
        # The list the screen was opened from: its 返回 link, and where a decision or 撤办 returns.
        "back": back, "pending_url": _list_url(back, ("backoffice:pending",)) or reverse("backoffice:pending"),
        "reviewed_url": _list_url(back, ("backoffice:reviewed",)) or reverse("backoffice:reviewed"),
        **_fields_context(application, decidable), "previous_to": _previous_to(application, decidable),
        "return_closed": _return_closed(application, decidable),
        "eligibility": review.eligibility(application), "logs": logs, "can_recall": recall_stage is not None,
        "form_data": form_data or {}, "error": error, "to_error": to_error, "reason_error": reason_error,
        "may_print": may_print(user, application),
        "chain": _chain(application),
        # 国网名单核对: in the roster the reviewer's org reads for the unit (its own, else one above it)
        "national_status": reconcile.status_for(application, org=user.org),
    }, status=status)


@require_GET
@staff_required("review")
def review_detail(request, pk):
    application = get_application_for(request.user, pk)
    # The screen shows the full ID number, phone and birth date: read access is audited, as each image's is.
    record("application.view", actor=request.user, obj=application, request=request)
    return _render_review(request, application)


@require_POST
@staff_required("review")
def review_check(request, pk):
    application = get_application_for(request.user, pk)
    key = request.POST.get("field", "")
    try:
        services.field_check_set(actor=request.user, application_id=application.pk, field=key,
                                 consistent=request.POST.get("consistent") == "1",
                                 expected_version=posted_version(request.POST.get("version")),
                                 request=request)
    except services.AlreadyHandled as exc:
        messages.warning(request, f"{exc}。可返回待审信息继续审核其他报名信息。")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if request.htmx:  # the ticked field and the decision state, swapped in place
            context = {**_fields_context(application, True), "back": _came_from(request)}
            context["f"] = next(f for f in context["fields"] if f.key == key)
            return render(request, "backoffice/review/_field_checked.html", context)
    url = _review_url(pk, _came_from(request))
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


# 退回至: the reviewer chooses; the manual (四.4: 可退回上一环节或退回考生) makes neither the rule.
RETURN_TARGETS = ("previous", "candidate")
NO_RETURN_TARGET = "请选择退回上一环节还是退回考生。"
# Where 退回考生 is the only choice (单位审查, or the previous stage's org can take none): named as the page offers it.
NO_RETURN_TARGET_BUT_CANDIDATE = "请选择“退回考生”（本环节只能退回考生）。"
NO_REASON = "不同意时必须填写不通过原因。"  # application_reject's words


@require_POST
@staff_required("review")
def review_decide(request, pk):
    application = get_application_for(request.user, pk)
    data = request.POST
    decision = data.get("decision")
    if decision not in ("approve", "reject"):
        raise PermissionDenied("请求无效。")
    if decision == "reject":
        # None is preselected; a missing reason and a missing 退回至 are said together, each at its field
        # (one at a time, the reviewer learnt of the reason only on his second try).
        to_error = "" if data.get("to") in RETURN_TARGETS else (
            NO_RETURN_TARGET if _previous_to(application, True) else NO_RETURN_TARGET_BUT_CANDIDATE)
        reason_error = "" if data.get("reason", "").strip() else NO_REASON
        if to_error or reason_error:
            return _render_review(request, application, form_data=data, to_error=to_error,
                                  reason_error=reason_error, status=400)
    act = {"actor": request.user, "application_id": application.pk,
           "expected_version": posted_version(data.get("version")),
           "national_done": bool(data.get("national_done")), "request": request}
    try:
        if decision == "approve":
            services.application_approve(**act, opinion=data.get("opinion", ""))
            messages.success(request, f"已同意{application.name}的报名信息。")
        else:
            returned = services.application_reject(**act, reason=data.get("reason", ""), to=data.get("to", ""))
            to = f"{returned.get_stage_display()}（{returned.org_at(returned.stage)}）" if returned.stage else "考生"
            messages.success(request, f"已将{application.name}的报名信息退回{to}。")
    except services.AlreadyHandled as exc:
        messages.warning(request, str(exc))
        return redirect(_review_url(pk, _came_from(request)))
    except ValidationError as exc:
        # A refusal of the 退回至 choice (services.return_previous_refusal) is said at it.
        to_error = "；".join(exc.message_dict.get("to", [])) if hasattr(exc, "error_dict") else ""
        # A reason blank once cleaned (nothing but invisible characters) is said at the reason, as a missing one.
        reason_error = NO_REASON if not to_error and exc.messages == [NO_REASON] else ""
        return _render_review(request, get_application_for(request.user, pk), form_data=data,
                              error="" if to_error or reason_error else "；".join(exc.messages), to_error=to_error,
                              reason_error=reason_error, status=400)
    return redirect(_came_from(request) or "backoffice:pending")  # the list as it was filtered, sorted, paged


@require_POST
@staff_required("review")
def review_recall(request, pk):
    application = get_application_for(request.user, pk)
    back = _came_from(request)  # the list 撤办 was done from (已审信息's row, or the one the screen came from)
    try:
        services.application_recall(actor=request.user, application_id=application.pk,
                                    expected_version=posted_version(request.POST.get("version")), request=request)
    except (ValidationError, services.AlreadyHandled) as exc:
        messages.error(request, "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        return redirect(back or "backoffice:reviewed")
    messages.success(request, f"已撤办，{application.name}的报名信息回到待审信息。")
    return redirect(back or "backoffice:pending")


@require_http_methods(["GET", "POST"])
@staff_required("review")
def review_edit(request, pk):
    # The form is offered to the org the application waits for; a correction posted from it is the
    # service's to judge on the locked row (application_edit): one that arrives after a colleague's
    # decision or the candidate's withdrawal is 已被他人处理 with the typed values kept on the page,
    # not a 403 that loses them (race probe).
    application = get_application_for(request.user, pk, for_decision=request.method == "GET")
    targets = services.editable_targets(application)
    values = {key: typed_text(key, value) for key, _label, value in targets}
    errors, handled, version = {}, "", application.version
    back = _came_from(request)  # the list the review screen was opened from: where it leads back to
    if request.method == "POST":
        changes = {key: request.POST[key] for key in values
                   if key in request.POST and request.POST[key].strip() != values[key]}
        number = normalize_id_number(changes.get("id_number", ""))
        # A new number is refused if another person holds it, which tells that he does: counted per
        # reviewer (security probe F1), here and not in the service's transaction that a refusal rolls back.
        refusal = number and number != application.id_number and ratelimit.number_lookup_refusal(request.user)
        try:
            if refusal:
                raise ValidationError({"id_number": refusal})
            edited = services.application_edit(actor=request.user, application_id=application.pk,
                                               expected_version=posted_version(request.POST.get("version")),
                                               changes=changes, request=request)
        except services.AlreadyHandled as exc:
            handled, version = str(exc), posted_version(request.POST.get("version"))
            values.update({k: request.POST[k] for k in values if k in request.POST})
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors = {k: "；".join(v) for k, v in exc.message_dict.items()}
            else:
                errors = {"__all__": "；".join(exc.messages)}
            values.update({k: request.POST.get(k, "") for k in values})
            if errors.get("id_number") == services.ID_NUMBER_TAKEN_MESSAGE:
                record("application.edit.id_number_taken", actor=request.user, obj=application,
                       outcome=Outcome.DENIED, request=request, details={"after": number})
        else:
            ocr.flags_store(edited)  # the reading's flags that 进度跟踪 counts follow the correction
            messages.success(request, "填报信息已修改，修改前后内容已记入审核日志。")
            return redirect(_review_url(pk, back))
    rows = [{"key": key, "label": label, "value": values[key], "error": errors.get(key, "")}
            for key, label, _v in targets]
    return render(request, "backoffice/review/edit.html", {
        "a": application, "rows": rows, "error": errors.get("__all__", ""), "handled": handled, "version": version,
        "back": back, "review_url": _review_url(pk, back),
    }, status=409 if handled else 400 if errors else 200)


# ---------------------------------------------------------------------------------------------
# 已审信息


@require_GET
@staff_required("review")
def reviewed(request):
    org = _org_of(request.user)
    form = ListFilterForm(request.GET, user=request.user)
    chosen = form.as_json()
    chosen.pop("sort", None)  # 已审信息 has one order, the latest decision first
    filters = {**chosen, "decided": True, "sort": "-decided"}
    queryset = applications_for(request.user, filters)
    queryset = queryset.select_related("unit", "specialty", "level", "project").only(*LIST_COLUMNS)
    page = _page(request, queryset)
    ids = [row.pk for row in page]
    last = {}
    for log in (ReviewLog.objects.filter(application_id__in=ids, action__in=workflow.DECISIONS)
                .order_by("application_id", "-created_at", "-pk")):
        last.setdefault(log.application_id, log)
    for row in page:
        row.marks = _mark_labels(row.national_marks)
        row.last = last.get(row.pk)
        row.can_recall = bool(row.last) and services.recall_allowed(row, org.pk, last=row.last) is not None
        row.may_print = may_print(request.user, row)
    return render(request, "backoffice/review/reviewed.html", {
        "form": form, "page": page, "query": query_without(request, "page"), "filtered": bool(chosen),
        "export_url": _export_url(request.user, filters),
        # Where 查看 and 撤办 return: this list, its filter and page kept.
        "list_url": request.get_full_path(), "back_query": _back_query(request.get_full_path()),
    })


# ---------------------------------------------------------------------------------------------
# 汇总提交

@require_http_methods(["GET", "POST"])
@staff_required("summary_submit")
def forward(request):
    org = _org_of(request.user)
    stages = services.forwarding_stages(request.user)
    if request.method == "POST":
        stage = request.POST.get("stage", "")
        if stage not in stages:
            raise PermissionDenied("该环节没有汇总提交。")
        try:
            batch = services.summary_submit(actor=request.user, stage=stage,
                                            expected_digest=request.POST.get("digest", ""), request=request)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"已汇总提交{batch.count}条报名信息。")
        return redirect("backoffice:forward")
    sections = []
    for stage in stages:
        waiting = review.awaiting_forward_for(org, stage)
        counts = Counter(name or "未选择专业" for name in waiting.values_list("specialty__name", flat=True))
        sections.append({"stage": stage, "label": Stage(stage).label, "count": counts.total(),
                         "digest": review.forward_digest(waiting.values_list("pk", "version")),
                         "by_specialty": sorted(counts.items()),
                         "national": reconcile.forward_check(waiting, org=org)})  # those the 国网 roster lacks
    batches = ForwardBatch.objects.filter(org=org).select_related("actor").order_by("-created_at")[:20]
    return render(request, "backoffice/review/forward.html", {
        "sections": sections, "batches": batches,
    })


# ---------------------------------------------------------------------------------------------
# 分配交叉审核


class CrossReviewTargetField(forms.ModelChoiceField):
    """The targets, those without an active reviewer account marked: an assigner looking for one finds
    it and sees why it cannot take the stage (hidden, it would look missing from the tree)."""

    unstaffed: frozenset = frozenset()

    def label_from_instance(self, obj):
        return f"{obj.name}（无可用审核账号）" if obj.pk in self.unstaffed else obj.name


class CrossReviewForm(forms.Form):
    stage = forms.ChoiceField(label="审核环节",
                              choices=[(s, Stage(s).label) for s in org_selectors.STAGE_TARGET_LEVEL])
    source = forms.ModelChoiceField(label="原审核机构", queryset=Org.objects.none())
    target = CrossReviewTargetField(label="交叉审核机构", queryset=Org.objects.none(),
                                    help_text="交叉审核机构须有可用（已启用）的审核账号。")

    def __init__(self, *args, org=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The orgs cross_review_assign accepts, from the same function.
        orgs = org_selectors.assignable_orgs(org)
        self.fields["source"].queryset = orgs
        self.fields["target"].queryset = orgs
        self.fields["target"].unstaffed = frozenset(orgs.values_list("pk", flat=True)) - org_selectors.staffed_ids(orgs)

    def clean_target(self):
        """Refused here by the rule cross_review_assign refuses it by (org_selectors.unstaffed_refusal)."""
        target = self.cleaned_data["target"]
        if refusal := org_selectors.unstaffed_refusal(target):
            raise forms.ValidationError(refusal)
        return target


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
            org_services.cross_review_assign(actor=request.user, exam_year=year, stage=form.cleaned_data["stage"],
                                         source_id=form.cleaned_data["source"].pk,
                                         target_id=form.cleaned_data["target"].pk, request=request)
        except ValidationError as exc:
            form.add_error(None, "；".join(exc.messages))
        else:
            messages.success(request, "交叉审核已分配，此后提交的报名信息按新的分配审核。")
            return redirect("backoffice:cross_review")
    assignments = (org_selectors.assignments_over(org, year)
                   .select_related("source", "target", "assigned_by").order_by("-created_at"))
    for assignment in assignments:
        assignment.stage_label = _stage_label(assignment.stage)
        assignment.may_revoke = org_selectors.may_revoke(org, assignment)
    return render(request, "backoffice/review/cross_review.html", {
        "form": form, "assignments": assignments, "year": year,
    }, status=400 if form.errors else 200)


@require_POST
@staff_required("assign_cross_review")
def cross_review_revoke(request, pk):
    try:
        org_services.cross_review_revoke(actor=request.user, assignment_id=pk, request=request)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
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
    if not notice_services.notice_mark_read(actor=request.user, notice_id=pk):
        get_object_or_404(Notice, pk=pk, user=request.user)
    next_url = request.POST.get("next", "")
    return redirect(next_url if next_url.startswith("/backoffice/") else reverse("backoffice:notices"))


@require_POST
@staff_required()
def notices_read_all(request):
    notice_services.notice_mark_read(actor=request.user)
    return redirect("backoffice:notices")
