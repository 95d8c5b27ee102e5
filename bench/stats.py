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
import sys

from bench.common import client_settings, emit, fill_database, own_database, time_calls, timed_get


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stats")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--reuse", default="", help="an SQLite file or database URL already filled: generate nothing")
    args = parser.parse_args(argv)

    with own_database("stats", reuse=args.reuse):
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext, setup_test_environment

        setup_test_environment()
        client_settings()
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
            timed_get(client, "/backoffice/stats/")  # answers, and warms up
            page = time_calls(lambda client=client: client.get("/backoffice/stats/"), repeat=args.repeat, warmup=0)
            with CaptureQueriesContext(connection) as captured:
                client.get("/backoffice/stats/")
            result = stats.compute(user, exam_year=year)
            alone = time_calls(lambda user=user: stats.compute(user, exam_year=year), repeat=args.repeat, warmup=1)
            page_medians.append(page["median_ms"])
            print(f"{role:>8} ({user.org.name}): scope {result.total:>6}; page median {page['median_ms']:.0f} ms "
                  f"(p95 {page['p95_ms']:.0f}, {len(captured.captured_queries)} queries); "
                  f"compute alone median {alone['median_ms']:.0f} ms", flush=True)
            figures[f"stats_{role}_page_ms"] = page["median_ms"]
            figures[f"stats_{role}_page_p95_ms"] = page["p95_ms"]
            figures[f"stats_{role}_compute_ms"] = alone["median_ms"]
            figures[f"stats_{role}_scope"] = result.total
        figures["stats_ms"] = max(page_medians)
        print(f"goal: ≤ 300 ms for the page's numbers at 100,000 applications (stats_ms = worst role's page, "
              f"{connection.vendor})")
        emit(**figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
