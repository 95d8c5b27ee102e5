"""Security probe of 国网名单核对, round 2.

F1: the 只在国网 reminder SMS carried the roster's 姓名 cell, text the reviewer typed, under the system's
signature; it now names the person as we hold them (the draft's name, else the account's).
F2: a NUL in a roster cell failed the upload on PostgreSQL (JSONB cannot hold \\u0000) after the file of
full ID numbers was written, and nothing named the file; control characters were stored and listed as
they were on SQLite. Cells are read without NULs and kept as one line of text (core.sheets), and a
failed upload leaves no file. These run on SQLite and on PostgreSQL (make test-pg), where the NUL failed.
"""

import io

import pytest
import xlsxwriter
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from prereg.applications.models import Application, State
from prereg.notify.models import SmsMessage
from prereg.reconcile import services
from prereg.reconcile.models import ListKind, RosterRow, RosterUpload
from tests.reconcile.helpers import anxi_application, proposed_columns, upload_and_import

HEADER = ["姓名", "证件号码", "考点", "手机号"]


def xlsx_bytes(rows):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet()
    for r, row in enumerate([HEADER, *rows]):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


def fuzhou_draft(tree, year, name="曹操"):
    return anxi_application(tree, year, name, state=State.DRAFT, unit="35010201")


def kept_files() -> list[str]:
    try:
        return default_storage.listdir("reconcile")[1]
    except FileNotFoundError:
        return []


# --- F1: the reminder names the person as we hold them ------------------------------------------


@pytest.mark.parametrize("cell", ["=X", "请转账至6222000011112222"])
def test_the_national_reminder_names_the_draft_not_the_rosters_cell(client, tree, year, reviewer_fuzhou, cell):
    draft = fuzhou_draft(tree, year)
    result = upload_and_import(reviewer_fuzhou, xlsx_bytes([[cell, draft.id_number, "", "13900000001"]]),
                               name="roster.xlsx")
    assert result.ok, result.upload.errors
    row = RosterRow.objects.get(upload=result.upload, kind=ListKind.ONLY_NATIONAL)
    assert row.name == cell  # the list shows the roster as it is
    client.force_login(reviewer_fuzhou)
    client.post(reverse("backoffice:reconcile_remind"),
                {"list": "national", "ids": [row.pk], "upload": result.upload.pk})
    sms = SmsMessage.objects.get(purpose="reminder")
    assert sms.phone == draft.candidate.phone
    assert sms.text.startswith("【福建省卫生专业技术资格考试预报名系统】曹操您好：您已在中国卫生人才网报名")
    assert cell not in sms.text


def test_a_draft_without_a_name_yet_is_named_by_its_account(tree, year, reviewer_fuzhou):
    draft = fuzhou_draft(tree, year)
    Application.objects.filter(pk=draft.pk).update(name="")
    result = upload_and_import(reviewer_fuzhou, xlsx_bytes([["=X", draft.id_number, "", ""]]), name="roster.xlsx")
    row = RosterRow.objects.get(upload=result.upload)
    assert services.roster_remind(actor=reviewer_fuzhou, kind="national", keys=[row.pk])["sent"] == 1
    text = SmsMessage.objects.get(purpose="reminder").text
    assert f"】{draft.candidate.name}您好：" in text and "=X" not in text


# --- F2: control characters in the cells, and the kept file of a failed upload -------------------


def test_a_nul_in_a_cell_is_dropped_and_the_upload_holds(tree, year, reviewer_fuzhou):
    draft = fuzhou_draft(tree, year)
    content = f"姓\x00名,证件号码\n曹\x00操,{draft.id_number}\x00\n".encode()
    upload = services.roster_upload(actor=reviewer_fuzhou, file_name="nul.csv", content=content)
    assert upload.header == ["姓名", "证件号码"]
    assert "\x00" not in repr(upload.sample) and upload.sample[0][0] == "曹操"
    result = services.roster_import(actor=reviewer_fuzhou, upload_id=upload.pk, chosen=proposed_columns(upload))
    assert result.ok, result.upload.errors
    assert list(RosterRow.objects.values_list("name", "id_number", "application_id")) == [
        ("曹操", draft.id_number, draft.pk)]


def test_a_nul_upload_through_the_page_is_no_server_error(client, tree, year, reviewer_fuzhou):
    draft = fuzhou_draft(tree, year)
    client.force_login(reviewer_fuzhou)
    content = f"姓名,证件号码\n曹\x00操,{draft.id_number}\n".encode()
    response = client.post(reverse("backoffice:reconcile"), {"file": _file("nul.csv", content)})
    assert response.status_code == 302
    assert RosterUpload.objects.get(org=reviewer_fuzhou.org).header == ["姓名", "证件号码"]


def _file(name, content):
    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.mark.parametrize(("cell", "stored"), [
    ("曹\x1b[31m操", "曹[31m操"),
    ("曹\n操", "曹 操"),
    ("曹\t操", "曹 操"),
    ("曹\r\n操", "曹 操"),
    ("曹\x07\x08\x7f\x9b操", "曹操"),
])
def test_control_characters_are_not_kept_and_a_cell_is_one_line(tree, year, reviewer_fuzhou, cell, stored):
    draft = fuzhou_draft(tree, year)
    result = upload_and_import(reviewer_fuzhou, xlsx_bytes([[cell, draft.id_number, f"福州{cell}", ""]]),
                               name="roster.xlsx")
    assert result.ok, result.upload.errors
    row = RosterRow.objects.get(upload=result.upload)
    assert (row.name, row.site) == (stored, f"福州{stored}")


def test_the_header_and_the_sample_are_one_line_too(reviewer_fuzhou, year):
    upload = services.roster_upload(actor=reviewer_fuzhou, file_name="a.xlsx", content=xlsx_bytes(
        [["曹\x1b操", "350111199009091013", "福州\n鼓楼", ""]]))
    assert upload.sample[0][0] == "曹操" and upload.sample[0][2] == "福州 鼓楼"
    upload = services.roster_upload(actor=reviewer_fuzhou, file_name="a.csv",
                                    content='"姓\n名",证\x1b件号码\n曹操,350111199009091013\n'.encode())
    assert upload.header == ["姓 名", "证件号码"]


@pytest.mark.parametrize("failing", ["create", "record"])
def test_an_upload_that_fails_after_writing_its_file_leaves_no_file(tree, year, reviewer_fuzhou, monkeypatch,
                                                                      failing):
    class Refused(Exception):
        pass

    def refuse(*args, **kwargs):
        raise Refused

    if failing == "create":
        monkeypatch.setattr(RosterUpload.objects, "create", refuse)
    else:
        monkeypatch.setattr(services, "record", refuse)
    content = "姓名,证件号码\n曹操,350111199009091013\n".encode()
    with pytest.raises(Refused):
        services.roster_upload(actor=reviewer_fuzhou, file_name="a.csv", content=content)
    assert kept_files() == []
    assert not RosterUpload.objects.exists()
    monkeypatch.undo()
    upload = services.roster_upload(actor=reviewer_fuzhou, file_name="a.csv", content=content)
    assert kept_files() == [upload.file.name.split("/")[-1]]  # a good upload keeps its file
