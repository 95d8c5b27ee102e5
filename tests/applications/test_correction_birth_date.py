"""A reviewer's correction (修改填报信息) that changes the birth date checks it against every dated value of
the candidate's life, not only the ones the reviewer typed: a work row's 开始时间, a 学历 or 学位's 取得时间,
现有资格取得年月 and 执业注册年月, by the rules the candidate's form applies when they are typed
(applications.values). What the birth date leaves too early is refused at the birth date (at the ID number
that gives it, for a resident ID), naming each; nothing is stored, and the page keeps what was typed.

Before, a work row or a 学历 the correction did not touch was never compared with the new birth date: an ID
number corrected to one of 2013 was taken beside a job begun in 2012."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from prereg.accounts.models import IdType
from prereg.applications import services
from prereg.applications.models import Application, EducationRow, ReviewLog, WorkRow
from prereg.core.validators import id_check_char
from tests.factories import WorkRowFactory, submitted

BORN = datetime.date(1990, 1, 1)  # the factories' ID numbers are of 1990-01-01


@pytest.fixture
def app(tree, year, reviewer_anxi_hospital):
    """At 单位审查: a work row begun 2012-08, a 学历 obtained 2012-07, 现有资格 of 2016-10, 执业注册 2017-03."""
    application = submitted(tree, year, birth_date=BORN, practice_registered=datetime.date(2017, 3, 1))
    WorkRowFactory(application=application)
    return Application.objects.get(pk=application.pk)


@pytest.fixture
def passport_app(app):
    """The same, of a passport holder: his birth date is typed, and a reviewer may correct it."""
    Application.objects.filter(pk=app.pk).update(id_type=IdType.PASSPORT, id_number="E12345678")
    return Application.objects.get(pk=app.pk)


def _keys(application):
    work = WorkRow.objects.get(application=application).pk
    education = EducationRow.objects.get(application=application, kind=EducationRow.Kind.EDUCATION).pk
    return f"work:{work}.start", f"education:{education}.obtained"


def _id_number_born(date: str) -> str:
    body = f"350524{date.replace('-', '')}002"
    return body + id_check_char(body)


def _edit(application, reviewer, **changes):
    return services.application_edit(actor=reviewer, application_id=application.pk,
                                     expected_version=application.version, changes=changes)


def _unchanged(application):
    stored = Application.objects.get(pk=application.pk)
    assert (stored.version, stored.id_number, stored.birth_date) == (
        application.version, application.id_number, application.birth_date)
    assert not ReviewLog.objects.filter(application=application, action="edit").exists()


def test_an_id_number_corrected_to_a_later_birth_is_refused_at_it_naming_the_rows_it_leaves_too_early(
        app, reviewer_anxi_hospital):
    with pytest.raises(ValidationError) as refused:
        _edit(app, reviewer_anxi_hospital, id_number=_id_number_born("2013-01-01"))
    assert refused.value.message_dict == {"id_number": [
        "按修改后的出生日期，工作经历1 · 开始时间（2012-08）不晚于出生日期；学历1 · 取得时间（2012-07）早于年满14周岁。"
        "请核对出生日期，或一并修改这些信息。"]}
    _unchanged(app)


def test_a_typed_birth_date_corrected_later_is_refused_at_it_for_every_value_it_leaves_too_early(
        passport_app, reviewer_anxi_hospital):
    with pytest.raises(ValidationError) as refused:
        _edit(passport_app, reviewer_anxi_hospital, birth_date="2017-06-01")
    # 现有资格取得年月 and 执业注册年月, untouched, are said at the birth date too, not at themselves.
    assert refused.value.message_dict == {"birth_date": [
        "按修改后的出生日期，工作经历1 · 开始时间（2012-08）不晚于出生日期；学历1 · 取得时间（2012-07）早于年满14周岁；"
        "现有资格取得年月（2016-10）不晚于出生日期；执业注册年月（2017-03）不晚于出生日期。"
        "请核对出生日期，或一并修改这些信息。"]}
    _unchanged(passport_app)


def test_a_birth_date_corrected_with_the_rows_it_concerns_is_taken_and_a_row_typed_too_early_is_said_at_itself(
        passport_app, reviewer_anxi_hospital):
    work, education = _keys(passport_app)
    # The work row's start too: 2012-08 is before 16, the minimum working age, for one born in 2000.
    with pytest.raises(ValidationError) as refused:
        _edit(passport_app, reviewer_anxi_hospital, birth_date="2000-01-01", **{education: "2013-07", work: "2016-08"})
    assert refused.value.message_dict == {education: ["取得时间早于出生日期后的合理年龄（年满14周岁），请核对。"]}
    _unchanged(passport_app)
    _edit(passport_app, reviewer_anxi_hospital, birth_date="2000-01-01", **{education: "2018-07", work: "2016-08"})
    stored = Application.objects.get(pk=passport_app.pk)
    assert stored.birth_date == datetime.date(2000, 1, 1)
    assert EducationRow.objects.get(pk=int(education.split(":")[1].split(".")[0])).obtained == datetime.date(2018, 7, 1)


def test_a_birth_date_corrected_to_one_the_rows_agree_with_is_taken(app, passport_app, reviewer_anxi_hospital):
    _edit(passport_app, reviewer_anxi_hospital, birth_date="1991-05-05")
    assert Application.objects.get(pk=passport_app.pk).birth_date == datetime.date(1991, 5, 5)


def test_a_correction_leaving_the_birth_date_reads_no_untouched_row(app, reviewer_anxi_hospital):
    # A row stored before the rule (a job of 1985 for a candidate of 1990) does not hold up another correction.
    WorkRow.objects.filter(application=app).update(start=datetime.date(1985, 1, 1))
    _edit(app, reviewer_anxi_hospital, postcode="362400")
    assert Application.objects.get(pk=app.pk).postcode == "362400"


def test_the_page_says_it_at_the_birth_date_and_keeps_what_was_typed(client, passport_app, reviewer_anxi_hospital):
    client.force_login(reviewer_anxi_hospital)
    response = client.post(reverse("backoffice:review_edit", args=[passport_app.pk]), {
        "version": passport_app.version, "birth_date": "2013-01-01", "postcode": "362400"})
    assert response.status_code == 400
    rows = {row["key"]: row for row in response.context["rows"]}
    assert rows["birth_date"]["value"] == "2013-01-01" and rows["postcode"]["value"] == "362400"
    assert rows["birth_date"]["error"].startswith("按修改后的出生日期，工作经历1 · 开始时间（2012-08）不晚于出生日期")
    assert not [key for key, row in rows.items() if row["error"] and key != "birth_date"]
    _unchanged(passport_app)
