"""Export benchmark: the real export job against xlsxwriter / csv alone writing the same rows.

    .venv/bin/python -m bench.export                 # 100,000 applications
    .venv/bin/python -m bench.export --count 20000   # quicker

Builds a throwaway SQLite database (bulk_create: candidates, applications across the demo tree's
chains in a mix of states, an education and a work row each), then for each column set runs the
export job (prereg.exports.runner.run_job, exactly what the worker runs) in a fresh process and
measures its wall time and peak resident memory (VmHWM of that process: the worker's peak,
Django included). The baseline writes the very same rows, already in a list, with xlsxwriter in
constant_memory mode (and with csv.writer), so the ratio is what scoping, reading, flattening and
masking cost on top of writing. Goals (issue 6): xlsx ≤ 1.5×, peak < 200 MB, CSV ≤ 2×.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time

from bench.common import ROOT, emit, setup_django

COLUMN_SETS = ["roster", "full"]


def generate(count: int, seed: int = 1) -> int:
    """Fill the (fresh, migrated) database; returns the id of the 考区 reviewer who sees everything."""
    import datetime

    from django.db import transaction
    from django.utils import timezone

    from prereg.accounts.models import Role, User
    from prereg.applications.models import Application, EducationRow, Stage, State, WorkRow
    from prereg.catalog.loaders import load_national
    from prereg.catalog.models import Ethnicity, Specialty
    from prereg.demo.applications import seed_year
    from prereg.demo.orgs import seed_orgs
    from prereg.demo.people import make_id_number
    from prereg.orgs.routing import resolve_chain

    rng = random.Random(seed)
    load_national()
    tree = seed_orgs()
    year = seed_year()
    reviewer = User.objects.create(username="bench-district", role=Role.DISTRICT, org=tree["350000"],
                                   name="基准", profile_completed=True, password="!")
    units = [org for org in tree.values() if org.is_unit]
    chains = {u.pk: resolve_chain(u, exam_year=year).as_fields() for u in units}
    specialties = list(Specialty.objects.filter(exam_year=year).select_related("qualification__level", "category"))
    han = Ethnicity.objects.get(code="01")
    states = ([(State.IN_REVIEW, s) for s in Stage.values] * 2 + [(State.RETURNED, ""), (State.APPROVED, ""),
                                                                  (State.APPROVED, ""), (State.DRAFT, "")])
    now = timezone.now()
    chunk = 5000
    for start in range(0, count, chunk):
        n = min(chunk, count - start)
        with transaction.atomic():
            users = []
            for i in range(start, start + n):
                birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=i // 900)
                id_number = make_id_number("350102", birth, i % 900 + 1)
                users.append(User(username=id_number, id_number=id_number, id_type="resident", role=Role.CANDIDATE,
                                  name=f"考生{i}", phone=f"13{i:09d}", password="!"))
            users = User.objects.bulk_create(users)
            apps = []
            for i, user in enumerate(users, start=start):
                unit = rng.choice(units)
                spec = rng.choice(specialties)
                state, stage = rng.choice(states)
                submitted = state != State.DRAFT
                apps.append(Application(
                    candidate=user, exam_year=year, unit=unit, name=user.name, gender="F" if i % 2 else "M",
                    id_type="resident", id_number=user.id_number, birth_date=datetime.date(1990, 1, 1),
                    ethnicity=han, postcode="350000", phone=user.phone, address="福建省福州市鼓楼区某路1号",
                    level=spec.qualification.level, qualification=spec.qualification, category=spec.category,
                    specialty=spec, practice_change="无", current_qualification="护师",
                    current_qualification_date=datetime.date(2016, 10, 1), chsi_code="090888693519",
                    state=state, stage=stage, submission_round=1, number=f"{year.year}{i + 1:08d}",
                    submitted_at=now - datetime.timedelta(minutes=rng.randrange(60 * 24 * 20)) if submitted else None,
                    **chains[unit.pk]))
            for app in apps:
                app.refresh_waiting_org()  # bulk_create skips save(), which keeps it
            apps = Application.objects.bulk_create(apps)
            EducationRow.objects.bulk_create(EducationRow(
                application=a, kind="education", level="本科", obtained=datetime.date(2012, 7, 1),
                school="福建医科大学", study_form="全日制", major="护理学", order=0) for a in apps)
            WorkRow.objects.bulk_create(WorkRow(
                application=a, unit_name="福建省立医院", title="护师", start=datetime.date(2012, 8, 1),
                major="护理", order=0) for a in apps)
    return reviewer.pk


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM belongs to the process image, so unlike
    ru_maxrss it does not inherit the parent's peak across fork+exec."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(job_id: int) -> None:
    """Run one export job in this fresh process; print its time and this process's peak memory."""
    from prereg.exports.models import ExportJob
    from prereg.exports.runner import run_job

    before = peak_rss_mb()
    start = time.perf_counter()
    run_job(job_id)
    seconds = time.perf_counter() - start
    job = ExportJob.objects.get(pk=job_id)
    peak = peak_rss_mb()
    print("CHILD " + json.dumps({"seconds": seconds, "peak_mb": peak, "before_mb": before,
                                 "status": job.status, "rows": job.row_count, "error": job.error}), flush=True)


