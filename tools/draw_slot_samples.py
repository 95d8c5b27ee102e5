"""Draw the 示例图片 of the candidate's 📷 slots: a schematic specimen of each document, marked 示例.

    python -m tools.draw_slot_samples      # writes prereg/static/prereg/samples/*.png (and the manual's copy)

The PNGs are committed (prereg.applications.images.SLOT_GUIDES names them); run this again only to
change a drawing. Each is a 16-colour PNG of a few dozen KB at most, so a phone on a weak signal
loads one when asked. The names, numbers and dates on them are made up.
"""

import argparse
import importlib.resources
import sys

from PIL import Image, ImageDraw, ImageFont

from tools.common import MANUAL_DIR, STATIC_DIR, palette_png, save

OUT_DIR = STATIC_DIR / "prereg" / "samples"
# The candidate manual (docs/manual-candidate.md) shows one of them; its pictures live in static/manual/.
MANUAL_COPIES = {"appointment": MANUAL_DIR / "sample-appointment.png"}
MAX_BYTES = 30 * 1024
FONT_PACKAGE, FONT_FILE = "paperang_p2_fonts_cjk", "fonts/wqy-microhei.ttc"  # the PDF's font, a dependency
SIZE = (600, 400)
PAPER, INK, FAINT, RED, BLUE = (252, 250, 243), (40, 40, 40), (150, 150, 150), (200, 30, 30), (40, 90, 160)


def font(size: int) -> ImageFont.FreeTypeFont:
    with importlib.resources.as_file(importlib.resources.files(FONT_PACKAGE) / FONT_FILE) as path:
        return ImageFont.truetype(str(path), size, index=0)


def canvas(size=SIZE, paper=PAPER, border=BLUE):
    image = Image.new("RGB", size, (228, 232, 238))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((12, 12, size[0] - 12, size[1] - 12), radius=10, fill=paper, outline=border, width=3)
    return image, draw


def title(draw, text, y=30, size=30, fill=INK, width=SIZE[0]):
    f = font(size)
    draw.text(((width - draw.textlength(text, font=f)) / 2, y), text, font=f, fill=fill)


def lines(draw, rows, x=44, y=100, size=19, step=34):
    f = font(size)
    for row in rows:
        draw.text((x, y), row, font=f, fill=INK)
        y += step
    return y


def wrapped(draw, text, x, y, width, size=19, step=32):
    f = font(size)
    line = ""
    for char in text:
        if draw.textlength(line + char, font=f) > width:
            draw.text((x, y), line, font=f, fill=INK)
            y, line = y + step, ""
        line += char
    draw.text((x, y), line, font=f, fill=INK)
    return y + step


def portrait(draw, box):
    x0, y0, x1, y1 = box
    draw.rectangle(box, fill=(214, 222, 232), outline=FAINT, width=2)
    cx, w = (x0 + x1) / 2, x1 - x0
    draw.ellipse((cx - w * 0.22, y0 + (y1 - y0) * 0.18, cx + w * 0.22, y0 + (y1 - y0) * 0.52), fill=(120, 130, 145))
    draw.pieslice((x0 + w * 0.12, y0 + (y1 - y0) * 0.58, x1 - w * 0.12, y1 + (y1 - y0) * 0.4), 180, 360,
                  fill=(120, 130, 145))


def seal(draw, centre, text="盖章", r=46):
    cx, cy = centre
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=RED, width=4)
    f = font(18 if len(text) <= 2 else 15)
    draw.text((cx - draw.textlength("★", font=f) / 2, cy - 22), "★", font=f, fill=RED)
    draw.text((cx - draw.textlength(text, font=f) / 2, cy + 2), text, font=f, fill=RED)


def highlight(draw, box, label):
    """A red frame around what the photo must show, with the reason beside it."""
    draw.rectangle(box, outline=RED, width=4)
    f = font(17)
    draw.text((box[0], box[3] + 6), label, font=f, fill=RED)


