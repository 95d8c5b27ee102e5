"""The reviewer's pending queue (待审信息) with a year of 100,000 applications.

    .venv/bin/python -m bench.queue_page                    # 100,000 applications, throwaway SQLite
    .venv/bin/python -m bench.queue_page --count 20000
    .venv/bin/python -m bench.queue_page --keep var/queue.sqlite3   # then: --reuse var/queue.sqlite3
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/prereg_bench_queue .venv/bin/python -m bench.queue_page

Fills a throwaway database with bench.datagen (bulk_create, no images), then requests pending
pages through the whole Django stack (middleware, session, auth, templates) with the test
client, as the 考区 (whose queue is the largest) and a 考点: first page, a later page sorted by
name, a page filtered by specialty and a name search. Alternating with them (so both see the same
load from other processes) it times a bare page that renders 20 applications in a plain table
(no filters, no layout) as the yardstick.

Prints median/p95 latency of both, the throughput ratio (bare median / queue median; the goal
is ≥ 0.5), the same ratio by this process's CPU time (steadier on a shared machine), and the
queries per queue page, whose number must not grow with the data.
"""

from __future__ import annotations

import argparse
import os
import statistics

from bench.common import client_settings, emit, fill_database, own_database, percentile, timed_get

BARE_TEMPLATE = """<!DOCTYPE html><html><body><table>
{% for a in rows %}<tr><td>{{ a.number }}</td><td>{{ a.name }}</td><td>{{ a.get_state_display }}</td>
<td>{{ a.submitted_at|date:"Y-m-d H:i" }}</td></tr>{% endfor %}</table></body></html>"""


BARE_URL = "/bench/bare/"


def bare_page(request):
    """The yardstick: 20 applications in a plain table, nothing else."""
    from django.http import HttpResponse
    from django.template import engines

    from prereg.applications.models import Application

    rows = Application.objects.order_by("pk")[:20]
    return HttpResponse(engines["django"].from_string(BARE_TEMPLATE).render({"rows": rows}, request))


def _urlpatterns():
    from django.urls import include, path

    return [path(BARE_URL.strip("/") + "/", bare_page), path("", include("config.urls"))]


urlpatterns: list = []


def time_interleaved(client, url, bare_client, repeat):
    """Queue page and bare page requested alternately, so both see the same machine load."""
    for _ in range(2):
        client.get(url)
        bare_client.get(BARE_URL)
    queue, bare = [], []
    for _ in range(repeat):
        queue.append(timed_get(client, url)[:2])
        bare.append(timed_get(bare_client, BARE_URL)[:2])
    return queue, bare


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.queue_page", description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=int(os.environ.get("BENCH_QUEUE_COUNT", 100_000)),
                        help="applications to generate (default 100000)")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per URL")
    parser.add_argument("--reuse", default="", help="an SQLite file or database URL of an earlier run: time it, "
                                                    "generate nothing")
    parser.add_argument("--keep", default="", help="generate into this SQLite file and keep it (for --reuse)")
    args = parser.parse_args(argv)

    if args.keep and os.path.exists(args.keep):
        raise SystemExit(f"{args.keep} exists: time it with --reuse, or remove it")
    with own_database("queue", reuse=args.reuse, into=args.keep):
        from django.conf import settings
        from django.test.utils import setup_test_environment

        setup_test_environment()
        client_settings()
        settings.ROOT_URLCONF = __name__
        urlpatterns[:] = _urlpatterns()
        fill_database(args.count, args.reuse)
        return time_pages(args.repeat)


def time_pages(repeat: int) -> int:
    """Time the queue pages of the 考区 and a 考点 against the bare page; print and emit the figures."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from prereg.accounts.models import User
    from prereg.applications.models import Application
    from prereg.catalog.models import Specialty

    reviewers = [User.objects.get(username="350000"), User.objects.get(username="350100")]
    urls = []
    for reviewer in reviewers:
        queue = Application.objects.pending_for(reviewer.org)
        size = queue.count()
        specialty = (queue.exclude(specialty=None).values_list("specialty", flat=True).first()
                     or Specialty.objects.values_list("pk", flat=True).first())
        name = queue.values_list("name", flat=True).first() or "张伟"
        pages = max(1, size // 20)
        urls += [(reviewer, "/backoffice/review/pending/", size),
                 (reviewer, f"/backoffice/review/pending/?sort=name&page={min(50, pages)}", size),
                 (reviewer, f"/backoffice/review/pending/?specialty={specialty}", size),
                 (reviewer, f"/backoffice/review/pending/?q={name}", size)]

    bare_client = Client()
    bare_client.force_login(reviewers[0])
    queue_samples, bare_samples, queries, queries_max = [], [], [], []
    for reviewer, page_url, size in urls:
        client = Client()
        client.force_login(reviewer)
        samples, bare = time_interleaved(client, page_url, bare_client, repeat)
        # Queries of five requests: the page's own are the same each time; a request that
        # happens to refresh the 2-second in-process copy of the permission table reads the
        # shared cache once more, and is reported apart (max), not as the page's count.
        counts = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as captured:
                client.get(page_url)
            counts.append(len(captured.captured_queries))
        queries.append(statistics.mode(counts))
        queries_max.append(max(counts))
        queue_samples += samples
        bare_samples += bare
        wall = [w for w, _ in samples]
        print(f"{reviewer.username:>8} queue={size:>6}  {page_url:<55} median {statistics.median(wall):7.1f} ms"
              f"  p95 {percentile(wall, 95):7.1f} ms  (bare {statistics.median(w for w, _ in bare):5.1f} ms)"
              f"  queries {queries[-1]} (max {queries_max[-1]})")
    queue_wall, bare_wall = [w for w, _ in queue_samples], [w for w, _ in bare_samples]
    bare_median, queue_median = statistics.median(bare_wall), statistics.median(queue_wall)
    ratio = bare_median / queue_median if queue_median else None
    cpu_ratio = statistics.median(c for _, c in bare_samples) / statistics.median(c for _, c in queue_samples)
    print(f"bare 20-row page: median {bare_median:.1f} ms, p95 {percentile(bare_wall, 95):.1f} ms")
    print(f"pending queue:    median {queue_median:.1f} ms, p95 {percentile(queue_wall, 95):.1f} ms")
    print(f"throughput ratio (queue/bare): {ratio:.2f}  (goal >= 0.5; by CPU time {cpu_ratio:.2f});"
          f" queries per page: {max(queries)} (with a permission-cache refresh: {max(queries_max)})")
    emit(queue_page_ratio=ratio, queue_page_cpu_ratio=cpu_ratio, queue_page_queries=max(queries),
         queue_page_queries_max=max(queries_max), queue_page_ms=queue_median,
         queue_page_p95_ms=percentile(queue_wall, 95), bare_page_ms=bare_median,
         queue_rows=Application.objects.count())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
