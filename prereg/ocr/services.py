"""Reading certificate images in the background, and showing what the reading says.

- `read_image(image_id)`: the work of the task prereg.ocr.tasks.enqueue_reading queues: the engine
  reads the stored file, the lines and the page's kind are stored (ImageReading). A missing or
  failing engine stores status failed, shown as 未能识别.
- `results_for(application)`: each read image's comparison with the typed values of now, for the
  review screen (`with_readings`) and the candidate's form (`slot_warnings`); shown, it writes
  nothing. `flags_store(application)` stores each reading's flags, which 进度跟踪 counts
  (`flag_counts`): called by the requests that change what is compared, the reading itself, a
  candidate's save of a section and a reviewer's correction.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django_tasks import default_task_backend

from prereg.applications.models import Application, ApplicationImage, ImageSlot
from prereg.applications.sections import BY_SLOT

from . import compare, documents
from .engine import EngineError, get_engine
from .expect import INFO_FIELDS, expectations
from .layout import page_of
from .models import ImageReading, ReadingStatus

logger = logging.getLogger(__name__)

READ_SLOTS = frozenset(documents.SLOT_KINDS)  # 考生照片, 执业变更记录页, 其他材料: nothing to read


def queue_ready() -> bool:
    """Whether a worker is configured for the OCR queue (TASKS' QUEUES); without one, nothing is queued."""
    return settings.OCR_QUEUE in default_task_backend.queues


READING_WAIT = datetime.timedelta(minutes=2)  # a reading not done by then is not waited for on the form


def awaiting_reading(images) -> set[int]:
    """The ids of the images, of all those given, uploaded just now and still waiting for their
    reading: the candidate's slot holding one looks again a few seconds later, so a warning shows
    without a reload. At most one query, for a whole page's images."""
    since = timezone.now() - READING_WAIT
    recent = {image.pk for image in images if image.slot in READ_SLOTS and image.uploaded_at > since}
    if not recent or not queue_ready():
        return set()
    read = ImageReading.objects.filter(image_id__in=recent).exclude(status=ReadingStatus.PENDING)
    return recent - set(read.values_list("image_id", flat=True))


def stored_lines(lines) -> list:
    """The engine's lines as ImageReading.lines keeps them (JSON)."""
    return [[line.text, [round(float(v), 1) for point in line.box for v in point], round(float(line.score), 3),
             [[list(a) for a in char] for char in line.alts]] for line in lines]


def read_image(image_id: int, engine=None) -> ImageReading | None:
    """Read one stored image (the task's body); the reading, or None when the image is gone."""
    image = ApplicationImage.objects.filter(pk=image_id).first()
    if image is None:
        return None
    reading = ImageReading.objects.filter(image=image).first()
    if reading and reading.sha256 == image.sha256 and reading.status == ReadingStatus.DONE:
        return reading
    reading = reading or ImageReading(image=image)
    reading.application_id, reading.slot, reading.sha256 = image.application_id, image.slot, image.sha256
    reading.width, reading.height = image.width, image.height
    engine = engine or get_engine()
    began = time.perf_counter()
    if engine is None:
        reading.status, reading.error, reading.engine = ReadingStatus.FAILED, "识别引擎不可用", ""
    else:
        reading.engine = engine.name[:100]
        try:
            with image.file.open("rb") as handle:
                data = handle.read()
            lines = engine.read(data)
        except (EngineError, OSError, ValueError, RuntimeError) as error:
            logger.warning("OCR of image %s failed: %s", image_id, error)
            reading.status, reading.error = ReadingStatus.FAILED, str(error)[:200]
        except Exception as error:  # an engine's own failure must not lose the image
            logger.exception("OCR of image %s failed", image_id)
            reading.status, reading.error = ReadingStatus.FAILED, type(error).__name__[:200]
        else:
            reading.lines = stored_lines(lines)
            reading.kind = documents.kind_of(page_of(reading.lines), reading.slot)
            reading.status, reading.error = ReadingStatus.DONE, ""
    reading.seconds = round(time.perf_counter() - began, 3)
    with transaction.atomic():
        # The candidate may have replaced or deleted the image while it was read: then it is gone,
        # as when it is missing at the start (its row locked, it stays until the reading is kept).
        # The application first, as the candidate's replace or delete locks it before the image: the
        # image first deadlocked against them (races probe), the reading's key to the application
        # waiting for his lock while he waited for the image's.
        Application.objects.select_for_update().filter(pk=image.application_id).exists()
        if not ApplicationImage.objects.select_for_update().filter(pk=image_id).exists():
            return None
        reading.save()
        if reading.status == ReadingStatus.DONE:
            flags_store(image.application)
    return reading


# -- showing ------------------------------------------------------------------------------------

@dataclass
class ImageResult:
    image_id: int
    slot: str
    status: str  # ReadingStatus value
    kind: str = ""
    kind_verdict: str = "unknown"  # ok | wrong | unknown
    fields: list[compare.FieldResult] = field(default_factory=list)
    info: list[compare.FieldResult] = field(default_factory=list)
    width: int = 0
    height: int = 0
    marks: list[dict] = field(default_factory=list)  # boxes to draw: {"points": "x,y x,y …", "bad": bool}

    @property
    def flags(self) -> list[str]:
        return (["kind"] if self.kind_verdict == "wrong" else []) + [f.key for f in self.mismatches]

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    @property
    def mismatches(self) -> list[compare.FieldResult]:
        return [f for f in self.fields if f.status == compare.MISMATCH]

    @property
    def pending(self) -> bool:
        return self.status == ReadingStatus.PENDING

    @property
    def wrong_kind_text(self) -> str:
        if self.kind_verdict != "wrong":
            return ""
        if self.kind == "blank":
            return "图片中几乎没有文字（空白或无法辨认）"
        return f"图片似乎是{documents.KIND_LABELS.get(self.kind, self.kind)}"


def compare_reading(reading: ImageReading, application, row=None, slot: str | None = None) -> ImageResult:
    """The comparison of one stored reading with the typed values of now."""
    slot = slot or reading.slot
    result = ImageResult(reading.image_id, slot, reading.status, width=reading.width, height=reading.height)
    if reading.status != ReadingStatus.DONE:
        return result
    page = page_of(reading.lines)
    kind = documents.kind_of(page, slot)
    result.kind, result.kind_verdict = kind, documents.kind_verdict(slot, kind)
    if result.kind_verdict == "wrong":
        # A page of another kind says nothing about this slot's values.
        result.fields = [compare.FieldResult(e.key, e.label, compare.UNREAD, e.typed) for e in expectations(slot, application, row)]
        return result
    parse_kind = kind if kind in documents.PARSERS else documents.SLOT_KINDS.get(slot, ("",))[0]
    found = documents.fields_of(page, parse_kind)
    result.fields = [compare.compare_field(page, found, e) for e in expectations(slot, application, row)]
    for key, label in INFO_FIELDS.get(parse_kind, ()):
        if key in found:
            result.info.append(compare.FieldResult(key, label, compare.INFO, photo=found[key].value,
                                                   lines=page.lines_of(found[key].start, found[key].end)))
    bad = {i for f in result.fields if f.status == compare.MISMATCH for i in f.lines}
    good = {i for f in result.fields if f.status == compare.MATCH for i in f.lines}
    for i in sorted(bad | good):
        text, box = reading.lines[i][:2]
        result.marks.append({"points": " ".join(f"{box[k]:g},{box[k + 1]:g}" for k in range(0, 8, 2)),
                             "bad": i in bad, "text": text})
    return result


def _compared(application) -> list[tuple[ImageReading, ImageResult]]:
    """Each reading of the application with its comparison against the typed values of now."""
    readings = list(ImageReading.objects.filter(application=application).defer("error")
                    .annotate(row_id=F("image__row_id")))
    # The rows of the row tables the images belong to, by (model, id): each model numbers its rows on its own.
    models = {BY_SLOT[reading.slot].model for reading in readings if reading.slot in BY_SLOT}
    rows = {(model, row.pk): row for model in models for row in model.objects.filter(application=application)}

    def row_of(reading):
        table = BY_SLOT.get(reading.slot)
        return rows.get((table.model, reading.row_id)) if table else None

    return [(reading, compare_reading(reading, application, row_of(reading))) for reading in readings]


def results_for(application) -> dict[int, ImageResult]:
    """image id -> its comparison, for every read (or pending) image of the application; computed
    once per application instance (the form asks slot by slot). It writes nothing: a GET stores
    nothing."""
    cached = getattr(application, "_ocr_results", None)
    if cached is None:
        cached = application._ocr_results = {reading.image_id: result for reading, result in _compared(application)}
    return cached


def flags_store(application) -> None:
    """Store each reading's flags where the comparison of now changed them, so 进度跟踪 counts from
    stored rows rather than comparing a season's ~700,000 readings again whenever the page opens.
    Called by the requests that change what is compared: the reading itself, a candidate's save of
    a section, a reviewer's correction."""
    compared = _compared(application)
    for reading, result in compared:
        if reading.status == ReadingStatus.DONE and (result.flags, result.flagged) != (reading.flags, reading.flagged):
            ImageReading.objects.filter(pk=reading.pk).update(flags=result.flags, flagged=result.flagged)
    application._ocr_results = {reading.image_id: result for reading, result in compared}


@dataclass
class ItemResult:
    """One 📷 item of the review screen: its images' readings together, each with the name the
    screen's thumbnails give its image (`labels`: its caption, else 第N张图片)."""

    images: list[ImageResult]
    labels: list[str] = field(default_factory=list)

    @property
    def labelled(self) -> list[tuple[str, ImageResult]]:
        return list(zip(self.labels, self.images, strict=True))

    @property
    def read(self) -> list[ImageResult]:
        return [r for r in self.images if r.status == ReadingStatus.DONE]

    @property
    def flagged(self) -> bool:
        return any(r.flagged for r in self.images)

    @property
    def pending(self) -> bool:
        return any(r.pending for r in self.images)

    @property
    def fields(self) -> list[compare.FieldResult]:
        """Per field key and label: 一致 when an image shows it, else 不一致 when one disagrees,
        else 未能识别."""
        merged: dict[tuple, compare.FieldResult] = {}
        rank = {compare.MATCH: 3, compare.MISMATCH: 2, compare.UNREAD: 1}
        for r in self.images:
            for f in r.fields:
                key = (f.key, f.label)
                if key not in merged or rank[f.status] > rank[merged[key].status]:
                    merged[key] = f
        return list(merged.values())

    @property
    def status(self) -> str:
        if not self.images:
            return ""
        if self.flagged:
            return "flagged"
        if self.pending:
            return "pending"
        return "ok" if self.read else "unread"


def with_readings(application, check_fields) -> list:
    """The review screen's items (prereg.applications.review.check_fields), each with the readings of
    its images (`item.ocr`); those that disagree first, each group in its own order."""
    results = results_for(application)
    for f in check_fields:
        read = [(getattr(img, "caption", "") or f"第{n}张图片", results[img.pk])
                for n, img in enumerate(f.images, start=1) if img.pk in results]
        f.ocr = ItemResult([result for _label, result in read], [label for label, _result in read])
    return sorted(check_fields, key=lambda f: not f.ocr.flagged)


def slot_warnings(application, image_ids) -> list[str]:
    """The candidate's warnings for the images of one slot: 照片中的…与填写的…不一致，请核对."""
    results = results_for(application) if image_ids else {}
    out = []
    for pk in image_ids:
        result = results.get(pk)
        if result is None:
            continue
        if result.kind_verdict == "wrong":
            out.append(f"{result.wrong_kind_text}，与此栏目要求的材料不符，请核对。")
        out.extend(_warning(f) for f in result.mismatches)
    return list(dict.fromkeys(out))


def _warning(f) -> str:
    if f.key == "id_number":
        # Never a full ID number outside the pages meant to show one: the places that differ.
        places = [str(i + 1) for i, (a, b) in enumerate(zip(f.photo, documents.norm_id(f.typed), strict=False))
                  if a != b]
        where = f"（第{'、'.join(places)}位）" if places else ""
        return f"照片中的{f.label}与填写的{f.label}不一致{where}，请核对。"
    return f"照片中的{f.label}（{f.photo}）与填写的{f.label}（{f.typed}）不一致，请核对。"


FIELD_LABELS = {"kind": "材料类型不符", "name": "姓名", "gender": "性别", "ethnicity": "民族", "birth": "出生日期",
                "id_number": "身份证号", "school": "学校", "major": "专业", "date": "日期", "category": "执业类别",
                "scope": "执业范围", "qualification": "资格名称", "unit": "聘任单位", "number": "证书编号"}


def flag_counts(applications) -> list[dict]:
    """进度跟踪: per 📷 item (slot), images read, images and applications flagged, the flagged fields."""
    readings = ImageReading.objects.filter(application__in=applications.order_by().values("pk"))
    rows = {r["slot"]: r for r in readings.values("slot").annotate(
        n_read=Count("pk", filter=Q(status=ReadingStatus.DONE)),
        n_failed=Count("pk", filter=Q(status=ReadingStatus.FAILED)),
        n_flagged=Count("pk", filter=Q(flagged=True)),
        n_applications=Count("application", filter=Q(flagged=True), distinct=True))}
    fields: dict[str, Counter] = defaultdict(Counter)
    for slot, flags in readings.filter(flagged=True).values_list("slot", "flags"):
        fields[slot].update(flags or ())
    # Items in the order of the form, each named as the form and the review screen name it; its
    # fields most flagged first, a tie in the order the keys were first met.
    return [{"slot": slot, "label": ImageSlot(slot).label, "read": rows[slot]["n_read"], "failed": rows[slot]["n_failed"],
             "flagged": rows[slot]["n_flagged"], "applications": rows[slot]["n_applications"],
             "fields": [(FIELD_LABELS.get(k, k), n) for k, n in fields[slot].most_common()]}
            for slot in documents.SLOT_KINDS if slot in rows]
