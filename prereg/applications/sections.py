"""The row tables of the form (candidate manual, sections 二 to 六), described once.

The candidate's form, the 📷 slots, the completeness check, the review screen's items and
the reviewer's correction all read this list instead of keeping their own copy of it.
"""

from dataclasses import dataclass

from .models import AppointmentRow, EducationRow, ImageSlot, OtherRow, TrainingRow, WorkRow
from .values import span_text, typed_text

ASSESSED = "参评"  # the row put forward for the assessment (参评学历, 参评学位), the one eligibility reads


@dataclass(frozen=True)
class RowTable:
    key: str  # the review's field key prefix and the correction's ("education:12.school")
    section: str  # the part of the form that holds it
    title: str  # the table's name where it is one of two in its section
    label: str  # a row's name in a list ("学历1 · 学校")
    model: type
    kind: str | None  # the row model's Kind, when one model holds two tables
    slot: ImageSlot | None  # each row's 📷 images; None: the row needs none
    prefix: str  # the form's formset prefix
    columns: tuple[str, ...]  # what the candidate types in a row (the form's fields, the correctable values)
    name_columns: tuple[str, ...]  # what tells one row from another in a list
    min_rows: int = 0
    correctable: bool = True  # a reviewer may correct its typed values (修改填报信息)
    first_is_assessed: bool = False  # its first row is the 参评 one (参评学历, 参评学位)
    level_of_none: str = ""  # the level a row has when there is none to show (学位 无): no image
    ongoing: str = ""  # what a row without 结束时间 is (仍在职): 至今, as span_text prints it

    @property
    def end_help(self) -> str:
        """Said at the form's 结束时间: a row still running leaves it empty."""
        return f"至今（{self.ongoing}）请留空" if self.ongoing else ""

    def is_assessed(self, index: int | None) -> bool:
        """Whether the row at `index`, in the form's order, is the 参评 one."""
        return self.first_is_assessed and index == 0

    def needs_images(self, row) -> bool:
        """A row of a 📷 table needs its images, unless it records that there is nothing to show."""
        return self.slot is not None and not (self.level_of_none and row.level == self.level_of_none)

    @property
    def filter(self) -> dict:
        return {"kind": self.kind} if self.kind else {}

    def describe(self, row, index: int | None = None) -> str:
        """A row as lists name it: "学历：本科 福建医科大学"; given its place in the form's order, the
        参评 one as "参评学历：本科 福建医科大学"."""
        names = " ".join(str(getattr(row, c)) for c in self.name_columns if getattr(row, c))
        return f"{ASSESSED if self.is_assessed(index) else ''}{self.label}：{names}"

    def texts(self, row) -> list[str]:
        """A row's columns as the confirmation form prints them (candidate manual 七): a date as its
        month, start and end as one span."""
        return [span_text(row.start, row.end) if column == "start" else typed_text(column, getattr(row, column))
                for column in self.columns if column != "end"]

    def rows(self, application):
        return self.model.objects.filter(application=application, **self.filter).order_by("order", "pk")


EDUCATION_COLUMNS = ("level", "obtained", "school", "study_form", "major")
TRAINING_COLUMNS = ("certificate_no", "specialty", "start", "end", "base", "issued")
ROW_TABLES = [
    RowTable("work", "work", "", "工作经历", WorkRow, None, None, "work",
             ("unit_name", "title", "start", "end", "major"), ("unit_name",), min_rows=1, ongoing="仍在职"),
    RowTable("education", "education", "学历", "学历", EducationRow, EducationRow.Kind.EDUCATION,
             ImageSlot.EDUCATION, "edu", EDUCATION_COLUMNS, ("level", "school"), min_rows=1,
             first_is_assessed=True),
    RowTable("degree", "education", "学位", "学位", EducationRow, EducationRow.Kind.DEGREE, ImageSlot.DEGREE, "deg",
             EDUCATION_COLUMNS, ("level", "school"), first_is_assessed=True, level_of_none="无"),
    RowTable("appointment", "appointment", "", "聘任", AppointmentRow, None, ImageSlot.APPOINTMENT, "appt",
             ("unit_name", "post", "qualification", "start", "end"), ("unit_name",), ongoing="仍在聘"),
    RowTable("residency", "residency", "", "住院医师规培", TrainingRow, TrainingRow.Kind.RESIDENCY,
             ImageSlot.RESIDENCY, "res", TRAINING_COLUMNS, ("certificate_no",), ongoing="仍在培训"),
    RowTable("gp", "gp", "", "全科规培", TrainingRow, TrainingRow.Kind.GENERAL_PRACTICE,
             ImageSlot.GENERAL_PRACTICE, "gp", TRAINING_COLUMNS, ("certificate_no",), ongoing="仍在培训"),
    RowTable("other", "other", "", "其他", OtherRow, None, ImageSlot.OTHER, "other", ("kind", "note"), ("kind",),
             correctable=False),
]
BY_KEY = {table.key: table for table in ROW_TABLES}
ROW_MODELS = tuple(dict.fromkeys(table.model for table in ROW_TABLES))  # five: two models hold two tables each
BY_SLOT = {table.slot: table for table in ROW_TABLES if table.slot}
# The form's row sections with their titles, in the order of the form.
ROW_SECTION_TITLES = {"work": "工作情况", "education": "教育情况", "appointment": "现有资格聘任情况",
                      "residency": "住院医师规范化培训", "gp": "全科医生规范化培训", "other": "其他"}


def tables_of(section: str) -> list[RowTable]:
    return [table for table in ROW_TABLES if table.section == section]


def rows_by_table(application, tables=ROW_TABLES) -> dict[str, list]:
    """These tables' rows in the form's order, by table key: one query per row model (EducationRow
    and TrainingRow hold two tables each)."""
    models = dict.fromkeys(table.model for table in tables)
    by_model = {model: list(model.objects.filter(application=application)) for model in models}
    return {table.key: [row for row in by_model[table.model] if table.kind is None or row.kind == table.kind]
            for table in tables}
