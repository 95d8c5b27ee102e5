"""Set-based writes of the org tree: many orgs created or re-pathed in a few statements.

Org.save() computes the search keys and the materialized path one org at a time (two queries
each); an import of a province's tree (~2,000 orgs and ~20,000 units, 100,000 rows at most)
reserves the ids first, computes every path and search key in memory, and inserts all rows with
one executemany; moved subtrees get their new paths the same way.
"""

from django.db import connection
from django.utils import timezone

from .models import Org, search_keys

BATCH = 1000


def create_tree(specs: list[dict], known: dict[str, tuple[int, str]]) -> dict[str, Org]:
    """Insert `specs` (dicts of Org field values plus "code" and "parent", a code or None) with their
    search keys and paths, in one statement run for every org. `known` maps the code of every org
    already stored that may be a parent to (id, path) as it will stand after the caller's other
    changes. The ids are taken from the table's sequence first, so each path (which ends with the
    org's own id) is known before the insert. Returns the created orgs (unsaved instances with
    their ids) by code."""
    pending = {spec["code"]: spec for spec in specs}
    ids = iter(reserve_ids(len(pending)))
    placed = dict(known)
    created: dict[str, Org] = {}
    now = timezone.now()
    while pending:  # parents first: one generation of the tree a pass
        generation = [spec for spec in pending.values() if spec["parent"] is None or spec["parent"] in placed]
        if not generation:
            raise ValueError("orphans or a cycle among the orgs to create: " + ", ".join(sorted(pending)[:5]))
        for spec in generation:
            fields = {k: v for k, v in spec.items() if k not in ("code", "parent")}
            parent_id, prefix = placed[spec["parent"]] if spec["parent"] else (None, "/")
            org = Org(pk=next(ids), code=spec["code"], parent_id=parent_id, created_at=now, updated_at=now, **fields)
            org.path = f"{prefix}{org.pk}/"
            org.depth = org.path.count("/") - 2
            org.pinyin, org.initials = search_keys(org.name, org.short_name)
            placed[org.code] = (org.pk, org.path)
            created[org.code] = org
            del pending[spec["code"]]
    insert(list(created.values()))
    return created


def reserve_ids(count: int) -> list[int]:
    """`count` ids no org has or had: from PostgreSQL's sequence; on SQLite (whose writer holds the
    database lock for the whole transaction) past both the highest id and AUTOINCREMENT's record."""
    if not count:
        return []
    table = Org._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                           [table, count])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        top = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        top = max(top, row[0] if row else 0)
    return list(range(top + 1, top + 1 + count))


def insert(orgs: list[Org]) -> None:
    """INSERT the orgs as they are (ids included), every column, in one executemany: Django's
    bulk_create costs a model-to-SQL conversion per field per row, most of an import's time."""
    if not orgs:
        return
    fields = list(Org._meta.concrete_fields)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    # Only the two datetimes need the backend's conversion; strings, numbers and booleans go as they are.
    convert = {f.attname: f for f in fields if f.get_internal_type() == "DateTimeField"}
    cache: dict = {}

    def value(org, field):
        raw = getattr(org, field.attname)
        if field.attname in convert:
            if raw not in cache:
                cache[raw] = field.get_db_prep_save(raw, connection)
            return cache[raw]
        return raw

    table = connection.ops.quote_name(Org._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(orgs), BATCH * 10):
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608 - our table
                               [[value(org, f) for f in fields] for org in orgs[start:start + BATCH * 10]])


def write_paths(paths: list[tuple[int, str]]) -> None:
    """Store (id, path) pairs and the depth that follows from each path: one statement run for
    every pair (executemany: SQLite steps a prepared statement, psycopg pipelines them); Django's
    bulk_update builds a CASE of a thousand branches per batch, which SQLite evaluates per row."""
    if not paths:
        return
    table = connection.ops.quote_name(Org._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET path = %s, depth = %s WHERE id = %s",  # noqa: S608 - our table
                           [(path, path.count("/") - 2, pk) for pk, path in paths])
