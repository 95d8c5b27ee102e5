"""What the photo says against what was typed, field by field: 一致 / 不一致 / 未能识别.

Computed when shown, from the stored reading (the page's lines) and the typed values of the
moment, so an edit of the typed values is reflected without reading the photo again.

Rules (the same for every kind of certificate):
- ID numbers and certificate numbers: equal after normalising (spaces, ×→X). A number read from
  the photo whose GB 11643 check digit fails was misread: 未能识别, never 不一致.
- Dates: equal at the precision both carry (a typed year-month against a printed day: the month).
- Names: every character equal, or the engine itself weighed the typed character for that place
  (an OCR confusion, e.g. blur); 张伟 printed clearly is not 张玮.
- Schools, majors, units: the same, with one unexplained character in eight allowed.
- First the typed value is looked for anywhere on the page (a parser may miss an odd layout, a
  value present is present); only when it is not there does the parsed field decide, and a field
  the parser did not find, or read with little confidence, is 未能识别 rather than 不一致.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from . import documents
from .layout import Page

MATCH, MISMATCH, UNREAD, INFO = "match", "mismatch", "unread", "info"
NAME_ALT = 0.08  # the engine gave the typed character at least this probability: an OCR confusion
DIGIT_ALT = 0.25
LOW_CONFIDENCE = 0.55  # a photo value read with less mean confidence is not trusted to disagree


@dataclass
class Expect:
    key: str  # "name", "id_number", "school" …: the kind of field (bench groups by it)
    label: str  # 姓名
    typed: str  # as shown
    how: str  # name | text | id | date | month | choice | code
    photo: tuple[str, ...]  # parsed fields that may hold it, best first
    value: object = None  # a date for date/month


@dataclass
class FieldResult:
    key: str
    label: str
    status: str
    typed: str = ""
    photo: str = ""  # what the photo says (for 不一致, and info)
    lines: list[int] = field(default_factory=list)  # the engine's line indices to highlight


# -- normalising --------------------------------------------------------------------------------

_DROP = re.compile(r"[\s·•.,，。、:：;；'\"“”‘’\-—_()（）\[\]【】《》<>]")


def norm_text(value: str) -> str:
    return _DROP.sub("", unicodedata.normalize("NFKC", value or "")).upper()


def norm_choice(value: str) -> str:
    value = norm_text(value)
    for suffix in ("类别", "族", "专业", "类"):
        if value.endswith(suffix) and len(value) > len(suffix):
            value = value[: -len(suffix)]
    return value


# -- matching typed text against the page ------------------------------------------------------------

def _squashed(page: Page, start: int = 0, end: int | None = None) -> list[tuple[str, int]]:
    """(normalised char, page position) for the page text, dropping what normalising drops."""
    out = []
    for pos in range(start, len(page.text) if end is None else end):
        if char := norm_text(page.text[pos]):
            out.append((char[0], pos))
    return out


def _shows(page: Page, typed: str, window: list[tuple[str, int]], tolerance: float, allowed: int) -> bool:
    """Whether the window shows `typed`: each character as read or among the engine's alternatives
    weighed at `tolerance` or more, but for `allowed` characters at most."""
    unexplained = 0
    for want, (read, pos) in zip(typed, window, strict=True):
        if want != read and not any(norm_text(char) == want and prob >= tolerance for char, prob in page.alts_at(pos)):
            unexplained += 1
            if unexplained > allowed:
                return False
    return True


def find_on_page(page: Page, typed: str, tolerance: float, allowed: int = 0) -> tuple[int, int] | None:
    """Where the normalised `typed` stands on the page (start, end in page text), or None."""
    typed = norm_text(typed)
    chars = page.__dict__.get("_squashed_all")  # the same for every field of the page
    if chars is None:
        chars = page.__dict__["_squashed_all"] = _squashed(page)
    n = len(typed)
    if not n or n > len(chars):
        return None
    for i in range(len(chars) - n + 1):
        window = chars[i:i + n]
        if _shows(page, typed, window, tolerance, allowed):
            return window[0][1], window[-1][1] + 1
    return None


def _same(page: Page, typed: str, found: documents.Found, tolerance: float, allowed: int) -> bool:
    chars = _squashed(page, found.start, found.end)
    typed = norm_text(typed)
    return len(chars) == len(typed) and _shows(page, typed, chars, tolerance, allowed)


def _confidence(page: Page, found: documents.Found) -> float:
    probs = [alts[0][1] for pos in range(found.start, found.end) if (alts := page.alts_at(pos))]
    return sum(probs) / len(probs) if probs else 1.0


def _contains(a: str, b: str) -> bool:
    short, long = sorted((a, b), key=len)
    return len(short) >= 2 and 2 * len(short) >= len(long) and short in long


# -- one field ---------------------------------------------------------------------------------

def compare_field(page: Page, fields: dict, expect: Expect) -> FieldResult:
    result = FieldResult(expect.key, expect.label, UNREAD, typed=expect.typed)
    if expect.how in ("date", "month"):
        return _compare_date(page, fields, expect, result)
    found = next((fields[k] for k in expect.photo if k in fields), None)
    if expect.how in ("id", "code"):
        typed = documents.norm_id(expect.typed)
        spot = find_on_page(page, typed, DIGIT_ALT)
        if spot:
            return _set(result, MATCH, page, spot)
        if found is None:
            return result
        photo = documents.norm_id(found.value)
        if expect.how == "id" and not documents.id_check_ok(photo):
            return result  # misread: a printed ID number always carries a valid check digit
        return _judge(result, page, found, photo == typed or _same(page, typed, found, DIGIT_ALT, 0), photo)
    if expect.how == "choice":
        if found is None:
            return result
        typed = norm_choice(expect.typed)
        same = norm_choice(found.value) == typed or _same(page, typed, found, NAME_ALT, 0)
        return _judge(result, page, found, same, documents.flat(found.value))
    # name | text
    allowed = 0 if expect.how == "name" else len(norm_text(expect.typed)) // 8  # one character in eight
    spot = find_on_page(page, expect.typed, NAME_ALT, allowed)
    if spot:
        return _set(result, MATCH, page, spot)
    if found is None:
        return result
    typed, photo = norm_text(expect.typed), norm_text(found.value)
    # 福建医科大学 typed, 福建医科大学（原福建医学院） printed; 护理 and 护理学: the same school or major.
    same = (photo == typed or _same(page, expect.typed, found, NAME_ALT, allowed)
            or (expect.how == "text" and _contains(photo, typed)))
    return _judge(result, page, found, same, documents.flat(found.value))


def _judge(result, page, found, same: bool, photo: str) -> FieldResult:
    """The parsed field decides: 一致 when `same`, else 不一致 unless it was read with little confidence."""
    span = (found.start, found.end)
    if same:
        return _set(result, MATCH, page, span)
    if _confidence(page, found) < LOW_CONFIDENCE:
        return result
    return _set(result, MISMATCH, page, span, photo)


def _compare_date(page, fields, expect, result):
    typed: date = expect.value
    candidates = [fields[k] for k in expect.photo if k in fields and fields[k].parsed]
    if not candidates:
        return result

    def same(parsed) -> bool:
        y, m, d = parsed
        if (y, m) != (typed.year, typed.month):
            return False
        return expect.how == "month" or d is None or d == typed.day

    for found in candidates:
        if same(found.parsed):
            return _set(result, MATCH, page, (found.start, found.end))
    if len(candidates) < len(expect.photo):
        return result  # the date it may be (a diploma's issue date under its seal) was not read
    found = candidates[0]
    y, m, d = found.parsed
    return _judge(result, page, found, False, f"{y}-{m:02d}" + (f"-{d:02d}" if d and expect.how == "date" else ""))


def _set(result, status, page, span, photo=""):
    result.status = status
    result.lines = page.lines_of(*span)
    if photo:
        result.photo = photo
    return result
