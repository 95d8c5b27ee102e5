"""What is still missing before an application can be submitted (提交前检查).

`gaps(application)` returns (section, Chinese message), one per gap, in the order of the form;
`missing(application)` the messages alone; an empty list means complete. A filled 📷 field
requires its images (手册 二.1). The section is the form's part where the gap is filled (a row's
images with the row; the others in the 证件图片 part, "images").

`required_images(application)` is the one list of the 📷 items an application must show: the
candidate's uploads are checked against it here, and the review screen's items to tick are built
from it (prereg.applications.review). Which identity images are asked for follows the 证件类型
(ID_DOCUMENTS); the 执业类别 and 执业注册范围 images only a nurse's or physician's qualification
(LICENSED_SERIES). `form_field_slots` is what the form's 证件图片 part offers uploads in;
`unneeded_field_slots` the slots it draws only to say that a field answered 无 asks for no image.
"""

from collections import Counter
from typing import NamedTuple

from prereg.accounts.models import IdType

from . import values
from .carryover import SECTION_TITLES, sections_to_check
from .models import Application, ApplicationImage, EducationRow, ImageSlot, WorkRow
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
    to_check: bool = False  # nothing missing: carried over from last year and not yet saved (待核对)
    slot: str = ""  # a missing image's 📷 slot, and its row's id (None for the form's own fields)
    row_id: int | None = None


IDENTITY_SLOTS = [ImageSlot.PHOTO, ImageSlot.ID_FRONT, ImageSlot.ID_BACK]  # asked for as the 证件类型 has them
DECLARED_SLOTS = [ImageSlot.CATEGORY, ImageSlot.SCOPE, ImageSlot.PRACTICE_CHANGE, ImageSlot.CURRENT_QUALIFICATION]
# The 📷 fields of the form's own (证件图片, at the bottom of the form), in the form's order.
FIELD_SLOTS = IDENTITY_SLOTS + DECLARED_SLOTS


class IdSide(NamedTuple):
    """One image of an identity document: its slot, what it shows (the slot's label on the form, in the
    missing-image message), and what the candidate is told to upload there."""
    slot: ImageSlot
    label: str
    note: str


class IdDocument(NamedTuple):
    """What the candidate uploads of his 证件类型 (application.id_type): `pages` names the images
    together (the review item's label), `sides` each image."""
    name: str
    pages: str
    sides: tuple[IdSide, ...]


def _card(name: str, short: str) -> IdDocument:
    """A card with a front and a back (居民身份证, the 港澳台居民居住证, which are laid out as it is)."""
    return IdDocument(name, f"{short}正反面", (
        IdSide(ImageSlot.ID_FRONT, f"{short}正面", "需上传正反面两张图片（此处上传正面）"),
        IdSide(ImageSlot.ID_BACK, f"{short}反面", "需上传正反面两张图片（此处上传反面）")))


# The one rule of the identity images: the form's slots, their guides (images.slot_guide), the
# missing-image messages and the review item's label all read it.
ID_DOCUMENTS = {
    IdType.RESIDENT: _card("居民身份证", "身份证"),
    IdType.HKMO_PERMIT: _card("港澳居民居住证", "港澳居民居住证"),
    IdType.TW_PERMIT: _card("台湾居民居住证", "台湾居民居住证"),
    IdType.PASSPORT: IdDocument("护照", "护照信息页", (
        IdSide(ImageSlot.ID_FRONT, "护照信息页", "上传护照的个人信息页（有本人照片的一页）一张图片"),)),
}


def id_document(application) -> IdDocument:
    """The identity document of the application's 证件类型 (none chosen yet: the 居民身份证)."""
    return ID_DOCUMENTS.get(application.id_type, ID_DOCUMENTS[IdType.RESIDENT])


# The series whose 执业类别 a certificate shows (手册 六: 护士执业证书, 医师资格证书) and whose
# practice is registered in an 执业证书: a pharmacist's or technician's (药学, 中药学, 技术) has neither.
LICENSED_SERIES = {"护理", "医疗"}


def licence_series(application) -> str:
    """The series of the qualification applied for (catalog Qualification.series: 护理, 医疗, 药学…), ""
    while none is chosen. A catalogue that leaves it blank (one imported without the column) is read
    from the 执业类别: 护理 a nurse's, one with 执业注册范围 (临床, 口腔, 公共卫生, 中医) a physician's."""
    series = application.qualification.series if application.qualification_id else ""
    if series or not application.category_id:
        return series
    category = application.category
    if category.name == "护理":
        return "护理"
    return "医疗" if category.has_scopes else "其他"


def is_licensed(application) -> bool | None:
    """Whether the qualification applied for is a nurse's or a physician's (None: not chosen yet)."""
    series = licence_series(application)
    return (series in LICENSED_SERIES) if series else None


