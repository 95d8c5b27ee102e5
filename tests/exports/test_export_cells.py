"""The cells of the exports at their edges: in CSV quoted, guarded against formulas, masked; in
xlsx typed, never read as formulas, and the very cells xlsxwriter's own write_row gives; and the
full record's child rows read as they are when the export runs."""

import csv
import datetime
import io
import re
import zipfile

import openpyxl
import pytest
import xlsxwriter
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from prereg.applications.models import Application, EducationRow, Stage, State, TrainingRow, WorkRow
from prereg.catalog.models import Specialty
from prereg.exports import services
from prereg.exports.columns import HEADERS, iter_rows
from prereg.exports.models import ColumnSet, ExportStatus
from tests.factories import (
    AppointmentRowFactory,
    EducationRowFactory,
    OtherRowFactory,
    TrainingRowFactory,
    WorkRowFactory,
    make_application,
    spread,
)

AWKWARD_NAMES = ["张,三", '李"四"', "王\n五", "=SUM(A1)", "-1+1", "+86", "@x", "\t赵", "欧阳 娜娜", ""]


@pytest.fixture
def awkward(tree, year):
    """Applications whose cells need quoting, guarding or masking at their edges."""
    apps = spread(tree, year)
    for name in AWKWARD_NAMES:
        application = make_application(tree, year, "35052401", State.IN_REVIEW, Stage.POINT_CONFIRM, name=name or "x")
        if not name:
            Application.objects.filter(pk=application.pk).update(name="")
        apps.append(application)
    short, tiny, empty = apps[-3:]
    Application.objects.filter(pk=short.pk).update(id_number="G1234567", phone="1234567")  # 8 and 7 characters
    Application.objects.filter(pk=tiny.pk).update(id_number="AB", phone="123456")
    Application.objects.filter(pk=empty.pk).update(id_number="", phone="", number=None, unit=None)
    # A unit and a specialty whose names a spreadsheet would read as formulas.
    unit = tree["35052401"]
    unit.name = "=安溪县医院"
    unit.save(update_fields=["name"])
    specialty = Specialty.objects.filter(exam_year=year).first()
    Specialty.objects.filter(pk=specialty.pk).update(code="-001")
    Application.objects.filter(pk__in=[a.pk for a in apps[:3]]).update(specialty=specialty)
    # Typed texts and child rows of the full record at their edges too.
    first, second = apps[0], apps[1]
    Application.objects.filter(pk=first.pk).update(
        address='福州市"鼓楼区",\n五一路', postcode="=35000", practice_change="-变更", returned_reason="@退回\r\n重填",
        current_qualification="护师", current_qualification_date=datetime.date(2016, 9, 30),
        birth_date=datetime.date(1990, 1, 2), id_type="passport", approved_at=datetime.datetime(
            2026, 12, 31, 16, 30, tzinfo=datetime.UTC), chsi_code="+1234")
    Application.objects.filter(pk=second.pk).update(id_type="unknown-type")
    WorkRowFactory(application=first, unit_name="=单位", title="医师", start=datetime.date(2010, 1, 1), major="",
                   order=0)
    WorkRowFactory(application=first, unit_name='单位,"二"', title="", start=datetime.date(2012, 3, 1),
                   end=datetime.date(2014, 5, 31), major="内科\n学", order=1)
    AppointmentRowFactory(application=first, unit_name="院", post="-主治", qualification="中级",
                          start=datetime.date(2015, 1, 1), order=0)
    TrainingRowFactory(application=first, kind=TrainingRow.Kind.GENERAL_PRACTICE, certificate_no="@001",
                       specialty="全科", base="基地", start=datetime.date(2011, 1, 1), end=datetime.date(2013, 12, 31),
                       issued=datetime.date(2014, 1, 1), order=0)
    EducationRowFactory(application=first, kind=EducationRow.Kind.DEGREE, level="学士学位",
                        obtained=datetime.date(2012, 7, 1), school="=医大", study_form="全日制", major="护理学", order=0)
    OtherRowFactory(application=second, kind="=其他", note="", order=0)
    return apps


def csv_job_rows(reviewer, columns, **kwargs) -> list[list[str]]:
    """The rows of a CSV export job run for `reviewer`, header first: done, one row per
    application of his scope."""
    job = services.export_request(actor=reviewer, kind="applications", format="csv", columns=columns, **kwargs)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE, job.error
    with default_storage.open(job.file.name, "rb") as fh:
        content = fh.read()
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert job.row_count == len(rows) - 1 == Application.objects.visible_to(reviewer).count()
    return rows


