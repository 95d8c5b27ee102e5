"""The confirmation form (预报名审核确认单, candidate manual section 七) as a PDF.

Drawn on a reportlab canvas, a row of cells at a time, from eight ORM queries (`load`). An ordinary
form is one A4 sheet; a longer one breaks between rows, its pages numbered (`_Sheet`). Every value
fits its cell whatever its length: one line when it fits, else wrapped by reportlab's Paragraph and
shrunk a step at a time while it takes more than `MAX_LINES` lines; the row grows to its tallest
value (`_fit`). Nothing is cut. The QR code leads to the form's verify page; it is the qrcode
library's module matrix drawn as one vector path. The text is set in WenQuanYi Micro Hei, embedded
as a subset, so the form prints the same in every viewer (`font_name`).
"""

from __future__ import annotations

import functools
import importlib.resources
import io
import itertools
import logging
from dataclasses import dataclass
from xml.sax.saxutils import escape

import qrcode
from django.core import signing
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph

from prereg.accounts.models import IdType
from prereg.core.masking import birth_text, chsi_text, mask_id_number, mask_phone

from .models import (
    STAGE_ORDER,
    STAGE_ORG_FIELD,
    Application,
    ApplicationImage,
    AppointmentRow,
    EducationRow,
    ImageSlot,
    OtherRow,
    ReviewAction,
    ReviewLog,
    Stage,
    TrainingRow,
    WorkRow,
)
from .sections import ROW_SECTION_TITLES, ROW_TABLES, RowTable, rows_by_table, tables_of
from .values import month_text, plain_text

logger = logging.getLogger(__name__)

ID_TYPES = dict(IdType.choices)

# One A4 sheet holds an ordinary form (a few rows of each table, the demo's and most candidates'):
# the candidate takes it to his unit for signature and stamp, and a second sheet for the last lines
# was a nuisance and could be lost. Hence rows of 5 mm for 9-point text (the smallest size of the
# form's own texts; only an overlong value shrinks below it, `_fit`), margins of 12 mm at the sides
# and 10 at the top, and the foot's 13 mm shared with the page line (`FOOT_Y`). A longer form runs
# on, numbered (`_Sheet.end_page`).
PAGE_W, PAGE_H = A4
MARGIN = 12 * mm  # left and right
WIDTH = PAGE_W - 2 * MARGIN
TOP = PAGE_H - 10 * mm
BOTTOM = 13 * mm  # the lowest a row goes
FOOT_Y = 7 * mm  # the baseline of the page line under it: name, number, 第k页 共n页
ROW_H = 5 * mm
FONT_SIZE = 9
QR_SIZE = 22 * mm
REVIEW_BOX_H = 30 * mm  # room for a stamp
SIGN_H = 10 * mm  # the row of the candidate's promise and signature
VERIFY_SALT = "prereg.confirmation"

# The font. A PDF that names a font without embedding it (STSong-Light, Helvetica) is drawn with
# whatever the viewer substitutes, whose glyph widths differ from the ones the layout measured: a
# value measured to fit ran into the next cell. So the font is embedded (reportlab embeds a subset
# of a TrueType font), and it must be there on a fresh machine where `make run` has only Python and
# PyPI. The CJK fonts of Debian (fonts-noto-cjk) and of most PyPI packages are OpenType with CFF
# outlines, which reportlab cannot embed; WenQuanYi Micro Hei has TrueType outlines, covers GB 2312
# and more, digits and Latin letters included, and is free to redistribute and embed (Apache 2.0 or
# GPLv3 with the font exception). PyPI's paperang-p2-fonts-cjk ships just that file, hence that
# dependency. Without it (a broken install) the form falls back to the CID font STSong-Light, which
# viewers resolve with a font of their own, and says so in the log.
FONT = "WenQuanYiMicroHei"
FONT_PACKAGE, FONT_FILE = "paperang_p2_fonts_cjk", "fonts/wqy-microhei.ttc"
FALLBACK_FONT = "STSong-Light"


