"""国网名单核对's 导出本列表 is a background export job (prereg.exports): the list's button posts the
list's filter, the job's file holds the rows the list shows, masked unless a 考点 or the 考区 asks,
and it is downloaded from 考生信息导出 by its owner alone."""

import csv
import html
import io
import re

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse

from prereg.audit.models import AuditEvent
from prereg.exports import runner
from prereg.exports import services as export_services
from prereg.exports.models import ExportFormat, ExportJob, ExportKind, ExportStatus
from prereg.reconcile import selectors
from prereg.reconcile.models import RosterRow
from prereg.reconcile.selectors import list_queryset
from prereg.reconcile.tasks import REPLACED_MESSAGE, write_roster_list
from tests.factories import ExportJobFactory
from tests.reconcile.helpers import HEADER_2020, csv_bytes, line_2020, person, upload_and_import


@pytest.fixture
def quanzhou(client, reviewer_quanzhou):
    client.force_login(reviewer_quanzhou)
    return client


def _file_rows(job) -> list[list]:
    """The job's file as rows of cells, its header first (read from storage: the test client's PII scan
    refuses a response holding a full ID number)."""
    with default_storage.open(job.file.name, "rb") as fh:
        content = fh.read()
    if job.format == ExportFormat.CSV:
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def _export_form(page: str) -> dict:
    """What the list page's 导出本列表 form posts: its hidden fields (the list and its filter)."""
    form = re.search(r'<form method="post" action="([^"]+)" id="reconcile-export".*?</form>', page, re.S)
    assert form, "no export form on the list"
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form[0]))
    fields.pop("csrfmiddlewaretoken")
    return {name: html.unescape(value) for name, value in fields.items()}


def _latest_job(owner) -> ExportJob:
    return ExportJob.objects.filter(owner=owner).latest("pk")


# --- the button and the job ---------------------------------------------------------------------


def test_the_list_button_creates_a_job_and_sends_the_user_to_the_exports_page(quanzhou, imported, reviewer_quanzhou):
    _apps, upload = imported
    page = quanzhou.get(reverse("backoffice:reconcile_list"), {"list": "different"}).content.decode()
    assert 'form="reconcile-export" name="format" value="xlsx" id="export-xlsx"' in page
    response = quanzhou.post(reverse("backoffice:reconcile_export"), {**_export_form(page), "format": "xlsx"})
    assert response.status_code == 302 and response["Location"] == reverse("backoffice:exports")
    job = _latest_job(reviewer_quanzhou)
    assert (job.kind, job.format, job.status, job.full_numbers) == (ExportKind.RECONCILE, "xlsx", ExportStatus.DONE,
                                                                     False)
    assert job.filters == {"list": "different", "upload": upload.pk}
    assert job.row_count == 3 and job.progress == 100 and job.expires_at and job.file_name.startswith(
        "国网名单核对-信息不一致-") and job.file_name.endswith(".xlsx")
    exports_page = quanzhou.get(response["Location"])
    text = exports_page.content.decode()
    assert f"任务号 {job.pk}" in text and "信息不一致" in text  # the message
    row = re.search(rf'<tr id="export-job-{job.pk}".*?</tr>', text, re.S)[0]
    assert "国网名单核对" in row and "名单：信息不一致" in row
    assert reverse("backoffice:export_download", args=[job.pk]) in row
    download = quanzhou.get(reverse("backoffice:export_download", args=[job.pk]))
    assert download.status_code == 200
    assert AuditEvent.objects.filter(event="export.download", object_id=str(job.pk)).exists()


def test_the_job_row_names_the_list_and_its_filter_as_the_list_does(quanzhou, imported, reviewer_quanzhou):
    quanzhou.post(reverse("backoffice:reconcile_export"), {"list": "different", "diff": "level", "unit": "安溪"})
    job = _latest_job(reviewer_quanzhou)
    row = quanzhou.get(reverse("backoffice:export_status", args=[job.pk])).content.decode()
    assert "名单：信息不一致；单位：安溪；不一致项：报考级别" in row and job.row_count == 1


