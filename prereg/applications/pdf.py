"""The confirmation form (预报名审核确认单, candidate manual section 七) as a PDF.

A form of fixed layout, so it is built for speed (goal ≤ 10 ms per form, `bench/pdf.py`):

- reads: eight SELECTs that the ORM compiles once per process (`_Statement`) and then runs as plain
  SQL with the application's id, instead of compiling the same joins on every request;
- drawing: the skeleton of each part (frame, bands, labels, the 审查意见 boxes, the empty grid of a
  row of a given height) is laid out once per process as a string of PDF operators (`_Block`) and
  placed with a translation; per form only the values, the QR code and the photo are drawn. reportlab
  still builds the document (fonts, images, cross-reference), with its C accelerator;
- every value fits its cell, whatever its length: one line when it fits, else wrapped by reportlab's
  Paragraph (wordWrap CJK) and shrunk a step at a time while it takes more than `MAX_LINES` lines;
  the row grows to its tallest value (`_fit`). Nothing is cut;
- the QR code is drawn from the qrcode library's module matrix as one vector path.

The text is set in WenQuanYi Micro Hei, embedded as a subset, so the form prints the same in every
viewer (`font_name`).
"""

from __future__ import annotations

import datetime
import functools
import importlib.resources
import io
import logging
from dataclasses import dataclass
from xml.sax.saxutils import escape

import qrcode
from django.core import signing
from django.db import connections
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph

from prereg.accounts.models import IdType

from .models import (
    STAGE_ORDER,
    STAGE_ORG_FIELD,
    Application,
    ApplicationImage,
    AppointmentRow,
    EducationRow,
    Gender,
    ImageSlot,
    OtherRow,
    ReviewAction,
    ReviewLog,
    Stage,
    TrainingRow,
    WorkRow,
    months_between,
    years_months,
)

logger = logging.getLogger(__name__)

ID_TYPES = dict(IdType.choices)

PAGE_W, PAGE_H = A4
MARGIN = 14 * mm
WIDTH = PAGE_W - 2 * MARGIN
TOP = PAGE_H - MARGIN
ROW_H = 6.2 * mm
FONT_SIZE = 8.5
QR_SIZE = 22 * mm
REVIEW_BOX_H = 30 * mm
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
    """The form's font, registered once per process (reading the 5 MB file costs about 80 ms)."""
    try:
        with importlib.resources.as_file(importlib.resources.files(FONT_PACKAGE) / FONT_FILE) as path:
            font = TTFont(FONT, str(path), subfontIndex=0)  # the .ttc's first face: the proportional one
    except (ModuleNotFoundError, OSError, TTFError) as exc:
        logger.warning("confirmation PDF: the font %s of %s is not usable (%s); falling back to %s, "
                       "which is not embedded: the form will look different in each viewer",
                       FONT_FILE, FONT_PACKAGE, exc, FALLBACK_FONT)
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
        return FALLBACK_FONT
    _reuse_subsets(font.face)
    _fast_widths(font)
    pdfmetrics.registerFont(font)
    return FONT


def _reuse_subsets(face):
    """Make the per-document subsetting of an embedded font cheap.

    reportlab copies whole tables (`glyf` is megabytes for a CJK font) for every subset it makes,
    and makes every subset of every document anew. The form's first subset is always the same
    (`_TTFText` fills it with the fixed repertoire, in a fixed order): it is made once per
    process. Only the glyphs of the candidate's own values are subset per form, never cached (a
    cache keyed by them would only flatter a benchmark that prints one form over and over).
    Patched on this face instance only.
    """
    tables, fixed = {}, {}
    get_table, make_subset = face.get_table, face.makeSubset

    def cached_table(tag):
        if tag not in tables:
            tables[tag] = get_table(tag)
        return tables[tag]

    def subset_once(subset):
        if tuple(subset) != fixed.get("codes"):
            return make_subset(subset)
        if "font" not in fixed:
            fixed["font"] = make_subset(subset)
        return fixed["font"]

    face.get_table, face.makeSubset, face.prereg_fixed_subset = cached_table, subset_once, fixed


class _Numbers(pdfdoc.PDFObject):
    """A PDF array of numbers formatted in one call of the accelerator (reportlab formats a
    subset's 256 widths one object at a time)."""

    def __init__(self, numbers):
        self.numbers = numbers

    def format(self, document):
        return b"[ " + fp_str(*self.numbers).encode() + b" ]" if self.numbers else b"[ ]"


