"""用户管理, 配置角色权限, 考生信息管理 and the demo SMS outbox; writes go through accounts.services
(考生信息管理: applications.candidates)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prereg.accounts import permissions, services
from prereg.accounts.backends import (
    PHONE_TAKEN_MESSAGE,
    STAFF_PHONE_TAKEN_MESSAGE,
    one_time_password_ttl_hours,
)
from prereg.accounts.forms import AccountEditForm
from prereg.accounts.models import Role, RolePermission, User
from prereg.accounts.permissions import has_function
from prereg.accounts.validators import clean_staff_login_name
from prereg.applications import candidates as candidate_services
from prereg.applications.models import Application
from prereg.applications.selectors import needed_counts
from prereg.audit.log import record
from prereg.audit.models import Outcome
from prereg.catalog import staff_import
from prereg.core import ratelimit
from prereg.core.forms import add_service_errors
from prereg.core.sheets import template_csv
from prereg.core.validators import is_id, normalize_id_number, normalize_mobile, searched_name
from prereg.core.versions import STALE_MESSAGE
from prereg.notify.models import SmsMessage
from prereg.orgs import services as org_services
from prereg.orgs import staging
from prereg.orgs.forms import OrgChoiceField, SheetImportForm
from prereg.orgs.models import Org

from ..access import staff_required
from ..filters import OrgPicker
from .common import CSV, attachment, query_without, stamped

PAGE_SIZE = 50


class AccountForm(forms.Form):
    # Found by typing its name, as the filters' 单位: a 考区 administers some 2,000 orgs.
    org = OrgChoiceField(label="所属机构", queryset=Org.objects.none(), widget=OrgPicker, error_messages={
        "required": "请输入机构名称查找，并从查找结果中选择。",
        "invalid_choice": "所选机构不能设审核账号：须为您管辖范围内有审核权的机构。"})
    role = forms.ChoiceField(label="角色")
    username = forms.CharField(label="登录名", max_length=50,
                               help_text="如机构代码 35012205，或机构代码加序号；不能是手机号码或身份证号码。")
    name = forms.CharField(label="姓名", max_length=50, required=False, help_text="可留空，由使用者首次登录时完善。")
    phone = forms.CharField(label="手机号码", max_length=20, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = self.fields["org"].widget.orgs = Org.objects.visible_to(user).reviewing() | \
            Org.objects.visible_to(user).filter(has_review_right=True)
        self.fields["role"].choices = [(r, Role(r).label) for r in services.creatable_roles(user)]

    def clean_username(self):
        # The service's rule, asked here too so it is said with the other fields' errors at once.
        return clean_staff_login_name(self.cleaned_data["username"])


# --- 用户管理 -------------------------------------------------------------------------------------


@require_GET
@staff_required("toggle_reviewer")
def account_list(request):
    users = User.objects.staff_visible_to(request.user).select_related("org")
    q = request.GET.get("q", "").strip()
    if q:
        users = users.filter(Q(username__startswith=q) | Q(name__contains=searched_name(q)) | Q(org__name__contains=q)
                             | Q(phone=q))
    role = request.GET.get("role", "")
    if role in Role.reviewer_roles():
        users = users.filter(role=role)
    page = Paginator(users.order_by("org__path", "username"), PAGE_SIZE).get_page(request.GET.get("page"))
    administered = set(User.objects.administered_by(request.user).filter(pk__in=[u.pk for u in page])
                       .values_list("pk", flat=True))
    return render(request, "backoffice/accounts/list.html", {
        "page": page, "query": query_without(request, "page"), "q": q, "role": role,
        "roles": [(r, Role(r).label) for r in Role.reviewer_roles()],
        "administered": administered,
        "locked": services.locked_usernames(u.username for u in page),
        "can_create": has_function(request.user, "create_reviewer") and bool(services.creatable_roles(request.user)),
        "can_reset": has_function(request.user, "reset_reviewer_password"),
    })


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required("create_reviewer")
def account_add(request):
    form = AccountForm(request.POST or None, user=request.user, initial={"org": request.GET.get("org")})
    if request.method == "POST" and form.is_valid():
        try:
            user, password = services.account_create(actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return show_password_once(request, user, password, created=True)
    return render(request, "backoffice/accounts/form.html", {"form": form})


PASSWORD_ONCE_KEY = "password_once"  # noqa: S105 (a session key, not a password)


def show_password_once(request, user, password: str, *, created: bool = False, back: str = "backoffice:accounts",
                       back_pk: int | None = None):
    """After the POST that made a one-time password, the page that shows it: a GET it redirects to,
    which shows it once. Rendered by the POST, a refresh posted again and a second password replaced
    the first one the admin had already passed on (reviewer probe). Kept in the session (server-side)
    until that GET."""
    request.session[PASSWORD_ONCE_KEY] = {"account": user.pk, "password": password, "created": created,
                                          "back": back, "back_pk": back_pk}
    return redirect("backoffice:password_shown")


@never_cache
@require_GET
@staff_required()
def password_shown(request):
    shown = request.session.pop(PASSWORD_ONCE_KEY, None)
    if shown is None:
        messages.info(request, "一次性密码只显示一次，已不再显示。如未记下，请重新重置该账号的密码。")
        return redirect("backoffice:dashboard")
    return render(request, "backoffice/accounts/password_shown.html", {
        **shown, "account": User.objects.get(pk=shown["account"]), "valid_hours": one_time_password_ttl_hours()})


@never_cache
@require_POST
@staff_required("reset_reviewer_password")
def account_reset(request, pk):
    user = services.get_staff_for(request.user, pk, administer=True)
    try:
        password = services.account_reset_password(actor=request.user, user=user, request=request)
    except ValidationError as exc:  # reset by another admin at the same moment: his password stands
        messages.error(request, exc.messages[0])
        return redirect("backoffice:accounts")
    return show_password_once(request, user, password)


@require_POST
@staff_required("toggle_reviewer")
def account_toggle(request):
    """The state of accounts (状态): 启用 and 禁用 several at once; 解锁 (an account's row), for who
    may reset its password."""
    ids = [i for i in request.POST.getlist("ids") if is_id(i)]
    action = request.POST.get("action")
    if not ids or action not in ("enable", "disable", "unlock"):
        messages.error(request, "请先勾选要操作的账号。")
        return redirect("backoffice:accounts")
    if action == "unlock":
        count = services.account_unlock(actor=request.user, user_ids=ids, request=request)
        messages.success(request, f"已解除{count}个账号的登录锁定，可以重新登录。" if count
                         else "所选账号未被锁定（可能已过锁定时限），无需解锁。")
        return redirect("backoffice:accounts")
    try:
        count = services.account_set_active(actor=request.user, user_ids=ids, active=action == "enable",
                                             waiting=needed_counts, assigned=org_services.assigned_counts,
                                             request=request)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("backoffice:accounts")
    messages.success(request, f"已{'启用' if action == 'enable' else '禁用'}{count}个账号。")
    return redirect("backoffice:accounts")


# --- 配置角色权限 -----------------------------------------------------------------------------------

GRID_ROLES = [Role.SYSADMIN, Role.DISTRICT, Role.SITE, Role.POINT, Role.UNIT, Role.CANDIDATE, Role.AUDITOR]


@require_http_methods(["GET", "POST"])
@staff_required("configure_roles")
def role_permissions(request):
    if request.method == "POST":
        # Locked cells are disabled on the page, so a browser does not send them: they are not
        # read from the form at all (and the service refuses them anyway).
        editable = [(code, role) for code, *_rest in permissions.FUNCTIONS for role in GRID_ROLES
                    if not permissions.is_locked(code, role)]
        wanted = {(code, role): f"{code}:{role}" in request.POST for code, role in editable}
        # "shown": the cells the page showed ticked when it was loaded; only the cells the user changed
        # from that are saved, so an older copy of the grid never undoes another's change. A post
        # without it comes from no page of ours as it is now: refused as a stale page.
        if "shown" not in request.POST:
            messages.error(request, STALE_MESSAGE)
            return redirect("backoffice:role_permissions")
        ticked = set(request.POST["shown"].split())
        shown = {(code, role): f"{code}:{role}" in ticked for code, role in editable}
        try:
            saved = services.role_permissions_save(actor=request.user, cells=wanted, shown=shown, request=request)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已保存，修改了{saved.changed}项权限。" if saved.changed else "没有修改。")
            if saved.overtaken:
                names = "、".join(f"{Role(role).label}·{permissions.NAMES[code]}（现为{'允许' if now else '不允许'}）"
                                 for (code, role), now in saved.overtaken.items())
                messages.warning(request, f"以下权限在您打开本页后已被他人修改，未覆盖：{names}。下表已是最新的权限，请核对。")
        return redirect("backoffice:role_permissions")
    # As committed, not the cached copy (seconds old in another process): the page's "shown" is
    # what the save compares with.
    overrides = {(o.function, o.role): o.allowed for o in RolePermission.objects.all()}
    rows = []
    for code, module, name, defaults in permissions.FUNCTIONS:
        cells = []
        for role in GRID_ROLES:
            locked = permissions.is_locked(code, role)
            cells.append({
                "key": f"{code}:{role}",
                "allowed": role in defaults if locked else overrides.get((code, role), role in defaults),
                "locked": locked, "changed": not locked and (code, role) in overrides,
                "label": f"{Role(role).label}·{name}",
            })
        rows.append({"code": code, "module": module, "name": name, "cells": cells})
    shown = " ".join(cell["key"] for row in rows for cell in row["cells"] if cell["allowed"] and not cell["locked"])
    return render(request, "backoffice/accounts/role_permissions.html",
                  {"rows": rows, "roles": [Role(r).label for r in GRID_ROLES], "shown": shown})


# --- 考生信息管理 -----------------------------------------------------------------------------------


@require_GET
@staff_required("manage_candidates")
def candidate_list(request):
    q = request.GET.get("q", "").strip()
    candidates = candidate_services.candidate_search(actor=request.user, query=q, request=request) if q else []
    # A typed ID number is not echoed back in full (PII on the page).
    echo = "" if len(q) == 18 and normalize_id_number(q)[:17].isdigit() else q
    return render(request, "backoffice/accounts/candidates.html", {"q": q, "echo": echo, "candidates": candidates})


class PhoneForm(forms.Form):
    phone = forms.CharField(label="新手机号码", max_length=20)


def _render_candidate(request, candidate, phone_form=None):
    return render(request, "backoffice/accounts/candidate_detail.html", {
        "candidate": candidate, "locked": services.login_locked(candidate.username),
        "phone_form": phone_form or PhoneForm(), "may_correct_phone": candidate_services.may_correct_phone(request.user),
        # Only what the viewer may see of the applications (the sysadmin: none).
        "applications": Application.objects.visible_to(request.user).filter(candidate=candidate)
        .select_related("exam_year", "unit").order_by("-pk")[:5],
    })


@require_GET
@staff_required("manage_candidates")
def candidate_detail(request, pk):
    candidate = candidate_services.candidate_open(actor=request.user, pk=pk, request=request)
    return _render_candidate(request, candidate)


@require_POST
@staff_required("manage_candidates")
def candidate_unlock(request, pk):
    candidate = candidate_services.get_candidate_for(request.user, pk)
    candidate_services.candidate_unlock(actor=request.user, candidate=candidate, request=request)
    messages.success(request, "已解除该考生账号的登录锁定。")
    return redirect("backoffice:candidate_detail", pk=pk)


@require_POST
@staff_required("manage_candidates")
def candidate_reset(request, pk):
    candidate = candidate_services.get_candidate_for(request.user, pk)
    try:
        candidate_services.candidate_reset_password(actor=request.user, candidate=candidate, request=request)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, "已重置密码，一次性密码已短信发送至考生登记的手机。")
    return redirect("backoffice:candidate_detail", pk=pk)


@require_POST
@staff_required("manage_candidates")
def candidate_phone(request, pk):
    candidate = candidate_services.get_candidate_for(request.user, pk)
    form = PhoneForm(request.POST)
    if form.is_valid():
        phone = normalize_mobile(form.cleaned_data["phone"])
        # A new number is refused if another candidate holds it, which tells that he does: counted per
        # reviewer (security probe F3), here and not in the service's transaction that a refusal rolls back.
        refusal = phone != candidate.phone and ratelimit.number_lookup_refusal(request.user)
        try:
            if refusal:
                raise ValidationError({"phone": refusal})
            voided = candidate_services.candidate_change_phone(actor=request.user, candidate=candidate,
                                                               phone=form.cleaned_data["phone"], request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
            if PHONE_TAKEN_MESSAGE in exc.messages:
                record("account.candidate_phone_change.phone_taken", actor=request.user, obj=candidate,
                       outcome=Outcome.DENIED, request=request, details={"phone": phone})
        else:
            messages.success(request, "手机号码已更正。" + (
                "此前发往原号码的一次性密码已作废，如考生需要登录，请点“重置密码”发送到新号码。" if voided else ""))
            return redirect("backoffice:candidate_detail", pk=pk)
    return _render_candidate(request, candidate, form)


# --- 短信发件箱（演示） -------------------------------------------------------------------------------


@require_GET
@staff_required("view_sms_outbox")
def sms_outbox(request):
    if not settings.DEMO_MODE:
        raise Http404("仅演示模式提供短信发件箱。")
    page = Paginator(SmsMessage.objects.all(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "backoffice/accounts/sms_outbox.html", {"page": page})


# --- 批量导入审核账号 (issue 17.4) -----------------------------------------------------------------

STAFF_IMPORT_SESSION_KEY = "staff_import"


class StaffSheetImportForm(SheetImportForm):
    """The org import's upload form, its help speaking of accounts."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = ("先下载模板（即您管辖范围内现有的审核账号），修改或添加账号后整份上传；"
                                         "上传后先预览，确认无误再导入。")


