"""`manage.py backup <dir>`: the database and the media folder, with a manifest of checksums.

SQLite is copied with the online backup API, PostgreSQL dumped with pg_dump (when it is on
the PATH) inside the snapshot the row counts are taken in, anything else with dumpdata. The
database is dumped before the media is copied, and files of replaced or deleted images stay in
storage for DELETED_IMAGE_RETENTION_HOURS, so every file a row of the dump names is still there
to copy (a file uploaded meanwhile may be there too, unnamed, which is harmless). The command
checks it: the names the dump's rows hold are read in the dump's own snapshot, and a backup
missing any of them ends with an error that names them. A file that vanishes during the copy
is listed, not fatal.
"""

import contextlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from ..backup import (
    FORMATS,
    checksums,
    copy_files,
    listed,
    missing_files,
    named_files,
    pg_env_and_args,
    table_counts,
    temporary_connection,
    write_manifest,
)


class Command(BaseCommand):
    help = "Back up the database and the media folder into a new directory, with SHA-256 checksums."

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--format", choices=sorted(FORMATS), help="default: sqlite, pg_custom or json by database")

    def handle(self, *args, directory, format=None, **options):
        target = Path(directory)
        if target.exists() and any(target.iterdir()):
            raise CommandError(f"{target} 不是空目录：备份不会覆盖已有文件。")
        target.mkdir(parents=True, exist_ok=True)
        fmt = format or self._default_format()
        dump = target / FORMATS[fmt]
        counts, named = {"sqlite": self._sqlite, "pg_custom": self._pg_dump, "json": self._dumpdata}[fmt](dump)
        media = Path(settings.MEDIA_ROOT)
        vanished = copy_files(media, target / "media") if media.exists() else []
        missing = missing_files(named, target / "media")
        manifest = {
            "created_at": timezone.now().isoformat(),
            "format": fmt,
            "database": FORMATS[fmt],
            "vendor": connection.vendor,
            "tables": counts,
            "files": checksums(target),
            "named_files": len(named),
            "vanished_during_copy": vanished,
            "missing_named_files": missing,
        }
        write_manifest(target, manifest)
        if vanished:
            self.stderr.write(f"复制期间被删除、未复制的文件 {len(vanished)} 个：{listed(vanished)}")
        if missing:
            raise CommandError(f"备份不完整：数据库备份中的记录引用的 {len(missing)} 个文件不在备份中："
                               f"{listed(missing)}。")
        rows = sum(counts.values())
        self.stdout.write(f"备份完成：{target}（{fmt}，{len(counts)} 张表 {rows} 行，{len(manifest['files'])} 个文件，"
                          f"记录引用的 {len(named)} 个文件齐全）")

    def _default_format(self) -> str:
        if connection.vendor == "sqlite":
            return "sqlite"
        if connection.vendor == "postgresql" and shutil.which("pg_dump"):
            return "pg_custom"
        return "json"

    def _sqlite(self, dump: Path) -> tuple[dict, set]:
        if connection.vendor != "sqlite":
            raise CommandError("sqlite 格式只适用于 SQLite 数据库。")
        connection.ensure_connection()
        with contextlib.closing(sqlite3.connect(dump)) as destination:
            connection.connection.backup(destination)
        # Counted from the copy: exactly what the backup holds.
        with temporary_connection({"ENGINE": "django.db.backends.sqlite3", "NAME": str(dump)}) as copy:
            return table_counts(copy), named_files(copy)

    def _pg_dump(self, dump: Path) -> tuple[dict, set]:
        if connection.vendor != "postgresql" or not shutil.which("pg_dump"):
            raise CommandError("pg_custom 格式需要 PostgreSQL 与 pg_dump。")
        config = connection.settings_dict
        env, args = pg_env_and_args(config)
        # One snapshot for the counts and the dump: pg_dump joins it with --snapshot.
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            counts, named = table_counts(connection), named_files(connection)
            subprocess.run(  # noqa: S603 - pg_dump from the PATH, arguments from settings
                [shutil.which("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                 f"--file={dump}", *args, config["NAME"]],
                env={**os.environ, **env}, check=True, capture_output=True,
            )
        return counts, named

    def _dumpdata(self, dump: Path) -> tuple[dict, set]:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # One snapshot for the counts, the file names and the dump (SQLite's write lock is one).
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            counts, named = table_counts(connection), named_files(connection)
            call_command("dumpdata", natural_foreign=True, exclude=["contenttypes", "auth.permission"],
                         output=str(dump), verbosity=0)
        return counts, named
