"""汇总提交 entries the 考区 logged without a stage (before summary_submit passed the stage it forwards)
take their batch's: 已审信息, the review log, the candidate's timeline and the 确认单 check page read
the entry's own stage."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def stage_from_batch(apps, schema_editor):
    ReviewLog = apps.get_model("applications", "ReviewLog")
    ForwardBatch = apps.get_model("applications", "ForwardBatch")
    ReviewLog.objects.filter(action="forward", stage="", batch__isnull=False).update(
        stage=Subquery(ForwardBatch.objects.filter(pk=OuterRef("batch_id")).values("stage")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ("applications", "0012_verbose_names"),
    ]

    operations = [
        migrations.RunPython(stage_from_batch, migrations.RunPython.noop),
    ]
