"""What `manage.py backup` and `manage.py restore` share: checksums, manifests, table counts.

A backup directory holds the database dump (one of three formats), a copy of the media folder
and manifest.json: the format, the SHA-256 of every file, and the row count of every table
as of the dump, so a restore proves it got back every byte and every row.
"""

import contextlib
import hashlib
import json
from pathlib import Path

from django.db import connections
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
    env = {}
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = str(config["PASSWORD"])
    args = []
    if config.get("HOST"):
        args += ["--host", str(config["HOST"])]
    if config.get("PORT"):
        args += ["--port", str(config["PORT"])]
    if config.get("USER"):
        args += ["--username", str(config["USER"])]
    return env, args