def test_the_job_is_requested_finished_and_audited_as_every_export(quanzhou, imported, reviewer_quanzhou):
    _apps, upload = imported
    quanzhou.post(reverse("backoffice:reconcile_export"), {"list": "national", "format": "csv"})
    job = _latest_job(reviewer_quanzhou)
    requested = AuditEvent.objects.get(event="export.requested", object_id=str(job.pk))
    assert requested.details["kind"] == "reconcile" and requested.details["full_numbers"] is False
    assert requested.details["filters"] == {"list": "national", "upload": upload.pk}
    finished = AuditEvent.objects.get(event="export.finished", object_id=str(job.pk))
    assert finished.details["rows"] == 3 and finished.details["format"] == "csv"


def test_the_file_masks_id_numbers_and_phones_by_the_rule_of_every_export(quanzhou, imported, reviewer_quanzhou):
    _apps, upload = imported
    quanzhou.post(reverse("backoffice:reconcile_export"), {"list": "national"})
    rows = _file_rows(_latest_job(reviewer_quanzhou))
    assert rows[0] == selectors.ROSTER_HEADER
    text = repr(rows)
    assert "施国" in text and "13900000009" not in text and "139****0009" in text
    number = RosterRow.objects.get(upload=upload, name="施国").id_number
    assert number not in text.upper() and (number[:4] + "*") in text.upper()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_site_may_ask_for_full_numbers_and_it_is_audited(quanzhou, imported, reviewer_quanzhou, fmt):
    _apps, upload = imported
    quanzhou.post(reverse("backoffice:reconcile_export"), {"list": "national", "full": "1", "format": fmt})
    job = _latest_job(reviewer_quanzhou)
    assert job.full_numbers and job.format == fmt
    rows = _file_rows(job)
    numbers = {row[2] for row in rows[1:]}
    assert numbers == set(RosterRow.objects.filter(upload=upload, kind="national").values_list("id_number", flat=True))
    assert "13900000009" in {row[8] for row in rows[1:]}
    assert AuditEvent.objects.get(event="export.requested", object_id=str(job.pk)).details["full_numbers"] is True


def test_a_registration_point_cannot_unmask_and_gets_no_job(client, roster, reviewer_anxi_bureau):
    _apps, rows = roster
    assert upload_and_import(reviewer_anxi_bureau, csv_bytes(HEADER_2020, rows)).ok
    client.force_login(reviewer_anxi_bureau)
    page = client.get(reverse("backoffice:reconcile_list"), {"list": "national"}).content.decode()
    assert 'id="export-xlsx"' in page and 'id="export-full"' not in page
    response = client.post(reverse("backoffice:reconcile_export"), {"list": "national", "full": "1"})
    assert response.status_code == 403
    assert not ExportJob.objects.exists()
    client.post(reverse("backoffice:reconcile_export"), {"list": "national"})
    assert ExportJob.objects.get(owner=reviewer_anxi_bureau).full_numbers is False


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_roster_cell_that_reads_as_a_formula_is_exported_as_text(quanzhou, roster, reviewer_quanzhou, fmt):
    """The 国网 roster is somebody else's file: a cell starting with = must not become a live formula."""
    _apps, rows = roster
    rows.append(line_2020(None, name="=HYPERLINK(\"http://x.example\",\"点击\")", id_number=person(12),
                          phone="13900000012"))
    assert upload_and_import(reviewer_quanzhou, csv_bytes(HEADER_2020, rows)).ok
    quanzhou.post(reverse("backoffice:reconcile_export"), {"list": "national", "format": fmt})
    job = _latest_job(reviewer_quanzhou)
    if fmt == "csv":
        with default_storage.open(job.file.name, "rb") as fh:
            assert "'=HYPERLINK(" in fh.read().decode("utf-8-sig")
    else:
        with default_storage.open(job.file.name, "rb") as fh:
            book = openpyxl.load_workbook(io.BytesIO(fh.read()))
        cells = [cell for row in book.worksheets[0].iter_rows() for cell in row if "HYPERLINK" in str(cell.value)]
        assert len(cells) == 1 and cells[0].data_type == "s" and cells[0].value.startswith("=HYPERLINK(")
        lines = [row[0].value for row in book.worksheets[0].iter_rows(min_row=2)]
        assert all(isinstance(line, int) for line in lines)  # 行号 stays a number


