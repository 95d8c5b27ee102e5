"""The audit log viewer (审计日志), for the audit administrator alone (三员分立).

Read-only by construction: these views only select; there is no URL that changes an entry.
"""

import csv

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from prereg.accounts.models import IdType, Role
from prereg.accounts.permissions import NAMES as FUNCTION_NAMES
from prereg.applications.carryover import SECTION_TITLES
from prereg.applications.models import ImageSlot, State
from prereg.applications.review import ID_CARD, change_lines
from prereg.applications.sections import BY_KEY
from prereg.audit.details import details_text
from prereg.audit.filters import AuditFilterForm
from prereg.audit.log import record
from prereg.audit.models import Outcome
from prereg.core.sheets import csv_text
from prereg.exports.models import ColumnSet, ExportFormat, ExportKind
from prereg.notify.models import ReminderKind
from prereg.orgs.models import UnitRequest
from prereg.orgs.stages import Stage
from prereg.reconcile.models import ListKind

from ..access import staff_required
from ..filters import describe
from .common import CSV, query_without, stamped

PAGE_SIZE = 50
CSV_COLUMNS = ["编号", "时间", "操作人", "所属机构", "客户端地址", "事件", "事件名称", "对象类型", "对象编号", "结果",
               "详情", "请求编号", "哈希", "操作账号"]


def _names(choices) -> dict:
    return {code: str(label) for code, label in choices}


STATES, STAGES, SLOTS = _names(State.choices), _names(Stage.choices), _names(ImageSlot.choices)


def _state_at_stage(value) -> str:
    """An application's move, from and to [state, stage]: 审核中（报名点确认）."""
    state, stage = value if isinstance(value, list) and len(value) == 2 else (value, "")
    return f"{STATES.get(state, state)}（{STAGES.get(stage, stage)}）" if stage else STATES.get(state, str(state))


def _check_item(key: str) -> str:
    """application.field_check: the item ticked, as the review screen heads it: a table's row
    ("education:12") by its image's name and row, the 证件 or a certificate by its image's."""
    prefix, _, row = key.partition(":")
    if table := BY_KEY.get(prefix) if row else None:
        return f"{table.slot.label if table.slot else table.title}（行编号{row}）"
    return "证件" if key == ID_CARD else SLOTS.get(key, key)


def _correction_lines(changes: dict) -> list[tuple[str, str, str]]:
    """application.edit.values: each field named as the review log names it; a personal number as the
    audit log stores it, masked with the hash that proves which number it was."""
    lines = []
    for (label, *shown), stored in zip(change_lines(changes), changes.values(), strict=True):
        lines.append((label, *(value if "#hmac:" in str(value) else text
                               for value, text in zip(stored, shown, strict=True))))
    return lines


def _filters_text(filters: dict) -> str:
    """An export's filters as the exports list describes them; those of this log's own (audit.export)
    by its filter form's labels."""
    if not isinstance(filters, dict):
        return str(filters)
    if not set(filters) <= set(AuditFilterForm.base_fields):
        return describe(filters)
    names = {"outcome": dict(Outcome.choices)}
    return "，".join(f"{AuditFilterForm.base_fields[name].label}：{names.get(name, {}).get(value, value)}"
                    for name, value in filters.items()) or "全部"


# The names of the codes the domain apps write into the log's details, where they define them
# (prereg.audit.details reads the rest; it sits below these apps and cannot import them).
DETAIL_NAMES = {
    "from": _state_at_stage,
    "to": _state_at_stage,
    "stage": STAGES,
    "slot": SLOTS,
    "role": _names(Role.choices),
    "held_from": _names(Role.choices),
    "id_type": _names(IdType.choices),
    "function": FUNCTION_NAMES,
    "section": SECTION_TITLES,
    "field": _check_item,
    "kind": _names(ExportKind.choices + ReminderKind.choices),
    "format": _names(ExportFormat.choices),
    "columns": _names(ColumnSet.choices),
    "list": _names(ListKind.choices),
    "counts": _names(ListKind.choices),
    "status": _names(UnitRequest.Status.choices),
    "filters": _filters_text,
    ("application.edit.values", "changes"): _correction_lines,
}


def entry_details(entry) -> str:
    return details_text(entry, DETAIL_NAMES)


@require_GET
@staff_required("read_audit_log")
def audit_log(request):
    form = AuditFilterForm(request.GET)  # every filter is optional: no filter, every entry
    entries = form.filtered().select_related("actor")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "backoffice/audit/list.html",
                  {"form": form, "page": page, "rows": [(e, entry_details(e)) for e in page],
                   "query": query_without(request, "page")})


class _Echo:
    def write(self, value):
        return value


def _csv_rows(entries):
    writer = csv.writer(_Echo())
    yield "\ufeff"  # Excel opens UTF-8 with a BOM correctly
    yield writer.writerow(CSV_COLUMNS)
    for e in entries.iterator(chunk_size=2000):
        # Typed text (a sign-in name, an opinion) that a spreadsheet would run as a formula is
        # guarded as in the application exports (CSV injection).
        yield writer.writerow([
            e.pk, timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S"), csv_text(e.actor_name),
            csv_text(e.actor_org), csv_text(e.client_ip), csv_text(e.event), e.event_label, csv_text(e.object_label),
            csv_text(e.object_id), e.get_outcome_display(), csv_text(entry_details(e)), csv_text(e.request_id), e.hash,
            csv_text(e.actor_account),
        ])


@require_GET
@staff_required("read_audit_log")
def audit_export(request):
    """The filtered entries as CSV; the export is itself an audit entry."""
    form = AuditFilterForm(request.GET)
    entries = form.filtered().select_related("actor")
    record("audit.export", actor=request.user, request=request,
           details={"filters": form.as_details(), "rows": entries.count()})
    filename = f"{stamped('审计日志')}.csv"
    return StreamingHttpResponse(_csv_rows(entries), content_type=CSV,
                                 headers={"Content-Disposition": content_disposition_header(True, filename)})
