"""Uploads: time of a 3 MB phone photo, and the memory of the worst files the pipeline accepts.

    .venv/bin/python -m bench.upload

upload_ms (goal ≤ 150 ms, median): accepting a 3 MB 4000×3000 phone photo through
`images.images_add` (decode, re-encode, thumbnail, SHA-256, store).

upload_peak_mb (goal ≤ 150 MB): the most memory one upload takes, over a set of the worst files
the rules allow (largest one-pass JPEG, the largest decoded at full DCT scale, CMYK, progressive
JPEG and PNGs at the full-decode pixel limit, a 1-bit PNG that decodes to far more than its
size, the 6300×6300 PNG of issue 14, a 20000×20000 PNG bomb). Each file is processed by
`images.process_image` in a fresh process (`--peak-of FILE`): the figure is the peak resident
set size (VmHWM) minus the resident size just before the call, after a warm-up, so Pillow's
C allocations count as well as Python's (tracemalloc would miss them). The rest of a request
(Django's in-memory upload, ≤ 4 MB, and one database row) is small beside it.
"""

from __future__ import annotations

import argparse
import io
import os
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

from bench._candidate_setup import photo_bytes, setup
from bench.common import ROOT, emit, parse_result, setup_django, status_mb, time_calls


def _drawn(mode: str, size: tuple[int, int]):
    """A line drawing of `size`: compresses to a small file, decodes to every one of its pixels."""
    from PIL import Image, ImageDraw

    ink = {"RGB": (0, 0, 0), "RGBA": (0, 0, 0, 255), "CMYK": (0, 0, 0, 255), "L": 0, "P": 1}[mode]
    paper = {"RGB": (200, 210, 220), "RGBA": (200, 210, 220, 128), "CMYK": (10, 20, 30, 0), "L": 200, "P": 3}[mode]
    img = Image.new(mode, size, paper)
    draw = ImageDraw.Draw(img)
    for x in range(0, size[0], 97):
        draw.line([(x, 0), (x, size[1] - 1)], fill=ink, width=3)
    return img


def _png_bomb(side: int) -> bytes:
    """A valid all-white 1-bit PNG of side×side, written row by row (Pillow would first hold it all)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    compressor = zlib.compressobj(9)
    row = b"\0" + b"\0" * ((side + 7) // 8)
    idat = b"".join(compressor.compress(row * 500) for _ in range(side // 500)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def worst_files() -> dict[str, bytes]:
    """name -> file bytes: the files that cost the pipeline most memory, each ≤ 3 MB."""
    from django.conf import settings

    limit = settings.IMAGE_MAX_PIXELS_FULL_DECODE
    side = int((limit / 12) ** 0.5)
    at_limit = (side * 4, side * 3)  # 4:3, just under the full-decode limit
    square = int(limit**0.5)
    big = int(settings.IMAGE_MAX_PIXELS**0.5)

    def saved(img, fmt, **options) -> bytes:
        out = io.BytesIO()
        img.save(out, fmt, **options)
        return out.getvalue()

    png_p = _drawn("P", at_limit)
    return {
        "phone photo 4000x3000": photo_bytes(),
        f"JPEG {big}x{big} (largest allowed)": saved(_drawn("RGB", (big, big)), "JPEG", quality=85),
        "JPEG 3999x3999 4:4:4 (decoded at full scale)": saved(_drawn("RGB", (3999, 3999)), "JPEG", subsampling=0),
        "JPEG CMYK 3999x3999": saved(_drawn("CMYK", (3999, 3999)), "JPEG"),
        f"progressive JPEG 4:4:4 {at_limit[0]}x{at_limit[1]}": saved(
            _drawn("RGB", at_limit), "JPEG", progressive=True, subsampling=0, quality=90),
        f"progressive JPEG CMYK {square}x{square}": saved(_drawn("CMYK", (square, square)), "JPEG", progressive=True),
        f"PNG RGBA {at_limit[0]}x{at_limit[1]}": saved(_drawn("RGBA", at_limit), "PNG"),
        f"PNG palette+transparency {at_limit[0]}x{at_limit[1]}": saved(png_p, "PNG", transparency=3),
        f"PNG 1-bit {square}x{square}": saved(_drawn("L", (square, square)).convert("1"), "PNG"),
        "PNG RGB 6300x6300 (issue 14)": saved(_drawn("RGB", (6300, 6300)), "PNG"),
        "PNG 1-bit 20000x20000 (bomb)": _png_bomb(20000),
    }


def peak_of(path: str) -> None:
    """Child: process one file; print the growth of the peak resident set size (MB)."""
    setup_django()
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from prereg.applications.images import process_image

    warm = io.BytesIO()
    _drawn("RGB", (320, 240)).save(warm, "JPEG")
    process_image(SimpleUploadedFile("warm.jpg", warm.getvalue()))
    data = Path(path).read_bytes()
    before = status_mb("VmRSS")
    try:
        result = process_image(SimpleUploadedFile(Path(path).name, data))
        accepted = 1
        print(f"stored {result.width}x{result.height}")
    except ValidationError as error:
        accepted = 0
        print(f"refused: {error.messages[0]}")
    peak = status_mb("VmHWM")  # at least the peak of the call: an earlier peak could only raise it
    emit(peak_mb=round(max(0.0, peak - before), 1), accepted=accepted, bytes=len(data))


def upload_peak() -> dict:
    """The peak of every worst file, each in its own process."""
    peaks = {}
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as tmp:
        for i, (name, data) in enumerate(worst_files().items()):
            path = Path(tmp) / f"file{i}"
            path.write_bytes(data)
            proc = subprocess.run(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "bench.upload", "--peak-of", str(path)], cwd=ROOT,
                capture_output=True, text=True, check=True, env=os.environ.copy(),
            )
            figures = parse_result(proc.stdout) or {}
            peaks[name] = figures
            verdict = proc.stdout.splitlines()[0] if proc.stdout else ""
            print(f"{figures.get('peak_mb', 'n/a'):>7} MB  {len(data) / 1024:8.0f} KB  {name}: {verdict}")
    return peaks


def main():
    parser = argparse.ArgumentParser(prog="python -m bench.upload", description=__doc__.splitlines()[0])
    parser.add_argument("--peak-of", help="(child) process this file and report its peak memory")
    args = parser.parse_args()
    if args.peak_of:
        peak_of(args.peak_of)
        return

    tree, year, candidate = setup()
    print("peak memory of one upload, per file (fresh process each):")
    peaks = upload_peak()
    worst = max(figures["peak_mb"] for figures in peaks.values())
    from django.core.files.uploadedfile import SimpleUploadedFile

    from prereg.applications import images
    from prereg.applications.carryover import start_application

    application = start_application(candidate=candidate, exam_year=year)
    data = photo_bytes()

    def accept():  # the ID card's front: a landscape picture, as the 4000x3000 photo is, replaced at each call
        images.images_add(actor=candidate, application=application, slot="id_front",
                          uploads=[SimpleUploadedFile("IMG_0001.jpg", data, content_type="image/jpeg")])

    timing = time_calls(accept, repeat=15, warmup=2)
    print(f"3 MB photo ({len(data)} bytes, 4000x3000): median {timing['median_ms']:.1f} ms, "
          f"p95 {timing['p95_ms']:.1f} ms; worst upload peak {worst:.1f} MB")
    emit(upload_ms=round(timing["median_ms"], 1), upload_p95_ms=round(timing["p95_ms"], 1), upload_bytes=len(data),
         upload_peak_mb=worst)


if __name__ == "__main__":
    main()
