"""Years helpers for the catalog tests."""

import datetime

from prereg.catalog.loaders import load_year_catalogue
from prereg.catalog.models import ExamProject, ExamYear


def make_year(year: int, *, current=False, catalogue=True, opens=None) -> ExamYear:
    opens = opens or datetime.date(year - 1, 12, 16)
    obj = ExamYear.objects.create(
        year=year, name=f"{year}年度", form_opens=opens, form_closes=opens + datetime.timedelta(days=28),
        national_opens=opens + datetime.timedelta(days=8), national_closes=opens + datetime.timedelta(days=28),
        confirm_deadline=opens + datetime.timedelta(days=31), cutoff_date=datetime.date(year - 1, 12, 31),
        is_current=current)
    ExamProject.objects.create(exam_year=obj, code="CZJ", name="初中级卫生专业技术资格考试")
    if catalogue:
        load_year_catalogue(obj)
    return obj


def windows(year: int) -> dict:
    return {
        "form_opens": datetime.date(year - 1, 12, 16), "form_closes": datetime.date(year, 1, 13),
        "national_opens": datetime.date(year - 1, 12, 24), "national_closes": datetime.date(year, 1, 13),
        "confirm_deadline": datetime.date(year, 1, 16), "cutoff_date": datetime.date(year - 1, 12, 31),
    }