def _staff_import_page(request, form, plan=None, status=200):
    return render(request, "backoffice/accounts/import.html", {
        "form": form, "plan": plan, "columns": staff_import.COLUMNS, "notes": staff_import.TEMPLATE_NOTES,
    }, status=status)


@require_http_methods(["GET", "POST"])
@staff_required("create_reviewer")
def account_import(request):
    """Upload a sheet of reviewer accounts and see what it would do; nothing is written here."""
    staff_import.raise_unless_allowed(request.user)
    form = StaffSheetImportForm(request.POST or None, request.FILES or None)
    if request.method == "GET" or not form.is_valid():
        return _staff_import_page(request, form, status=200 if request.method == "GET" else 400)
    upload = form.cleaned_data["file"]
    content = upload.read()
    plan = staff_import.plan_staff_import(actor=request.user, filename=upload.name, content=content)
    request.session.pop(STAFF_IMPORT_SESSION_KEY, None)
    if plan.ok and (plan.creates or plan.updates):
        staging.keep(request.session, STAFF_IMPORT_SESSION_KEY, upload.name, content, plan.digest)
    return _staff_import_page(request, StaffSheetImportForm(), plan, status=200 if plan.ok else 400)


@require_POST
@staff_required("create_reviewer")
def account_import_confirm(request):
    staff_import.raise_unless_allowed(request.user)
    # The staged file goes once the import commits (staging.take): a confirmation cut off before
    # (a dropped connection) can be retried.
    with transaction.atomic():
        staged, content = staging.take(request.session, STAFF_IMPORT_SESSION_KEY, request.POST.get("digest"))
        if content is None:
            messages.error(request, "没有待导入的文件（预览已过期或已导入），请重新上传并预览。")
            return redirect("backoffice:accounts_import")
        plan = staff_import.staff_import(actor=request.user, filename=staged["filename"], content=content,
                                         expected_digest=staged["digest"], request=request)
    if not plan.ok:
        return _staff_import_page(request, StaffSheetImportForm(), plan, status=409)
    messages.success(request, f"导入成功：新增{len(plan.creates)}个账号，更新{len(plan.updates)}个，{plan.unchanged}个无变化。"
                              f"新账号的一次性密码已放入{plan.sheets}个上级机构的“新年度账号密码”单，由其查看后下发。")
    return redirect("backoffice:accounts")


