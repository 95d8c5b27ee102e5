"""What a read page is (its kind) and what it says (its fields), from the upright text.

Each kind of certificate is recognised by the words printed on every copy of it (its title and
its labels), tolerating one misread character in a longer word. Fields are found the way a person
reads them: after their label (姓名, 签发机关, 证书编号 …) or in the set phrases of the certificate's
sentence (学生…，于…至…在本校…专业…学习; 在…大学…专业完成了…学习; 兹聘任…为…，聘期自…至…). A field
records its value and where in the page text it was found, so its box can be shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from prereg.applications.models import ImageSlot
from prereg.core.validators import id_check_char

from .layout import Page

CJK = "\u4e00-\u9fff"
NAME = rf"[{CJK}·•]{{2,12}}"


@dataclass(frozen=True)
class Found:
    value: str  # as printed (a date as read: "2011年7月1日")
    start: int  # in Page.text
    end: int
    parsed: object = None  # a date for dates: (year, month, day or None)


# -- kinds -------------------------------------------------------------------------------------

KIND_LABELS = {
    "id_front": "身份证正面",
    "id_back": "身份证反面",
    "diploma": "毕业证书",
    "degree": "学位证书",
    "physician_qualification": "医师资格证书",
    "physician_practice": "医师执业证书",
    "nurse_practice": "护士执业证书",
    "title": "专业技术资格证书",
    "appointment": "聘书",
    "training": "规范化培训合格证书",
    "blank": "空白或无文字的图片",
    "unknown": "无法判断的材料",
}
# kind -> ((word, weight), ...): a title word weighs 5, a label 1-2.
KIND_WORDS = {
    "id_front": (("公民身份号码", 5), ("住址", 2), ("民族", 1), ("出生", 1), ("性别", 1), ("姓名", 1)),
    "id_back": (("签发机关", 5), ("有效期限", 4), ("居民身份证", 3), ("中华人民共和国", 1)),
    # 学历证书: the 学信网 教育部学历证书电子注册备案表 many 成教/自考 candidates upload as their 学历.
    "diploma": (("毕业证书", 5), ("学历证书", 5), ("准予毕业", 4), ("本校", 2), ("年制", 2), ("校长", 1)),
    "degree": (("学位证书", 5), ("授予", 2), ("学位评定委员会", 3), ("学位条例", 3)),
    "physician_qualification": (("医师资格证书", 6), ("资格级别", 2), ("资格类别", 2), ("管理号码", 1)),
    "physician_practice": (("医师执业证书", 6), ("执业范围", 2), ("执业地点", 1), ("执业类别", 1),
                           ("医师级别", 2)),
    "nurse_practice": (("护士执业证书", 6), ("执业地点", 1), ("注册日期", 1), ("有效期至", 1)),
    "title": (("专业技术资格证书", 6), ("专业技术职务任职资格", 6), ("资格名称", 3), ("专业技术资格", 3),
              ("资格级别", 1), ("批准日期", 1)),
    "appointment": (("聘书", 6), ("聘任", 3), ("聘期", 4), ("聘用合同", 5), ("聘用", 2), ("兹聘", 4)),
    "training": (("规范化培训合格证书", 6), ("规范化培训", 3), ("培训基地", 2), ("培训专业", 2)),
}
# A slot -> the kinds that belong in it. The slots not here (考生照片, 执业变更记录页, 其他材料) have nothing
# to read. A kind is what the page is, a slot where it was uploaded: id_front, degree and appointment
# name both.
SLOT_KINDS = {
    ImageSlot.ID_FRONT: ("id_front",),
    ImageSlot.ID_BACK: ("id_back",),
    ImageSlot.EDUCATION: ("diploma",),
    ImageSlot.DEGREE: ("degree",),
    ImageSlot.CATEGORY: ("physician_qualification", "nurse_practice"),
    ImageSlot.SCOPE: ("physician_practice", "nurse_practice"),
    ImageSlot.CURRENT_QUALIFICATION: ("title", "physician_qualification", "nurse_practice"),
    ImageSlot.APPOINTMENT: ("appointment",),
    ImageSlot.RESIDENCY: ("training",),
    ImageSlot.GENERAL_PRACTICE: ("training",),
}
BLANK_CHARS = 6  # a page with fewer characters read than this is blank (or unreadable)


def flat(text: str) -> str:
    """`text` without spaces or line breaks: a value the page wrapped (针灸推拿 / 学) is one word."""
    return re.sub(r"\s+", "", text)


WORDS = frozenset(word for words in KIND_WORDS.values() for word, _ in words)


def printed_words(text: str) -> list[tuple[int, int]]:
    """The spans of `text` where one of the kinds' words is printed whole."""
    return [(m.start(), m.end()) for word in WORDS for m in re.finditer(re.escape(word), text)]


