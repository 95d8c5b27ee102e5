"""Importing a province's org tree from a sheet: 100,000 rows within a minute (issue 17.4).

    .venv/bin/python -m bench.org_import [--count 100000]
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/prereg_bench_orgs .venv/bin/python -m bench.org_import

Creates its own database (a throwaway SQLite file unless BENCH_DATABASE_URL names PostgreSQL),
seeds the demo tree (the province, nine cities and 平潭, 82 county bureaus), writes an xlsx sheet of
`count` new orgs (2,000 hospitals as 报名点 below the cities, the rest units below them and the
county bureaus) and times the 考区's import of it: read, check, write, audit
(`org_import_s`, goal ≤ 60 s). Then the same file again (nothing changes: `org_import_again_s`)
and the export of the whole tree (`org_export_s`).
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time

from bench.common import emit, own_database

KINDS = ["卫生院", "社区卫生服务中心", "诊所", "门诊部", "卫生室", "口腔诊所", "中医诊所", "社区卫生服务站"]
TOWNS = ["城关", "东街", "西湖", "洪山", "南屿", "青口", "上街", "亭江", "琅岐", "潘渡", "丹阳", "官坂", "浦口", "敖江",
         "凤城", "湖尾", "龙田", "金峰", "松下", "江田", "玉田", "坪盘", "蓼沿", "白沙", "大湖"]
HOSPITALS = 2_000


def make_sheet(count: int, tree: dict) -> bytes:
    import xlsxwriter

    from prereg.orgs.importer import COLUMNS

    rng = random.Random(17)
    cities = [code for code, org in tree.items() if org.is_site and not org.is_district]
    counties = [code for code, org in tree.items() if org.is_point and len(code) == 6 and not org.is_site]
    rows = []
    hospitals = []
    for i in range(min(HOSPITALS, count)):
        city = rng.choice(cities)
        code = f"{city[:4]}9{i:05d}"
        hospitals.append(code)
        rows.append([code, f"{tree[city].name[:3]}第{i + 1}人民医院", "", city, "单位、报名点", "是", "是", city])
    parents = hospitals + counties
    for i in range(count - len(rows)):
        parent = rng.choice(parents)
        rows.append([f"{parent}{i:06d}", f"{rng.choice(TOWNS)}{rng.choice(KINDS)}第{i + 1}号", "", parent, "单位",
                     "否", "是" if i % 40 else "否", parent[:6]])
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False, "constant_memory": True})
    sheet = book.add_worksheet()
    for col, title in enumerate(COLUMNS):
        sheet.write_string(0, col, title)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            sheet.write_string(r, col, value)
    book.close()
    return buffer.getvalue()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args(argv)
    with own_database("orgs"):
        time_import(args.count)


def time_import(count: int) -> None:
    """Seed the demo tree, then time the import of `count` new orgs, the same again, and the export."""
    from django.db import connection

    from prereg.accounts.models import Role, User
    from prereg.demo.orgs import seed_orgs
    from prereg.orgs import importer
    from prereg.orgs.models import Org

    tree = seed_orgs()
    actor = User.objects.create(username="bench-district", role=Role.DISTRICT, org=tree["350000"])
    content = make_sheet(count, tree)
    print(f"{connection.vendor}: sheet of {count} rows, {len(content) / 1e6:.1f} MB", file=sys.stderr)

    start = time.perf_counter()
    plan = importer.org_import(actor=actor, filename="orgs.xlsx", content=content)
    first = time.perf_counter() - start
    assert plan.ok, plan.errors[:5]
    assert len(plan.creates) == count and Org.objects.count() == len(tree) + count
    start = time.perf_counter()
    again = importer.org_import(actor=actor, filename="orgs.xlsx", content=content)
    second = time.perf_counter() - start
    assert again.ok and not again.changes and again.unchanged == count
    start = time.perf_counter()
    exported = importer.export_xlsx(importer.export_rows(actor))
    export = time.perf_counter() - start
    print(f"import {first:.1f}s, again {second:.1f}s, export {export:.1f}s ({len(exported) / 1e6:.1f} MB); "
          "goal ≤ 60 s", file=sys.stderr)
    emit(org_import_s=round(first, 2), org_import_again_s=round(second, 2), org_export_s=round(export, 2),
         org_import_rows=count)


if __name__ == "__main__":
    main()
