"""Factories for every model the tests build (factory_boy), and the builders of applications in\na given state, in one place."""

import datetime
import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from prereg.accounts.models import Role, User
from prereg.applications import images, review, services
from prereg.applications.carryover import start_application
from prereg.applications.models import (
    STAGE_ORG_FIELD,
    Application,
    ApplicationImage,
    AppointmentRow,
    EducationRow,
    FieldCheck,
    OtherRow,
    Stage,
    State,
    TrainingRow,
    WorkRow,
)
from prereg.catalog.loaders import load_year_catalogue
from prereg.catalog.models import (
    Ethnicity,
    ExamProject,
    ExamYear,
    PasswordSheet,
    PracticeCategory,
    Qualification,
    Specialty,
)
from prereg.demo.people import make_id_number
from prereg.exports.models import ExportJob, ExportKind, ExportStatus
from prereg.notify.models import Notice
from prereg.orgs.models import CrossReviewAssignment, Org, UnitRequest
from prereg.orgs.routing import resolve_chain

TEST_PASSWORD = "Ceshi#2026pw"  # noqa: S105



def in_words(n: int) -> str:
    """A number in Chinese digits (2183 -> 二一八三): factory names pass the 姓名 rule, which takes no digits."""
    return "".join("零一二三四五六七八九"[int(d)] for d in str(n))

class OrgFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Org

    code = factory.Sequence(lambda n: f"9{n:07d}")
    name = factory.Sequence(lambda n: f"测试单位{n}")
    is_unit = True


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"用户{in_words(n)}")  # a name as 姓名 takes it: no digits
    role = Role.CANDIDATE
    profile_completed = True
    phone = factory.Sequence(lambda n: f"170{n:08d}")  # a prefix no test types: a number a test gives is never taken

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or TEST_PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class CandidateFactory(UserFactory):
    role = Role.CANDIDATE
    id_type = "resident"
    id_number = factory.Sequence(lambda n: make_id_number("350102", datetime.date(1990, 1, 1), n % 1000))
    username = factory.SelfAttribute("id_number")


class ExamYearFactory(factory.django.DjangoModelFactory):
    """A year whose candidate window contains today."""

    class Meta:
        model = ExamYear
        django_get_or_create = ("year",)

    year = factory.LazyFunction(lambda: timezone.localdate().year + 1)
    name = factory.LazyAttribute(lambda o: f"{o.year}年度")
    form_opens = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=5))
    form_closes = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=10))
    national_opens = factory.LazyFunction(lambda: timezone.localdate())
    national_closes = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=10))
    confirm_deadline = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=12))
    cutoff_date = factory.LazyAttribute(lambda o: datetime.date(o.year - 1, 12, 31))
    is_current = True


class ApplicationFactory(factory.django.DjangoModelFactory):
    """An application of `candidate` (a new one by default) at `unit`, built directly: pass
    `state`, `stage`, the chain's fields and so on for exact mixes; the workflow builders below
    (`submitted`, `complete_application`) go through the services instead."""

    class Meta:
        model = Application

    candidate = factory.SubFactory(CandidateFactory)
    exam_year = factory.SubFactory(ExamYearFactory)
    name = factory.LazyAttribute(lambda o: f"考生{in_words(o.candidate.pk)}")
    id_type = "resident"
    id_number = factory.SelfAttribute("candidate.id_number")
    phone = factory.SelfAttribute("candidate.phone")


class ApplicationImageFactory(factory.django.DjangoModelFactory):
    """A stored image of `application` (the bytes given as file__data), uploaded by its candidate."""

    class Meta:
        model = ApplicationImage

    application = factory.SubFactory(ApplicationFactory)
    slot = "id_front"
    file = factory.django.FileField(filename="image.png", data=b"\x89PNG\r\n\x1a\n")
    sha256 = "0" * 64
    size = factory.LazyAttribute(lambda o: o.file.size)
    width = height = 1
    content_type = "image/png"
    uploaded_by = factory.SelfAttribute("application.candidate")


class EducationRowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EducationRow

    kind = "education"
    level = "本科"
    obtained = datetime.date(2012, 7, 1)
    school = "福建医科大学"
    study_form = "全日制"
    major = "护理学"
    order = 0


class WorkRowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkRow

    unit_name = "安溪县医院"
    title = "护师"
    start = datetime.date(2012, 8, 1)
    major = "护理"
    order = 0


class AppointmentRowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppointmentRow

    unit_name = "安溪县医院"
    post = "医师"
    qualification = "医师"
    start = datetime.date(2016, 12, 1)
    order = 0


class TrainingRowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingRow

    kind = TrainingRow.Kind.RESIDENCY
    certificate_no = factory.Sequence(lambda n: f"Z{n}")
    specialty = "内科"
    start = datetime.date(2012, 9, 1)
    end = datetime.date(2015, 8, 31)
    base = "福建省立医院"
    issued = datetime.date(2015, 9, 1)
    order = 0


class OtherRowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OtherRow

    kind = "其他"
    note = ""
    order = 0


class NoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notice

    user = factory.SubFactory(UserFactory)
    title = "退回通知"
    body = factory.Sequence(lambda n: f"通知{n}")


class CrossReviewAssignmentFactory(factory.django.DjangoModelFactory):
    """`source`'s applications at `stage` checked by `target` (pass both orgs and the year)."""

    class Meta:
        model = CrossReviewAssignment

    exam_year = factory.SubFactory(ExamYearFactory)
    stage = Stage.SITE_REVIEW
    assigned_by = factory.SubFactory(UserFactory, role=Role.SITE)


class PasswordSheetFactory(factory.django.DjangoModelFactory):
    """A year's one-time password sheet held by `holder` (pass the sealed `ciphertext`)."""

    class Meta:
        model = PasswordSheet

    exam_year = factory.SubFactory(ExamYearFactory)
    count = 1


class UnitRequestFactory(factory.django.DjangoModelFactory):
    """A candidate's "my unit is missing" request."""

    class Meta:
        model = UnitRequest

    full_name = factory.Sequence(lambda n: f"测试诊所{n}")
    region_code = "350524"
    phone = "13800000000"
    requested_by = factory.SubFactory(CandidateFactory)


class ExportJobFactory(factory.django.DjangoModelFactory):
    """A finished CSV export of `owner`, its file (file__data) kept for an hour; `queued=True` or
    `running=True` for one not finished yet (no file, no rows, no expiry)."""

    class Meta:
        model = ExportJob

    class Params:
        queued = factory.Trait(status=ExportStatus.QUEUED, progress=0, row_count=None, expires_at=None,
                               file_name="", file="")
        running = factory.Trait(status=ExportStatus.RUNNING, progress=0, row_count=None, expires_at=None,
                                file_name="", file="")

    owner = factory.SubFactory(UserFactory)
    kind = ExportKind.APPLICATIONS
    format = "csv"
    status = ExportStatus.DONE
    progress = 100
    row_count = 1
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(hours=1))
    file_name = factory.LazyAttribute(lambda o: f"export-{o.owner.pk}.csv")
    file = factory.django.FileField(filename="job.csv", data=b"")


# --- years (catalog) ------------------------------------------------------------------------


def make_year(year: int, *, current=False, catalogue=True, opens=None) -> ExamYear:
    """A year with its windows around `opens` (16 Dec of the year before), one project and,
    unless told otherwise, the year's catalogue."""
    opens = opens or datetime.date(year - 1, 12, 16)
    obj = ExamYearFactory(
        year=year, form_opens=opens, form_closes=opens + datetime.timedelta(days=28),
        national_opens=opens + datetime.timedelta(days=8), national_closes=opens + datetime.timedelta(days=28),
        confirm_deadline=opens + datetime.timedelta(days=31), is_current=current)
    ExamProject.objects.create(exam_year=obj, code="CZJ", name="初中级卫生专业技术资格考试")
    if catalogue:
        load_year_catalogue(obj)
    return obj


def windows(year: int) -> dict:
    """The windows of make_year(year) as form fields."""
    return {
        "form_opens": datetime.date(year - 1, 12, 16), "form_closes": datetime.date(year, 1, 13),
        "national_opens": datetime.date(year - 1, 12, 24), "national_closes": datetime.date(year, 1, 13),
        "confirm_deadline": datetime.date(year, 1, 16), "cutoff_date": datetime.date(year - 1, 12, 31),
    }


# --- applications in any state and stage (exports, statistics, queues) ------------------------


def make_application(tree, year, unit_code, state=State.IN_REVIEW, stage=Stage.UNIT_REVIEW, *,
                     days_ago=0, name=None, rounds=None, children=False, **fields):
    """An application in `state` at `stage` with its chain resolved, built directly (not through
    the workflow services): export and statistics tests need exact mixes of states, stages and ages."""
    unit = tree[unit_code]
    submitted_ = state != State.DRAFT or bool(rounds)
    when = timezone.now() - datetime.timedelta(days=days_ago)
    chain = resolve_chain(unit, exam_year=year) if submitted_ else {}
    columns = {STAGE_ORG_FIELD[at]: org for at, org in chain.items()}
    if name:
        fields["name"] = name
    application = ApplicationFactory(
        exam_year=year, unit=unit, state=state, stage=stage if state == State.IN_REVIEW else "",
        submission_round=rounds if rounds is not None else (1 if submitted_ else 0),
        submitted_at=when if submitted_ else None, **columns, **fields)
    if submitted_:
        application.number = f"{year.year}{application.pk:08d}"
        application.save(update_fields=["number"])
    if children:
        EducationRowFactory(application=application)
        EducationRowFactory(application=application, level="硕士研究生", obtained=datetime.date(2015, 7, 1),
                            school="厦门大学", order=1)
        WorkRowFactory(application=application, unit_name=unit.name)
    return application


