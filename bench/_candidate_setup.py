"""Shared set-up of bench.pdf, bench.form_page and bench.upload: a throwaway SQLite database (removed at
exit; SQLite always, so the process's CPU time is the whole cost), the demo tree, a year and one candidate."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

from bench.common import migrate, setup_django


def setup():
    tmpdir = tempfile.mkdtemp(prefix="bench-candidate-")
    atexit.register(shutil.rmtree, tmpdir, ignore_errors=True)
    os.environ["MEDIA_ROOT"] = os.path.join(tmpdir, "media")
    setup_django(f"sqlite:///{tmpdir}/bench.sqlite3")
    migrate()
    from prereg.catalog.loaders import load_national, load_year_catalogue
    from prereg.demo.orgs import seed_orgs
    from tests.factories import CandidateFactory, ExamYearFactory

    load_national()
    tree = seed_orgs()
    year = ExamYearFactory()
    load_year_catalogue(year)
    candidate = CandidateFactory()
    return tree, year, candidate


def photo_bytes(target=3 * 1024 * 1024 - 64 * 1024) -> bytes:
    """A phone-like JPEG just under 3 MB (4000x3000, textured so it does not compress away)."""
    import io

    from PIL import Image, ImageFilter

    small = Image.effect_noise((500, 375), 60).convert("RGB").filter(ImageFilter.SMOOTH)
    img = small.resize((4000, 3000), Image.Resampling.BICUBIC)
    noise = Image.effect_noise((4000, 3000), 40).convert("RGB")
    img = Image.blend(img, noise, 0.25)
    best = b""
    for quality in range(95, 30, -5):
        out = io.BytesIO()
        img.save(out, "JPEG", quality=quality)
        if out.tell() <= target:
            best = out.getvalue()
            break
    return best
