"""Tables users upload and download: the first sheet of an .xlsx file or a .csv file (UTF-8 or GB18030), as text.

One reader for every import (catalogue, eligibility rules, org tree, accounts, the 国网 roster):
python-calamine (a Rust reader; bench keys reconcile_s and org_import_s: 100,000 rows of eight
columns in 1.1 s of CPU where openpyxl's read-only mode took 10.4) reads the sheet; cells come back
as stripped text, a whole number typed as a number without its ".0", TRUE/FALSE as 是/否. A file
it cannot read whole (a CSV cell it cannot tell apart, a formula saved without its value, a
column named twice) raises SheetError, whose message the import's page shows.
"""

import csv
import datetime
import io
import re
import zipfile

from python_calamine import CalamineWorkbook

from prereg.core.validators import LINE_BREAK_RE

MAX_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # a zip bomb is refused before calamine opens it


# Characters that make a spreadsheet cell a formula (CSV injection). A CSV we write guards such a
# cell with a leading ' (csv_text); reading a table drops that guard again, so a file we exported
# imports as it was. An xlsx needs no guard: our writers store every string as a string (XLSX_OPTIONS).
FORMULA_START = frozenset("=+-@\t\r")
# xlsxwriter's options for every export: a typed text is never turned into a formula, a number or a link.
XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}


def csv_text(value):
    """A text cell a spreadsheet would read as a formula gets a leading ' (CSV injection); a number
    is left as it is."""
    if isinstance(value, str) and value[:1] in FORMULA_START:
        return "'" + value
    return value


class SheetError(Exception):
    """The file cannot be read as a table at all; the message is for the user."""


def read_table(filename: str, content: bytes, *, max_rows: int, max_bytes: int = MAX_BYTES):
    """(header, rows) as text cells, blank rows skipped: the first row's cells and every later row
    padded to the header's width."""
    header, body = None, []
    for row in sheet_rows(filename, content, max_bytes=max_bytes):
        cells = [unguarded(text(cell)) for cell in row]
        if not any(cells):
            continue
        if header is None:
            header = cells
            _refuse_a_column_named_twice(header)
        elif len(body) == max_rows:
            raise SheetError(f"数据行过多（不超过{max_rows}行）。")
        else:
            body.append(cells + [""] * (len(header) - len(cells)))
    if header is None:
        raise SheetError("文件是空的。")
    return header, body


def _refuse_a_column_named_twice(header: list[str]) -> None:
    """An import reads a column by its title: of two alike, one would be read and the other dropped."""
    first = {}
    for i, title in enumerate(header):
        if title and title in first:
            raise SheetError(f"表头中“{title}”出现了两次（{column_letter(first[title])}列和{column_letter(i)}列），"
                             "无法确定读取哪一列：请删去或改正其中一列后重新上传。")
        first.setdefault(title, i)


