"""Many orgs created or re-pathed at once: an import of a province's tree (~2,000 orgs and ~20,000
units, 100,000 rows at most) and the demo's seed.

Org.save() computes the search keys and the materialized path one org at a time (two queries
each). Here each generation of the tree is one bulk_create, its parents' ids known from the one
before; the paths, which end with each org's own id, follow from the parents' in one UPDATE a
generation (fill_paths).
"""

from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat

from .models import Org, search_keys

BATCH = 1000


def insert_tree(specs: list[dict], ids: dict[str, int]) -> dict[str, int]:
    """Create `specs` (dicts of Org field values plus "code" and "parent", a code or None) with their
    search keys, parents first, and without paths (fill_paths gives them). `ids` maps the code of
    every stored org that may be a parent to its id. Returns the new orgs' ids by code."""
    pending = {spec["code"]: spec for spec in specs}
    placed = dict(ids)
    while pending:  # one generation of the tree a pass
        generation = [spec for spec in pending.values() if spec["parent"] is None or spec["parent"] in placed]
        if not generation:
            raise ValueError("orphans or a cycle among the orgs to create: " + ", ".join(sorted(pending)[:5]))
        orgs = []
        for spec in generation:
            org = Org(**{k: v for k, v in spec.items() if k != "parent"})
            org.parent_id = placed[spec["parent"]] if spec["parent"] else None
            org.pinyin, org.initials = search_keys(org.name, org.short_name)
            orgs.append(org)
        Org.objects.bulk_create(orgs, batch_size=BATCH)
        for org in orgs:
            placed[org.code] = org.pk
            del pending[org.code]
    return {code: placed[code] for code in placed.keys() - ids.keys()}


def clear_paths(pks: list[int]) -> None:
    """Take the paths of these orgs (a moved subtree), for fill_paths to give them again."""
    for start in range(0, len(pks), BATCH):
        Org.objects.filter(pk__in=pks[start:start + BATCH]).update(path="")


def fill_paths() -> None:
    """Give every org without a path (new, or cleared) its path and depth from its parent's: what
    Org.refresh_path does for one org, here for a whole generation of the tree in one UPDATE, until
    none is left. (bench org_import_s: the paths of 100,000 new orgs written by bulk_update took
    47 s of a 76 s import on SQLite; these UPDATEs take 0.5 s, 4.5 s on PostgreSQL.)"""
    parent = Org.objects.filter(pk=OuterRef("parent_id")).order_by()
    while Org.objects.filter(path="").exclude(parent__path="").update(
            path=Concat(Coalesce(Subquery(parent.values("path")), Value("/")), Cast("pk", CharField()), Value("/")),
            depth=Coalesce(Subquery(parent.values("depth")) + 1, 0)):
        pass