@functools.cache
def font_name() -> str:
    """The form's font, registered once per process (it is read from a 5 MB file)."""
    try:
        with importlib.resources.as_file(importlib.resources.files(FONT_PACKAGE) / FONT_FILE) as path:
            # The .ttc's first face (the proportional one). Codes are given in order of first use, not
            # ASCII at its own codes: a form's 200-odd distinct characters then fit one 256-code subset
            # instead of two, one font subset less to build per form (`pdf_render_cpu_ms`, bench pdf).
            font = TTFont(FONT, str(path), subfontIndex=0, asciiReadable=False)
    except (ModuleNotFoundError, OSError, TTFError) as exc:
        logger.warning("confirmation PDF: the font %s of %s is not usable (%s); falling back to %s, "
                       "which is not embedded: the form will look different in each viewer",
                       FONT_FILE, FONT_PACKAGE, exc, FALLBACK_FONT)
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
        return FALLBACK_FONT
    pdfmetrics.registerFont(font)
    return FONT


# The QR code carries the signature's first 16 characters (96 bits): a link of ~60 characters is a
# version 4 code instead of 6, its modules a quarter larger on paper (easier to scan from a print)
# and drawn in 0.6 ms less (`pdf_qr_cpu_ms`, bench pdf). Forms printed with the whole signature
# still verify (`is_genuine`).
TOKEN_LENGTH = 16


def _signature(number) -> str:
    return signing.Signer(salt=VERIFY_SALT).sign(number).split(":", 1)[1]


def verify_token(application) -> str:
    return _signature(application.number)[:TOKEN_LENGTH]


def is_genuine(application, token) -> bool:
    """Whether `token` was printed on a form of `application`: the signature or its first 16 characters."""
    return len(token) >= TOKEN_LENGTH and constant_time_compare(_signature(application.number)[:len(token)], token)


def verify_path(application) -> str:
    return reverse("files:verify", args=[application.number, verify_token(application)])


# --- reads ------------------------------------------------------------------------------------------

# What the form prints of the application and of its catalogue entries and orgs. Naming the
# columns (`only`) makes that read 1.4 ms of CPU instead of 2.4 with every column of the twelve
# joined tables (of `pdf_load_cpu_ms`, bench pdf).
RELATED = ("exam_year", "ethnicity", "unit", "level", "qualification", "category", "scope", "specialty",
           *STAGE_ORG_FIELD.values())
FIELDS = ("number", "name", "gender", "id_type", "id_number", "birth_date", "postcode", "phone", "address",
          "chsi_code", "practice_change", "current_qualification", "current_qualification_date", "submission_round",
          "exam_year__name", "exam_year__cutoff_date", *(f"{entry}__name" for entry in RELATED[1:]),
          *(f"{org}__short_name" for org in STAGE_ORG_FIELD.values()))


@dataclass
class FormData:
    """Everything the form prints, read in one go (no lazy relation left to query)."""

    application: Application
    photo: str  # storage name of the photo's thumbnail (or file), "" when there is none
    rows: dict  # row table key -> the application's rows of it, in order
    approvals: dict  # stage -> the ReviewLog of its approval in the current round


def load(application) -> FormData:
    """The form's data in eight plain queries: the application, its photo's name, its five row
    models (sections.ROW_TABLES) and this round's approvals. (The photo as a subquery of the first
    read cost 1.1 ms more of CPU to compile than this query of its own: `pdf_load_cpu_ms`, bench pdf.)"""
    application = Application.objects.select_related(*RELATED).only(*FIELDS).get(pk=application.pk)
    photo = (ApplicationImage.objects.filter(application_id=application.pk, slot=ImageSlot.PHOTO)
             .values_list("thumbnail", "file").order_by("-pk").first())
    rows = rows_by_table(application)
    for row in rows["appointment"]:
        row.application = application  # its duration runs to the year's cut-off, read above
    approvals = ReviewLog.objects.filter(application_id=application.pk, action=ReviewAction.APPROVE,
                                         submission_round=application.submission_round)
    return FormData(
        application=application,
        photo=(photo[0] or photo[1]) if photo else "",
        rows=rows,
        approvals={log.stage: log for log in approvals},  # in order of time: the last one counts
    )


# --- drawing ----------------------------------------------------------------------------------------