# --- the file holds the list's rows ---------------------------------------------------------------


def _shown(page, kind):
    """The list's rows as the file names them: 行号 of a roster list, (姓名, 报名号) of 只在省网."""
    if kind == "provincial":
        return [(missing.application.name, missing.application.number or "") for missing in page]
    return [row.line for row in page]


def _exported(rows, kind, fmt):
    if kind == "provincial":
        return [(row[0], row[7] or "") for row in rows[1:]]
    return [int(row[0]) for row in rows[1:]] if fmt == "csv" else [row[0] for row in rows[1:]]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("query", [
    {"list": "different"},
    {"list": "different", "diff": "level"},
    {"list": "different", "unit": "安溪"},
    {"list": "national", "q": "施"},
    {"list": "national", "unit": "安溪"},
    {"list": "provincial"},
    {"list": "provincial", "unit": "安溪县"},
    {"list": "provincial", "q": "无此人"},
    {"list": "unconfirmed"},
    {"list": "consistent"},
    {"list": "consistent", "diff": "bogus", "q": "无此人"},  # an invalid form filters nothing, on both
])
def test_the_file_holds_the_rows_the_list_shows(quanzhou, imported, reviewer_quanzhou, query, fmt):
    response = quanzhou.get(reverse("backoffice:reconcile_list"), query)
    page = response.context["page"]
    assert page.paginator.num_pages == 1
    shown = _shown(page, query["list"])
    posted = quanzhou.post(reverse("backoffice:reconcile_export"),
                           {**_export_form(response.content.decode()), "format": fmt})
    assert posted.status_code == 302
    job = _latest_job(reviewer_quanzhou)
    rows = _file_rows(job)
    assert job.row_count == len(shown) == len(rows) - 1
    assert _exported(rows, query["list"], fmt) == shown


def test_a_list_longer_than_a_chunk_is_written_whole_in_its_order(quanzhou, roster, reviewer_quanzhou, monkeypatch):
    _apps, rows = roster
    rows += [line_2020(None, name=f"国{n}", id_number=person(40 + n), phone="") for n in range(7)]
    assert upload_and_import(reviewer_quanzhou, csv_bytes(HEADER_2020, rows)).ok
    monkeypatch.setattr(selectors, "EXPORT_CHUNK", 3)
    progress = []
    show = runner._Progress.show
    monkeypatch.setattr(runner._Progress, "show", lambda self, percent: (progress.append(percent), show(self, percent)))
    quanzhou.post(reverse("backoffice:reconcile_export"), {"list": "national"})
    job = _latest_job(reviewer_quanzhou)
    expected = [row.line for row in list_queryset(RosterRow.objects.get(name="施国").upload, "national")]
    assert len(expected) == 10 and [row[0] for row in _file_rows(job)[1:]] == expected
    assert progress[:4] == [30, 60, 90, 99] and job.progress == 100


