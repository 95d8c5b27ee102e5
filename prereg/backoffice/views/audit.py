"""The audit log viewer (审计日志), for the audit administrator alone (三员分立).

Read-only by construction: these views only select; there is no URL that changes an entry.
"""

import csv
import json

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from prereg.audit.filters import AuditFilterForm
from prereg.audit.log import record
from prereg.core.sheets import csv_text

from ..access import staff_required
from .common import CSV, query_without, stamped

PAGE_SIZE = 50
CSV_COLUMNS = ["编号", "时间", "操作人", "所属机构", "客户端地址", "事件", "事件名称", "对象类型", "对象编号", "结果",
               "详情", "请求编号", "哈希", "操作账号"]


@require_GET
@staff_required("read_audit_log")
def audit_log(request):
    form = AuditFilterForm(request.GET)  # every filter is optional: no filter, every entry
    entries = form.filtered().select_related("actor")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "backoffice/audit/list.html",
                  {"form": form, "page": page, "query": query_without(request, "page")})


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
            csv_text(e.actor_org), csv_text(e.client_ip), csv_text(e.event), e.event_label, csv_text(e.object_type),
            csv_text(e.object_id), e.get_outcome_display(),
            csv_text(json.dumps(e.details, ensure_ascii=False)) if e.details else "", csv_text(e.request_id), e.hash,
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
