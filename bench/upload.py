"""Accepting a 3 MB phone photo (decode, re-encode, thumbnail, SHA-256, store): goal ≤ 150 ms (median).

    .venv/bin/python -m bench.upload
"""

from __future__ import annotations

from bench._candidate_setup import photo_bytes, setup
from bench.common import emit, time_calls


def main():
    tree, year, candidate = setup()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from prereg.applications import images
    from prereg.applications.carryover import start_application

    application = start_application(candidate=candidate, exam_year=year)
    data = photo_bytes()

    def accept():
        images.images_add(actor=candidate, application=application, slot="photo",
                          uploads=[SimpleUploadedFile("IMG_0001.jpg", data, content_type="image/jpeg")])

    timing = time_calls(accept, repeat=15, warmup=2)
    print(f"3 MB photo ({len(data)} bytes, 4000x3000): median {timing['median_ms']:.1f} ms, "
          f"p95 {timing['p95_ms']:.1f} ms")
    emit(upload_ms=round(timing["median_ms"], 1), upload_p95_ms=round(timing["p95_ms"], 1), upload_bytes=len(data))


if __name__ == "__main__":
    main()
