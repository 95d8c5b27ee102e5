"""A complete application (every section and image) for the candidate tests."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from prereg.applications import images
from prereg.applications.carryover import start_application
from prereg.applications.models import AppointmentRow, EducationRow, WorkRow
from prereg.catalog.models import Ethnicity, Specialty


def jpeg_upload(name="cert.jpg", size=(64, 48), color=(200, 30, 30), fmt="JPEG"):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def complete_application(candidate, year, tree, unit_code="35052401"):
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
    WorkRow.objects.create(application=application, unit_name="安溪县医院", title="医师",
                           start=datetime.date(2012, 8, 1), major="临床医学")
    edu = EducationRow.objects.create(application=application, kind="education", level="本科",
                                      obtained=datetime.date(2012, 7, 1), school="福建医科大学", study_form="全日制",
                                      major="临床医学")
    appt = AppointmentRow.objects.create(application=application, unit_name="安溪县医院", post="医师",
                                         qualification="医师", start=datetime.date(2016, 12, 1))
    for slot, row in [("photo", None), ("id_front", None), ("id_back", None), ("education", edu.pk),
                      ("category", None), ("scope", None), ("current_qualification", None),
                      ("appointment", appt.pk)]:
        images.images_add(actor=candidate, application=application, slot=slot, row_id=row,
                          uploads=[jpeg_upload()])
    return application
