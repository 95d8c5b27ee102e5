"""What a reviewer checks on one application: the 📷 fields, their images and typed values.

`check_fields(application)` lists the 📷 items of this application, each with the images that
must show it and the typed values the reviewer compares with them. The items are the images the
completeness check asks the candidate for (completeness.required_images), so a reviewer is never
asked to confirm a photo that was not asked for, and the labels are the slots' and the form's
own. Keys are stable ("id_card", "education:12") and are what FieldCheck.field stores. One query
per row model and one for the images, whatever the number of rows. `attach_images` gives the items
their images and returns the pictures no item asks for (UnaskedImages): the reviewer sees every
picture the candidate sent, as the image zip holds them all.
"""

import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist

from . import eligibility as rules
from .completeness import id_document, required_images, unneeded_field_slots
from .models import (
    STAGE_ORG_FIELD,
    Application,
    FieldCheck,
    ImageSlot,
    ReviewAction,
    Stage,
    State,
    Verdict,
)
from .sections import ASSESSED, BY_KEY, BY_SLOT, rows_by_table
from .values import month_text, plain_text, typed_text

# The images of the identity document are one item, labelled as the 证件类型 has them
# (completeness.ID_DOCUMENTS: "证件（身份证正反面）", "证件（护照信息页）"). The candidate's photo
# shows nothing typed: it is no item to tick, it is shown with the 证件 item (CheckField.photo),
# where the reviewer compares the face with the document's, as the 审核确认单 prints it.
ID_CARD = "id_card"
ITEM_OF_SLOT = {ImageSlot.ID_FRONT: ID_CARD, ImageSlot.ID_BACK: ID_CARD, ImageSlot.PHOTO: None}
# The 执业注册年月, from which 人社部发〔2021〕51号 counts the years of practice (the 资格初审 turns on
# it), is on the practice certificate: the 执业注册范围 item's (医师执业证书), or, where no such image
# is asked for (a nurse's: 护理 has no 执业注册范围), the 执业类别 item's (护士执业证书).
REGISTERED = "practice_registered"
# The Application fields each item of the form's own fields is compared with.
FIELD_VALUES = {
    ID_CARD: ("name", "gender", "id_number", "birth_date", "ethnicity"),
    ImageSlot.CATEGORY: ("category", "qualification"),
    ImageSlot.SCOPE: ("scope", REGISTERED),
    ImageSlot.PRACTICE_CHANGE: ("practice_change",),
    ImageSlot.CURRENT_QUALIFICATION: ("current_qualification", "current_qualification_date"),
}


@dataclass
class CheckField:
    key: str
    label: str
    values: list[tuple[str, str]]  # (label, typed value) shown beside the images
    images: list = field(default_factory=list)
    photo: object = None  # the 证件 item: the candidate's photo (考生照片), to compare the face with
    consistent: bool | None = None  # this stage's tick of this round: True 是, False 否, None not yet
    slots: list[tuple[str, int | None]] = field(default_factory=list)  # the (slot, row id) of its images


def _typed(obj, name) -> str:
    """A typed value as the form shows it (values.typed_text), a choice by its label, an empty end 至今."""
    value = getattr(obj, name)
    if value is None and name == "end":
        return "至今"
    display = getattr(obj, f"get_{name}_display", None)
    return typed_text(name, display() if display else value)


def _values(obj, names, label=None) -> list[tuple[str, str]]:
    """(label, typed value) of these fields, labelled by their verbose_name unless `label` names one."""
    label = label or {}
    return [(label.get(name) or obj._meta.get_field(name).verbose_name, _typed(obj, name)) for name in names]


@dataclass
class UnaskedImages:
    """Pictures of one slot (of one row) that no item shows: uploaded where nothing is asked for now (a
    field since answered 无, a 证件类型 or a qualification changed since, a 学位 of level 无). Shown to the
    reviewer with what the candidate typed, as every picture sent is (the image zip holds them all);
    nothing to tick."""
    label: str
    note: str  # why nothing is asked for there, where a field says so (执业变更情况为“无”时无需上传)
    values: list[tuple[str, str]]
    images: list


