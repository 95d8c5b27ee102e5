"""Synthetic certificate photos for prereg.ocr: every kind of the issue, printed, then photographed.

    .venv/bin/python -m tests.ocr.synth OUT_DIR [--count N]   # writes JPEGs and truth.json to look at

`samples(count, seed)` draws people and their certificates (身份证 front and back, 毕业证书, 学位证书,
医师资格证书, 医师执业证书, 护士执业证书, 专业技术资格证书, 聘书), prints them with a CJK font
(WenQuanYi Micro Hei from paperang-p2-fonts-cjk, and Noto Sans/Serif CJK SC from /usr/share/fonts
where installed), and degrades each like a phone photo: on a table, turned by 0/90/180/270° plus a
few degrees of skew, in perspective, blurred, with glare, dimmed or washed out, noisy, saved as JPEG.
Each sample carries what was printed and two typed variants: one right, one with one realistic
mistake (a wrong digit with the check digit made valid again as the form would demand, a
near-homophone character in the name, a date off by one month, another school or major, another
category, scope, qualification or unit). A few samples are of the wrong kind for their slot (an ID
card in the diploma slot) or blank. Nothing in prereg.ocr knows this generator.
"""

from __future__ import annotations

import copy
import glob
import os
import random
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

import numpy as np
from PIL import Image, ImageDraw, ImageFont

# -- fonts --------------------------------------------------------------------------------------


def fonts() -> list[tuple[str, int]]:
    """(path, index) of the CJK fonts to print with: WenQuanYi always, Noto CJK SC where present."""
    import paperang_p2_fonts_cjk

    found = [(p, 0) for p in glob.glob(os.path.join(os.path.dirname(paperang_p2_fonts_cjk.__file__), "fonts", "*.tt[cf]"))]
    for path in ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                 "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"):
        if os.path.exists(path):
            found.append((path, 2))  # the SC face of the collection
    return found


_FONT_CACHE: dict = {}


def font(spec, size):
    key = (spec, size)
    if key not in _FONT_CACHE:
        _FONT_CACHE[key] = ImageFont.truetype(spec[0], size, index=spec[1])
    return _FONT_CACHE[key]


# -- people -------------------------------------------------------------------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁沈"
GIVEN = "伟华明丽静芳娟军敏燕玲辉杰峰平红英霞斌强磊洋艳勇涛超秀兰桂建国志海波婷雪琴鹏飞晨宇欣怡佳慧颖杨凯文"
# Characters a candidate types for another that sounds (nearly) the same.
HOMOPHONES = {"伟": "玮", "华": "桦", "明": "铭", "丽": "莉", "静": "婧", "芳": "方", "娟": "鹃", "军": "君",
              "敏": "民", "燕": "艳", "玲": "琳", "辉": "晖", "杰": "洁", "峰": "锋", "平": "萍", "红": "宏",
              "英": "瑛", "霞": "侠", "斌": "彬", "强": "蔷", "磊": "雷", "洋": "阳", "艳": "燕", "勇": "永",
              "涛": "韬", "超": "潮", "秀": "绣", "兰": "岚", "桂": "贵", "建": "健", "国": "帼", "志": "智",
              "海": "海", "波": "博", "婷": "亭", "雪": "学", "琴": "芹", "鹏": "朋", "飞": "菲", "晨": "辰",
              "宇": "雨", "欣": "新", "怡": "仪", "佳": "家", "慧": "惠", "颖": "莹", "杨": "洋", "凯": "楷",
              "文": "雯", "王": "汪", "李": "黎", "张": "章", "刘": "柳", "陈": "程", "杨_": "阳", "黄": "王",
              "赵": "肇", "吴": "武", "周": "邹", "徐": "许", "孙": "荪", "马": "麻", "朱": "祝", "胡": "湖",
              "郭": "国", "何": "贺", "林": "琳", "罗": "骆", "郑": "正", "梁": "良", "谢": "解", "宋": "松",
              "唐": "汤", "许": "徐", "韩": "寒", "冯": "风", "邓": "登", "曹": "漕", "彭": "鹏", "曾": "增",
              "肖": "萧", "田": "甜", "董": "东", "潘": "盘", "袁": "元", "蔡": "菜", "蒋": "姜", "余": "于",
              "于": "余", "杜": "度", "叶": "业", "程": "成", "魏": "卫", "苏": "素", "吕": "旅", "丁": "定",
              "沈": "审"}
