"""The shipped first catalogue: the verified exam codes, everything else 待核实, scopes importable."""

import csv
from pathlib import Path

from prereg.catalog import importers
from prereg.catalog.models import (
    DictEntry,
    EligibilityRule,
    ExamLevel,
    PracticeScope,
    Qualification,
    Specialty,
)

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "exam_specialties_verified.csv"


def reference_rows():
    with open(REFERENCE, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_verified_code_ships_with_its_name_and_retired_ones_disabled(year):
    rows = reference_rows() if REFERENCE.exists() else []
    for row in rows:
        specialty = Specialty.objects.get(exam_year=year, code=row["code"])
        assert specialty.name == row["name"] and specialty.verified, row["code"]
        assert specialty.enabled == (not row["source"].startswith("RETIRED")), row["code"]
    shipped = Specialty.objects.filter(exam_year=year)
    assert shipped.filter(verified=True).count() == (len(rows) or 46)
    assert shipped.filter(enabled=False).count() == 6


def test_the_wrong_codes_of_the_old_file_are_gone(year):
    names = dict(Specialty.objects.filter(exam_year=year).values_list("code", "name"))
    assert names["211"] == "卫生检验技术(师)" and names["212"] == "微生物检验技术(师)"
    assert names["392"] == "急诊医学" and names["346"] == "超声波医学"
    assert "364" not in names and "347" not in names and "103" not in names


def test_entries_without_a_public_source_are_few_and_marked_unverified(year):
    unverified = Specialty.objects.filter(exam_year=year, verified=False)
    assert set(unverified.values_list("code", flat=True)) == {"315", "355", "362"}
    assert all(s.enabled for s in unverified)


def test_no_year_ships_physician_or_nurse_entry_titles_or_senior_levels(year):
    assert not Qualification.objects.filter(exam_year=year, name__in=["医师", "护士"]).exists()
    assert not ExamLevel.objects.filter(exam_year=year, name__in=["副高级", "正高级"]).exists()
    titles = set(DictEntry.objects.filter(exam_year=year, kind="title").values_list("name", flat=True))
    assert {"中药士", "中药师", "主管中药师", "医师", "护士"} <= titles


def test_the_eligibility_rules_name_qualifications_and_categories_the_catalogue_has(year):
    qualifications = set(Qualification.objects.filter(exam_year=year).values_list("name", flat=True))
    categories = set(Specialty.objects.filter(exam_year=year, enabled=True).values_list("category__name", flat=True))
    for rule in EligibilityRule.objects.filter(exam_year=year):
        for name in filter(None, rule.qualification.split("|")):
            assert name == "*" or name in qualifications, name
        for name in filter(None, rule.category.split("|")):
            assert name == "*" or name in categories, name


def test_each_clinical_specialty_is_open_to_the_scopes_the_data_names(year):
    scopes = lambda code: set(Specialty.objects.get(exam_year=year, code=code).scopes.values_list(  # noqa: E731
        "name", flat=True))
    assert scopes("305") == {"内科专业"} and scopes("317") == {"外科专业"} and scopes("330") == {"妇产科专业"}
    assert scopes("392") == {"急救医学专业"} and scopes("203") == set()


GOOD = (
    "类型,名称,代码,报考级别,拟申报资格,执业类别,适用执业注册范围,系列,有执业范围,已核对,启用\n"
    "报考级别,中级,,,,,,,,,\n"
    "拟申报资格,主治医师,,中级,,,,医疗,,,\n"
    "执业类别,临床,,,,,,,是,,\n"
    "执业注册范围,内科专业,11,,,临床,,,,,\n"
    "执业注册范围,全科医学专业,21,,,临床,,,,,\n"
    "申报专业,呼吸内科学,305,中级,主治医师,临床,内科专业|全科医学专业,,,是,\n"
    "申报专业,结核病学,311,中级,主治医师,临床,内科专业,,,是,否\n"
)


def test_the_import_sets_the_scopes_a_specialty_is_open_to_and_the_export_gives_them_back(year):
    result = importers.import_rows(year, importers.read_table("c.csv", GOOD.encode()))
    assert result.ok, result.errors
    specialty = Specialty.objects.get(exam_year=year, code="305", enabled=True)
    assert set(specialty.scopes.values_list("name", flat=True)) == {"内科专业", "全科医学专业"}
    assert not Specialty.objects.get(exam_year=year, code="311").enabled
    exported = {r["代码"]: r for r in importers.catalogue_rows(year) if r["类型"] == "申报专业"}
    assert exported["305"]["适用执业注册范围"] == "内科专业|全科医学专业"
    again = importers.import_rows(year, importers.read_table("c.csv", importers.catalogue_csv(
        importers.catalogue_rows(year))))
    assert again.ok and again.created == 0  # the export is the import format: it round-trips
    assert set(specialty.scopes.values_list("name", flat=True)) == {"内科专业", "全科医学专业"}


def test_the_import_refuses_a_scope_of_another_category_or_unknown(year):
    bad = GOOD + "申报专业,口腔医学,355,中级,主治医师,临床,口腔专业,,,,\n"
    result = importers.import_rows(year, importers.read_table("c.csv", bad.encode()))
    assert not result.ok and any(e.startswith("第9行") and "口腔专业" in e for e in result.errors)
    assert not PracticeScope.objects.filter(exam_year=year, specialties__code="305").exclude(
        name="内科专业").exists()  # nothing written: 305 keeps the scope the shipped data gave it
