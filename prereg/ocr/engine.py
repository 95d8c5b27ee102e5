"""The OCR engine behind one small interface: `read(image_bytes) -> list[Line]`.

`Line` is (text, box, score) and, where the engine gives them, the alternatives it weighed for
each character (`alts`), which let the comparison tell an OCR confusion (张伟 read as 张伟 or 张玮
with little certainty) from a photo that clearly says something else. `box` is four (x, y)
corners in the image's pixels, clockwise, starting at the text's top-left *as read*: a line
photographed upside down starts at its bottom-right corner in image coordinates, so the layout
(prereg.ocr.layout) can put the page upright whatever the rotation.

The engine shipped is RapidOCR on ONNX Runtime (`rapidocr-onnxruntime`: PP-OCRv4 detection and
recognition models and the 0/180° text-direction classifier, all inside the package: no network
and no download at run time). Another engine is one class with `name` and `read`, named by
settings.OCR_ENGINE. `get_engine()` answers None when the engine cannot be loaded: callers then
store "未能识别" and everything else works as before.
"""

from __future__ import annotations

import logging
import math
from functools import cache
from typing import NamedTuple, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

# numpy, cv2 and rapidocr_onnxruntime are imported inside the functions that use them: every web
# process loads this module (candidate views -> ocr.services), only the OCR task worker reads images,
# and the three cost about 75 MB and 0.25 s to load (rapidocr may be absent: get_engine then answers None).

logger = logging.getLogger(__name__)

Point = tuple[float, float]


class Line(NamedTuple):
    text: str
    box: tuple[Point, Point, Point, Point]
    score: float  # 0..1, the engine's confidence in the whole line
    # Per character of `text`: ((char, probability), ...), best first; () when the engine has none.
    alts: tuple = ()


class Engine(Protocol):
    name: str

    def read(self, image_bytes: bytes) -> list[Line]: ...


class EngineError(Exception):
    """The engine could not read this image (undecodable, crashed): the reading says 未能识别."""


# Long side the page is read at. A phone photo is stored at ≤ 2000 px; at 1600 px a certificate's
# smallest printed line is still ~20 px high, and detection costs grow with the area.
READ_MAX_SIDE = 1600
# Long side of the copy lines are detected on: its cost, time and memory, grows with the area (bench
# keys ocr_image_s and ocr_peak_mb, bench/ocr.py, measure a read at this side); a certificate's
# smallest line stays ≥ 12 px high.
DETECT_MAX_SIDE = 1024
# A first reading with fewer confident characters than this is tried again on an enhanced copy
# (contrast equalised, sharpened): blur, glare and dim photos.
FEW_CHARACTERS = 12
ALT_MIN_PROB = 0.01  # alternatives below this are not kept
ALT_COUNT = 4