def contains_word(text: str, word: str, printed=()) -> bool:
    """`word` in `text`, one character of a word of 4 or more allowed to be misread.

    A near match inside another of the kinds' words printed whole (`printed`, from printed_words) is
    that word, not a misreading of this one: 学历证书 is one character from 学位证书, the 执业证书 of 医师执业证书
    one from 毕业证书, 有效期限 one from 有效期至."""
    if word in text:
        return True
    if len(word) < 4:
        return False
    n = len(word)
    half = n // 2
    # One misread character leaves one half whole: only the windows around a whole half are looked at.
    starts = {m.start() for m in re.finditer(re.escape(word[:half]), text)}
    starts |= {m.start() - half for m in re.finditer(re.escape(word[half:]), text)}
    return any(0 <= i <= len(text) - n and sum(a == b for a, b in zip(text[i:i + n], word, strict=True)) >= n - 1
               and not any(start <= i and i + n <= end for start, end in printed)
               for i in starts)


KIND_MIN_SCORE = 4


def kind_of(page: Page, slot: str | None = None) -> str:
    """The kind of document the page is; for `slot`, its own kind when the page shows it at all (an
    ID card's front and back copied on one sheet is a front in the front's slot)."""
    if page.chars < BLANK_CHARS:
        return "blank"
    text = flat(page.text)
    printed = printed_words(text)
    scores = {kind: sum(weight for word, weight in words if contains_word(text, word, printed))
              for kind, words in KIND_WORDS.items()}
    wanted = [k for k in SLOT_KINDS.get(slot or "", ()) if scores[k] >= KIND_MIN_SCORE]
    if wanted:
        return max(wanted, key=lambda k: scores[k])
    # The practice certificates share their labels: the title decides between them.
    kind, score = max(scores.items(), key=lambda item: item[1])
    return kind if score >= KIND_MIN_SCORE else "unknown"


def kind_verdict(slot: str, kind: str) -> str:
    """"ok", "wrong" (another kind of document, or a blank page) or "unknown"."""
    wanted = SLOT_KINDS.get(slot)
    if not wanted or kind == "unknown":
        return "unknown"
    return "ok" if kind in wanted else "wrong"


# -- values ------------------------------------------------------------------------------------

# 〇 is often read as O, o, C or 口.
DIGIT = "0-9〇零○OoΟC口一二三四五六七八九十"
CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "O": 0, "o": 0, "Ο": 0, "C": 0, "口": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL = r"(?:[0-9]{1,2}(?![0-9])|[〇零○一二三四五六七八九十]{1,3})"
DATE_RE = re.compile(
    rf"(?<![0-9])([{DIGIT}]{{4}})\s*[年.\-/．]\s*({_SMALL})\s*(?:[月.\-/．]\s*(?:({_SMALL})\s*日?)?)?"
    r"|(?<![0-9])((?:19|20)[0-9]{2})(0[1-9]|1[0-2])([0-3][0-9])(?![0-9])")
ID_RE = re.compile(r"(?<![0-9A-Za-z])([1-9](?:\s?[0-9]){16}\s?[0-9Xx×])(?![0-9])")


def _number(text: str) -> int | None:
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if "十" in text:  # 十, 十二, 二十, 三十一
        head, _, tail = text.partition("十")
        return CN_DIGITS.get(head, 1) * 10 + CN_DIGITS.get(tail, 0)
    digits = [CN_DIGITS.get(c, int(c) if c.isdigit() else None) for c in text]
    if None in digits:
        return None
    return int("".join(str(d) for d in digits))