ETHNICITIES = ["汉", "汉", "汉", "汉", "畲", "回", "满", "壮"]
REGIONS = ["350102", "350103", "350104", "350111", "350121", "350122", "350181", "350203", "350524", "350802",
           "350582", "350625", "350402", "350702", "350902"]
SCHOOLS = ["福建医科大学", "福建中医药大学", "厦门大学", "莆田学院", "泉州医学高等专科学校", "漳州卫生职业学院",
           "福建卫生职业技术学院", "闽北职业技术学院", "宁德师范学院", "龙岩学院", "三明医学科技职业学院",
           "中南大学", "温州医科大学", "南昌大学", "江西中医药大学"]
MAJORS = ["临床医学", "护理学", "护理", "药学", "中医学", "医学检验技术", "医学影像技术", "口腔医学", "预防医学",
          "康复治疗技术", "中药学", "针灸推拿学", "麻醉学", "助产"]
DEGREE_FIELDS = {"临床医学": "医学", "护理学": "理学", "药学": "理学", "中医学": "医学", "口腔医学": "医学",
                 "预防医学": "医学", "中药学": "医学", "针灸推拿学": "医学", "麻醉学": "医学", "医学检验技术": "理学"}
CATEGORIES = {"临床": ["内科专业", "外科专业", "妇产科专业", "儿科专业", "眼耳鼻咽喉科专业", "医学影像和放射治疗专业"],
              "中医": ["中医专业", "中西医结合专业"], "口腔": ["口腔专业"], "公共卫生": ["公共卫生类别专业"]}
QUALIFICATIONS = ["护师", "主管护师", "药师", "主管药师", "技师", "主管技师", "医师", "主治医师", "中药师"]
QUAL_SPECIALTY = {"护师": "护理", "主管护师": "内科护理", "药师": "药学", "主管药师": "药学", "技师": "临床医学检验技术",
                  "主管技师": "放射医学技术", "医师": "临床医学", "主治医师": "内科学", "中药师": "中药学"}
UNITS = ["福州市第一医院", "福建省立医院", "福建医科大学附属协和医院", "福州市第二医院", "安溪县医院", "连江县医院",
         "龙岩市中医院", "泉州市第一医院", "厦门大学附属中山医院", "莆田市第一医院", "南平市第一医院", "三明市第一医院"]
AUTHORITIES = ["福州市公安局鼓楼分局", "福州市公安局台江分局", "厦门市公安局思明分局", "安溪县公安局", "连江县公安局",
               "龙岩市公安局新罗分局", "泉州市公安局丰泽分局", "莆田市公安局城厢分局"]


def check_digit(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11]


def id_number(rng, birth: date, gender: str) -> str:
    seq = rng.randint(0, 99) * 10 + int(rng.choice("13579") if gender == "男" else rng.choice("02468"))
    first = f"{rng.choice(REGIONS)}{birth:%Y%m%d}{seq:03d}"
    return first + check_digit(first)


def _date(rng, start_year, end_year):
    return date(rng.randint(start_year, end_year), rng.randint(1, 12), rng.randint(1, 28))


def person(rng) -> dict:
    gender = rng.choice("男女")
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    birth = _date(rng, 1970, 2000)
    return {"name": name, "gender": gender, "ethnicity": rng.choice(ETHNICITIES), "birth": birth,
            "id_number": id_number(rng, birth, gender)}


# -- Chinese dates as printed ---------------------------------------------------------------------

CN = "〇一二三四五六七八九"


def cn_number(n: int) -> str:
    if n < 10:
        return CN[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN[tens]) + "十" + (CN[ones] if ones else "")


def cn_date(d: date, day=True) -> str:
    year = "".join(CN[int(c)] for c in str(d.year))
    return f"{year}年{cn_number(d.month)}月" + (f"{cn_number(d.day)}日" if day else "")


def num_date(rng, d: date, day=True) -> str:
    style = rng.choice(("cn", "pad", "plain"))
    if style == "pad":
        return f"{d.year}年{d.month:02d}月" + (f"{d.day:02d}日" if day else "")
    return f"{d.year}年{d.month}月" + (f"{d.day}日" if day else "")


