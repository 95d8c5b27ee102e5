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
    ImageSlot,
    WorkRow,
)
from .sections import BY_KEY

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


class RequiredImage(NamedTuple):
    """A 📷 item this application must show: its slot, its row (None for the form's own fields),
    what it is, and the form's part where it is uploaded (a row's with its row)."""
    slot: str
    row_id: int | None
    label: str
    section: str


class Gap(NamedTuple):
    section: str
    message: str


def required_images(application) -> list[RequiredImage]:
    """Every image the filled form asks for (手册 二.1: a filled 📷 field requires its images)."""
    a = application
    required = [RequiredImage(ImageSlot.PHOTO, None, "考生照片", "images"),
                RequiredImage(ImageSlot.ID_FRONT, None, "身份证正面", "images"),
                RequiredImage(ImageSlot.ID_BACK, None, "身份证反面", "images")]
    required += _row_images(a, ("education", "degree"))
    if a.category_id:
        required.append(RequiredImage(ImageSlot.CATEGORY, None, "执业类别（护士执业证书/医师资格证书）", "images"))
    if a.scope_id:
        required.append(RequiredImage(ImageSlot.SCOPE, None, "执业注册范围（执业证书）", "images"))
    if is_filled_text(a.practice_change):
        required.append(RequiredImage(ImageSlot.PRACTICE_CHANGE, None, "执业变更情况（变更注册记录页）", "images"))
    if is_filled_text(a.current_qualification):
        required.append(RequiredImage(ImageSlot.CURRENT_QUALIFICATION, None, "现有资格证书", "images"))
    required += _row_images(a, ("appointment", "residency", "gp", "other"))
    return required


def _row_images(application, keys) -> list[RequiredImage]:
    """Each row of these tables needs its images (a degree of level 无 has none to show)."""
    tables = [BY_KEY[key] for key in keys]
    by_model = {}  # one query per row model, whose two tables (EducationRow's kinds) share it
    for table in tables:
        if table.model not in by_model:
            by_model[table.model] = list(table.model.objects.filter(application=application).order_by("order", "pk"))
    return [RequiredImage(table.slot, row.pk, table.describe(row), table.section)
            for table in tables for row in by_model[table.model]
            if (table.kind is None or row.kind == table.kind) and not (table.key == "degree" and row.level == "无")]


def missing(application) -> list[str]:
    return [gap.message for gap in gaps(application)]


def gaps(application) -> list[Gap]:
    """The typed fields still empty, then the required images not yet uploaded."""
    a = application
    found = [Gap("basic", f"基本信息：请填写“{label}”。") for field, label in BASIC_FIELDS if not getattr(a, field)]
    if not WorkRow.objects.filter(application=a).exists():
        found.append(Gap("work", "工作情况：请至少填写一行。"))
    required = required_images(a)
    if not any(image.slot == ImageSlot.EDUCATION for image in required):  # each education row needs its image
        found.append(Gap("education", "教育情况：请填写参评学历。"))
    if not a.chsi_code:
        found.append(Gap("education", "教育情况：请填写学信网在线验证码（若无此项请填写“无”）。"))
    if not a.project_id and a.exam_year.project_list:  # a year of several projects: he chooses one
        found.append(Gap("declaration", "申报信息：请选择“考试项目”。"))
    found += [Gap("declaration", f"申报信息：请选择“{label}”。") for field, label in DECLARATION_FIELDS
              if not getattr(a, field)]
    if a.category_id and a.category.has_scopes and not a.scope_id:
        found.append(Gap("declaration", "申报信息：请选择“执业注册范围”。"))
    if is_filled_text(a.current_qualification) and not a.current_qualification_date:
        found.append(Gap("declaration", "申报信息：请填写“现有资格取得年月”。"))
    uploaded = image_counts(a)
    found += [Gap(image.section, f"请上传“{image.label}”的图片。") for image in required
              if not uploaded[(image.slot, image.row_id)]]
    return found
