"""Set-based writes of the org tree: many orgs created or re-pathed in a few queries.

Org.save() computes the search keys and the materialized path one org at a time (two queries
each); an import of a province's tree (~2,000 orgs and ~20,000 units, 100,000 rows at most)
inserts one generation of the tree per bulk_create instead and writes the paths in batches.
"""

from django.db import connection
from django.utils import timezone

from .models import Org, search_keys

BATCH = 1000


def create_tree(specs: list[dict], known: dict[str, tuple[int, str]]) -> dict[str, Org]:
    """Insert `specs` (dicts of Org field values plus "code" and "parent", a code or None) parents
    first, one bulk_create per generation, and set their paths. `known` maps the code of every
    org already stored that may be a parent to (id, path) as it will stand after the caller's
    other changes. Returns the created orgs by code."""
    pending = {spec["code"]: spec for spec in specs}
    known = dict(known)
    created: dict[str, Org] = {}
    now = timezone.now()
    while pending:
        generation = [spec for spec in pending.values() if spec["parent"] is None or spec["parent"] in known]
        if not generation:
            raise ValueError("orphans or a cycle among the orgs to create: " + ", ".join(sorted(pending)[:5]))
        objs = []
        for spec in generation:
            fields = {k: v for k, v in spec.items() if k not in ("code", "parent")}
            org = Org(code=spec["code"], parent_id=known[spec["parent"]][0] if spec["parent"] else None,
                      created_at=now, updated_at=now, **fields)
            org.pinyin, org.initials = search_keys(org.name, org.short_name)
            objs.append(org)
        Org.objects.bulk_create(objs, batch_size=BATCH)
        for spec, org in zip(generation, objs, strict=True):
            prefix = known[spec["parent"]][1] if spec["parent"] else "/"
            org.path = f"{prefix}{org.pk}/"
            org.depth = org.path.count("/") - 2
            known[org.code] = (org.pk, org.path)
            created[org.code] = org
            del pending[spec["code"]]
    write_paths([(org.pk, org.path) for org in created.values()])
    return created


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