def _fast_widths(font):
    add_objects = font.addObjects

    def add_objects_fast(doc):
        add_objects(doc)
        for pdf_font in doc.idToObject["BasicFonts"].dict.values():
            if isinstance(pdf_font, pdfdoc.PDFTrueTypeFont) and isinstance(pdf_font.Widths, pdfdoc.PDFArray):
                pdf_font.Widths = _Numbers(pdf_font.Widths.sequence)

    font.addObjects = add_objects_fast


def verify_token(application) -> str:
    return _token(application.number)


def verify_path(application) -> str:
    return _verify_path(application.number)


def _token(number) -> str:
    return signing.Signer(salt=VERIFY_SALT).sign(number).split(":", 1)[1]


def _verify_path(number) -> str:
    return reverse("files:verify", args=[number, _token(number)])


# --- reads ------------------------------------------------------------------------------------------

_ID = -7_654_321  # stands for the application's id while the ORM compiles a statement


class _Statement:
    """A query the ORM compiles once per database connection alias; later runs only bind the id.

    Compiling a SELECT with a dozen joins costs Django about a millisecond, executing it a tenth
    of that: the form's eight reads would spend most of their time in the compiler.
    """

    def __init__(self, build):
        self.build = build  # application id -> queryset (values_list)
        self.compiled = {}

    def fetch(self, cursor, alias, application_id):
        if alias not in self.compiled:
            queryset = self.build(_ID).using(alias)
            sql, params = queryset.query.get_compiler(using=alias).as_sql()
            slots = [i for i, value in enumerate(params) if value == _ID]
            if not slots:  # pragma: no cover - a guard against an ORM that rewrites the literal
                raise RuntimeError("the application id is not a parameter of the compiled query")
            self.compiled[alias] = (sql, tuple(params), slots)
        sql, params, slots = self.compiled[alias]
        params = list(params)
        for i in slots:
            params[i] = application_id
        cursor.execute(sql, params)
        return cursor.fetchall()


_ORGS = [STAGE_ORG_FIELD[stage] for stage in STAGE_ORDER]
_APPLICATION_FIELDS = (
    "number", "name", "gender", "id_type", "id_number", "birth_date", "postcode", "phone", "address",
    "chsi_code", "practice_change", "current_qualification", "current_qualification_date",
    "exam_year__name", "exam_year__cutoff_date", "ethnicity__name", "unit__name", "level__name",
    "qualification__name", "category__name", "scope__name", "specialty__name",
    *(f"{org}__{field}" for org in _ORGS for field in ("name", "short_name")),
)
_APPLICATION = _Statement(lambda pk: Application.objects.filter(pk=pk).values_list(*_APPLICATION_FIELDS))
_PHOTO = _Statement(lambda pk: ApplicationImage.objects.filter(application_id=pk, slot=ImageSlot.PHOTO)
                    .order_by("-pk").values_list("thumbnail", "file")[:1])
_WORK = _Statement(lambda pk: WorkRow.objects.filter(application_id=pk)
                   .values_list("unit_name", "title", "start", "end", "major"))
_EDUCATION = _Statement(lambda pk: EducationRow.objects.filter(application_id=pk)
                        .values_list("kind", "level", "obtained", "school", "study_form", "major"))
_APPOINTMENT = _Statement(lambda pk: AppointmentRow.objects.filter(application_id=pk)
                          .values_list("unit_name", "post", "qualification", "start", "end"))
_TRAINING = _Statement(lambda pk: TrainingRow.objects.filter(application_id=pk)
                       .values_list("kind", "certificate_no", "specialty", "start", "end", "base", "issued"))
_OTHER = _Statement(lambda pk: OtherRow.objects.filter(application_id=pk).values_list("kind", "note"))
# The approvals of the current round: the decision shown in each level's 审查意见 box.
_APPROVALS = _Statement(lambda pk: ReviewLog.objects.filter(
    application_id=pk, action=ReviewAction.APPROVE, submission_round=F("application__submission_round"),
).values_list("stage", "opinion", "created_at"))


def _date(value):
    """A DateField as the driver returned it (a date; SQLite may hand back its ISO text)."""
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    return value


def _aware(value):
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


@dataclass
class FormData:
    """Everything the form prints, read in one go (no lazy relation left to query)."""

    fields: dict
    photo: str  # storage name of the photo's thumbnail (or file), "" when there is none
    work: list
    education: list
    appointments: list
    training: list
    other: list
    approvals: dict  # stage -> (opinion, created_at)


