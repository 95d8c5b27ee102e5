"""The roster CSV written by PostgreSQL (COPY) has exactly the cells of the Python path."""

import csv
import io

import pytest
from django.core.files.storage import default_storage

from prereg.applications.models import Application, Stage, State
from prereg.catalog.models import Specialty
from prereg.exports import roster_copy, services
from prereg.exports.columns import iter_rows
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
    return apps


def copied(queryset, full_numbers):
    out = io.BytesIO()
    count = roster_copy.copy_roster(queryset, out, full_numbers=full_numbers)
    return count, list(csv.reader(io.StringIO(out.getvalue().decode())))


@pytest.mark.parametrize("full_numbers", [False, True])
def test_copy_gives_the_cells_of_the_python_roster(postgres_only, awkward, reviewer_province, full_numbers):
    scope = Application.objects.visible_to(reviewer_province)
    count, rows = copied(scope, full_numbers)
    expected = [[str(cell) for cell in row]
                for row in iter_rows(scope, ColumnSet.ROSTER, full_numbers=full_numbers, csv_safe=True)]
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

    assert roster_copy.supported() == (connection.vendor == "postgresql")
