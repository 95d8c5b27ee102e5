"""What the 考区 types into the year pages (年度名称, 考试项目, a dictionary entry's 名称, 代码 and 排序) is read by the
rule the candidate's and the org's forms read text by (core.validators.clean_line): a control character is
refused at its field with the page keeping what was typed, zero-width and direction characters are dropped;
a number too large for its column is refused at the field, not a server error (hostile-input probe)."""

import datetime

import pytest
from django.urls import reverse

from prereg.audit.models import AuditEvent
from prereg.catalog.models import ExamProject, ExamYear, Specialty
from tests.factories import make_year, windows

CONTROL = "不能包含控制字符（不可见的特殊字符），请删除后重新填写。"


@pytest.fixture
def district(client, reviewer_province):
    client.force_login(reviewer_province)
    return client


@pytest.fixture
def exam_year(db):
    return make_year(2020)


def year_form(year, **extra):
    return {"name": year.name, "version": year.version,
            **{k: v.isoformat() for k, v in windows(year.year).items()}, **extra}


def entry_form(entry, **extra):
    return {"name": entry.name, "code": entry.code, "order": entry.order, "enabled": "on",
            "version": entry.version, **extra}


def entry_url(entry):
    return reverse("backoffice:year_entry_edit", args=[entry.exam_year_id, "specialty", entry.pk])


@pytest.mark.parametrize("order", ["2147483648", "9223372036854775808", "1" + "0" * 40])
def test_a_sort_order_too_large_is_refused_at_its_field(district, exam_year, order):
    entry = Specialty.objects.filter(exam_year=exam_year).first()
    response = district.post(entry_url(entry), entry_form(entry, name="新名称", order=order))
    assert response.status_code == 400
    assert response.context["form"].errors["order"] == ["排序应为0至99999之间的整数（数字小的排在前面）。"]
    html = response.content.decode()
    assert f'value="{order}"' in html and 'value="新名称"' in html  # what was typed stays
    stored = Specialty.objects.get(pk=entry.pk)
    assert (stored.name, stored.order, stored.version) == (entry.name, entry.order, entry.version)
    assert not AuditEvent.objects.filter(event="catalogue.entry_update").exists()


def test_the_largest_sort_order_is_taken(district, exam_year):
    entry = Specialty.objects.filter(exam_year=exam_year).first()
    assert district.post(entry_url(entry), entry_form(entry, order="99999")).status_code == 302
    assert Specialty.objects.get(pk=entry.pk).order == 99999


@pytest.mark.parametrize("field", ["name", "code"])
def test_an_entry_name_or_code_with_a_control_character_is_refused_at_its_field(district, exam_year, field):
    entry = Specialty.objects.filter(exam_year=exam_year).first()
    typed = "专业T\x01\u202eX\u200b" if field == "name" else "A1\x7f"
    response = district.post(entry_url(entry), entry_form(entry, **{field: typed}, order="7"))
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [CONTROL]
    assert 'value="7"' in response.content.decode()  # the other fields kept
    stored = Specialty.objects.get(pk=entry.pk)
    assert (stored.name, stored.code, stored.order) == (entry.name, entry.code, entry.order)


def test_an_entry_name_is_stored_without_zero_width_and_direction_characters(district, exam_year):
    entry = Specialty.objects.filter(exam_year=exam_year).first()
    response = district.post(entry_url(entry), entry_form(entry, name=" 专业\u200bT\u202eX\u2066  甲 ",
                                                          code="\ufeffA1\u200d"))
    assert response.status_code == 302
    stored = Specialty.objects.get(pk=entry.pk)
    assert (stored.name, stored.code) == ("专业TX 甲", "A1")


def test_an_entry_name_of_invisible_characters_alone_is_asked_for(district, exam_year):
    entry = Specialty.objects.filter(exam_year=exam_year).first()
    response = district.post(entry_url(entry), entry_form(entry, name="\u200b\u202e"))
    assert response.status_code == 400 and response.context["form"].errors["name"] == ["请填写此项。"]
    assert Specialty.objects.get(pk=entry.pk).name == entry.name


