"""What the tools share: where they write, how they set up Django, how they save a small PNG."""

import io
import os
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
STATIC_DIR = ROOT / "prereg" / "static"
# The manuals' pictures (docs/manual-*.md): prereg.catalog.markup serves them from here.
MANUAL_DIR = STATIC_DIR / "manual"


def setup_django() -> None:
    """Configure Django with the project's settings, as manage.py does."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def palette_png(image: Image.Image, colours: int) -> bytes:
    """The image as an optimised PNG of at most `colours` colours: screens and specimens have few."""
    out = io.BytesIO()
    palette = image.quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    palette.save(out, "PNG", optimize=True)
    return out.getvalue()


def save(path: Path, data: bytes, note: str = "") -> None:
    """Write one file and say so: its path in the project, its size, and what it shows."""
    path.write_bytes(data)
    print(f"{path.relative_to(ROOT)}  {len(data) // 1024} KB{f'  ({note})' if note else ''}")
