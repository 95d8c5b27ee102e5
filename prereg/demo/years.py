"""Demo data of the years area: notices and the manuals on the home page, and a returning
candidate whose last year's approved application (with certificate images) is carried over
when he starts this year's form. Idempotent: what exists is left alone."""

import datetime

from django.utils import timezone

from prereg.accounts.models import Role, User
from prereg.applications import eligibility
from prereg.applications.models import (
    Application,
    AppointmentRow,
    EducationRow,
    State,
    WorkRow,
)
from prereg.catalog.loaders import load_year_catalogue
from prereg.catalog.markup import DOCS_DIR
from prereg.catalog.models import (
    Announcement,
    AnnouncementKind,
    Ethnicity,
    ExamLevel,
    ExamProject,
    ExamYear,
    PracticeCategory,
    Qualification,
    Specialty,
)
from prereg.catalog.timeline import day_text
from prereg.demo.applications import make_year
from prereg.demo.images import attach_picture
from prereg.demo.people import candidate_account, make_id_number

RETURNING = ("郑华", "M", datetime.date(1986, 4, 6), "350524", "15005000420")


def seed(context):
    year = context["year"]
    seed_senior_project(year)
    district = next((u for u in context["staff"] if u.role == Role.DISTRICT), None)
    seed_notices(year, district)
    user = seed_returning_candidate(context["password"], context["tree"])
    if user not in context["candidates"]:
        context["candidates"].append(user)


# The 高级 exam's levels in the demo: level -> [(qualification, category, code, specialty)]; the codes
# are the demo's own (待核实), not the national 高级 catalogue's.
SENIOR = {"副高级": [("副主任医师", "临床", "G1001", "呼吸内科"), ("副主任护师", "护理", "G1002", "内科护理")],
          "正高级": [("主任医师", "临床", "G2001", "呼吸内科")]}


def seed_senior_project(year):
    """A second 考试项目 (高级) with its own levels, so the candidate's form asks for the project first
    and each project offers only its levels; the year's shipped levels become the 初中级 project's."""
    if year.projects.filter(code="GJ").exists():
        return
    junior = year.projects.order_by("order", "code").first()
    senior = ExamProject.objects.create(exam_year=year, code="GJ", name="高级卫生专业技术资格考试", order=1)
    ExamLevel.objects.filter(exam_year=year, project=None).update(project=junior)
    categories = {c.name: c for c in PracticeCategory.objects.filter(exam_year=year)}
    for order, (level_name, rows) in enumerate(SENIOR.items(), start=10):
        level = ExamLevel.objects.create(exam_year=year, name=level_name, order=order, project=senior)
        for name, category_name, code, specialty in rows:
            qualification = Qualification.objects.create(exam_year=year, level=level, name=name, order=order,
                                                          series="护理" if category_name == "护理" else "医疗")
            category = categories[category_name]
            category.qualifications.add(qualification)
            Specialty.objects.create(exam_year=year, qualification=qualification, category=category, code=code,
                                     name=specialty, order=order, verified=False)


def _manual_body(filename):
    path = DOCS_DIR / filename
    if not path.exists():
        return None
    lines = path.read_text(encoding="utf-8").splitlines()
    return "\n".join(lines[1:] if lines and lines[0].startswith("# ") else lines).strip()


def seed_notices(year, author):
    now = timezone.now()
    notices = [
        (f"关于开展{year.name}卫生专业技术资格考试预报名工作的通知", AnnouncementKind.NOTICE,
         Announcement.Audience.ALL, True,
         f"## 时间安排\n"
         f"- 省网填报：{day_text(year.form_opens)}至{day_text(year.form_closes)}\n"
         f"- 国网报名：{day_text(year.national_opens)}至{day_text(year.national_closes)}\n"
         f"- 现场确认截止：{day_text(year.confirm_deadline)}\n\n"
         "考生须同时完成省网填报和国网报名，打印《预报名审核确认单》和《报名申报表》，"
         "携带两表及证件原件到报名点现场确认。**逾期不予受理。**"),
        ("考生操作手册", AnnouncementKind.MANUAL, Announcement.Audience.CANDIDATES, False,
         _manual_body("manual-candidate.md")),
        ("审核操作手册", AnnouncementKind.MANUAL, Announcement.Audience.REVIEWERS, False,
         _manual_body("manual-reviewer.md")),
    ]
    for title, kind, audience, pinned, body in notices:
        if body is None or Announcement.objects.filter(title=title).exists():
            continue
        Announcement.objects.create(title=title, kind=kind, audience=audience, pinned=pinned, body=body,
                                    exam_year=year, published_at=now, created_by=author)


def seed_returning_candidate(password, tree) -> User:
    name, gender, birth, region, phone = RETURNING
    id_number = make_id_number(region, birth, 201)
    user = candidate_account(name, id_number, phone, password)
    current = ExamYear.current()
    last_number = current.year - 1
    if Application.objects.filter(candidate=user, exam_year__year=last_number).exists():
        return user
    last = ExamYear.objects.filter(year=last_number).first() or make_year(
        last_number, current.form_opens.replace(year=current.form_opens.year - 1), current=False)
    load_year_catalogue(last)
    specialty = Specialty.objects.select_related("qualification__level", "category").get(
        exam_year=last, code="305")
    # A finished application of last year, as the review left it (historical record).
    application = Application.objects.create(
        candidate=user, exam_year=last, project=last.projects.first(), unit=tree["35052401"], name=name,
        gender=gender, id_type="resident", id_number=id_number, birth_date=birth,
        ethnicity=Ethnicity.objects.get(code="01"), postcode="362400", phone=phone, address="福建省泉州市安溪县凤城镇",
        chsi_code="090888693519", level=specialty.qualification.level, qualification=specialty.qualification,
        category=specialty.category, scope=specialty.category.scopes.first(), specialty=specialty,
        practice_change="无", current_qualification="医师", current_qualification_date=datetime.date(2014, 12, 1),
        practice_registered=datetime.date(2015, 3, 1),
        state=State.APPROVED, submission_round=1, number=f"{last_number}9{user.pk:07d}",
        submitted_at=timezone.now() - datetime.timedelta(days=365),
        approved_at=timezone.now() - datetime.timedelta(days=350))
    education = EducationRow.objects.create(application=application, kind="education", level="本科",
                                            obtained=datetime.date(2009, 7, 1), school="福建医科大学",
                                            study_form="全日制", major="临床医学")
    WorkRow.objects.create(application=application, unit_name="安溪县医院", title="医师",
                           start=datetime.date(2009, 8, 1), major="临床医学")
    appointment = AppointmentRow.objects.create(application=application, unit_name="安溪县医院", post="医师",
                                                qualification="医师", start=datetime.date(2015, 1, 1))
    eligibility.refresh(application)  # the verdict it was decided with
    for slot, row_id, label in [("id_front", None, "ID FRONT (demo)"), ("id_back", None, "ID BACK (demo)"),
                                ("photo", None, "PHOTO (demo)"), ("education", education.pk, "DIPLOMA (demo)"),
                                ("appointment", appointment.pk, "APPOINTMENT (demo)")]:
        attach_picture(application, slot, row_id, label)
    return user