def add_months(d: date, months: int) -> date:
    m = d.month - 1 + months
    return date(d.year + m // 12, m % 12 + 1, min(d.day, 28))


# -- drawing --------------------------------------------------------------------------------------

@dataclass
class Canvas:
    img: Image.Image
    draw: ImageDraw.ImageDraw
    face: tuple

    def text(self, xy, text, size, fill=(25, 25, 25), spacing_px=0):
        f = font(self.face, size)
        if not spacing_px:
            self.draw.text(xy, text, font=f, fill=fill)
            return
        x, y = xy
        for ch in text:
            self.draw.text((x, y), ch, font=f, fill=fill)
            x += f.getlength(ch) + spacing_px

    def paragraph(self, xy, text, size, width, fill=(25, 25, 25), leading=1.7):
        f = font(self.face, size)
        x0, y = xy
        line = ""
        for ch in text:
            if f.getlength(line + ch) > width:
                self.draw.text((x0, y), line, font=f, fill=fill)
                y += int(size * leading)
                line = ""
            line += ch
        if line:
            self.draw.text((x0, y), line, font=f, fill=fill)
            y += int(size * leading)
        return y


def _canvas(size, paper, face):
    img = Image.new("RGB", size, paper)
    return Canvas(img, ImageDraw.Draw(img), face)


def _frame(c: Canvas, color):
    w, h = c.img.size
    c.draw.rectangle([18, 18, w - 18, h - 18], outline=color, width=6)
    c.draw.rectangle([32, 32, w - 32, h - 32], outline=color, width=2)


def _seal(c: Canvas, center, radius, rng):
    # A red stamp over part of the text, as on real certificates: ink, so the print shows through.
    from PIL import ImageChops

    x, y = center
    layer = Image.new("RGB", c.img.size, (255, 255, 255))
    draw = ImageDraw.Draw(layer)
    draw.ellipse([x - radius, y - radius, x + radius, y + radius], outline=(215, 45, 45), width=rng.randint(4, 7))
    draw.regular_polygon((x, y, radius // 4), 5, fill=(215, 45, 45))
    c.img.paste(ImageChops.multiply(c.img, layer))


def draw_id_front(p, face, rng):
    c = _canvas((1070, 675), (226, 236, 243), face)
    label = (70, 110, 150)
    c.text((70, 70), "姓  名", 30, label)
    c.text((190, 64), p["name"], 40)
    c.text((70, 150), "性  别", 30, label)
    c.text((190, 146), p["gender"], 36)
    c.text((330, 150), "民  族", 30, label)
    c.text((450, 146), p["ethnicity"], 36)
    c.text((70, 230), "出  生", 30, label)
    b = p["birth"]
    c.text((190, 226), f"{b.year}", 36)
    c.text((300, 230), "年", 30, label)
    c.text((350, 226), f"{b.month}", 36)
    c.text((400, 230), "月", 30, label)
    c.text((450, 226), f"{b.day}", 36)
    c.text((500, 230), "日", 30, label)
    c.text((70, 310), "住  址", 30, label)
    c.paragraph((190, 306), p["address"], 34, 460)
    c.text((70, 560), "公民身份号码", 30, label)
    c.text((330, 552), p["id_number"], 42, spacing_px=4)
    c.draw.rectangle([730, 110, 990, 440], fill=(200, 210, 220))  # the photo
    return c.img


def draw_id_back(p, face, rng):
    c = _canvas((1070, 675), (230, 238, 236), face)
    c.draw.ellipse([70, 60, 230, 220], outline=(200, 60, 60), width=8)
    c.text((330, 90), "中华人民共和国", 56, (40, 40, 40))
    c.text((330, 190), "居民身份证", 66, (40, 40, 40), spacing_px=12)
    c.text((180, 430), "签发机关", 30, (70, 110, 150))
    c.text((340, 426), p["authority"], 34)
    c.text((180, 510), "有效期限", 30, (70, 110, 150))
    a, b = p["valid_from"], p["valid_to"]
    c.text((340, 506), f"{a:%Y.%m.%d}-{b:%Y.%m.%d}", 34)
    return c.img


def draw_diploma(p, face, rng):
    c = _canvas((1600, 1130), (250, 246, 232), face)
    _frame(c, (150, 110, 60))
    c.text((560, 90), "毕业证书", 80, (150, 40, 40), spacing_px=30)
    c.draw.rectangle([130, 250, 330, 500], fill=(215, 215, 215))
    body = (f"学生 {p['name']}，性别 {p['gender']}，{cn_date(p['birth'])}生，于{cn_date(p['start'], False)}至"
            f"{cn_date(p['end'], False)}在本校 {p['major']} 专业 {p['years']} 年制{p['level']}学习，修完教学计划规定的"
            f"全部课程，成绩合格，准予毕业。")
    y = c.paragraph((380, 260), body, 38, 1080)
    c.text((380, y + 60), f"校    名：{p['school']}", 36)
    c.text((380, y + 130), "校（院）长：" + rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), 36)
    c.text((130, 960), f"证书编号：{p['number']}", 32)
    date_text = cn_date(p["issued"]) if rng.random() < 0.6 else num_date(rng, p["issued"])
    c.text((1050, 960), date_text, 34)
    _seal(c, (1150, 880), 110, rng)
    return c.img


def draw_degree(p, face, rng):
    c = _canvas((1600, 1130), (247, 243, 250), face)
    _frame(c, (60, 80, 140))
    c.text((470, 90), f"{p['level']}学位证书", 78, (60, 50, 120), spacing_px=16)
    c.draw.rectangle([130, 250, 330, 500], fill=(215, 215, 215))
    body = (f"{p['name']}，{p['gender']}，{cn_date(p['birth'])}生。在{p['school']}{p['major']}专业完成了"
            f"{'本科' if p['level'] == '学士' else '研究生'}学习计划，业已毕业，经审核符合《中华人民共和国学位条例》的规定，"
            f"授予{p['field']}{p['level']}学位。")
    y = c.paragraph((380, 260), body, 38, 1080)
    c.text((380, y + 60), p["school"], 40)
    c.text((380, y + 130), "学位评定委员会主席 " + rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), 34)
    c.text((130, 960), f"证书编号：{p['number']}", 32)
    c.text((1050, 960), cn_date(p["issued"]), 34)
    _seal(c, (900, y + 110), 100, rng)
    return c.img


def _label_rows(c, rows, x, y, size, gap, label_color=(60, 60, 60), value_x=None):
    value_x = value_x or x + int(size * 5.5)
    for label, value in rows:
        c.text((x, y), label, size, label_color)
        c.text((value_x, y - 2), value, size + 2)
        y += gap
    return y


def draw_physician_qualification(p, face, rng):
    c = _canvas((1130, 1600), (252, 250, 240), face)
    _frame(c, (170, 60, 60))
    c.text((250, 110), "医师资格证书", 84, (170, 40, 40), spacing_px=8)
    rows = [("姓名", p["name"]), ("性别", p["gender"]), ("出生日期", num_date(rng, p["birth"])),
            ("身份证号", p["id_number"]), ("资格级别", "执业医师"), ("资格类别", p["category"]),
            ("管理号码", p["number"]), ("批准日期", num_date(rng, p["issued"]))]
    _label_rows(c, rows, 150, 420, 38, 110)
    c.text((150, 1380), "中华人民共和国国家卫生健康委员会", 34)
    _seal(c, (850, 1330), 120, rng)
    return c.img


def draw_physician_practice(p, face, rng):
    c = _canvas((1130, 1600), (246, 250, 244), face)
    _frame(c, (40, 110, 70))
    c.text((250, 110), "医师执业证书", 84, (30, 100, 60), spacing_px=8)
    rows = [("编码", p["number"]), ("姓名", p["name"]), ("性别", p["gender"]), ("出生日期", num_date(rng, p["birth"])),
            ("身份证号", p["id_number"]), ("医师级别", "执业医师"), ("执业类别", p["category"]),
            ("执业范围", p["scope"]), ("执业地点", p["unit"]), ("发证日期", num_date(rng, p["issued"]))]
    _label_rows(c, rows, 150, 380, 36, 100)
    c.text((150, 1430), "发证机关：福建省卫生健康委员会", 32)
    _seal(c, (850, 1380), 120, rng)
    return c.img


def draw_nurse_practice(p, face, rng):
    c = _canvas((1130, 1600), (250, 244, 248), face)
    _frame(c, (150, 60, 120))
    c.text((250, 110), "护士执业证书", 84, (140, 40, 110), spacing_px=8)
    rows = [("姓名", p["name"]), ("性别", p["gender"]), ("出生日期", num_date(rng, p["birth"])), ("国籍", "中国"),
            ("身份证号", p["id_number"]), ("证书编号", p["number"]), ("执业地点", p["unit"]),
            ("注册日期", num_date(rng, p["issued"])), ("发证日期", num_date(rng, p["issued"]))]
    _label_rows(c, rows, 150, 400, 36, 105)
    _seal(c, (850, 1380), 120, rng)
    return c.img


def draw_title(p, face, rng):
    c = _canvas((1600, 1130), (248, 247, 238), face)
    _frame(c, (120, 30, 30))
    c.text((380, 90), "专业技术资格证书", 76, (130, 30, 30), spacing_px=14)
    rows = [("姓名", p["name"]), ("性别", p["gender"]), ("身份证号", p["id_number"]),
            ("专业名称", p["specialty"]), ("资格名称", p["qualification"]), ("级别", p["title_level"]),
            ("批准日期", num_date(rng, p["issued"])), ("管理号", p["number"])]
    _label_rows(c, rows[:4], 150, 300, 36, 100)
    _label_rows(c, rows[4:], 850, 300, 36, 100)
    c.text((150, 900), "福建省人力资源和社会保障厅  福建省卫生健康委员会", 32)
    _seal(c, (1250, 860), 110, rng)
    return c.img


def draw_appointment(p, face, rng):
    c = _canvas((1130, 1600), (252, 248, 240), face)
    _frame(c, (180, 40, 40))
    c.text((400, 140), "聘书", 110, (180, 30, 30), spacing_px=60)
    s, e = p["start"], p["end"]
    body = (f"兹聘任 {p['name']} 同志为{p['unit']}{p['qualification']}，聘期自{num_date(rng, s)}至"
            f"{num_date(rng, e)}。")
    y = c.paragraph((150, 420), body, 42, 830, leading=1.9)
    c.text((560, y + 260), p["unit"], 38)
    c.text((600, y + 330), num_date(rng, s), 36)
    _seal(c, (720, y + 300), 120, rng)
    return c.img


DRAW = {
    "id_front": draw_id_front, "id_back": draw_id_back, "diploma": draw_diploma, "degree": draw_degree,
    "physician_qualification": draw_physician_qualification, "physician_practice": draw_physician_practice,
    "nurse_practice": draw_nurse_practice, "title": draw_title, "appointment": draw_appointment,
}
SLOT_OF = {"id_front": "id_front", "id_back": "id_back", "diploma": "education", "degree": "degree",
           "physician_qualification": "category", "physician_practice": "scope", "nurse_practice": "category",
           "title": "current_qualification", "appointment": "appointment"}


# -- the photo --------------------------------------------------------------------------------------

def photograph(page: Image.Image, rng, strength: float = 1.0) -> bytes:
    """`page` photographed with a phone: on a table, turned, in perspective, blurred, glare, JPEG."""
    import cv2

    arr = cv2.cvtColor(np.asarray(page), cv2.COLOR_RGB2BGR)
    h, w = arr.shape[:2]
    margin = int(0.08 * max(w, h))
    table = np.array([rng.randint(60, 170), rng.randint(60, 150), rng.randint(50, 140)], dtype=np.uint8)
    out_w, out_h = w + 2 * margin, h + 2 * margin
    # Perspective: each corner moved by up to 5% of the side, then a skew of a few degrees.
    jitter = 0.05 * strength
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[margin + rng.uniform(-jitter, jitter) * w, margin + rng.uniform(-jitter, jitter) * h]
                      for _ in range(1)] + [[margin + w + rng.uniform(-jitter, jitter) * w, margin + rng.uniform(-jitter, jitter) * h]]
                     + [[margin + w + rng.uniform(-jitter, jitter) * w, margin + h + rng.uniform(-jitter, jitter) * h]]
                     + [[margin + rng.uniform(-jitter, jitter) * w, margin + h + rng.uniform(-jitter, jitter) * h]])
    matrix = cv2.getPerspectiveTransform(src, dst)
    skew = rng.uniform(-4, 4) * strength
    rot = cv2.getRotationMatrix2D((out_w / 2, out_h / 2), skew, 1.0)
    matrix = np.vstack([rot, [0, 0, 1]]) @ matrix
    photo = cv2.warpPerspective(arr, matrix, (out_w, out_h), borderMode=cv2.BORDER_CONSTANT,
                                borderValue=tuple(int(v) for v in table))
    # Light: uneven (a gradient), dim or bright, and a glare spot.
    yy, xx = np.mgrid[0:out_h, 0:out_w].astype(np.float32)
    gx, gy = rng.uniform(-1, 1), rng.uniform(-1, 1)
    light = 1.0 + 0.18 * strength * (gx * (xx / out_w - 0.5) + gy * (yy / out_h - 0.5))
    light *= rng.uniform(0.8, 1.08)
    photo = photo.astype(np.float32) * light[..., None]
    if rng.random() < 0.7:
        cx, cy = rng.uniform(0.2, 0.8) * out_w, rng.uniform(0.2, 0.8) * out_h
        radius = rng.uniform(0.08, 0.2) * max(out_w, out_h)
        glare = np.exp(-(((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * radius**2)))
        photo = photo + (rng.uniform(60, 120) * strength * glare)[..., None]
    photo += np.random.default_rng(rng.randint(0, 2**31)).normal(0, 4 * strength, photo.shape)
    photo = np.clip(photo, 0, 255).astype(np.uint8)
    blur = rng.uniform(0.3, 1.6) * strength
    photo = cv2.GaussianBlur(photo, (0, 0), blur)
    turn = rng.choice((None, cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_180, cv2.ROTATE_90_COUNTERCLOCKWISE))
    if turn is not None:
        photo = cv2.rotate(photo, turn)
    # The size a stored upload has (long side ≤ 2000), then the camera's JPEG.
    scale = rng.uniform(1500, 2000) / max(photo.shape[:2])
    photo = cv2.resize(photo, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(55, 85)])
    assert ok
    return data.tobytes()


