"""Starting a candidate's application for an exam year."""

from django.db import IntegrityError, transaction

from prereg.audit.log import record

from .models import Application


def start_application(*, candidate, exam_year) -> Application:
    """The candidate's draft for the year, created on first use from his account's facts.

    Safe under double clicks: the (candidate, exam_year) constraint admits one application.
    """
    existing = Application.objects.filter(candidate=candidate, exam_year=exam_year).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            application = Application.objects.create(
                candidate=candidate,
                exam_year=exam_year,
                project=exam_year.projects.first(),
                name=candidate.name,
                id_type=candidate.id_type,
                id_number=candidate.id_number or "",
                phone=candidate.phone,
            )
            record("application.start", actor=candidate, obj=application)
            return application
    except IntegrityError:
        return Application.objects.get(candidate=candidate, exam_year=exam_year)
