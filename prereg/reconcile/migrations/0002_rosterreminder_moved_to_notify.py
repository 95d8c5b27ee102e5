"""RosterReminder now belongs to notify (notify.0002 took it over with its table): drop it from
this app's state only; the table reconcile_rosterreminder and its rows stay."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('notify', '0002_reminders_from_exports_and_reconcile'),
        ('reconcile', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='RosterReminder')],
            database_operations=[],
        ),
    ]
