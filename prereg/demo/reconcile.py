"""Demo 国网名单核对: 泉州's 考点 (350500) has uploaded a 国网 roster showing each kind of difference.

A few more candidates of 安溪县医院 submit (one keeps a draft), then the roster goes through the
same services as the page: upload, the columns the synonyms found, import. Its lines: 李娜
consistent, 黄敏 with another 专业代码, 苏明 another 级别, 郭丽 typed 郭莉, 杨帆 not yet confirmed
on the 国网, 蔡红 (a draft here) and 施大勇 (no account here) only on the 国网, 王强 of 福州 outside
泉州 (counted, not shown); 何伟 has submitted here and is missing from it. Idempotent.
"""

import csv
import datetime
import io

from prereg.applications.models import Application, State
from prereg.reconcile import services as reconcile
from prereg.reconcile.models import RosterUpload

from .applications import new_application
from .images import attach_required
from .people import candidate_account, make_id_number

# name, gender, birth, specialty, submit
EXTRA = [
    ("苏明", "M", datetime.date(1989, 4, 2), "内科护理", True),
    ("郭丽", "F", datetime.date(1990, 6, 9), "护理学", True),
    ("杨帆", "M", datetime.date(1991, 2, 17), "呼吸内科学", True),
    ("何伟", "M", datetime.date(1988, 10, 5), "呼吸内科学", True),
    ("蔡红", "F", datetime.date(1994, 8, 21), "护理学", False),
]
HEADER = ["序号", "姓名", "身份证号", "报考级别", "报考专业", "报名序号", "考点", "现场确认", "手机号码"]


def _line(application, **changes):
    values = {"name": application.name, "id": application.id_number, "level": application.level.name,
              "specialty": f"{application.specialty.code}{application.specialty.name}", "site": "泉州市卫健委",
              "status": "已确认", "phone": application.phone, **changes}
    return ["", values["name"], values["id"], values["level"], values["specialty"], "", values["site"],
            values["status"], values["phone"]]


def seed(context):
    tree, year, staff = context["tree"], context["year"], context["staff"]
    site = tree.get("350500")
    reviewer = next((u for u in staff if u.username == "350500"), None)
    if site is None or reviewer is None or RosterUpload.objects.filter(org=site, exam_year=year).exists():
        return
    unit = tree["35052401"]
    extra = {}
    for i, (name, gender, birth, specialty, submit) in enumerate(EXTRA):
        id_number = make_id_number("350524", birth, 300 + i * 2 + (1 if gender == "M" else 0))
        user = candidate_account(name, id_number, f"150050006{i:02d}")
        extra[name] = (Application.objects.filter(candidate=user, exam_year=year).first()
                       or new_application(user, year, unit, specialty, submit=submit, postcode="362400",
                                          address="福建省泉州市安溪县"))
        attach_required(extra[name])
    by_name = {a.name: Application.objects.select_related("level", "specialty").get(pk=a.pk)
               for a in [*context["applications"], *extra.values()]}
    other_level = "中级" if by_name["苏明"].level.name != "中级" else "初级(师)"
    lines = [
        _line(by_name["李娜"]),
        _line(by_name["黄敏"], specialty="368内科护理" if by_name["黄敏"].specialty.code != "368" else "369外科护理"),
        _line(by_name["苏明"], level=other_level),
        _line(by_name["郭丽"], name="郭莉"),
        _line(by_name["杨帆"], status="未确认"),
        _line(by_name["蔡红"], status="未确认"),
        ["", "施大勇", make_id_number("350525", datetime.date(1992, 7, 7), 451), "初级(师)", "203护理学(师)", "",
         "泉州市卫健委", "未确认", "13906000001"],
        _line(by_name["王强"], site="福州市卫健委"),
    ]
    for i, line in enumerate(lines, start=1):
        line[0], line[5] = str(i), f"{year.year}35{i:06d}"
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *lines])
    if by_name["蔡红"].state != State.DRAFT:
        return
    upload = reconcile.roster_upload(actor=reviewer, file_name="国网考生名单-泉州.csv",
                                     content=out.getvalue().encode("utf-8-sig"))
    chosen = {key: str(upload.header.index(text)) for key, text in upload.mapping.items()}
    reconcile.roster_import(actor=reviewer, upload_id=upload.pk, chosen=chosen)
