"""Backups while candidates replace their photos (issue 14, item 8): every file a row of the dump
names is in the backup, a file vanishing during the copy is reported rather than fatal, and
`restore` names every file its rows name that it did not get back."""

import io
import shutil
import threading
import uuid
from pathlib import Path

import environ
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from prereg.applications import images
from prereg.applications.carryover import start_application
from prereg.applications.models import ApplicationImage
from prereg.core.management.backup import read_manifest, temporary_connection
from tests.factories import CandidateFactory, jpeg_upload

pytestmark = pytest.mark.django_db(transaction=True)

SLOTS = ("photo", "id_front", "id_back")


@pytest.fixture
def applications(year):
    made = []
    for _ in range(4):
        application = start_application(candidate=CandidateFactory(), exam_year=year)
        _replace_images(application)
        made.append(application)
    return made


def _replace_images(application):
    for slot in SLOTS:
        images.images_add(actor=application.candidate, application=application, slot=slot,
                          uploads=[jpeg_upload(size=(240, 320), color=(uuid.uuid4().int % 256, 30, 30))])


def _live_names() -> set[str]:
    return {name for image in ApplicationImage.objects.all() for name in (image.file.name, image.thumbnail.name)}


def _restored_names(bk: Path, tmp_path: Path) -> tuple[set[str], Path]:
    """Restore `bk` into a fresh database and media folder; the file names its image rows hold."""
    media = tmp_path / "restored_media"
    if connection.vendor == "sqlite":
        url, name = f"sqlite:///{tmp_path / 'restored.sqlite3'}", None
    else:
        name = f"prereg_restore_{uuid.uuid4().hex[:8]}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        s = connection.settings_dict
        url = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"
    try:
        call_command("restore", str(bk), database_url=url, media_root=str(media), stdout=io.StringIO())
        with temporary_connection(environ.Env.db_url_config(url)) as restored, restored.cursor() as cursor:
            cursor.execute("SELECT file, thumbnail FROM applications_applicationimage")
            return {name for row in cursor.fetchall() for name in row}, media
    finally:
        if name:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_photos_replaced_during_the_copy_are_all_in_the_backup_and_a_vanished_file_is_reported(
        applications, settings, tmp_path, monkeypatch):
    dumped = _live_names()
    orphan = Path(settings.MEDIA_ROOT) / "exports" / "finished.xlsx"  # a file no row names
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"PK-old-export")
    copy = shutil.copyfile
    replaced = []

    def copy_while_candidates_write(src, dst, *args, **kwargs):
        # Deterministic interleaving: the database is dumped; before the first file is copied every
        # candidate replaces all three photos, and the orphan goes just before its own copy.
        if not replaced:
            for application in applications:
                _replace_images(application)
            replaced.append(True)
        if Path(src) == orphan:
            orphan.unlink()
        return copy(src, dst, *args, **kwargs)

    monkeypatch.setattr(shutil, "copyfile", copy_while_candidates_write)
    err = io.StringIO()
    call_command("backup", str(tmp_path / "bk"), stdout=io.StringIO(), stderr=err)
    monkeypatch.undo()

    assert replaced and _live_names().isdisjoint(dumped)  # every photo was replaced after the dump
    manifest = read_manifest(tmp_path / "bk")
    assert manifest["missing_named_files"] == [] and manifest["named_files"] == len(dumped) == 24
    assert manifest["vanished_during_copy"] == ["exports/finished.xlsx"]
    assert "复制期间被删除、未复制的文件 1 个：exports/finished.xlsx" in err.getvalue()
    assert all((tmp_path / "bk" / "media" / name).is_file() for name in dumped)

    restored, media = _restored_names(tmp_path / "bk", tmp_path)
    assert restored == dumped
    assert all((media / name).is_file() for name in restored)


def test_a_backup_taken_while_candidates_keep_replacing_photos_restores_with_every_file(
        postgres_only, applications, tmp_path):
    stop = threading.Event()
    rounds = []
    errors = []

    def candidates_replacing():
        try:
            while not stop.is_set():
                for application in applications:
                    _replace_images(application)
                rounds.append(1)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    writer = threading.Thread(target=candidates_replacing)
    writer.start()
    try:
        while not rounds:  # the candidates are writing before the backup starts
            stop.wait(0.01)
        call_command("backup", str(tmp_path / "bk"), stdout=io.StringIO(), stderr=io.StringIO())
    finally:
        stop.set()
        writer.join()
    assert errors == [] and len(rounds) >= 2
    assert read_manifest(tmp_path / "bk")["missing_named_files"] == []
    restored, media = _restored_names(tmp_path / "bk", tmp_path)
    assert len(restored) == 24 and all((media / name).is_file() for name in restored)


def test_a_backup_and_a_restore_name_each_file_a_row_names_that_is_missing(applications, tmp_path):
    gone = ApplicationImage.objects.filter(slot="photo").order_by("pk").first()
    Path(gone.file.path).unlink()  # lost before the backup (a disk fault, a hand-made copy)

    with pytest.raises(CommandError, match=rf"备份不完整：数据库备份中的记录引用的 1 个文件不在备份中：{gone.file.name}"):
        call_command("backup", str(tmp_path / "bk"), stdout=io.StringIO())
    assert read_manifest(tmp_path / "bk")["missing_named_files"] == [gone.file.name]

    with pytest.raises(CommandError, match=rf"恢复后缺少数据库记录引用的 1 个文件：{gone.file.name}"):
        _restored_names(tmp_path / "bk", tmp_path)
