"""Control characters in the cells of an uploaded table (core.sheets), for every import: a NUL is dropped
as the file is read (no one types one; PostgreSQL's text and JSONB cannot hold one, and an import that
stored a cell before its field rules read it failed with a server error: security probe, reconcile round
2). The other control characters are left to each import's field rules, which refuse them with their row
as the forms do; core.sheets.one_line makes a cell one line for the roster, as clean_text does a field."""

import io

import pytest
import xlsxwriter
from django.contrib.auth import get_user_model

from prereg.catalog import staff_import
from prereg.core import sheets as core_sheets
from prereg.core.sheets import read_table
from prereg.reconcile.roster_file import read_roster
from tests.accounts.test_staff_import import account, current_year, sheet  # noqa: F401 (a fixture)

User = get_user_model()


def _xlsx(rows):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet_ = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet_.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


def _csv(rows):
    return "\n".join(",".join(row) for row in rows).encode()


@pytest.mark.parametrize(("name", "build"), [("a.csv", _csv), ("a.xlsx", _xlsx)])
def test_every_reader_drops_a_nul(name, build):
    rows = [["代\x00码", "名称"], ["305\x00", "内\x00科学"], ["\x00", "\x00"]]
    header, body = read_table(name, build(rows), max_rows=10)
    assert (header, body) == (["代码", "名称"], [["305", "内科学"]])  # a row of NULs alone is blank
    roster = read_roster(name, build(rows), max_rows=10)
    assert (roster.header, roster.lines) == (["代码", "名称"], [(2, ["305", "内科学"])])


def test_other_control_characters_are_left_to_the_field_rules():
    header, body = read_table("a.csv", _csv([["代码", "名称"], ["305", "内\x1b科学"]]), max_rows=10)
    assert body == [["305", "内\x1b科学"]]


@pytest.mark.usefixtures("current_year")
def test_an_import_takes_a_cell_with_a_nul_as_it_shows(reviewer_province):
    result = staff_import.staff_import(actor=reviewer_province, filename="a.csv", content=sheet(
        account("35020007", "350200", "考点", "洪\x00雅", "", "科长\x00")))
    assert result.ok, result.errors
    user = User.objects.get(username="35020007")
    assert (user.name, user.title) == ("洪雅", "科长")


@pytest.mark.parametrize(("cell", "line"), [
    ("内科学", "内科学"),
    ("内\u3000科学", "内\u3000科学"),  # not printable, not a control character: kept
    ("内\n科学", "内 科学"),
    ("内\r\n科学", "内 科学"),
    ("内\t科学", "内 科学"),
    ("内\v\f\x85\u2028\u2029科学", "内     科学"),
    ("内\x00\x01\x1b\x1f\x7f\x9b科学", "内科学"),
])
def test_one_line(cell, line):
    assert core_sheets.one_line(cell) == line
