"""2021年度 and 2022年度, whose rule set is unconfirmed (rules file §0), hold the rows of both rule sets (0014), and
every row was shipped unconfirmed: no candidate of those years could be 符合, not even one meeting both sets on
routes the rules file confirms. The doubt about the rule set is the table holding two (eligibility._by_regime: 符合
only where both are met, 不符合 only where both fail), so each row now keeps the flag of its own rule, as the file
ships it.

A stored table of those years still as shipped (both sets' rows, every one unconfirmed) gets the file's flags; a
table the 考区 imported is left as it is. The shipped rows are those 0014 wrote down (the file as it was then).
"""

import importlib

from django.db import migrations

SHIPPED = importlib.import_module("prereg.catalog.migrations.0014_eligibility_higher_degrees_and_unconfirmed_years")
COLUMNS = SHIPPED.COLUMNS
UNCONFIRMED_YEARS = (2021, 2022)


def _key(row) -> tuple:
    return tuple(row[column] for column in COLUMNS if column != "confirmed")


FLAGS = {_key(row): row["confirmed"] for row in SHIPPED.ROWS}


def _as_shipped(stored) -> bool:
    return sorted(_key(row) for row in stored) == sorted(FLAGS)


def forward(apps, schema_editor):
    rules = apps.get_model("catalog", "EligibilityRule").objects
    for year in apps.get_model("catalog", "ExamYear").objects.filter(year__in=UNCONFIRMED_YEARS):
        stored = list(rules.filter(exam_year=year).values("pk", *COLUMNS))
        if _as_shipped(stored) and not any(row["confirmed"] for row in stored):
            rules.filter(pk__in=[row["pk"] for row in stored if FLAGS[_key(row)]]).update(confirmed=True)


def backward(apps, schema_editor):
    rules = apps.get_model("catalog", "EligibilityRule").objects
    for year in apps.get_model("catalog", "ExamYear").objects.filter(year__in=UNCONFIRMED_YEARS):
        stored = list(rules.filter(exam_year=year).values("pk", *COLUMNS))
        if _as_shipped(stored) and all(row["confirmed"] == FLAGS[_key(row)] for row in stored):
            rules.filter(exam_year=year).update(confirmed=False)


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0014_eligibility_higher_degrees_and_unconfirmed_years"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