PAD = 2  # a value's distance from its cell's left and right edges
VPAD = 2  # a wrapped value's distance from its row's top and bottom
LEADING = 1.2  # line height of wrapped text, per point of font size
MAX_LINES = 3  # a longer value is shrunk a step at a time, down to MIN_FONT_SIZE, to take no more
MIN_FONT_SIZE = 6  # the smallest size still read easily on paper: below it, the row grows instead
TEXT_DY = -ROW_H / 2 - 0.3 * FONT_SIZE  # a one-line value's baseline below its row's top: the glyphs centred


@functools.cache
def _style(font, size) -> ParagraphStyle:
    return ParagraphStyle(f"cell-{size}", fontName=font, fontSize=size, leading=size * LEADING, wordWrap="CJK")


@dataclass(frozen=True)
class _Text:
    """A value laid out for the width of its cell: one line (`paragraph` None), or wrapped lines."""

    value: str
    size: float
    height: float
    paragraph: Paragraph | None = None


def _fit(value, width, size=FONT_SIZE, max_lines=MAX_LINES) -> _Text:
    """`value` in `width`, whole: wrap, then shrink.

    One line when it fits (the common case). Else reportlab's Paragraph wraps it (wordWrap CJK: a
    break may fall between any two characters, Latin runs included), a point smaller at a time
    while it takes more than `max_lines` lines; at MIN_FONT_SIZE it takes the lines it needs and
    its row grows.
    """
    value = " ".join(str(value).split())  # a typed line break or tab would print as a missing glyph
    font = font_name()
    if pdfmetrics.stringWidth(value, font, size) <= width:
        return _Text(value, size, size)
    while True:
        paragraph = Paragraph(escape(value), _style(font, size))
        _, height = paragraph.wrap(width, PAGE_H)
        if height <= max_lines * size * LEADING + 0.01 or size <= MIN_FONT_SIZE:
            return _Text(value, size, height, paragraph)
        size = max(size - 1, MIN_FONT_SIZE)


def _cells(fractions) -> list[tuple[float, float]]:
    """Cells of one row across the page: x of each cell and its width."""
    widths = [fraction * WIDTH for fraction in fractions]
    return list(zip(itertools.accumulate([MARGIN, *widths[:-1]]), widths, strict=True))


FULL = _cells([1])
PHOTO_W = 0.18
BASIC = _cells([(1 - PHOTO_W) * f for f in (0.17, 0.33, 0.17, 0.33)])
PAIRS = _cells([0.17, 0.33, 0.17, 0.33])
# The row tables (sections.ROW_TABLES) as the source's form prints them (candidate manual 七): 序号,
# then the table's columns under their labels, a date as its month, start and end as one span
# (时间); 学历 or 学位 over the level; 聘任 adds its 聘任年限. The widths of each model's cells, 序号 first.
WIDTHS = {WorkRow: (0.07, 0.33, 0.18, 0.24, 0.18), EducationRow: (0.07, 0.17, 0.12, 0.3, 0.14, 0.2),
          AppointmentRow: (0.07, 0.25, 0.16, 0.18, 0.2, 0.14), TrainingRow: (0.07, 0.2, 0.16, 0.2, 0.25, 0.12),
          OtherRow: (0.07, 0.3, 0.63)}
TITLE = "福建省卫生专业技术资格考试预报名审核确认单"
PROMISE = "考生承诺：所有填报及上传的信息均真实、合法、有效；两表信息内容一致。如有不实，考生承担相应责任。"
SIGNATURE = "考生签名："
SIGN_CELLS = _cells([0.72, 0.28])  # the promise, and the room to sign beside it
# 注意事项(一) of the notice: the form is one of two; registering on one site only is not registering.
NATIONAL_RULE = ("注意：考生须在规定时间内同时完成省网（本系统）和国网（中国卫生人才网，www.21wecan.com）的网上报名"
                 "及单位审查，只在一个网站报名的，视为未报名。")
# 审查意见 boxes: the level's label on top; the org's name and the opinion below it, each wrapped
# to the box; the date and the stamp line at the foot.
REVIEW_TEXT_TOP = 15  # below the box's top
REVIEW_FOOT = 22  # the date and stamp lines, above the box's bottom


