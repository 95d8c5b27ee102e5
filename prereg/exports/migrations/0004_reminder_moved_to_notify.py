"""Reminder now belongs to notify (notify.0002 took it over with its table): drop it from this
app's state only; the table exports_reminder and its rows stay."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('exports', '0003_reminder_national'),
        ('notify', '0002_reminders_from_exports_and_reconcile'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='Reminder')],
            database_operations=[],
        ),
    ]
