"""The audit log is a tamper-evident chain: any changed byte, removed or renumbered entry shows."""

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.test import RequestFactory

from prereg.audit import sqlite
from prereg.audit.log import GENESIS, record
from prereg.audit.models import AuditEvent, Outcome
from prereg.audit.verify import verify_chain
from prereg.core import middleware

COLUMNS = ["id", "created_at", "actor_id", "actor_name", "actor_org", "client_ip", "event", "object_type",
           "object_id", "outcome", "details", "request_id", "prev_hash", "hash"]


@pytest.fixture
def chain(reviewer_anxi_bureau, candidate):
    """Five entries with every column filled."""
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3")
    token = middleware._request_id.set("abc123def456")
    try:
        for i in range(5):
            record(f"test.event{i}", actor=reviewer_anxi_bureau, obj=candidate, request=request,
                   outcome=Outcome.SUCCESS if i % 2 else Outcome.DENIED, details={"n": i, "note": "审核意见"})
    finally:
        middleware._request_id.reset(token)
    return list(AuditEvent.objects.order_by("pk"))


def _lift_triggers(cursor):
    """What an intruder with SQL access does first (inside the test's transaction: rolled back)."""
    table = AuditEvent._meta.db_table
    if connection.vendor == "postgresql":
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER audit_append_only")
    else:
        for statement in sqlite.DROP:
            cursor.execute(statement)


def _put_back_triggers(cursor):
    if connection.vendor == "postgresql":
        cursor.execute(f"ALTER TABLE {AuditEvent._meta.db_table} ENABLE TRIGGER audit_append_only")
    else:
        for statement in sqlite.CREATE:
            cursor.execute(statement)


def _raw_update(pk, column, value):
    """Changes a column behind the application's back, as an intruder with SQL access would."""
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        _lift_triggers(cursor)
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])  # noqa: S608
        _put_back_triggers(cursor)


def _raw_value(pk, column) -> str:
    cast = "::text" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column}{cast} FROM {AuditEvent._meta.db_table} WHERE id = %s", [pk])  # noqa: S608
        return str(cursor.fetchone()[0])


def _change_one_byte(text: str) -> str:
    """The last digit or letter, replaced by another of its kind: one byte, still a valid value.

    A Chinese character becomes its neighbour in Unicode, which differs in the last UTF-8 byte.
    """
    for i in range(len(text) - 1, -1, -1):
        ch = text[i]
        if ch.isdigit():
            return text[:i] + str((int(ch) + 1) % 10) + text[i + 1:]
        if ch.isascii() and ch.isalpha():
            return text[:i] + ("b" if ch.lower() == "a" else "a") + text[i + 1:]
        if not ch.isascii() and ch.isalpha():
            return text[:i] + chr(ord(ch) + 1) + text[i + 1:]
    raise AssertionError(f"nothing to change in {text!r}")


def test_an_untouched_chain_verifies(chain):
    result = verify_chain()
    assert result.ok and result.count == 5 and result.head == chain[-1].hash
    assert chain[0].prev_hash == GENESIS and [e.pk for e in chain] == [1, 2, 3, 4, 5]
    assert all(chain[i].prev_hash == chain[i - 1].hash for i in range(1, 5))


@pytest.mark.parametrize("row", [0, 2, 4], ids=["first row", "middle row", "last row"])
@pytest.mark.parametrize("column", COLUMNS)
def test_one_changed_byte_in_any_column_is_found_at_that_entry(chain, column, row):
    target = chain[row]
    if column == "id":
        _raw_update(target.pk, "id", target.pk + 5)  # "3" -> "8": renumbered, the gap shows at once
    else:
        _raw_update(target.pk, column, _change_one_byte(_raw_value(target.pk, column)))
    result = verify_chain()
    assert not result.ok
    # A renumbered entry leaves a gap where it was (found at its successor, or at itself when it
    # was the last); everything else shows at the entry itself.
    if column == "id":
        assert result.broken.pk == (target.pk + 1 if row < 4 else target.pk + 5), (column, result.broken)
    else:
        assert result.broken.pk == target.pk, (column, result.broken)
    assert result.count == row  # the entries before it are still proven