FOOT_SIZE = 8
PAGES_FORM = "pages"  # the form XObject of "共n页", drawn on each page and defined once n is known


class _Sheet:
    """A cursor down the pages of a canvas: rows of cells, a new page when one is full.

    Each page ends with a line naming the form (`foot`: the candidate's name and number) and 第k页
    共n页, so that a sheet of a longer form is matched to the others. n is known only at the end: the
    pages draw "共n页" as a form XObject (reportlab's `doForm`, which may name a form defined later)
    that `finish` defines.
    """

    def __init__(self, c, font, foot):
        self.c, self.font, self.foot = c, font, foot
        self.y = TOP
        self.text = None  # the page's one-line values, drawn as one text object by `end_page`
        self.size = None  # the text object's font size
        c.setLineWidth(0.5)

    def fits(self, height):
        return self.y - height >= BOTTOM

    def ensure(self, height):
        if not self.fits(height):
            self.new_page()

    def new_page(self):
        self.end_page()
        self.c.setLineWidth(0.5)
        self.y = TOP

    def end_page(self):
        size = FOOT_SIZE
        number = f"第{self.c.getPageNumber()}页 "
        x = PAGE_W - MARGIN - pdfmetrics.stringWidth(f"{number}共99页", self.font, size)
        # one line, made smaller for a name at its longest (50 characters)
        foot_size = min(size, (x - MARGIN - 10) / pdfmetrics.stringWidth(self.foot, self.font, 1))
        self.write(MARGIN, FOOT_Y, self.foot, foot_size)
        self.write(x, FOOT_Y, number, size)
        self.c.drawText(self.text)
        self.text = None
        self.c.saveState()
        self.c.translate(x + pdfmetrics.stringWidth(number, self.font, size), FOOT_Y)
        self.c.doForm(PAGES_FORM)
        self.c.restoreState()
        self.c.showPage()

    def finish(self):
        """Ends the last page and defines the pages' "共n页"."""
        pages = self.c.getPageNumber()
        self.end_page()
        self.c.beginForm(PAGES_FORM)
        text = self.c.beginText(0, 0)
        text.setFont(self.font, FOOT_SIZE)
        text.textOut(f"共{pages}页")
        self.c.drawText(text)
        self.c.endForm()

    def write(self, x, y, value, size=FONT_SIZE):
        """One line of text, its baseline at y (for fixed texts known to fit; values go through `draw`).
        The page's lines go into one text object, its font set only where the size changes: a
        text object a line cost 0.6 ms of CPU more a form (`pdf_render_cpu_ms`, bench pdf)."""
        if self.text is None:
            self.text, self.size = self.c.beginText(), None
        if size != self.size:
            self.text.setFont(self.font, size)
            self.size = size
        self.text.setTextOrigin(x, y)
        self.text.textOut(value)

    def draw(self, text: _Text, x, top, baseline):
        """A fitted value from `top` down; on `baseline` when it is one line."""
        if text.paragraph is not None:
            text.paragraph.drawOn(self.c, x, top - text.height)
        elif text.value:
            self.write(x, baseline, text.value, text.size)

    @staticmethod
    def measure(cells: list, values):
        """The fitted values of a row (None for an empty cell) and the row's height."""
        texts = [_fit(value, w - 2 * PAD) if value else None
                 for (_, w), value in zip(cells, values, strict=True)]
        wrapped = [text.height + 2 * VPAD for text in texts if text is not None and text.paragraph is not None]
        return texts, max([ROW_H, *wrapped])

    def row(self, cells: list, measured, header=False):
        """A grid row of `measured` values (see `measure`), a grey band when `header`."""
        texts, height = measured
        self.ensure(height)
        top, self.y = self.y, self.y - height
        if header:
            self.c.setFillGray(0.92)
            (left, _), (x, w) = cells[0], cells[-1]
            self.c.rect(left, self.y, x + w - left, height, stroke=0, fill=1)
            self.c.setFillGray(0)
        for (x, w), text in zip(cells, texts, strict=True):
            self.c.rect(x, self.y, w, height)
            if text is not None:
                self.draw(text, x + PAD, top - VPAD, top + TEXT_DY)

    def band(self, title, cells=FULL):
        self.row(cells, self.measure(cells, [title]), header=True)

    def pairs(self, title, cells: list, rows, band_cells=FULL):
        """A band and rows of label/value pairs, kept together on one page; returns the band's top."""
        measured = [self.measure(cells, row) for row in rows]
        self.ensure(ROW_H + sum(height for _, height in measured))
        top = self.y
        self.band(title, band_cells)
        for row in measured:
            self.row(cells, row)
        return top

    def table(self, band, headers, cells: list, rows, continued, keep=0):
        """A band (a measured row, None: none), a header row and one numbered row per entry.

        A row is never split: one that does not fit goes to a new page, under the band `continued`
        and the header row again. Never a band or a header row alone at a page's foot, and the last
        row (or the header row of an empty table) with `keep` more height below it on its page.
        """
        header = self.measure(cells, headers)
        measured = [self.measure(cells, [str(i), *values]) for i, values in enumerate(rows, 1)]
        first = measured[0][1] if measured else 0
        if not self.fits((band[1] if band else 0) + header[1] + first + (keep if len(measured) <= 1 else 0)):
            self.new_page()
            band = band or self.measure(FULL, [continued])  # the second table of a section: its title
        if band:
            self.row(FULL, band, header=True)
        self.row(cells, header)
        for i, row in enumerate(measured, 1):
            if not self.fits(row[1] + (keep if i == len(measured) else 0)):
                self.new_page()
                self.band(continued)
                self.row(cells, header)
            self.row(cells, row)

    @staticmethod
    def measure_review(application, approvals):
        """The 审查意见 boxes' contents (per level its org and, once it approved, its opinion and the
        approval) and their height: they grow to the longest of them."""
        width = WIDTH / 4 - 2 * PAD
        contents = []
        for stage in STAGE_ORDER:
            org = application.org_at(stage)
            approval = approvals.get(stage)  # none: this level has not approved yet
            contents.append((_fit(org.short_name or org.name if org else "", width, 8, 2),
                             _fit(approval.opinion or "同意", width) if approval else None, approval))
        box_h = max([REVIEW_BOX_H] + [REVIEW_TEXT_TOP + org.height + 3 + (opinion.height if opinion else 0) + 3
                                      + REVIEW_FOOT for org, opinion, _ in contents])
        return contents, box_h

    def review(self, measured):
        """审查意见 (see `measure_review`): per level its org and, once it approved, its opinion and date."""
        contents, box_h = measured
        box_w = WIDTH / 4
        self.ensure(ROW_H + box_h)
        self.band("审查意见")
        box_top, box_bottom = self.y, self.y - box_h
        for i, (stage, (org, opinion, approval)) in enumerate(zip(STAGE_ORDER, contents, strict=True)):
            x = MARGIN + i * box_w
            self.c.rect(x, box_bottom, box_w, box_h)
            self.write(x + PAD, box_top - 11, f"{Stage(stage).label}意见：")
            self.write(x + PAD, box_bottom + 4, "（盖章）    年   月   日", 8)
            top = box_top - REVIEW_TEXT_TOP
            self.draw(org, x + PAD, top, top - org.size)
            if approval is not None:
                top -= org.height + 3
                self.draw(opinion, x + PAD, top, top - opinion.size)
                self.write(x + PAD, box_bottom + 14, f"{timezone.localtime(approval.created_at):%Y-%m-%d}", 8)
        self.y = box_bottom