def check_fields(application, *, with_images=True) -> list[CheckField]:
    items = {}
    required = required_images(application)
    asked = {image.slot for image in required}
    for image in required:
        key = _item_key(image)
        if key is None:
            continue
        if key not in items:
            items[key] = _item(application, key, image)
            if key == ImageSlot.CATEGORY and ImageSlot.SCOPE not in asked:
                items[key].values += _values(application, [REGISTERED])
        items[key].slots.append((image.slot, image.row_id))
    fields = list(items.values())
    if with_images:
        attach_images(application, fields)
    return fields


def _item_key(image) -> str | None:
    """The item a required image belongs to: its row's ("education:12"), else its slot's; None for
    the photo."""
    if image.row is not None:
        return f"{BY_SLOT[image.slot].key}:{image.row_id}"
    return ITEM_OF_SLOT.get(image.slot, image.slot.value)


def _item(application, key, image) -> CheckField:
    if image.row is None:
        label = f"证件（{id_document(application).pages}）" if key == ID_CARD else image.label
        return CheckField(key, label, _values(application, FIELD_VALUES[key]))
    table, row = BY_SLOT[image.slot], image.row
    label = (ASSESSED if image.assessed else "") + image.slot.label
    if image.slot == ImageSlot.OTHER:  # one slot for the eight kinds of 其他材料: the kind names it
        label += f"（{row.kind}）"
    # The level of a 学历/学位 row is labelled by its table's title, as on the candidate's form.
    return CheckField(key, label, _values(row, table.columns, {"level": table.title}))


def attach_images(application, fields) -> list[UnaskedImages]:
    """Give each item its images (and the 证件 item the photo); return the application's other images,
    those no item shows, grouped by slot and row in the form's order: a stored image is never left off
    the review screen. One query for the images; the rows' only when an image of a row is left over."""
    images = list(application.images.all())
    photo = next((img for img in images if img.slot == ImageSlot.PHOTO), None)
    # The identity images are captioned as the form names them for the 证件类型 (正面/反面, 护照信息页).
    sides = {side.slot: side.label for side in id_document(application).sides}
    for img in images:
        img.caption = sides.get(img.slot, "")
    for f in fields:
        if f.key == ID_CARD:
            f.photo = photo
        for slot, row_id in f.slots:
            f.images += [img for img in images if (img.slot, img.row_id) == (slot, row_id)]
            if row_id is None:  # a single-value slot may have been stored with no row id or any row id
                f.images += [img for img in images if img.slot == slot and img.row_id is not None]
    shown = {img.pk for f in fields for img in f.images} | {f.photo.pk for f in fields if f.photo}
    return _unasked(application, [img for img in images if img.pk not in shown])


def _unasked(application, left) -> list[UnaskedImages]:
    """`left` grouped by slot and row, labelled as the form names them, in the form's order."""
    groups = {}
    for img in left:
        # A slot of the form's own is one place, whatever row id it was stored with (as above).
        groups.setdefault((img.slot, img.row_id if img.slot in BY_SLOT else None), []).append(img)
    if not groups:
        return []
    rows = rows_by_table(application) if any(row_id for _, row_id in groups) else {}
    notes = unneeded_field_slots(application)
    slot_order = list(ImageSlot.values)
    found = []
    for (slot, row_id), images in groups.items():
        slot = ImageSlot(slot)
        if row_id is None:
            label, values = slot.label, _values(application, FIELD_VALUES.get(slot, ()))
            place = 0
        else:
            table = BY_SLOT[slot]
            table_rows = rows.get(table.key, [])
            place = next((i for i, row in enumerate(table_rows) if row.pk == row_id), len(table_rows))
            row = table_rows[place] if place < len(table_rows) else None
            label = f"{slot.label}（{table.describe(row, place)}）" if row else slot.label
            values = _values(row, table.columns, {"level": table.title}) if row else []
        found.append(((slot_order.index(slot), place), UnaskedImages(label, notes.get(slot, ""), values, images)))
    return [group for _, group in sorted(found, key=lambda pair: pair[0])]


def attach_checks(application, fields, stage):
    ticks = dict(FieldCheck.objects.filter(
        application=application, stage=stage, submission_round=application.submission_round,
    ).values_list("field", "consistent"))
    for f in fields:
        f.consistent = ticks.get(f.key)
    return fields


