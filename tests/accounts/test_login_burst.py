"""Sign-ins sent at once to one account take turns (PostgreSQL, a thread and a connection each).

Race probe: with four failures recorded (one try left), twelve attempts sent at once each passed
django-axes' lockout question before any failure was counted, so twelve passwords were checked and a
right one among them signed in (and wiped the burst's failures). The login view now holds the
account's turn (backends.hold_sign_in) around the question, the check and the count.
"""

import threading
import time
from functools import partial

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from prereg.accounts.backends import IdentifierBackend
from tests.applications.test_one_writer_races import started
from tests.factories import TEST_PASSWORD, CandidateFactory

pytestmark = pytest.mark.django_db(transaction=True)

WRONG = "Cuowu#2026pw"  # noqa: S105
BURST = 12


def post_login(username, password):
    return Client().post(reverse("accounts:login"), {"username": username, "password": password})


def waiting_for_locks() -> int:
    """Connections of this database waiting for a named (advisory) lock."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
                       "WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()")
        return cursor.fetchone()[0]


def burst(act, passwords, checked, go) -> dict:
    """`act(i, password)` for each of `passwords` at once, a thread (a connection) each, the last sent once
    all the others are at the gated password check (`checked` grows there, `go` lets it go on) or waiting
    for the account's turn; then the check let go: the outcomes by index."""

    def arrived(n):
        deadline = time.monotonic() + 15
        while len(checked) + waiting_for_locks() < n:
            assert time.monotonic() < deadline, (len(checked), waiting_for_locks())
            time.sleep(0.02)

    outcomes = {}
    *wrong, right = passwords
    threads = [started(outcomes, i, partial(act, i, password)) for i, password in enumerate(wrong)]
    arrived(len(wrong))
    threads.append(started(outcomes, len(wrong), partial(act, len(wrong), right)))
    arrived(len(passwords))
    go.set()
    for thread in threads:
        thread.join(30)
    return outcomes


def test_a_burst_with_one_try_left_checks_one_password_and_the_right_one_last_does_not_sign_in(
        postgres_only, monkeypatch):
    user = CandidateFactory(phone="15005000577")
    for _ in range(4):
        assert post_login(user.id_number, WRONG).status_code == 200
    assert not AccessAttempt.objects.filter(failures_since_start__gte=5).exists()

    # Every attempt that reaches the password check stops there until the whole burst has arrived
    # (at the check, or waiting for the account's turn), so without turns all twelve are past the
    # lockout question before any failure is counted, as the probe's burst was.
    checked, go, mutex = [], threading.Event(), threading.Lock()
    original = IdentifierBackend.authenticate

    def gated(self, request, username=None, password=None, **kwargs):
        with mutex:
            checked.append(password)
        go.wait(15)
        return original(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(IdentifierBackend, "authenticate", gated)

    outcomes = burst(lambda i, password: post_login(user.id_number if i % 2 else user.phone, password),
                     [WRONG] * (BURST - 1) + [TEST_PASSWORD], checked, go)  # the right one, last
    assert not any(isinstance(outcome, Exception) for outcome in outcomes.values()), outcomes
    statuses = [outcomes[i].status_code for i in range(BURST)]
    assert 302 not in statuses, statuses  # nobody signed in after the fifth failure
    assert len(checked) == 1, checked  # one password checked: the rest met the lock
    assert statuses.count(403) == BURST  # the fifth failure and every attempt after it: 锁定
    # Every attempt counted as a failure (axes counts those met by the lock too): no success reset them.
    assert AccessAttempt.objects.aggregate(n=Sum("failures_since_start"))["n"] == 4 + BURST
    monkeypatch.setattr(IdentifierBackend, "authenticate", original)
    assert post_login(user.id_number, TEST_PASSWORD).status_code == 403  # still locked


def test_an_attempt_on_an_unknown_name_takes_a_turn_as_a_known_one(monkeypatch):
    """An unknown name answers as a known one does: it waits for its own turn (the text it was
    typed as) and is refused as a wrong password."""
    from prereg.accounts import backends

    names = []
    original = backends.locks.hold
    monkeypatch.setattr(backends.locks, "hold", lambda name, *a, **k: (names.append(name), original(name, *a, **k)))
    user = CandidateFactory()
    known, unknown = post_login(user.id_number, WRONG), post_login("nobody-here", WRONG)
    assert known.status_code == unknown.status_code == 200
    assert names == [f"sign-in:{user.username}", "sign-in:nobody-here"]
