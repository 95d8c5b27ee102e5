"""The export benchmark on PostgreSQL, the production database.

    .venv/bin/python -m bench.export_pg                  # 100,000 applications in prereg_bench_export
    .venv/bin/python -m bench.export_pg --count 10000

Fills BENCH_DATABASE_URL if it names PostgreSQL, else postgres://postgres@127.0.0.1:5432/prereg_bench_export
(emptied first), runs bench.export there and reports its figures with the suffix _pg
(export_full_s_pg and export_full_xlsx_s_pg: the full record's CSV and xlsx), so `make bench` shows both databases
against the goal.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys

from bench.common import emit, parse_result

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/prereg_bench_export"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.export_pg")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--full-xlsx-repeat", type=int, default=1)
    args = parser.parse_args(argv)
    url = os.environ.get("BENCH_DATABASE_URL") or ""
    os.environ["BENCH_DATABASE_URL"] = url if url.startswith("postgres") else DEFAULT_URL

    from bench import export

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = export.main(["--count", str(args.count), "--repeat", str(args.repeat),
                            "--full-xlsx-repeat", str(args.full_xlsx_repeat)])
    sys.stdout.write(out.getvalue().replace("RESULT ", "export: "))
    figures = parse_result(out.getvalue()) or {}
    if code != 0 or not figures.get("vendor_postgresql"):
        print("export on PostgreSQL gave no figures", file=sys.stderr)
        return 1
    emit(**{f"{key}_pg": value for key, value in figures.items() if key != "vendor_postgresql"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
