"""The pictures a candidate's phone or computer makes, through the upload view as the page sends them (with its
script: JSON; without: a form post and a redirect): each stored upright at a sensible size, with its thumbnail,
or refused with its reason at the slot; never a server error, and nothing the candidate had saved is touched
(photo robustness probe)."""

import io
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageDraw, ImageStat

from prereg.applications.carryover import start_application
from prereg.applications.models import Application, ApplicationImage

MB = 1024 * 1024


def _page(size=(1600, 1200)):
    """A certificate: a red block at its top left, so that an upright picture is told from a turned one."""
    picture = Image.new("RGB", size, (235, 235, 230))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 0, size[0] // 3, size[1] // 4), fill=(200, 30, 30))
    for y in range(size[1] // 3, size[1], 40):
        draw.line([(60, y), (size[0] - 60, y)], fill=(20, 20, 20), width=4)
    return picture


def _saved(img, fmt, **options) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **options)
    return out.getvalue()


# An EXIF orientation (1-8) and the turn that makes a picture which, shown as the camera meant it, is upright.
_UNDO = {1: None, 2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
         5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_90, 7: Image.Transpose.TRANSVERSE,
         8: Image.Transpose.ROTATE_270}


def _as_camera_saves(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    turn = _UNDO[orientation]
    page = _page()
    return _saved(page.transpose(turn) if turn is not None else page, "JPEG", exif=exif.tobytes())


def _huge_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = "说明" * 10000  # ImageDescription: a 60 KB segment
    exif[0x0112] = 1
    xmp = b"<x:xmpmeta>" + b"x" * 60000 + b"</x:xmpmeta>"
    return _saved(_page(), "JPEG", exif=exif.tobytes(), xmp=xmp)


def _with_alpha(mode):
    page = _page().convert("RGBA")
    page.putalpha(Image.new("L", page.size, 255))
    return page.convert(mode) if mode != "RGBA" else page


STORED = {
    **{f"EXIF orientation {n}": lambda n=n: _as_camera_saves(n) for n in range(1, 9)},
    "progressive JPEG": lambda: _saved(_page(), "JPEG", progressive=True),
    "MPO": lambda: _saved(_page(), "MPO", save_all=True, append_images=[_page((640, 480))]),
    "huge EXIF and XMP": _huge_exif,
    "PNG with alpha": lambda: _saved(_with_alpha("RGBA"), "PNG"),
    "PNG grey and alpha": lambda: _saved(_with_alpha("LA"), "PNG"),
    "PNG palette with transparency": lambda: _saved(_page().convert("P", palette=Image.Palette.ADAPTIVE), "PNG",
                                                    transparency=255),
    "BMP": lambda: _saved(_page((1000, 750)), "BMP"),
    "PNG named .jpg": lambda: _saved(_page(), "PNG"),
}

REFUSED = {
    "WebP": (lambda: _saved(_page(), "WEBP"), "这是WebP格式的图片"),
    "animated GIF": (lambda: _saved(_page().convert("P"), "GIF", save_all=True,
                                    append_images=[_page().rotate(180).convert("P")]), "这是GIF格式的图片"),
    "TIFF": (lambda: _saved(_page(), "TIFF"), "这是TIFF格式的图片"),
    "HEIC": (lambda: b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + bytes(4000), "不支持HEIC格式的照片"),
    "cut JPEG ending in EOI": (lambda: (lambda d: d[:len(d) // 2] + b"\xff\xd9")(_saved(_page(), "JPEG")),
                               "损坏或不完整"),
    "12-bit JPEG": (lambda: (lambda d: d[:d.index(b"\xff\xc0") + 4] + b"\x0c" + d[d.index(b"\xff\xc0") + 5:])(
        _saved(_page(), "JPEG")), "12位高精度的特殊JPEG"),
    "zero bytes": (lambda: b"", "文件为空"),
    "16×16": (lambda: _saved(Image.new("RGB", (16, 16)), "JPEG"), "图片太小（16×16像素）"),
    "PNG bomb header": (lambda: _saved(Image.new("1", (9000, 9000)), "PNG"), "像素过大"),
}


@pytest.fixture
def application(client, year, candidate, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    client.force_login(candidate)
    application = start_application(candidate=candidate, exam_year=year)
    application.address, application.postcode = "福建省福州市鼓楼区八一七北路1号", "350001"
    application.save()
    return application


def _post(client, application, name, data, *, script=True):
    return client.post(reverse("candidate:image_upload"),
                       {"slot": "category", "version": Application.objects.get(pk=application.pk).version,
                        "file": SimpleUploadedFile(name, data, content_type="image/jpeg")},
                       **({"HTTP_ACCEPT": "application/json"} if script else {}))


def _upright(picture):
    """Whether the red block (dark in grey) is at the top left, where the certificate has it, and only there."""
    picture = picture.convert("L")
    width, height = picture.size

    def mean(left, top):  # of a tenth of each side, from that corner's fraction of the picture
        box = (int(left * width), int(top * height), int((left + 0.1) * width), int((top + 0.1) * height))
        return ImageStat.Stat(picture.crop(box)).mean[0]

    return mean(0.05, 0.05) < 120 and all(mean(*corner) > 180 for corner in ((0.85, 0.05), (0.05, 0.85), (0.85, 0.85)))


@pytest.mark.parametrize("case", list(STORED))
def test_each_kind_of_picture_is_stored_upright_with_its_thumbnail(client, application, case):
    response = _post(client, application, "证书 照片.jpg", STORED[case]())
    assert response.status_code == 200, response.content.decode()
    image = ApplicationImage.objects.get()
    stored, thumb = Image.open(image.file), Image.open(image.thumbnail)
    assert stored.format == thumb.format == "JPEG" and stored.mode in ("RGB", "L")
    assert (image.width, image.height) == stored.size and max(stored.size) <= 2000 and max(thumb.size) <= 320
    assert stored.width > stored.height and thumb.width > thumb.height  # landscape, as the certificate lies
    assert _upright(stored) and _upright(thumb), case
    assert not stored.info.get("icc_profile") and not stored.getexif()


@pytest.mark.parametrize("script", [True, False], ids=["script", "no-script"])
@pytest.mark.parametrize("case", list(REFUSED))
def test_each_picture_not_taken_is_refused_at_its_slot_and_nothing_saved_is_lost(client, application, case,
                                                                                  script):
    make, words = REFUSED[case]
    response = _post(client, application, "IMG_0001.jpg", make(), script=script)
    if script:
        assert response.status_code == 400
        message = response.json()["message"]
    else:
        assert response.status_code == 302 and response.url.endswith("#img-category-")
        page = client.get(response.url).content.decode()
        slot = page[page.index('id="img-category-"'):]
        message = unescape(re.sub(r"<[^>]+>", " ", slot[:slot.index("</section>") if "</section>" in slot else 4000]))
    assert "IMG_0001.jpg：" in message and words in message, message
    assert not ApplicationImage.objects.exists()
    kept = Application.objects.get(pk=application.pk)
    assert (kept.address, kept.postcode) == ("福建省福州市鼓楼区八一七北路1号", "350001")


@pytest.mark.parametrize("name", [
    "身份证 正面 😀.jpg", "../../etc/passwd.jpg", "C:\\Users\\张三\\Desktop\\学历证书.jpg", "a/b\\c .jpg",
    "很长的名字" * 80 + ".jpg", " .jpg", "<script>alert(1)</script>.jpg",
], ids=["emoji-spaces", "dot-dot", "windows-path", "separators", "very-long", "blank", "markup"])
def test_an_odd_file_name_is_stored_under_a_generated_one_and_shown_escaped(client, application, name):
    response = _post(client, application, name, _saved(_page(), "JPEG"))
    assert response.status_code == 200, response.content.decode()
    image = ApplicationImage.objects.get()
    assert re.fullmatch(r"[\w/]+/[0-9a-f]{32}\.jpg", image.file.name) and len(image.original_name) <= 200
    assert "<script>alert" not in response.json()["html"]
    # A refusal names the file as it was given, escaped where it is shown.
    refused = _post(client, application, name, b"")
    assert refused.status_code == 400 and refused.json()["message"].endswith("文件为空，请重新选择图片。")
