"""教育情况: a 取得时间 before the candidate could have obtained any 学历 or 学位 (phone probe: a 本科 of
1985-06 for a candidate born 1990-01-01 was 已保存, and the 资格初审 arithmetic counted from it)."""

import datetime

import pytest
from django.urls import reverse

from prereg.applications.carryover import start_application
from prereg.applications.models import EducationRow
from prereg.candidate.forms import EducationForm, YearDicts, row_formset
from tests.factories import formset_data

BORN = datetime.date(1990, 1, 15)
REFUSED = "取得时间早于出生日期后的合理年龄（年满14周岁），请核对。"


def _row(obtained, level="本科"):
    return {"level": level, "obtained": obtained, "school": "福州大学", "study_form": "全日制", "major": "护理"}


def _formset(year, *rows, kind=EducationRow.Kind.EDUCATION, birth_date=BORN):
    formset_class = row_formset(EducationForm, min_num=1)
    prefix = "edu" if kind == EducationRow.Kind.EDUCATION else "deg"
    return formset_class(formset_data(prefix, *rows), queryset=EducationRow.objects.none(), prefix=prefix,
                         year=year, kind=kind, dicts=YearDicts(year), birth_date=birth_date)


def test_a_date_obtained_before_the_earliest_age_is_refused_at_the_field(year):
    formset = _formset(year, _row("1985-06"), _row("2003-12", level="中专"))
    assert not formset.is_valid()
    assert [form.errors.get("obtained") for form in formset.forms] == [[REFUSED], [REFUSED]]
    assert not any(set(form.errors) - {"obtained"} for form in formset.forms)


def test_a_degree_row_is_held_to_the_same_bound(year):
    formset = _formset(year, _row("1999-07", level="学士"), kind=EducationRow.Kind.DEGREE)
    assert not formset.is_valid() and formset.forms[0].errors["obtained"] == [REFUSED]


def test_the_month_of_the_fourteenth_birthday_and_every_later_one_are_taken(year):
    """Months, as 取得时间 is typed: the birthday's month counts, whatever its day."""
    formset = _formset(year, _row("2004-01", level="中专"), _row("2012-07"))
    assert formset.is_valid(), [form.errors for form in formset.forms]


def test_without_a_birth_date_yet_nothing_is_refused_for_it(year):
    """A passport holder who has not yet saved 基本信息 has no birth date: the row is not held back."""
    formset = _formset(year, _row("1985-06"), birth_date=None)
    assert formset.is_valid(), [form.errors for form in formset.forms]


@pytest.mark.parametrize("born", [datetime.date(1960, 2, 29), datetime.date(2000, 12, 31)])
def test_the_bound_is_the_birth_month_fourteen_years_on(year, born):
    bound = datetime.date(born.year + 14, born.month, 1)
    before = (bound - datetime.timedelta(days=1)).strftime("%Y-%m")
    assert not _formset(year, _row(before), birth_date=born).is_valid()
    assert _formset(year, _row(bound.strftime("%Y-%m")), birth_date=born).is_valid()


def _save(client, application, payload):
    """The education section saved as its page posts it, with the version the page was loaded with."""
    application.refresh_from_db()
    return client.post(reverse("candidate:section", args=["education"]), {"version": application.version, **payload},
                       HTTP_HX_REQUEST="true").content.decode()


def test_the_education_section_refuses_the_probes_date_and_saves_nothing(client, year, tree, candidate):
    client.force_login(candidate)
    application = start_application(candidate=candidate, exam_year=year)
    assert application.birth_date == datetime.date(1990, 1, 1)  # read from the ID number
    payload = {"chsi-chsi_code": "无", **formset_data("edu", _row("1985-06")), **formset_data("deg")}
    body = _save(client, application, payload)
    assert REFUSED in body and "已保存" not in body
    assert not EducationRow.objects.filter(application=application).exists()
    payload = {"chsi-chsi_code": "无", **formset_data("edu", _row("2012-07")), **formset_data("deg")}
    assert "已保存" in _save(client, application, payload)