def load(application) -> FormData:
    """The form's data: eight plain SELECTs on one cursor."""
    alias = application._state.db or "default"
    with connections[alias].cursor() as cursor:
        def fetch(statement):
            return statement.fetch(cursor, alias, application.pk)

        (row,) = fetch(_APPLICATION)
        fields = dict(zip(_APPLICATION_FIELDS, row, strict=True))
        photo = fetch(_PHOTO)
        data = FormData(
            fields=fields,
            photo=(photo[0][0] or photo[0][1]) if photo else "",
            work=fetch(_WORK), education=fetch(_EDUCATION), appointments=fetch(_APPOINTMENT),
            training=fetch(_TRAINING), other=fetch(_OTHER),
            approvals={stage: (opinion, _aware(at)) for stage, opinion, at in fetch(_APPROVALS)},
        )
    for key in ("birth_date", "current_qualification_date", "exam_year__cutoff_date"):
        fields[key] = _date(fields[key])
    return data


# --- drawing ----------------------------------------------------------------------------------------

def _num(value: float) -> str:
    return f"{value:.2f}"


def _ym(value) -> str:
    return f"{_date(value):%Y-%m}" if value else ""


def _span(start, end) -> str:
    return f"{_ym(start)} - {_ym(end) if end else '至今'}"


PAD = 2  # a value's distance from its cell's left and right edges
VPAD = 2  # a wrapped value's distance from its row's top and bottom
LEADING = 1.2  # line height of wrapped text, per point of font size
MAX_LINES = 3  # a longer value is shrunk a step at a time, down to MIN_FONT_SIZE, to take no more
MIN_FONT_SIZE = 6  # the smallest size still read easily on paper: below it, the row grows instead


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

    One line when it fits (the common case: one width measure, drawn as a plain text operator).
    Else reportlab's Paragraph wraps it (wordWrap CJK: a break may fall between any two characters,
    Latin runs included), a point smaller at a time while it takes more than `max_lines` lines; at
    MIN_FONT_SIZE it takes the lines it needs and its row grows.
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


class _Cells:
    """Cells of one row across the page: x of each cell and the room for its text."""

    def __init__(self, fractions):
        self.fractions = tuple(fractions)
        xs, x = [], MARGIN
        for fraction in self.fractions:
            xs.append((x, fraction * WIDTH))
            x += fraction * WIDTH
        self.xs = xs


TEXT_DY = -ROW_H + (ROW_H - FONT_SIZE) / 2 + 1.5  # a one-line value's baseline below its row's top


@dataclass(frozen=True)
class _Block:
    """A part of the form whose lines and labels never change, laid out once per process.

    Coordinates are relative to the block's top edge (y = 0, growing upwards as in PDF); the block
    is placed with a translation. `labels` are (x, y, size, text), turned into text operators by
    the document's font (cached too where the font's encoding does not depend on the document).
    """

    height: float
    geometry: str
    labels: tuple = ()


class _Layout:
    """Collects the geometry and labels of a block while it is laid out."""

    def __init__(self):
        self.fills, self.strokes, self.labels, self.y = [], [], [], 0.0

    def rect(self, x, y, w, h):
        self.strokes.append(f"{_num(x)} {_num(y)} {_num(w)} {_num(h)} re")

    def label(self, x, y, text, size=FONT_SIZE):
        self.labels.append((x, y, size, text))

    def row(self, cells: _Cells, labels=(), header=False, height=ROW_H):
        """A grid row at the cursor; `labels[i]` is the fixed text of cell i ("" or absent: none)."""
        top = self.y
        if header:
            self.fills.append(f"{_num(MARGIN)} {_num(top - height)} {_num(WIDTH)} {_num(height)} re")
        for i, (x, w) in enumerate(cells.xs):
            self.rect(x, top - height, w, height)
            text = labels[i] if i < len(labels) else ""
            if text:
                self.label(x + PAD, top + TEXT_DY, text)
        self.y -= height

    def block(self) -> _Block:
        geometry = ""
        if self.fills:
            geometry += "0.92 g\n" + "\n".join(self.fills) + "\nf\n0 g\n"
        if self.strokes:
            geometry += "\n".join(self.strokes) + "\nS\n"
        return _Block(height=-self.y, geometry=geometry, labels=tuple(self.labels))


