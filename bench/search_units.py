"""Unit dictionary search on 20,000 units: the issue's goal is ≤ 50 ms per query.

    .venv/bin/python -m bench.search_units            # throwaway SQLite DB under a temp dir
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/prereg_bench_search .venv/bin/python -m bench.search_units

Creates its own data (never touches var/prereg.sqlite3), times a mix of queries (Chinese
substring, pinyin initials, full pinyin, a common word with many hits, a miss) and reports the
p95 over all of them as `search_units_ms`.
"""

from __future__ import annotations

import random
import sys
import time

from bench.common import emit, own_database, percentile, time_calls

UNITS = 20_000
QUERIES = ["省立", "slyy", "shengli", "医院", "卫生院", "连江县", "ljxyy", "fjs", "社区卫生服务中心", "zhongyiyuan",
           "不存在的单位名称", "xq"]
REPEAT = 15

PLACES = ["福州", "厦门", "莆田", "三明", "泉州", "漳州", "南平", "龙岩", "宁德", "连江", "闽侯", "长乐", "罗源",
          "闽清", "永泰", "安溪", "永春", "德化", "南安", "晋江", "石狮", "惠安", "仙游", "尤溪", "沙县", "将乐",
          "建瓯", "武夷山", "上杭", "长汀", "连城", "霞浦", "福安", "福鼎", "古田", "屏南", "周宁", "柘荣", "寿宁"]
TOWNS = ["城关", "东街", "西湖", "洪山", "南屿", "青口", "上街", "马尾", "亭江", "琅岐", "潘渡", "丹阳", "官坂",
         "浦口", "敖江", "凤城", "湖尾", "龙田", "金峰", "松下", "江田", "玉田", "坪盘", "蓼沿", "白沙", "大湖"]
KINDS = ["医院", "中医院", "妇幼保健院", "卫生院", "社区卫生服务中心", "诊所", "疾病预防控制中心", "卫生监督所",
         "人民医院", "口腔医院", "中心血站", "精神病医院", "康复医院", "药店", "门诊部"]


def make_units(count: int):
    rng = random.Random(2026)
    names = set()
    while len(names) < count:
        place = rng.choice(PLACES)
        name = f"{place}{'市' if rng.random() < .3 else '县'}{rng.choice(TOWNS)}{rng.choice(KINDS)}"
        if rng.random() < .6:
            name = f"{name}{rng.randint(1, 999)}号" if rng.random() < .5 else f"{rng.choice(['第一', '第二', '仁爱', '博爱', '康宁'])}{name}"
        names.add(name)
    names = sorted(names)
    names[100] = "福建省立医院"
    names[101] = "福建省立金山医院"
    names[102] = "连江县医院"
    return names


def main() -> None:
    with own_database("search"):
        time_search()


def time_search() -> None:
    """Create UNITS units below a province, then time every query of QUERIES."""
    from django.db import connection, transaction

    from prereg.orgs.models import Org
    from prereg.orgs.search import search_units

    start = time.perf_counter()
    with transaction.atomic():
        root = Org(code="350000", name="福建省卫生健康委员会", short_name="省卫健委", is_district=True, is_site=True,
                   is_unit=False)
        root.save()
        objs = []
        for i, name in enumerate(make_units(UNITS)):
            org = Org(code=f"9{i:07d}", name=name, short_name="省立医院" if name == "福建省立医院" else "",
                      parent=root, is_unit=True, enabled=i % 50 != 7, path=f"{root.path}{i + 10}/", depth=1)
            org.refresh_search_keys()
            objs.append(org)
        Org.objects.bulk_create(objs, batch_size=1000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE orgs_org")
    print(f"{connection.vendor}: {UNITS} units created in {time.perf_counter() - start:.1f}s", file=sys.stderr)

    samples = []
    per_query = {}
    for query in QUERIES:
        results = list(search_units(query, 20))  # the hits shown, and the warm-up
        timing = time_calls(lambda query=query: list(search_units(query, 20)), repeat=REPEAT, warmup=0)
        samples.extend(timing["samples"])
        per_query[query] = (timing["median_ms"], len(results), results[0].name if results else "—")
    for query, (median, hits, first) in per_query.items():
        print(f"{query:<16} median {median:6.2f} ms  {hits:>2} hits  first: {first}")
    p95 = percentile(samples, 95)
    print(f"p95 over all queries: {p95:.2f} ms (goal ≤ 50 ms)")
    emit(search_units_ms=p95, search_units_median_ms=percentile(samples, 50), search_units_rows=UNITS)


if __name__ == "__main__":
    main()
