"""Rate limits: a sliding window per key, shared by every process through the cache."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connections
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from prereg.audit.models import AuditEvent
from prereg.core import ratelimit
from tests.factories import TEST_PASSWORD, CandidateFactory

BASE_DIR = Path(__file__).resolve().parents[2]
DATABASE_CACHE = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "prereg_cache"}}


def test_hits_count_up_to_the_limit_within_one_window_and_are_let_through_once_they_are_old(db):
    assert [ratelimit.hit("t", "10.0.0.1", limit=3, window=60, now=6000) for _ in range(4)] == [
        True, True, True, False]
    assert ratelimit.hit("t", "10.0.0.2", limit=3, window=60, now=6010)  # another key, its own count
    assert not ratelimit.hit("t", "10.0.0.1", limit=3, window=60, now=6059)  # still within 60 s
    assert ratelimit.hit("t", "10.0.0.1", limit=3, window=60, now=6066)  # a window (and a bucket) later


def test_the_window_slides_so_the_limit_is_not_doubled_across_a_window_edge(db):
    """Issue 16: counted in fixed 300-second windows, the limit was let through at 4:59 and again
    at 5:01 (twice the limit within two seconds)."""
    before_edge = [ratelimit.hit("login", "10.0.0.9", limit=100, window=300, now=3 * 300 - 1) for _ in range(100)]
    after_edge = [ratelimit.hit("login", "10.0.0.9", limit=100, window=300, now=3 * 300 + 1) for _ in range(100)]
    assert all(before_edge) and not any(after_edge)
    # Spread out, 30 hits 10 s apart never trip a limit of 100 in 300 s...
    for n in range(30):
        assert ratelimit.hit("login", "10.0.0.8", limit=100, window=300, now=10_000 + n * 10)
    # ... and the wait said is the time until the oldest hits leave the window.
    wait = ratelimit.spent("login", "10.0.0.9", limit=100, window=300, now=3 * 300 + 1)
    assert 0 < wait <= 300 + 30
    assert ratelimit.hit("login", "10.0.0.9", limit=100, window=300, now=3 * 300 + 1 + wait)


def test_failed_sign_ins_are_limited_across_a_window_edge(client, settings, candidate, monkeypatch):
    settings.RATE_LIMITS = {"login": (3, 300)}
    url = reverse("accounts:login")
    clock = [6 * 300 - 2]
    monkeypatch.setattr(ratelimit.time, "time", lambda: clock[0])
    for _ in range(3):
        assert client.post(url, {"username": "nobody", "password": "x"}).status_code == 200
    clock[0] += 4  # into the next fixed window
    assert client.post(url, {"username": "nobody", "password": "x"}).status_code == 429


def test_check_raises_with_the_seconds_to_wait(db):
    ratelimit.check("t", "k", limit=1, window=60)
    with pytest.raises(ratelimit.RateLimited) as excinfo:
        ratelimit.check("t", "k", limit=1, window=60)
    assert 0 < excinfo.value.retry_after <= 60 + 6  # the window, and at most one bucket (a tenth)
    assert "操作过于频繁" in str(excinfo.value)


def test_cache_keys_hold_no_personal_number(db):
    key = ratelimit._cache_key("sms", "13905001234", 0)
    assert "13905001234" not in key and key.startswith("rl:sms:")


def test_failed_sign_ins_from_one_address_are_limited(client, settings, candidate):
    settings.RATE_LIMITS = {"login": (3, 300)}
    url = reverse("accounts:login")
    for _ in range(3):
        assert client.post(url, {"username": "nobody", "password": "x"}).status_code == 200
    # Used up: even the right password waits for the window to end.
    response = client.post(url, {"username": candidate.username, "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "操作过于频繁" in response.content.decode() and int(response["Retry-After"]) > 0
    assert client.get(url).status_code == 200  # the page itself still opens
    other = client.post(url, {"username": "nobody", "password": "x"}, REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 200  # another address has its own count


def test_sign_ins_that_succeed_do_not_use_up_the_limit_of_a_shared_address(client, settings, db):
    # A hospital's staff behind one address, signing in at the start of a shift.
    settings.RATE_LIMITS = {"login": (3, 300)}
    url = reverse("accounts:login")
    staff = [CandidateFactory() for _ in range(5)]
    for person in staff:
        response = client.post(url, {"username": person.username, "password": TEST_PASSWORD})
        assert response.status_code == 302
        client.logout()
    for _ in range(3):
        assert client.post(url, {"username": staff[0].username, "password": "wrong"}).status_code == 200
    assert client.post(url, {"username": staff[1].username, "password": TEST_PASSWORD}).status_code == 429


def test_the_decorator_answers_429_once_over_and_lets_other_methods_through(db, settings):
    settings.RATE_LIMITS = {"upload": (1, 60)}

    @ratelimit.limit("upload")
    def view(request):
        return HttpResponse("ok")

    factory = RequestFactory()
    assert view(factory.post("/")).status_code == 200
    assert view(factory.get("/")).status_code == 200
    assert view(factory.post("/")).status_code == 429


def test_uploads_are_counted_per_candidate_not_per_address(db, client, settings):
    from tests.factories import CandidateFactory

    settings.RATE_LIMITS = {"upload": (1, 60)}
    url = reverse("candidate:image_upload")
    first, second = CandidateFactory(), CandidateFactory()
    client.force_login(first)
    assert client.post(url, {"slot": "photo"}).status_code != 429
    assert client.post(url, {"slot": "photo"}).status_code == 429
    client.force_login(second)  # the same address (the test client's), another candidate
    assert client.post(url, {"slot": "photo"}).status_code != 429


def test_two_processes_share_one_counter(tmp_path):
    """Two processes hit one key of the database cache at once: together they get the limit, no more."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'rl.sqlite3'}", "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("PYTEST_VERSION", None)
    env.pop("REDIS_URL", None)
    subprocess.run([sys.executable, "manage.py", "createcachetable"], cwd=BASE_DIR, env=env, check=True)
    script = (
        "import django; django.setup()\n"
        "from prereg.core.ratelimit import hit\n"
        "print(sum(hit('t', 'shared', limit=60, window=3600) for _ in range(50)))\n"
    )
    runs = [subprocess.Popen([sys.executable, "-c", script], cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, text=True)  # noqa: S603
            for _ in range(2)]
    allowed = [int(run.communicate(timeout=120)[0].strip()) for run in runs]
    assert sum(allowed) == 60, allowed


