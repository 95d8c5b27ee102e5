"""Machine reading of certificate photos (prereg.ocr): speed, a worker's memory, and the flags' quality.

    .venv/bin/python -m bench.ocr [--count N] [--seed S]

The synthetic photos of tests/ocr/synth.py (every kind of certificate the issue names, printed with
WenQuanYi and Noto CJK, photographed: turned 0/90/180/270° plus skew, perspective, blur, glare,
noise, JPEG) are written to a temporary folder; a fresh process then plays an OCR worker: Django
set up, the engine loaded (one thread: one core), every photo read in turn as the task reads a
stored image. That process reports

    ocr_image_s   median CPU seconds to read one photo on one thread, i.e. one core (the engine's
                  read(): decode, take seals off, detect, turn upright, recognise, a second pass
                  where little was read); CPU time, so other load on the machine does not count
                  (ocr_image_wall_s: the wall time beside it)
    ocr_peak_mb   its peak resident memory (VmHWM): Django, the three ONNX models and one photo

and the lines it read. This process then compares them with the two typed variants of each photo
(one right, one with one realistic mistake; some photos in a wrong slot, some blank) and counts,
per field kind (name, id_number, date, school, …, and "kind" for a document of the wrong kind),
how often 不一致 was flagged rightly:

    ocr_flag_precision  the lowest precision over the field kinds (flags that were right)
    ocr_flag_recall     the lowest recall over the field kinds (mistakes that were flagged)

with the table of every field kind printed above the RESULT line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, emit, parse_result, setup_django, status_mb


def worker(folder: str) -> None:
    """(child) Read every photo in `folder` as an OCR worker would; print timings, lines, peak."""
    setup_django()
    from prereg.ocr import services
    from prereg.ocr.engine import RapidEngine

    engine = RapidEngine(threads=1)
    files = sorted(Path(folder).glob("*.jpg"))
    engine.read(files[0].read_bytes())  # warm-up: the first run of a model allocates its arenas
    out = {}
    for path in files:
        data = path.read_bytes()
        began, cpu = time.perf_counter(), time.process_time()
        lines = engine.read(data)
        out[path.name] = {"seconds": time.perf_counter() - began, "cpu": time.process_time() - cpu,
                          "lines": services.stored_lines(lines)}
    (Path(folder) / "read.json").write_text(json.dumps(out, ensure_ascii=False))
    emit(peak_mb=status_mb("VmHWM"), images=len(files))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=12, help="photos of each kind")
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--strength", type=float, default=1.0, help="how hard the photos are degraded (1: as stated)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return
    setup_django()
    from tests.ocr import synth

    began = time.perf_counter()
    samples = synth.samples(args.count, seed=args.seed, strength=args.strength)
    print(f"{len(samples)} synthetic photos ({args.count} of each of {len(synth.KINDS)} kinds, others in a wrong "
          f"slot or blank) in {time.perf_counter() - began:.0f} s; fonts: {', '.join(Path(f[0]).name for f in synth.fonts())}")
    with tempfile.TemporaryDirectory() as folder:
        for i, sample in enumerate(samples):
            (Path(folder) / f"{i:04d}.jpg").write_bytes(sample.image)
        proc = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "bench.ocr", "--worker", folder], cwd=ROOT, capture_output=True, text=True,
            env={**os.environ, "OMP_NUM_THREADS": "1"}, check=False)
        figures = parse_result(proc.stdout)
        if proc.returncode or not figures:
            print(proc.stdout[-2000:], proc.stderr[-4000:])
            emit(ocr_image_s=None, ocr_peak_mb=None, ocr_flag_precision=None, ocr_flag_recall=None)
            return
        read = json.loads((Path(folder) / "read.json").read_text())
    by_image = {sample.image: read[f"{i:04d}.jpg"] for i, sample in enumerate(samples)}

    def lines_of(image):
        from prereg.ocr.engine import Line

        return [Line(t, tuple((b[k], b[k + 1]) for k in range(0, 8, 2)), s, tuple(tuple(map(tuple, c)) for c in a))
                for t, b, s, a in by_image[image]["lines"]]

    from prereg.ocr import compare

    misses = []

    def note(sample, variant, result, wrong_key):
        for f in result.fields:
            flagged, wrong = f.status == compare.MISMATCH, bool(wrong_key) and f.key == wrong_key and (
                not sample.wrong_label or f.label == sample.wrong_label)
            if flagged != wrong and not sample.wrong_kind:
                misses.append(f"  {'missed' if wrong else 'wrong flag'}: {sample.kind} {f.label} typed {f.typed!r}"
                              f" photo {f.photo!r} ({f.status}, font {sample.font})")
        if variant is sample.right and (result.kind_verdict == "wrong") != sample.wrong_kind:
            misses.append(f"  kind: {sample.kind} in slot {sample.slot} read as {result.kind} ({result.kind_verdict})")

    result = synth.score(samples, lines_of, note)
    seconds = [entry["cpu"] for entry in read.values()]
    wall = [entry["seconds"] for entry in read.values()]
    print(f"\n{'field':<15}{'flags right':>12}{'wrong':>7}{'missed':>8}{'quiet':>7}{'unread':>8}{'precision':>11}{'recall':>8}")
    precisions, recalls = [], []
    for key, c in sorted(result["by_field"].items()):
        p, r = synth.precision_recall(c)
        precisions += [p] if p is not None else []
        recalls += [r] if r is not None else []
        show = lambda v: "—" if v is None else f"{v:.3f}"  # noqa: E731
        print(f"{key:<15}{c['tp']:>12}{c['fp']:>7}{c['fn']:>8}{c['tn']:>7}{c['unread']:>8}{show(p):>11}{show(r):>8}")
    total = {k: sum(c[k] for c in result["by_field"].values()) for k in ("tp", "fp", "fn", "tn", "unread")}
    p_all, r_all = synth.precision_recall(total)
    print(f"{'all':<15}{total['tp']:>12}{total['fp']:>7}{total['fn']:>8}{total['tn']:>7}{total['unread']:>8}"
          f"{p_all:>11.3f}{r_all:>8.3f}")
    if misses:
        print("\nwhere the flag was wrong or missing:")
        print("\n".join(misses))
    print(f"\nread {len(seconds)} photos: CPU median {statistics.median(seconds):.2f} s "
          f"(p90 {sorted(seconds)[int(0.9 * len(seconds))]:.2f} s; wall median {statistics.median(wall):.2f} s), "
          f"worker peak {figures['peak_mb']:.0f} MB")
    emit(ocr_image_s=statistics.median(seconds), ocr_image_wall_s=statistics.median(wall), ocr_peak_mb=figures["peak_mb"],
         ocr_flag_precision=min(precisions) if precisions else None,
         ocr_flag_recall=min(recalls) if recalls else None,
         ocr_flag_precision_all=p_all, ocr_flag_recall_all=r_all, ocr_photos=len(seconds))


if __name__ == "__main__":
    main()
