"""An application's child rows as the text cells of the full-record export, kept in RowText.

The full-record export shows 工作情况, 学历, 学位, 现有资格聘任情况, the two 规范化培训 and 其他 as one
cell each, a line per row. Reading five child tables for 100,000 applications cost that export
most of its time, so each application's cells are kept ready beside it:

- `refresh(application, sources)` when a candidate saves rows (candidate.services.application_section_save,
  in its transaction, with the rows saved `kept_by_caller`), so nearly every application has its
  cells before anyone exports;
- `invalidate(application_id)` on every other save or delete of a row (signals, see `connect`),
  so kept cells are never older than the rows: a row changed any other way loses them;
- `fill_missing(queryset)` before a full-record export, for what has none (seeded, carried over,
  changed since), and an export still reads the rows of anything that lost them meanwhile.

Both writers lock the application row first: a fill reading rows that a candidate is changing
waits for his commit and then reads the new rows, and his change, committed after a fill, deletes
what the fill wrote (PostgreSQL; SQLite serialises writers at BEGIN IMMEDIATE anyway).
"""

import threading
from collections import defaultdict
from contextlib import contextmanager

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .models import Application, AppointmentRow, EducationRow, OtherRow, RowText, TrainingRow, WorkRow

CELLS = ("work", "education", "degree", "appointment", "residency", "gp", "other")
BATCH = 500
# The fields read per table, after application_id (the order of the line builders' arguments).
SOURCES = {
    "work": (WorkRow, ("start", "end", "unit_name", "title", "major")),
    "education": (EducationRow, ("kind", "level", "obtained", "school", "study_form", "major")),
    "appointment": (AppointmentRow, ("unit_name", "post", "qualification", "start", "end")),
    "training": (TrainingRow, ("kind", "certificate_no", "specialty", "start", "end", "base")),
    "other": (OtherRow, ("kind", "note")),
}
# Every table of an application's rows (carry-over copies them too).
ROW_MODELS = tuple(model for model, _fields in SOURCES.values())
# The cells each SOURCES table's rows make.
SOURCE_CELLS = {"work": ("work",), "education": ("education", "degree"), "appointment": ("appointment",),
                "training": ("residency", "gp"), "other": ("other",)}


def ym(value) -> str:
    # %-formatting of two ints: several times cheaper than strftime, and called for every row.
    return "%04d.%02d" % (value.year, value.month) if value else ""  # noqa: UP031


def work_line(start, end, unit, title, major) -> str:
    return f"{ym(start)}-{ym(end) or '至今'} {unit} {title} {major}".strip()


def education_line(level, obtained, school, form, major) -> str:
    return f"{level} {school} {major} {form} {ym(obtained)}"


def appointment_line(unit, post, qualification, start, end) -> str:
    return f"{ym(start)}-{ym(end) or '至今'} {unit} {post} {qualification}".strip()


def training_line(number, specialty, start, end, base) -> str:
    return f"{number} {specialty} {base} {ym(start)}-{ym(end)}".strip()


def other_line(kind, note) -> str:
    return f"{kind} {note}".strip()


def add_rows(out, source: str, rows) -> None:
    """Sort `rows` of one SOURCES table (application_id first, in row order) into
    out[application_id][cell] as lines; 学历 and 学位 rows stay tuples (the eligibility export
    reads their fields)."""
    if source == "work":
        for app, *row in rows:
            out[app]["work"].append(work_line(*row))
    elif source == "education":
        for app, kind, *row in rows:
            out[app][kind].append(tuple(row))
    elif source == "appointment":
        for app, *row in rows:
            out[app]["appointment"].append(appointment_line(*row))
    elif source == "training":
        for app, kind, *row in rows:
            out[app][kind].append(training_line(*row))
    else:
        for app, *row in rows:
            out[app]["other"].append(other_line(*row))


def cells_from(lines: dict) -> tuple[str, ...]:
    """The CELLS texts of one application's sorted rows (add_rows)."""
    return tuple("\n".join(education_line(*row) for row in lines.get(cell, ())) if cell in ("education", "degree")
                 else "\n".join(lines.get(cell, ())) for cell in CELLS)


def cells_of(application_ids, sources=SOURCES) -> dict[int, tuple[str, ...]]:
    """The CELLS texts of each application, read from its rows (a query per table of `sources`;
    the cells of the other tables come out empty)."""
    ids = list(application_ids)
    out = defaultdict(lambda: defaultdict(list))
    for source in sources:
        model, fields = SOURCES[source]
        add_rows(out, source, model.objects.filter(application_id__in=ids).order_by(
            "application_id", "order", "pk").values_list("application_id", *fields))
    return {pk: cells_from(out.get(pk, {})) for pk in ids}


def source_of(model) -> str:
    return next(source for source, (row_model, _fields) in SOURCES.items() if row_model is model)


def _lock(ids) -> list[int]:
    return list(Application.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")
                .values_list("pk", flat=True))


_callers = threading.local()


@contextmanager
def kept_by_caller(application_id):
    """Rows of `application_id` saved or deleted inside are the caller's to keep (it calls refresh
    at the end, in the same transaction): no invalidation per row meanwhile."""
    ids = _callers.__dict__.setdefault("ids", set())
    ids.add(application_id)
    try:
        yield
    finally:
        ids.discard(application_id)


@transaction.atomic(savepoint=False)
def refresh(application, sources=None) -> None:
    """Keep the cells of `application`'s rows as they are now (inside the caller's transaction).

    `sources`: the only SOURCES tables whose rows changed since its cells were kept, if they were:
    just their cells are read and rewritten."""
    pk = application.pk
    _lock([pk])
    if sources is not None:
        cells = dict(zip(CELLS, cells_of([pk], sources)[pk], strict=True))
        changed = {cell: cells[cell] for source in sources for cell in SOURCE_CELLS[source]}
        if RowText.objects.filter(pk=pk).update(**changed):
            return
    RowText.objects.filter(pk=pk).delete()
    RowText.objects.create(application_id=pk, **dict(zip(CELLS, cells_of([pk])[pk], strict=True)))


@transaction.atomic(savepoint=False)
def invalidate(application_id) -> None:
    _lock([application_id])
    RowText.objects.filter(pk=application_id).delete()


def fill_missing(queryset, *, batch: int = BATCH) -> int:
    """Keep the cells of every application of `queryset` that has none; returns how many.

    A transaction per batch, so a whole province's first export never holds many locks long."""
    ids = list(queryset.filter(row_text__isnull=True).order_by("pk").values_list("pk", flat=True))
    filled = 0
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            locked = _lock(ids[start:start + batch])
            # Filled meanwhile (a candidate's save, another export): left as it is.
            have = set(RowText.objects.filter(pk__in=locked).values_list("pk", flat=True))
            todo = [pk for pk in locked if pk not in have]
            RowText.objects.bulk_create([RowText(application_id=pk, **dict(zip(CELLS, cells, strict=True)))
                                         for pk, cells in cells_of(todo).items()])
            filled += len(todo)
    return filled


def _row_changed(sender, instance, **kwargs):
    if instance.application_id not in getattr(_callers, "ids", ()):
        invalidate(instance.application_id)


def connect() -> None:
    """Every save or delete of a row drops its application's kept cells (called by AppConfig.ready)."""
    for model in ROW_MODELS:
        post_save.connect(_row_changed, sender=model, dispatch_uid=f"rowtext-save-{model.__name__}")
        post_delete.connect(_row_changed, sender=model, dispatch_uid=f"rowtext-delete-{model.__name__}")
