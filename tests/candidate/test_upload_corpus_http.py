"""The bad-file corpus through the candidate's upload view, as a phone sends it: each file refused
with a Chinese message, nothing in the database or on disk, and memory bounded (a real 20000×20000
bomb, decoded, would take over a gigabyte)."""

import io
import os
import resource
import struct
import tracemalloc
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from prereg.applications.carryover import start_application
from prereg.applications.models import ApplicationImage
from tests.factories import jpeg_upload

MB = 1024 * 1024


def _chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def real_png_bomb(side=20000):
    """A valid 1-bit PNG of side×side pixels (50 MB of pixels, ~60 KB of file): decoded to RGB, 1.2 GB."""
    compressor = zlib.compressobj(9)
    row = b"\0" + b"\0" * ((side + 7) // 8)
    data = b"".join(compressor.compress(row * 500) for _ in range(side // 500)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def real_rgb_png(side=6300):
    """A valid RGB PNG of side×side (the 6300×6300 of issue 14: ~120 KB of file, 160 MB decoded)."""
    compressor = zlib.compressobj(6)
    row = b"\0" + b"\xc8" * (side * 3)
    data = b"".join(compressor.compress(row * 100) for _ in range(side // 100)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def jpeg_bytes():
    out = io.BytesIO()
    Image.new("RGB", (200, 150), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def over_three_megabytes():
    out = io.BytesIO()
    Image.frombytes("RGB", (1100, 1000), os.urandom(1100 * 1000 * 3)).save(out, "PNG")
    return out.getvalue()


CORPUS = {
    "text renamed .jpg": ("scan.jpg", lambda: "这不是图片".encode() * 200, "image/jpeg", "仅支持 jpg/jpeg/png/bmp"),
    "truncated jpeg": ("cut.jpg", lambda: jpeg_bytes()[:300], "image/jpeg", "损坏或不完整"),
    "0 bytes": ("empty.jpg", lambda: b"", "image/jpeg", "文件为空"),
    "20000x20000 bomb": ("bomb.png", real_png_bomb, "image/png", "像素过大"),
    "6300x6300 PNG": ("scan.png", real_rgb_png, "image/png", "像素过大（6300×6300）：最多1000万像素"),
    "over 3 MB": ("big.png", over_three_megabytes, "image/png", "不能超过3MB"),
}


@pytest.fixture
def logged_in(client, year, candidate, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    client.force_login(candidate)
    return start_application(candidate=candidate, exam_year=year)


def stored_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize("case", list(CORPUS))
def test_each_bad_file_is_refused_with_a_message_nothing_stored_and_memory_bounded(client, logged_in, settings,
                                                                                  case):
    name, make, content_type, words = CORPUS[case]
    upload = SimpleUploadedFile(name, make(), content_type=content_type)
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    tracemalloc.start()
    try:
        response = client.post(reverse("candidate:image_upload"),
                               {"slot": "photo", "version": logged_in.version, "file": upload},
                               HTTP_ACCEPT="application/json")
        _, traced_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) * 1024
    assert response.status_code == 400
    message = response.json()["message"]
    assert message.startswith(f"{name}：") and words in message, message
    assert ApplicationImage.objects.count() == 0 and stored_files(settings) == []
    assert traced_peak < 64 * MB and grown < 200 * MB, (traced_peak, grown)


def test_a_hundred_files_at_once_are_refused_and_nothing_is_written(client, logged_in, settings):
    files = [jpeg_upload(f"f{i}.jpg") for i in range(100)]
    response = client.post(reverse("candidate:image_upload"),
                           {"slot": "category", "version": logged_in.version, "file": files},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and "最多上传5张图片，还可上传5张" in response.json()["message"]
    assert ApplicationImage.objects.count() == 0 and stored_files(settings) == []


def test_a_polyglot_png_with_html_is_stored_reencoded_without_the_html(client, logged_in, settings):
    out = io.BytesIO()
    Image.new("RGB", (200, 300), (10, 200, 10)).save(out, "PNG")  # upright, as the photo slot asks
    polyglot = out.getvalue() + b"<html><script>alert(1)</script></html>"
    response = client.post(reverse("candidate:image_upload"),
                           {"slot": "photo", "version": logged_in.version,
                            "file": SimpleUploadedFile("p.png", polyglot, content_type="image/png")},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    files = stored_files(settings)
    assert files and all(b"<script" not in f.read_bytes() for f in files)
