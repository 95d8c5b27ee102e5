"""The administrative divisions: today's name for a code that still exists, the old ones kept for ID numbers."""

import importlib

from django.apps import apps

from prereg.catalog.loaders import load_national, read_csv
from prereg.catalog.models import Division

renaming = importlib.import_module("prereg.catalog.migrations.0010_divisions_current_names")


def test_a_division_that_still_exists_is_loaded_under_todays_name(db):
    load_national()
    today = read_csv("fujian_divisions.csv")
    stored = {d.code: d for d in Division.objects.filter(code__in=[row["code"] for row in today])}
    assert {code: d.name for code, d in stored.items()} == {row["code"]: row["name"] for row in today}
    assert all(d.current and d.level == row["level"] and d.parent_code == row["parent_code"]
               for row in today for d in [stored[row["code"]]])
    assert Division.names_of(["350111", "350205", "350211"]) == {
        "350111": "福州市晋安区", "350205": "厦门市海沧区", "350211": "厦门市集美区"}


def test_an_abolished_code_stays_for_the_id_numbers_that_carry_it(db):
    load_national()
    abolished = Division.objects.get(code="350402")
    assert abolished.name == "梅列区" and not abolished.current and abolished.level == "historical"
    assert Division.objects.count() == len({row["code"] for row in read_csv("fujian_divisions_historical.csv")})
    assert load_national()["division"] == 0


def test_the_migration_renames_the_divisions_still_under_their_old_name_and_no_other(db):
    load_national()
    Division.objects.filter(code="350111").update(name="郊区")  # as the old loader stored it
    Division.objects.filter(code="350205").update(name="杏林区")
    Division.objects.filter(code="350211").update(name="集美区（厦门）")  # changed by hand since: left alone
    renaming.name_as_today(apps, None)
    names = dict(Division.objects.filter(code__in=["350111", "350205", "350211", "350402"])
                 .values_list("code", "name"))
    assert names == {"350111": "晋安区", "350205": "海沧区", "350211": "集美区（厦门）", "350402": "梅列区"}
