"""`manage.py flush` that also empties the audit log on SQLite.

Django's flush empties SQLite tables with DELETE, which the audit log's append-only triggers
refuse row by row; they are lifted for the flush and put back after it (on PostgreSQL the
flush is a TRUNCATE, which the row triggers do not see). Test runs flush between transactional
tests; in production, emptying the whole database is an operator's act, not the application's.
"""

from django.core.management.commands import flush
from django.db import connections

from prereg.audit import sqlite


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        sqlite.run(connection, sqlite.DROP)
        try:
            super().handle(**options)
        finally:
            sqlite.run(connection, sqlite.CREATE)