def parse_date(match: re.Match) -> tuple[int, int, int | None] | None:
    if match.group(4):
        y, m, d = int(match.group(4)), int(match.group(5)), int(match.group(6))
    else:
        y, m, d = _number(match.group(1)), _number(match.group(2)), _number(match.group(3) or "")
    if y is None or m is None or not (1900 <= y <= 2100 and 1 <= m <= 12):
        return None
    if d is not None and not 1 <= d <= 31:
        d = None
    return (y, m, d)


def dates_in(text: str, start: int = 0, end: int | None = None) -> list[Found]:
    found = []
    for match in DATE_RE.finditer(text, start, len(text) if end is None else end):
        parsed = parse_date(match)
        if parsed:
            found.append(Found(match.group(0).strip(), match.start(), match.end(), parsed))
    return found


def id_check_ok(number: str) -> bool:
    """GB 11643: the 18th character is the check digit of the first 17."""
    return bool(re.fullmatch(r"[0-9]{17}[0-9X]", number)) and id_check_char(number[:17]) == number[17]


def norm_id(text: str) -> str:
    return re.sub(r"\s", "", text).upper().replace("×", "X")


def _label(label: str) -> str:
    return r"\s*".join(re.escape(c) for c in label)


def after_label(page: Page, labels, value: str, stop: str = "") -> Found | None:
    """The value printed after one of `labels` (on its row, or at the start of the next row);
    `value` is a pattern of the value's characters, none of them a space."""
    text = page.text
    for label in labels:
        pattern = re.compile(_label(label) + r"\s*[:：]?\s*(" + value + ")" + (f"(?={stop})" if stop else ""))
        match = pattern.search(text)
        if match:
            return Found(match.group(1), match.start(1), match.end(1))
    return None


def date_after(page: Page, labels) -> Found | None:
    text = page.text
    for label in labels:
        for match in re.finditer(_label(label), text):
            dates = dates_in(text, match.end(), match.end() + 24)
            if dates and text[match.end():dates[0].start].strip(" :：\n") == "":
                return dates[0]
    return None


def id_number(page: Page) -> Found | None:
    """The 18-character ID number on the page, one with a valid check digit first."""
    found = [Found(norm_id(m.group(1)), m.start(1), m.end(1)) for m in ID_RE.finditer(page.text)]
    valid = [f for f in found if id_check_ok(f.value)]
    return (valid or found or [None])[0]


SCHOOL_RE = re.compile(rf"[{CJK}（）()]{{2,30}}?(?:大学|学院|学校|专科学校|卫生学校|医学院|研究院|研究所|党校)")


def _school_ok(name: str) -> bool:
    return not re.search(r"高等学校|普通|成人|本校|^学校$|学位评定", name)


# -- the kinds' fields ---------------------------------------------------------------------------

def fields_of(page: Page, kind: str) -> dict[str, Found]:
    parser = PARSERS.get(kind)
    return {key: value for key, value in parser(page).items() if value is not None} if parser else {}


def _id_front(page):
    return {
        "name": after_label(page, ["姓名"], NAME),
        "gender": after_label(page, ["性别"], "[男女]"),
        "ethnicity": after_label(page, ["民族"], rf"[{CJK}]{{1,8}}?", stop=r"\s|出生|$|族\n"),
        "birth": date_after(page, ["出生"]),
        "id_number": id_number(page),
    }


def _id_back(page):
    validity = None
    text = page.text
    for match in re.finditer(_label("有效期限"), text):
        dates = dates_in(text, match.end(), match.end() + 40)
        if dates:
            last = dates[1] if len(dates) > 1 else None
            tail = re.match(r"\s*[-—–至~]*\s*(长期)", text[dates[0].end:])
            end = last.end if last else dates[0].end + (tail.end() if tail else 0)
            validity = Found(text[dates[0].start:end], dates[0].start, end, (dates[0].parsed, last.parsed if last else None))
            break
    return {"authority": after_label(page, ["签发机关"], rf"[{CJK}]{{3,30}}"), "validity": validity}


