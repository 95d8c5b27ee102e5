"""Reminder (from exports) and RosterReminder (from reconcile) now belong to notify.

Only Django's state moves: each model keeps its table (Meta.db_table), so no row is copied and no
table is touched. exports.0004 and reconcile.0002 drop the models from their old apps' state, again
without touching the tables. The content types are renamed so that the permissions rows keep theirs.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = [("exports", "reminder"), ("reconcile", "rosterreminder")]


def _relabel(apps, old_app_of, new_app_of):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for app_label, model in MOVED:
        old, new = old_app_of(app_label), new_app_of(app_label)
        # A database migrated from empty has no content types yet (post_migrate creates them).
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def relabel_forwards(apps, schema_editor):
    _relabel(apps, lambda app: app, lambda app: "notify")


def relabel_backwards(apps, schema_editor):
    _relabel(apps, lambda app: "notify", lambda app: app)


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0009_eligibility_verdict'),
        ('catalog', '0006_level_project'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('exports', '0003_reminder_national'),
        ('notify', '0001_initial'),
        ('orgs', '0001_initial'),
        ('reconcile', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Reminder',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('draft', '未提交'), ('returned', '已退回'), ('national', '国网未报名')], max_length=10)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('application', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='applications.application')),
                        ('candidate', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('exam_year', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.examyear')),
                        ('org', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.org')),
                        ('sent_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('sms', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='notify.smsmessage')),
                    ],
                    options={
                        'verbose_name': '考生提醒',
                        'db_table': 'exports_reminder',
                        'ordering': ['-created_at'],
                        'indexes': [models.Index(fields=['candidate', 'exam_year'], name='exports_rem_candida_03a51d_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='RosterReminder',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('id_number', models.CharField(max_length=30)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('candidate', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('exam_year', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.examyear')),
                        ('org', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.org')),
                        ('sent_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('sms', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='notify.smsmessage')),
                    ],
                    options={
                        'db_table': 'reconcile_rosterreminder',
                        'indexes': [models.Index(fields=['exam_year', 'id_number'], name='reconcile_r_exam_ye_702386_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel_forwards, relabel_backwards),
    ]
