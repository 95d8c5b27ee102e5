"""The append-only triggers of the audit log on SQLite (PostgreSQL's are in migration 0003).

Row triggers refuse every UPDATE and DELETE. Emptying the whole database (`manage.py flush`, as
test runs do between transactional tests) lifts them for the flush alone: see
management/commands/flush.py. SQLite has no TRUNCATE that would pass them like PostgreSQL's.
"""

TABLE = "audit_auditevent"
CREATE = [
    f"CREATE TRIGGER IF NOT EXISTS audit_append_only_update BEFORE UPDATE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only: UPDATE refused'); END",
    f"CREATE TRIGGER IF NOT EXISTS audit_append_only_delete BEFORE DELETE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only: DELETE refused'); END",
]
DROP = ["DROP TRIGGER IF EXISTS audit_append_only_update", "DROP TRIGGER IF EXISTS audit_append_only_delete"]


def run(connection, statements) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