PARTIAL_DATE_RE = re.compile(rf"年\s*({_SMALL})\s*月\s*({_SMALL})\s*日")


def _issue_date_without_year(page: Page, end: Found) -> Found | None:
    """A diploma's date whose year the school's seal hid (…年六月三十日 after the sentence): it is
    given in the year the studies end (至二〇一九年七月)."""
    found = None
    for m in PARTIAL_DATE_RE.finditer(page.text, end.end):
        month, day = _number(m.group(1)), _number(m.group(2))
        if month and 1 <= month <= 12 and day and 1 <= day <= 31 and not DATE_RE.match(page.text, max(0, m.start() - 4)):
            found = Found(m.group(0), m.start(), m.end(), (end.parsed[0], month, day))
    return found


class Flow:
    """The page's text with its line breaks taken out, for certificates written as one sentence
    (学生…于…至…在本校…专业…; 在…大学…专业完成了…; 兹聘任…为…，聘期自…至…) whose words wrap anywhere
    (麻醉学专 / 业). `found` answers a match's span in Page.text."""

    def __init__(self, page: Page):
        self.positions = [i for i, c in enumerate(page.text) if c != "\n"]
        self.text = page.text.replace("\n", "")

    def found(self, match, group=1) -> Found:
        start, end = self.positions[match.start(group)], self.positions[match.end(group) - 1] + 1
        return Found(flat(match.group(group)), start, end)


def _issue_date(page, exclude=()) -> Found | None:
    """The date the certificate was given: the last full date that is not a birthday (…日生) nor
    part of the sentence's period (于…至…)."""
    text = page.text
    dates = [d for d in dates_in(text) if d.parsed[2] and (d.start, d.end) not in exclude
             and not re.match(r"\s*出?生", text[d.end:d.end + 3])]
    return dates[-1] if dates else None


def _diploma(page):
    text = page.text
    name = after_label(page, ["姓名", "学生"], NAME, stop=r"\s*[，,\s]|\s*性别")
    start = end = None
    period = re.search(rf"于\s*([{DIGIT}年月.\-/\s]{{4,14}}?)\s*至\s*([{DIGIT}年月.\-/\s]{{4,14}})", text)
    if period:
        a, b = dates_in(text, period.start(1), period.end(1)), dates_in(text, period.start(2), period.end(2))
        start, end = (a or [None])[0], (b or [None])[0]
    flow = Flow(page)
    m = re.search(rf"本校\s*([{CJK}（）()\s]{{2,30}}?)\s*专业", flow.text)
    major = flow.found(m) if m else None
    school = after_label(page, ["校名", "学校名称"], rf"[{CJK}（）()]{{2,30}}") or _first_school(text)
    issued = _issue_date(page, exclude={(d.start, d.end) for d in (start, end) if d})
    if issued is None and end is not None:
        issued = _issue_date_without_year(page, end)
    return {"name": name, "school": school, "major": major, "start": start, "end": end, "issued": issued,
            "number": after_label(page, ["证书编号", "证号", "编号"], r"[0-9A-Za-z]{6,24}")}


def _first_school(text) -> Found | None:
    for m in SCHOOL_RE.finditer(text):
        value = m.group(0)
        # A school named inside a longer phrase: from its last separator on.
        value = re.split(r"[在于授予的及和、，,。\s：:]", value)[-1]
        offset = m.end() - len(value)
        if len(value) >= 4 and _school_ok(value):
            return Found(value, offset, m.end())
    return None


