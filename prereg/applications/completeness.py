"""What is still missing before an application can be submitted (提交前检查).

`gaps(application)` returns (section, Chinese message), one per gap, in the order of the form;
`missing(application)` the messages alone; an empty list means complete. A filled 📷 field
requires its images (手册 二.1). The section is the form's part where the gap is filled (a row's
images with the row; the others in the 证件图片 part, "images").
"""

from collections import Counter
from typing import NamedTuple

from .models import (
    ApplicationImage,
    AppointmentRow,
    EducationRow,
    ImageSlot,
    OtherRow,
    TrainingRow,
    WorkRow,
)

BASIC_FIELDS = [
    ("name", "姓名"), ("gender", "性别"), ("id_type", "证件类型"), ("id_number", "证件编号"),
    ("birth_date", "出生日期"), ("ethnicity_id", "民族"), ("unit_id", "单位名称"), ("postcode", "邮编"),
    ("phone", "手机号码"), ("address", "联系地址"),
]
DECLARATION_FIELDS = [
    ("level_id", "报考级别"), ("qualification_id", "拟申报资格"), ("category_id", "执业类别"),
    ("specialty_id", "申报专业"),
]


def is_filled_text(value: str) -> bool:
    return bool(value) and value.strip() not in {"", "无"}


def image_counts(application) -> Counter:
    return Counter(
        (slot, row_id)
        for slot, row_id in ApplicationImage.objects.filter(application=application).values_list("slot", "row_id")
    )


ROW_SLOT_SECTIONS = {
    ImageSlot.EDUCATION: "education", ImageSlot.DEGREE: "education", ImageSlot.APPOINTMENT: "appointment",
    ImageSlot.RESIDENCY: "residency", ImageSlot.GENERAL_PRACTICE: "gp", ImageSlot.OTHER: "other",
}


class Gap(NamedTuple):
    section: str
    message: str


def missing(application) -> list[str]:
    return [gap.message for gap in gaps(application)]


def gaps(application) -> list[Gap]:
    found = []
    images = image_counts(application)

    def gap(section, message):
        found.append(Gap(section, message))

    def needs_image(slot, label, row_id=None):
        if not images[(slot, row_id)]:
            # A row's images are uploaded with the row, in its section; the others in 证件图片.
            gap(ROW_SLOT_SECTIONS.get(slot, "images") if row_id else "images", f"请上传“{label}”的图片。")

    for field, label in BASIC_FIELDS:
        if not getattr(application, field):
            gap("basic", f"基本信息：请填写“{label}”。")
    needs_image(ImageSlot.PHOTO, "考生照片")
    needs_image(ImageSlot.ID_FRONT, "身份证正面")
    needs_image(ImageSlot.ID_BACK, "身份证反面")

    if not WorkRow.objects.filter(application=application).exists():
        gap("work", "工作情况：请至少填写一行。")

    educations = list(EducationRow.objects.filter(application=application).order_by("kind", "order", "pk"))
    if not any(r.kind == EducationRow.Kind.EDUCATION for r in educations):
        gap("education", "教育情况：请填写参评学历。")
    if not application.chsi_code:
        gap("education", "教育情况：请填写学信网在线验证码（若无此项请填写“无”）。")
    for row in educations:
        slot = ImageSlot.EDUCATION if row.kind == EducationRow.Kind.EDUCATION else ImageSlot.DEGREE
        if row.kind == EducationRow.Kind.DEGREE and row.level == "无":
            continue
        needs_image(slot, f"{row.get_kind_display()}：{row.level}（{row.school}）", row.pk)

    for field, label in DECLARATION_FIELDS:
        if not getattr(application, field):
            gap("declaration", f"申报信息：请选择“{label}”。")
    if application.category_id and application.category.has_scopes and not application.scope_id:
        gap("declaration", "申报信息：请选择“执业注册范围”。")
    if application.category_id:
        needs_image(ImageSlot.CATEGORY, "执业类别（护士执业证书/医师资格证书）")
    if application.scope_id:
        needs_image(ImageSlot.SCOPE, "执业注册范围（执业证书）")
    if is_filled_text(application.practice_change):
        needs_image(ImageSlot.PRACTICE_CHANGE, "执业变更情况（变更注册记录页）")
    if is_filled_text(application.current_qualification):
        if not application.current_qualification_date:
            gap("declaration", "申报信息：请填写“现有资格取得年月”。")
        needs_image(ImageSlot.CURRENT_QUALIFICATION, "现有资格证书")

    for row in AppointmentRow.objects.filter(application=application):
        needs_image(ImageSlot.APPOINTMENT, f"聘任情况：{row.unit_name}", row.pk)
    for row in TrainingRow.objects.filter(application=application):
        slot = ImageSlot.RESIDENCY if row.kind == TrainingRow.Kind.RESIDENCY else ImageSlot.GENERAL_PRACTICE
        needs_image(slot, f"{row.get_kind_display()}：{row.certificate_no}", row.pk)
    for row in OtherRow.objects.filter(application=application):
        needs_image(ImageSlot.OTHER, f"其他：{row.kind}", row.pk)
    return found