@dataclass(frozen=True)
class _Printed:
    """One row table on the form: its cells, its header row and its rows' values."""

    table: RowTable
    cells: list
    headers: tuple

    @classmethod
    def of(cls, table: RowTable) -> _Printed:
        headers = ["序号"]
        for column in table.columns:
            label = str(table.model._meta.get_field(column).verbose_name)
            if column == "start":  # 开始时间 → 时间, 聘任开始 → 聘任时间, 培训开始 → 培训时间
                headers.append(label.replace("开始", "").removesuffix("时间") + "时间")
            elif column != "end":
                headers.append(table.title if column == "level" else label)
        if table.model is AppointmentRow:
            headers.append("聘任年限")
        return cls(table, _cells(WIDTHS[table.model]), tuple(headers))

    def values(self, row) -> list:
        values = self.table.texts(row)
        return [*values, row.duration] if self.table.model is AppointmentRow else values


PRINTED = {table.key: _Printed.of(table) for table in ROW_TABLES}


def _draw_qr(c, data, x, y, size):
    """The QR code of `data` as one filled path of its dark runs (vector: sharp at any zoom, a few
    hundred bytes). A fixed mask pattern spares qrcode its eight trial placements: the matrix takes
    1.1 ms of CPU instead of 6.3 (of `pdf_qr_cpu_ms`, bench pdf); a reader decodes any of the eight."""
    qr = qrcode.QRCode(border=1, error_correction=qrcode.constants.ERROR_CORRECT_M, mask_pattern=0)
    qr.add_data(data)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    n = len(matrix)
    c.saveState()
    c.translate(x, y)
    c.scale(size / n, size / n)  # in modules: each run is four small integers
    path = c.beginPath()
    for r, line in enumerate(matrix):
        col = 0
        for dark, run in itertools.groupby(line):
            width = len(list(run))
            if dark:
                path.rect(col, n - 1 - r, width, 1)
            col += width
    c.drawPath(path, stroke=0, fill=1)
    c.restoreState()


