"""Reading an uploaded 国网 roster: .xlsx, .xls (what the 考务管理系统 and many government systems
export) or .csv (UTF-8 or GB18030), the first sheet.

core.sheets.read_table reads the tables of the other imports, which we write ourselves (templates);
a roster is another system's export, and asks more of its reader: a title and an export time above
the header, the row numbers Excel shows (a user looks for the bad line there), an ID number Excel
stored as a number, and thousands of columns, which the mapping page would render one by one.
Each format is read by core.sheets' helpers (the zip-bomb check, formulas saved without their
values, the encodings and line ends of a CSV, a CSV guard dropped); only what a roster needs more
is here.
"""

from dataclasses import dataclass

from prereg.core.sheets import SheetError, sheet_rows, text, unguarded

from . import columns

MAX_COLUMNS = 100  # a 国网 export has a few dozen; the mapping page offers each column to each field
HEADER_ROWS = 10  # how far down the header is looked for
# Excel keeps 15 significant digits of a number: an 18-digit ID number typed as one has lost its last three.
EXACT_DIGITS = 10**15


@dataclass
class Roster:
    header: list[str]
    lines: list[tuple[int, list[str]]]  # (the row number Excel shows, its cells): the rows below the header


def read_roster(file_name: str, content: bytes, *, max_rows: int, remembered: dict | None = None) -> Roster:
    """The roster's header and its lines, blank rows skipped, every line padded to the header's
    width. The header is the first of the first rows that names 姓名 and 证件号码 (columns.is_header,
    or as the org named them last time: `remembered`), else the first row. Raises SheetError."""
    rows = sheet_rows(file_name, content, xls=True)
    filled = _filled(rows)
    top = []
    for number, cells in filled:
        top.append((number, cells))
        if len(top) == HEADER_ROWS or columns.is_header(cells, remembered):
            break
    if not top:
        raise SheetError("文件是空的。")
    at = next((i for i, (_n, cells) in enumerate(top) if columns.is_header(cells, remembered)), 0)
    header = top[at][1]
    below = [*top[at + 1:], *filled]
    if at == 0 and _texts(header) == 1 and any(_texts(cells) > 1 for _n, cells in below[:HEADER_ROWS]):
        title = next(c for c in header if c)[:30]
        raise SheetError(f"第{top[0][0]}行不是表头（只有“{title}”一格）：请删除表头上方的标题行，"
                         "使姓名、证件号码等列名在第一行后重新上传。")
    if len(below) > max_rows:
        raise SheetError(f"数据行过多（不超过{max_rows}行）。")
    width = max(len(cells) for cells in [header, *(cells for _n, cells in below)])
    if width > MAX_COLUMNS:  # unless the sheet's used range runs on past its columns
        width = max(_width(cells) for cells in [header, *(cells for _n, cells in below)])
    if width > MAX_COLUMNS:
        raise SheetError(f"名单有{width}列，超过{MAX_COLUMNS}列：请只保留姓名、证件号码等需要核对的列后重新上传。")
    if not below:
        raise SheetError("文件中没有数据行。")
    pad = [""] * width
    return Roster(header=(header + pad)[:width],
                  lines=[(n, cells if len(cells) == width else (cells + pad)[:width]) for n, cells in below])


def _filled(rows):
    """(row number, text cells) of the rows that hold any text. Rows of a sheet are counted from 1 as
    Excel shows them (calamine starts at A1: skip_empty_area=False); a CSV record is a row of Excel
    too, even one with a line break in a cell."""
    for number, row in enumerate(rows, start=1):
        cells = [unguarded(cell_text(value)) for value in row]
        if any(cells):
            yield number, cells


def cell_text(value) -> str:
    """A cell as text (core.sheets.text); a number of more than 15 digits as Excel shows it
    (3.50602196801119E+17), never as digits that look whole: its last ones are lost, and a rounded
    ID number may even pass the check character (columns.id_error names it)."""
    if type(value) is str:  # most cells: first (bench reconcile_s)
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= EXACT_DIGITS:
        return f"{value:.15G}"
    return text(value)


def _texts(cells) -> int:
    return sum(1 for cell in cells if cell)


def _width(cells) -> int:
    """Up to the last cell with text: a sheet's used range may run on past its columns."""
    return next((i + 1 for i in range(len(cells) - 1, -1, -1) if cells[i]), 0)
