"""Two changes of the shipped rules table reach the years already stored, where their rows are still as shipped (a
year's table belongs to the 考区 once loaded: an imported row is left as it is, as in 0008/0012/0014).

- 主治 (临床, 口腔, 中医) under the old rules (卫人发〔2000〕462号, rules file §2.3(a)): whether an academic 硕士 counts
  as 硕士 (2 years) or as 本科 (4 years) is unconfirmed, and so the 硕士 route is; a 硕士 with four years meets both
  readings, yet came out 需人工核实. A 硕士 and a 博士 row of the 本科 years is added beside the shipped 本科 row, as
  confirmed as it is: four years meet every reading.
- The new rules' 护师 route of a 本科 (or higher) nurse read "护师需本科及以上护士执业满1年可直接聘任护师；是否仍应报考
  未经确认，截至…" in a verdict: its note now says the years first and the doubt after them.
"""

from django.db import migrations

BACHELOR = {"kind": "route", "regime": "A", "qualification": "主治医师", "category": "临床|口腔|中医", "education": "本科",
            "min_years": 4, "counted_from": "qualification_or_registration", "requires": "", "specialties": "",
            "requires_title": "医师|主治医师", "source": "S2", "note": "从事医师工作满4年（起算点未经确认）"}
HIGHER_NOTE = "从事医师工作满4年（按本科条件，专业学位、学术学位均适用；起算点未经确认）"
HIGHER = ["硕士", "博士"]
NURSE = {"kind": "route", "regime": "B", "qualification": "护师", "education__in": ["本科", "硕士", "博士"],
         "min_years": 1, "counted_from": "registration", "requires_title": "护士", "source": "S10a"}
NURSE_NOTE_BEFORE = "本科及以上护士执业满1年可直接聘任护师；是否仍应报考未经确认"
NURSE_NOTE = "护士执业活动满1年（本科及以上执业满1年可直接聘任护师，是否仍须报考未经确认）"


def forward(apps, schema_editor):
    rules = apps.get_model("catalog", "EligibilityRule").objects
    for bachelor in rules.filter(**BACHELOR):
        for education in HIGHER:
            higher = {**BACHELOR, "education": education, "note": HIGHER_NOTE}
            if not rules.filter(**higher, exam_year_id=bachelor.exam_year_id).exists():
                rules.create(**higher, exam_year_id=bachelor.exam_year_id, confirmed=bachelor.confirmed,
                             order=bachelor.order)
    rules.filter(**NURSE, note=NURSE_NOTE_BEFORE).update(note=NURSE_NOTE)


def backward(apps, schema_editor):
    rules = apps.get_model("catalog", "EligibilityRule").objects
    for education in HIGHER:
        rules.filter(**{**BACHELOR, "education": education, "note": HIGHER_NOTE}).delete()
    rules.filter(**NURSE, note=NURSE_NOTE).update(note=NURSE_NOTE_BEFORE)


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0015_eligibility_unconfirmed_years_keep_route_flags"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
