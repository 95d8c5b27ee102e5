"""Readings written by hand: what an engine would answer, laid out as rows of boxes."""

from datetime import date
from types import SimpleNamespace


def page_lines(rows, turn=0, line_height=40, alts=None):
    """[[text, ...], ...] -> stored lines (text, box, score, alts), each row one line high.

    `turn` (0/90/180/270) rotates the page as a photo would be; boxes keep their corners in reading
    order, as the engine gives them. `alts`: {text: [[(char, p), ...], ...]} for chosen lines."""
    out = []
    width, height = 1200, line_height * 2 * (len(rows) + 1)
    for r, row in enumerate(rows):
        x = 40
        y = line_height * 2 * (r + 1)
        for text in row:
            w = 36 * len(text)
            box = [(x, y), (x + w, y), (x + w, y + line_height), (x, y + line_height)]
            box = [_turn(p, turn, width, height) for p in box]
            chars = (alts or {}).get(text) or [[(c, 0.99)] for c in text]
            out.append([text, [v for p in box for v in p], 0.98, chars])
            x += w + 60
    return out


def _turn(point, turn, width, height):
    x, y = point
    if turn == 90:  # the page turned clockwise: its top is on the right
        return (height - y, x)
    if turn == 180:
        return (width - x, height - y)
    if turn == 270:
        return (y, width - x)
    return (x, y)


class Named:
    def __init__(self, name):
        self.name = name

    def __str__(self):
        return self.name


def typed(**values):
    """An application as the comparison reads it (no database)."""
    a = SimpleNamespace(name="张伟", gender="M", gender_label="男", ethnicity_id=1, ethnicity=Named("汉族"),
                        birth_date=date(1988, 3, 7), id_number="350102198803070016", has_resident_id=True,
                        category_id=None, category=None, scope_id=None, scope=None, current_qualification="",
                        current_qualification_date=None)
    for key, value in values.items():
        setattr(a, key, value)
    a.get_gender_display = lambda: a.gender_label
    return a


ID_FRONT = [["姓名", "张伟"], ["性别", "男", "民族", "汉"], ["出生", "1988年3月7日"],
            ["住址", "福建省福州市鼓楼区五四路123号"], ["公民身份号码", "350102198803070016"]]
