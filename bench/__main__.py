"""`make bench`: runs every benchmark in bench/, writes var/bench/results.json, prints a table.

Each benchmark is `python -m bench.<name>` in its own process and reports through its last
stdout line `RESULT {json}` (see bench/common.py). A benchmark that is absent, fails, times out
or prints no RESULT line leaves its keys missing: they are written as null and listed under
"missing", never invented.

    python -m bench                      # all of them (`make bench`)
    python -m bench --quick              # all, on 10,000 applications and a short rush
    python -m bench --only pdf upload    # some
    python -m bench --skip rush          # all but some

Duration on the 2-core machine of session 4, when nothing else runs: a full run is about 11
minutes (the 100,000-application data sets of queue_page, export, export_pg and stats take most
of it, the rush about three); --quick about 3 minutes. Quick figures are marked `"quick": true` in results.json: the
ratio goals are stated for 100,000 applications, so only a full run proves them.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time

from bench.common import ROOT, VAR_BENCH, parse_result

# name -> keys it must report, in the order they are run (rush last: it loads the machine).
BENCHMARKS = {
    "search_units": ["search_units_ms"],
    "pdf": ["pdf_ms"],
    "form_page": ["form_page_ms"],
    "upload": ["upload_ms", "upload_peak_mb"],
    "queue_page": ["queue_page_ratio", "queue_page_queries"],
    "export": ["export_xlsx_ratio", "export_peak_mb", "export_full_s", "export_full_xlsx_s"],
    # The same on PostgreSQL, the production database.
    "export_pg": ["export_full_s_pg", "export_full_xlsx_s_pg"],
    "stats": ["stats_ms"],
    "eligibility": ["eligibility_recompute_s"],
    "ocr": ["ocr_image_s", "ocr_peak_mb", "ocr_flag_precision", "ocr_flag_recall"],
    "org_import": ["org_import_s"],
    "reconcile": ["reconcile_s"],
    "rush": ["rush_rps", "rush_p95_ms", "rush_errors"],
}
# key -> (goal text, test) for the table.
GOALS = {
    "queue_page_ratio": ("≥ 0.5", lambda v: v >= 0.5),
    "queue_page_queries": ("≤ 10", lambda v: v <= 10),
    "export_xlsx_ratio": ("≤ 1.5", lambda v: v <= 1.5),
    "export_peak_mb": ("< 200", lambda v: v < 200),
    "export_full_s": ("≤ 30", lambda v: v <= 30),
    "export_full_s_pg": ("≤ 30", lambda v: v <= 30),
    "export_full_xlsx_s": ("≤ 30", lambda v: v <= 30),
    "export_full_xlsx_s_pg": ("≤ 30", lambda v: v <= 30),
    "stats_ms": ("≤ 300", lambda v: v <= 300),
    "eligibility_recompute_s": ("≤ 60", lambda v: v <= 60),
    "ocr_image_s": ("≤ 2", lambda v: v <= 2),
    "ocr_peak_mb": ("≤ 800", lambda v: v <= 800),
    "ocr_flag_precision": ("≥ 0.95", lambda v: v >= 0.95),
    "ocr_flag_recall": ("≥ 0.90", lambda v: v >= 0.90),
    "reconcile_s": ("≤ 30", lambda v: v <= 30),
    "org_import_s": ("≤ 60", lambda v: v <= 60),
    "pdf_ms": ("≤ 10", lambda v: v <= 10),
    "form_page_ms": ("≤ 60", lambda v: v <= 60),
    "upload_ms": ("≤ 150", lambda v: v <= 150),
    "upload_peak_mb": ("≤ 150", lambda v: v <= 150),
    "search_units_ms": ("≤ 50", lambda v: v <= 50),
    "rush_rps": ("", None),
    "rush_p95_ms": ("< 300", lambda v: v < 300),
    "rush_errors": ("0", lambda v: v == 0),
}
REQUIRED_KEYS = [key for keys in BENCHMARKS.values() for key in keys]
# --quick: smaller data and a short rush, passed only to a benchmark whose source has the option.
QUICK_ARGS = {
    "queue_page": ["--count", "10000"],
    "export": ["--count", "10000"],
    "export_pg": ["--count", "10000"],
    "stats": ["--count", "10000"],
    "eligibility": ["--count", "10000"],
    "ocr": ["--count", "4"],
    "reconcile": ["--count", "10000"],
    "org_import": ["--count", "10000"],
    "rush": ["--steps", "2", "4", "--step-seconds", "15", "--background", "1000"],
}
DEFAULT_TIMEOUT = int(os.environ.get("BENCH_TIMEOUT", "1200"))


def quick_args(name: str) -> list[str]:
    """The --quick arguments of bench.<name> that its source declares (others are not passed)."""
    args = QUICK_ARGS.get(name, [])
    source = (ROOT / "bench" / f"{name}.py").read_text()
    out, i = [], 0
    while i < len(args):
        j = i + 1
        while j < len(args) and not args[j].startswith("--"):
            j += 1
        if f'"{args[i]}"' in source:
            out.extend(args[i:j])
        i = j
    return out


def numbers_only(figures: dict) -> tuple[dict, list[str]]:
    """The figures that are numbers (or null); the keys of the others, which are dropped."""
    kept, dropped = {}, []
    for key, value in figures.items():
        if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
            kept[key] = value
        else:
            dropped.append(key)
    return kept, dropped


def run_one(name: str, timeout: int, quick: bool = False) -> dict:
    """Run bench.<name>; its figures, status and timing."""
    if not (ROOT / "bench" / f"{name}.py").exists():
        return {"status": "absent", "figures": {}, "seconds": 0.0}
    log_path = VAR_BENCH / f"{name}.log"
    extra = quick_args(name) if quick else []
    start = time.perf_counter()
    try:
        proc = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", f"bench.{name}", *extra], cwd=ROOT, capture_output=True, text=True,
            timeout=timeout, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    except subprocess.TimeoutExpired as exc:
        log_path.write_text(f"timed out after {timeout}s\n{exc.stdout or ''}\n{exc.stderr or ''}")
        return {"status": f"timeout {timeout}s", "figures": {}, "seconds": time.perf_counter() - start}
    seconds = time.perf_counter() - start
    log_path.write_text(f"$ python -m bench.{name} {' '.join(extra)}\nexit {proc.returncode}\n--- stdout\n"
                        f"{proc.stdout}\n--- stderr\n{proc.stderr}")
    figures, dropped = numbers_only(parse_result(proc.stdout) or {})
    if proc.returncode != 0:
        status = f"failed (exit {proc.returncode})"
    elif not figures:
        status = "no RESULT line"
    else:
        status = "ok" + (f", not numbers: {', '.join(dropped)}" if dropped else "")
    return {"status": status, "figures": figures if proc.returncode == 0 else {}, "seconds": seconds}


def _fmt(value) -> str:
    if value is None:
        return "missing"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    return str(value)


def table(results: dict, runs: dict) -> str:
    lines = [f"{'key':<24} {'value':>12}  {'goal':<7} {'met':<4} source", "-" * 66]
    for name, keys in BENCHMARKS.items():
        for key in keys:
            value = results.get(key)
            goal, test = GOALS.get(key, ("", None))
            met = "" if value is None or test is None else ("yes" if test(value) else "NO")
            lines.append(f"{key:<24} {_fmt(value):>12}  {goal:<7} {met:<4} {name} ({runs[name]['status']})")
    extra = sorted(k for k in results if k not in REQUIRED_KEYS)
    if extra:
        lines.append("-" * 66)
        lines.extend(f"{key:<24} {_fmt(results[key]):>12}" for key in extra)
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="run only these benchmarks")
    parser.add_argument("--skip", nargs="*", default=[], help="skip these benchmarks")
    parser.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT, help="seconds per benchmark")
    parser.add_argument("--output", default=str(VAR_BENCH / "results.json"))
    parser.add_argument("--quick", action="store_true",
                        help="10,000 applications instead of 100,000 and a two-step rush (figures marked quick)")
    args = parser.parse_args(argv)

    VAR_BENCH.mkdir(parents=True, exist_ok=True)
    names = [n for n in BENCHMARKS if (args.only is None or n in args.only) and n not in args.skip]
    runs, results = {}, {}
    for name in BENCHMARKS:
        if name not in names:
            runs[name] = {"status": "not run", "figures": {}, "seconds": 0.0}
            continue
        print(f"bench: {name} …", file=sys.stderr, flush=True)
        runs[name] = run_one(name, args.timeout, quick=args.quick)
        print(f"bench: {name}: {runs[name]['status']} in {runs[name]['seconds']:.1f}s", file=sys.stderr, flush=True)
        results.update(runs[name]["figures"])

    missing = [key for key in REQUIRED_KEYS if results.get(key) is None]
    document = {
        **{key: results.get(key) for key in REQUIRED_KEYS},
        **{key: value for key, value in results.items() if key not in REQUIRED_KEYS},
        "missing": missing,
        "quick": args.quick,
        "runs": {name: {"status": r["status"], "seconds": round(r["seconds"], 1)} for name, r in runs.items()},
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    with open(args.output, "w") as fh:
        json.dump(document, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    print(table(results, runs))
    total = sum(r["seconds"] for r in runs.values())
    print(f"\n{'quick run' if args.quick else 'full run'} in {total / 60:.1f} min; "
          f"load average at the end {os.getloadavg()[0]:.2f} (other processes share the CPU)")
    print(f"\nwritten: {os.path.relpath(args.output, ROOT)}" + (f"; missing: {', '.join(missing)}" if missing else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
