"""Three districts are stored under the name their code had before it was renamed.

load_national read fujian_divisions_historical.csv before fujian_divisions.csv, and get_or_create
kept the first name it met for a code: the historical file lists 350111 as 郊区 (to 1994) before
晋安区, 350205 as 杏林区 (to 2002) before 海沧区, 350211 as 郊区 (to 1986) before 集美区. The loader
now reads today's file first. These are the codes of today's file whose first name in the historical
file is another, written out here so that the migration does not change when the files do. Only a
row still holding the old name is renamed; going back leaves the right names.
"""

from django.db import migrations

RENAMED = {"350111": ("郊区", "晋安区"), "350205": ("杏林区", "海沧区"), "350211": ("郊区", "集美区")}


def name_as_today(apps, schema_editor):
    divisions = apps.get_model("catalog", "Division").objects
    for code, (historical, today) in RENAMED.items():
        divisions.filter(code=code, name=historical).update(name=today)


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0009_exam_year_verbose_name'),
    ]

    operations = [
        migrations.RunPython(name_as_today, migrations.RunPython.noop),
    ]
