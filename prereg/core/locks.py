"""Named locks, held until the transaction ends: two acts on one name take turns.

For a check that must not be passed by two acts at once where no row stands for what is checked (a
phone number any account may take, the codes of a number, a rate limit's window, the org codes and
names). PostgreSQL: an advisory transaction lock on the name's hash. SQLite: the project opens every
transaction IMMEDIATE, which already serialises writers, so there is nothing to take.
"""

from django.db import DEFAULT_DB_ALIAS, connections


def hold(name: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """Wait for, then hold until the transaction of `using` ends, the lock called `name`."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
