"""What every benchmark in bench/ shares: how it reports its figures, and small timing helpers.

The convention (one rule): a benchmark is a module `bench/<name>.py` run as
`python -m bench.<name>`; whatever it prints before, its LAST line on stdout is

    RESULT {"<key>": <number>, ...}

one line, the word RESULT, one space, a JSON object whose values are numbers (or null for a
figure it could not measure). Call `emit(key=value, ...)` at the end to print it. `make bench`
(bench/__main__.py) runs each benchmark as a subprocess, reads that line, and merges the keys
into var/bench/results.json; a benchmark that fails or prints no RESULT line leaves its keys
reported as missing, never invented.

Keys of the issue and who measures them:
    search_units_ms                      bench/search_units.py
    pdf_ms                               bench/pdf.py
    form_page_ms                         bench/form_page.py
    upload_ms, upload_peak_mb            bench/upload.py
    queue_page_ratio, queue_page_queries bench/queue_page.py
    export_xlsx_ratio, export_peak_mb    bench/export.py
    (stats figures, free keys)           bench/stats.py
    rush_rps, rush_p95_ms, rush_errors   bench/rush.py
Extra keys are welcome (e.g. `queue_page_ms`, `rows`); put units in the key name (_ms, _mb, _rps).

The set-up they share is here too: a benchmark's own database (own_database), filled with
generated applications (fill_database), the settings for requesting pages with Django's test
client (client_settings, timed_get), and timing and memory helpers (time_calls, percentile,
status_mb). Options stay in each module: `python -m bench --quick` passes --count only to a
benchmark whose source names it.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

RESULT_PREFIX = "RESULT "
ROOT = Path(__file__).resolve().parent.parent
VAR_BENCH = ROOT / "var" / "bench"


def _clean(value):
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        return None
    return round(value, 3)


def emit(**figures) -> str:
    """Print the final `RESULT {json}` line of a benchmark (and return it)."""
    line = RESULT_PREFIX + json.dumps({k: _clean(v) for k, v in figures.items()}, sort_keys=True)
    sys.stdout.flush()
    print(line, flush=True)
    return line


def parse_result(stdout: str) -> dict | None:
    """The figures of the last RESULT line in `stdout`, or None when there is none."""
    for line in reversed(stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            try:
                data = json.loads(line[len(RESULT_PREFIX):])
            except json.JSONDecodeError:
                return None
            return data if isinstance(data, dict) else None
    return None


def setup_django(database_url: str | None = None) -> None:
    """Configure Django for a benchmark process (optionally against another database)."""
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def percentile(values, q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) of `values`; None when empty."""
    data = sorted(values)
    if not data:
        return None
    rank = max(1, math.ceil(q / 100 * len(data)))
    return data[min(rank, len(data)) - 1]


def time_calls(fn: Callable[[], object], *, repeat: int = 20, warmup: int = 2) -> dict:
    """Run `fn` warmup+repeat times; milliseconds per call: median, p95, min, and every sample."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return {"median_ms": statistics.median(samples), "p95_ms": percentile(samples, 95), "min_ms": min(samples),
            "samples": samples}


def status_mb(key: str) -> float:
    """VmRSS (resident now) or VmHWM (peak resident) of this process, in MB.

    VmHWM belongs to this process image; ru_maxrss would not do: Linux carries it over exec from
    the parent that forked the child.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{key}:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {key} in /proc/self/status")


def create_postgres_database(database_url: str, *, drop: bool = False) -> str:
    """Create the database named in a postgres:// URL if it does not exist (drop it first if asked).

    Benchmarks use their own databases (prereg_bench, prereg_rush …) on 127.0.0.1 so they never
    touch the development data. Returns the database name.
    """
    from urllib.parse import urlsplit, urlunsplit

    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if not name or not name.replace("_", "").isalnum():
        raise ValueError(f"unexpected database name in {database_url!r}")
    admin_url = urlunsplit((parts.scheme.replace("postgresql", "postgres"), parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and drop:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                         [name])
            conn.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name


def bench_database_url(workdir: str, reuse: str = "") -> str:
    """The database a benchmark fills: `reuse` (an SQLite file or a URL) as it is, else
    BENCH_DATABASE_URL when it names PostgreSQL (emptied first), else a fresh SQLite file in workdir."""
    if reuse:
        return reuse if "://" in reuse else f"sqlite:///{os.path.abspath(reuse)}"
    url = os.environ.get("BENCH_DATABASE_URL") or ""
    if url.startswith("postgres"):
        create_postgres_database(url, drop=True)
        return url
    return f"sqlite:///{workdir}/bench.sqlite3"


def analyze_after_load() -> None:
    """VACUUM ANALYZE a PostgreSQL database after the bulk load, as autovacuum would do in service:
    without statistics its plans are not production's, and without the visibility map no count
    is answered from an index alone. SQLite is left alone: the embedded deployment never runs
    ANALYZE, so the plans it gets are the ones to measure."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def migrate() -> None:
    """Create the schema and the database cache's table (the cache when there is no Redis)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)


@contextlib.contextmanager
def own_database(name: str, *, reuse: str = "", into: str = "") -> Iterator[str]:
    """Django set up against the benchmark's own database, migrated; yields a throwaway directory
    (it holds the media files too) that is removed at the end.

    The database is `reuse` or `into` (an SQLite file or a URL; `into` is a file to fill and leave
    behind for a later --reuse) as it is, else bench_database_url's. A task the benchmark enqueues
    runs at once in its process (there is no worker), and only warnings are logged.
    """
    workdir = tempfile.mkdtemp(prefix=f"prereg-bench-{name}-")
    try:
        os.environ.update({"DATABASE_URL": bench_database_url(workdir, reuse or into), "MEDIA_ROOT": f"{workdir}/media",
                           "LOG_LEVEL": "WARNING", "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend"})
        setup_django()
        migrate()
        yield workdir
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _print_progress(made: int, total: int, seconds: float) -> None:
    if made % 20000 == 0:
        print(f"  generated {made}/{total} ({seconds:.0f}s)", file=sys.stderr, flush=True)


def fill_database(count: int, reuse: str = "") -> None:
    """Unless the database is `reuse`d, fill it with `count` generated applications (bench.datagen,
    no images); then analyze it as service would."""
    if not reuse:
        from bench.datagen import generate

        start = time.perf_counter()
        generate(count, images_per_app=0, progress=_print_progress)
        print(f"generated {count} applications in {time.perf_counter() - start:.0f}s", flush=True)
    analyze_after_load()


def client_settings() -> None:
    """What requesting pages with Django's test client in a throwaway run needs: any host, no debug
    pages, and plain static storage (templates use {% static %}; there is no collectstatic manifest)."""
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


def timed_get(client, url: str) -> tuple[float, float, object]:
    """GET `url` with a Django test client: (wall ms, CPU ms of this process, response); exits
    unless it answers 200. With SQLite running in this process, the CPU time is the page's whole
    cost and, unlike wall time, is not inflated by other processes sharing the cores."""
    wall, cpu = time.perf_counter(), time.process_time()
    response = client.get(url)
    cpu_ms, wall_ms = (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return wall_ms, cpu_ms, response
