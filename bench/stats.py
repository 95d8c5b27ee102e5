"""Statistics benchmark: the 进度跟踪 page over 100,000 applications (goal ≤ 300 ms).

    .venv/bin/python -m bench.stats                                   # 100,000 applications, throwaway SQLite
    .venv/bin/python -m bench.stats --count 20000
    .venv/bin/python -m bench.stats --reuse var/bench100k.sqlite3     # an already filled database
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/prereg_bench_stats .venv/bin/python -m bench.stats

Fills a database with bench.datagen (the realistic mix of states, stages and submission days),
then, for the 考区 (the whole province) and a 考点 (a city), times:
  - the page itself, GET /backoffice/stats/ through Django's test client (every query it runs:
    prereg.exports.stats.compute's aggregates, the overdue list, the charts);
  - compute() alone (the aggregate queries behind the numbers).
On PostgreSQL the tables are ANALYZEd after the bulk load, as autovacuum would do in service; on
SQLite nothing is (the embedded deployment never runs ANALYZE), so the plans are the ones it gets.
Do not add ANALYZE / PRAGMA optimize there: measured at 100,000 applications it leaves the
aggregates on the covering index but sends the overdue list to the submitted_at index with a
table lookup per row (~45 ms → ~300-400 ms).
stats_ms is the worst median page time of the two roles.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

from bench.common import bench_database_url, emit, fill_database, percentile, setup_django, time_calls


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stats")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--reuse", default="", help="an SQLite file or database URL already filled: generate nothing")
    args = parser.parse_args(argv)

    workdir = tempfile.mkdtemp(prefix="prereg-bench-stats-")
    url = bench_database_url(workdir, args.reuse)
    os.environ.update({"DATABASE_URL": url, "MEDIA_ROOT": f"{workdir}/media", "LOG_LEVEL": "WARNING",
                       "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend"})
    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    # Templates use {% static %}; no collectstatic manifest in a throwaway run.
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

    try:
        fill_database(args.count, args.reuse)

        from prereg.accounts.models import Role, User
        from prereg.applications.models import Application
        from prereg.catalog.models import ExamYear
        from prereg.exports import stats

        year = ExamYear.current()
        users = {
            "district": User.objects.filter(role=Role.DISTRICT, org__parent__isnull=True).order_by("pk").first(),
            "site": User.objects.filter(role=Role.SITE, is_active=True).order_by("org__code").first(),
        }
        figures = {"rows": Application.objects.count(), "vendor_postgresql": int(connection.vendor == "postgresql")}
        page_medians = []
        for role, user in users.items():
            client = Client()
            client.force_login(user)
            response = client.get("/backoffice/stats/")
            if response.status_code != 200:
                raise SystemExit(f"/backoffice/stats/ answered {response.status_code} for {user}")
            samples = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                client.get("/backoffice/stats/")
                samples.append((time.perf_counter() - started) * 1000)
            with CaptureQueriesContext(connection) as captured:
                client.get("/backoffice/stats/")
            result = stats.compute(user, exam_year=year)
            alone = time_calls(lambda user=user: stats.compute(user, exam_year=year), repeat=args.repeat, warmup=1)
            page = statistics.median(samples)
            page_medians.append(page)
            print(f"{role:>8} ({user.org.name}): scope {result.total:>6}; page median {page:.0f} ms "
                  f"(p95 {percentile(samples, 95):.0f}, {len(captured.captured_queries)} queries); "
                  f"compute alone median {alone['median_ms']:.0f} ms", flush=True)
            figures[f"stats_{role}_page_ms"] = page
            figures[f"stats_{role}_page_p95_ms"] = percentile(samples, 95)
            figures[f"stats_{role}_compute_ms"] = alone["median_ms"]
            figures[f"stats_{role}_scope"] = result.total
        figures["stats_ms"] = max(page_medians)
        print(f"goal: ≤ 300 ms for the page's numbers at 100,000 applications (stats_ms = worst role's page, "
              f"{connection.vendor})")
        emit(**figures)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