# -- samples ------------------------------------------------------------------------------------------

@dataclass
class Sample:
    kind: str  # what was printed ("blank" for a blank page)
    slot: str  # the slot it was uploaded to
    image: bytes
    printed: dict
    right: SimpleNamespace  # (application, row) typed right
    wrong: SimpleNamespace | None  # one realistic mistake
    wrong_field: str = ""  # the field key the mistake is in ("" when no typed variant differs)
    wrong_label: str = ""  # and its label, where one key has two fields (聘期开始, 聘期结束)
    wrong_kind: bool = False  # the document does not belong in the slot
    font: str = ""
    notes: dict = field(default_factory=dict)


def _printed(rng, kind) -> dict:
    p = person(rng)
    p["address"] = rng.choice(["福建省福州市鼓楼区五四路", "福建省安溪县凤城镇河滨路", "福建省龙岩市新罗区西陂街道",
                               "福建省厦门市思明区湖滨南路"]) + f"{rng.randint(1, 300)}号"
    p["authority"] = rng.choice(AUTHORITIES)
    p["valid_from"] = _date(rng, 2012, 2022)
    p["valid_to"] = date(p["valid_from"].year + 20, p["valid_from"].month, p["valid_from"].day)
    p["school"] = rng.choice(SCHOOLS)
    p["major"] = rng.choice(list(DEGREE_FIELDS) if kind == "degree" else MAJORS)
    p["field"] = DEGREE_FIELDS.get(p["major"], "医学")
    p["level"] = {"degree": rng.choice(["学士", "学士", "硕士"])}.get(kind, rng.choice(["本科", "专科"]))
    p["years"] = rng.choice(["三", "四", "五"])
    start = date(p["birth"].year + 18, 9, 1)
    p["start"], p["end"] = start, date(start.year + rng.choice((3, 4, 5)), 7, 1)
    p["issued"] = date(p["end"].year, rng.choice((6, 7)), rng.randint(1, 28))
    p["number"] = "".join(rng.choice("0123456789") for _ in range(rng.choice((12, 15, 18))))
    p["category"] = rng.choice(list(CATEGORIES))
    p["scope"] = rng.choice(CATEGORIES[p["category"]])
    p["unit"] = rng.choice(UNITS)
    p["qualification"] = rng.choice(QUALIFICATIONS)
    p["specialty"] = QUAL_SPECIALTY[p["qualification"]]
    p["title_level"] = "中级" if p["qualification"].startswith("主") else "初级"
    if kind in ("physician_qualification", "physician_practice", "nurse_practice", "title"):
        p["issued"] = _date(rng, p["birth"].year + 23, 2024)
    if kind == "appointment":
        p["start"] = date(rng.randint(2012, 2022), rng.randint(1, 12), 1)
        p["end"] = date(p["start"].year + rng.choice((2, 3, 5)), p["start"].month, 1) - (date(2000, 1, 2) - date(2000, 1, 1))
    return p


