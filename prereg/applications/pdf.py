"""The confirmation form (预报名审核确认单, candidate manual section 七) as a PDF.

Drawn straight on a reportlab canvas (no flowables: a form of fixed layout, ~ms per page).
Chinese renders with a CJK TrueType font when the machine has one (embedded as a subset),
else with reportlab's built-in CID font STSong-Light, which every PDF viewer resolves.
"""

import functools
import glob
import io
import shutil
import subprocess

import qrcode
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from .models import (
    STAGE_ORDER,
    ApplicationImage,
    AppointmentRow,
    EducationRow,
    ImageSlot,
    OtherRow,
    ReviewAction,
    Stage,
    State,
    TrainingRow,
    WorkRow,
)

PAGE_W, PAGE_H = A4
MARGIN = 14 * mm
ROW_H = 6.2 * mm
FONT_SIZE = 8.5
VERIFY_SALT = "prereg.confirmation"


@functools.cache
def font_name() -> str:
    """A CJK TTF found on the machine, registered once; else the CID font STSong-Light."""
    candidates = []
    fc_match = shutil.which("fc-match")
    if fc_match:
        try:
            query = [fc_match, "-f", "%{file}", "Noto Sans CJK SC:lang=zh-cn"]
            out = subprocess.run(query, capture_output=True, text=True, timeout=5, check=False)  # noqa: S603
            candidates.append(out.stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    for pattern in ("/usr/share/fonts/**/*[Cc][Jj][Kk]*.tt[fc]", "/usr/share/fonts/**/wqy*.tt[fc]",
                    "/usr/share/fonts/**/DroidSansFallback*.ttf"):
        candidates += sorted(glob.glob(pattern, recursive=True))
    from reportlab.pdfbase.ttfonts import TTFont

    for path in candidates:
        if not path or not path.lower().endswith((".ttf", ".ttc")):
            continue
        try:
            font = TTFont("PreregCJK", path, subfontIndex=0) if path.endswith(".ttc") else TTFont("PreregCJK", path)
        except Exception:  # noqa: BLE001, S112 - an unusable font file: try the next one
            continue
        if 0x4E2D in font.face.charToGlyph:  # 中: a font that really covers Chinese
            pdfmetrics.registerFont(font)
            return "PreregCJK"
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def may_print(application) -> bool:
    """Printable once the 报名点 has confirmed: approved, or in review past the point stage."""
    if application.state == State.APPROVED:
        return True
    return application.state == State.IN_REVIEW and application.stage in (Stage.SITE_REVIEW, Stage.DISTRICT_RECHECK)


def verify_token(application) -> str:
    return signing.Signer(salt=VERIFY_SALT).sign(application.number).split(":", 1)[1]


def verify_path(application) -> str:
    return reverse("files:verify", args=[application.number, verify_token(application)])


def _ym(value) -> str:
    return f"{value:%Y-%m}" if value else ""


def _span(start, end) -> str:
    return f"{_ym(start)} - {_ym(end) if end else '至今'}"


class Sheet:
    """A cursor over pages: rows of cells drawn as a grid, a new page when one is full."""

    def __init__(self, c, font):
        self.c, self.font = c, font
        self.width = PAGE_W - 2 * MARGIN
        self.y = PAGE_H - MARGIN

    def ensure(self, height):
        if self.y - height < MARGIN:
            self.c.showPage()
            self.y = PAGE_H - MARGIN

    def text(self, x, y, value, size=FONT_SIZE, max_width=None):
        value = "" if value is None else str(value)
        if max_width:
            while value and pdfmetrics.stringWidth(value, self.font, size) > max_width - 4:
                value = value[:-1]
        self.c.setFont(self.font, size)
        self.c.drawString(x + 2, y, value)

    def row(self, cells, widths=None, height=ROW_H, header=False):
        """cells: list of strings; widths: fractions summing to 1 (equal if None)."""
        self.ensure(height)
        widths = widths or [1 / len(cells)] * len(cells)
        x = MARGIN
        top = self.y
        if header:
            self.c.setFillGray(0.92)
            self.c.rect(MARGIN, top - height, self.width, height, stroke=0, fill=1)
            self.c.setFillGray(0)
        for value, frac in zip(cells, widths, strict=True):
            w = frac * self.width
            self.c.rect(x, top - height, w, height, stroke=1, fill=0)
            self.text(x, top - height + (height - FONT_SIZE) / 2 + 1.5, value, max_width=w)
            x += w
        self.y -= height

    def band(self, title):
        self.row([title], header=True)


def _table(sheet, title, headers, rows, widths):
    sheet.band(title)
    sheet.row(["序号", *headers], widths)
    for i, cells in enumerate(rows, 1):
        sheet.row([str(i), *cells], widths)


def _qr(c, data, x, y, size):
    # A fixed mask skips qrcode's eight trial encodings; the matrix is drawn as one 1-bit image
    # (crisp: PDF viewers do not interpolate unless asked) instead of hundreds of rectangles.
    qr = qrcode.QRCode(border=1, error_correction=qrcode.constants.ERROR_CORRECT_M, mask_pattern=0)
    qr.add_data(data)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    n = len(matrix)
    bitmap = Image.new("1", (n, n), 1)
    bitmap.putdata([0 if dark else 1 for line in matrix for dark in line])
    c.drawImage(ImageReader(bitmap), x, y, size, size)


RELATED = ["exam_year", "ethnicity", "unit", "level", "qualification", "category", "scope", "specialty",
           "unit_review_org", "point_org", "site_org", "district_org"]


def confirmation_pdf(application, request=None) -> bytes:
    a = type(application).objects.select_related(*RELATED).get(pk=application.pk)
    font = font_name()
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4, pageCompression=0)
    c.setTitle(f"预报名审核确认单 {a.number}")
    c.setLineWidth(0.5)
    sheet = Sheet(c, font)

    # Title, number and QR code.
    c.setFont(font, 14)
    c.drawCentredString(PAGE_W / 2, sheet.y - 14, "福建省卫生专业技术资格考试预报名审核确认单")
    c.setFont(font, 9)
    c.drawString(MARGIN, sheet.y - 30, f"报名号：{a.number}    年度：{a.exam_year.name}    "
                                        f"打印时间：{timezone.localtime():%Y-%m-%d %H:%M}")
    url = verify_path(a)
    if request is not None:
        url = request.build_absolute_uri(url)
    _qr(c, url, PAGE_W - MARGIN - 22 * mm, sheet.y - 22 * mm, 22 * mm)
    sheet.y -= 24 * mm

    # 基本信息, with the photo on the right of the first rows.
    photo_w = 0.18
    w4 = [(1 - photo_w) * f for f in (0.17, 0.33, 0.17, 0.33)]
    sheet.band("基本信息")
    top = sheet.y
    basic = [
        ["姓名", a.name, "性别", a.get_gender_display()],
        ["证件类型", {"resident": "身份证"}.get(a.id_type, a.id_type), "证件编号", a.id_number],
        ["出生日期", f"{a.birth_date:%Y-%m-%d}" if a.birth_date else "", "民族", a.ethnicity.name if a.ethnicity else ""],
        ["手机号码", a.phone, "邮编", a.postcode],
        ["联系地址", a.address, "单位名称", a.unit.name if a.unit else ""],
    ]
    for cells in basic:
        sheet.row(cells + [""], w4 + [photo_w])
    c.setFillGray(1)
    photo_x = MARGIN + (1 - photo_w) * sheet.width
    c.rect(photo_x, sheet.y, photo_w * sheet.width, top - sheet.y, stroke=1, fill=1)
    c.setFillGray(0)
    photo = ApplicationImage.objects.filter(application=a, slot=ImageSlot.PHOTO).order_by("-pk").first()
    if photo is not None:
        field = photo.thumbnail or photo.file
        try:
            with field.open("rb") as handle:
                c.drawImage(ImageReader(io.BytesIO(handle.read())), photo_x + 2, sheet.y + 2,
                            photo_w * sheet.width - 4, top - sheet.y - 4, preserveAspectRatio=True)
        except (FileNotFoundError, OSError):
            sheet.text(photo_x, sheet.y + 10, "照片缺失")
    else:
        sheet.text(photo_x, sheet.y + 10, "（照片）")

    works = WorkRow.objects.filter(application=a).order_by("order", "pk")
    _table(sheet, "工作情况", ["单位名称", "现有专业技术职务", "时间", "专业"],
           [[w.unit_name, w.title, _span(w.start, w.end), w.major] for w in works],
           [0.07, 0.33, 0.18, 0.24, 0.18])
    edu = list(EducationRow.objects.filter(application=a).order_by("order", "pk"))
    widths = [0.07, 0.17, 0.12, 0.3, 0.14, 0.2]
    sheet.band(f"教育情况（学信网在线验证码：{a.chsi_code or '无'}）")
    for kind, label in ((EducationRow.Kind.EDUCATION, "学历"), (EducationRow.Kind.DEGREE, "学位")):
        sheet.row(["序号", label, "取得时间", "学校", "学习形式", "专业"], widths)
        for i, r in enumerate([r for r in edu if r.kind == kind], 1):
            sheet.row([str(i), r.level, _ym(r.obtained), r.school, r.study_form, r.major], widths)

    sheet.band("申报信息及现有资格信息")
    w = [0.17, 0.33, 0.17, 0.33]
    sheet.row(["报考级别", a.level.name if a.level else "", "拟申报资格", a.qualification.name if a.qualification else ""], w)
    sheet.row(["执业类别", a.category.name if a.category else "", "执业注册范围", a.scope.name if a.scope else ""], w)
    sheet.row(["执业变更情况", a.practice_change or "无", "申报专业", a.specialty.name if a.specialty else ""], w)
    sheet.row(["现有资格", a.current_qualification or "无", "现有资格取得年月", _ym(a.current_qualification_date)], w)
    sheet.row(["现技术资格取得年限", a.qualification_duration, "", ""], w)

    appointments = list(AppointmentRow.objects.filter(application=a).order_by("order", "pk"))
    for row in appointments:
        row.application = a  # duration() reads the year's cut-off: no query per row
    _table(sheet, "现有资格聘任情况", ["聘任单位", "现聘任职务/职称", "现聘任职务/技术资格", "聘任时间", "聘任年限"],
           [[r.unit_name, r.post, r.qualification, _span(r.start, r.end), r.duration] for r in appointments],
           [0.07, 0.25, 0.16, 0.18, 0.2, 0.14])
    trainings = list(TrainingRow.objects.filter(application=a).order_by("order", "pk"))
    for kind in (TrainingRow.Kind.RESIDENCY, TrainingRow.Kind.GENERAL_PRACTICE):
        _table(sheet, kind.label, ["证书编号", "培训专业", "培训时间", "培训基地", "发证日期"],
               [[t.certificate_no, t.specialty, _span(t.start, t.end), t.base, _ym(t.issued)]
                for t in trainings if t.kind == kind],
               [0.07, 0.2, 0.16, 0.2, 0.25, 0.12])
    _table(sheet, "其他", ["类型", "备注（有关情况说明）"],
           [[o.kind, o.note] for o in OtherRow.objects.filter(application=a).order_by("order", "pk")],
           [0.07, 0.3, 0.63])

    # 审查意见: one box per level for its stamp, with the decision recorded so far.
    box_h = 30 * mm
    sheet.ensure(ROW_H + box_h)
    sheet.band("审查意见")
    decisions = {}
    for log in a.review_logs.filter(submission_round=a.submission_round, action=ReviewAction.APPROVE):
        decisions[log.stage] = log
    box_w = sheet.width / 4
    for i, stage in enumerate(STAGE_ORDER):
        x = MARGIN + i * box_w
        c.rect(x, sheet.y - box_h, box_w, box_h, stroke=1, fill=0)
        org = a.org_at(stage)
        sheet.text(x, sheet.y - 11, f"{Stage(stage).label}意见：")
        sheet.text(x, sheet.y - 22, org.short_name or org.name if org else "", size=7.5, max_width=box_w)
        log = decisions.get(stage)
        if log:
            sheet.text(x, sheet.y - 34, log.opinion or "同意", max_width=box_w)
            sheet.text(x, sheet.y - box_h + 14, f"{timezone.localtime(log.created_at):%Y-%m-%d}", size=7.5)
        sheet.text(x, sheet.y - box_h + 4, "（盖章）    年   月   日", size=7.5)
    sheet.y -= box_h + 6
    sheet.ensure(12)
    sheet.text(MARGIN, sheet.y - 8, "考生承诺：所有填报及上传的信息均真实、合法、有效；两表信息内容一致。"
                                    "如有不实，考生承担相应责任。  考生签名：", size=8)
    c.showPage()
    c.save()
    return buffer.getvalue()