def test_a_year_name_with_a_control_character_is_refused_at_its_field(district, exam_year):
    url = reverse("backoffice:year_detail", args=[exam_year.pk])
    response = district.post(url, year_form(exam_year, name="a\x01\x1f\x7fb", confirm_deadline="2020-01-17"))
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == [CONTROL]
    assert 'value="2020-01-17"' in response.content.decode()
    stored = ExamYear.objects.get(pk=exam_year.pk)
    assert (stored.name, stored.confirm_deadline) == (exam_year.name, exam_year.confirm_deadline)


def test_a_year_name_is_stored_without_direction_characters(district, exam_year):
    url = reverse("backoffice:year_detail", args=[exam_year.pk])
    response = district.post(url, year_form(exam_year, name="2020\u202e年度\u200b"))
    assert response.status_code == 302
    assert ExamYear.objects.get(pk=exam_year.pk).name == "2020年度"


def test_a_project_name_with_a_control_character_is_refused_on_both_its_forms(district, exam_year):
    project = exam_year.projects.get()
    url = reverse("backoffice:year_project_edit", args=[exam_year.pk, project.pk])
    response = district.post(url, {"name": "初中级\x01考试", "form_closes": "2020-01-10", "version": project.version})
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == [CONTROL]
    assert 'value="2020-01-10"' in response.content.decode()
    assert ExamProject.objects.get(pk=project.pk).name == project.name
    add = reverse("backoffice:year_project_add", args=[exam_year.pk])
    response = district.post(add, {"code": "GJ\x1b", "name": "高级\u202e考试"})
    assert response.status_code == 400
    assert response.context["project_form"].errors["code"] == [CONTROL]
    assert not ExamProject.objects.filter(exam_year=exam_year, code__startswith="GJ").exists()
    response = district.post(add, {"code": "GJ\u200b", "name": "高级\u202e考试"})
    assert response.status_code == 302
    assert ExamProject.objects.filter(exam_year=exam_year, code="GJ", name="高级考试").exists()


def test_a_project_name_is_stored_without_direction_characters(district, exam_year):
    project = exam_year.projects.get()
    url = reverse("backoffice:year_project_edit", args=[exam_year.pk, project.pk])
    response = district.post(url, {"name": "初中级\u202e考试\u200b", "version": project.version})
    assert response.status_code == 302
    assert ExamProject.objects.get(pk=project.pk).name == "初中级考试"


@pytest.mark.parametrize("typed", ["0", "1999", "2100", "99999", "9223372036854775808"])
def test_a_year_to_open_outside_the_years_the_system_counts_is_refused_at_its_field(district, exam_year, typed):
    data = {"year": typed, "name": "", "confirm": "on",
            **{k: v.isoformat() for k, v in windows(2021).items()}}
    response = district.post(reverse("backoffice:year_open"), data)
    assert response.status_code in (200, 400)
    assert response.context["form"].errors["year"] == ["年度应为2000至2099之间的四位年份，例如2021。"]
    assert f'value="{typed}"' in response.content.decode()
    assert ExamYear.objects.count() == 1


def test_a_new_years_name_is_read_by_the_same_rule(district, exam_year):
    data = {"year": "2021", "name": "2021\x01年度", "confirm": "on",
            **{k: v.isoformat() for k, v in windows(2021).items()}}
    response = district.post(reverse("backoffice:year_open"), data)
    assert response.context["form"].errors["name"] == [CONTROL]
    assert ExamYear.objects.count() == 1


def test_an_import_row_with_a_control_character_is_refused_and_invisible_ones_dropped(district, exam_year):
    from prereg.catalog import importers

    rows = importers.catalogue_rows(exam_year)
    first = next(r for r in rows if r["类型"] == "申报专业")
    first["名称"] = "专业\u200b甲\u202e"
    bad = dict(first, 名称="专业\x01乙", 代码="X99")
    errors, clean = importers.check_rows([*rows, bad])
    assert errors == [f"第{len(rows) + 2}行：名称{CONTROL[:-1]}。"]
    errors, clean = importers.check_rows(rows)
    assert not errors and any(r["name"] == "专业甲" for r in clean)


def test_dates_are_untouched_by_the_rule(district, exam_year):
    url = reverse("backoffice:year_detail", args=[exam_year.pk])
    assert district.post(url, year_form(exam_year, confirm_deadline="2020-01-17")).status_code == 302
    assert ExamYear.objects.get(pk=exam_year.pk).confirm_deadline == datetime.date(2020, 1, 17)
