"""Starting a candidate's application for an exam year, pre-filled from his last one.

A returning candidate finds last year's basic information, education, work, appointments,
training and other rows, with copies of their certificate images, in the new year's draft.
The catalogue choices are mapped onto the new year's entries by name (last year's
application keeps its own entries); everything is re-checked by the new year's reviewers.
"""

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from prereg.audit.log import record
from prereg.catalog.models import PracticeScope, Qualification, Specialty

from . import eligibility
from .models import Application, ApplicationImage, DeletedImageFile
from .sections import BY_SLOT, ROW_MODELS, ROW_SECTION_TITLES, ROW_TABLES

# Plain fields copied as they are.
BASIC_FIELDS = ["gender", "birth_date", "ethnicity_id", "postcode", "address", "chsi_code", "practice_change",
                "current_qualification", "current_qualification_date", "practice_registered"]
# The 申报信息 choices, each matched in the new year's catalogue (a choice it lacks is left empty).
CATALOGUE_FIELDS = ("level", "qualification", "category", "scope", "specialty")


def start_application(*, candidate, exam_year) -> Application:
    """The candidate's draft for the year, created on first use from his account's facts and,
    when he applied before, from his last application.

    Safe under double clicks: the (candidate, exam_year) constraint admits one application.
    """
    existing = Application.objects.filter(candidate=candidate, exam_year=exam_year).first()
    if existing is not None:
        return existing
    previous = last_application(candidate, exam_year)
    # The copies of last year's photos are stored under names queued for the purge before the draft's
    # transaction begins (DeletedImageFile.names_queued): a draft that does not commit leaves none behind.
    names = {}
    if previous is not None:
        image_ids = list(ApplicationImage.objects.filter(application=previous).order_by("pk")
                         .values_list("pk", flat=True))
        names = dict(zip(image_ids, DeletedImageFile.names_queued(len(image_ids)), strict=True))
    written = []
    try:
        with transaction.atomic():
            application = Application(
                candidate=candidate,
                exam_year=exam_year,
                # A year of one project: his, silently; of several: he chooses it first (申报信息).
                project=only_project(exam_year),
                name=candidate.name,
                id_type=candidate.id_type,
                id_number=candidate.id_number or "",
                phone=candidate.phone,
            )
            application.derive_from_id_number()
            application.save(force_insert=True)
            details = {}
            if previous is not None:
                details = carry_over(previous, application, actor=candidate, names=names, written=written)
                eligibility.refresh(application)  # shown on 申报信息 before any save
            record("application.start", actor=candidate, obj=application, details=details)
            return application
    except IntegrityError:
        # Started by a double click meanwhile: the names of files never begun leave the purge's queue.
        DeletedImageFile.objects.filter(
            name__in=[name for pair in names.values() for name in pair if name not in written]).delete()
        return Application.objects.get(candidate=candidate, exam_year=exam_year)


def only_project(exam_year):
    """The year's 考试项目 when it has exactly one, else None."""
    projects = list(exam_year.projects.all()[:2])
    return projects[0] if len(projects) == 1 else None


def last_application(candidate, exam_year):
    return (Application.objects.filter(candidate=candidate, exam_year__year__lt=exam_year.year)
            .select_related("exam_year", "level", "qualification__level", "category", "scope__category",
                            "specialty__qualification__level", "project", "unit")
            .order_by("-exam_year__year").first())


def carried_from(application):
    """For a draft never submitted that start_application filled from an earlier year's: (that
    year's name, the labels of the 申报信息 choices it had that are still empty here, as this
    year's catalogue lacks them), for the form to say what to check; else None."""
    previous = _carried_row(application)
    if previous is None:
        return None
    year_name, _unit_name, _unit_enabled, *chosen = previous
    empty = [Application._meta.get_field(f).verbose_name for f, had in zip(CATALOGUE_FIELDS, chosen, strict=True)
             if had and not getattr(application, f"{f}_id")]
    return year_name, empty


def disabled_unit_note(application) -> str:
    """For a draft never submitted that start_application filled from an earlier year's, still without a
    unit because that year's unit is disabled (carry_over leaves it empty), what the unit field says;
    else "". Read from that application as it is now: a unit enabled again is carried no more than now."""
    if application.unit_id:
        return ""
    previous = _carried_row(application)
    if previous is None:
        return ""
    year_name, unit_name, unit_enabled, *_chosen = previous
    if unit_name is None or unit_enabled:
        return ""
    return f"您{year_name}报名时所选单位“{unit_name}”已停用，请重新选择。"


def _carried_row(application):
    """(year's name, unit's name and enabled, the 申报信息 choices' ids) of the earlier application a draft never
    submitted was filled from, or None.

    One plain row, not last_application's joins: the form page asks this on every draft (form_page_ms),
    for its note, its index (sections_to_check) and the unit field, so the answer is kept on the instance."""
    if application.submission_round:
        return None
    if "carried_from_row" not in application.__dict__:
        application.carried_from_row = (
            Application.objects.filter(candidate_id=application.candidate_id,
                                       exam_year__year__lt=application.exam_year.year)
            .order_by("-exam_year__year")
            .values_list("exam_year__name", "unit__name", "unit__enabled", *(f"{f}_id" for f in CATALOGUE_FIELDS))
            .first())
    return application.carried_from_row