class RapidEngine:
    """PP-OCRv4 through rapidocr-onnxruntime, one thread (one core) per worker by default."""

    name = "rapidocr-onnxruntime PP-OCRv4"

    def __init__(self, threads: int | None = None):
        import cv2
        from rapidocr_onnxruntime import RapidOCR  # ImportError: the engine is missing

        threads = threads or settings.OCR_THREADS
        cv2.setNumThreads(threads)  # its resizes and warps too: a worker keeps to its cores
        self.ocr = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1)
        self.characters = self.ocr.text_rec.postprocess_op.character

    # -- the interface ------------------------------------------------------------------------

    def read(self, image_bytes: bytes) -> list[Line]:
        import cv2
        import numpy as np

        img = cv2.imdecode(np.frombuffer(image_bytes, dtype=np.uint8), cv2.IMREAD_COLOR)
        if img is None:
            raise EngineError("undecodable image")
        img, scale = _fit(img, READ_MAX_SIDE)
        lines = self._pass(img)
        if _confident_chars(lines) < FEW_CHARACTERS:
            # Blur, glare, a dim or washed-out photo: equalise the contrast locally and sharpen.
            again = self._pass(_enhanced(img))
            if _confident_chars(again) > _confident_chars(lines):
                lines = again
        if scale < 1.0:
            lines = [line._replace(box=tuple((x / scale, y / scale) for x, y in line.box)) for line in lines]
        return lines

    # -- one pass: detect, orient, recognise -------------------------------------------------------

    def _pass(self, img) -> list[Line]:
        import cv2
        import numpy as np

        img = _unsealed(img)
        # Lines are found on a smaller copy (the detector's cost grows with the area) and read from
        # the full-size page.
        small, shrink = _fit(img, DETECT_MAX_SIDE)
        boxes, _ = self.ocr.text_det(small)
        if boxes is None or len(boxes) == 0:
            return []
        boxes = [np.asarray(box, dtype=np.float32) / shrink for box in boxes]
        crops, axes = [], []  # each line's crop, and the crop's own x axis in the image
        for box in boxes:
            crop = _crop(img, box)
            # A crop much taller than wide is a line photographed on its side: lay it down.
            on_side = crop.shape[0] >= 1.5 * crop.shape[1]
            crops.append(np.rot90(crop) if on_side else crop)
            axes.append(np.asarray((box[3] - box[0]) if on_side else (box[1] - box[0]), dtype=np.float64))
        _, cls_res, _ = self.ocr.text_cls(crops)
        flipped = ["180" in label and score > 0.9 for label, score in cls_res]
        # Each line's reading direction in the image, from its crop's axis and the 0/180° classifier.
        directions = [-d if flip else d for d, flip in zip(axes, flipped, strict=True)]
        page = _dominant(directions)
        # The classifier errs on short lines: a line read against the page's direction is turned.
        for i, d in enumerate(directions):
            length = np.linalg.norm(d)
            if length and abs(np.dot(d, page)) < 0.5 * length:
                # Across the page: a character or two whose box is as high as wide (男, 汉 on a
                # card photographed on its side). Turn the crop a quarter to the page's direction.
                cross = axes[i][0] * page[1] - axes[i][1] * page[0]
                crops[i] = np.ascontiguousarray(np.rot90(crops[i], 1 if cross > 0 else -1))
                directions[i] = page * length
                continue
            against = bool(length) and np.dot(d, page) < -0.5 * length
            if against:
                directions[i] = -d
            if against != flipped[i]:  # the crop is upside down once either turns it
                crops[i] = cv2.rotate(crops[i], cv2.ROTATE_180)
        read = self._recognise(crops)
        # A seal stamped over the text (the date of every diploma): read such a line again with the
        # red ink taken out, and keep the reading the engine is surer of.
        stamped = [i for i, crop in enumerate(crops) if crop.size and _red_mask(crop).mean() > 0.03]
        if stamped:
            again = self._recognise([_without_red(crops[i]) for i in stamped])
            for i, other in zip(stamped, again, strict=True):
                if _better(other, read[i]):
                    read[i] = other
        return [Line(text, _reading_order(box, d), score, alts)
                for box, d, (text, score, alts) in zip(boxes, directions, read, strict=True) if text.strip()]

    def _recognise(self, crops):
        import numpy as np

        rec = self.ocr.text_rec
        out = [("", 0.0, ())] * len(crops)
        order = np.argsort([c.shape[1] / float(c.shape[0]) for c in crops])
        _, img_h, img_w = rec.rec_image_shape
        for start in range(0, len(crops), rec.rec_batch_num):
            batch = order[start:start + rec.rec_batch_num]
            ratio = max([img_w / img_h] + [crops[i].shape[1] / crops[i].shape[0] for i in batch])
            norm = np.stack([rec.resize_norm_img(crops[i], ratio) for i in batch])
            preds = rec.session(norm.astype(np.float32))[0]
            for k, i in enumerate(batch):
                out[i] = self._decode(preds[k])
        return out

    def _decode(self, probs):
        """Greedy CTC decoding that keeps, for each character, the others the model weighed."""
        import numpy as np

        best = probs.argmax(axis=1)
        chars, alts, confidences = [], [], []
        previous = -1
        for t, index in enumerate(best):
            if index != 0 and index != previous:
                row = probs[t]
                top = np.argsort(row)[::-1][:ALT_COUNT + 1]
                options = tuple((self.characters[j], round(float(row[j]), 3)) for j in top
                                if j != 0 and row[j] >= ALT_MIN_PROB and j < len(self.characters))
                chars.append(self.characters[index])
                alts.append(options or ((self.characters[index], round(float(row[index]), 3)),))
                confidences.append(float(row[index]))
            previous = index
        return "".join(chars), (sum(confidences) / len(confidences)) if confidences else 0.0, tuple(alts)


