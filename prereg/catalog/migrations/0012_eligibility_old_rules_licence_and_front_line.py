"""Two changes of the shipped old-rules (regime A) table reach the years already stored, as 0008 did for B.

- 主管护师 by a doctorate asks for the nurse's licence (现有资格 护士/护师/主管护师): the row asked for no title,
  so a doctor of any field with 现有资格 无 came out 符合 (rules file S15; the new rules and 主治 ask for it).
- The COVID front-line advance (rules file §3.5, "2020 onward") is added, unconfirmed, to a table of the old
  rules that has none: 2021年度's table is the old rules' and a front-line candidate one year short came out
  不符合; unconfirmed, it gives 需人工核实.

A year's table belongs to the 考区 once loaded (import): only rows still as shipped change, and the advance is
added only beside the shipped 基层 advance row, so a table the 考区 imported is left as it is.
"""

from django.db import migrations

DOCTORATE = {"kind": "route", "regime": "A", "qualification": "主管护师", "education": "博士", "requires_title": "",
             "source": "S5 S1", "note": "博士学位"}
LICENCE = {"requires_title": "护士|护师|主管护师", "source": "S5 S1 S15", "note": "博士学位，须取得护士执业资格"}
GRASSROOTS_NOTE = "社区卫生服务机构的医师、护师报考全科医学、社区护理中级可提前一年（国人部发〔2006〕69号）"
FRONT_LINE = {"kind": "advance", "regime": "A", "qualification": "*", "category": "", "education": "", "min_years": 1,
              "counted_from": "", "requires": "一线", "specialties": "", "requires_title": "", "confirmed": False,
              "source": "S11",
              "note": "疫情防控一线人员可提前一年申报（2020年起的政策，2021年度是否适用未经确认；仅可使用一次，请核实此前未使用）"}


def forward(apps, schema_editor):
    rules = apps.get_model("catalog", "EligibilityRule").objects
    rules.filter(**DOCTORATE).update(**LICENCE)
    for grassroots in rules.filter(kind="advance", regime="A", requires="基层", note=GRASSROOTS_NOTE):
        if not rules.filter(exam_year_id=grassroots.exam_year_id, kind="advance", regime="A", requires="一线").exists():
            rules.create(exam_year_id=grassroots.exam_year_id, order=grassroots.order, **FRONT_LINE)


def backward(apps, schema_editor):
    rules = apps.get_model("catalog", "EligibilityRule").objects
    rules.filter(kind="route", regime="A", qualification="主管护师", education="博士", **LICENCE).update(
        **{key: DOCTORATE[key] for key in LICENCE})
    rules.filter(**FRONT_LINE).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0011_verbose_names"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
