import io

import openpyxl
import pytest
import xlsxwriter

from prereg.core.sheets import CELL_LIMIT, SheetError, column_letter, read_table, text
from prereg.reconcile.roster_file import read_roster


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


# --- CSV line ends, cells the reader cannot tell apart (core.sheets.csv_rows) ---------------------


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8", "utf-8-sig"])
@pytest.mark.parametrize("end", ["\r", "\n", "\r\n"])
def test_a_csv_reads_alike_whatever_ends_its_lines(encoding, end):
    """CR alone: Excel for Mac's "CSV (Macintosh)"; LF: most programs; CR LF: Excel for Windows."""
    text = end.join(["代码,名称", '305,"内科学', '（呼吸）"', "", "306,外科学", ""])
    header, rows = read_table("a.csv", text.encode(encoding), max_rows=10)
    assert header == ["代码", "名称"]
    assert rows == [["305", f"内科学{end}（呼吸）"], ["306", "外科学"]]  # a quoted break stays in its cell


def test_a_mac_csv_with_a_line_break_in_a_quoted_header_cell():
    assert read_table("a.csv", '"证件\n号码",姓名\r1,甲\r'.encode(), max_rows=10) == (["证件\n号码", "姓名"], [["1", "甲"]])


def test_a_cr_alone_inside_a_cell_of_a_file_of_lf_lines_names_its_row():
    with pytest.raises(SheetError, match="^第3行的单元格中有单独的回车符，无法读取"):
        read_table("a.csv", "代码,名称\n305,内科学\n306,外\r科学\n".encode(), max_rows=10)


def test_a_quote_left_open_over_the_cell_limit_names_the_row_it_opens():
    lines = ["代码,名称", "305,内科学", '306,"外科学', *(f"{n},某某学" for n in range(20000))]
    with pytest.raises(SheetError, match=f"^第3行有单元格超过{CELL_LIMIT}个字符，无法读取：多为该行某个单元格以英文双引号开头"):
        read_table("a.csv", "\n".join(lines).encode(), max_rows=30000)


def test_a_cell_over_the_limit_is_refused_and_one_at_it_read():
    at_limit = "甲" * CELL_LIMIT
    assert read_table("a.csv", f"名称\n{at_limit}\n".encode(), max_rows=10)[1] == [[at_limit]]
    with pytest.raises(SheetError, match="^第2行有单元格超过"):
        read_table("a.csv", f"名称\n{at_limit}甲\n".encode(), max_rows=10)


def test_the_roster_reader_reads_csv_as_the_other_imports_do():
    """One CSV reader (core.sheets.csv_rows) for read_table and the 国网 roster: its rows numbered as Excel numbers them."""
    roster = read_roster("a.csv", "姓名,证件号码\r甲,1\r\r乙,2\r".encode("gb18030"), max_rows=10)
    assert roster.header == ["姓名", "证件号码"] and roster.lines == [(2, ["甲", "1"]), (4, ["乙", "2"])]
    with pytest.raises(SheetError, match="^第4行的单元格中有单独的回车符"):
        read_roster("a.csv", "姓名,证件号码\n甲,1\n\n乙\r,2\n".encode(), max_rows=10)


# --- xlsx cells every import reads alike ----------------------------------------------------------


def test_true_and_false_read_as_yes_and_no():
    """What a 是/否 column takes (启用, 单位审查权限, 有执业范围), and no English True in a message."""
    assert read_table("a.xlsx", _xlsx([["启用", "代码"], [True, False]]), max_rows=10)[1] == [["是", "否"]]
    assert text(True) == "是" and text(False) == "否" and text(1) == "1"


def test_a_formula_saved_without_its_value_is_refused_by_every_import():
    book = openpyxl.Workbook()
    book.active.append(["代码", "名称"])
    book.active.append(["305", '="内"&"科学"'])  # openpyxl saves no value beside it
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(SheetError, match="^第2行B列等单元格是公式，文件中没有保存公式的计算结果"):
        read_table("a.xlsx", buffer.getvalue(), max_rows=10)


def test_a_formula_with_its_value_saved_reads_as_its_value():
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["代码", "名称"])
    sheet.write_string(1, 0, "305")
    sheet.write_formula(1, 1, '="内"&"科学"', None, "内科学")
    book.close()
    assert read_table("a.xlsx", buffer.getvalue(), max_rows=10)[1] == [["305", "内科学"]]


@pytest.mark.parametrize("filename", ["a.csv", "a.xlsx"])
def test_a_column_named_twice_is_refused(filename):
    rows = [["代码", "名称", "", "", "名称"], ["305", "内科学", "", "", "外科学"]]
    content = _xlsx(rows) if filename.endswith(".xlsx") else "\n".join(",".join(r) for r in rows).encode()
    with pytest.raises(SheetError, match="^表头中“名称”出现了两次（B列和E列），无法确定读取哪一列"):
        read_table(filename, content, max_rows=10)


def test_columns_without_a_title_may_be_many():
    assert read_table("a.csv", b"a,,,b\n1,,,2\n", max_rows=10) == (["a", "", "", "b"], [["1", "", "", "2"]])


@pytest.mark.parametrize(("index", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (51, "AZ"), (52, "BA"), (702, "AAA")])
def test_column_letters_as_excel_shows_them(index, letters):
    assert column_letter(index) == letters