def _typed(kind: str, p: dict) -> SimpleNamespace:
    """The application and row as the candidate typed them right."""
    a = SimpleNamespace(
        name=p["name"], gender={"男": "M", "女": "F"}[p["gender"]], gender_label=p["gender"],
        ethnicity_id=1, ethnicity=_Named(p["ethnicity"] + "族"), birth_date=p["birth"], id_number=p["id_number"],
        has_resident_id=True, category_id=None, category=None, scope_id=None, scope=None,
        current_qualification="", current_qualification_date=None,
    )
    a.get_gender_display = lambda: a.gender_label
    row = None
    if kind in ("physician_qualification", "physician_practice"):
        a.category_id, a.category = 1, _Named(p["category"])
    if kind == "physician_practice":
        a.scope_id, a.scope = 1, _Named(p["scope"])
    if kind == "title":
        a.current_qualification = p["qualification"]
        a.current_qualification_date = date(p["issued"].year, p["issued"].month, 1)
    if kind in ("diploma", "degree"):
        row = SimpleNamespace(school=p["school"], major=p["major"], obtained=date(p["issued"].year, p["issued"].month, 1))
    if kind == "appointment":
        row = SimpleNamespace(unit_name=p["unit"], start=date(p["start"].year, p["start"].month, 1),
                              end=date(p["end"].year, p["end"].month, 1))
    return SimpleNamespace(application=a, row=row)


