"""The roster and full-record CSV written by PostgreSQL (COPY) have exactly the cells of the Python path."""

import csv
import datetime
import io

import pytest
from django.core.files.storage import default_storage

from prereg.applications import rowtext
from prereg.applications.models import (
    Application,
    AppointmentRow,
    OtherRow,
    RowText,
    Stage,
    State,
    TrainingRow,
    WorkRow,
)
from prereg.catalog.models import Specialty
from prereg.exports import csv_copy, services
from prereg.exports.columns import HEADERS, iter_rows
from prereg.exports.models import ColumnSet, ExportStatus

from .factories import make_application, spread

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
    make_children = [
        WorkRow(application=first, unit_name="=单位", title="医师", start=datetime.date(2010, 1, 1), order=0),
        WorkRow(application=first, unit_name='单位,"二"', title="", start=datetime.date(2012, 3, 1),
                end=datetime.date(2014, 5, 31), major="内科\n学", order=1),
        AppointmentRow(application=first, unit_name="院", post="-主治", qualification="中级",
                       start=datetime.date(2015, 1, 1), order=0),
        TrainingRow(application=first, kind="gp", certificate_no="@001", specialty="全科", base="基地",
                    start=datetime.date(2011, 1, 1), end=datetime.date(2013, 12, 31),
                    issued=datetime.date(2014, 1, 1), order=0),
        OtherRow(application=second, kind="=其他", note="", order=0),
    ]
    for row in make_children:
        row.save()
    return apps


def copied(queryset, full_numbers, copy=csv_copy.copy_roster):
    out = io.BytesIO()
    count = copy(queryset, out, full_numbers=full_numbers)
    return count, list(csv.reader(io.StringIO(out.getvalue().decode())))


def full_record_file(reviewer) -> str:
    """The text of a full-record CSV export job run for `reviewer`: done, one row per application of his scope."""
    job = services.export_request(actor=reviewer, kind="applications", format="csv", columns=ColumnSet.FULL)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    with default_storage.open(job.file.name, "rb") as fh:
        text = fh.read().decode("utf-8-sig")
    assert job.row_count == len(list(csv.DictReader(io.StringIO(text)))) == (
        Application.objects.visible_to(reviewer).count())
    return text


def python_rows(queryset, columns, full_numbers):
    return [[str(cell) for cell in row]
            for row in iter_rows(queryset, columns, full_numbers=full_numbers, csv_safe=True)]


@pytest.mark.parametrize("full_numbers", [False, True])
def test_copy_gives_the_cells_of_the_python_roster(postgres_only, awkward, reviewer_province, full_numbers):
    scope = Application.objects.visible_to(reviewer_province)
    count, rows = copied(scope, full_numbers)
    expected = python_rows(scope, ColumnSet.ROSTER, full_numbers)
    assert count == len(rows) == len(expected) == scope.count() > len(AWKWARD_NAMES)
    assert rows == expected
    names = {row[2] for row in rows}
    assert {"张,三", '李"四"', "王\n五", "'=SUM(A1)", "'-1+1", "'+86", "'@x", "'\t赵", ""} <= names
    units = {row[6] for row in rows}
    assert "'=安溪县医院" in units
    assert "'-001" in {row[9] for row in rows}
    if not full_numbers:
        assert {"G*******", "A*"} <= {row[4] for row in rows}
        assert {"123****4567", "******"} <= {row[5] for row in rows}


