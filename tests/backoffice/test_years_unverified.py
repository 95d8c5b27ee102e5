"""The 考区's catalogue pages say which 申报专业 are 待核实 and how many; opening a year starts with the 专业目录."""

import pytest
from django.urls import reverse

from prereg.catalog.models import Specialty


@pytest.fixture
def district(client, reviewer_province):
    client.force_login(reviewer_province)
    return client


def test_the_specialty_list_marks_unverified_entries_and_counts_them(district, year):
    unverified = Specialty.objects.filter(exam_year=year, verified=False)
    body = district.get(reverse("backoffice:year_entries", args=[year.pk, "specialty"]) + "?q=口腔").content.decode()
    assert f"本年度有<strong>{unverified.count()}</strong>个申报专业标为“待核实”" in body
    assert "口腔医学 <span class=\"state in\">待核实</span>" in body
    verified = district.get(reverse("backoffice:year_entries", args=[year.pk, "specialty"]) + "?q=呼吸").content.decode()
    assert "呼吸内科学</td>" in verified


def test_other_lists_carry_no_unverified_mark(district, year):
    body = district.get(reverse("backoffice:year_entries", args=[year.pk, "qualification"])).content.decode()
    assert "待核实" not in body


def test_the_year_page_counts_the_unverified_and_once_all_are_checked_says_nothing(district, year):
    url = reverse("backoffice:year_detail", args=[year.pk])
    body = district.get(url).content.decode()
    assert "开启年度的第一步：导入当年官方专业目录" in body
    assert "本年度有<strong>3</strong>个申报专业“待核实”" in body
    Specialty.objects.filter(exam_year=year).update(verified=True)
    assert "个申报专业“待核实”" not in district.get(url).content.decode()


def test_the_year_open_page_names_the_catalogue_import_as_the_first_step(district, year):
    body = district.get(reverse("backoffice:year_open")).content.decode()
    assert "开启后第一步：在年度页面“导入年度字典”导入当年官方专业目录" in body
