"""The candidate's form page, the last day's most requested page: the goal is ≤ 60 ms of CPU (median).

    .venv/bin/python -m bench.form_page

GET /candidate/form/ through the whole Django stack (middleware, session, auth, every section's
forms, the row tables with their "add a row" templates, the image slots) with Django's test
client, for a complete draft with 14 images: every section filled, one row more in each table,
each with its certificate image. SQLite runs in this process, so the process's CPU time is the
page's whole cost and, unlike wall time, is not inflated by other processes sharing the cores.
`form_page_ms` is the median CPU time per page; the wall time is printed beside it.
"""

from __future__ import annotations

import datetime
import statistics

from bench._candidate_setup import setup
from bench.common import client_settings, emit, percentile, timed_get

REPEAT = 60
GOAL_MS = 60


def complete_draft_with_14_images(candidate, year, tree):
    """The tests' complete application (8 images) and one more row in each table, 6 of them with an image."""
    from prereg.applications import images
    from prereg.applications.models import AppointmentRow, EducationRow, OtherRow, TrainingRow, WorkRow
    from tests.factories import complete_application, jpeg_upload

    application = complete_application(candidate, year, tree)
    d = datetime.date
    WorkRow.objects.create(application=application, unit_name="福建省立医院", title="医师", start=d(2010, 1, 1),
                           major="临床医学", order=1)
    rows = {
        "education": EducationRow.objects.create(application=application, kind="education", level="硕士研究生",
                                                 obtained=d(2015, 7, 1), school="福建医科大学", study_form="全日制",
                                                 major="临床医学", order=1),
        "degree": EducationRow.objects.create(application=application, kind="degree", level="硕士",
                                              obtained=d(2015, 7, 1), school="福建医科大学", study_form="全日制",
                                              major="临床医学", order=1),
        "appointment": AppointmentRow.objects.create(application=application, unit_name="福建省立医院", post="医师",
                                                     qualification="医师", start=d(2014, 1, 1), order=1),
        "residency": TrainingRow.objects.create(application=application, kind="residency", certificate_no="R1",
                                                specialty="内科", start=d(2012, 9, 1), end=d(2015, 8, 1),
                                                base="福建省立医院", issued=d(2015, 9, 1), order=1),
        "gp": TrainingRow.objects.create(application=application, kind="gp", certificate_no="G1", specialty="全科",
                                         start=d(2012, 9, 1), end=d(2015, 8, 1), base="福建省立医院",
                                         issued=d(2015, 9, 1), order=1),
        "other": OtherRow.objects.create(application=application, kind="其他", note="进修证明", order=1),
    }
    for slot, row in rows.items():
        images.images_add(actor=candidate, application=application, slot=slot, row_id=row.pk,
                          uploads=[jpeg_upload()])
    return application


def main():
    tree, year, candidate = setup()
    from django.test import Client

    from prereg.applications.models import ApplicationImage

    # Not setup_test_environment(): its per-template signal (the test client's record of the
    # templates and contexts) is a cost production does not pay.
    client_settings()

    application = complete_draft_with_14_images(candidate, year, tree)
    image_count = ApplicationImage.objects.filter(application=application).count()
    client = Client()
    client.force_login(candidate)

    def one_page():
        wall, cpu, response = timed_get(client, "/candidate/form/")
        return cpu, wall, len(response.content)

    for _ in range(5):  # warm: templates compiled and cached, session refreshed, first-use caches
        one_page()
    samples = [one_page() for _ in range(REPEAT)]
    cpu = [c for c, _, _ in samples]
    wall = [w for _, w, _ in samples]
    size = samples[-1][2]
    median = statistics.median(cpu)
    print(f"form page ({image_count} images, {size:,} bytes): CPU median {median:.1f} ms, "
          f"p95 {percentile(cpu, 95):.1f} ms, min {min(cpu):.1f} ms; wall median {statistics.median(wall):.1f} ms "
          f"(goal ≤ {GOAL_MS} ms CPU)")
    emit(form_page_ms=round(median, 1), form_page_p95_ms=round(percentile(cpu, 95), 1),
         form_page_min_ms=round(min(cpu), 1), form_page_wall_ms=round(statistics.median(wall), 1),
         form_page_images=image_count, form_page_bytes=size)


if __name__ == "__main__":
    main()