def spread(tree, year):
    """One application at each stage, plus returned and approved ones, across three chains."""
    apps = []
    for unit in ("35052401", "35010201", "35012205", "35000001"):
        for stage in Stage.values:
            apps.append(make_application(tree, year, unit, State.IN_REVIEW, stage))
        apps.append(make_application(tree, year, unit, State.RETURNED))
        apps.append(make_application(tree, year, unit, State.APPROVED))
    apps.append(make_application(tree, year, "35052401", State.DRAFT))  # never submitted: nobody's
    return apps


# --- through the workflow (review, candidate) --------------------------------------------------


def submitted(tree, year, unit_code="35052401", candidate=None, **fields) -> Application:
    """An application submitted by its candidate through the service (one education row)."""
    candidate = candidate or CandidateFactory()
    application = ApplicationFactory(
        candidate=candidate, exam_year=year, unit=tree[unit_code], name=fields.pop("name", "李娜"), id_type="",
        current_qualification="护师", current_qualification_date=datetime.date(2016, 10, 1), **fields)
    EducationRowFactory(application=application)
    return services.application_submit(actor=candidate, application_id=application.pk)


def tick_all(application, reviewer, consistent=True):
    """Tick every field of the application's current stage; returns the number of ticks. An item
    whose images the application lacks (made without the upload) gets them first: 是 needs a picture."""
    application.refresh_from_db()
    for f in review.check_fields(application):
        if consistent and not f.images:
            for slot, row_id in f.slots:
                ApplicationImageFactory(application=application, slot=slot, row_id=row_id)
    for f in review.check_fields(application, with_images=False):
        services.field_check_set(actor=reviewer, application_id=application.pk, field=f.key,
                                 consistent=consistent)
    return FieldCheck.objects.filter(application=application, stage=application.stage).count()


def approve(application, reviewer, **kwargs):
    tick_all(application, reviewer)
    application.refresh_from_db()
    return services.application_approve(actor=reviewer, application_id=application.pk,
                                        expected_version=application.version, **kwargs)


def jpeg_upload(name="cert.jpg", size=(320, 240), color=(200, 30, 30), fmt="JPEG"):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def complete_application(candidate, year, tree, unit_code="35052401"):
    """A complete draft (every section and image) filled through start_application and images_add."""
    application = start_application(candidate=candidate, exam_year=year)
    specialty = Specialty.objects.filter(exam_year=year, name="呼吸内科学").select_related(
        "qualification__level", "category").first()
    application.unit = tree[unit_code]
    application.ethnicity = Ethnicity.objects.get(code="01")
    application.postcode, application.address = "350000", "福建省福州市鼓楼区"
    application.chsi_code = "090888693519"
    application.level, application.qualification = specialty.qualification.level, specialty.qualification
    application.category, application.specialty = specialty.category, specialty
    application.scope = specialty.category.scopes.first()
    application.practice_change = "无"
    application.current_qualification, application.current_qualification_date = "医师", datetime.date(2016, 10, 1)
    application.derive_from_id_number()
    application.save()
    WorkRowFactory(application=application, title="医师", major="临床医学")
    edu = EducationRowFactory(application=application, major="临床医学")
    appt = AppointmentRowFactory(application=application)
    for slot, row in [("photo", None), ("id_front", None), ("id_back", None), ("education", edu.pk),
                      ("category", None), ("scope", None), ("current_qualification", None),
                      ("appointment", appt.pk)]:
        images.images_add(actor=candidate, application=application, slot=slot, row_id=row,
                          uploads=[jpeg_upload(size=(240, 320)) if slot == "photo" else jpeg_upload()])
    return application


def declared(year, tree, candidate, *, qualification, category, **fields) -> Application:
    """A draft declaring `qualification` (by name) in `category`, its scope the category's first: what the
    images asked for follow from (the 证件类型 in `fields`)."""
    qualification = Qualification.objects.filter(exam_year=year, name=qualification).first()
    category = PracticeCategory.objects.get(exam_year=year, name=category)
    return ApplicationFactory(candidate=candidate, exam_year=year, unit=tree["35052401"], level=qualification.level,
                              qualification=qualification, category=category,
                              scope=category.scopes.first(), practice_change="无", current_qualification="无",
                              practice_registered=datetime.date(2017, 3, 1), **fields)


def formset_data(prefix, *items, initial=0) -> dict:
    """The POST data of a formset of `items` (dicts of field values) under `prefix`: the candidate's
    row tables as a section save sends them."""
    data = {f"{prefix}-TOTAL_FORMS": str(len(items)), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "20"}
    for i, item in enumerate(items):
        data.update({f"{prefix}-{i}-{k}": v for k, v in item.items()})
    return data