def all_consistent(fields) -> bool:
    return bool(fields) and all(f.consistent is True for f in fields)


def unconfirmed_reason(fields) -> str:
    """Why an approval waits: the 📷 items not yet ticked 是 at this stage, by name."""
    bad = [f.label for f in fields if f.consistent is False]
    if bad:
        return "以下信息被标记为与原件不一致，不能同意：" + "、".join(bad) + "。"
    unchecked = [f.label for f in fields if f.consistent is None]
    return "请先核对所有带“📷”标志的信息，全部与原件一致后方可同意。尚未核对：" + "、".join(unchecked) + "。"


def mismatch_reason(fields) -> str:
    """The fields ticked 否, as the start of a return reason."""
    bad = [f.label for f in fields if f.consistent is False]
    return ("以下信息与原件不一致：" + "、".join(bad) + "。") if bad else ""


@dataclass
class Eligibility:
    level: str
    qualification: str
    specialty: str
    current_qualification: str
    qualification_date: str
    years_since: str
    education: str
    cutoff: str
    registered: str
    verdict: object  # eligibility.Verdict under the year's rules as they are now
    decided: object  # the verdict the last decision was taken with, where the rules changed since


def eligibility(application) -> Eligibility:
    """The facts 资格初审 turns on, and the assistant's verdict (prereg.applications.eligibility)."""
    assessed = BY_KEY["education"].rows(application).first()  # the 参评学历
    education = (f"{assessed.level} · {assessed.major} · {assessed.school}（{month_text(assessed.obtained)}）"
                 if assessed else "未填写")
    verdict = rules.verdict_of(application)
    decided = None
    last = (application.review_logs
            .filter(action__in=(ReviewAction.APPROVE, ReviewAction.FORWARD), details__has_key="verdict")
            .order_by("-pk").first())
    if last and last.details["verdict"] != verdict.result:
        decided = Verdict(last.details["verdict"]).label
    return Eligibility(
        level=plain_text(application.level), qualification=plain_text(application.qualification),
        specialty=plain_text(application.specialty), current_qualification=application.current_qualification or "无",
        qualification_date=month_text(application.current_qualification_date),
        years_since=application.qualification_duration, education=education,
        cutoff=plain_text(application.exam_year.cutoff_date), registered=month_text(application.practice_registered),
        verdict=verdict, decided=decided,
    )


def awaiting_forward_for(org, stage):
    """What `org` approved at `stage` and has not yet forwarded by 汇总提交."""
    stage = Stage(stage)
    # An approval at 考区复核 is final; at an earlier stage the application waits at that stage.
    at = {"state": State.APPROVED} if stage == Stage.DISTRICT_RECHECK else {"state": State.IN_REVIEW, "stage": stage}
    return Application.objects.filter(awaiting_forward=True, **{STAGE_ORG_FIELD[stage]: org}, **at)


def forward_digest(pairs) -> str:
    """What a 汇总提交 page counted, as one token: the (id, version) of each application. The act
    forwards only the set the page showed (its 国网 warning and counts were of that set)."""
    return hashlib.sha256(";".join(f"{pk}:{version}" for pk, version in sorted(pairs)).encode()).hexdigest()


def change_lines(changes: dict) -> list[tuple[str, str, str]]:
    """A reviewer correction as the review log shows it (ReviewLog.details["changes"]): (the field's
    label, before, after), a personal number shown masked without the hash that proves it."""
    lines = []
    for key, (before, after) in changes.items():
        prefix, _, rest = key.partition(":")
        table, column = (BY_KEY.get(prefix), rest.partition(".")[2]) if rest else (None, key)
        model = table.model if table else Application
        try:
            model_field = model._meta.get_field(column)
        except FieldDoesNotExist:  # a field renamed since the correction
            label, choices = key, {}
        else:
            label, choices = model_field.verbose_name, dict(model_field.flatchoices)
        if table:  # a row's value, "education:12.school"
            label = f"{table.label} · {label}"
        lines.append((label, *(str(choices.get(value, value)).partition("#hmac:")[0] for value in (before, after))))
    return lines