@require_GET
@staff_required("create_reviewer")
def account_template(request):
    """The reviewer accounts the user sees, in the import's columns (CSV): the template."""
    staff_import.raise_unless_allowed(request.user)
    rows = staff_import.template_rows(request.user)
    # Every reviewer's name, phone, title and department: an export like any other, audited.
    record("account.export", actor=request.user, request=request, details={"rows": len(rows)})
    content = template_csv(staff_import.COLUMNS, rows)
    code = request.user.org.code if request.user.org_id else "全部"
    return attachment(content, f"{stamped('审核账号', code)}.csv", CSV)


# --- 修改账号信息 (issue 17.5) ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_required("toggle_reviewer")
def account_edit(request, pk):
    """A superior corrects an account holder's name and phone (staff change: a new holder of the
    post); the holder keeps his 职务 and 科室 up to date himself (个人信息)."""
    account = services.get_staff_for(request.user, pk, administer=True)
    form = AccountEditForm(request.POST or None,
                           initial={"name": account.name, "phone": account.phone, "version": account.version},
                           phone_editable=services.may_set_phone_of_others(request.user))
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        phone = normalize_mobile(form.cleaned_data["phone"])
        # As 更正手机号码 (candidate_phone): a new number tells whether another account holds it (probe F3).
        refusal = phone != account.phone and ratelimit.number_lookup_refusal(request.user)
        try:
            if refusal:
                raise ValidationError({"phone": refusal})
            changes = services.account_update(actor=request.user, user_id=account.pk,
                                              expected_version=form.cleaned_data["version"],
                                              name=form.cleaned_data["name"], phone=form.cleaned_data["phone"],
                                              request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
            if getattr(exc, "code", None) == "stale":  # another window saved first
                status = 409
            if STAFF_PHONE_TAKEN_MESSAGE in exc.messages:
                record("account.update.phone_taken", actor=request.user, obj=account, outcome=Outcome.DENIED,
                       request=request, details={"username": account.username, "phone": phone})
        else:
            messages.success(request, f"已保存 {account.username} 的账号信息。" if changes else "没有修改。")
            return redirect("backoffice:accounts")
    return render(request, "backoffice/accounts/edit.html", {"form": form, "account": account}, status=status)
