"""Real-world pictures a candidate's phone, scanner or computer makes, beyond the ordinary photo: each
stored upright in sRGB, or refused at the slot with what to do, never stored damaged (photo robustness
probe: a JPEG cut short with an EOI after the cut was stored with a grey area; a 12-bit JPEG was called
damaged; a CMYK JPEG's colour profile was not applied)."""

import io
import struct
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from prereg.applications import images
from prereg.applications.carryover import start_application
from prereg.applications.models import ApplicationImage


@pytest.fixture
def application(year, candidate):
    return start_application(candidate=candidate, exam_year=year)


def _saved(img, fmt, **options) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **options)
    return out.getvalue()


def _photo(size=(1200, 900), mode="RGB"):
    """A photo's worth of detail (noise over a drawn page), so that its scans are of a photo's length."""
    page = Image.new("RGB", size, (235, 235, 230))
    draw = ImageDraw.Draw(page)
    draw.rectangle((0, 0, size[0] // 2, size[1] // 3), fill=(200, 30, 30))
    for y in range(40, size[1], 30):
        draw.line([(40, y), (size[0] - 40, y)], fill=(20, 20, 20), width=3)
    picture = Image.blend(page, Image.effect_noise(size, 40).convert("RGB"), 0.25)
    return picture.convert(mode) if mode != "RGB" else picture


def _add(application, candidate, data, name="IMG_1.jpg"):
    return images.images_add(actor=candidate, application=application, slot="category",
                             uploads=[SimpleUploadedFile(name, data, content_type="image/jpeg")])


def _refused(application, candidate, data, name="IMG_1.jpg"):
    with pytest.raises(ValidationError) as refused:
        _add(application, candidate, data, name)
    assert not ApplicationImage.objects.exists()
    return refused.value.messages[0]


def _cut_with_eoi(data: bytes, fraction: float) -> bytes:
    """`data` cut `fraction` of the way through its scans, an EOI written after the cut (as an app that
    closes what it wrote does; Pillow's LOAD_TRUNCATED_IMAGES does the same to finish a cut picture)."""
    start, end = data.index(b"\xff\xda"), data.rindex(b"\xff\xd9")
    return data[:start + int((end - start) * fraction)] + b"\xff\xd9"


# ---------------------------------------------------------------- a JPEG cut short


@pytest.mark.parametrize("options", [{}, {"subsampling": "4:4:4"}, {"restart_marker_rows": 1}, {"optimize": True}],
                         ids=["baseline", "4:4:4", "restarts", "optimized"])
@pytest.mark.parametrize("fraction", [0.3, 0.9, 0.99])
def test_a_jpeg_cut_short_with_an_eoi_after_the_cut_is_refused_not_stored_grey(application, candidate, options,
                                                                               fraction):
    data = _saved(_photo(), "JPEG", quality=90, **options)
    cut = _cut_with_eoi(data, fraction)
    Image.open(io.BytesIO(cut)).load()  # Pillow decodes it "whole": grey below the cut
    assert _refused(application, candidate, cut) == f"IMG_1.jpg：{images.CORRUPT_MESSAGE}"


@pytest.mark.parametrize("mode", ["L", "CMYK"])
def test_a_grey_or_cmyk_jpeg_cut_short_is_refused(application, candidate, mode):
    cut = _cut_with_eoi(_saved(_photo(mode=mode), "JPEG"), 0.5)
    assert _refused(application, candidate, cut) == f"IMG_1.jpg：{images.CORRUPT_MESSAGE}"


@pytest.mark.parametrize("fraction", [0.05, 0.2, 0.35])
def test_a_progressive_jpeg_cut_before_its_last_scans_is_refused(application, candidate, fraction):
    data = _saved(_photo(), "JPEG", progressive=True)
    cut = _cut_with_eoi(data, fraction)
    assert len(images._jpeg_layout(cut).scans) < len(images._jpeg_layout(data).scans)
    Image.open(io.BytesIO(cut)).load()
    assert _refused(application, candidate, cut) == f"IMG_1.jpg：{images.CORRUPT_MESSAGE}"


@pytest.mark.parametrize(("mode", "options"), [
    ("RGB", {}), ("RGB", {"subsampling": "4:4:4"}), ("RGB", {"subsampling": "4:2:2"}), ("RGB", {"quality": 100}),
    ("RGB", {"quality": 10}), ("RGB", {"restart_marker_blocks": 3}), ("RGB", {"optimize": True}),
    ("RGB", {"progressive": True}), ("L", {}), ("L", {"progressive": True}), ("CMYK", {}),
], ids=["baseline", "4:4:4", "4:2:2", "q100", "q10", "restarts", "optimized", "progressive", "grey",
        "grey-progressive", "cmyk"])
def test_a_whole_jpeg_of_every_kind_is_stored_whole(application, candidate, mode, options):
    # The cut is told from a whole picture by decoding the one-pass ones without their EOI (images.END_PADDING):
    # every whole one still decodes to its last row.
    data = _saved(_photo((1203, 917), mode), "JPEG", **options)
    [img] = _add(application, candidate, data)
    stored = Image.open(img.file).convert("RGB")
    assert stored.size == (1203, 917)
    # The bottom right corner is the picture's (paper and noise), not the grey a cut leaves.
    corner = stored.crop((1150, 880, 1203, 917)).convert("L")
    assert corner.getextrema()[1] > 150


def test_a_jpeg_with_data_after_its_end_is_stored_as_its_picture(application, candidate):
    # A phone's trailer after the EOI (Samsung's, a camera's preview of an MPO): the picture ends at its EOI.
    data = _saved(_photo(), "JPEG") + b"SEFH" + bytes(5000) + b"\xff\xd8\xff\xd9"
    [img] = _add(application, candidate, data)
    assert (img.width, img.height) == (1200, 900)


# ---------------------------------------------------------------- a JPEG Pillow cannot decode


def _with_frame(data: bytes, marker: int | None = None, precision: int | None = None) -> bytes:
    """`data` with its start-of-frame marker or its bits a sample changed, as a 12-bit scanner's JPEG or an
    arithmetic-coded one has them: Pillow refuses either from its header, or fails on its first blocks."""
    data = bytearray(data)
    sof = data.index(b"\xff\xc0")
    if marker is not None:
        data[sof + 1] = marker
    if precision is not None:
        data[sof + 4] = precision
    return bytes(data)


@pytest.mark.parametrize(("marker", "precision", "kind"), [
    (None, 12, "12位高精度"), (None, 16, "16位高精度"), (0xC9, None, "算术编码"), (0xCA, None, "算术编码"),
    (0xC5, None, "分层编码"),
], ids=["12-bit", "16-bit", "arithmetic", "arithmetic-progressive", "hierarchical"])
def test_a_jpeg_pillow_cannot_decode_is_told_to_be_saved_as_an_ordinary_jpg_not_called_damaged(
        application, candidate, marker, precision, kind):
    data = _with_frame(_saved(_photo(), "JPEG"), marker, precision)
    message = _refused(application, candidate, data, "scan.jpg")
    assert message == ("scan.jpg：此图片是" + kind + "的特殊JPEG（专业相机、扫描仪或影像软件导出），无法读取。"
                       "请用手机重新拍摄，或用画图等软件另存为普通jpg格式后再上传。")
    assert images.CORRUPT_MESSAGE not in message


# ---------------------------------------------------------------- colour profiles


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def cmyk_profile(inks) -> bytes:
    """A CMYK printer profile (ICC v2, a 2-point lut16 AToB0 to Lab): the corner (c, m, y, k) of the CMYK cube,
    each 0 or 1, prints the Lab colour inks(c, m, y, k). Made here: no CMYK profile ships with Pillow."""
    def lab16(lightness, a, b):
        return struct.pack(">HHH", round(lightness * 0xFF00 / 100), round((a + 128) * 256), round((b + 128) * 256))

    corners = (0, 1)
    clut = b"".join(lab16(*inks(c, m, y, k)) for c in corners for m in corners for y in corners for k in corners)
    identity = b"".join(_s15(v) for v in (1, 0, 0, 0, 1, 0, 0, 0, 1))
    ramp = struct.pack(">HH", 0, 0xFFFF)
    a2b0 = b"mft2" + bytes(4) + bytes([4, 3, 2, 0]) + identity + struct.pack(">HH", 2, 2) + ramp * 4 + clut + ramp * 3
    name = b"CMYK test\0"
    tags = [(b"desc", b"desc" + bytes(4) + struct.pack(">I", len(name)) + name + bytes(8 + 3 + 67)),
            (b"wtpt", b"XYZ " + bytes(4) + _s15(0.9642) + _s15(1.0) + _s15(0.8249)),
            (b"cprt", b"text" + bytes(4) + b"none\0"),
            (b"A2B0", a2b0)]
    offset, table, body = 128 + 4 + 12 * len(tags), b"", b""
    for signature, data in tags:
        data += bytes(-len(data) % 4)
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += data
    header = (struct.pack(">I", offset + len(body)) + bytes(4) + struct.pack(">I", 0x02100000) + b"prtrCMYKLab "
              + bytes(12) + b"acsp" + bytes(24) + struct.pack(">I", 0) + _s15(0.9642) + _s15(1.0) + _s15(0.8249)
              + bytes(48))
    return header + struct.pack(">I", len(tags)) + table + body


def _inks(c, m, y, k):
    """A press whose cyan ink prints red: told apart from Pillow's naive conversion at a glance."""
    if k:
        return 0, 0, 0
    return {(0, 0, 0): (100, 0, 0), (1, 0, 0): (54, 80, 67), (0, 1, 0): (88, -80, 80),
            (0, 0, 1): (30, 68, -112)}.get((c, m, y), (20, 0, 0))


def _stored_colour(application, candidate, data):
    [img] = _add(application, candidate, data, "print.jpg")
    return Image.open(img.file).convert("RGB").getpixel((600, 450))


def test_a_cmyk_jpeg_is_stored_in_the_colours_its_profile_gives(application, candidate):
    profile = cmyk_profile(_inks)
    cyan_ink = Image.new("CMYK", (1200, 900), (255, 0, 0, 0))
    assert cyan_ink.convert("RGB").getpixel((0, 0)) == (0, 255, 255)  # Pillow's formula: cyan
    red, green, blue = _stored_colour(application, candidate, _saved(cyan_ink, "JPEG", quality=95,
                                                                     icc_profile=profile))
    assert red > 220 and green < 40 and blue < 40


def test_a_cmyk_jpeg_without_a_profile_or_with_one_of_another_colour_space_keeps_pillows_conversion(
        application, candidate):
    cyan_ink = Image.new("CMYK", (1200, 900), (255, 0, 0, 0))
    p3 = (Path(__file__).parent / "data" / "display-p3.icc").read_bytes()  # an RGB profile: no use for inks
    for options in ({}, {"icc_profile": p3}, {"icc_profile": b"\0" * 300}):
        red, green, blue = _stored_colour(application, candidate, _saved(cyan_ink, "JPEG", quality=95, **options))
        assert red < 30 and green > 225 and blue > 225, options
        ApplicationImage.objects.all().delete()


def test_an_rgb_picture_carrying_a_cmyk_profile_keeps_its_colours(application, candidate):
    picture = Image.new("RGB", (1200, 900), (200, 30, 30))
    red, green, blue = _stored_colour(application, candidate, _saved(picture, "JPEG", quality=95,
                                                                     icc_profile=cmyk_profile(_inks)))
    assert abs(red - 200) < 8 and green < 40 and blue < 40


# ---------------------------------------------------------------- formats not taken


def _animated(fmt, **options):
    frames = [_photo((400, 300)), _photo((400, 300)).rotate(180)]
    return _saved(frames[0].convert("P") if fmt == "GIF" else frames[0], fmt, save_all=True,
                  append_images=[frames[1].convert("P") if fmt == "GIF" else frames[1]], duration=100, **options)


@pytest.mark.parametrize(("data", "name"), [
    (lambda: _saved(_photo(), "WEBP", quality=80), "WebP"),
    (lambda: _saved(_photo(), "WEBP", lossless=True), "WebP"),
    (lambda: _animated("WEBP"), "WebP"),
    (lambda: _animated("GIF"), "GIF"),
    (lambda: _saved(_photo(), "TIFF"), "TIFF"),
    (lambda: _saved(_photo(), "TIFF", compression="tiff_lzw"), "TIFF"),
    (lambda: _saved(_photo((400, 300)), "AVIF"), "AVIF"),
], ids=["webp-lossy", "webp-lossless", "webp-animated", "gif-animated", "tiff", "tiff-lzw", "avif"])
def test_a_picture_of_a_format_not_taken_is_named_for_what_it_is_whatever_its_name(application, candidate, data,
                                                                                   name):
    for file_name in ("IMG_2020.jpg", "picture"):
        assert _refused(application, candidate, data(), file_name) == (
            f"{file_name}：这是{name}格式的图片（与文件名无关），不支持。仅支持 jpg/jpeg/png/bmp 格式的图片："
            "请在手机上截图后上传截图，或用画图等软件另存为jpg格式后再上传。")


def test_a_bmp_over_the_size_limit_is_told_to_be_saved_as_a_jpg_not_to_be_compressed(application, candidate):
    # A 24-bit BMP holds 3 bytes a pixel: 1600×1200 is 5.8 MB, and a BMP cannot be "compressed" as such.
    data = _saved(_photo((1600, 1200)), "BMP")
    assert len(data) > 3 * 1024 * 1024
    assert _refused(application, candidate, data, "扫描件.bmp") == (
        "扫描件.bmp：BMP格式的图片未经压缩，文件很大（超过3MB）。请用画图等软件另存为jpg格式，或在手机上截图后再上传。")
    [img] = _add(application, candidate, _saved(_photo((1000, 750)), "BMP"), "扫描件.bmp")  # 2.2 MB: taken
    assert (img.width, img.height) == (1000, 750)
