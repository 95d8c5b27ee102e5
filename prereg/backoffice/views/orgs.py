"""组织机构管理 and 单位添加申请: the user's subtree only; every write goes through orgs.services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prereg.accounts import services as account_services
from prereg.accounts.models import Role, User
from prereg.accounts.permissions import has_function
from prereg.applications.selectors import needed_counts, waiting_counts
from prereg.audit.log import record
from prereg.catalog.models import Division
from prereg.core.forms import add_service_errors
from prereg.core.validators import is_id
from prereg.core.versions import page_version, posted_version
from prereg.orgs import importer, services, staging
from prereg.orgs.forms import OrgForm, SheetImportForm, UnitRequestAddForm, UnitRequestRefuseForm
from prereg.orgs.models import Org, UnitRequest
from prereg.orgs.search import search_units

from ..access import staff_required
from .accounts import show_password_once
from .common import query_without, sheet_download, sheet_format, stamped

PAGE_SIZE = 50
LEVEL_FILTERS = {"district": "is_district", "site": "is_site", "point": "is_point", "unit": "is_unit"}


@require_GET
@staff_required("edit_unit")
def org_list(request):
    orgs = Org.objects.visible_to(request.user).select_related("parent").annotate(
        admin_count=Count("users", filter=Q(users__role__in=Role.reviewer_roles())))
    q = request.GET.get("q", "").strip()
    if q:
        orgs = orgs.filter(Q(name__contains=q) | Q(short_name__contains=q) | Q(code__startswith=q))
    level = request.GET.get("level", "")
    if level in LEVEL_FILTERS:
        orgs = orgs.filter(**{LEVEL_FILTERS[level]: True})
    status = request.GET.get("status", "")
    if status in ("on", "off"):
        orgs = orgs.filter(enabled=status == "on")
    # By code, as people look orgs up (福州 350100 before 宁德 350900): the path holds ids, which the
    # import gives in no order of the province's. The list is flat (its parent a column).
    page = Paginator(orgs.order_by("code"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "backoffice/orgs/list.html", {
        "page": page, "query": query_without(request, "page"), "q": q, "level": level, "status": status,
        "can_add": has_function(request.user, "add_unit"),
        "can_import": importer.may_import(request.user),
        "own_org_id": request.user.org_id,
    })


@require_GET
@staff_required("edit_unit")
def org_detail(request, pk):
    org = services.get_org_for(request.user, pk)
    admins = User.objects.staff_visible_to(request.user).filter(org=org).order_by("username")
    manageable = Org.objects.manageable_by(request.user).filter(pk=org.pk).exists()
    administered = set(User.objects.administered_by(request.user).filter(org=org).values_list("pk", flat=True))
    return render(request, "backoffice/orgs/detail.html", {
        "org": org, "admins": admins, "manageable": manageable, "administered": administered,
        "children": org.children.order_by("code")[:200],
        "can_reset": has_function(request.user, "reset_reviewer_password"),
        "can_grant": services.can_grant_review_right(request.user),
        "can_delete": manageable and services.may_delete(request.user, org),
        # Why the 删除 is not offered to a level that deletes units (the refusal org_delete gives).
        "delete_refused": services.REVIEW_ORG_DELETE if manageable and has_function(request.user, "delete_unit")
                          and not services.may_delete(request.user, org) else "",
        "delete_reasons": services.org_references(org) if manageable else [],
    })


@require_http_methods(["GET", "POST"])
@staff_required("add_unit")
def org_add(request):
    can_grant = services.can_grant_review_right(request.user)
    # Who adds only units is offered only the parents a unit may have (orgs.routing.routing_gap):
    # the enabled 报名点 of his subtree. The 考区 adds 考点 and 报名点 too: the service checks his choice.
    parents = Org.objects.visible_to(request.user)
    if not can_grant:
        parents = parents.filter(is_point=True, enabled=True)
    parents = parents.order_by("code")
    wanted = request.GET.get("parent") or request.user.org_id
    initial = {"parent": wanted if is_id(str(wanted)) and parents.filter(pk=wanted).exists() else None,
               "is_unit": True}
    form = OrgForm(request.POST or None, parents=parents, can_grant=can_grant, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.org_create(actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已新增机构“{org.name}”（{org.code}）。")
            return redirect("backoffice:orgs_detail", pk=org.pk)
    return render(request, "backoffice/orgs/form.html", {"form": form, "title": "新增机构", "can_grant": can_grant})


@require_http_methods(["GET", "POST"])
@staff_required("edit_unit")
def org_edit(request, pk):
    org = services.get_org_for(request.user, pk, manage=True)
    can_grant = services.can_grant_review_right(request.user)
    initial = {f: getattr(org, f) for f in services.EDITABLE_FIELDS + services.LEVEL_FLAGS + ["has_review_right"]}
    initial["parent"] = org.parent_id
    parents = Org.objects.visible_to(request.user).exclude(path__startswith=org.path).order_by("code")
    fixed = "" if services.may_move(request.user, org) else services.MOVE_REVIEW_ORG
    form = OrgForm(request.POST or None, parents=parents, can_grant=can_grant, parent_fixed=fixed, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        levels = {f: data.pop(f) for f in services.LEVEL_FLAGS}
        try:
            services.org_update(actor=request.user, org=org, expected_version=posted_version(request.POST.get("version")),
                                levels=levels, waiting=waiting_counts, request=request, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "机构信息已保存。")
            return redirect("backoffice:orgs_detail", pk=org.pk)
    return render(request, "backoffice/orgs/form.html", {"form": form, "title": f"编辑机构：{org.name}", "org": org,
                                                         "can_grant": can_grant, "version": page_version(request, org)})


@require_POST
@staff_required("delete_unit")
def org_delete(request, pk):
    org = services.get_org_for(request.user, pk, manage=True)
    parent_id = org.parent_id
    try:
        services.org_delete(actor=request.user, org=org, expected_version=posted_version(request.POST.get("version")),
                            request=request)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("backoffice:orgs_detail", pk=pk)
    messages.success(request, f"已删除机构“{org.name}”。")
    return redirect("backoffice:orgs_detail", pk=parent_id) if parent_id else redirect("backoffice:orgs")


@require_POST
@staff_required("edit_unit")
def org_toggle(request):
    ids = [i for i in request.POST.getlist("ids") if is_id(i)]
    action = request.POST.get("action")
    back = request.POST.get("back") if request.POST.get("back", "").startswith("/backoffice/") else "backoffice:orgs"
    if not ids or action not in ("enable", "disable"):
        messages.error(request, "请先勾选要操作的机构。")
        return redirect("backoffice:orgs")
    try:
        count = services.org_set_enabled(actor=request.user, org_ids=ids, enabled=action == "enable",
                                         waiting=needed_counts, request=request)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"已{'启用' if action == 'enable' else '禁用'}{count}个机构。")
    return redirect(back)


@never_cache
@require_POST
@staff_required("reset_reviewer_password")
def org_admin_reset(request, pk, user_pk):
    """重置下属机构密码: the new one-time password is shown once, on the page this redirects to (show_password_once)."""
    org = services.get_org_for(request.user, pk, manage=True)
    user = account_services.get_staff_for(request.user, user_pk, administer=True)
    if user.org_id != org.pk:
        raise PermissionDenied("该账号不属于此机构。")
    try:
        password = account_services.account_reset_password(actor=request.user, user=user, request=request)
    except ValidationError as exc:  # reset by another admin at the same moment: his password stands
        messages.error(request, exc.messages[0])
        return redirect("backoffice:orgs_detail", org.pk)
    return show_password_once(request, user, password, back="backoffice:orgs_detail", back_pk=org.pk)


# --- 单位添加申请 ---------------------------------------------------------------------------------


@require_GET
@staff_required("add_unit")
def unit_request_list(request):
    status = request.GET.get("status", UnitRequest.Status.OPEN)
    requests_ = UnitRequest.objects.visible_to(request.user).select_related("resolved_org", "resolved_by")
    if status in UnitRequest.Status.values:
        requests_ = requests_.filter(status=status)
    page = Paginator(requests_, PAGE_SIZE).get_page(request.GET.get("page"))
    regions = Division.names_of(item.region_code for item in page)
    for item in page:
        item.region_name = regions.get(item.region_code, item.region_code)
    return render(request, "backoffice/orgs/unit_requests.html",
                  {"page": page, "query": query_without(request, "page"), "status": status,
                   "statuses": UnitRequest.Status.choices})


def _default_parent(user, unit_request, parents):
    """The parent the resolve page proposes: the one 报名点 offered of the request's region, else the
    user's own org if it is offered, else none (the user chooses)."""
    of_region = list(parents.filter(region_code=unit_request.region_code).values_list("pk", flat=True)[:2])
    if len(of_region) == 1:
        return of_region[0]
    return user.org_id if user.org_id and parents.filter(pk=user.org_id).exists() else None