FULL = _Cells([1])
PHOTO_W = 0.18
BASIC = _Cells([(1 - PHOTO_W) * f for f in (0.17, 0.33, 0.17, 0.33)])
PAIRS = _Cells([0.17, 0.33, 0.17, 0.33])
BASIC_LABELS = (("姓名", "性别"), ("证件类型", "证件编号"), ("出生日期", "民族"), ("手机号码", "邮编"), ("联系地址", "单位名称"))
DECLARED_LABELS = (("报考级别", "拟申报资格"), ("执业类别", "执业注册范围"), ("执业变更情况", "申报专业"),
                   ("现有资格", "现有资格取得年月"), ("现技术资格取得年限", ""))
WORK = _Cells([0.07, 0.33, 0.18, 0.24, 0.18])
EDUCATION = _Cells([0.07, 0.17, 0.12, 0.3, 0.14, 0.2])
APPOINTMENT = _Cells([0.07, 0.25, 0.16, 0.18, 0.2, 0.14])
TRAINING = _Cells([0.07, 0.2, 0.16, 0.2, 0.25, 0.12])
OTHER = _Cells([0.07, 0.3, 0.63])
WORK_HEADERS = ("序号", "单位名称", "现有专业技术职务", "时间", "专业")
EDUCATION_HEADERS = ("序号", "学历", "取得时间", "学校", "学习形式", "专业")
DEGREE_HEADERS = ("序号", "学位", "取得时间", "学校", "学习形式", "专业")
APPOINTMENT_HEADERS = ("序号", "聘任单位", "现聘任职务/职称", "现聘任职务/技术资格", "聘任时间", "聘任年限")
TRAINING_HEADERS = ("序号", "证书编号", "培训专业", "培训时间", "培训基地", "发证日期")
OTHER_HEADERS = ("序号", "类型", "备注（有关情况说明）")
TITLE = "福建省卫生专业技术资格考试预报名审核确认单"
PROMISE = "考生承诺：所有填报及上传的信息均真实、合法、有效；两表信息内容一致。如有不实，考生承担相应责任。  考生签名："
# 审查意见 boxes: the level's label on top; the org's name and the opinion below it, each wrapped
# to the box; the date and the stamp line at the foot.
REVIEW_TEXT_TOP = 15  # below the box's top
REVIEW_FOOT = 22  # the date and stamp lines, above the box's bottom


# Every character the form prints whatever the candidate typed, plus frequent value characters
# (ASCII: digits and dates; 至今, 男女): with an embedded font these get the same codes, in the
# same first subset, in every document (see `_reuse_subsets`). A subset holds ASCII plus 160
# others: the test suite checks the repertoire still fits.
REPERTOIRE = "".join(sorted(set(
    "".join(chr(c) for c in range(32, 127)) + TITLE + PROMISE + "".join(map("".join, BASIC_LABELS + DECLARED_LABELS))
    + "".join(WORK_HEADERS + EDUCATION_HEADERS + DEGREE_HEADERS + APPOINTMENT_HEADERS + TRAINING_HEADERS + OTHER_HEADERS)
    + "基本信息工作情况申报信息及现有资格信息审查意见住院医师规范化培训全科医生规范化培训其他"
    + "".join(f"{stage.label}意见：" for stage in STAGE_ORDER) + "（盖章）年月日"
    + "教育情况（学信网在线验证码：无）报名号：年度：打印时间：至今（照片）男女"
)))
# Padding with characters frequent in names of units and places, so that the first subset is full of
# the repertoire (160 codes besides ASCII) and the candidate's characters all land in later ones.
REPERTOIRE += "".join(sorted(set("医院人民市县区省中心卫生学大科护理福建州泉厦漳莆三明南平龙岩宁德华张王李陈林黄吴郑刘")
                             - set(REPERTOIRE)))


@functools.cache
def _title_block(font) -> _Block:
    layout = _Layout()
    layout.label(PAGE_W / 2 - pdfmetrics.stringWidth(TITLE, font, 14) / 2, -14, TITLE, 14)
    layout.y = -24 * mm
    return layout.block()


@functools.cache
def _band_block(title="") -> _Block:
    """A grey band across the page with a part's title."""
    layout = _Layout()
    layout.row(FULL, (title,), header=True)
    return layout.block()


@functools.cache
def _heading_block(title, headers, cells: _Cells) -> _Block:
    """A table's band and its header row (title None: the header row alone)."""
    layout = _Layout()
    if title:
        layout.row(FULL, [title], header=True)
    layout.row(cells, headers)
    return layout.block()