@pytest.mark.parametrize("full_numbers", [False, True])
def test_copy_gives_the_cells_of_the_python_full_record(postgres_only, awkward, reviewer_province, full_numbers):
    scope = Application.objects.visible_to(reviewer_province)
    # Half the applications have their child-row cells kept (a candidate saved rows), half are
    # read from their rows by the Python path and filled before the copy.
    rowtext.fill_missing(scope.filter(pk__in=[a.pk for a in awkward[::2]]))
    expected = python_rows(scope, ColumnSet.FULL, full_numbers)
    assert csv_copy.copy_full_record(scope, io.BytesIO(), full_numbers=full_numbers) is None
    rowtext.fill_missing(scope)
    count, rows = copied(scope, full_numbers, csv_copy.copy_full_record)
    assert count == len(rows) == len(expected) == scope.count() > len(AWKWARD_NAMES)
    assert rows == expected
    first = next(row for row in rows if row[1] == awkward[0].name)
    cells = dict(zip(HEADERS[ColumnSet.FULL], first, strict=True))
    assert cells["工作情况"].startswith("2010.01-至今 =单位 医师\n2012.03-2014.05 单位,\"二\" ")
    assert cells["全科医生规范化培训"] == "'@001 全科 基地 2011.01-2013.12"
    assert cells["现有资格聘任情况"] == "2015.01-至今 院 -主治 中级"
    assert (cells["邮编"], cells["执业变更情况"], cells["学信网在线验证码"]) == ("'=35000", "'-变更", "'+1234")
    assert cells["联系地址"] == '福州市"鼓楼区",\n五一路' and cells["退回原因"] == "'@退回\r\n重填"
    assert (cells["出生日期"], cells["现有资格取得年月"]) == ("1990-01-02", "2016.09")
    assert cells["审核通过时间"] == "2027-01-01 00:30"  # 16:30 UTC is half past midnight in Beijing
    second = next(row for row in rows if row[1] == awkward[1].name)
    assert dict(zip(HEADERS[ColumnSet.FULL], second, strict=True))["其他"] == "'=其他"


def test_a_row_changed_after_the_fill_sends_the_full_record_copy_round_again(postgres_only, tree, year,
                                                                             reviewer_quanzhou, monkeypatch):
    apps = spread(tree, year)
    WorkRow.objects.create(application=apps[0], unit_name="安溪县医院", start=datetime.date(2010, 1, 1))
    fills = []

    def fill_then_lose(queryset, **kwargs):
        # The first fill is overtaken by a candidate's save, which drops what it kept.
        fills.append(rowtext.BATCH)
        done = real_fill(queryset, **kwargs)
        if len(fills) == 1:
            RowText.objects.filter(pk=apps[0].pk).delete()
        return done

    real_fill = rowtext.fill_missing
    monkeypatch.setattr(rowtext, "fill_missing", fill_then_lose)
    rows = list(csv.DictReader(io.StringIO(full_record_file(reviewer_quanzhou))))
    assert len(fills) == 2
    mine = next(row for row in rows if row["报名号"] == apps[0].number)
    assert mine["工作情况"] == "2010.01-至今 安溪县医院"


def test_the_roster_csv_job_on_postgresql_is_one_copy_with_bom_and_header(postgres_only, tree, year,
                                                                          reviewer_quanzhou):
    spread(tree, year)
    job = services.export_request(actor=reviewer_quanzhou, kind="applications", format="csv",
                                  columns=ColumnSet.ROSTER)
    job.refresh_from_db()
    assert (job.status, job.progress) == (ExportStatus.DONE, 100)
    with default_storage.open(job.file.name, "rb") as fh:
        content = fh.read()
    assert content.startswith("\ufeff序号,报名号,姓名".encode())
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    scope = Application.objects.visible_to(reviewer_quanzhou)
    assert job.row_count == len(rows) == scope.count()
    assert [row["序号"] for row in rows] == [str(n) for n in range(1, len(rows) + 1)]
    assert [row["报名号"] for row in rows] == list(scope.order_by("pk").values_list("number", flat=True))


def test_postgresql_is_the_only_database_with_copy(db):
    from django.db import connection

    assert csv_copy.supported() == (connection.vendor == "postgresql")


def test_a_full_record_copy_that_never_completes_falls_back_to_python(postgres_only, tree, year, reviewer_quanzhou,
                                                                     monkeypatch):
    spread(tree, year)
    copies = []

    def always_lost(queryset, out, *, full_numbers):
        copies.append(full_numbers)
        out.write(b"half a line")
        return None

    monkeypatch.setattr(csv_copy, "copy_full_record", always_lost)
    text = full_record_file(reviewer_quanzhou)
    assert len(copies) == 3 and "half a line" not in text
