"""How the eligibility probes' cases are written: facts built by hand (assess) or from a form's values
(facts_from), judged by the shipped rule table of their year. Dates are months, "2015-07"."""

import datetime
from types import SimpleNamespace

from prereg.applications import eligibility
from prereg.applications.eligibility import Education, Facts, Rule, assess
from prereg.applications.models import AppointmentRow, EducationRow, OtherRow, TrainingRow, WorkRow
from prereg.catalog.loaders import eligibility_rows


def d(text):
    year, month = text.split("-")
    return datetime.date(int(year), int(month), 1)


def facts(exam_year, qualification, **extra):
    return Facts(exam_year=exam_year, cutoff=datetime.date(exam_year - 1, 12, 31), qualification=qualification, **extra)


def rules(exam_year):
    return [Rule(**row) for row in eligibility_rows(exam_year)]


def verdict(f):
    return assess(f, rules(f.exam_year))


def edu(level, obtained, major="", full_time=True, **extra):
    """An education row by hand; `extra` as Education takes it (assessed, study_form, entered)."""
    return Education(level, d(obtained), full_time, major, **extra)


def form(exam_year, *, educations=(), work=(), appointments=(), training=(), others=(), **columns):
    """The facts of a form held as values (eligibility.facts_from), without a database."""
    values = {"pk": 1, "qualification__name": "", "category__name": "", "specialty__name": "", "scope__name": "",
              "current_qualification": "无", "current_qualification_date": None, "practice_registered": None,
              "practice_change": "无", **columns}
    rows = {EducationRow: {1: list(educations)}, WorkRow: {1: list(work)}, AppointmentRow: {1: list(appointments)},
            TrainingRow: {1: list(training)}, OtherRow: {1: [{"kind": kind} for kind in others]}}
    year = SimpleNamespace(year=exam_year, cutoff_date=datetime.date(exam_year - 1, 12, 31))
    return eligibility.facts_from(values, rows, year)


def education(level, obtained, major="", study_form="全日制", kind=EducationRow.Kind.EDUCATION):
    return {"kind": kind, "level": level, "obtained": d(obtained), "study_form": study_form, "major": major}
