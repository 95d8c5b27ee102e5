"""On PostgreSQL the database itself refuses UPDATE and DELETE on the audit log.

TRUNCATE stays possible for the owner (test databases are flushed with it); the application's
role in production should own no audit table privilege beyond INSERT and SELECT (docs/security.md).
SQLite has no such triggers here: the embedded set-up relies on the verifier.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_append_only ON audit_auditevent;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_refuse_change();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)  # no parameters: the "%" of RAISE stays literal

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_actor_kept")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
