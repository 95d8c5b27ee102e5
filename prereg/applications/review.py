"""What a reviewer checks on one application: the 📷 fields, their images and typed values.

`check_fields(application)` lists every field marked 📷 in the candidate manual (section 六)
that this application carries, each with the images that must show it and the typed values the
reviewer compares with them. Keys are stable ("id_card", "education:12") and are what
FieldCheck.field stores. One query per row table and one for the images, whatever the number
of rows.
"""

from dataclasses import dataclass, field
from datetime import date

from . import eligibility as rules
from .models import (
    STAGE_ORG_FIELD,
    Application,
    AppointmentRow,
    EducationRow,
    FieldCheck,
    ImageSlot,
    OtherRow,
    ReviewAction,
    Stage,
    State,
    TrainingRow,
    Verdict,
)
from .sections import ROW_TABLES


@dataclass
class CheckField:
    key: str
    label: str
    values: list[tuple[str, str]]  # (label, typed value) shown beside the images
    images: list = field(default_factory=list)
    consistent: bool | None = None  # this stage's tick of this round: True 是, False 否, None not yet


def _month(value) -> str:
    """A year-month as the candidate typed it (取得时间 2014-08), not the first day it is stored as."""
    return f"{value:%Y-%m}" if value else ""


def _text(value) -> str:
    if value is None:
        return ""
    return f"{value:%Y-%m-%d}" if isinstance(value, date) else str(value)


def _rows(model, application, **filters):
    return list(model.objects.filter(application=application, **filters).order_by("order", "pk"))


def check_fields(application, *, with_images=True) -> list[CheckField]:
    a = application
    fields = [CheckField("id_card", "证件（身份证正反面）", [
        ("姓名", a.name), ("性别", a.get_gender_display()), ("证件编号", a.id_number),
        ("出生日期", _text(a.birth_date)), ("民族", _text(a.ethnicity)),
    ])]
    education = _rows(EducationRow, a)
    for row in education:
        kind = "学历" if row.kind == EducationRow.Kind.EDUCATION else "学位"
        first = row == next((r for r in education if r.kind == row.kind), None)
        fields.append(CheckField(f"{row.kind}:{row.pk}", f"{'参评' if first else ''}{kind}证书", [
            (kind, row.level), ("取得时间", _month(row.obtained)), ("学校", row.school),
            ("学习形式", row.study_form), ("专业", row.major),
        ]))
    if a.category_id:
        fields.append(CheckField("category", "执业类别（护士执业证书/医师资格证书）", [
            ("执业类别", _text(a.category)), ("拟申报资格", _text(a.qualification)),
        ]))
    if a.scope_id:
        fields.append(CheckField("scope", "执业注册范围（执业证书）", [("执业注册范围", _text(a.scope))]))
    if a.practice_change and a.practice_change.strip() not in ("", "无"):
        fields.append(CheckField("practice_change", "执业变更记录页", [("执业变更情况", a.practice_change)]))
    if a.current_qualification:
        fields.append(CheckField("current_qualification", "现有资格证书", [
            ("现有资格", a.current_qualification), ("取得年月", _month(a.current_qualification_date)),
        ]))
    for row in _rows(AppointmentRow, a):
        fields.append(CheckField(f"appointment:{row.pk}", "聘书（合同、文件）", [
            ("聘任单位", row.unit_name), ("职务/职称", row.post), ("技术资格", row.qualification),
            ("聘任时间", f"{_month(row.start)} 至 {_month(row.end) or '今'}"),
        ]))
    for row in _rows(TrainingRow, a):
        fields.append(CheckField(f"{row.kind}:{row.pk}", row.get_kind_display() + "合格证书", [
            ("证书编号", row.certificate_no), ("培训专业", row.specialty),
            ("培训时间", f"{_month(row.start)} 至 {_month(row.end)}"), ("培训基地", row.base), ("发证日期", _month(row.issued)),
        ]))
    for row in _rows(OtherRow, a):
        fields.append(CheckField(f"other:{row.pk}", f"其他材料（{row.kind}）", [("备注", row.note)]))
    if with_images:
        _attach_images(a, fields)
    return fields


# Field key prefix -> the image slots that show it.
SLOTS = {
    "id_card": (ImageSlot.ID_FRONT, ImageSlot.ID_BACK),
    "category": (ImageSlot.CATEGORY,),
    "scope": (ImageSlot.SCOPE,),
    "practice_change": (ImageSlot.PRACTICE_CHANGE,),
    "current_qualification": (ImageSlot.CURRENT_QUALIFICATION,),
    **{table.key: (table.slot,) for table in ROW_TABLES if table.slot},
}


def _attach_images(application, fields):
    by_key = {}
    for img in application.images.all():
        by_key.setdefault((img.slot, img.row_id), []).append(img)
    for f in fields:
        prefix, _, row = f.key.partition(":")
        row_id = int(row) if row else None
        for slot in SLOTS[prefix]:
            f.images.extend(by_key.get((slot, row_id), []))
            if row_id is not None:
                continue
            # A single-value slot may have been stored with no row id or any row id.
            f.images.extend(img for (s, r), imgs in by_key.items() if s == slot and r is not None for img in imgs)


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
    a = application
    first = EducationRow.objects.filter(application=a, kind=EducationRow.Kind.EDUCATION).order_by("order", "pk").first()
    education = f"{first.level} · {first.major} · {first.school}（{_month(first.obtained)}）" if first else "未填写"
    verdict = rules.verdict_of(a)
    decided = None
    last = (a.review_logs.filter(action__in=(ReviewAction.APPROVE, ReviewAction.FORWARD), details__has_key="verdict")
            .order_by("-pk").first())
    if last and last.details["verdict"] != verdict.result:
        decided = Verdict(last.details["verdict"]).label
    return Eligibility(
        level=_text(a.level), qualification=_text(a.qualification), specialty=_text(a.specialty),
        current_qualification=a.current_qualification or "无", qualification_date=_month(a.current_qualification_date),
        years_since=a.qualification_duration, education=education, cutoff=_text(a.exam_year.cutoff_date),
        registered=_month(a.practice_registered), verdict=verdict, decided=decided,
    )


def awaiting_forward_for(org, stage):
    """What `org` approved at `stage` and has not yet forwarded by 汇总提交."""
    stage = Stage(stage)
    # An approval at 考区复核 is final; at an earlier stage the application waits at that stage.
    at = {"state": State.APPROVED} if stage == Stage.DISTRICT_RECHECK else {"state": State.IN_REVIEW, "stage": stage}
    return Application.objects.filter(awaiting_forward=True, **{STAGE_ORG_FIELD[stage]: org}, **at)