def by_name(rows, name) -> dict:
    header = rows[0]
    return next(dict(zip(header, row, strict=True)) for row in rows[1:] if row[header.index("姓名")] == name)


@pytest.mark.parametrize("full_numbers", [False, True])
def test_the_roster_csv_quotes_guards_and_masks_its_cells(awkward, reviewer_province, full_numbers):
    rows = csv_job_rows(reviewer_province, ColumnSet.ROSTER, full_numbers=full_numbers)
    assert rows[0][:3] == ["序号", "报名号", "姓名"]
    assert [row[0] for row in rows[1:]] == [str(n) for n in range(1, len(rows))]
    scope = Application.objects.visible_to(reviewer_province).order_by("pk")
    assert [row[1] for row in rows[1:]] == [number or "" for number in scope.values_list("number", flat=True)]
    names = {row[2] for row in rows[1:]}
    assert {"张,三", '李"四"', "王\n五", "'=SUM(A1)", "'-1+1", "'+86", "'@x", "'\t赵", ""} <= names
    assert "'=安溪县医院" in {row[6] for row in rows[1:]}
    assert "'-001" in {row[9] for row in rows[1:]}
    short, tiny = by_name(rows, "'\t赵"), by_name(rows, "欧阳 娜娜")  # 8/7 and 2/6 characters
    numbers = [(row["证件编号"], row["手机号码"]) for row in (short, tiny)]
    if full_numbers:
        assert numbers == [("G1234567", "1234567"), ("AB", "123456")]
    else:
        assert numbers == [("G*******", "123****4567"), ("A*", "******")]


@pytest.mark.parametrize("full_numbers", [False, True])
def test_the_full_record_csv_shows_child_rows_and_guards_every_typed_text(awkward, reviewer_province,
                                                                          full_numbers):
    rows = csv_job_rows(reviewer_province, ColumnSet.FULL, full_numbers=full_numbers)
    first = by_name(rows, awkward[0].name)
    assert first["工作情况"] == "'=单位 医师 2010-01 - 至今\n单位,\"二\" 2012-03 - 2014-05 内科\n学"
    assert first["学位"] == "学士学位 2012-07 =医大 全日制 护理学"
    assert first["全科医生规范化培训"] == "'@001 全科 2011-01 - 2013-12 基地 2014-01"
    assert first["现有资格聘任情况"] == "院 -主治 中级 2015-01 - 至今"
    assert (first["学历"], first["住院医师规范化培训"], first["其他"]) == ("", "", "")
    # A masked export gives the year of birth and whether a 学信网 code was given only (F1).
    assert (first["邮编"], first["执业变更情况"]) == ("'=35000", "'-变更")
    assert first["学信网在线验证码"] == ("'+1234" if full_numbers else "已填写")
    assert first["联系地址"] == '福州市"鼓楼区",\n五一路' and first["退回原因"] == "'@退回\r\n重填"
    assert (first["出生日期"], first["现有资格取得年月"], first["证件类型"]) == (
        "1990-01-02" if full_numbers else "1990", "2016-09", "护照")
    assert first["审核通过时间"] == "2027-01-01 00:30"  # 16:30 UTC is half past midnight in Beijing
    second = by_name(rows, awkward[1].name)
    assert (second["其他"], second["证件类型"]) == ("'=其他", "unknown-type")
    assert "'=安溪县医院" in {row[rows[0].index("单位名称")] for row in rows[1:]}
    application = Application.objects.get(pk=awkward[0].pk)
    if full_numbers:
        assert (first["证件编号"], first["手机号码"]) == (application.id_number, application.phone)
    else:
        assert first["证件编号"] == application.id_number[:4] + "*" * 10 + application.id_number[-4:]
        assert first["手机号码"] == application.phone[:3] + "****" + application.phone[-4:]


