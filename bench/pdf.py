"""The confirmation form PDF: the issue's goal is ≤ 10 ms per form (median).

    .venv/bin/python -m bench.pdf
"""

from __future__ import annotations

from bench._candidate_setup import setup
from bench.common import emit, time_calls


def main():
    tree, year, candidate = setup()
    from prereg.applications.models import AppointmentRow, State, WorkRow
    from prereg.applications.pdf import confirmation_pdf
    from tests.candidate.factories import complete_application

    application = complete_application(candidate, year, tree)
    for i in range(3):
        WorkRow.objects.create(application=application, unit_name=f"单位{i}", title="医师", start=year.cutoff_date,
                               major="临床医学", order=i + 1)
        AppointmentRow.objects.create(application=application, unit_name=f"单位{i}", post="医师", qualification="医师",
                                      start=year.cutoff_date, order=i + 1)
    application.state, application.number = State.APPROVED, f"{year.year}00000001"
    application.save()
    size = len(confirmation_pdf(application))
    timing = time_calls(lambda: confirmation_pdf(application), repeat=50, warmup=3)
    print(f"confirmation PDF: {size} bytes, median {timing['median_ms']:.2f} ms, p95 {timing['p95_ms']:.2f} ms")
    emit(pdf_ms=round(timing["median_ms"], 2), pdf_p95_ms=round(timing["p95_ms"], 2), pdf_bytes=size)


if __name__ == "__main__":
    main()