SECTION_TITLES = {"basic": "基本信息", "declaration": "申报信息及现有资格", **ROW_SECTION_TITLES}


def sections_to_check(application, rows) -> tuple[str, list[str]]:
    """A draft never submitted that start_application filled from an earlier year's: (that year's
    name, the form's sections holding what was carried that the candidate has not saved once this
    year: Application.section_versions counts the saves). 报考级别, 申报专业 and the rest may differ
    from last year (the manual asks every item to be checked), so each is saved once before the
    draft is submitted (completeness.gaps). `rows`: rows_by_table of the application. Else ("", [])."""
    saved = application.section_versions
    unsaved = [section for section in SECTION_TITLES if not saved.get(section)]
    carried = carried_from(application) if unsaved else None
    if carried is None:
        return "", []
    previous = carried[0]
    filled = {"basic", "declaration"}  # always filled: the account's facts, last year's choices
    filled.update(table.section for table in ROW_TABLES if rows[table.key])
    if application.chsi_code:
        filled.add("education")
    return previous, [section for section in unsaved if section in filled]


def _same_entry(old, exam_year):
    """The new year's enabled entry matching last year's `old` entry (same name, same parents' names), or None."""
    if old is None:
        return None
    same = {"name": old.name}
    if isinstance(old, Qualification):
        same["level__name"] = old.level.name
    elif isinstance(old, PracticeScope):
        same["category__name"] = old.category.name
    elif isinstance(old, Specialty):
        same.update(code=old.code, qualification__name=old.qualification.name,
                    qualification__level__name=old.qualification.level.name)
    return type(old).objects.filter(exam_year=exam_year, enabled=True, **same).first()


def carry_over(previous: Application, application: Application, *, actor, names, written) -> dict:
    """Copy `previous` into the fresh draft `application` (inside the caller's transaction).

    `names`: per image of `previous`, the (file, thumbnail) names its copies are stored under, queued
    for the purge by DeletedImageFile.names_queued and taken off the queue here; each name is appended to
    `written` once its file is begun in storage. An image added since the names were queued is not
    carried (as if the draft had been started a moment earlier)."""
    for field in BASIC_FIELDS:
        setattr(application, field, getattr(previous, field))
    if previous.unit_id and previous.unit.enabled:
        application.unit = previous.unit
    disabled_unit = previous.unit.name if previous.unit_id and not previous.unit.enabled else None
    if previous.project_id:
        same = application.exam_year.projects.filter(code=previous.project.code).first()
        application.project = same or application.project
    missing = []
    for field in CATALOGUE_FIELDS:
        old = getattr(previous, field)
        new = _same_entry(old, application.exam_year)
        setattr(application, field, new)
        if old is not None and new is None:
            missing.append(field)
    application.save()

    row_maps: dict[type, dict[int, int]] = {}  # per row model, each old row's id -> its copy's
    for model in ROW_MODELS:
        row_maps[model] = mapping = {}
        for row in model.objects.filter(application=previous).order_by("order", "pk"):
            old_pk = row.pk
            row.pk = row.id = None
            row.application = application
            row.save()
            mapping[old_pk] = row.pk

    copied = 0
    storage = ApplicationImage._meta.get_field("file").storage
    thumb_storage = ApplicationImage._meta.get_field("thumbnail").storage
    begun_unnamed = []  # files of copies dropped after a file was begun: left on the purge's queue
    for image in ApplicationImage.objects.filter(application=previous, pk__in=names).order_by("pk"):
        row_id = image.row_id
        if image.slot in BY_SLOT:
            row_id = row_maps[BY_SLOT[image.slot].model].get(row_id)
            if row_id is None:
                continue  # an image of a row that no longer exists
        copy = ApplicationImage(
            application=application, slot=image.slot, row_id=row_id, sha256=image.sha256, size=image.size,
            width=image.width, height=image.height, content_type=image.content_type,
            original_name=image.original_name, uploaded_by=actor,
        )
        file_name, thumb_name = names[image.pk]
        try:
            with image.file.open("rb") as handle:
                data = handle.read()
            written.append(file_name)
            copy.file = storage.save(file_name, ContentFile(data), max_length=200)
            if image.thumbnail:
                with image.thumbnail.open("rb") as handle:
                    data = handle.read()
                written.append(thumb_name)
                copy.thumbnail = thumb_storage.save(thumb_name, ContentFile(data), max_length=200)
        except FileNotFoundError:
            begun_unnamed += [name for name in (file_name, thumb_name) if name in written]
            continue  # the stored file is gone: the candidate uploads it again
        copy.save()
        copied += 1
    # Committed with the copies: the names their rows hold, and those of files never begun, leave the queue.
    DeletedImageFile.objects.filter(
        name__in=[name for pair in names.values() for name in pair if name not in begun_unnamed]).delete()
    rows = sum(len(mapping) for mapping in row_maps.values())
    # The disabled unit is named: the draft's unit field says why it is empty (disabled_unit_note).
    return {"carried_from": previous.pk, "year": previous.exam_year.year, "rows": rows, "images": copied,
            "not_in_catalogue": missing, "unit_disabled": disabled_unit}