class _Named:
    def __init__(self, name):
        self.name = name

    def __str__(self):
        return self.name


# field key (as prereg.ocr.expect names it) -> how a candidate gets it wrong
def _mistake(rng, kind, typed: SimpleNamespace, p: dict) -> tuple[SimpleNamespace, str, str]:
    a, row = typed.application, typed.row
    wrong = SimpleNamespace(application=copy.copy(a), row=copy.copy(row))
    wa, wr = wrong.application, wrong.row
    wa.get_gender_display = a.get_gender_display
    options = {
        "id_front": ["name", "id_number", "birth", "ethnicity"],
        "diploma": ["name", "school", "major", "date"],
        "degree": ["name", "school", "major", "date"],
        "physician_qualification": ["name", "id_number", "category"],
        "physician_practice": ["name", "id_number", "category", "scope"],
        "nurse_practice": ["name", "id_number"],
        "title": ["name", "qualification", "date"],
        "appointment": ["name", "unit", "date"],
    }[kind]
    key = rng.choice(options)
    label = ""
    if key == "name":
        chars = list(a.name)
        spots = [i for i, ch in enumerate(chars) if HOMOPHONES.get(ch, ch) != ch]
        i = rng.choice(spots)
        chars[i] = HOMOPHONES[chars[i]]
        wa.name = "".join(chars)
    elif key == "id_number":
        digits = list(a.id_number[:17])
        i = rng.choice([k for k in range(17) if not 6 <= k < 14])  # region or sequence: the birth date stays
        digits[i] = rng.choice([d for d in "0123456789" if d != digits[i]])
        first = "".join(digits)
        wa.id_number = first + check_digit(first)
    elif key == "birth":
        wa.birth_date = add_months(a.birth_date, rng.choice((-1, 1)))
    elif key == "ethnicity":
        wa.ethnicity = _Named(rng.choice([e for e in ("汉", "回", "畲", "满") if e + "族" != str(a.ethnicity)]) + "族")
    elif key == "school":
        wr.school = rng.choice([s for s in SCHOOLS if s != row.school])
    elif key == "major":
        wr.major = rng.choice([m for m in MAJORS if m != row.major and m not in row.major and row.major not in m])
    elif key == "date":
        months = rng.choice((-1, 1))
        if kind in ("diploma", "degree"):
            # Not onto the diploma's other date (至…年7月): typing the graduation month is no mistake.
            wr.obtained = add_months(row.obtained, months)
            if (wr.obtained.year, wr.obtained.month) == (p["end"].year, p["end"].month):
                wr.obtained = add_months(row.obtained, -months)
        elif kind == "title":
            wa.current_qualification_date = add_months(a.current_qualification_date, months)
        else:
            if rng.random() < 0.5:
                wr.start, label = add_months(row.start, months), "聘期开始"
            else:
                wr.end, label = add_months(row.end, months), "聘期结束"
    elif key == "category":
        wa.category = _Named(rng.choice([c for c in CATEGORIES if c != str(a.category)]))
    elif key == "scope":
        wa.scope = _Named(rng.choice([s for c in CATEGORIES.values() for s in c if s != str(a.scope)]))
    elif key == "qualification":
        wa.current_qualification = rng.choice([q for q in QUALIFICATIONS if q != a.current_qualification])
    elif key == "unit":
        wr.unit_name = rng.choice([u for u in UNITS if u != row.unit_name])
    return wrong, key, label


