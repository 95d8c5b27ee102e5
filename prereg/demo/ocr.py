"""Demo machine readings: two applications in review show the reading beside their 📷 items.

For each, the ID card front and the first diploma are drawn as certificates (WenQuanYi Micro Hei)
with what the candidate typed, except one thing on the diploma (another school for the first, a
graduation a month later for the second), and their reading is stored as an engine would give it,
boxes where the text was drawn (engine "演示数据"): the review screen shows the disagreement first,
outlined on the photo, and 进度跟踪 counts it. Deterministic and quick: no engine runs here.
"""

import datetime
import io
from importlib import resources

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

from prereg.applications import images
from prereg.applications.models import ApplicationImage, EducationRow, State
from prereg.ocr import documents, services
from prereg.ocr.layout import page_of
from prereg.ocr.models import ImageReading, ReadingStatus

from .images import store

ENGINE = "演示数据"
SIZE = (1200, 800)


def _font(size):
    path = resources.files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc"
    return ImageFont.truetype(str(path), size)


def _draw(rows, paper):
    """rows: [[(text, size), ...], ...] -> (JPEG upload, stored lines with their boxes)."""
    img = Image.new("RGB", SIZE, paper)
    draw = ImageDraw.Draw(img)
    draw.rectangle([14, 14, SIZE[0] - 15, SIZE[1] - 15], outline=(150, 60, 40), width=4)
    lines, y = [], 70
    for row in rows:
        x, height = 70, 0
        for text, size in row:
            font = _font(size)
            left, top, right, bottom = draw.textbbox((x, y), text, font=font)
            draw.text((x, y), text, font=font, fill=(30, 30, 30))
            box = [left - 4, top - 4, right + 4, top - 4, right + 4, bottom + 4, left - 4, bottom + 4]
            lines.append([text, [float(v) for v in box], 0.99, [[[c, 0.99]] for c in text]])
            x = right + 40
            height = max(height, bottom - y)
        y += height + 45
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return SimpleUploadedFile("demo.jpg", out.getvalue(), content_type="image/jpeg"), lines


def _id_front(a):
    b = a.birth_date or datetime.date(1990, 1, 1)
    ethnicity = (a.ethnicity.name if a.ethnicity_id else "汉族").removesuffix("族")
    return [[("姓名", 30), (a.name, 38)], [("性别", 30), (a.get_gender_display() or "女", 34), ("民族", 30), (ethnicity, 34)],
            [("出生", 30), (f"{b.year}年{b.month}月{b.day}日", 34)], [("住址", 30), (a.address or "福建省福州市鼓楼区", 32)],
            [("公民身份号码", 30), (a.id_number, 38)]], (232, 240, 246)


def _diploma(a, row, twist):
    school, end = row.school, row.obtained
    if twist == 0:
        school = "福建中医药大学" if row.school != "福建中医药大学" else "福建医科大学"
    else:
        end = datetime.date(end.year + (end.month == 12), end.month % 12 + 1, 1)
    return [[("毕业证书", 56)], [(f"学生 {a.name}，于{end.year - 4}年9月至{end.year}年{end.month}月在本校", 30)],
            [(f"{row.major} 专业 四 年制{row.level}学习，修完教学计划规定的全部课程，", 30)],
            [("成绩合格，准予毕业。", 30)], [(f"校名：{school}", 32)],
            [("证书编号：103921201205001234", 28), (f"{end.year}年{end.month}月1日", 30)]], (250, 246, 232)


def seed(context):
    in_review = [a for a in context["applications"] if a.state == State.IN_REVIEW][:2]
    for twist, application in enumerate(in_review):
        row = EducationRow.objects.filter(application=application, kind="education").order_by("order", "pk").first()
        targets = [("id_front", None, _id_front(application))]
        if row is not None:
            targets.append(("education", row.pk, _diploma(application, row, twist)))
        for slot, row_id, (rows, paper) in targets:
            image = ApplicationImage.objects.filter(application=application, slot=slot, row_id=row_id).first()
            if image is None or ImageReading.objects.filter(image=image).exists():
                continue
            upload, lines = _draw(rows, paper)
            processed = images.process_image(upload)
            # The placeholder picture, replaced by the drawn certificate: its files go as a candidate's would.
            images.slot_images_delete(application, slot, row_id)
            store(application, slot, row_id, processed)
            image = ApplicationImage.objects.get(application=application, slot=slot, row_id=row_id)
            ImageReading.objects.create(
                image=image, application=application, slot=slot, sha256=image.sha256, status=ReadingStatus.DONE,
                engine=ENGINE, lines=lines, width=image.width, height=image.height,
                kind=documents.kind_of(page_of(lines), slot), seconds=0)
        services.flags_store(application)
