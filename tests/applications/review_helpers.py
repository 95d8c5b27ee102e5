"""Helpers for the review tests: submitted applications and ticking every field."""

import datetime

from prereg.applications import review, services
from prereg.applications.models import Application, EducationRow, FieldCheck
from tests.factories import CandidateFactory


def submitted(tree, year, unit_code="35052401", candidate=None, **fields) -> Application:
    candidate = candidate or CandidateFactory()
    application = Application.objects.create(
        candidate=candidate, exam_year=year, unit=tree[unit_code], name=fields.pop("name", "李娜"),
        id_number=candidate.id_number, phone=candidate.phone, current_qualification="护师",
        current_qualification_date=datetime.date(2016, 10, 1), **fields)
    EducationRow.objects.create(application=application, kind="education", level="本科",
                                obtained=datetime.date(2012, 7, 1), school="福建医科大学",
                                study_form="全日制", major="护理学", order=0)
    return services.application_submit(actor=candidate, application_id=application.pk)


def tick_all(application, reviewer, consistent=True):
    application.refresh_from_db()
    for f in review.check_fields(application, with_images=False):
        services.field_check_set(actor=reviewer, application_id=application.pk, field=f.key,
                                 consistent=consistent)
    return FieldCheck.objects.filter(application=application, stage=application.stage).count()


def approve(application, reviewer, **kwargs):
    tick_all(application, reviewer)
    application.refresh_from_db()
    return services.application_approve(actor=reviewer, application_id=application.pk,
                                        expected_version=application.version, **kwargs)