def make_sample(rng, kind: str, face=None, strength: float = 1.0, slot: str | None = None) -> Sample:
    faces = fonts()
    face = face or rng.choice(faces)
    if kind == "blank":
        page = Image.new("RGB", (1600, 1130), (250, 248, 240))
        p = _printed(rng, "diploma")
        typed = _typed("diploma", p)
        return Sample("blank", slot or "education", photograph(page, rng, strength), p, typed, None,
                      wrong_kind=True, font=os.path.basename(face[0]))
    p = _printed(rng, kind)
    page = DRAW[kind](p, face, rng)
    typed_kind = kind
    if slot and slot != SLOT_OF[kind]:
        # A document in another kind's slot: typed values are those of the slot's own kind.
        typed_kind = next(k for k, s in SLOT_OF.items() if s == slot)
        typed = _typed(typed_kind, _printed(rng, typed_kind))
        return Sample(kind, slot, photograph(page, rng, strength), p, typed, None, wrong_kind=True,
                      font=os.path.basename(face[0]))
    typed = _typed(kind, p)
    wrong, key, label = _mistake(rng, kind, typed, p) if kind != "id_back" else (None, "", "")
    return Sample(kind, SLOT_OF[kind], photograph(page, rng, strength), p, typed, wrong, key, label,
                  font=os.path.basename(face[0]))


