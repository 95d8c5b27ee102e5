"""The years already stored get their qualifications' series (护理, 药学, 药学(中药), 技术, 医疗), which the
loader left blank: the form asks for the 执业类别/执业注册范围 images of a nurse's or a physician's series only
(applications.completeness.LICENSED_SERIES), and a blank one is guessed from the 执业类别 chosen.

As catalog/data/exam_levels.csv has them, by the qualification's name (each names one series), written here
so that a later change of the file does not change what this migration did. Only a blank series is set: one
the 考区 gave (an import) stays.
"""

from django.db import migrations

SERIES = {"护士": "护理", "护师": "护理", "主管护师": "护理",
          "药士": "药学", "药师": "药学", "主管药师": "药学",
          "中药士": "药学(中药)", "中药师": "药学(中药)", "主管中药师": "药学(中药)",
          "技士": "技术", "技师": "技术", "主管技师": "技术",
          "医师": "医疗", "主治医师": "医疗"}


def forward(apps, schema_editor):
    qualifications = apps.get_model("catalog", "Qualification").objects
    for name, series in SERIES.items():
        qualifications.filter(name=name, series="").update(series=series)


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0012_eligibility_old_rules_licence_and_front_line"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