def test_the_old_link_goes_back_to_its_list(quanzhou, imported):
    response = quanzhou.get(reverse("backoffice:reconcile_export"), {"list": "different", "diff": "level",
                                                                      "format": "csv", "full": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:reconcile_list") + "?list=different&diff=level"
    assert not ExportJob.objects.exists()
    assert quanzhou.put(reverse("backoffice:reconcile_export")).status_code == 405


def test_an_export_without_a_roster_or_over_the_limit_says_why_on_the_list(quanzhou, imported, reviewer_quanzhou):
    for _ in range(3):
        ExportJobFactory(owner=reviewer_quanzhou, queued=True)
    response = quanzhou.post(reverse("backoffice:reconcile_export"), {"list": "different", "unit": "安溪"},
                             follow=True)
    assert response.redirect_chain[0][0] == reverse("backoffice:reconcile_list") + "?list=different&unit=%E5%AE%89%E6%BA%AA"
    assert "已有3个导出任务在进行中" in response.content.decode()
    assert ExportJob.objects.filter(kind=ExportKind.RECONCILE).count() == 0


def test_a_user_without_the_reconcile_function_or_export_cannot_ask(client, imported, reviewer_anxi_hospital, auditor):
    for user in (reviewer_anxi_hospital, auditor):
        client.force_login(user)
        assert client.post(reverse("backoffice:reconcile_export"), {"list": "national"}).status_code == 403
    assert not ExportJob.objects.exists()


def test_the_exports_page_does_not_offer_the_reconcile_kind(quanzhou, imported, reviewer_quanzhou):
    page = quanzhou.get(reverse("backoffice:exports")).content.decode()
    assert 'value="reconcile"' not in page
    response = quanzhou.post(reverse("backoffice:export_create"), {"kind": "reconcile", "format": "xlsx",
                                                                    "columns": "roster"})
    assert response.status_code == 400 and not ExportJob.objects.exists()
    with pytest.raises(ValidationError):  # nor does its service: only the reconcile app's task writes one
        export_services.export_request(actor=reviewer_quanzhou, kind=ExportKind.RECONCILE)
    assert not ExportJob.objects.exists()


# --- scope: the owner's, as the worker starts -------------------------------------------------------


def test_another_users_reconcile_job_does_not_exist_for_him(client, quanzhou, imported, reviewer_quanzhou,
                                                            reviewer_province):
    quanzhou.post(reverse("backoffice:reconcile_export"), {"list": "national"})
    job = _latest_job(reviewer_quanzhou)
    client.force_login(reviewer_province)
    for name in ("export_status", "export_download"):
        assert client.get(reverse(f"backoffice:{name}", args=[job.pk])).status_code == 404
    assert client.post(reverse("backoffice:export_delete", args=[job.pk])).status_code == 404
    assert str(job.pk) not in re.findall(r'id="export-job-(\d+)"', client.get(reverse("backoffice:exports")).content.decode())


def _queued_job(owner, upload, kind="national"):
    return ExportJobFactory(owner=owner, queued=True, kind=ExportKind.RECONCILE, format="xlsx",
                            filters={"list": kind, "upload": upload.pk})


def test_a_roster_replaced_before_the_worker_starts_is_not_exported(imported, roster, reviewer_quanzhou):
    _apps, upload = imported
    job = _queued_job(reviewer_quanzhou, upload)
    assert upload_and_import(reviewer_quanzhou, csv_bytes(HEADER_2020, roster[1])).ok  # replaces it
    runner.run_job(job.pk, write=write_roster_list)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and job.error == REPLACED_MESSAGE and not job.file


def test_a_job_of_an_owner_moved_to_another_org_is_refused(imported, reviewer_quanzhou, tree):
    _apps, upload = imported
    job = _queued_job(reviewer_quanzhou, upload)
    reviewer_quanzhou.org = tree["350100"]  # now a reviewer of 福州
    reviewer_quanzhou.save()
    runner.run_job(job.pk, write=write_roster_list)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and "不是您所在机构" in job.error and not job.file
    assert AuditEvent.objects.filter(event="export.failed", object_id=str(job.pk)).exists()


def test_the_exports_worker_does_not_write_a_reconcile_job(imported, reviewer_quanzhou):
    """Only the reconcile app's task knows the list: run_export's runner fails such a job, it writes no
    applications instead."""
    _apps, upload = imported
    job = _queued_job(reviewer_quanzhou, upload)
    runner.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and not job.file