KINDS = list(DRAW)


def samples(count_per_kind: int = 4, seed: int = 21, wrong_kind: int = 3, blank: int = 2, strength: float = 1.0):
    """count_per_kind of each kind (fonts taken in turn), then a few in a wrong slot and blank pages."""
    rng = random.Random(seed)
    faces = fonts()
    out = []
    for kind in KINDS:
        for i in range(count_per_kind):
            out.append(make_sample(rng, kind, faces[i % len(faces)], strength))
    swaps = [("id_front", "education"), ("diploma", "id_front"), ("title", "appointment"), ("id_back", "degree"),
             ("appointment", "education")]
    for i in range(wrong_kind):
        kind, slot = swaps[i % len(swaps)]
        out.append(make_sample(rng, kind, faces[i % len(faces)], strength, slot=slot))
    for _ in range(blank):
        out.append(make_sample(rng, "blank", strength=strength))
    return out


def main(argv=None):
    import argparse
    import json

    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--count", type=int, default=1)
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    truth = []
    for i, s in enumerate(samples(args.count)):
        name = f"{i:03d}-{s.kind}-{s.slot}.jpg"
        with open(os.path.join(args.out, name), "wb") as fh:
            fh.write(s.image)
        truth.append({"file": name, "kind": s.kind, "slot": s.slot, "wrong_field": s.wrong_field, "font": s.font,
                      "printed": {k: str(v) for k, v in s.printed.items()}})
    with open(os.path.join(args.out, "truth.json"), "w") as fh:
        json.dump(truth, fh, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()


# -- scoring --------------------------------------------------------------------------------------

def score(sample_list, read, on_result=None) -> dict:
    """Run `read(image_bytes) -> lines` on each sample and count the 不一致 flags against the truth.

    Returns {"by_field": {field key: {"tp", "fp", "fn", "tn", "unread"}}, "seconds": [...]}; the
    wrong-kind flag counts as the field "kind". `on_result(sample, variant, result)` sees each
    comparison (for reports)."""
    import time

    from prereg.ocr import compare, services

    counts: dict[str, dict[str, int]] = {}
    seconds = []

    def count(key, predicted, actual, unread=False):
        c = counts.setdefault(key, {"tp": 0, "fp": 0, "fn": 0, "tn": 0, "unread": 0})
        c["tp" if predicted and actual else "fp" if predicted else "fn" if actual else "tn"] += 1
        c["unread"] += int(unread)

    for s in sample_list:
        began = time.perf_counter()
        lines = read(s.image)
        seconds.append(time.perf_counter() - began)
        reading = SimpleNamespace(status="done", lines=services.stored_lines(lines), width=0, height=0, image_id=0,
                                  slot=s.slot)
        for variant, wrong_key, wrong_label in ((s.right, "", ""), (s.wrong, s.wrong_field, s.wrong_label)):
            if variant is None:
                continue
            result = services.compare_reading(reading, variant.application, variant.row, slot=s.slot)
            if on_result:
                on_result(s, variant, result, wrong_key)
            if variant is s.right:
                count("kind", result.kind_verdict == "wrong", s.wrong_kind)
            if s.wrong_kind:
                continue
            for f in result.fields:
                actual = f.key == wrong_key and (not wrong_label or f.label == wrong_label)
                count(f.key, f.status == compare.MISMATCH, actual, f.status == compare.UNREAD)
    return {"by_field": counts, "seconds": seconds}


def precision_recall(c: dict) -> tuple[float | None, float | None]:
    flagged, actual = c["tp"] + c["fp"], c["tp"] + c["fn"]
    return (c["tp"] / flagged if flagged else None), (c["tp"] / actual if actual else None)
