"""The typed values each slot's certificate is compared with (from the application and its row)."""

from __future__ import annotations

from prereg.applications.models import ImageSlot
from prereg.applications.values import month_text

from .compare import Expect


def expectations(slot: str, application, row=None) -> list[Expect]:
    """What to look for on a photo in `slot`; `row` is the image's row for per-row slots."""
    out: list[Expect | None] = []
    if slot == ImageSlot.ID_FRONT:
        ethnicity = str(application.ethnicity) if application.ethnicity_id else ""
        out = [
            Expect("gender", "性别", application.get_gender_display(), "choice", ("gender",))
            if application.gender else None,
            Expect("ethnicity", "民族", ethnicity, "choice", ("ethnicity",)) if ethnicity else None,
            Expect("birth", "出生", f"{application.birth_date:%Y-%m-%d}", "date", ("birth",),
                   application.birth_date) if application.birth_date else None,
            Expect("id_number", "公民身份号码", application.id_number, "id", ("id_number",))
            if application.id_number and application.has_resident_id else None,
        ]
    elif slot in (ImageSlot.EDUCATION, ImageSlot.DEGREE) and row is not None:
        out = [
            Expect("school", "学校", row.school, "text", ("school",)) if row.school else None,
            Expect("major", "专业", row.major, "text", ("major",)) if row.major else None,
            # A diploma shows the end of the studies and the day it was given; a degree, the day only.
            Expect("date", "取得时间", month_text(row.obtained), "month", ("issued", "end") if slot == ImageSlot.EDUCATION else ("issued",),
                   row.obtained) if row.obtained else None,
        ]
    elif slot in (ImageSlot.CATEGORY, ImageSlot.SCOPE):
        out = [
            Expect("id_number", "身份证号", application.id_number, "id", ("id_number",))
            if application.id_number and application.has_resident_id else None,
            Expect("category", "执业类别", str(application.category), "choice", ("category",))
            if application.category_id else None,
        ]
        if slot == ImageSlot.SCOPE and application.scope_id:
            out.append(Expect("scope", "执业范围", str(application.scope), "choice", ("scope",)))
    elif slot == ImageSlot.CURRENT_QUALIFICATION:
        out = [
            Expect("qualification", "资格名称", application.current_qualification, "choice",
                   ("qualification", "level")) if application.current_qualification else None,
            Expect("date", "取得时间", month_text(application.current_qualification_date), "month", ("issued",),
                   application.current_qualification_date)
            if application.current_qualification_date else None,
        ]
    elif slot == ImageSlot.APPOINTMENT and row is not None:
        out = [
            Expect("unit", "聘任单位", row.unit_name, "text", ("unit",)) if row.unit_name else None,
            Expect("date", "聘期开始", month_text(row.start), "month", ("start",), row.start) if row.start else None,
            Expect("date", "聘期结束", month_text(row.end), "month", ("end",), row.end) if row.end else None,
        ]
    elif slot in (ImageSlot.RESIDENCY, ImageSlot.GENERAL_PRACTICE) and row is not None:
        out = [
            Expect("number", "证书编号", row.certificate_no, "code", ("number",)) if row.certificate_no else None,
            Expect("major", "培训专业", row.specialty, "text", ("specialty",)) if row.specialty else None,
        ]
    if not out:
        return []
    # Every certificate names its holder, first.
    name = Expect("name", "姓名", application.name, "name", ("name",)) if application.name else None
    return [e for e in [name, *out] if e is not None]


# Fields a kind shows although nothing typed matches them (the reviewer reads them as information).
INFO_FIELDS = {
    "id_back": (("authority", "签发机关"), ("validity", "有效期限")),
    "diploma": (("number", "证书编号"),),
    "degree": (("number", "证书编号"), ("level", "学位")),
    "physician_qualification": (("number", "编码"), ("level", "级别"), ("issued", "批准日期")),
    "physician_practice": (("number", "编码"), ("level", "医师级别"), ("issued", "发证日期")),
    "nurse_practice": (("number", "证书编号"), ("issued", "发证日期")),
    "title": (("specialty", "专业"), ("level", "级别"), ("number", "证书编号")),
}
