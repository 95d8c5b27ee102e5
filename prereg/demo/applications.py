"""Demo exam year and applications in different states."""

import datetime

from django.db.models import F
from django.utils import timezone

from prereg.applications import eligibility, services
from prereg.applications.models import Application, EducationRow, WorkRow
from prereg.catalog.loaders import load_year_catalogue
from prereg.catalog.models import Ethnicity, ExamProject, ExamYear, Specialty


def seed_year() -> ExamYear:
    """A current exam year whose candidate window contains today (so the demo can submit)."""
    year = ExamYear.current()
    if year is None:
        today = timezone.localdate()
        year = make_year(today.year + 1 if today.month >= 7 else today.year, today - datetime.timedelta(days=9),
                         current=True)
    load_year_catalogue(year)
    return year


def make_year(number: int, form_opens: datetime.date, *, current: bool) -> ExamYear:
    """A demo exam year of the 初中级 project: four weeks of 省网填报 from `form_opens`, the 国网's
    from its ninth day, confirmation until three days after."""
    year = ExamYear.objects.create(
        year=number, name=f"{number}年度", form_opens=form_opens, form_closes=form_opens + datetime.timedelta(28),
        national_opens=form_opens + datetime.timedelta(8), national_closes=form_opens + datetime.timedelta(28),
        confirm_deadline=form_opens + datetime.timedelta(31), cutoff_date=datetime.date(number - 1, 12, 31),
        is_current=current)
    ExamProject.objects.create(exam_year=year, code="CZJ", name="初中级卫生专业技术资格考试")
    return year


# candidate index -> (unit code, specialty name, submit?)
PLAN = [
    ("35010201", "护理学(师)", False),
    ("35052401", "呼吸内科学", True),
    ("35010001", "消化内科学", True),
    ("35012205", "护理学", True),
    ("35000001", "心血管内科学", True),
    ("35052401", "内科护理", True),
    ("35080001", "中医内科学", True),
    ("35000004", "药学", True),
]


def seed_applications(year, candidates, orgs) -> list[Application]:
    applications = []
    for candidate, (unit_code, specialty_name, submit) in zip(candidates, PLAN, strict=True):
        application = Application.objects.filter(candidate=candidate, exam_year=year).first()
        if application is None:
            application = new_application(candidate, year, orgs[unit_code], specialty_name, submit=submit,
                                          postcode="350000", address="福建省福州市鼓楼区")
        applications.append(application)
    return applications


def new_application(candidate, year, unit, specialty_name, *, submit, postcode, address) -> Application:
    """A filled form of the candidate (gender and birth date as his resident ID number says) with a
    row of education and one of work, judged by the 资格初审 assistant as a candidate's save would
    keep it, and submitted if `submit`."""
    # A name the 高级 project's catalogue holds too (内科护理) is the first project's (初中级) entry, and
    # the application is of the project its level is offered under, as the form's cascade allows.
    project = year.projects.first()
    specialty = Specialty.objects.filter(exam_year=year, name=specialty_name).select_related(
        "qualification__level", "category").order_by(
        F("qualification__level__project").asc(nulls_first=True), "pk").first()
    category, id_number = specialty.category, candidate.id_number
    # The title held and the major studied fit the series applied for, as the 资格初审 asks (a 护师
    # candidate holds 护士; a 主管药师 one 药师, studied 药学).
    series = category.name
    held = {"护理": "护士" if specialty.qualification.name == "护师" else "护师", "药学": "药师"}.get(series, "医师")
    major, field = {"护理": ("护理学", "护理"), "药学": ("药学", "药学")}.get(series, ("临床医学", "临床医学"))
    application = Application.objects.create(
        candidate=candidate, exam_year=year, project=specialty.qualification.level.project or project, unit=unit,
        name=candidate.name,
        gender="M" if int(id_number[16]) % 2 else "F", id_type="resident", id_number=id_number,
        birth_date=datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14])),
        ethnicity=Ethnicity.objects.get(code="01"), postcode=postcode, phone=candidate.phone, address=address,
        chsi_code="090888693519", level=specialty.qualification.level, qualification=specialty.qualification,
        category=category, scope=category.scopes.first() if category.has_scopes else None, specialty=specialty,
        practice_change="无", current_qualification=held,
        current_qualification_date=datetime.date(2016, 10, 1), practice_registered=datetime.date(2017, 3, 1),
    )
    EducationRow.objects.create(application=application, kind="education", level="本科",
                                obtained=datetime.date(2012, 7, 1), school="福建医科大学",
                                study_form="全日制", major=major, order=0)
    WorkRow.objects.create(application=application, unit_name=unit.name, title=held,
                           start=datetime.date(2012, 8, 1), major=field, order=0)
    eligibility.refresh(application)
    if submit:
        application = services.application_submit(actor=candidate, application_id=application.pk)
    return application
