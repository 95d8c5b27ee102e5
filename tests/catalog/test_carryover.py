import datetime
import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from prereg.applications.carryover import start_application
from prereg.applications.models import (
    ApplicationImage,
    AppointmentRow,
    EducationRow,
    OtherRow,
    State,
    TrainingRow,
    WorkRow,
)
from prereg.audit.models import AuditEvent
from prereg.catalog.models import Ethnicity, Specialty
from tests.factories import (
    ApplicationFactory,
    AppointmentRowFactory,
    EducationRowFactory,
    OtherRowFactory,
    TrainingRowFactory,
    WorkRowFactory,
    make_year,
)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, "JPEG")
    return out.getvalue()


def add_image(application, slot, row_id=None):
    image = ApplicationImage(application=application, slot=slot, row_id=row_id, sha256="0" * 64, size=10,
                             width=40, height=30, content_type="image/jpeg", original_name=f"{slot}.jpg",
                             uploaded_by=application.candidate)
    image.file.save("x.jpg", ContentFile(jpeg()), save=False)
    image.thumbnail.save("x.jpg", ContentFile(jpeg()), save=False)
    image.save()
    return image


@pytest.fixture
def last_year_application(tree, candidate):
    old_year = make_year(2030)
    specialty = Specialty.objects.get(exam_year=old_year, code="305")
    application = ApplicationFactory(
        candidate=candidate, exam_year=old_year, project=old_year.projects.first(), unit=tree["35052401"],
        name=candidate.name, gender="F", birth_date=datetime.date(1990, 1, 1),
        ethnicity=Ethnicity.objects.get(code="01"), postcode="362400", address="安溪县", chsi_code="A1",
        level=specialty.qualification.level, qualification=specialty.qualification, category=specialty.category,
        specialty=specialty, current_qualification="医师", current_qualification_date=datetime.date(2015, 6, 1),
        practice_registered=datetime.date(2015, 9, 1), state=State.APPROVED)
    edu = EducationRowFactory(application=application, school="福建医科大学", major="临床医学")
    WorkRowFactory(application=application, unit_name="安溪县医院")
    appointment = AppointmentRowFactory(application=application, start=datetime.date(2015, 6, 1))
    TrainingRowFactory(application=application)
    OtherRowFactory(application=application, note="说明")
    add_image(application, "id_front")
    add_image(application, "education", edu.pk)
    add_image(application, "appointment", appointment.pk)
    return application


def test_a_returning_candidate_starts_from_last_years_application(last_year_application, candidate):
    new_year = make_year(2031, current=True)
    application = start_application(candidate=candidate, exam_year=new_year)
    old = last_year_application
    assert application.pk != old.pk and application.state == State.DRAFT
    assert (application.gender, application.birth_date, application.postcode, application.address) == (
        old.gender, old.birth_date, old.postcode, old.address)
    assert application.unit == old.unit
    # 执业注册年月 too (the re-probe: most 2023+ routes count from it, and the draft came without it).
    assert application.practice_registered == old.practice_registered
    assert application.verdict and application.verdict_text  # the 资格初审 of what was carried, before any save
    # Catalogue choices point to the new year's entries of the same name and code.
    assert application.specialty.exam_year == new_year and application.specialty.code == "305"
    assert application.qualification.exam_year == new_year and application.level.exam_year == new_year
    assert application.project.exam_year == new_year
    for model in (EducationRow, WorkRow, AppointmentRow, TrainingRow, OtherRow):
        assert model.objects.filter(application=application).count() == 1, model
    assert EducationRow.objects.get(application=application).school == "福建医科大学"
    # Last year's application is untouched.
    old.refresh_from_db()
    assert old.specialty.exam_year_id == old.exam_year_id and EducationRow.objects.filter(application=old).count() == 1
    event = AuditEvent.objects.get(event="application.start", object_id=str(application.pk))
    assert event.details["carried_from"] == old.pk and event.details["images"] == 3


def test_certificate_images_are_copied_and_follow_their_rows(last_year_application, candidate):
    new_year = make_year(2031, current=True)
    application = start_application(candidate=candidate, exam_year=new_year)
    new_edu = EducationRow.objects.get(application=application)
    new_appointment = AppointmentRow.objects.get(application=application)
    images = {i.slot: i for i in ApplicationImage.objects.filter(application=application)}
    assert set(images) == {"id_front", "education", "appointment"}
    assert images["education"].row_id == new_edu.pk
    assert images["appointment"].row_id == new_appointment.pk
    assert images["id_front"].row_id is None
    old_names = set(ApplicationImage.objects.filter(application=last_year_application).values_list("file", flat=True))
    for image in images.values():
        assert image.file.name not in old_names  # its own copy: deleting one never deletes the other
        with image.file.open("rb") as handle:
            assert handle.read() == jpeg()


def test_a_first_time_candidate_gets_an_empty_draft(tree, candidate):
    year = make_year(2031, current=True)
    application = start_application(candidate=candidate, exam_year=year)
    assert application.name == candidate.name and application.unit is None
    assert not EducationRow.objects.filter(application=application).exists()


def test_a_specialty_missing_from_the_new_catalogue_is_left_for_the_candidate(last_year_application, candidate):
    new_year = make_year(2031, current=True)
    Specialty.objects.filter(exam_year=new_year, code="305").update(enabled=False)
    application = start_application(candidate=candidate, exam_year=new_year)
    assert application.specialty is None and application.qualification is not None


def test_starting_twice_returns_the_same_draft(last_year_application, candidate):
    new_year = make_year(2031, current=True)
    first = start_application(candidate=candidate, exam_year=new_year)
    assert start_application(candidate=candidate, exam_year=new_year) == first
    assert EducationRow.objects.filter(application=first).count() == 1


def test_the_form_says_what_was_carried_and_what_to_choose_again(client, last_year_application, candidate):
    from django.urls import reverse

    new_year = make_year(2031, current=True)
    Specialty.objects.filter(exam_year=new_year, code="305").update(enabled=False)
    start_application(candidate=candidate, exam_year=new_year)
    client.force_login(candidate)
    body = client.get(reverse("candidate:form")).content.decode()
    assert "本表已按您2030年度的报名信息预填，请逐项核对" in body
    assert "本年度目录中没有与去年相同的申报专业，已清空，请重新选择。" in body
