"""Set-based writes of the org tree: many orgs created or re-pathed in a few statements.

Org.save() computes the search keys and the materialized path one org at a time (two queries
each); an import of a province's tree (~2,000 orgs and ~20,000 units, 100,000 rows at most)
reserves the ids first, computes every path and search key in memory, and inserts all rows with
one executemany; moved subtrees get their new paths the same way.
"""

from typing import NamedTuple

from django.db import connection
from django.utils import timezone

from .models import Org, search_keys

BATCH = 1000


class Created(NamedTuple):
    pk: int
    path: str
    parent_id: int | None


def create_tree(specs: list[dict], known: dict[str, tuple[int, str]]) -> dict[str, Created]:
    """Insert `specs` (dicts of Org field values plus "code" and "parent", a code or None) with their
    search keys and paths, in one statement run for every org. `known` maps the code of every org
    already stored that may be a parent to (id, path) as it will stand after the caller's other
    changes. The ids are taken from the table's sequence first, so each path (which ends with the
    org's own id) is known before the insert. Returns (id, path, parent id) by code."""
    pending = {spec["code"]: spec for spec in specs}
    ids = iter(reserve_ids(len(pending)))
    placed = dict(known)
    created: dict[str, Created] = {}
    fields = list(Org._meta.concrete_fields)
    defaults = {f.attname: f.get_default() for f in fields}
    now = Org._meta.get_field("created_at").get_db_prep_save(timezone.now(), connection)
    rows = []
    while pending:  # parents first: one generation of the tree a pass
        generation = [spec for spec in pending.values() if spec["parent"] is None or spec["parent"] in placed]
        if not generation:
            raise ValueError("orphans or a cycle among the orgs to create: " + ", ".join(sorted(pending)[:5]))
        for spec in generation:
            parent_id, prefix = placed[spec["parent"]] if spec["parent"] else (None, "/")
            pk = next(ids)
            path = f"{prefix}{pk}/"
            values = {**defaults, **{k: v for k, v in spec.items() if k != "parent"}}
            values.update(id=pk, parent_id=parent_id, path=path, depth=path.count("/") - 2, created_at=now,
                          updated_at=now)
            values["pinyin"], values["initials"] = search_keys(values["name"], values["short_name"])
            rows.append([values[f.attname] for f in fields])
            placed[spec["code"]] = (pk, path)
            created[spec["code"]] = Created(pk, path, parent_id)
            del pending[spec["code"]]
    insert(fields, rows)
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


def insert(fields, rows: list[list]) -> None:
    """INSERT rows of values (in the order of `fields`, ids included) with one executemany (bench key
    org_import_s: bulk_create's model instance and per-field conversion of each row was most of an
    import's time). The values are ready for the database (the datetimes converted by the caller)."""
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(Org._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH * 10):
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608 - our table
                               rows[start:start + BATCH * 10])


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
