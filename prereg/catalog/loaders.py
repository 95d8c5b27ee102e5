"""Loading the reference dictionaries shipped in data/ (facts and sources: ../shared/reference/).

Every loader is idempotent: it creates what is missing and leaves what exists, so running it
again changes nothing, and entries the 考区 has edited are not overwritten.
"""

import csv
from pathlib import Path

from django.db import transaction

from .models import (
    DictEntry,
    Division,
    EligibilityRule,
    Ethnicity,
    ExamLevel,
    ExamYear,
    PracticeCategory,
    PracticeScope,
    Qualification,
    Specialty,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
# 副高级/正高级 are 评审 (a 高级 exam in some provinces), not levels of this exam: no year ships them.
LEVEL_ORDER = ["初级(士)", "初级(师)", "中级"]


def read_csv(name: str) -> list[dict]:
    with open(DATA_DIR / name, encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines))


@transaction.atomic
def load_national() -> dict:
    created = {"ethnicity": 0, "division": 0}
    for row in read_csv("ethnic_groups.csv"):
        _, new = Ethnicity.objects.get_or_create(code=row["code"], defaults={"name": row["name"]})
        created["ethnicity"] += new
    # Today's divisions first: a code that still exists is named as it is today. The historical file
    # (every code an ID number may carry, since an ID keeps the address code of its issue) lists
    # some of them under an older name first (350111 郊区 before 晋安区); it adds only the codes
    # abolished since, under the name it lists first.
    current = read_csv("fujian_divisions.csv")
    for row in current:
        _, new = Division.objects.get_or_create(
            code=row["code"], defaults={"name": row["name"], "level": row["level"], "parent_code": row["parent_code"]}
        )
        created["division"] += new
    codes = {row["code"] for row in current}
    for row in read_csv("fujian_divisions_historical.csv"):
        if row["code"] not in codes:
            _, new = Division.objects.get_or_create(
                code=row["code"], defaults={"name": row["name"], "level": "historical", "current": False}
            )
            created["division"] += new
    return created


@transaction.atomic
def load_year_catalogue(exam_year: ExamYear) -> dict:
    """The first catalogue for a year with none (verify against the year's official notice)."""
    created = {"level": 0, "qualification": 0, "category": 0, "scope": 0, "specialty": 0, "entry": 0}

    def entry(model, counter, **fields):
        lookup = {k: v for k, v in fields.items() if k not in {"order", "has_scopes", "series", "verified", "enabled"}}
        defaults = {k: v for k, v in fields.items() if k not in lookup}
        obj, new = model.objects.get_or_create(exam_year=exam_year, **lookup, defaults=defaults)
        created[counter] += new
        return obj

    levels = {name: entry(ExamLevel, "level", name=name, order=i) for i, name in enumerate(LEVEL_ORDER)}
    scope_rows = read_csv("practice_scopes.csv")
    scoped_categories = {row["practice_category"] for row in scope_rows}
    categories = {}

    def category(name):
        if name not in categories:
            categories[name] = entry(PracticeCategory, "category", name=name, has_scopes=name in scoped_categories,
                                     order=len(categories))
        return categories[name]

    scopes = {}
    for i, row in enumerate(scope_rows):
        scopes[row["practice_category"], row["scope_name"]] = entry(
            PracticeScope, "scope", category=category(row["practice_category"]), name=row["scope_name"],
            code=row["stat_code"], order=i)
    qualifications = {}
    series = qualification_series()
    for i, row in enumerate(read_csv("specialties.csv")):
        key = (row["level"], row["qualification"])
        if key not in qualifications:
            qualifications[key] = entry(Qualification, "qualification", level=levels[row["level"]],
                                        name=row["qualification"], series=series.get(key, ""),
                                        order=len(qualifications))
        qualification = qualifications[key]
        cat = category(row["category"])
        qualification.categories.add(cat)
        before = created["specialty"]
        specialty = entry(Specialty, "specialty", qualification=qualification, category=cat, code=row["code"],
                          name=row["name"], verified=row["verified"] == "1", enabled=row["enabled"] == "1", order=i)
        if created["specialty"] > before:  # an entry the 考区 has already edited keeps its scopes
            specialty.scopes.set([scopes[row["category"], name] for name in row["scopes"].split("|") if name])
    for i, row in enumerate(read_csv("dict_entries.csv")):
        entry(DictEntry, "entry", kind=row["kind"], name=row["name"], order=i)
    if not EligibilityRule.objects.filter(exam_year=exam_year).exists():
        rows = eligibility_rows(exam_year.year)
        EligibilityRule.objects.bulk_create(EligibilityRule(exam_year=exam_year, order=i, **row)
                                            for i, row in enumerate(rows))
        created["eligibility_rule"] = len(rows)
    return created


def qualification_series() -> dict[tuple[str, str], str]:
    """The series of each qualification of exam_levels.csv by (level, name): 护理, 药学, 药学(中药), 技术,
    医疗, as completeness.LICENSED_SERIES reads them (a nurse's and a physician's licence images). The
    评审 levels' rows (副高级, 正高级: 各系列) name no one series and are not levels of this exam."""
    return {(row["level"], row["qualification_name"]): row["series"] for row in read_csv("exam_levels.csv")
            if row["level"] in LEVEL_ORDER}


def regime_of(exam_year: int) -> tuple[str, bool]:
    """The rule set of an exam year and whether it is confirmed (eligibility_rules.md §0): 人社部发〔2021〕51号
    from 2023年度; the 2000/2001 rules up to 2020年度; 2021年度 probably the old rules, 2022年度 probably 51号,
    neither confirmed."""
    if exam_year <= 2020:
        return "A", True
    if exam_year == 2021:
        return "A", False
    return "B", exam_year >= 2023


# The COVID front-line advance (rules file §3.5) rests on 国发明电〔2020〕5号 and 人社厅发〔2020〕23号, measures of the
# 2020 epidemic taken after 2020年度's registration (Dec 2019–Jan 2020, §0) had closed: 2021年度 is the first year
# it can concern, so no earlier year's table holds a row asking for it (一线).
FRONT_LINE_FROM = 2021


def eligibility_rows(exam_year: int) -> list[dict]:
    """The shipped rules table of a year: its regime's rows; for a year whose regime is unconfirmed, the rows
    of both regimes (the probable one first), so that the 资格初审 assesses under each and says 符合 only where
    both are met and 不符合 only where both fail (eligibility._by_regime). Each row is as confirmed as its rule:
    the doubt about the regime is the table holding two."""
    regime, confirmed = regime_of(exam_year)
    regimes = [regime] if confirmed else [regime, *({"A", "B"} - {regime})]
    shipped = read_csv("eligibility_rules.csv")
    rows = [row for each in regimes for row in shipped if row["regime"] == each
            and (exam_year >= FRONT_LINE_FROM or "一线" not in row["requires"].split("+"))]
    for row in rows:
        row["min_years"] = int(row["min_years"])
        row["confirmed"] = row["confirmed"] == "1"
    return rows
