"""ID numbers of the 国网 roster are stored as every other page stores them, with an uppercase X
(columns.normalise_id, now validators.normalize_id_number); rows imported before kept a lowercase x,
which the lists showed ("3505**********305x") and a search typed with X no longer found. The
reminders sent from the roster (notify.RosterReminder) stored the same form: they are counted per ID
number against the yearly limit, so they follow, or a candidate reminded before would be counted
afresh."""

from django.db import migrations
from django.db.models.functions import Upper


def uppercase_x(apps, schema_editor):
    for model in (apps.get_model("reconcile", "RosterRow"), apps.get_model("notify", "RosterReminder")):
        model.objects.filter(id_number__contains="x").update(id_number=Upper("id_number"))


class Migration(migrations.Migration):

    dependencies = [
        ("reconcile", "0003_verbose_names"),
        ("notify", "0005_sms_delivery_retries"),
    ]

    operations = [migrations.RunPython(uppercase_x, migrations.RunPython.noop)]
