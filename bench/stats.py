"""Statistics benchmark: 进度跟踪 over 100,000 applications, per role (goal ≤ 300 ms).

    .venv/bin/python -m bench.stats                  # 100,000 applications, throwaway SQLite
    .venv/bin/python -m bench.stats --count 20000

Generates the data as bench/export.py does (bulk_create in a throwaway SQLite database), then
times prereg.exports.stats.compute (the numbers of the page: three aggregate queries) and the
overdue list, for the 考区 (sees everything), a 考点 and a 报名点. Prints median and p95.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time

from bench.common import emit, setup_django, time_calls


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stats")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args(argv)

    workdir = tempfile.mkdtemp(prefix="prereg-bench-stats-")
    os.environ.update({"DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3", "MEDIA_ROOT": f"{workdir}/media",
                       "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "LOG_LEVEL": "WARNING"})
    setup_django()
    from django.core.management import call_command

    from bench.export import generate

    try:
        start = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        generate(args.count)
        print(f"generated {args.count} applications in {time.perf_counter() - start:.1f}s", flush=True)

        from django.db import connection

        from prereg.accounts.models import Role, User
        from prereg.catalog.models import ExamYear
        from prereg.exports import stats
        from prereg.orgs.models import Org

        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        year = ExamYear.current()
        users = {
            "district": User.objects.get(username="bench-district"),
            "site": User.objects.create(username="bench-site", role=Role.SITE, org=Org.objects.get(code="350100"),
                                        profile_completed=True, password="!"),
            "point": User.objects.create(username="bench-point", role=Role.POINT,
                                         org=Org.objects.get(code="350524"), profile_completed=True, password="!"),
        }
        figures = {"rows": args.count}
        for role, user in users.items():
            result = stats.compute(user, exam_year=year)
            timing = time_calls(lambda user=user: stats.compute(user, exam_year=year), repeat=args.repeat)
            overdue = time_calls(lambda user=user: stats.overdue_list(user, exam_year=year), repeat=args.repeat)
            print(f"{role:>8}: scope {result.total:>6}, compute median {timing['median_ms']:.0f} ms "
                  f"(p95 {timing['p95_ms']:.0f}), overdue list median {overdue['median_ms']:.0f} ms", flush=True)
            figures[f"stats_{role}_ms"] = timing["median_ms"]
            figures[f"stats_{role}_p95_ms"] = timing["p95_ms"]
            figures[f"stats_{role}_overdue_ms"] = overdue["median_ms"]
        figures["stats_ms"] = max(figures[f"stats_{r}_ms"] + figures[f"stats_{r}_overdue_ms"] for r in users)
        print("goal: ≤ 300 ms for the page's numbers (stats_ms = worst role, compute + overdue list)")
        emit(**figures)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
