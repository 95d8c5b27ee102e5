"""Regime B 主管护师 routes for 硕士 and 博士 ask for the nursing licence, as the shipped table now does.

人社部发〔2021〕51号's 基本标准 asks every 护理类 candidate to hold the 执业资格, registered (rules file §1.1, S18);
护理初级(士), the 护士执业资格, is the 现有资格 护士 (§1.5). The 硕士 and 博士 rows of the shipped table asked for no
title, so a candidate with 现有资格 无 came out 符合. A year's stored table is loaded once from the file and
then belongs to the 考区 (import), so only rows still as shipped are changed; a new database gets the file's rows.
"""

from django.db import migrations

SHIPPED = {"kind": "route", "regime": "B", "qualification": "主管护师", "education__in": ["硕士", "博士"],
           "source": "S10d"}
LICENCE = "护士|护师|主管护师"


def ask_for_the_licence(apps, schema_editor):
    rules = apps.get_model("catalog", "EligibilityRule").objects
    rules.filter(**SHIPPED, requires_title="").update(requires_title=LICENCE, source="S10d S18")


def ask_for_no_title(apps, schema_editor):
    rules = apps.get_model("catalog", "EligibilityRule").objects
    rules.filter(**{**SHIPPED, "source": "S10d S18"}, requires_title=LICENCE).update(requires_title="", source="S10d")


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0007_record_versions'),
    ]

    operations = [
        migrations.RunPython(ask_for_the_licence, ask_for_no_title),
    ]