def column_letter(index: int) -> str:
    """The column's name as Excel shows it: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def sheet_rows(filename: str, content: bytes, *, max_bytes: int = MAX_BYTES, xls: bool = False):
    """The raw rows of an uploaded .xlsx or .csv file (and .xls where `xls`): the first sheet's cells from A1,
    or the CSV's records, without NULs (without_nul). By the file's name; too large, another type or
    unreadable raises SheetError."""
    if len(content) > max_bytes:
        raise SheetError(f"文件过大（不超过{max_bytes // (1024 * 1024)}MB）。")
    name = filename.lower()
    if name.endswith(".xlsx"):
        return without_nul(xlsx_rows(content))
    if xls and name.endswith(".xls"):
        return without_nul(xls_rows(content))
    if name.endswith(".csv"):
        return without_nul(csv_rows(content))
    raise SheetError("只支持 .xlsx、.xls 或 .csv 文件。" if xls else "只支持 .xlsx 或 .csv 文件。")


def without_nul(rows):
    """The rows with every NUL dropped from their text cells, for every import. A NUL shows nothing and no
    one types it (a program pads a field with it), yet PostgreSQL's text and JSONB cannot hold one: an
    import storing a cell before its field rules read it (the roster's header, its sample lines) failed
    with a server error, its file of ID numbers left behind (security probe, reconcile round 2). The
    other control characters can be stored: each import's field rules refuse them with their row, as
    the forms do (core.validators.clean_line), or the roster makes its cells one line (one_line)."""
    for row in rows:
        # str.replace returns the very string when there is no NUL (most cells: bench reconcile_s).
        yield [value.replace("\x00", "") if type(value) is str else value for value in row]


# Control characters (C0, DEL, C1) left once a cell's line breaks and tabs are spaces.
CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f]")


def one_line(cell: str) -> str:
    """A cell as one line of plain text, as a one-line form field takes it (core.validators.clean_text): a
    tab or a line break (an Alt+Enter, Windows's CR LF, a Unicode one) a space, any other control
    character (an escape, a backspace, an information separator) dropped rather than refused: for a
    table another system exported (the 国网 roster), whose cells are compared, listed and exported."""
    if cell.isprintable():  # most cells (bench reconcile_s); a full-width space is not, and reads on
        return cell
    return CONTROL_RE.sub("", LINE_BREAK_RE.sub(" ", cell.replace("\t", " ")))


# The csv module's limit of a cell (csv.field_size_limit(), left as it is: it is the process's). A CSV
# cell over it is refused; a sheet's cell never is (Excel's and calamine's limit: 32,767 characters).
CELL_LIMIT = 131072
# A CSV's first line up to its end (a quoted cell may hold a line break), looked for in its first
# FIRST_LINE_CHARS characters (a header is shorter).
FIRST_LINE = re.compile(r'(?:[^"\r\n]+|"[^"]*")*+')
FIRST_LINE_CHARS = 65536


def csv_rows(content: bytes):
    """The records of an uploaded CSV, as Excel reads them. A line ends as the file's first line
    ends: CR LF or LF (Excel for Windows, most programs), or a CR alone (Excel for Mac's "CSV
    (Macintosh)"). A line break inside a cell is quoted (as every program writes one); a stray CR
    in a file of LF lines, or a cell over CELL_LIMIT (most often a quote left open, which runs on
    to the end of the file), raises SheetError naming its row as Excel numbers it (a record from 1)."""
    text = decode_text(content)
    end = FIRST_LINE.match(text, 0, FIRST_LINE_CHARS).end()
    mac = text[end:end + 1] == "\r" and text[end + 1:end + 2] != "\n" and end < FIRST_LINE_CHARS
    # newline="" splits lines at \r, \n and \r\n alike; "\n" only at \n, a \r before it left to the reader.
    return _records(csv.reader(io.StringIO(text, newline="" if mac else "\n")))


def _records(reader):
    """The reader's records; a csv.Error as a SheetError naming the record it is in."""
    read = 0
    try:
        for row in reader:
            read += 1
            yield row
    except csv.Error as exc:
        raise SheetError(csv_error_text(read + 1, exc)) from exc


def csv_error_text(number: int, exc: csv.Error) -> str:
    if str(exc).startswith("field larger than field limit"):
        return (f"第{number}行有单元格超过{CELL_LIMIT}个字符，无法读取：多为该行某个单元格以英文双引号开头却没有"
                "结束的引号，其后的内容都并入了这一格。请检查该行后重新上传。")
    if str(exc).startswith("new-line character seen in unquoted field"):
        return (f"第{number}行的单元格中有单独的回车符，无法读取：请在Excel中打开该文件，另存为xlsx文件"
                "（或CSV文件）后重新上传。")
    return f"第{number}行无法按CSV格式读取：请在Excel中打开该文件，另存为xlsx文件后重新上传。"


def unguarded(cell: str) -> str:
    """A cell as it was before csv_text guarded it (a table we exported imports as it was)."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in FORMULA_START else cell


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # TRUE/FALSE typed in a sheet: what a 是/否 column takes (启用, 单位审查权限)
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a code typed as a number: 305.0 -> 305
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def decode_text(content: bytes) -> str:
    """An uploaded CSV's text: UTF-8 (with or without a BOM), else GB18030 (what Excel saves in China)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            pass
    raise SheetError("无法识别文件编码，请另存为UTF-8编码的CSV或使用xlsx文件。")


def xlsx_rows(content: bytes):
    """The raw cells of an .xlsx file's first sheet, row by row from A1 (calamine); a zip bomb, a damaged
    file or a formula saved without its value raises SheetError."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(member.file_size for member in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise SheetError("xlsx文件内容过大。")
            sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
            rows = sheet.to_python(skip_empty_area=False)
            unsaved = formula_without_value(archive)
    except SheetError:
        raise
    except Exception as exc:  # a damaged or foreign file fails in the zip reader or in calamine
        raise SheetError("无法读取该xlsx文件，请确认文件未损坏。") from exc
    if unsaved:
        column, row = unsaved
        raise SheetError(f"第{row}行{column}列等单元格是公式，文件中没有保存公式的计算结果（多见于程序生成的文件）："
                         "请在Excel中打开该文件并保存后重新上传。")
    return rows


# A cell of a sheet's XML holding a formula with no value saved (a file written by a program that
# computes none: calamine reads such a cell as empty). A text formula whose value is "" says t="str".
FORMULA_WITHOUT_VALUE = re.compile(
    rb'<c r="([A-Z]+)(\d+)"(?![^>]*\bt="str")[^>]*>\s*<f\b[^>]*(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>')
# The workbook's sheets in their order (<sheet name=… sheetId=… r:id="rId1"/>) and its relationships:
# read by pattern, as the sheet is, so no XML parser meets another system's file.
SHEET_LINK = re.compile(rb'<(?:\w+:)?sheet\b[^>]*\b(?:\w+:)?id="([^"]+)"')
RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
ATTRIBUTE = re.compile(rb'\b(Id|Target)="([^"]*)"')


def formula_without_value(archive) -> tuple[str, str] | None:
    """(column, row) of the first cell of the first sheet holding a formula without its value, or None.
    Excel saves each formula's value beside it; such a cell reads as empty (a name, a code, an ID
    number 为空), so every import refuses the file and says why."""
    try:
        data = archive.read(_first_sheet(archive))
    except (zipfile.BadZipFile, KeyError, StopIteration, TypeError):
        return None  # not a sheet this can read by pattern: calamine has read it
    match = FORMULA_WITHOUT_VALUE.search(data) if b"<f" in data else None
    return (match[1].decode(), match[2].decode()) if match else None


def _first_sheet(archive) -> str:
    """The part of the workbook's first sheet (the one calamine reads: get_sheet_by_index(0))."""
    first = SHEET_LINK.search(archive.read("xl/workbook.xml"))[1]
    links = (dict(ATTRIBUTE.findall(link)) for link in RELATIONSHIP.findall(archive.read("xl/_rels/workbook.xml.rels")))
    target = next(link[b"Target"] for link in links if link.get(b"Id") == first).decode()
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def xls_rows(content: bytes):
    """The raw cells of an .xls file's first sheet, row by row from A1 (calamine); a damaged file raises SheetError."""
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python(
            skip_empty_area=False)
    except Exception as exc:  # a damaged file, or a web page named .xls (some systems export one)
        raise SheetError("无法读取该xls文件：请在Excel中打开，另存为.xlsx后重新上传。") from exc


def template_csv(columns: list[str], rows: list[list[str]]) -> bytes:
    """A table users download (and import again: the catalogue, the org tree) as CSV: a BOM for
    Excel, every cell that would read as a formula guarded (what users typed is in it)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows([csv_text(value) for value in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def template_xlsx(sheet_name: str, columns: list[str], rows: list[list[str]], notes: list[str], *,
                  widths: dict[str, int] | None = None) -> bytes:
    """The same table as .xlsx: a bold header, every cell stored and formatted as text, and a second
    sheet 填写说明 with `notes`, a line a row."""
    # Deferred: every web process imports this module, few ever download a template.
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True, **XLSX_OPTIONS})
    sheet = book.add_worksheet(sheet_name)
    bold, text = book.add_format({"bold": True}), book.add_format({"num_format": "@"})
    for col, title in enumerate(columns):
        sheet.set_column(col, col, (widths or {}).get(title, 14), text)
        sheet.write_string(0, col, title, bold)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            sheet.write_string(r, col, value)
    notes_sheet = book.add_worksheet("填写说明")
    for r, line in enumerate(notes):
        notes_sheet.write_string(r, 0, line)
    book.close()
    return buffer.getvalue()
