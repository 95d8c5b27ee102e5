"""The loaded catalogue gives each qualification its series (exam_levels.csv), which the form's licence images
follow (completeness.LICENSED_SERIES); catalog/0013 gives the years already stored theirs."""

import importlib

from django.apps import apps

from prereg.applications import completeness
from prereg.catalog.loaders import load_year_catalogue, qualification_series
from prereg.catalog.models import PracticeCategory, Qualification
from tests.factories import ApplicationFactory, make_year

migration = importlib.import_module("prereg.catalog.migrations.0013_qualification_series")


def test_the_loader_gives_each_qualification_the_series_of_the_shipped_file(year):
    series = {q.name: q.series for q in Qualification.objects.filter(exam_year=year)}
    assert series["主管护师"] == series["护师"] == "护理"
    assert series["主治医师"] == "医疗"
    assert series["主管药师"] == "药学" and series["主管中药师"] == "药学(中药)" and series["主管技师"] == "技术"
    assert all(series.values()), series  # none left blank
    assert set(series.values()) & completeness.LICENSED_SERIES == {"护理", "医疗"}
    # The migration writes the same as the file says.
    assert {name: value for (_, name), value in qualification_series().items()} == migration.SERIES


def test_the_slot_rule_reads_the_series_not_the_category(year, tree, candidate):
    # A pharmacist who chose a physician's 执业类别 by mistake is still not asked for a physician's licence.
    pharmacist = Qualification.objects.get(exam_year=year, name="主管药师")
    clinical = PracticeCategory.objects.get(exam_year=year, name="临床")
    application = ApplicationFactory(candidate=candidate, exam_year=year, unit=tree["35052401"],
                                     level=pharmacist.level, qualification=pharmacist, category=clinical)
    assert completeness.licence_series(application) == "药学"
    assert completeness.is_licensed(application) is False


def test_loading_again_keeps_a_series_the_district_gave(year):
    Qualification.objects.filter(exam_year=year, name="主管护师").update(series="护理（考区）")
    load_year_catalogue(year)
    assert Qualification.objects.get(exam_year=year, name="主管护师").series == "护理（考区）"


def test_the_migration_fills_a_blank_series_and_keeps_one_given(db):
    stored, imported = make_year(2024), make_year(2023)
    Qualification.objects.filter(exam_year__in=[stored, imported]).update(series="")  # as the loader left them
    Qualification.objects.filter(exam_year=imported, name="主管技师").update(series="医技")
    migration.forward(apps, None)
    assert dict(Qualification.objects.filter(exam_year=stored).values_list("name", "series")) == {
        name: migration.SERIES[name] for name in Qualification.objects.filter(exam_year=stored)
        .values_list("name", flat=True)}
    assert Qualification.objects.get(exam_year=imported, name="主管技师").series == "医技"
    assert Qualification.objects.get(exam_year=imported, name="主管护师").series == "护理"