@functools.cache
def _row_block(cells: _Cells, labels: tuple, height: float, header=False) -> _Block:
    """A grid row of a given height with its fixed labels. One per height met: heights come in
    steps (lines of wrapped text at a few sizes), so the cache stays small."""
    layout = _Layout()
    layout.row(cells, labels, header, height)
    return layout.block()


@functools.cache
def _review_block(box_h) -> _Block:
    """审查意见: one box per level for its stamp."""
    layout = _Layout()
    layout.row(FULL, ["审查意见"], header=True)
    box_w = WIDTH / 4
    for i, stage in enumerate(STAGE_ORDER):
        x = MARGIN + i * box_w
        layout.rect(x, layout.y - box_h, box_w, box_h)
        layout.label(x + PAD, layout.y - 11, f"{Stage(stage).label}意见：")
        layout.label(x + PAD, layout.y - box_h + 4, "（盖章）    年   月   日", 7.5)
    layout.y -= box_h + 6
    return layout.block()


@functools.cache
def _promise_block() -> _Block:
    layout = _Layout()
    layout.label(MARGIN + 2, -8, PROMISE, 8)
    layout.y = -12
    return layout.block()


class _CIDText:
    """Text in the CID font STSong-Light: UCS-2 codes, the same in every document, nothing embedded."""

    cache = {}

    def __init__(self, c, font):
        self.ref = c._doc.getInternalFontName(font)

    def show(self, x, y, size, text) -> str:
        return f"BT {self.ref} {size} Tf {_num(x)} {_num(y)} Td <{text.encode('utf-16-be').hex()}> Tj ET\n"

    def labels(self, block: _Block) -> str:
        key = (self.ref, id(block))  # blocks are built once and kept: their id is stable
        if key not in self.cache:
            self.cache[key] = "".join(self.show(x, y, size, text) for x, y, size, text in block.labels)
        return self.cache[key]


class _TTFText(_CIDText):
    """Text in an embedded TrueType font, whose codes reportlab assigns per document.

    The form's fixed repertoire is assigned first, in a fixed order, so its codes (and the
    labels' operators, cached) are the same in every document; the candidate's other characters
    come after it.
    """

    cache = {}

    def __init__(self, c, font):
        self.doc, self.ttf = c._doc, pdfmetrics.getFont(font)
        self.ttf.splitString(REPERTOIRE, self.doc)
        self.ref = self.ttf.getSubsetInternalName(0, self.doc)
        fixed = getattr(self.ttf.face, "prereg_fixed_subset", None)
        if fixed is not None and "codes" not in fixed:
            fixed["codes"] = tuple(self.ttf.state[self.doc].subsets[0])

    def show(self, x, y, size, text) -> str:
        parts = [f"BT {_num(x)} {_num(y)} Td "]
        for subset, chunk in self.ttf.splitString(text, self.doc):
            parts.append(f"{self.ttf.getSubsetInternalName(subset, self.doc)} {size} Tf <{chunk.hex()}> Tj ")
        parts.append("ET\n")
        return "".join(parts)

    def labels(self, block: _Block) -> str:
        if not _within_repertoire(block):  # codes that depend on what the document held before
            return "".join(self.show(x, y, size, text) for x, y, size, text in block.labels)
        return super().labels(block)


@functools.cache
def _within_repertoire(block: _Block) -> bool:
    return set("".join(text for *_, text in block.labels)) <= set(REPERTOIRE)