def _degree(page):
    text = page.text
    name = after_label(page, ["姓名"], NAME)
    if name is None:
        m = re.search(rf"({NAME})\s*[，,]\s*[男女]\s*[，,]", text)
        name = Found(m.group(1), m.start(1), m.end(1)) if m else None
    school = major = None
    flow = Flow(page)
    m = re.search(rf"在\s*([{CJK}（）()\s]{{2,30}}?(?:大学|学院|学校|研究院|研究所))\s*([{CJK}（）()\s]{{2,30}}?)\s*专业",
                  flow.text)
    if m:
        school, major = flow.found(m, 1), flow.found(m, 2)
    if school is None:
        school = _first_school(text)
    if major is None:
        m = re.search(rf"([{CJK}]{{2,20}}?)\s*专业", flow.text)
        major = flow.found(m) if m else None
    m = re.search(rf"授予\s*([{CJK}]{{0,8}}?(?:学士|硕士|博士))\s*学位", text)
    level = Found(m.group(1), m.start(1), m.end(1)) if m else None
    return {"name": name, "school": school, "major": major, "level": level, "issued": _issue_date(page),
            "number": after_label(page, ["证书编号", "编号"], r"[0-9A-Za-z]{6,24}")}


def _practice(page):
    return {
        "name": after_label(page, ["姓名"], NAME),
        "id_number": id_number(page),
        "category": after_label(page, ["执业类别", "资格类别", "类别"], rf"[{CJK}]{{2,8}}?", stop=r"\s|$|类别"),
        "scope": after_label(page, ["执业范围"], rf"[{CJK}、]{{2,20}}?", stop=r"\s|$"),
        "level": after_label(page, ["医师级别", "资格级别", "级别"], rf"[{CJK}]{{2,8}}?", stop=r"\s|$"),
        "issued": date_after(page, ["发证日期", "签发日期", "批准日期", "注册日期"]),
        "number": after_label(page, ["证书编码", "编码", "证书编号", "管理号码", "编号"], r"[0-9A-Za-z]{6,30}"),
    }


def _title(page):
    return {
        "name": after_label(page, ["姓名"], NAME),
        "id_number": id_number(page),
        # Not the 证书 of the title printed above (专业技术资格证书, 护士执业资格证书): it is no qualification's name.
        "qualification": after_label(page, ["资格名称", "职务名称", "资格"], rf"(?!证书)[{CJK}]{{2,12}}?", stop=r"\s|$"),
        "level": after_label(page, ["级别", "资格级别"], rf"[{CJK}]{{2,8}}?", stop=r"\s|$"),
        "specialty": after_label(page, ["专业名称", "专业"], rf"[{CJK}（）()]{{2,20}}?", stop=r"\s|$"),
        "issued": date_after(page, ["批准日期", "批准时间", "取得时间", "取得日期", "评审通过时间", "考试通过时间",
                                    "通过时间", "授予时间", "签发日期", "发证日期"]),
        "number": after_label(page, ["证书编号", "管理号", "编号"], r"[0-9A-Za-z]{6,30}"),
    }


def _appointment(page):
    text = page.text
    name = after_label(page, ["兹聘任", "兹聘请", "聘任", "聘请", "姓名", "乙方"], NAME + "?", stop=r"\s*(?:同志|先生|女士|为|[，,：:\s])")
    start = end = None
    m = re.search(r"(?:聘期|聘任期限|期限|合同期)", text) or re.search(r"自\s*(?=[0-9〇一二])", text)
    if m:
        start, end, *_ = dates_in(text, m.end(), m.end() + 50) + [None, None]
    flow = Flow(page)
    m = re.search(rf"为\s*([{CJK}（）()]{{4,30}}?(?:医院|中心|卫生院|卫生所|服务站|研究所|所|院|站|局|委员会))", flow.text)
    unit = flow.found(m) if m else None
    return {"name": name, "start": start, "end": end, "unit": unit}


def _training(page):
    return {
        "name": after_label(page, ["姓名"], NAME),
        "number": after_label(page, ["证书编号", "编号"], r"[0-9A-Za-z]{6,30}"),
        "specialty": after_label(page, ["培训专业", "专业"], rf"[{CJK}（）()]{{2,20}}?", stop=r"\s|$"),
    }


PARSERS = {
    "id_front": _id_front,
    "id_back": _id_back,
    "diploma": _diploma,
    "degree": _degree,
    "physician_qualification": _practice,
    "physician_practice": _practice,
    "nurse_practice": _practice,
    "title": _title,
    "appointment": _appointment,
    "training": _training,
}