def _draw_photo(c, name, x, y, w, h) -> bool:
    try:
        with default_storage.open(name, "rb") as handle:
            image = ImageReader(io.BytesIO(handle.read()))
    except (FileNotFoundError, OSError):
        return False
    c.drawImage(image, x, y, w, h, preserveAspectRatio=True)
    return True


def printed_numbers(app, full_numbers: bool = True) -> tuple[str, str, str, str]:
    """证件编号, 出生日期, 手机号码 and 学信网在线验证码 as the form prints them.

    Whole on the form a candidate prints, or a reviewer for one application (it is what the candidate
    signs and his unit stamps). A merged export of many forms follows the rule of every export
    (exports.columns): masked unless a role that may have them asked for full numbers on it, the ID
    number and phone as the rosters mask them, the birth date as its year (with the masked number's
    first and last four it would give the number back) and the CHSI code (its report names the whole
    number) as 已填写 / 无. The form keeps its 报名号, name and QR code (the number and a signature of
    it: nothing of these), so a masked copy is still told apart and verified."""
    if full_numbers:
        return app.id_number, plain_text(app.birth_date), app.phone, app.chsi_code
    return (mask_id_number(app.id_number), birth_text(app.birth_date, False), mask_phone(app.phone),
            chsi_text(app.chsi_code, False))


