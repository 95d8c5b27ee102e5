"""The confirmation form PDF: the issue's goal is ≤ 10 ms per form (median).

    .venv/bin/python -m bench.pdf

`pdf_ms` is what a request pays: `confirmation_pdf(application)`, i.e. the database reads and
the whole drawing, alternating between two applications with different values (nothing of one
form can be served from the other's work). The parts are timed on their own: `pdf_load_ms` (the
seven reads), `pdf_render_ms` (drawing and writing the PDF from the data read, the QR code
included) and `pdf_qr_ms` (the QR code alone). `pdf_cpu_ms` is the process CPU time per form, and
`pdf_load_cpu_ms`, `pdf_render_cpu_ms`, `pdf_qr_cpu_ms` those of the parts: steadier than wall time
when other processes share the cores.
"""

from __future__ import annotations

import io
import os
import statistics
import time

from reportlab.pdfgen import canvas

from bench._candidate_setup import setup
from bench.common import emit, time_calls


def _cpu_ms(fn, repeat=50):
    samples = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        samples.append((time.process_time() - start) * 1000)
    return statistics.median(samples)


def main():
    tree, year, candidate = setup()
    from prereg.applications import pdf
    from prereg.applications.models import AppointmentRow, State, WorkRow
    from tests.factories import CandidateFactory, complete_application

    applications = []
    for n, who in enumerate((candidate, CandidateFactory())):
        application = complete_application(who, year, tree)
        for i in range(3):
            WorkRow.objects.create(application=application, unit_name=f"单位{n}{i}", title="医师",
                                   start=year.cutoff_date, major="临床医学", order=i + 1)
            AppointmentRow.objects.create(application=application, unit_name=f"单位{n}{i}", post="医师",
                                          qualification="医师", start=year.cutoff_date, order=i + 1)
        # The second address is long enough to be wrapped and shrunk in its cell, as some are.
        application.address = ("福建省福州市鼓楼区", "福建省泉州市晋江市青阳街道办事处世纪大道与迎宾路交叉口东南侧阳光花园12号楼2单元1803室")[n]
        application.state, application.number = State.APPROVED, f"{year.year}0000000{n + 1}"
        application.save()
        applications.append(application)

    turn = iter(range(10**9))

    def one_form():
        return pdf.confirmation_pdf(applications[next(turn) % 2])

    size = len(one_form())
    timing = time_calls(one_form, repeat=100, warmup=5)
    cpu = _cpu_ms(one_form)
    data = pdf.load(applications[0])
    url = pdf.verify_path(applications[0])
    load = time_calls(lambda: pdf.load(applications[0]), repeat=100, warmup=3)
    render = time_calls(lambda: pdf.render(data, url), repeat=100, warmup=3)
    qr_canvas = canvas.Canvas(io.BytesIO())

    def qr_code():
        pdf._draw_qr(qr_canvas, "http://testserver" + url, 0, 0, 60)

    qr = time_calls(qr_code, repeat=100, warmup=3)
    parts_cpu = {name: _cpu_ms(fn) for name, fn in (
        ("load", lambda: pdf.load(applications[0])), ("render", lambda: pdf.render(data, url)), ("qr", qr_code))}
    print(f"confirmation PDF ({pdf.font_name()}): {size} bytes, median {timing['median_ms']:.2f} ms, "
          f"p95 {timing['p95_ms']:.2f} ms, min {timing['min_ms']:.2f} ms, CPU {cpu:.2f} ms")
    print(f"  reads {load['median_ms']:.2f} ms, drawing {render['median_ms']:.2f} ms "
          f"(of which the QR code {qr['median_ms']:.2f} ms); CPU: reads {parts_cpu['load']:.2f} ms, "
          f"drawing {parts_cpu['render']:.2f} ms, QR code {parts_cpu['qr']:.2f} ms; "
          f"load average {os.getloadavg()[0]:.2f}")
    emit(pdf_ms=round(timing["median_ms"], 2), pdf_p95_ms=round(timing["p95_ms"], 2),
         pdf_min_ms=round(timing["min_ms"], 2), pdf_cpu_ms=round(cpu, 2), pdf_bytes=size,
         pdf_load_ms=round(load["median_ms"], 2), pdf_render_ms=round(render["median_ms"], 2),
         pdf_qr_ms=round(qr["median_ms"], 2),
         **{f"pdf_{name}_cpu_ms": round(ms, 2) for name, ms in parts_cpu.items()})


if __name__ == "__main__":
    main()
