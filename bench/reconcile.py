"""国网名单核对: a 100,000-line 国网 roster reconciled with 100,000 applications (goal ≤ 30 s).

    .venv/bin/python -m bench.reconcile                     # 100,000 applications, throwaway SQLite
    .venv/bin/python -m bench.reconcile --count 10000
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/prereg_bench_reconcile .venv/bin/python -m bench.reconcile

Fills a database with bench.datagen, writes the roster the 考区 would export from the 国网 as an
xlsx of `--count` lines (the submitted applications, with some 级别, 专业 and 姓名 changed, some
unconfirmed, some left out, and people who are on the 国网 only), then times what the page does:
prereg.reconcile.services.roster_upload (keep the file, read its header) and roster_import (read
every line with prereg.core.sheets, check it, match it by ID number, store the rows and the
lists, in one transaction). reconcile_s is the wall time of both, as the 考区 (the whole province
in scope) runs them; reconcile_cpu_s the CPU time of this process meanwhile (SQLite runs in it),
which a machine loaded by other work changes less.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import time

from bench.common import emit, fill_database, own_database

HEADER = ["序号", "姓名", "证件号码", "报考级别", "报考专业", "报名序号", "考点", "现场确认", "手机号"]


def roster_xlsx(count: int, seed: int = 7) -> tuple[bytes, int]:
    """The roster as xlsx bytes and its number of lines."""
    import xlsxwriter

    from prereg.applications.models import Application, State
    from prereg.catalog.models import ExamYear
    from prereg.core.validators import id_check_char

    rng = random.Random(seed)
    year = ExamYear.current()
    rows = (Application.objects.filter(exam_year=year, state__in=[State.IN_REVIEW, State.APPROVED, State.RETURNED])
            .values_list("name", "id_number", "level__name", "specialty__code", "specialty__name", "phone",
                         "site_org__name").order_by("pk"))
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    n = 0
    for name, number, level, code, specialty, phone, site in rows.iterator(chunk_size=5000):
        if n >= count:
            break
        roll = rng.random()
        if roll < 0.03:
            continue  # only on the 省网
        if roll < 0.06:
            level = "中级" if level != "中级" else "初级(师)"
        elif roll < 0.09:
            code = str(int(code) + 1) if code and code.isdigit() else "999"
        elif roll < 0.11:
            name = name[:-1] + "某"
        status = "未确认" if rng.random() < 0.1 else "已确认"
        n += 1
        sheet.write_row(n, 0, [str(n), name, number, level, f"{code}{specialty}", f"2027{n:08d}", site or "",
                               status, phone])
    while n < count:  # on the 国网 only: numbers no account here holds
        body = f"350599{1960 + n % 40}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
        n += 1
        sheet.write_row(n, 0, [str(n), "国网考生", body + id_check_char(body), "初级(师)", "203护理学(师)",
                               f"2027{n:08d}", "", "未确认", ""])
    book.close()
    return buffer.getvalue(), n


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reconcile")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--reuse", default="", help="an SQLite file or database URL already filled: generate nothing")
    args = parser.parse_args(argv)

    with own_database("reconcile", reuse=args.reuse):
        fill_database(args.count, args.reuse)

        from prereg.accounts.models import User
        from prereg.reconcile import services

        start = time.perf_counter()
        content, lines = roster_xlsx(args.count)
        print(f"wrote the roster: {lines} lines, {len(content) / 1e6:.1f} MB in {time.perf_counter() - start:.1f}s",
              flush=True)
        district = User.objects.get(username="350000")
        start, cpu = time.perf_counter(), time.process_time()
        upload = services.roster_upload(actor=district, file_name="国网考生名单.xlsx", content=content)
        chosen = {key: str(upload.header.index(text)) for key, text in upload.mapping.items()}
        result = services.roster_import(actor=district, upload_id=upload.pk, chosen=chosen)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        assert result.ok, result.errors[:5]
        done = result.upload
        print(f"reconciled {done.total_rows} lines in {seconds:.1f}s, CPU {cpu:.1f}s (import alone {done.seconds}s): "
              f"{done.counts}, outside {done.outside_rows}; load average {os.getloadavg()[0]:.1f}", flush=True)
        emit(reconcile_s=round(seconds, 1), reconcile_cpu_s=round(cpu, 1), reconcile_lines=done.total_rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
