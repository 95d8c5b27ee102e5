"""A 国网 roster as the 考务管理系统 exports it, and the applications of 安溪 it is checked against."""

import csv
import datetime
import io

from prereg.applications.models import Stage, State
from prereg.catalog.models import Specialty
from prereg.demo.people import make_id_number
from prereg.reconcile import services
from tests.factories import CandidateFactory, make_application

HEADER_2020 = ["序号", "姓名", "证件号码", "报考级别", "报考专业", "报名序号", "考点", "现场确认", "手机号"]
HEADER_2021 = ["考生姓名", "* 身份证号", "级别", "专业代码", "报名号", "考点名称", "审核状态", "手机号码"]


def specialty(year, code):
    return Specialty.objects.select_related("qualification__level").get(exam_year=year, code=code)


def anxi_application(tree, year, name, code="203", state=State.IN_REVIEW, stage=Stage.POINT_CONFIRM, unit="35052401",
                     **fields):
    s = specialty(year, code)
    return make_application(tree, year, unit, state, stage, name=name, level=s.qualification.level,
                            qualification=s.qualification, specialty=s, **fields)


def person(n, region="350524"):
    return make_id_number(region, datetime.date(1990, 1, 1) + datetime.timedelta(days=n), 500 + n)


def csv_bytes(header, rows, encoding="utf-8-sig"):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def as_2021(rows):
    """Rows of HEADER_2020 as HEADER_2021 holds them: no 序号, the specialty's code alone, its status words."""
    return [[r[1], r[2], r[3], r[4][:3], r[5], r[6], "审核通过" if r[7] == "已确认" else "待审核", r[8]] for r in rows]


def proposed_columns(upload):
    """The mapping page's choices as proposed: field -> index of its column."""
    return {key: str(upload.header.index(text)) for key, text in upload.mapping.items()}


def upload_and_import(actor, content, name="roster.csv"):
    """Upload a roster and import it with the columns proposed."""
    upload = services.roster_upload(actor=actor, file_name=name, content=content)
    return services.roster_import(actor=actor, upload_id=upload.pk, chosen=proposed_columns(upload))


def line_2020(application=None, *, name=None, id_number=None, level=None, specialty_cell=None, serial="2020001",
              site="泉州市卫计委", status="已确认", phone=""):
    """A row of HEADER_2020 for an application here (its values unless told otherwise)."""
    a = application
    return ["1", name if name is not None else a.name, id_number if id_number is not None else a.id_number,
            level if level is not None else (a.level.name if a else "初级(师)"),
            specialty_cell if specialty_cell is not None else (f"{a.specialty.code}{a.specialty.name}" if a else
                                                               "203护理学(师)"),
            serial, site, status, phone]


def every_kind(tree, year):
    """Applications of 安溪 and a roster holding each kind of difference, with one row of 福州 (outside
    泉州) and one 福州 application (outside too): {name: application}, roster rows."""
    apps = {
        "same": anxi_application(tree, year, "李同"),
        "level": anxi_application(tree, year, "王级"),
        "specialty": anxi_application(tree, year, "陈专"),
        "name": anxi_application(tree, year, "林名"),
        "unconfirmed": anxi_application(tree, year, "黄待"),
        "provincial": anxi_application(tree, year, "周省"),
        "draft": anxi_application(tree, year, "吴草", state=State.DRAFT),
        "fuzhou": anxi_application(tree, year, "郑福", unit="35010201"),
    }
    account = CandidateFactory(name="何号", id_number=person(7), username=person(7), phone="13900000007")
    rows = [
        line_2020(apps["same"]),
        line_2020(apps["level"], level="中级"),
        line_2020(apps["specialty"], specialty_cell="204护理学"),
        line_2020(apps["name"], name="林明"),
        line_2020(apps["unconfirmed"], status="未确认"),
        line_2020(apps["draft"], status="未确认", phone="13900000002"),
        line_2020(None, name="何号", id_number=account.id_number, phone="13900000003"),
        line_2020(None, name="施国", id_number=person(9).lower(), phone="13900000009"),
        line_2020(apps["fuzhou"], site="福州市卫计委"),
        line_2020(None, name="赵外", id_number=person(11), site="福州市卫计委", phone="13900000011"),
    ]
    return apps, rows
