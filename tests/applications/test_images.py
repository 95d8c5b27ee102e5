"""The upload pipeline against a corpus of bad files: each refused or neutralised, nothing stored."""

import hashlib
import io
import os
import struct
import zlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from prereg.applications import images
from prereg.applications.carryover import start_application
from prereg.applications.models import Application, ApplicationImage, DeletedImageFile, State
from prereg.audit.models import AuditEvent
from tests.factories import CandidateFactory, jpeg_upload


@pytest.fixture
def application(year, candidate):
    return start_application(candidate=candidate, exam_year=year)


def upload(name, data, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_bytes(size=(300, 200), mode="RGB"):
    out = io.BytesIO()
    Image.new(mode, size, 128 if mode == "L" else (10, 200, 10)).save(out, "PNG")
    return out.getvalue()


def portrait():
    """A picture the 考生照片 slot takes: upright, as an ID photo is."""
    return jpeg_upload(size=(240, 320))


def refuse(application, candidate, file, slot="photo"):
    with pytest.raises(ValidationError) as excinfo:
        images.images_add(actor=candidate, application=application, slot=slot, uploads=[file])
    assert ApplicationImage.objects.count() == 0
    return excinfo.value.messages[0]


def test_a_jpeg_is_reencoded_stored_under_a_generated_name_with_thumbnail_and_sha256(application, candidate):
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (1, 2, 3)).save(out, "JPEG", exif=exif.tobytes())
    [img] = images.images_add(actor=candidate, application=application, slot="category",
                              uploads=[upload("我的照片.jpg", out.getvalue())])
    stored = img.file.read()
    assert hashlib.sha256(stored).hexdigest() == img.sha256
    assert b"SecretCamera" not in stored
    assert "我的照片" not in img.file.name and img.file.name.endswith(".jpg")
    assert img.thumbnail and (img.width, img.height) == (300, 200)
    assert img.content_type == "image/jpeg"


@pytest.mark.parametrize("size", [(300, 200), (5000, 3800)])  # kept as it is, and shrunk
def test_a_jpeg_comment_survives_in_neither_the_stored_file_nor_its_thumbnail(application, candidate, size):
    out = io.BytesIO()
    Image.new("RGB", size, (1, 2, 3)).save(out, "JPEG", comment=b"GPS 26.0917N 119.3028E owner=13800138000")
    [img] = images.images_add(actor=candidate, application=application, slot="category",
                              uploads=[upload("a.jpg", out.getvalue())])
    for data in (img.file.read(), img.thumbnail.read()):
        assert b"13800138000" not in data
        assert b"\xff\xfe" not in data  # no COM segment at all


def test_bmp_and_png_are_accepted_and_stored_as_jpeg(application, candidate):
    bmp = io.BytesIO()
    Image.new("RGB", (200, 200)).save(bmp, "BMP")
    created = images.images_add(actor=candidate, application=application, slot="category",
                                uploads=[upload("a.bmp", bmp.getvalue()), upload("b.png", png_bytes(mode="L"))])
    assert [Image.open(c.file).format for c in created] == ["JPEG", "JPEG"]


def test_a_wrong_type_renamed_jpg_is_refused(application, candidate):
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    assert "仅支持 jpg/jpeg/png/bmp" in refuse(application, candidate, upload("x.jpg", gif.getvalue()))
    assert "仅支持" in refuse(application, candidate, upload("doc.jpg", b"%PDF-1.4 not an image" * 10))


