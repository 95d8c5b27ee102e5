"""catalog/0012: the old rules' table of a year already stored gets the shipped file's two changes."""

import importlib

from django.apps import apps

from prereg.catalog.models import EligibilityRule
from tests.factories import make_year

migration = importlib.import_module("prereg.catalog.migrations.0012_eligibility_old_rules_licence_and_front_line")


def test_a_stored_old_rules_table_gets_the_licence_and_the_front_line_advance_a_table_of_the_districts_not(db):
    shipped, imported = make_year(2021), make_year(2020)
    for year in (shipped, imported):  # as an older database holds them
        EligibilityRule.objects.filter(exam_year=year, regime="A", requires="一线").delete()
        EligibilityRule.objects.filter(exam_year=year, regime="A", qualification="主管护师", education="博士").update(
            requires_title="", source="S5 S1", note="博士学位")
    EligibilityRule.objects.filter(exam_year=imported, requires="基层").update(note="考区的说明")
    migration.forward(apps, None)
    doctorate = EligibilityRule.objects.get(exam_year=shipped, regime="A", qualification="主管护师", education="博士")
    assert doctorate.requires_title == "护士|护师|主管护师"
    # A 2021 table holds the new rules' rows too (catalog/0014): the old rules' advance is the one at stake.
    front_line = EligibilityRule.objects.get(exam_year=shipped, regime="A", kind="advance", requires="一线")
    assert not front_line.confirmed and front_line.qualification == "*"
    assert not EligibilityRule.objects.filter(exam_year=imported, requires="一线").exists()
    migration.forward(apps, None)  # once only
    assert EligibilityRule.objects.filter(exam_year=shipped, regime="A", requires="一线").count() == 1
