"""SQLite refuses UPDATE and DELETE on the audit log too (PostgreSQL does since 0003)."""

from django.db import migrations

from prereg.audit import sqlite


def create(apps, schema_editor):
    sqlite.run(schema_editor.connection, sqlite.CREATE)


def drop(apps, schema_editor):
    sqlite.run(schema_editor.connection, sqlite.DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_append_only_trigger")]

    operations = [migrations.RunPython(create, drop)]
