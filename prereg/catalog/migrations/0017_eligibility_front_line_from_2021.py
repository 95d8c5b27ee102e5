"""The COVID front-line advance (rules file §3.5) leaves the tables of the years before 2021年度.

0012 added it, unconfirmed, beside the old rules' 基层 advance of every stored year, and the loader shipped it to
every old-rules year: a front-line candidate of 2019年度 or 2020年度 one year short came out 需人工核实 instead of
不符合. Its basis (国发明电〔2020〕5号, 人社厅发〔2020〕23号) are measures of the 2020 epidemic, taken after 2020年度's
registration (Dec 2019–Jan 2020, rules file §0) had closed; 2021年度 (§0: "probably Regime A, plus the COVID
front-line advance") is the first year it can concern. The row is removed from the tables of earlier years where it
is as shipped; a row the 考区 imported otherwise is left as it is.
"""

from django.db import migrations

FRONT_LINE = {"kind": "advance", "regime": "A", "qualification": "*", "category": "", "education": "", "min_years": 1,
              "counted_from": "", "requires": "一线", "specialties": "", "requires_title": "", "confirmed": False,
              "source": "S11",
              "note": "疫情防控一线人员可提前一年申报（2020年起的政策，2021年度是否适用未经确认；仅可使用一次，请核实此前未使用）"}
GRASSROOTS_NOTE = "社区卫生服务机构的医师、护师报考全科医学、社区护理中级可提前一年（国人部发〔2006〕69号）"
FRONT_LINE_FROM = 2021


def forward(apps, schema_editor):
    rules = apps.get_model("catalog", "EligibilityRule").objects
    rules.filter(**FRONT_LINE, exam_year__year__lt=FRONT_LINE_FROM).delete()


def backward(apps, schema_editor):
    rules = apps.get_model("catalog", "EligibilityRule").objects
    for grassroots in rules.filter(kind="advance", regime="A", requires="基层", note=GRASSROOTS_NOTE,
                                   exam_year__year__lt=FRONT_LINE_FROM):
        if not rules.filter(exam_year_id=grassroots.exam_year_id, kind="advance", regime="A", requires="一线").exists():
            rules.create(exam_year_id=grassroots.exam_year_id, order=grassroots.order, **FRONT_LINE)


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0016_eligibility_higher_degrees_of_old_rules_and_nurse_note"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