def test_the_full_record_shows_the_rows_as_they_are_when_it_runs(tree, year, reviewer_province):
    application = make_application(tree, year, "35052401", children=True)
    assert by_name(csv_job_rows(reviewer_province, ColumnSet.FULL), application.name)["学历"].splitlines()[0] == (
        "本科 2012-07 福建医科大学 全日制 护理学")
    # Rows changed any way at all (here a queryset update, which sends no signal) show in the next export.
    EducationRow.objects.filter(application=application, order=0).update(school="厦门大学")
    WorkRow.objects.filter(application=application).delete()
    row = by_name(csv_job_rows(reviewer_province, ColumnSet.FULL), application.name)
    assert row["学历"].splitlines()[0] == "本科 2012-07 厦门大学 全日制 护理学"
    assert row["工作情况"] == ""


def xlsx_job_file(reviewer, columns, **kwargs) -> bytes:
    job = services.export_request(actor=reviewer, kind="applications", format="xlsx", columns=columns, **kwargs)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE, job.error
    assert job.row_count == Application.objects.visible_to(reviewer).count()
    with default_storage.open(job.file.name, "rb") as fh:
        return fh.read()


def sheet_data(content: bytes) -> str:
    """The cells of the first sheet, as the XML xlsxwriter wrote them."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    return re.search(r"<sheetData>.*</sheetData>", xml, re.S).group(0)


def written_by_write_row(path, headers, rows) -> bytes:
    """The rows written the generic way: xlsxwriter's write_row, which picks each cell's type and
    leaves an empty text out, with the export's header format and string options."""
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                          "strings_to_numbers": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, headers, workbook.add_format({"bold": True, "bg_color": "#EEF1F5", "border": 1}))
    for n, row in enumerate(rows, start=1):
        sheet.write_row(n, 0, row)
    workbook.close()
    with open(path, "rb") as fh:
        return fh.read()


@pytest.mark.parametrize("columns", [ColumnSet.ROSTER, ColumnSet.FULL, ColumnSet.ELIGIBILITY])
@pytest.mark.parametrize("full_numbers", [False, True])
def test_the_xlsx_holds_the_very_cells_write_row_gives_for_the_same_rows(awkward, reviewer_province, tmp_path,
                                                                       columns, full_numbers):
    content = xlsx_job_file(reviewer_province, columns, full_numbers=full_numbers)
    rows = iter_rows(Application.objects.visible_to(reviewer_province), columns, full_numbers=full_numbers)
    expected = written_by_write_row(tmp_path / "expected.xlsx", HEADERS[columns], rows)
    assert sheet_data(content) == sheet_data(expected)
    # constant_memory: strings inline in the sheet, no shared-string table held until the end.
    assert 't="inlineStr"' in sheet_data(content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert "xl/sharedStrings.xml" not in archive.namelist()


def test_the_full_record_xlsx_keeps_numbers_as_numbers_and_every_text_as_text(awkward, reviewer_province):
    content = xlsx_job_file(reviewer_province, ColumnSet.FULL)
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert header == HEADERS[ColumnSet.FULL]
    records = [dict(zip(header, row, strict=False)) for row in rows[1:]]
    assert len(records) == Application.objects.visible_to(reviewer_province).count()
    assert {record["提交次数"] for record in records} == {1}  # a number, as the count it is
    formula_like = next(record for record in records if record["姓名"] == "=SUM(A1)")
    assert formula_like["单位名称"] == "=安溪县医院"
    assert "-001" in {record["专业代码"] for record in records}  # text, not the number -1
    first = next(record for record in records if record["姓名"] == awkward[0].name)
    assert first["邮编"] == "=35000" and first["学信网在线验证码"] == "已填写"  # masked: the code is not given
    assert first["工作情况"] == "=单位 医师 2010-01 - 至今\n单位,\"二\" 2012-03 - 2014-05 内科\n学"
    assert (first["学历"], first["其他"]) == (None, None)  # an empty text is no cell at all
    application = Application.objects.get(pk=awkward[0].pk)
    assert first["证件编号"] == application.id_number[:4] + "*" * 10 + application.id_number[-4:]
    assert first["手机号码"] == application.phone[:3] + "****" + application.phone[-4:]
    assert first["审核通过时间"] == "2027-01-01 00:30"


def full_record_queries(scope) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert list(iter_rows(scope, ColumnSet.FULL, full_numbers=False))
    return len(queries)


def test_the_full_record_reads_each_child_table_once_per_chunk_not_once_per_application(tree, year):
    for _ in range(2):
        make_application(tree, year, "35052401", children=True)
    two = full_record_queries(Application.objects.all())
    for _ in range(4):
        make_application(tree, year, "35052401", children=True)
    assert full_record_queries(Application.objects.all()) == two
