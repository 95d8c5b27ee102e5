"""What is still missing before an application can be submitted (提交前检查).

`gaps(application)` returns (section, Chinese message), one per gap, in the order of the form;
`missing(application)` the messages alone; an empty list means complete. A filled 📷 field
requires its images (手册 二.1). The section is the form's part where the gap is filled (a row's
images with the row; the others in the 证件图片 part, "images").

`required_images(application)` is the one list of the 📷 items an application must show: the
candidate's uploads are checked against it here, and the review screen's items to tick are built
from it (prereg.applications.review).
"""

from collections import Counter
from typing import NamedTuple

from .models import Application, ApplicationImage, ImageSlot
from .sections import ASSESSED, ROW_SECTION_TITLES, ROW_TABLES, RowTable, rows_by_table


def _label(name: str) -> str:
    """An Application field's name as the form shows it (its verbose_name)."""
    return Application._meta.get_field(name).verbose_name


def _labelled(*names) -> list[tuple[str, str]]:
    """(attribute, label) of Application fields: a foreign key by its id, read without a query."""
    return [(Application._meta.get_field(name).attname, _label(name)) for name in names]


BASIC_FIELDS = _labelled("name", "gender", "id_type", "id_number", "birth_date", "ethnicity", "unit", "postcode",
                         "phone", "address")
DECLARATION_FIELDS = _labelled("level", "qualification", "category", "specialty")


def is_filled_text(value: str) -> bool:
    return bool(value) and value.strip() not in {"", "无"}


class RequiredImage(NamedTuple):
    """A 📷 item this application must show: its slot, its row (None for the form's own fields),
    what it is, and the form's part where it is uploaded (a row's with its row); `assessed`: the
    row is its table's 参评 one."""
    slot: ImageSlot
    row: object | None
    label: str
    section: str
    assessed: bool = False

    @property
    def row_id(self) -> int | None:
        return self.row.pk if self.row is not None else None


class Gap(NamedTuple):
    section: str
    message: str


IDENTITY_SLOTS = [ImageSlot.PHOTO, ImageSlot.ID_FRONT, ImageSlot.ID_BACK]  # always asked for
DECLARED_SLOTS = [ImageSlot.CATEGORY, ImageSlot.SCOPE, ImageSlot.PRACTICE_CHANGE, ImageSlot.CURRENT_QUALIFICATION]
# The 📷 fields of the form's own (证件图片, at the bottom of the form), in the form's order.
FIELD_SLOTS = IDENTITY_SLOTS + DECLARED_SLOTS


def _answered(application) -> list[ImageSlot]:
    """The 申报信息 fields filled in (DECLARED_SLOTS), whose 📷 images are then asked for."""
    filled = (application.category_id, application.scope_id, is_filled_text(application.practice_change),
              is_filled_text(application.current_qualification))
    return [slot for slot, answered in zip(DECLARED_SLOTS, filled, strict=True) if answered]


def field_images(application) -> list[RequiredImage]:
    """The images the form's own fields ask for (those of `required_images` tied to no row), read
    without a query: the form page draws its 证件图片 slots from it."""
    return _field_images(IDENTITY_SLOTS + _answered(application))


def required_images(application, rows=None) -> list[RequiredImage]:
    """Every image the filled form asks for (手册 二.1: a filled 📷 field requires its images), in the
    order of the form: the 证件 images, the 教育情况 rows, the 申报信息 fields, the other rows. `rows`:
    its rows_by_table when the caller has read them."""
    tables = [table for table in ROW_TABLES if table.slot]
    if rows is None:
        rows = rows_by_table(application, tables)
    education = [table for table in tables if table.section == "education"]
    others = [table for table in tables if table.section != "education"]
    return (_field_images(IDENTITY_SLOTS) + _row_images(rows, education)
            + _field_images(_answered(application)) + _row_images(rows, others))


def _field_images(slots) -> list[RequiredImage]:
    """The images of the form's own fields, uploaded in its 证件图片 part."""
    return [RequiredImage(slot, None, slot.label, "images") for slot in slots]


def _row_images(rows, tables: list[RowTable]) -> list[RequiredImage]:
    """Each row of these tables needs its images (a degree of level 无 has none to show)."""
    return [RequiredImage(table.slot, row, table.describe(row, index), table.section, table.is_assessed(index))
            for table in tables for index, row in enumerate(rows[table.key]) if table.needs_images(row)]


def missing(application) -> list[str]:
    return [gap.message for gap in gaps(application)]


def gaps(application) -> list[Gap]:
    """The typed fields still empty, then the required images not yet uploaded."""
    found = [Gap("basic", f"基本信息：请填写“{label}”。") for field, label in BASIC_FIELDS
             if not getattr(application, field)]
    rows = rows_by_table(application)
    for table in ROW_TABLES:  # fewer rows than the form asks for: 工作情况 one at least, 教育情况 its 参评学历
        if len(rows[table.key]) < table.min_rows:
            ask = f"请填写{ASSESSED}{table.title}" if table.first_is_assessed else "请至少填写一行"
            found.append(Gap(table.section, f"{ROW_SECTION_TITLES[table.section]}：{ask}。"))
    if not application.chsi_code:
        found.append(Gap("education", f"教育情况：请填写{_label('chsi_code')}（若无此项请填写“无”）。"))
    if not application.project_id and application.exam_year.project_list:  # several projects: he chooses one
        found.append(Gap("declaration", "申报信息：请选择“考试项目”。"))
    found += [Gap("declaration", f"申报信息：请选择“{label}”。") for field, label in DECLARATION_FIELDS
              if not getattr(application, field)]
    if application.category_id and application.category.has_scopes and not application.scope_id:
        found.append(Gap("declaration", f"申报信息：请选择“{_label('scope')}”。"))
    if is_filled_text(application.current_qualification) and not application.current_qualification_date:
        found.append(Gap("declaration", f"申报信息：请填写“{_label('current_qualification_date')}”。"))
    uploaded = Counter(ApplicationImage.objects.filter(application=application).values_list("slot", "row_id"))
    found += [Gap(image.section, f"请上传“{image.label}”的图片。") for image in required_images(application, rows)
              if not uploaded[(image.slot, image.row_id)]]
    return found
