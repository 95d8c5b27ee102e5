"""What `manage.py backup` and `manage.py restore` share: checksums, manifests, table counts, files.

A backup directory holds the database dump (one of three formats), a copy of the media folder
and manifest.json: the format, the SHA-256 of every file, and the row count of every table
as of the dump, so a restore proves it got back every byte and every row. Both commands also
check that every file a row names (any FileField of any model) is in the copy.
"""

import contextlib
import hashlib
import json
import os
import shutil
from pathlib import Path

from django.apps import apps
from django.db import connections, models
from django.db.utils import load_backend

MANIFEST = "manifest.json"
FORMATS = {
    "sqlite": "db.sqlite3",    # SQLite online backup API: a consistent copy of a live database
    "pg_custom": "db.dump",    # pg_dump --format=custom, in the snapshot the row counts were taken in
    "json": "db.json",         # dumpdata: any database, when neither of the above applies
}
TEMP_ALIAS = "backup_target"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def checksums(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): sha256_of(path)
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }


def read_manifest(directory: Path) -> dict:
    return json.loads((directory / MANIFEST).read_text())


def write_manifest(directory: Path, manifest: dict) -> None:
    (directory / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True))


def table_counts(connection) -> dict[str, int]:
    """Rows per table of the project's schema (every table the introspection sees)."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def named_files(connection) -> set[str]:
    """The storage names of every file a row names: each FileField column of each model's table."""
    tables = set(connection.introspection.table_names())
    quote = connection.ops.quote_name
    names = set()
    with connection.cursor() as cursor:
        for model in apps.get_models():
            if model._meta.db_table not in tables:
                continue
            for field in model._meta.concrete_fields:
                if isinstance(field, models.FileField):
                    column, table = quote(field.column), quote(model._meta.db_table)
                    cursor.execute(f"SELECT {column} FROM {table} WHERE {column} <> ''")  # noqa: S608
                    names.update(name for (name,) in cursor.fetchall() if name)
    return names


def missing_files(names: set[str], media: Path) -> list[str]:
    return sorted(name for name in names if not (media / name).is_file())


def listed(names: list[str], most: int = 20) -> str:
    shown = "、".join(names[:most])
    return shown + (f" 等 {len(names)} 个" if len(names) > most else "")


def copy_files(source: Path, target: Path) -> list[str]:
    """Copy the tree `source` into `target`; the files that vanished before their copy, by name.

    The media folder changes while it is copied (uploads, a purge of deleted images): a file gone
    between the listing and its copy is reported, not a reason to give up the whole backup.
    """
    vanished = []
    for directory, _subdirectories, files in os.walk(source):
        here = Path(directory)
        into = target / here.relative_to(source)
        into.mkdir(parents=True, exist_ok=True)
        for name in sorted(files):
            try:
                shutil.copyfile(here / name, into / name)
            except FileNotFoundError:
                vanished.append((here / name).relative_to(source).as_posix())
    return vanished


@contextlib.contextmanager
def temporary_connection(config: dict):
    """A connection to a database given by URL config, usable as `database=TEMP_ALIAS`.

    Set on the handler for this thread only, not added to the configured databases.
    """
    settings = connections.configure_settings({"default": dict(config)})["default"]
    wrapper = load_backend(settings["ENGINE"]).DatabaseWrapper(settings, TEMP_ALIAS)
    connections[TEMP_ALIAS] = wrapper
    try:
        yield wrapper
    finally:
        wrapper.close()
        del connections[TEMP_ALIAS]


def pg_env_and_args(config: dict) -> tuple[dict, list[str]]:
    """libpq environment and arguments for pg_dump/pg_restore from a Django database config."""
    env = {"PGPASSWORD": str(config["PASSWORD"])} if config.get("PASSWORD") else {}
    args = [arg for key, option in [("HOST", "--host"), ("PORT", "--port"), ("USER", "--username")]
            if config.get(key) for arg in (option, str(config[key]))]
    return env, args