def _fit(img, max_side):
    """The image with its long side scaled down to `max_side` at most, and the scale (1.0 when it fits)."""
    import cv2

    h, w = img.shape[:2]
    scale = min(1.0, max_side / max(h, w))
    if scale < 1.0:
        img = cv2.resize(img, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    return img, scale


def _red_mask(crop):
    import numpy as np

    b, g, r = (crop[..., k].astype(np.int16) for k in range(3))
    return (r - np.maximum(g, b) > 50) & (r > 110)


def _without_red(crop):
    """The crop with red ink (seals, red print) turned to the paper's colour; dark text stays."""
    import numpy as np

    out = crop.copy()
    out[_red_mask(crop)] = np.percentile(crop.reshape(-1, 3), 90, axis=0).astype(np.uint8)
    return out


def _unsealed(img):
    """The page with its seals (red rings and what they enclose) turned to the paper's colour.

    A seal is a red shape larger than any printed character (its box ≥ 12% of the page's short
    side): a school's seal over a diploma's date splits the date for the detector. Red print (a
    certificate's title) is made of character-sized strokes and stays."""
    import cv2
    import numpy as np

    mask = _red_mask(img).astype(np.uint8)
    if mask.mean() < 0.002:
        return img
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    least = 0.12 * min(img.shape[:2])
    seals = [stats[k] for k in range(1, count) if max(stats[k][2], stats[k][3]) >= least]
    if not seals:
        return img
    out = img.copy()
    paper = np.percentile(img.reshape(-1, 3)[::7], 90, axis=0).astype(np.uint8)
    for x, y, w, h, _ in seals:
        region = mask[y:y + h, x:x + w].astype(bool)
        out[y:y + h, x:x + w][region] = paper
    return out


def _better(new, old) -> bool:
    """(text, score, alts): the surer reading, a longer one when both are sure."""
    if new[1] >= 0.8 and old[1] >= 0.8:
        return len(new[0]) > len(old[0])
    return new[1] > old[1] + 0.05


def _confident_chars(lines) -> int:
    return sum(len(line.text.strip()) for line in lines if line.score >= 0.7)


def _enhanced(img):
    import cv2

    lab = cv2.cvtColor(img, cv2.COLOR_BGR2LAB)
    lightness, a, b = cv2.split(lab)
    lightness = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8)).apply(lightness)
    out = cv2.cvtColor(cv2.merge((lightness, a, b)), cv2.COLOR_LAB2BGR)
    blurred = cv2.GaussianBlur(out, (0, 0), 2.0)
    return cv2.addWeighted(out, 1.6, blurred, -0.6, 0)


def _crop(img, points):
    import cv2
    import numpy as np

    width = int(max(np.linalg.norm(points[0] - points[1]), np.linalg.norm(points[2] - points[3])))
    height = int(max(np.linalg.norm(points[0] - points[3]), np.linalg.norm(points[1] - points[2])))
    width, height = max(width, 1), max(height, 1)
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(points, target)
    return cv2.warpPerspective(img, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE,
                               flags=cv2.INTER_CUBIC)


def _dominant(directions):
    """The page's reading direction: the length-weighted vote of the lines, snapped to 90°."""
    import numpy as np

    votes = np.zeros(4)
    for d in directions:
        length = float(np.linalg.norm(d))
        if length:
            angle = math.degrees(math.atan2(d[1], d[0])) % 360
            votes[int(((angle + 45) % 360) // 90)] += length
    angle = math.radians(int(votes.argmax()) * 90)
    return np.array([math.cos(angle), math.sin(angle)])


def _reading_order(box, direction) -> tuple:
    """The box's corners, clockwise, starting at the text's top-left as read."""
    import numpy as np

    pts = [tuple(float(v) for v in p) for p in box]

    def along(start) -> float:  # the cosine between the edge from corner `start` and the direction
        edge = np.subtract(pts[(start + 1) % 4], pts[start])
        norm = np.linalg.norm(edge) * np.linalg.norm(direction)
        return float(np.dot(edge, direction) / norm) if norm else -1.0

    start = max(range(4), key=along)
    return tuple(pts[start:] + pts[:start])


@cache
def _load(path: str):
    try:
        return import_string(path)()
    except Exception:  # an engine that cannot load: no reading, nothing else changes
        logger.exception("OCR engine %s could not be loaded", path)
        return None


def get_engine() -> Engine | None:
    """The configured engine (one per process), or None when it is missing or broken."""
    return _load(settings.OCR_ENGINE) if settings.OCR_ENGINE else None