def test_a_truncated_image_is_refused(application, candidate):
    data = jpeg_upload(size=(400, 300)).read()
    assert "损坏或不完整" in refuse(application, candidate, upload("t.jpg", data[: len(data) // 2]))
    png = png_bytes((300, 300))
    assert "损坏或不完整" in refuse(application, candidate, upload("t.png", png[:-40], "image/png"))


def test_a_photo_cut_short_inside_its_header_is_called_incomplete_not_a_wrong_type(application, candidate):
    data = jpeg_upload(size=(400, 300)).read()
    assert "损坏或不完整" in refuse(application, candidate, upload("t.jpg", data[:60]))
    assert "损坏或不完整" in refuse(application, candidate, upload("t.png", png_bytes()[:20], "image/png"))


def test_an_empty_file_is_refused(application, candidate):
    assert "文件为空" in refuse(application, candidate, upload("e.jpg", b""))


def test_a_polyglot_png_with_html_appended_is_neutralised(application, candidate):
    html = b"<html><script>alert(document.cookie)</script></html>"
    [img] = images.images_add(actor=candidate, application=application, slot="category",
                              uploads=[upload("p.png", png_bytes() + html, "text/html")])
    stored = img.file.read()
    assert b"<script" not in stored and b"<html" not in stored
    assert stored[:3] == b"\xff\xd8\xff"


def _huge_png_header(width, height):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b"")


def test_an_image_bomb_is_refused_before_decoding(application, candidate):
    message = refuse(application, candidate, upload("bomb.png", _huge_png_header(20000, 20000), "image/png"))
    assert "像素过大" in message


def test_a_file_over_three_megabytes_is_refused(application, candidate):
    noise = Image.frombytes("RGB", (1100, 1000), os.urandom(1100 * 1000 * 3))
    out = io.BytesIO()
    noise.save(out, "PNG")
    assert len(out.getvalue()) > 3 * 1024 * 1024
    assert "不能超过3MB" in refuse(application, candidate, upload("big.png", out.getvalue(), "image/png"))


def test_one_bad_file_in_a_batch_stores_none(application, candidate):
    with pytest.raises(ValidationError) as excinfo:
        images.images_add(actor=candidate, application=application, slot="category",
                          uploads=[jpeg_upload(), upload("bad.jpg", b"nope")])
    assert "bad.jpg" in excinfo.value.messages[0]
    assert ApplicationImage.objects.count() == 0


def test_a_hundred_files_at_once_are_refused_with_nothing_stored(client, application, candidate):
    client.force_login(candidate)
    files = [jpeg_upload(f"f{i}.jpg") for i in range(100)]
    response = client.post(reverse("candidate:image_upload"),
                           {"slot": "category", "version": application.version, "file": files},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert "最多上传5张图片，还可上传5张" in response.json()["message"]
    assert ApplicationImage.objects.count() == 0


def test_more_photos_than_a_slot_has_room_for_are_told_how_many_still_fit(application, candidate):
    """Eight photos chosen at once from a phone's gallery, then two more into a slot holding four."""
    with pytest.raises(ValidationError, match="最多上传5张图片，还可上传5张"):
        images.images_add(actor=candidate, application=application, slot="category",
                          uploads=[jpeg_upload(f"g{i}.jpg", color=(30 * i, 80, 90)) for i in range(8)])
    images.images_add(actor=candidate, application=application, slot="category",
                      uploads=[jpeg_upload(f"h{i}.jpg", color=(30 * i, 20, 90)) for i in range(4)])
    with pytest.raises(ValidationError, match="已有4张，还可上传1张"):
        images.images_add(actor=candidate, application=application, slot="category",
                          uploads=[jpeg_upload(f"k{i}.jpg", color=(30 * i, 20, 190)) for i in range(2)])
    assert ApplicationImage.objects.filter(application=application, slot="category").count() == 4


def test_a_row_slot_needs_a_saved_row_of_this_application(application, candidate):
    assert "请先保存该行" in refuse(application, candidate, jpeg_upload(), slot="education")


def test_a_single_image_slot_is_replaced_not_duplicated(application, candidate):
    images.images_add(actor=candidate, application=application, slot="photo", uploads=[portrait()])
    images.images_add(actor=candidate, application=application, slot="photo", uploads=[portrait()])
    assert ApplicationImage.objects.filter(slot="photo").count() == 1


def test_another_candidate_cannot_add_or_delete(application, candidate):
    other = CandidateFactory()
    with pytest.raises(PermissionDenied):
        images.images_add(actor=other, application=application, slot="photo", uploads=[portrait()])
    [img] = images.images_add(actor=candidate, application=application, slot="photo", uploads=[portrait()])
    with pytest.raises(PermissionDenied):
        images.image_delete(actor=other, image_id=img.pk)
    assert ApplicationImage.objects.count() == 1


def test_images_cannot_change_while_in_review(application, candidate):
    [img] = images.images_add(actor=candidate, application=application, slot="photo", uploads=[portrait()])
    application.state = State.IN_REVIEW
    application.save()
    with pytest.raises(ValidationError, match="报名信息已提交审核，当前不能修改（当前状态：审核中）；如需修改请先撤回。"):
        images.images_add(actor=candidate, application=application, slot="photo", uploads=[portrait()])
    with pytest.raises(ValidationError, match="报名信息已提交审核"):
        images.image_delete(actor=candidate, image_id=img.pk)
    assert list(ApplicationImage.objects.all()) == [img]


def _returned_since(application):
    """The application as another tab left it: submitted and returned since this page was loaded."""
    Application.objects.filter(pk=application.pk).update(state=State.RETURNED, version=F("version") + 2)


def test_a_page_loaded_before_a_submit_and_return_can_neither_upload_nor_delete(application, candidate):
    [img] = images.images_add(actor=candidate, application=application, slot="photo", uploads=[portrait()])
    page_version = application.version
    _returned_since(application)  # `application` stays the page's copy: only the locked row tells
    with pytest.raises(ValidationError, match="报名信息已在其他页面提交或撤回，请刷新页面后再修改。") as refused:
        images.images_add(actor=candidate, application=application, slot="category", uploads=[jpeg_upload()],
                          expected_version=page_version)
    assert refused.value.code == "version"
    with pytest.raises(ValidationError, match="报名信息已在其他页面提交或撤回") as refused:
        images.image_delete(actor=candidate, image_id=img.pk, expected_version=page_version)
    assert refused.value.code == "version"
    assert list(ApplicationImage.objects.all()) == [img]
    assert not AuditEvent.objects.filter(event="image.delete").exists()
    assert AuditEvent.objects.filter(event="image.add").count() == 1


def test_the_current_version_or_none_uploads_and_deletes(application, candidate):
    _returned_since(application)
    application.refresh_from_db()
    [first] = images.images_add(actor=candidate, application=application, slot="category", uploads=[jpeg_upload()],
                                expected_version=application.version)
    [second] = images.images_add(actor=candidate, application=application, slot="category",
                                 uploads=[jpeg_upload(color=(9, 9, 9))])  # a page older than the version field: not checked
    images.image_delete(actor=candidate, image_id=first.pk, expected_version=application.version)
    images.image_delete(actor=candidate, image_id=second.pk)
    assert not ApplicationImage.objects.exists()


def test_delete_removes_the_row_at_once_and_its_files_after_the_retention(application, candidate, settings):
    [img] = images.images_add(actor=candidate, application=application, slot="photo", uploads=[portrait()])
    paths = [img.file.path, img.thumbnail.path]
    images.image_delete(actor=candidate, image_id=img.pk)
    assert not ApplicationImage.objects.exists()
    assert all(os.path.exists(path) for path in paths)
    settings.DELETED_IMAGE_RETENTION_HOURS = 48
    assert images.deleted_images_purge(now=timezone.now() + timedelta(hours=47)) == 0
    assert all(os.path.exists(path) for path in paths)
    assert images.deleted_images_purge(now=timezone.now() + timedelta(hours=49)) == 2
    assert not any(os.path.exists(path) for path in paths)
    assert not DeletedImageFile.objects.exists()


def test_a_replaced_photo_keeps_its_files_until_the_purge_command_after_the_retention(application, candidate,
                                                                                     settings):
    [old] = images.images_add(actor=candidate, application=application, slot="photo", uploads=[portrait()])
    [new] = images.images_add(actor=candidate, application=application, slot="photo", uploads=[portrait()])
    assert os.path.exists(old.file.path) and os.path.exists(old.thumbnail.path)
    assert sorted(DeletedImageFile.objects.values_list("name", flat=True)) == sorted([old.file.name,
                                                                                     old.thumbnail.name])
    call_command("purge_deleted_images", stdout=io.StringIO())
    assert os.path.exists(old.file.path)  # within the retention
    DeletedImageFile.objects.update(deleted_at=timezone.now() - timedelta(hours=49))
    out = io.StringIO()
    call_command("purge_deleted_images", stdout=out)
    assert "已清除 2 个" in out.getvalue()
    assert not os.path.exists(old.file.path) and not os.path.exists(old.thumbnail.path)
    assert os.path.exists(new.file.path) and os.path.exists(new.thumbnail.path)


def test_the_purge_never_removes_a_file_an_image_row_still_names(application, candidate):
    [img] = images.images_add(actor=candidate, application=application, slot="photo", uploads=[portrait()])
    DeletedImageFile.objects.create(name=img.file.name)
    DeletedImageFile.objects.update(deleted_at=timezone.now() - timedelta(days=30))
    assert images.deleted_images_purge() == 1
    assert os.path.exists(img.file.path) and not DeletedImageFile.objects.exists()


def test_images_are_served_to_the_owner_only(client, application, candidate):
    [img] = images.images_add(actor=candidate, application=application, slot="photo", uploads=[portrait()])
    client.force_login(candidate)
    response = client.get(reverse("files:image", args=[img.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert client.get(reverse("files:thumb", args=[img.pk])).status_code == 200
    client.force_login(CandidateFactory())
    assert client.get(reverse("files:image", args=[img.pk])).status_code == 404


def test_behind_nginx_the_checked_file_is_handed_over_by_x_accel_redirect(client, application, candidate, settings):
    settings.PRIVATE_MEDIA_ACCEL_PREFIX = "/_protected/"
    [img] = images.images_add(actor=candidate, application=application, slot="photo", uploads=[portrait()])
    client.force_login(candidate)
    response = client.get(reverse("files:image", args=[img.pk]))
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == "/_protected/" + img.file.name
    assert response["Content-Type"] == "image/jpeg" and "no-store" in response["Cache-Control"]
    thumb = client.get(reverse("files:thumb", args=[img.pk]))
    assert thumb["X-Accel-Redirect"] == "/_protected/" + img.thumbnail.name
    # The scope check still comes first: another candidate learns nothing, not even the file name.
    client.force_login(CandidateFactory())
    refused = client.get(reverse("files:image", args=[img.pk]))
    assert refused.status_code == 404 and "X-Accel-Redirect" not in refused


def _saved(img, fmt, **options) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **options)
    return out.getvalue()


def test_a_png_of_more_pixels_than_a_full_decode_allows_is_refused_with_what_to_do(application, candidate):
    # The 113 KB PNG of 6300×6300 of issue 14 (under the 40-megapixel limit) cost a worker 366 MB.
    message = refuse(application, candidate, upload("scan.png", _huge_png_header(6300, 6300), "image/png"))
    assert message == ("scan.png：图片像素过大（6300×6300）：最多1000万像素（如3648×2736）。"
                       "请用手机相册的“编辑/裁剪”或截图缩小后再上传。")


def test_a_png_at_the_full_decode_limit_is_accepted_and_stored_downscaled(application, candidate):
    png = _saved(Image.new("L", (3648, 2736), 200), "PNG")
    [img] = images.images_add(actor=candidate, application=application, slot="category",
                              uploads=[upload("scan.png", png, "image/png")])
    assert (img.width, img.height) == (2000, 1500)


def test_a_big_jpeg_is_accepted_and_stored_downscaled(application, candidate):
    jpeg = _saved(Image.new("L", (6000, 4000), 200), "JPEG")
    [img] = images.images_add(actor=candidate, application=application, slot="category", uploads=[upload("big.jpg", jpeg)])
    assert (img.width, img.height) == (2000, 1333)
    assert Image.open(img.file).size == (2000, 1333)


def test_a_progressive_jpeg_is_held_to_the_memory_of_a_full_decode(application, candidate, settings):
    settings.IMAGE_MAX_PIXELS_FULL_DECODE = 1_000_000  # 12 MB: a CMYK JPEG of a million pixels
    picture = Image.new("RGB", (1600, 1200), (200, 100, 50))  # 5.8 MB of coefficients, 7.7 MB decoded
    assert refuse(application, candidate, upload("p.jpg", _saved(picture, "JPEG", progressive=True))) == (
        "p.jpg：图片像素过大（1600×1200）：最多100万像素（如1152×864）。请用手机相册的“编辑/裁剪”或截图缩小后再上传。")
    [img] = images.images_add(actor=candidate, application=application, slot="category",
                              uploads=[upload("b.jpg", _saved(picture, "JPEG"))])
    assert (img.width, img.height) == (1600, 1200)


def test_a_jpeg_whose_first_scan_leaves_out_colours_counts_as_decoded_in_full(application, candidate, settings):
    # libjpeg buffers every coefficient of such a file (its scans are combined at the end).
    settings.IMAGE_MAX_PIXELS_FULL_DECODE = 1_000_000
    jpeg = bytearray(_saved(Image.new("RGB", (1600, 1200), (200, 100, 50)), "JPEG"))
    sos = jpeg.index(b"\xff\xda")
    assert jpeg[sos + 4] == 3
    jpeg[sos + 4] = 1  # the first scan now names one component of three
    assert "像素过大（1600×1200）" in refuse(application, candidate, upload("s.jpg", bytes(jpeg)))


def test_transparency_is_flattened_onto_white_and_an_exif_turn_applied_after_the_shrink(application, candidate):
    rgba = Image.new("RGBA", (4000, 1000), (0, 0, 0, 0))
    [flat] = images.images_add(actor=candidate, application=application, slot="category",
                               uploads=[upload("t.png", _saved(rgba, "PNG"), "image/png")])
    stored = Image.open(flat.file)
    # A long picture keeps its short side legible (images.stored_size): 3 MP, not 2000×500.
    assert stored.size == (3464, 866) and stored.convert("RGB").getpixel((1732, 433)) >= (250, 250, 250)
    exif = Image.Exif()
    exif[0x0112] = 6  # turned 90° on display
    photo = _saved(Image.new("RGB", (4000, 3000), (10, 20, 30)), "JPEG", exif=exif.tobytes())
    [turned] = images.images_add(actor=candidate, application=application, slot="category",
                                 uploads=[upload("r.jpg", photo)])
    assert (turned.width, turned.height) == (1500, 2000)
