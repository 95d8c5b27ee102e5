import io

import pytest
import xlsxwriter

from prereg.core.sheets import SheetError, read_table


def _xlsx(rows):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def test_xlsx_cells_come_back_as_text_numbers_without_their_point():
    header, rows = read_table("a.xlsx", _xlsx([["代码", "名称"], [305, " 内科学 "], [], [3.5, None]]), max_rows=10)
    assert header == ["代码", "名称"]
    assert rows == [["305", "内科学"], ["3.5", ""]]


def test_csv_in_gb18030_and_utf8_with_bom_read_alike():
    text = "代码,名称\n305,内科学\n"
    for encoded in (text.encode("gb18030"), "\ufeff".encode() + text.encode()):
        assert read_table("a.csv", encoded, max_rows=10) == (["代码", "名称"], [["305", "内科学"]])


@pytest.mark.parametrize("filename, content, message", [
    ("a.txt", b"x", "只支持"),
    ("a.xlsx", b"not a zip", "无法读取"),
    ("a.csv", b"", "空的"),
    ("a.csv", b"h\n1\n2\n3\n", "数据行过多"),
])
def test_unreadable_files_say_why_in_chinese(filename, content, message):
    with pytest.raises(SheetError, match=message):
        read_table(filename, content, max_rows=2)