class _Page:
    """A cursor down the pages: blocks placed, values written, a new page when one is full."""

    def __init__(self, c, font):
        self.c, self.font = c, font
        self.text = _CIDText(c, font) if font == FALLBACK_FONT else _TTFText(c, font)
        self.ops = ["0.5 w\n"]
        self.y = TOP

    def flush(self):
        self.c.addLiteral("".join(self.ops))
        self.ops = ["0.5 w\n"]

    def ensure(self, height):
        if self.y - height < MARGIN:
            self.flush()
            self.c.showPage()
            self.y = TOP

    def place(self, block: _Block):
        self.ensure(block.height)
        self.ops.append(f"q 1 0 0 1 0 {_num(self.y)} cm\n")
        self.ops.append(block.geometry)
        self.ops.append(self.text.labels(block))
        self.ops.append("Q\n")
        self.y -= block.height

    def write(self, x, y, value, size=FONT_SIZE):
        """One line of text, its baseline at y (for fixed texts known to fit; values go through `draw`)."""
        self.ops.append(self.text.show(x, y, size, value))

    def draw(self, text: _Text, x, top, baseline):
        """A fitted value from `top` down; on `baseline` when it is one line."""
        if text.paragraph is None:
            if text.value:
                self.write(x, baseline, text.value, text.size)
        else:
            self.flush()  # what was placed before is drawn before: the content stays in reading order
            text.paragraph.drawOn(self.c, x, top - text.height)

    @staticmethod
    def measure(cells: _Cells, values):
        """The fitted values of a row (None for an empty cell) and the row's height."""
        texts = [_fit(value, w - 2 * PAD) if value else None
                 for (_, w), value in zip(cells.xs, values, strict=True)]
        wrapped = [text.height + 2 * VPAD for text in texts if text is not None and text.paragraph is not None]
        return texts, round(max([ROW_H, *wrapped]), 2)

    def row(self, cells: _Cells, measured, labels=(), header=False):
        """A grid row of `measured` values (see `measure`), with the fixed `labels` of its cells."""
        texts, height = measured
        self.place(_row_block(cells, labels, height, header))
        top = self.y + height
        for (x, _), text in zip(cells.xs, texts, strict=True):
            if text is not None:
                self.draw(text, x + PAD, top - VPAD, top + TEXT_DY)

    def pairs(self, title, cells: _Cells, labels, values):
        """A band and rows of label/value pairs, kept together on one page; returns the rows' top."""
        measured = [self.measure(cells, ["", left, "", right]) for left, right in values]
        self.ensure(ROW_H + sum(height for _, height in measured))
        self.place(_band_block(title))
        top = self.y
        for (left, right), row in zip(labels, measured, strict=True):
            self.row(cells, row, (left, "", right, ""))
        return top

    def table(self, title, headers, cells: _Cells, rows):
        """A band, a header row and one numbered row per entry (title None: no band)."""
        heading = _heading_block(title, headers, cells)
        measured = [self.measure(cells, [str(i), *values]) for i, values in enumerate(rows, 1)]
        self.ensure(heading.height + (measured[0][1] if measured else ROW_H))  # never a band alone at a page's foot
        self.place(heading)
        for row in measured:
            self.row(cells, row)

    def review(self, fields, approvals):
        """审查意见: per level its org and, once it approved, its opinion and date; the boxes grow to
        the longest of them."""
        box_w = WIDTH / 4
        width = box_w - 2 * PAD
        contents = []
        for stage in STAGE_ORDER:
            org_field = STAGE_ORG_FIELD[stage]
            org = _fit(fields[f"{org_field}__short_name"] or fields[f"{org_field}__name"] or "", width, 7.5, 2)
            opinion, at = approvals.get(stage, ("", None))  # no date: this level has not approved yet
            contents.append((org, _fit(opinion or "同意", width) if at else None, at))
        box_h = max([REVIEW_BOX_H] + [REVIEW_TEXT_TOP + org.height + 3 + (opinion.height if opinion else 0) + 3
                                      + REVIEW_FOOT for org, opinion, _ in contents])
        box_h = round(box_h, 2)
        self.place(_review_block(box_h))
        box_bottom = self.y + 6  # the block ends 6 pt below its boxes
        box_top = box_bottom + box_h
        for i, (org, opinion, at) in enumerate(contents):
            x = MARGIN + i * box_w + PAD
            top = box_top - REVIEW_TEXT_TOP
            self.draw(org, x, top, top - org.size)
            if opinion is not None:
                top -= org.height + 3
                self.draw(opinion, x, top, top - opinion.size)
                self.write(x, box_bottom + 14, f"{timezone.localtime(at):%Y-%m-%d}", size=7.5)


# Byte-mode capacity of QR versions 1-10 at error correction level M: choosing the version here
# spares qrcode its fitting passes (each one encodes the data again).
QR_BYTES_M = (14, 26, 42, 62, 84, 106, 122, 152, 180, 213)
_GF_EXP = [0] * 512
_GF_LOG = [0] * 256
_x = 1
for _i in range(255):
    _GF_EXP[_i], _GF_LOG[_x] = _x, _i
    _x = (_x << 1) ^ (0x11D if _x & 0x80 else 0)
for _i in range(255, 512):
    _GF_EXP[_i] = _GF_EXP[_i - 255]


