"""Data probe of 国网名单核对: the province's 考点 in the roster's 考点 column, the roster the review
screen and 汇总提交 read, and the files government systems export (.xls, a title above the header,
ID numbers stored as numbers or in 15 digits, formulas without values, a header alone, too many
columns), with the row numbers Excel shows."""

import io
from pathlib import Path

import xlsxwriter

from prereg.accounts.models import Role
from prereg.applications.models import State
from prereg.reconcile.models import ListKind, RosterRow
from prereg.reconcile.selectors import list_queryset
from tests.factories import UserFactory
from tests.reconcile.helpers import (
    HEADER_2020,
    anxi_application,
    csv_bytes,
    line_2020,
    person,
    upload_and_import,
)

DATA = Path(__file__).parent / "data"
PROVINCE_SITE = "福建省卫生健康委员会"  # the 考点 of the province-direct units


def xlsx_bytes(header, rows, *, above=(), numbers=()):
    """An xlsx sheet: the rows `above` the header (a title, an export time), then the header and
    the rows; the columns named in `numbers` written as numbers."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, cells in enumerate([*above, header, *rows]):
        for c, value in enumerate(cells):
            if header[c] in numbers and r > len(above):
                sheet.write_number(r, c, int(value))
            else:
                sheet.write_string(r, c, value)
    if above:
        sheet.merge_range(0, 0, 0, len(header) - 1, above[0][0])
    book.close()
    return buffer.getvalue()


def counts(upload):
    return {kind: list_queryset(upload, kind).count() for kind in ListKind.values}


# --- 1. the province's 考点 is the province-direct units', not every org's ------------------------


def test_a_site_counts_the_lines_of_the_province_site_outside_its_scope(tree, year, reviewer_fuzhou):
    rows = [line_2020(None, name="省直甲", id_number=person(50), site=PROVINCE_SITE),
            line_2020(None, name="福州甲", id_number=person(51), site="福州市卫生健康委员会")]
    upload = upload_and_import(reviewer_fuzhou, csv_bytes(HEADER_2020, rows)).upload
    assert (upload.total_rows, upload.outside_rows) == (2, 1)
    assert [r.name for r in list_queryset(upload, ListKind.ONLY_NATIONAL)] == ["福州甲"]


def test_a_registration_point_keeps_the_lines_of_its_own_site_and_not_those_of_the_province(
        tree, year, reviewer_gulou_bureau):
    rows = [line_2020(None, name="省直甲", id_number=person(50), site=PROVINCE_SITE),
            line_2020(None, name="福州甲", id_number=person(51), site="福州市卫计委")]
    upload = upload_and_import(reviewer_gulou_bureau, csv_bytes(HEADER_2020, rows)).upload
    assert upload.outside_rows == 1
    assert [r.name for r in list_queryset(upload, ListKind.ONLY_NATIONAL)] == ["福州甲"]


def test_a_province_direct_registration_point_keeps_the_lines_of_the_province_site(tree, year):
    point = UserFactory(username="r35000001", role=Role.POINT, org=tree["35000001"])  # 福建省立医院
    rows = [line_2020(None, name="省直甲", id_number=person(50), site=PROVINCE_SITE),
            line_2020(None, name="福州甲", id_number=person(51), site="福州市卫生健康委员会")]
    upload = upload_and_import(point, csv_bytes(HEADER_2020, rows)).upload
    assert upload.outside_rows == 1
    assert [r.name for r in list_queryset(upload, ListKind.ONLY_NATIONAL)] == ["省直甲"]



def test_a_line_of_a_draft_here_naming_the_province_site_stays_in_scope(tree, year, reviewer_quanzhou):
    """The draft's unit decides, whatever the 考点 cell says."""
    draft = anxi_application(tree, year, "吴草", state=State.DRAFT)
    upload = upload_and_import(reviewer_quanzhou, csv_bytes(HEADER_2020, [
        line_2020(None, name="吴草", id_number=draft.id_number, site=PROVINCE_SITE)])).upload
    assert (upload.outside_rows, RosterRow.objects.get(upload=upload).application_id) == (0, draft.pk)
