"""`manage.py restore <dir>`: a backup into a fresh database and an empty media folder.

Checks every checksum of the manifest before touching anything, refuses a target that already
holds tables or files, and after the restore compares each table's row count with the manifest
and checks that every file a restored row names is in the restored media folder: a backup made
without it (or by an older version of `backup`) ends the restore with an error naming each one.
"""

import contextlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import environ
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from ..backup import (
    checksums,
    listed,
    missing_files,
    named_files,
    pg_env_and_args,
    read_manifest,
    table_counts,
    temporary_connection,
)

# Tables whose rows are not data: the cache is not backed up by dumpdata and need not come back.
NOT_COMPARED = {"prereg_cache"}


class Command(BaseCommand):
    help = "Restore a backup made by `backup` into a fresh database and media folder."

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--database-url", help="the fresh target database (default: the configured one)")
        parser.add_argument("--media-root", help="the empty target media folder (default: MEDIA_ROOT)")

    def handle(self, *args, directory, database_url=None, media_root=None, **options):
        source = Path(directory)
        manifest = read_manifest(source)
        self._verify_checksums(source, manifest)
        config = environ.Env.db_url_config(database_url) if database_url else dict(connection.settings_dict)
        media = Path(media_root or settings.MEDIA_ROOT)
        if media.exists() and any(media.iterdir()):
            raise CommandError(f"媒体目录 {media} 不是空的：请恢复到新的目录。")
        dump = source / manifest["database"]
        with temporary_connection(config) as target:
            if table_counts(target):
                raise CommandError("目标数据库已有数据表：请恢复到新建的空数据库。")
            target.close()
            {"sqlite": self._sqlite, "pg_custom": self._pg_restore, "json": self._loaddata}[manifest["format"]](
                dump, config, target)
            restored, named = table_counts(target), named_files(target)
        if (source / "media").exists():
            media.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(source / "media", media, dirs_exist_ok=True)
        self._compare(manifest, restored, media, source)
        missing = missing_files(named, media)
        if missing:
            raise CommandError(f"恢复后缺少数据库记录引用的 {len(missing)} 个文件：{listed(missing)}。"
                               "这些记录的图片无法查看：可在相邻日期的备份中查找这些文件。")
        self.stdout.write(f"恢复完成：{len(restored)} 张表，行数与校验值均与备份一致，记录引用的 {len(named)} 个文件齐全。")

    def _verify_checksums(self, source: Path, manifest: dict) -> None:
        actual = checksums(source)
        for name, digest in manifest["files"].items():
            if actual.get(name) != digest:
                raise CommandError(f"备份文件 {name} 缺失或已被改动（校验值不符），未做任何恢复。")

    def _sqlite(self, dump: Path, config: dict, target) -> None:
        if target.vendor != "sqlite":
            raise CommandError("该备份是 SQLite 格式，只能恢复到 SQLite 数据库。")
        with (contextlib.closing(sqlite3.connect(f"file:{dump}?mode=ro", uri=True)) as source,
              contextlib.closing(sqlite3.connect(config["NAME"])) as destination):
            source.backup(destination)

    def _pg_restore(self, dump: Path, config: dict, target) -> None:
        if target.vendor != "postgresql":
            raise CommandError("该备份是 pg_dump 格式，只能恢复到 PostgreSQL 数据库。")
        env, args = pg_env_and_args(config)
        result = subprocess.run(  # noqa: S603 - pg_restore from the PATH, arguments from the command line
            [shutil.which("pg_restore") or "pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--dbname", config["NAME"],
             *args, str(dump)],
            env={**os.environ, **env}, capture_output=True, text=True,
        )
        if result.returncode:
            raise CommandError(f"pg_restore 失败：{result.stderr.strip()[:500]}")

    def _loaddata(self, dump: Path, config: dict, target) -> None:
        alias = target.alias
        call_command("migrate", database=alias, verbosity=0, interactive=False)
        call_command("createcachetable", database=alias, verbosity=0)
        call_command("loaddata", str(dump), database=alias, verbosity=0)

    def _compare(self, manifest: dict, restored: dict, media: Path, source: Path) -> None:
        expected = {t: n for t, n in manifest["tables"].items() if t not in NOT_COMPARED}
        got = {t: n for t, n in restored.items() if t not in NOT_COMPARED}
        if expected != got:
            diff = {t: (expected.get(t), got.get(t)) for t in set(expected) | set(got) if expected.get(t) != got.get(t)}
            raise CommandError(f"恢复后的行数与备份不符：{diff}")
        wanted = {name[len("media/"):]: digest for name, digest in manifest["files"].items() if name.startswith("media/")}
        if checksums(media) != wanted:
            raise CommandError("恢复后的媒体文件与备份校验值不符。")