# The 执业类别 and 执业注册范围 images as the series has them (the slots' own labels name both).
LICENCE_LABELS = {("护理", ImageSlot.CATEGORY): "执业类别（护士执业证书）",
                  ("医疗", ImageSlot.CATEGORY): "执业类别（医师资格证书）",
                  ("医疗", ImageSlot.SCOPE): "执业注册范围（医师执业证书）"}


# The 申报信息 fields chosen from a dictionary whose 📷 image shows what they say, with what the form
# shows while they are empty: 执业变更情况 starts at 无 (the dictionary's 无 stands for the empty choice,
# candidate.forms.YearDicts.choices), 现有资格 at 请选择 (not answered yet). A picture belongs to a filled
# field (手册 二.1): one answered 无 asks for none, and takes none (images_add refuses a slot
# form_field_slots does not draw); one not answered yet may still ask.
NONE = "无"
TEXT_FIELDS = {ImageSlot.PRACTICE_CHANGE: ("practice_change", NONE),
               ImageSlot.CURRENT_QUALIFICATION: ("current_qualification", "")}


def _text_answer(application, slot) -> str:
    """What the field of a TEXT_FIELDS slot says as the form shows it; "" not answered yet."""
    name, shown_when_empty = TEXT_FIELDS[slot]
    return getattr(application, name).strip() or shown_when_empty


def unneeded_field_slots(application) -> dict[ImageSlot, str]:
    """The slots of the form's own fields whose field says 无, with the note the form draws in each
    instead of a picker (执业变更情况为“无”时无需上传)."""
    return {slot: f"{_label(name)}为“{NONE}”时无需上传" for slot, (name, _) in TEXT_FIELDS.items()
            if _text_answer(application, slot) == NONE}


def _answered(application) -> list[ImageSlot]:
    """The 申报信息 fields filled in (DECLARED_SLOTS), whose 📷 images are then asked for: the 执业类别
    and 执业注册范围 only of a nurse's or a physician's qualification (LICENSED_SERIES), the others when
    they say more than 无 (TEXT_FIELDS)."""
    licensed = bool(is_licensed(application))
    filled = (licensed and application.category_id, licensed and application.scope_id,
              is_filled_text(application.practice_change), is_filled_text(application.current_qualification))
    return [slot for slot, answered in zip(DECLARED_SLOTS, filled, strict=True) if answered]


def field_images(application) -> list[RequiredImage]:
    """The images the form's own fields ask for (those of `required_images` tied to no row): the form
    page draws its 证件图片 slots from it. Read without a query when the application was read with
    its qualification and category (select_related), as licence_series reads both."""
    return _identity_images(application) + _declared_images(application)


def _declared_images(application) -> list[RequiredImage]:
    """The images the 申报信息 fields filled in ask for, labelled as the series' certificates are."""
    series = licence_series(application)
    return [RequiredImage(slot, None, LICENCE_LABELS.get((series, slot), slot.label), "images")
            for slot in _answered(application)]


def _identity_images(application) -> list[RequiredImage]:
    """The candidate's photo and the images of his 证件类型 (ID_DOCUMENTS)."""
    return ([RequiredImage(ImageSlot.PHOTO, None, ImageSlot.PHOTO.label, "images")]
            + [RequiredImage(side.slot, None, side.label, "images") for side in id_document(application).sides])


class FormSlot(NamedTuple):
    """A 📷 slot of the form's 证件图片 part as the form draws it: `required`: asked for now (缺 until
    it holds an image)."""
    slot: ImageSlot
    label: str
    required: bool


def form_field_slots(application) -> list[FormSlot]:
    """The slots of the form's own fields the form offers an upload in, in its order: those asked for
    (field_images) and those a field not yet filled may still ask for; never one this application can
    never need (the 反面 of a passport, the 执业类别 of a pharmacist, the 执业注册范围 of a nurse), nor
    one whose field says 无 (unneeded_field_slots)."""
    asked = {image.slot: image for image in field_images(application)}
    licensed = is_licensed(application)
    category = application.category if application.category_id else None
    possible = {
        ImageSlot.CATEGORY: licensed is not False,
        ImageSlot.SCOPE: licensed is not False and (category is None or category.has_scopes),
        **{slot: _text_answer(application, slot) != NONE for slot in TEXT_FIELDS},
    }
    return [FormSlot(slot, asked[slot].label if slot in asked else slot.label, slot in asked)
            for slot in FIELD_SLOTS if slot in asked or possible.get(slot, False)]


def required_images(application, rows=None) -> list[RequiredImage]:
    """Every image the filled form asks for (手册 二.1: a filled 📷 field requires its images), in the
    order of the form: the 证件 images, the 教育情况 rows, the 申报信息 fields, the other rows. `rows`:
    its rows_by_table when the caller has read them."""
    tables = [table for table in ROW_TABLES if table.slot]
    if rows is None:
        rows = rows_by_table(application, tables)
    education = [table for table in tables if table.section == "education"]
    others = [table for table in tables if table.section != "education"]
    return (_identity_images(application) + _row_images(rows, education)
            + _declared_images(application) + _row_images(rows, others))


