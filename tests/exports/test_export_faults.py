"""An export that dies part-way: nothing of its data stays in the temporary directory, and a job
whose database connection died fails at once with the right reason (races-and-faults probe)."""

import tempfile
from pathlib import Path

import pytest
from django.db import OperationalError, connection

from prereg.exports import runner
from prereg.exports.models import ColumnSet, ExportFormat, ExportJob, ExportStatus
from tests.factories import ExportJobFactory, make_application

FAILED = "生成失败，请稍后重试或联系管理员。"


@pytest.fixture
def temp_dir():
    """The system's temporary directory, as /tmp of the probe's machine: the test's own (conftest)."""
    return Path(tempfile.gettempdir())


def rows_then(error, monkeypatch):
    """The scope's rows are read, written, and then the database fails (killed connection)."""
    real = runner.iter_row_chunks

    def dying(*args, **kwargs):
        yield from real(*args, **kwargs)
        raise error

    monkeypatch.setattr(runner, "iter_row_chunks", dying)


@pytest.mark.parametrize("full_numbers", [False, True])
def test_an_xlsx_export_failing_part_way_leaves_no_file_in_the_temporary_directory(
        tree, year, reviewer_quanzhou, temp_dir, monkeypatch, full_numbers):
    # The probe found xlsxwriter's own temporary file (30 MB, 16,272 rows of names, addresses
    # and ID numbers) in /tmp after each export that failed or was killed mid-way.
    make_application(tree, year, "35052401", name="张三")
    rows_then(OperationalError("terminating connection due to administrator command"), monkeypatch)
    job = ExportJobFactory(owner=reviewer_quanzhou, queued=True, format=ExportFormat.XLSX,
                           columns=ColumnSet.FULL, full_numbers=full_numbers)
    runner.run_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == (ExportStatus.FAILED, FAILED)
    assert list(temp_dir.iterdir()) == []


def test_an_xlsx_export_writes_its_temporary_files_in_its_own_directory(tree, year, reviewer_quanzhou, temp_dir,
                                                                       monkeypatch):
    make_application(tree, year, "35052401", name="张三")
    seen = []
    real = runner.write_xlsx

    def watched(path, headers, chunks, **kwargs):
        seen.append((path, kwargs["tmpdir"]))
        return real(path, headers, chunks, **kwargs)

    monkeypatch.setattr(runner, "write_xlsx", watched)
    job = ExportJobFactory(owner=reviewer_quanzhou, queued=True, format=ExportFormat.XLSX, columns=ColumnSet.FULL)
    runner.run_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.row_count) == (ExportStatus.DONE, 1)
    [(path, tmpdir)] = seen
    assert tmpdir.startswith(str(temp_dir / f"{runner.TMP_PREFIX}{job.pk}-")) and path.startswith(tmpdir)
    assert list(temp_dir.iterdir()) == []  # removed once stored


def test_the_temporary_directory_of_an_export_killed_mid_way_is_removed(tree, year, reviewer_quanzhou, temp_dir):
    # kill -9 runs no finally: the next run (or abandon_stale) removes what a job no longer running left.
    killed = ExportJobFactory(owner=reviewer_quanzhou, status=ExportStatus.FAILED)
    running = ExportJobFactory(owner=reviewer_quanzhou, running=True)
    for job in (killed, running):
        left = temp_dir / f"{runner.TMP_PREFIX}{job.pk}-k3x9"
        left.mkdir()
        (left / "tmphzo4svy2").write_text("张三,1980-01-01,福建省泉州市…")
        (left / "export.xlsx").write_bytes(b"")
    (temp_dir / "someone-else").mkdir()
    assert runner.remove_leftovers() == 1
    assert sorted(p.name for p in temp_dir.iterdir()) == sorted(
        [f"{runner.TMP_PREFIX}{running.pk}-k3x9", "someone-else"])


class DeadConnection:
    """After die(), every statement fails as on a connection the server ended (pg_terminate_backend),
    until the connection is closed and opened again."""

    def __init__(self, monkeypatch):
        self.dead = False
        close = connection.close

        def closed():
            self.dead = False
            close()

        monkeypatch.setattr(connection, "close", closed)

    def die(self):
        self.dead = True

    def __call__(self, execute, sql, params, many, context):
        if self.dead:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)


@pytest.mark.django_db(transaction=True)
def test_an_export_whose_connection_died_fails_at_once_with_its_reason(tree, year, reviewer_quanzhou, monkeypatch):
    # The probe saw "export 3 failed", then the job 生成中 for a minute, then failed as
    # 生成中断（后台服务已停止）: the failure was written on the dead connection and raised.
    make_application(tree, year, "35052401")
    dead = DeadConnection(monkeypatch)

    def dying():
        dead.die()
        raise OperationalError("terminating connection due to administrator command")
        yield  # a generator, as the real one

    monkeypatch.setattr(runner, "iter_row_chunks", lambda *args, **kwargs: dying())
    job = ExportJobFactory(owner=reviewer_quanzhou, queued=True, format=ExportFormat.CSV)
    with connection.execute_wrapper(dead):
        runner.run_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == (ExportStatus.FAILED, FAILED)
    assert job.finished_at is not None


@pytest.mark.django_db(transaction=True)
def test_an_export_whose_postgresql_session_was_terminated_fails_at_once(tree, year, reviewer_quanzhou,
                                                                         monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    make_application(tree, year, "35052401")

    def terminated(*args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        yield []

    monkeypatch.setattr(runner, "iter_row_chunks", terminated)
    job = ExportJobFactory(owner=reviewer_quanzhou, queued=True, format=ExportFormat.CSV)
    runner.run_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == (ExportStatus.FAILED, FAILED)
    assert ExportJob.objects.filter(status=ExportStatus.RUNNING).count() == 0


def test_an_export_written_but_not_recorded_leaves_no_file_and_fails(tree, year, reviewer_quanzhou, monkeypatch,
                                                                    settings, tmp_path):
    """The database fails at the job's last update (a dead connection, a lock timed out): the file of
    personal data it would have named is removed and the job fails, not left running with a file no row names."""
    settings.MEDIA_ROOT = tmp_path
    make_application(tree, year, "35052401")
    real = runner.record

    def failing(event, **kwargs):
        if event == "export.finished":
            raise OperationalError("canceling statement due to lock timeout")
        return real(event, **kwargs)

    monkeypatch.setattr(runner, "record", failing)
    job = ExportJobFactory(owner=reviewer_quanzhou, queued=True, format=ExportFormat.CSV)
    runner.run_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.error, job.file.name or "") == (ExportStatus.FAILED, FAILED, "")
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]
