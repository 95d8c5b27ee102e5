"""资格初审 assistant: verdicts of 100,000 applications recomputed after the 考区 changes the rules (goal ≤ 60 s).

    .venv/bin/python -m bench.eligibility                     # 100,000 applications, throwaway SQLite
    .venv/bin/python -m bench.eligibility --count 10000
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/prereg_bench_elig .venv/bin/python -m bench.eligibility

Fills a database with bench.datagen (every application with its rows), then times
prereg.applications.tasks.verdicts_recompute for the year, as the worker runs it after an import:
every application that is not yet approved, read in batches with its row tables, assessed, and
the changed verdicts written back. eligibility_recompute_s is that run's wall time.
"""

from __future__ import annotations

import argparse
import time

from bench.common import emit, fill_database, own_database


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.eligibility")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--reuse", default="", help="an SQLite file or database URL already filled: generate nothing")
    args = parser.parse_args(argv)

    with own_database("eligibility", reuse=args.reuse):
        fill_database(args.count, args.reuse)

        from django.db.models import Count

        from prereg.applications.models import Application, State
        from prereg.applications.tasks import verdicts_recompute
        from prereg.catalog.models import ExamYear

        year = ExamYear.current()
        open_count = Application.objects.filter(exam_year=year).exclude(state=State.APPROVED).count()
        start = time.perf_counter()
        changed = verdicts_recompute.call(year.pk)
        seconds = time.perf_counter() - start
        counts = dict(Application.objects.filter(exam_year=year).values_list("verdict").annotate(n=Count("pk")))
        print(f"recomputed {open_count} open applications in {seconds:.1f}s ({changed} changed): {counts}", flush=True)
        emit(eligibility_recompute_s=round(seconds, 1), eligibility_open=open_count)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
