"""A read page put upright: lines grouped into rows in the reading frame, and one text to parse.

The engine's boxes start at each line's top-left as read (prereg.ocr.engine.Line), so the page's
reading direction, including a few degrees of skew, is the length-weighted mean of the lines'
top edges. Coordinates are turned into that frame; lines whose centres lie within half a line
height of each other form a row, left to right. `Page.text` joins rows with newlines and lines
with a space; `Page.origin(i)` tells which line (and which character in it) text position i
came from, so a match found by a pattern leads back to its box and its characters' alternatives.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class PlacedLine:
    index: int  # position in the engine's list (and in the stored reading)
    text: str
    score: float
    alts: tuple
    x0: float
    x1: float
    y0: float
    y1: float

    @property
    def height(self) -> float:
        return max(self.y1 - self.y0, 1.0)

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class Page:
    lines: list[PlacedLine]  # in the engine's order: lines[i].index == i
    text: str
    _origin: list[tuple[int, int] | None]

    def origin(self, position: int) -> tuple[int, int] | None:
        """(line index, character index) of text position `position`, None for a separator."""
        return self._origin[position] if 0 <= position < len(self._origin) else None

    def lines_of(self, start: int, end: int) -> list[int]:
        """The engine's line indices that text[start:end] was read from."""
        return list(dict.fromkeys(origin[0] for pos in range(start, end) if (origin := self.origin(pos))))

    def alts_at(self, position: int) -> tuple:
        origin = self.origin(position)
        if origin is None:
            return ()
        line_index, char_index = origin
        alts = self.lines[line_index].alts
        return alts[char_index] if char_index < len(alts) else ()

    @property
    def chars(self) -> int:
        return sum(len(line.text.strip()) for line in self.lines)


def page_of(lines) -> Page:
    """`lines`: [text, [x0, y0, … x3, y3], score, alts] as ImageReading.lines stores them."""
    items = []
    for i, (text, box, score, alts) in enumerate(lines):
        points = [(float(box[k]), float(box[k + 1])) for k in range(0, 8, 2)]
        items.append((i, text, points, float(score), tuple(tuple(tuple(a) for a in char) for char in alts)))
    angle = _reading_angle([pts for _, _, pts, _, _ in items])
    cos, sin = math.cos(angle), math.sin(angle)
    placed = []
    for i, text, pts, score, alts in items:
        xs = [x * cos + y * sin for x, y in pts]
        ys = [-x * sin + y * cos for x, y in pts]
        placed.append(PlacedLine(i, text, score, alts, min(xs), max(xs), min(ys), max(ys)))
    parts, origin = [], []
    for r, row in enumerate(_rows(placed)):
        if r:
            parts.append("\n")
            origin.append(None)
        for k, line in enumerate(row):
            if k:
                parts.append(" ")
                origin.append(None)
            parts.append(line.text)
            origin.extend((line.index, c) for c in range(len(line.text)))
    return Page(placed, "".join(parts), origin)


def _reading_angle(boxes) -> float:
    """The mean direction of the lines' top edges (length-weighted), in radians."""
    sx = sum(pts[1][0] - pts[0][0] for pts in boxes)
    sy = sum(pts[1][1] - pts[0][1] for pts in boxes)
    return math.atan2(sy, sx) if sx or sy else 0.0


def _rows(lines: list[PlacedLine]) -> list[list[PlacedLine]]:
    rows: list[list[PlacedLine]] = []
    for line in sorted(lines, key=lambda item: item.cy):
        for row in rows:
            if abs(line.cy - _row_cy(row)) <= 0.5 * min(line.height, row[0].height):
                row.append(line)
                break
        else:
            rows.append([line])
    for row in rows:
        row.sort(key=lambda item: item.x0)
    rows.sort(key=_row_cy)
    return rows


def _row_cy(row) -> float:
    return sum(line.cy for line in row) / len(row)
