"""Kinds of image a scanner or a phone makes, as the candidate sees them stored or is told why not:
16-bit scans legible, transparent PNGs upright, big phone photos scaled, an iPhone HEIC named for
what it is, a picture too small or too narrow to show a certificate refused with its size."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms, ImageDraw

from prereg.applications import images
from prereg.applications.carryover import start_application


@pytest.fixture
def application(year, candidate):
    return start_application(candidate=candidate, exam_year=year)


def _chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png16(width, height, colour_type, pixel: bytes, rows=None, trns: bytes | None = None) -> bytes:
    """A 16-bit PNG (Pillow writes none but grey scale): every pixel `pixel`, or row y made of rows(y)."""
    raw = b"".join(b"\0" + (rows(y) if rows else pixel * width) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 16, colour_type, 0, 0, 0)
    extra = _chunk(b"tRNS", trns) if trns is not None else b""
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + extra + _chunk(b"IDAT", zlib.compress(raw))
            + _chunk(b"IEND", b""))


def store(application, candidate, data, name="scan.png"):
    [img] = images.images_add(actor=candidate, application=application, slot="category",
                              uploads=[SimpleUploadedFile(name, data, content_type="image/png")])
    return Image.open(img.file).convert("L"), img


def grey16_scan(width=400, height=300):
    """A 16-bit grey scan: white paper, a black block of 'text', a dark grey (1969/65535) band and a
    mid grey one (paste() of a number into I;16 fills with its low byte twice: built from bytes)."""
    def value(x, y):
        if 40 <= x < 200 and 40 <= y < 100:
            return 0
        if 40 <= x < 360 and 150 <= y < 200:
            return 1969
        if 40 <= x < 360 and 230 <= y < 280:
            return 32896  # 128 of 255
        return 65535

    pixels = b"".join(struct.pack("<H", value(x, y)) for y in range(height) for x in range(width))
    out = io.BytesIO()
    Image.frombytes("I;16", (width, height), pixels).save(out, "PNG")
    return out.getvalue()


def test_a_16_bit_grey_scan_keeps_its_text_and_tones(application, candidate):
    data = grey16_scan()
    assert Image.open(io.BytesIO(data)).mode == "I;16"
    stored, _ = store(application, candidate, data)
    assert stored.getpixel((10, 10)) >= 250  # paper
    assert stored.getpixel((120, 70)) <= 10  # text, not a blank white page
    assert stored.getpixel((200, 175)) <= 16  # 1969/65535 is 8/255, not 255
    assert 120 <= stored.getpixel((200, 255)) <= 136


def test_a_16_bit_grey_scan_with_a_transparent_grey_is_flattened_onto_white(application, candidate):
    def rows(y):
        return b"".join(struct.pack(">H", 1000 if x < 100 else 0 if x < 200 else 40000) for x in range(300))

    stored, _ = store(application, candidate, png16(300, 200, 0, b"", rows, trns=struct.pack(">H", 1000)))
    assert stored.getpixel((50, 100)) >= 250  # the transparent value: paper
    assert stored.getpixel((150, 100)) <= 10
    assert 150 <= stored.getpixel((250, 100)) <= 160  # 40000/65535 = 156/255


@pytest.mark.parametrize(("colour_type", "pixel", "expected"), [
    (2, struct.pack(">HHH", 1969, 32896, 65535), (8, 128, 255)),  # RGB
    (6, struct.pack(">HHHH", 1969, 32896, 65535, 65535), (8, 128, 255)),  # RGBA, opaque
    (4, struct.pack(">HH", 32896, 65535), (128, 128, 128)),  # grey + alpha
])
def test_16_bit_colour_pngs_keep_their_colours(application, candidate, colour_type, pixel, expected):
    [img] = images.images_add(actor=candidate, application=application, slot="category", uploads=[
        SimpleUploadedFile("c.png", png16(300, 200, colour_type, pixel), content_type="image/png")])
    stored = Image.open(img.file).convert("RGB").getpixel((150, 100))
    assert all(abs(got - want) <= 4 for got, want in zip(stored, expected, strict=True)), stored


def _with_orientation(img, fmt, orientation=6, **options) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    img.save(out, fmt, exif=exif.tobytes(), **options)
    return out.getvalue()


def _marked(mode, size=(400, 300)):
    """An image of `size` whose top left quarter is black on a white ground (alpha opaque)."""
    white = {"RGBA": (255, 255, 255, 255), "LA": (255, 255), "P": 1, "I;16": 65535, "RGB": (255, 255, 255)}[mode]
    black = {"RGBA": (0, 0, 0, 255), "LA": (0, 255), "P": 0, "I;16": 0, "RGB": (0, 0, 0)}[mode]
    img = Image.new(mode, size, white)
    if mode == "P":
        img.putpalette([0, 0, 0, 255, 255, 255, 9, 9, 9])
    img.paste(black, (0, 0, size[0] // 2, size[1] // 2))
    return img


@pytest.mark.parametrize(("mode", "options"), [
    ("RGBA", {}), ("LA", {}), ("P", {"transparency": 2}), ("I;16", {}), ("RGB", {}),
])
def test_a_png_with_an_exif_turn_is_stored_upright_as_a_browser_shows_it(application, candidate, mode, options):
    data = _with_orientation(_marked(mode), "PNG", **options)
    assert Image.open(io.BytesIO(data)).getexif()[0x0112] == 6
    stored, img = store(application, candidate, data)
    # Orientation 6: shown turned 90° clockwise, so the black top left quarter is top right.
    assert (img.width, img.height) == (300, 400)
    assert stored.getpixel((225, 100)) <= 10 and stored.getpixel((75, 100)) >= 245
    assert stored.getpixel((225, 300)) >= 245


def heic(size: int) -> bytes:
    """The start of an iPhone photo as the camera saves it (an ISO media ftyp box, brand heic), `size` bytes."""
    head = struct.pack(">I", 24) + b"ftypheic" + struct.pack(">I", 0) + b"mif1heic"
    return head + b"\0" * (size - len(head))


@pytest.mark.parametrize("size", [8_800_000, 900_000])
def test_a_heic_photo_is_told_its_format_first_whatever_its_size(application, candidate, size):
    with pytest.raises(ValidationError) as refused:
        images.images_add(actor=candidate, application=application, slot="photo",
                          uploads=[SimpleUploadedFile("IMG_0001.HEIC", heic(size), content_type="image/heic")])
    message = refused.value.messages[0]
    assert message.startswith("IMG_0001.HEIC：不支持HEIC格式的照片") and "兼容性最佳" in message, message
    assert "3MB" not in message


def test_a_big_file_of_another_type_is_told_its_type_not_its_size(application, candidate):
    with pytest.raises(ValidationError, match="仅支持 jpg/jpeg/png/bmp 格式的图片"):
        images.images_add(actor=candidate, application=application, slot="photo",
                          uploads=[SimpleUploadedFile("a.pdf", b"%PDF-1.7" + b"\0" * 4_000_000)])


def test_a_scanned_certificate_saved_as_pdf_is_told_how_to_make_it_a_picture(application, candidate):
    with pytest.raises(ValidationError) as refused:
        images.images_add(actor=candidate, application=application, slot="category",
                          uploads=[SimpleUploadedFile("扫描件.pdf", b"%PDF-1.4\n" + b"\0" * 2000)])
    message = refused.value.messages[0]
    assert message.startswith("扫描件.pdf：不支持PDF文件") and "截图" in message and "JPG" in message, message


def _drawn(size, mode="RGB", paper=(200, 210, 220)):
    """Lines on paper: a small file of many pixels."""
    img = Image.new(mode, size, paper)
    draw = ImageDraw.Draw(img)
    for x in range(0, size[0], 97):
        draw.line([(x, 0), (x, size[1] - 1)], fill=(0, 0, 0, 0)[:len(mode)] if mode != "L" else 0, width=3)
    return img


def _saved(img, fmt, **options) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **options)
    return out.getvalue()


@pytest.mark.parametrize(("subsampling", "mode"), [("4:2:0", "RGB"), ("4:4:4", "RGB"), ("4:2:0", "L"),
                                                   ("4:4:4", "CMYK")])
def test_a_progressive_12_mp_phone_photo_is_scaled_while_decoding_and_stored(application, candidate,
                                                                             subsampling, mode):
    data = _saved(_drawn((4000, 3000), mode, 200 if mode == "L" else (200, 210, 220, 0)[:len(mode)]), "JPEG",
                  progressive=True, subsampling=subsampling)
    assert len(data) < 3 * 1024 * 1024 and Image.open(io.BytesIO(data)).info["progressive"]
    [img] = images.images_add(actor=candidate, application=application, slot="category",
                              uploads=[SimpleUploadedFile("IMG_1.jpg", data, content_type="image/jpeg")])
    assert (img.width, img.height) == (2000, 1500)


def test_a_camera_jpeg_with_more_pictures_appended_is_stored_as_its_first_picture(application, candidate):
    photo, depth_map = _drawn((4032, 3024), paper=(200, 30, 30)), Image.new("RGB", (640, 480), (30, 30, 200))
    data = _saved(photo, "MPO", save_all=True, append_images=[depth_map])
    assert Image.open(io.BytesIO(data)).format == "MPO"
    [img] = images.images_add(actor=candidate, application=application, slot="category",
                              uploads=[SimpleUploadedFile("IMG_2.jpg", data, content_type="image/jpeg")])
    assert (img.width, img.height) == (2000, 1500)
    red, _green, blue = Image.open(img.file).getpixel((30, 30))
    assert red > 150 and blue < 80


@pytest.mark.parametrize("fmt", ["JPEG", "MPO"])
def test_a_progressive_photo_too_big_to_decode_is_refused_in_the_candidates_words(application, candidate, fmt):
    # 4:4:4 at 6000×6000: 216 MB of coefficients whatever the scale.
    data = _saved(_drawn((6000, 6000)), fmt, progressive=True, subsampling="4:4:4",
                  **({"save_all": True, "append_images": [Image.new("RGB", (64, 48))]} if fmt == "MPO" else {}))
    with pytest.raises(ValidationError) as refused:
        images.images_add(actor=candidate, application=application, slot="category",
                          uploads=[SimpleUploadedFile("IMG_3.jpg", data, content_type="image/jpeg")])
    assert refused.value.messages[0] == ("IMG_3.jpg：图片像素过大（6000×6000）：最多1000万像素（如3648×2736）。"
                                         "请用手机相册的“编辑/裁剪”或截图缩小后再上传。")


@pytest.mark.parametrize(("size", "message"), [
    ((1, 1), "图片太小（1×1像素），看不清证件内容。请上传清晰的照片，宽和高都不少于200像素。"),
    ((50, 50), "图片太小（50×50像素），看不清证件内容。请上传清晰的照片，宽和高都不少于200像素。"),
    ((640, 199), "图片太小（640×199像素），看不清证件内容。请上传清晰的照片，宽和高都不少于200像素。"),
    ((65000, 10), images.SHAPE_MESSAGE),
    ((201, 1609), images.SHAPE_MESSAGE),
], ids=["1x1", "50x50", "640x199", "65000x10", "201x1609"])
def test_an_image_too_small_or_too_narrow_to_show_a_certificate_is_refused_with_its_size(application, candidate,
                                                                                        size, message):
    data = _saved(Image.new("L", size, 200), "JPEG")
    with pytest.raises(ValidationError) as refused:
        images.images_add(actor=candidate, application=application, slot="category",
                          uploads=[SimpleUploadedFile("x.jpg", data, content_type="image/jpeg")])
    assert refused.value.messages[0] == f"x.jpg：{message}"


@pytest.mark.parametrize("size", [(295, 413), (413, 295), (358, 441), (200, 200), (200, 1600)],
                         ids=["295x413", "413x295", "358x441", "200x200", "200x1600"])
def test_a_one_inch_id_photo_and_the_least_sizes_allowed_are_stored(application, candidate, size):
    # 295×413: the 1-inch ID photo (一寸照); 358×441: the photo of a resident ID card (身份证照片).
    data = _saved(Image.new("RGB", size, (9, 9, 9)), "JPEG")
    # The 考生照片 slot takes an upright picture only: a landscape one, or a strip, is a certificate's.
    slot = "photo" if size[0] <= size[1] <= 2 * size[0] else "category"
    [img] = images.images_add(actor=candidate, application=application, slot=slot,
                              uploads=[SimpleUploadedFile("p.jpg", data, content_type="image/jpeg")])
    assert (img.width, img.height) == size


@pytest.mark.parametrize(("mode", "fill", "key"), [("RGB", (200, 200, 200), (0, 0, 0)), ("L", 200, 0)])
def test_a_colour_keyed_png_is_flattened_onto_white(application, candidate, mode, fill, key):
    # Photo probe: an RGB or grey PNG whose tRNS names a transparent colour (as PNG optimisers write one) kept
    # its transparent pixels black.
    picture = Image.new(mode, (1200, 900), fill)
    picture.paste(key, (0, 0, 1200, 100))
    out = io.BytesIO()
    picture.save(out, "PNG", transparency=key)
    stored, _ = store(application, candidate, out.getvalue())
    assert stored.getpixel((600, 50)) >= 250  # the transparent band: paper
    assert 190 <= stored.getpixel((600, 500)) <= 210


def test_a_photo_in_another_colour_space_is_stored_in_srgb(application, candidate):
    # Photo probe: a Display P3 photo (as an iPhone takes) sent as it is was stored without its profile and read
    # as sRGB, washed out: red (220, 30, 30) came out (200, 56, 48).
    p3 = (Path(__file__).parent / "data" / "display-p3.icc").read_bytes()
    srgb = Image.new("RGB", (1600, 1200), (220, 30, 30))
    in_p3 = ImageCms.profileToProfile(srgb, ImageCms.createProfile("sRGB"), ImageCms.ImageCmsProfile(io.BytesIO(p3)),
                                      outputMode="RGB")
    assert max(abs(a - b) for a, b in zip(in_p3.getpixel((5, 5)), (220, 30, 30), strict=True)) > 15
    out = io.BytesIO()
    in_p3.save(out, "JPEG", quality=95, icc_profile=p3)
    [img] = images.images_add(actor=candidate, application=application, slot="category",
                              uploads=[SimpleUploadedFile("p3.jpg", out.getvalue(), content_type="image/jpeg")])
    stored = Image.open(img.file).convert("RGB").getpixel((800, 600))
    assert max(abs(a - b) for a, b in zip(stored, (220, 30, 30), strict=True)) <= 6, stored