def _row_images(rows, tables: list[RowTable]) -> list[RequiredImage]:
    """Each row of these tables needs its images (a degree of level 无 has none to show)."""
    return [RequiredImage(table.slot, row, table.describe(row, index), table.section, table.is_assessed(index))
            for table in tables for index, row in enumerate(rows[table.key]) if table.needs_images(row)]


BEFORE_BIRTH = "不晚于出生日期"
BEFORE_SCHOOL_AGE = f"早于年满{values.EARLIEST_EDUCATION_AGE}周岁"
BEFORE_WORK_AGE = f"早于年满{values.EARLIEST_WORK_AGE}周岁"


def dated_before_birth(application, rows: dict[str, list]) -> list[tuple[str, str, str, str, str]]:
    """(key, section, label, refusal, what is wrong with it, with its value) of each typed date of the candidate's
    life that his birth date bounds from below and that is too early, by the form's rules (values.work_start_error,
    education_date_error, qualification_date_error): a work row's 开始时间, a 学历 or 学位's 取得时间,
    现有资格取得年月, 执业注册年月. `rows`: rows by table key (sections.rows_by_table), as stored or as a
    correction leaves them. Each is refused where it is typed; a birth date changed after them (a corrected ID
    number) is checked against them here, by the correction and before a submission."""
    birth = application.birth_date
    out = []
    for table in ROW_TABLES:
        if table.model not in (WorkRow, EducationRow):
            continue
        column = "start" if table.model is WorkRow else "obtained"
        verbose = table.model._meta.get_field(column).verbose_name
        for index, row in enumerate(rows.get(table.key, []), start=1):
            date = getattr(row, column)
            if column == "start":
                message = values.work_start_error(date, birth)
                wrong = BEFORE_BIRTH if values.after_birth_error(date, birth, verbose) else BEFORE_WORK_AGE
            else:
                message, wrong = values.education_date_error(date, birth), BEFORE_SCHOOL_AGE
            if message:
                out.append((f"{table.key}:{row.pk}.{column}", table.section, f"{table.label}{index} · {verbose}",
                            message, f"（{values.month_text(date)}）{wrong}"))
    for name, date, message in (
            ("current_qualification_date", application.current_qualification_date,
             values.qualification_date_error(application.current_qualification_date, birth)),
            ("practice_registered", application.practice_registered, values.after_birth_error(
                application.practice_registered, birth, Application._meta.get_field("practice_registered").verbose_name))):
        if message:
            out.append((name, "declaration", Application._meta.get_field(name).verbose_name, message,
                        f"（{values.month_text(date)}）{BEFORE_BIRTH}"))
    return out


def missing(application) -> list[str]:
    return [gap.message for gap in gaps(application)]


def gaps(application) -> list[Gap]:
    """The typed fields still empty, then the required images not yet uploaded, then the sections
    carried over from last year not yet saved this year (待核对: each must be checked once)."""
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
    # A choice the 考区 has since disabled (a retired code): offered no longer, so not submitted either.
    found += [Gap("declaration", f"申报信息：所选“{label}”已停用，请重新选择。")
              for field, label in DECLARATION_FIELDS + _labelled("scope")
              if getattr(application, field) and not getattr(application, field.removesuffix("_id")).enabled]
    if application.category_id and application.category.has_scopes and not application.scope_id:
        found.append(Gap("declaration", f"申报信息：请选择“{_label('scope')}”。"))
    if is_filled_text(application.current_qualification) and not application.current_qualification_date:
        found.append(Gap("declaration", f"申报信息：请填写“{_label('current_qualification_date')}”。"))
    found += [Gap(section, f"{SECTION_TITLES[section]}：{label}{wrong}，请核对出生日期（证件编号）或修改该项。")
              for _key, section, label, _message, wrong in dated_before_birth(application, rows)]
    uploaded = Counter(ApplicationImage.objects.filter(application=application).values_list("slot", "row_id"))
    found += [Gap(image.section, f"请上传“{image.label}”的图片。", slot=image.slot, row_id=image.row_id)
              for image in required_images(application, rows) if not uploaded[(image.slot, image.row_id)]]
    year_name, unchecked = sections_to_check(application, rows)
    for section in unchecked:
        title = SECTION_TITLES[section]
        which = "，尤其是“报考级别”“申报专业”" if section == "declaration" else ""
        found.append(Gap(section, f"{title}：沿用了{year_name}的信息，请逐项核对{which}，无误后点击“保存{title}”。",
                         to_check=True))
    return found