def test_a_deleted_entry_in_the_middle_is_found(chain):
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        _lift_triggers(cursor)
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [chain[1].pk])  # noqa: S608
    assert verify_chain().broken.pk == chain[2].pk


def test_audit_verify_command_reports_the_first_broken_entry(chain, capsys):
    call_command("audit_verify")
    assert "审计日志完好：5 条" in capsys.readouterr().out
    _raw_update(chain[3].pk, "event", "test.forged")
    with pytest.raises(CommandError) as excinfo:
        call_command("audit_verify")
    assert "row 4: 内容与其哈希不符" in str(excinfo.value)


# Values an intruder may write that are not of the column's type, or no value at all: each is
# refused by the database (nothing to find) or found at its row, never a crash (issue 16).
TAMPERED = {"text": "not a value", "null": None, "number": 12345, "broken json": '{"n": ', "empty": ""}


def _run_audit_verify():
    """The command as `manage.py audit_verify` runs it: (exit code, stderr)."""
    import io

    from prereg.audit.management.commands.audit_verify import Command

    stderr = io.StringIO()
    command = Command(stdout=io.StringIO(), stderr=stderr)
    try:
        command.run_from_argv(["manage.py", "audit_verify"])
    except SystemExit as exc:
        return exc.code, stderr.getvalue()
    return 0, stderr.getvalue()


@pytest.mark.parametrize("kind", list(TAMPERED))
@pytest.mark.parametrize("column", COLUMNS)
def test_any_tampering_of_any_column_is_named_by_its_row_without_a_traceback(chain, column, kind):
    target = chain[2]
    try:
        with transaction.atomic():
            _raw_update(target.pk, column, TAMPERED[kind])
    except DatabaseError:
        return  # the database refuses such a value in that column: nothing was changed
    code, stderr = _run_audit_verify()
    expected = target.pk + 1 if column == "id" else target.pk
    assert code == 1 and f"row {expected}: " in stderr and "Traceback" not in stderr, (code, stderr)


def test_an_unparseable_date_is_named_instead_of_crashing_the_verifier(chain):
    """Issue 16: audit_verify died with an AttributeError on a created_at changed to garbage."""
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL refuses a value that is not a timestamp in the column")
    _raw_update(chain[1].pk, "created_at", "2026-13-45 99:99")
    result = verify_chain()
    assert result.broken.pk == chain[1].pk and result.count == 1
    assert str(result.broken).startswith(f"row {chain[1].pk}: ")


def test_sqlite_refuses_update_and_delete_of_the_log_too(chain):
    """Issue 16: on SQLite the log could be updated and deleted freely."""
    for statement in (AuditEvent.objects.filter(pk=1).update, AuditEvent.objects.filter(pk=1).delete):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            statement(**({"event": "x"} if statement.__name__ == "update" else {}))
    assert verify_chain().ok and AuditEvent.objects.count() == 5


def test_a_rolled_back_entry_leaves_no_gap(db):
    record("test.kept")
    with pytest.raises(RuntimeError), transaction.atomic():
        record("test.rolled_back")
        raise RuntimeError
    record("test.after")
    assert list(AuditEvent.objects.values_list("pk", "event")) == [(1, "test.kept"), (2, "test.after")]
    assert verify_chain().ok


def test_postgresql_refuses_update_and_delete_of_the_log(postgres_only, chain):
    for statement in (AuditEvent.objects.filter(pk=1).update, AuditEvent.objects.filter(pk=1).delete):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            statement(**({"event": "x"} if statement.__name__ == "update" else {}))
    assert verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_200_concurrent_writers_keep_one_valid_chain(postgres_only):
    """Each thread has its own connection; PostgreSQL allows 100, so at most 40 are open at once."""
    writers, open_connections = 200, threading.BoundedSemaphore(40)
    start = threading.Barrier(writers)
    errors = []

    def write(n):
        start.wait()
        with open_connections:
            try:
                with transaction.atomic():
                    record("test.concurrent", details={"writer": n})
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)
            finally:
                connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = verify_chain()
    assert result.ok and result.count == writers
    assert sorted(e["writer"] for e in AuditEvent.objects.values_list("details", flat=True)) == list(range(writers))