def mark(image):
    """The 示例 stamp across the specimen and in its corner: no one mistakes it for a real document."""
    overlay = Image.new("L", (260, 120), 0)
    ImageDraw.Draw(overlay).text((10, 0), "示例", font=font(100), fill=255)
    overlay = overlay.rotate(20, expand=True)
    tint = Image.new("RGB", overlay.size, (230, 120, 120))
    x, y = (image.width - overlay.width) // 2, (image.height - overlay.height) // 2
    image.paste(tint, (x, y), overlay.point(lambda v: v * 45 // 100))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((image.width - 96, 20, image.width - 22, 58), radius=6, fill=RED)
    draw.text((image.width - 84, 22), "示例", font=font(26), fill=(255, 255, 255))
    return image


# --- the specimens ----------------------------------------------------------------------------

def photo():
    image = Image.new("RGB", (300, 400), (67, 142, 219))
    draw = ImageDraw.Draw(image)
    draw.ellipse((95, 70, 205, 200), fill=(238, 205, 180))
    draw.pieslice((30, 220, 270, 520), 180, 360, fill=(45, 45, 60))
    draw.text((36, 350), "近期正面免冠证件照", font=font(26), fill=(255, 255, 255))
    return image


def id_front():
    image, draw = canvas(border=(120, 150, 190))
    lines(draw, ["姓名  张三", "性别  男      民族  汉", "出生  1990 年 1 月 1 日", "住址  福建省福州市鼓楼区",
                 "        ××路×号"], y=60, size=22, step=44)
    portrait(draw, (400, 70, 540, 250))
    draw.text((44, 300), "公民身份号码  35010219900101××××", font=font(22), fill=INK)
    return image


def id_back():
    image, draw = canvas(border=(120, 150, 190))
    draw.ellipse((50, 50, 150, 150), outline=RED, width=5)
    draw.text((84, 82), "★", font=font(30), fill=RED)
    title(draw, "中华人民共和国", y=60, size=34)
    title(draw, "居 民 身 份 证", y=115, size=40)
    lines(draw, ["签发机关  福州市公安局鼓楼分局", "有效期限  2015.01.01-2035.01.01"], x=90, y=240, size=22, step=46)
    return image


def education():
    image, draw = canvas()
    title(draw, "普通高等学校毕业证书")
    portrait(draw, (44, 90, 144, 220))
    wrapped(draw, "学生 张三，性别 男，一九九〇年一月一日生，于二〇〇八年九月至二〇一三年七月在本校临床医学专业"
                  "五年制本科学习，修完教学计划规定的全部课程，成绩合格，准予毕业。", 170, 92, 380)
    lines(draw, ["校名：福建××大学        证书编号：××××××××"], y=320)
    return image


def degree():
    image, draw = canvas()
    title(draw, "学士学位证书")
    portrait(draw, (44, 90, 144, 220))
    wrapped(draw, "张三，男，一九九〇年一月一日生。在福建××大学临床医学专业完成了本科学习计划，业已毕业，"
                  "经审核符合《中华人民共和国学位条例》的规定，授予医学学士学位。", 170, 92, 380)
    lines(draw, ["证书编号：××××××××"], y=320)
    return image


def nurse_licence():
    image, draw = canvas()
    title(draw, "护士执业证书")
    lines(draw, ["姓名：李四        性别：女", "出生日期：1990年1月1日", "执业地点：福建省××医院", "证书编号：××××××××",
                 "首次注册  注册日期：2012年4月15日", "注册有效期至：2027年4月15日"], y=90)
    seal(draw, (480, 300), "注册机关")
    return image


def physician_qualification():
    image, draw = canvas()
    title(draw, "医师资格证书")
    portrait(draw, (450, 90, 550, 220))
    lines(draw, ["姓名：张三        性别：男", "学历：大学本科", "毕业学校：福建××大学", "专业：临床医学",
                 "类别：临床", "证书编码：××××××××"], y=90)
    seal(draw, (500, 300), "发证机关")
    return image


def physician_licence():
    image, draw = canvas()
    title(draw, "医师执业证书")
    lines(draw, ["姓名：张三        性别：男", "执业类别：临床", "执业范围：内科专业", "执业地点：福建省",
                 "证书编码：××××××××", "签发日期：2017年4月27日"], y=90)
    seal(draw, (480, 300), "发证机关")
    return image


def practice_change():
    image, draw = canvas()
    title(draw, "变更注册记录")
    lines(draw, ["变更项目：主要执业机构与执业范围变更", "福建省××医院  外科专业", "变更日期：2018年2月9日",
                 "批准机关（盖章）"], y=100)
    highlight(draw, (36, 94, 470, 236), "须拍到变更注册记录页")
    seal(draw, (480, 300), "批准机关")
    return image


def qualification():
    image, draw = canvas()
    title(draw, "专业技术资格证书")
    lines(draw, ["姓名 Full Name：李四", "专业名称 Speciality：卫生", "资格级别 Qualification Level：初级(师)",
                 "类别 Type：护理学", "批准日期 Approval Date：2015年5月", "管理号 File No.：××××××××"], y=88, size=18, step=32)
    seal(draw, (490, 310), "签发单位")
    return image


def appointment():
    """The open 聘书: the page with the term of appointment, which the photo must show."""
    image = Image.new("RGB", SIZE, (228, 232, 238))
    draw = ImageDraw.Draw(image)
    draw.rectangle((16, 20, 298, 380), fill=(176, 30, 36))
    draw.rectangle((302, 20, 584, 380), fill=PAPER, outline=FAINT, width=2)
    draw.text((110, 150), "聘  书", font=font(40), fill=(240, 200, 90))
    f = font(19)
    for i, row in enumerate(["兹聘请 张三 同志", "为 主治医师", "聘任单位：福建省××医院", "聘任期限：", "2018年6月至2021年5月"]):
        draw.text((322, 60 + 40 * i), row, font=f, fill=INK)
    highlight(draw, (314, 172, 560, 256), "须拍到聘任时间段")
    seal(draw, (500, 320), "聘任单位", r=40)
    return image


def appointment_document():
    image, draw = canvas()
    title(draw, "福建省××医院文件", y=26, size=32, fill=RED)
    draw.line((40, 76, 560, 76), fill=RED, width=3)
    title(draw, "关于聘任张三等同志专业技术职务的通知", y=90, size=21)
    wrapped(draw, "根据我院专业技术职务聘任实施办法，同意聘任张三等同志为主治医师，聘任时间自2018年6月起，"
                  "聘期三年。具体名单见附件。", 44, 140, 510)
    highlight(draw, (40, 170, 560, 240), "须有聘任时间")
    seal(draw, (480, 320), "医院")
    return image


def training(name):
    def draw_it():
        image, draw = canvas()
        title(draw, name, size=27)
        lines(draw, ["姓名：张三", "培训专业：内科" if "住院" in name else "培训专业：全科", "培训时间：2013年9月至2016年8月",
                     "培训基地：福建省××医院", "证书编号：××××××××", "发证日期：2016年9月"], y=90)
        seal(draw, (480, 300), "发证机关")
        return image
    return draw_it


def other():
    image, draw = canvas()
    title(draw, "证  明")
    wrapped(draw, "兹证明张三同志自2010年8月起在本单位从事临床医疗工作至今。特此证明。", 44, 100, 510)
    lines(draw, ["福建省××卫生院（盖章）", "2019年12月20日"], x=300, y=250)
    seal(draw, (420, 270), "单位")
    return image


SPECIMENS = {
    "photo": photo, "id-front": id_front, "id-back": id_back, "education": education, "degree": degree,
    "nurse-licence": nurse_licence, "physician-qualification": physician_qualification,
    "physician-licence": physician_licence, "practice-change": practice_change, "qualification": qualification,
    "appointment": appointment, "appointment-document": appointment_document,
    "residency": training("住院医师规范化培训合格证书"), "general-practice": training("全科医生规范化培训合格证书"),
    "other": other,
}


def png(image) -> bytes:
    return palette_png(mark(image), 16)


def main(argv=None):
    argparse.ArgumentParser(prog="python -m tools.draw_slot_samples",
                            description="Draw the sample images (示例图片) of the candidate's image slots "
                                        "into prereg/static/prereg/samples/.").parse_args(argv)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for name, draw_it in SPECIMENS.items():
        data = png(draw_it())
        if len(data) > MAX_BYTES:
            print(f"{name}.png: {len(data)} bytes, more than {MAX_BYTES}", file=sys.stderr)
        save(OUT_DIR / f"{name}.png", data)
        if name in MANUAL_COPIES:
            MANUAL_COPIES[name].write_bytes(data)


if __name__ == "__main__":
    main()
