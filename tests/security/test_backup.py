"""Backup and restore: a backup restored into a fresh database and media folder has every row and byte."""

import sqlite3
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from prereg.applications.models import State
from prereg.audit.log import record
from prereg.core.management.backup import read_manifest, sha256_of, table_counts
from tests.factories import ApplicationFactory, ApplicationImageFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def data(tree, year, candidate, settings):
    application = ApplicationFactory(candidate=candidate, exam_year=year, unit=tree["35052401"], name="曹操",
                                     state=State.DRAFT)
    image = ApplicationImageFactory(application=application, file__filename="front.png", file__data=b"\x89PNG-one")
    image.thumbnail.save("front-t.jpg", ContentFile(b"\xff\xd8thumb"), save=True)
    for i in range(3):
        record("test.backup", actor=candidate, obj=application, details={"i": i})
    return Path(settings.MEDIA_ROOT)


def _media_checksums(root: Path) -> dict:
    return {str(p.relative_to(root)): sha256_of(p) for p in root.rglob("*") if p.is_file()}


def _restore_target(tmp_path):
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'restored.sqlite3'}", None
    name = f"prereg_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}", name


def _drop(name):
    if name:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize("fmt", [None, "json"], ids=["native", "dumpdata"])
def test_a_backup_restores_into_a_fresh_database_with_every_row_and_file(data, tmp_path, fmt):
    live_counts = table_counts(connection)
    live_media = _media_checksums(data)
    call_command("backup", str(tmp_path / "bk"), **({"format": fmt} if fmt else {}))

    manifest = read_manifest(tmp_path / "bk")
    assert manifest["format"] == fmt or fmt is None and manifest["format"] in ("sqlite", "pg_custom")
    assert manifest["tables"]["applications_application"] == 1 and manifest["tables"]["audit_auditevent"] == 3
    assert {k[len("media/"):]: v for k, v in manifest["files"].items() if k.startswith("media/")} == live_media

    url, db_name = _restore_target(tmp_path)
    try:
        call_command("restore", str(tmp_path / "bk"), database_url=url, media_root=str(tmp_path / "restored_media"))
        import environ

        from prereg.core.management.backup import temporary_connection

        with temporary_connection(environ.Env.db_url_config(url)) as restored:
            restored_counts = table_counts(restored)
            with restored.cursor() as cursor:
                cursor.execute("SELECT name FROM applications_application")
                assert cursor.fetchall() == [("曹操",)]
    finally:
        _drop(db_name)
    compared = {t for t in live_counts if t != "prereg_cache"}
    assert {t: restored_counts[t] for t in compared} == {t: live_counts[t] for t in compared}
    assert _media_checksums(tmp_path / "restored_media") == live_media


def test_a_sqlite_backup_is_a_database_file_that_opens(data, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite format")
    call_command("backup", str(tmp_path / "bk"))
    with sqlite3.connect(tmp_path / "bk" / "db.sqlite3") as copy:
        assert copy.execute("SELECT COUNT(*) FROM audit_auditevent").fetchone() == (3,)


def test_a_changed_byte_in_the_backup_stops_the_restore_before_anything_is_written(data, tmp_path):
    call_command("backup", str(tmp_path / "bk"))
    [image] = list((tmp_path / "bk" / "media").rglob("front*.png"))
    image.write_bytes(b"\x89PNG-two")
    with pytest.raises(CommandError, match=r"media/images/.*front.*\.png 缺失或已被改动"):
        call_command("restore", str(tmp_path / "bk"), database_url=f"sqlite:///{tmp_path / 'r.sqlite3'}",
                     media_root=str(tmp_path / "restored_media"))
    assert not (tmp_path / "restored_media").exists()


def test_restore_refuses_a_database_that_is_not_fresh(data, tmp_path):
    call_command("backup", str(tmp_path / "bk"))
    used = tmp_path / "used.sqlite3"
    sqlite3.connect(used).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(CommandError, match="目标数据库已有数据表"):
        call_command("restore", str(tmp_path / "bk"), database_url=f"sqlite:///{used}",
                     media_root=str(tmp_path / "restored_media"))


def test_backup_refuses_a_directory_that_is_not_empty(data, tmp_path):
    (tmp_path / "bk").mkdir()
    (tmp_path / "bk" / "old.txt").write_text("x")
    with pytest.raises(CommandError, match="不是空目录"):
        call_command("backup", str(tmp_path / "bk"))