def render(data: FormData, url: str, *, full_numbers: bool = True) -> bytes:
    """The PDF of `data`, its QR code leading to `url`; its personal numbers masked unless
    `full_numbers` (`printed_numbers`)."""
    app = data.application
    id_number, birth_date, phone, chsi_code = printed_numbers(app, full_numbers)
    font = font_name()
    buffer = io.BytesIO()
    # The initial font is the form's own: reportlab's default (Helvetica) would be named, not embedded.
    # Uncompressed: deflating the font subsets again for every form costs 2.7 ms of CPU for 45 KB
    # less (`pdf_render_cpu_ms`, bench pdf).
    c = canvas.Canvas(buffer, pagesize=A4, pageCompression=0, initialFontName=font, initialFontSize=FONT_SIZE)
    c.setTitle(f"预报名审核确认单 {app.number}")
    sheet = _Sheet(c, font, f"报名号：{app.number}\u3000姓名：{app.name}")

    # Title, number and QR code.
    sheet.write((PAGE_W - pdfmetrics.stringWidth(TITLE, font, 14)) / 2, TOP - 14, TITLE, 14)
    gap = "\u3000"  # an ideographic space: spaces would be collapsed when the line wraps
    heading = _fit(f"报名号：{app.number}{gap}年度：{app.exam_year.name}{gap}"
                   f"打印时间：{timezone.localtime():%Y-%m-%d %H:%M}", WIDTH - QR_SIZE - 4 * PAD, size=9)
    sheet.draw(heading, MARGIN, TOP - 22, TOP - 30)
    _draw_qr(c, url, PAGE_W - MARGIN - QR_SIZE, TOP - QR_SIZE, QR_SIZE)
    sheet.y = TOP - 24 * mm

    # 基本信息, with the photo on the right of its band and rows.
    top = sheet.pairs("基本信息", BASIC, [
        ("姓名", app.name, "性别", app.get_gender_display()),
        ("证件类型", ID_TYPES.get(app.id_type, app.id_type), "证件编号", id_number),
        ("出生日期", birth_date, "民族", plain_text(app.ethnicity)),
        ("手机号码", phone, "邮编", app.postcode),
        ("联系地址", app.address, "单位名称", plain_text(app.unit)),
    ], band_cells=_cells([1 - PHOTO_W]))
    photo_x, photo_w, photo_h = MARGIN + (1 - PHOTO_W) * WIDTH, PHOTO_W * WIDTH, top - sheet.y
    c.rect(photo_x, sheet.y, photo_w, photo_h)
    if not data.photo:
        sheet.write(photo_x + 2, sheet.y + 10, "（照片）")
    elif not _draw_photo(c, data.photo, photo_x + 2, sheet.y + 2, photo_w - 4, photo_h - 4):
        sheet.write(photo_x + 2, sheet.y + 10, "照片缺失")

    # The closing block: the levels' 审查意见, the candidate's promise and signature and the 注意, kept
    # together and with the form's last row on one page (`table`'s keep).
    review = sheet.measure_review(app, data.approvals)
    promise, sign_h = sheet.measure(SIGN_CELLS, [PROMISE, SIGNATURE])
    sign_h = max(sign_h, SIGN_H)
    rule = _fit(NATIONAL_RULE, WIDTH - 2 * PAD)
    closing = ROW_H + review[1] + sign_h + 2 + rule.height
    last = tables_of("other")[-1]

    def tables(section, band=None):
        """The section's row tables, the first under `band` (default: the section's title)."""
        title = ROW_SECTION_TITLES[section]
        band = band or sheet.measure(FULL, [title])
        for table in tables_of(section):
            printed = PRINTED[table.key]
            sheet.table(band, printed.headers, printed.cells, [printed.values(row) for row in data.rows[table.key]],
                        f"{title}（续）", keep=closing if table is last else 0)
            band = None

    tables("work")
    tables("education", sheet.measure(
        FULL, [f"{ROW_SECTION_TITLES['education']}（学信网在线验证码：{chsi_code or '无'}）"]))

    sheet.pairs("申报信息及现有资格信息", PAIRS, [
        ("报考级别", plain_text(app.level), "拟申报资格", plain_text(app.qualification)),
        ("执业类别", plain_text(app.category), "执业注册范围", plain_text(app.scope)),
        ("执业变更情况", app.practice_change or "无", "申报专业", plain_text(app.specialty)),
        ("现有资格", app.current_qualification or "无",
         "现有资格取得年月", month_text(app.current_qualification_date)),  # a month, as typed (YYYY-MM)
        ("现技术资格取得年限", app.qualification_duration, "", ""),
    ])

    for section in ("appointment", "residency", "gp", "other"):
        tables(section)

    sheet.ensure(closing)  # already so, by the keep of the last table
    sheet.review(review)
    sheet.row(SIGN_CELLS, (promise, sign_h))
    sheet.y -= 2
    sheet.draw(rule, MARGIN + PAD, sheet.y, sheet.y + TEXT_DY)
    sheet.finish()
    c.save()
    return buffer.getvalue()


def confirmation_pdf(application, request=None, *, site: str = "", full_numbers: bool = True) -> bytes:
    """The form of `application`: whole, as the candidate and a reviewer print it; with `full_numbers`
    False, its personal numbers masked, as a merged export prints it unless it asked for them
    (`printed_numbers`). Its QR code links to the verify page on the request's host, or on `site`
    ("https://host/") where there is no request (the export worker)."""
    data = load(application)
    url = verify_path(data.application)
    if request is not None:
        url = request.build_absolute_uri(url)
    elif site:
        url = site.rstrip("/") + url
    return render(data, url, full_numbers=full_numbers)