@functools.cache
def _rs_generator_logs(count):
    """Logs of the coefficients (after the leading 1) of the Reed-Solomon generator of degree `count`."""
    poly = [1]
    for i in range(count):
        nxt = [0] * (len(poly) + 1)
        for j, coefficient in enumerate(poly):
            nxt[j] ^= coefficient
            if coefficient:
                nxt[j + 1] ^= _GF_EXP[_GF_LOG[coefficient] + i]
        poly = nxt
    return tuple(_GF_LOG[c] for c in poly[1:])


def _rs_remainder(data, generator_logs):
    remainder = [0] * len(generator_logs)
    for byte in data:
        factor = byte ^ remainder.pop(0)
        remainder.append(0)
        if factor:
            log = _GF_LOG[factor]
            for i, g in enumerate(generator_logs):
                remainder[i] ^= _GF_EXP[g + log]
    return remainder


def _qr_codewords(data: bytes, version: int) -> list:
    """Data and error-correction codewords of `data` in byte mode at level M, interleaved.

    What qrcode's util.create_data computes bit by bit and with polynomial objects, here with
    integers and log tables (a third of the QR code's cost before).
    """
    blocks = qrcode.base.rs_blocks(version, qrcode.constants.ERROR_CORRECT_M)
    capacity = sum(block.data_count for block in blocks)
    count_bits = 8 if version < 10 else 16
    bits = 4 + count_bits + 8 * len(data)
    value = (((0b0100 << count_bits) | len(data)) << (8 * len(data))) | int.from_bytes(data, "big")
    terminator = min(capacity * 8 - bits, 4)
    bits += terminator
    value <<= terminator
    pad = -bits % 8
    stream = list((value << pad).to_bytes((bits + pad) // 8, "big"))
    stream += [(0xEC, 0x11)[i % 2] for i in range(capacity - len(stream))]
    data_blocks, ec_blocks, offset = [], [], 0
    for block in blocks:
        chunk = stream[offset:offset + block.data_count]
        offset += block.data_count
        data_blocks.append(chunk)
        ec_blocks.append(_rs_remainder(chunk, _rs_generator_logs(block.total_count - block.data_count)))
    out = []
    for group in (data_blocks, ec_blocks):
        for i in range(max(map(len, group))):
            out.extend(b[i] for b in group if i < len(b))
    return out


def _qr_path(data, x, y, size) -> str:
    """The QR code as one filled path of dark runs (vector: sharp at any zoom, a few hundred bytes).

    Drawn in module units under a scaling matrix, so each run is four small integers. A fixed mask
    skips qrcode's eight trial placements; the codewords are computed here (`_qr_codewords`).
    """
    raw = data.encode()
    version = next((v for v, capacity in enumerate(QR_BYTES_M, 1) if capacity >= len(raw)), None)
    qr = qrcode.QRCode(version=version, border=1, error_correction=qrcode.constants.ERROR_CORRECT_M, mask_pattern=0)
    if version is None:  # longer than version 10 holds: let qrcode fit it
        qr.add_data(data, optimize=0)
    else:
        qr.data_cache = _qr_codewords(raw, version)
    qr.make(fit=version is None)
    matrix = qr.get_matrix()
    n = len(matrix)
    runs = []
    for r, line in enumerate(matrix):
        row_y = n - 1 - r
        start = None
        for col, dark in enumerate(line):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                runs.append(f"{start} {row_y} {col - start} 1 re")
                start = None
        if start is not None:
            runs.append(f"{start} {row_y} {n - start} 1 re")
    module = size / n
    return f"q {module:.4f} 0 0 {module:.4f} {_num(x)} {_num(y)} cm 0 g\n" + "\n".join(runs) + "\nf\nQ\n"


def _photo(c, name, x, y, w, h) -> bool:
    from django.core.files.storage import default_storage

    try:
        with default_storage.open(name, "rb") as handle:
            image = ImageReader(io.BytesIO(handle.read()))
    except (FileNotFoundError, OSError):
        return False
    c.drawImage(image, x, y, w, h, preserveAspectRatio=True)
    return True


def render(data: FormData, url: str) -> bytes:
    """The PDF of `data`, its QR code leading to `url`."""
    f = data.fields
    font = font_name()
    buffer = io.BytesIO()
    # The initial font is the form's own: reportlab's default (Helvetica) would be named, not embedded.
    # Uncompressed: deflating the 50 KB first font subset again for every form would cost 2 of the
    # 10 ms (bench pdf: 7.5 ms and 56 KB compressed, 5.4 ms and 97 KB not).
    c = canvas.Canvas(buffer, pagesize=A4, pageCompression=0, initialFontName=font, initialFontSize=FONT_SIZE)
    c.setTitle(f"预报名审核确认单 {f['number']}")
    page = _Page(c, font)

    # Title, number and QR code.
    page.place(_title_block(font))
    gap = "\u3000"  # an ideographic space: spaces would be collapsed when the line wraps
    heading = _fit(f"报名号：{f['number']}{gap}年度：{f['exam_year__name']}{gap}"
                   f"打印时间：{timezone.localtime():%Y-%m-%d %H:%M}", WIDTH - QR_SIZE - 4 * PAD, size=9)
    page.draw(heading, MARGIN, TOP - 22, TOP - 30)
    page.ops.append(_qr_path(url, PAGE_W - MARGIN - QR_SIZE, TOP - QR_SIZE, QR_SIZE))

    # 基本信息, with the photo on the right of the rows.
    birth = f"{f['birth_date']:%Y-%m-%d}" if f["birth_date"] else ""
    top = page.pairs("基本信息", BASIC, BASIC_LABELS, [
        (f["name"], dict(Gender.choices).get(f["gender"], f["gender"])),
        (ID_TYPES.get(f["id_type"], f["id_type"]), f["id_number"]),
        (birth, f["ethnicity__name"]),
        (f["phone"], f["postcode"]),
        (f["address"], f["unit__name"]),
    ])
    photo_x, photo_w, photo_h = MARGIN + (1 - PHOTO_W) * WIDTH, PHOTO_W * WIDTH, top - page.y
    page.ops.append(f"{_num(photo_x)} {_num(page.y)} {_num(photo_w)} {_num(photo_h)} re S\n")
    if not data.photo:
        page.write(photo_x + 2, page.y + 10, "（照片）")
    elif not _photo(c, data.photo, photo_x + 2, page.y + 2, photo_w - 4, photo_h - 4):
        page.write(photo_x + 2, page.y + 10, "照片缺失")

    page.table("工作情况", WORK_HEADERS, WORK,
               [(unit, title, _span(start, end), major) for unit, title, start, end, major in data.work])

    education = page.measure(FULL, [f"教育情况（学信网在线验证码：{f['chsi_code'] or '无'}）"])
    page.ensure(education[1] + ROW_H)
    page.row(FULL, education, header=True)
    for kind, headers in ((EducationRow.Kind.EDUCATION, EDUCATION_HEADERS), (EducationRow.Kind.DEGREE, DEGREE_HEADERS)):
        page.table(None, headers, EDUCATION,
                   [(level, _ym(obtained), school, form, major)
                    for k, level, obtained, school, form, major in data.education if k == kind])

    qualification_date = f["current_qualification_date"]
    cutoff = f["exam_year__cutoff_date"]
    duration = years_months(months_between(qualification_date, cutoff)) if qualification_date else ""
    page.pairs("申报信息及现有资格信息", PAIRS, DECLARED_LABELS, [
        (f["level__name"], f["qualification__name"]),
        (f["category__name"], f["scope__name"]),
        (f["practice_change"] or "无", f["specialty__name"]),
        (f["current_qualification"] or "无", _ym(qualification_date)),  # a month, as typed (YYYY-MM)
        (duration, ""),
    ])

    page.table("现有资格聘任情况", APPOINTMENT_HEADERS, APPOINTMENT,
               [(unit, post, qualification, _span(start, end),
                 years_months(months_between(_date(start), _date(end) or cutoff)))
                for unit, post, qualification, start, end in data.appointments])
    for kind in (TrainingRow.Kind.RESIDENCY, TrainingRow.Kind.GENERAL_PRACTICE):
        page.table(kind.label, TRAINING_HEADERS, TRAINING,
                   [(number, specialty, _span(start, end), base, _ym(issued))
                    for k, number, specialty, start, end, base, issued in data.training if k == kind])
    page.table("其他", OTHER_HEADERS, OTHER, data.other)

    page.review(f, data.approvals)
    page.place(_promise_block())
    page.flush()
    c.showPage()
    c.save()
    return buffer.getvalue()


def confirmation_pdf(application, request=None) -> bytes:
    data = load(application)
    url = _verify_path(data.fields["number"])
    if request is not None:
        url = request.build_absolute_uri(url)
    return render(data, url)