@pytest.mark.django_db(transaction=True)
def test_concurrent_connections_share_one_counter_on_postgresql(postgres_only, settings):
    settings.CACHES = DATABASE_CACHE
    results, start = [], threading.Barrier(20)

    def worker():
        start.wait()
        try:
            results.extend(ratelimit.hit("t", "pg", limit=50, window=3600) for _ in range(5))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 50 and results.count(False) == 50


@pytest.mark.parametrize(("proxies", "forwarded", "address"), [
    (0, "203.0.113.7", "10.0.0.5"),  # no proxy: the header is the client's own writing
    (1, None, "10.0.0.5"),
    (1, "203.0.113.7", "203.0.113.7"),  # nginx appended what it saw
    (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the client's (or its hospital proxy's) entry is not trusted
    (1, "1.2.3.4, 192.168.1.23, 203.0.113.7", "203.0.113.7"),
    (2, "6.6.6.6, 203.0.113.7, 10.1.1.1", "203.0.113.7"),  # a load balancer, then nginx
    (1, "not-an-address", "10.0.0.5"),
    (2, "203.0.113.7:5555, 10.1.1.1", "203.0.113.7"),  # a load balancer that writes the port too
    (2, "[2001:db8::7]:5555, 10.1.1.1", "2001:db8::7"),
    (1, "2001:db8::7", "2001:db8::7"),
])
def test_the_client_address_is_read_behind_the_configured_proxies(settings, rf, proxies, forwarded, address):
    settings.PROXY_COUNT = proxies
    meta = {"REMOTE_ADDR": "10.0.0.5", **({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {})}
    assert ratelimit.client_address(rf.get("/", **meta)) == address


def test_behind_nginx_failed_sign_ins_count_per_client_not_for_the_whole_province(client, settings, candidate):
    # The security probe: every client read as nginx's 127.0.0.1, so 100 typos anywhere shut every sign-in out.
    settings.PROXY_COUNT = 1
    settings.RATE_LIMITS = {"login": (3, 300)}
    url = reverse("accounts:login")
    for _ in range(3):
        client.post(url, {"username": "nobody", "password": "x"}, REMOTE_ADDR="127.0.0.1",
                    HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert client.post(url, {"username": "nobody", "password": "x"}, REMOTE_ADDR="127.0.0.1",
                       HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    response = client.post(url, {"username": candidate.username, "password": TEST_PASSWORD}, REMOTE_ADDR="127.0.0.1",
                           HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert response.status_code == 302
    assert AuditEvent.objects.filter(event="auth.login").latest("pk").client_ip == "198.51.100.20"