@require_http_methods(["GET", "POST"])
@staff_required("add_unit")
def unit_request_resolve(request, pk):
    unit_request = services.get_unit_request_for(request.user, pk)
    unit_request.region_name = Division.names_of([unit_request.region_code]).get(unit_request.region_code,
                                                                                 unit_request.region_code)
    parents = services.unit_request_parents(request.user)
    mode = request.POST.get("mode")  # 新增单位, 告知考生选择已有单位 or 不予添加
    add_form = UnitRequestAddForm(request.POST if mode == "add" else None, parents=parents,
                                  initial={"name": unit_request.full_name,
                                           "parent": _default_parent(request.user, unit_request, parents)})
    refuse_form = UnitRequestRefuseForm(request.POST if mode == "refuse" else None)
    error = ""
    if request.method == "POST" and unit_request.status != UnitRequest.Status.OPEN:
        messages.error(request, "该申请已处理。")
        return redirect("backoffice:unit_requests")
    if mode == "add" and add_form.is_valid():
        try:
            org = services.unit_request_resolve_add(actor=request.user, unit_request=unit_request,
                                                    request=request, **add_form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(add_form, exc)
        else:
            messages.success(request, f"已新增单位“{org.name}”，并已短信通知考生。")
            return redirect("backoffice:unit_requests")
    elif mode == "point":
        org = Org.objects.filter(pk=request.POST.get("org") if is_id(request.POST.get("org", "")) else None,
                                 is_unit=True, enabled=True).first()
        if org is None:
            error = "请从搜索结果中选择一个单位。"
        else:
            try:
                services.unit_request_resolve_existing(actor=request.user, unit_request=unit_request, org=org,
                                                       request=request)
            except ValidationError as exc:
                error = "；".join(exc.messages)
            else:
                messages.success(request, f"已告知考生选择“{org.name}”，并已短信通知。")
                return redirect("backoffice:unit_requests")
    elif mode == "refuse" and refuse_form.is_valid():
        try:
            services.unit_request_refuse(actor=request.user, unit_request=unit_request, request=request,
                                         **refuse_form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(refuse_form, exc)
        else:
            messages.success(request, "已不予添加，并已短信告知考生原因。")
            return redirect("backoffice:unit_requests")
    elif request.method == "POST" and mode not in ("add", "refuse"):
        error = "请选择处理方式。"
    q = request.GET.get("q") or unit_request.full_name[:4]
    return render(request, "backoffice/orgs/unit_request_resolve.html", {
        "unit_request": unit_request, "add_form": add_form, "refuse_form": refuse_form, "q": q,
        "matches": list(search_units(q, 20)), "error": error,
    })


# --- 批量导入与导出 (issue 17.4) ------------------------------------------------------------------

IMPORT_SESSION_KEY = "org_import"


def _may_import(user):
    if not importer.may_import(user):
        raise PermissionDenied("您没有导入组织机构的权限。")


def _import_page(request, form, plan=None, status=200):
    return render(request, "backoffice/orgs/import.html", {
        "form": form, "plan": plan, "whole_tree": importer.whole_tree(request.user),
        "columns": importer.COLUMNS, "notes": importer.TEMPLATE_NOTES, "max_shown": importer.MAX_SHOWN,
    }, status=status)


@require_http_methods(["GET", "POST"])
@staff_required("edit_unit")
def org_import(request):
    """Upload a sheet and see what it would do (the preview); nothing is written here."""
    _may_import(request.user)
    form = SheetImportForm(request.POST or None, request.FILES or None)
    if request.method == "GET" or not form.is_valid():
        return _import_page(request, form, status=200 if request.method == "GET" else 400)
    upload = form.cleaned_data["file"]
    content = upload.read()
    plan = importer.plan_import(actor=request.user, filename=upload.name, content=content, waiting=waiting_counts,
                                needed=needed_counts)
    request.session.pop(IMPORT_SESSION_KEY, None)
    if plan.ok and plan.changes:
        staging.keep(request.session, IMPORT_SESSION_KEY, upload.name, content, plan.digest, version=plan.version)
    return _import_page(request, SheetImportForm(), plan, status=200 if plan.ok else 400)


@require_POST
@staff_required("edit_unit")
def org_import_confirm(request):
    """确认导入: the staged file of the preview, applied whole or not at all."""
    _may_import(request.user)
    # The staged file goes once the import commits (staging.take): a confirmation cut off before
    # (a dropped connection) can be retried, as the account import's.
    with transaction.atomic():
        staged, content = staging.take(request.session, IMPORT_SESSION_KEY, request.POST.get("digest"))
        if content is None:
            messages.error(request, "没有待导入的文件（预览已过期或已导入），请重新上传并预览。")
            return redirect("backoffice:orgs_import")
        plan = importer.org_import(actor=request.user, filename=staged["filename"], content=content,
                                   expected_version=staged["version"], expected_digest=staged["digest"],
                                   waiting=waiting_counts, needed=needed_counts, request=request)
    if not plan.ok:
        return _import_page(request, SheetImportForm(), plan, status=409)
    messages.success(request, f"导入成功：共{plan.rows}行，新增{len(plan.creates)}个机构，更新{len(plan.updates)}个"
                              f"（其中调整上级{plan.moved}个），{plan.unchanged}个无变化。")
    return redirect("backoffice:orgs")


@require_GET
@staff_required("edit_unit")
def org_export(request):
    """The orgs the user sees, in the import's columns: the template of the import."""
    code = request.user.org.code if request.user.org_id else "全部"
    record("org.export", actor=request.user, request=request, details={"format": sheet_format(request)})
    return sheet_download(request, importer.export_rows(request.user), importer.export_csv, importer.export_xlsx,
                          stamped("机构", code))
