"""The form page's cost does not grow with what the candidate has filled in (issue #9: the last-day rush)."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from prereg.applications import images
from prereg.applications.models import AppointmentRow, EducationRow, OtherRow, TrainingRow, WorkRow
from tests.factories import complete_application, jpeg_upload

# session, user, year, application, the year's projects, 7 row tables (each formset reads its own),
# dictionaries, images, ethnicities,
# the 5 cascade selects, and completeness.missing() (images + 5 row tables, which it reads on its own);
# and the machine readings of the images (prereg.ocr: one query, for the slots' 照片识别提示). Which
# 证件图片 slots the form asks for is completeness.field_images, read without a query; and, for a
# draft never submitted, the candidate's application of an earlier year (what was carried over).
MAX_QUERIES = 28


def add_rows(application, candidate, n):
    """`n` more rows in each table (both kinds of education and training), each with an image."""
    d = datetime.date
    for i in range(n):
        rows = [
            WorkRow.objects.create(application=application, unit_name=f"单位{i}", title="医师", start=d(2013, 1, 1),
                                   major="临床医学", order=10 + i),
            EducationRow.objects.create(application=application, kind="education", level="硕士研究生",
                                        obtained=d(2015, 7, 1), school=f"学校{i}", study_form="全日制",
                                        major="临床医学", order=10 + i),
            EducationRow.objects.create(application=application, kind="degree", level="硕士", obtained=d(2015, 7, 1),
                                        school=f"学校{i}", study_form="全日制", major="临床医学", order=10 + i),
            AppointmentRow.objects.create(application=application, unit_name=f"单位{i}", post="医师",
                                          qualification="医师", start=d(2017, 1, 1), order=10 + i),
            TrainingRow.objects.create(application=application, kind="residency", certificate_no=f"R{i}",
                                       specialty="内科", start=d(2013, 1, 1), end=d(2015, 1, 1), base="省立医院",
                                       issued=d(2015, 6, 1), order=10 + i),
            TrainingRow.objects.create(application=application, kind="gp", certificate_no=f"G{i}",
                                       specialty="全科", start=d(2013, 1, 1), end=d(2015, 1, 1), base="省立医院",
                                       issued=d(2015, 6, 1), order=10 + i),
            OtherRow.objects.create(application=application, kind="其他", note=f"备注{i}", order=10 + i),
        ]
        slots = ["education", "degree", "appointment", "residency", "gp", "other"]
        for slot, row in zip(slots, rows[1:], strict=True):
            images.images_add(actor=candidate, application=application, slot=slot, row_id=row.pk,
                              uploads=[jpeg_upload()])


def form_page_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("candidate:form"))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_form_page_costs_the_same_queries_with_1_and_with_5_rows_per_table(client, year, tree, candidate):
    application = complete_application(candidate, year, tree)
    WorkRow.objects.filter(application=application).delete()
    EducationRow.objects.filter(application=application).delete()
    AppointmentRow.objects.filter(application=application).delete()
    add_rows(application, candidate, 1)
    client.force_login(candidate)
    client.get(reverse("candidate:form"))  # warm: session refresh, first-use caches
    one, body = form_page_queries(client)
    assert body.count('data-row>') + body.count('data-row >') >= 7
    add_rows(application, candidate, 4)
    five, body = form_page_queries(client)
    for name in ["单位3", "学校3", "R3", "G3", "备注3"]:
        assert name in body  # the new rows are on the page
    assert one == five, (one, five)
    assert five <= MAX_QUERIES, five


def test_the_add_a_row_prototypes_are_on_the_page_and_follow_the_dictionary(client, year, tree, candidate):
    from prereg.catalog.models import DictEntry, DictKind

    application = complete_application(candidate, year, tree)
    client.force_login(candidate)
    body = client.get(reverse("candidate:form")).content.decode()
    assert body.count("<template data-row-template>") == 7
    assert 'name="deg-__prefix__-level"' in body and 'name="other-__prefix__-kind"' in body
    DictEntry.objects.create(exam_year=year, kind=DictKind.OTHER_MATERIAL, name="新增材料类型", order=99)
    body = client.get(reverse("candidate:form")).content.decode()
    template = body.split('<template data-row-template>')[-1].split("</template>")[0]
    assert "新增材料类型" in template  # a cached prototype is not served after the dictionary changed
    assert application.pk