def run_child(job_id: int, env: dict) -> dict:
    proc = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.export", "--child", str(job_id)], cwd=ROOT, env=env,
        capture_output=True, text=True, check=False)
    for line in proc.stdout.splitlines():
        if line.startswith("CHILD "):
            return {**json.loads(line[6:]), "stderr": proc.stderr[-3000:]}
    raise RuntimeError(f"child failed: {proc.stderr[-2000:]}")


def baseline(rows, headers, fmt: str, directory: str) -> float:
    """Seconds for xlsxwriter (constant_memory) or csv alone to write `rows`."""
    path = os.path.join(directory, f"baseline.{fmt}")
    start = time.perf_counter()
    if fmt == "xlsx":
        import xlsxwriter

        workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                              "strings_to_numbers": False, "strings_to_urls": False})
        sheet = workbook.add_worksheet("rows")
        sheet.write_row(0, 0, headers, workbook.add_format({"bold": True}))
        for n, row in enumerate(rows, start=1):
            sheet.write_row(n, 0, row)
        workbook.close()
    else:
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write("\ufeff")
            writer = csv.writer(fh)
            writer.writerow(headers)
            writer.writerows(rows)
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.export")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="keep the throwaway directory")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the roster export (best taken)")
    args = parser.parse_args(argv)
    if args.child is not None:
        setup_django()
        child(args.child)
        return 0

    workdir = tempfile.mkdtemp(prefix="prereg-bench-export-")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3", "MEDIA_ROOT": f"{workdir}/media",
           "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "LOG_LEVEL": "WARNING"}
    os.environ.update(env)
    setup_django()
    from django.core.management import call_command

    try:
        start = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        reviewer_id = generate(args.count)
        print(f"generated {args.count} applications in {time.perf_counter() - start:.1f}s ({workdir})", flush=True)

        from prereg.accounts.models import User
        from prereg.applications.models import Application
        from prereg.exports.columns import HEADERS, iter_rows
        from prereg.exports.models import ExportJob

        reviewer = User.objects.get(pk=reviewer_id)
        scoped = Application.objects.visible_to(reviewer)
        figures = {"rows": scoped.count()}
        for columns in COLUMN_SETS:
            rows = list(iter_rows(scoped, columns, full_numbers=True))
            reps = args.repeat if columns == "roster" else 1
            for fmt in ("xlsx", "csv"):
                exported, alone, peak = [], [], 0.0
                # Interleaved and repeated, best of each: the machine is shared, noise is large.
                for _ in range(reps):
                    job = ExportJob.objects.create(owner=reviewer, kind="applications", format=fmt,
                                                   columns=columns, full_numbers=True)
                    result = run_child(job.pk, env)
                    if result["status"] != "done" or result["rows"] != len(rows):
                        raise RuntimeError(f"export {columns}/{fmt} did not finish: {result}")
                    exported.append(result["seconds"])
                    peak = max(peak, result["peak_mb"])
                    alone.append(baseline(rows, HEADERS[columns], fmt, workdir))
                ratio = min(exported) / min(alone)
                print(f"{columns:>8} {fmt:>4}: export {min(exported):.2f}s, {fmt} alone {min(alone):.2f}s "
                      f"(best of {reps}), ratio {ratio:.2f}, worker peak {peak:.0f} MB "
                      f"(after start-up {result['before_mb']:.0f} MB)", flush=True)
                prefix = "export" if columns == "roster" else f"export_{columns}"
                figures[f"{prefix}_{fmt}_ratio"] = ratio
                figures[f"{prefix}_{fmt}_s"] = min(exported)
                figures[f"{prefix}_{fmt}_alone_s"] = min(alone)
                figures[f"{prefix}_{fmt}_peak_mb"] = peak
            del rows
        figures["export_peak_mb"] = max(v for k, v in figures.items() if k.endswith("_peak_mb"))
        print("goals: xlsx ratio ≤ 1.5, CSV ratio ≤ 2, peak < 200 MB (roster is the headline figure)")
        emit(**figures)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
