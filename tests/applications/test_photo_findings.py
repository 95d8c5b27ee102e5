"""The photo findings of QA (the upload pipeline, the identity and licence images asked for, the review
screen's photo): each rule as the candidate and the reviewer meet it."""

import io
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageDraw, ImageFile

from prereg.accounts.models import IdType
from prereg.applications import completeness, images, review, services
from prereg.applications.carryover import start_application
from prereg.applications.models import ApplicationImage, ImageSlot
from prereg.catalog.models import Qualification
from tests.factories import ApplicationImageFactory, complete_application, declared, jpeg_upload


@pytest.fixture
def application(year, candidate):
    return start_application(candidate=candidate, exam_year=year)


def _saved(img, fmt, **options) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **options)
    return out.getvalue()


def _add(application, candidate, *files, slot="category", row_id=None):
    return images.images_add(actor=candidate, application=application, slot=slot, row_id=row_id,
                             uploads=[SimpleUploadedFile(name, data, content_type="image/jpeg") for name, data in files])


def _refused(application, candidate, *files, slot="category"):
    with pytest.raises(ValidationError) as refused:
        _add(application, candidate, *files, slot=slot)
    return refused.value.messages[0]


# ---------------------------------------------------------------- A: a JPEG of thousands of scans


def _progressive(size=(2400, 1800)) -> bytes:
    img = Image.new("RGB", size, (200, 210, 220))
    draw = ImageDraw.Draw(img)
    for x in range(0, size[0], 37):
        draw.line([(x, 0), (x, size[1] - 1)], fill=(0, 0, 0), width=2)
    return _saved(img, "JPEG", progressive=True)


def _with_scans(data: bytes, total: int) -> bytes:
    """`data` with its smallest scan (SOS header and entropy-coded data) repeated before EOI until it
    has `total` scans: what `jpegtran -scans` with a script of one coefficient repeated makes."""
    starts, pos = [], 0
    while (pos := data.find(b"\xff\xda", pos)) >= 0:
        starts.append(pos)
        pos += 2
    eoi = data.rindex(b"\xff\xd9")
    scans = [data[start:end] for start, end in zip(starts, [*starts[1:], eoi], strict=True)]
    smallest = min(scans, key=len)
    return data[:eoi] + smallest * (total - len(starts)) + data[eoi:]


def test_a_jpeg_of_thousands_of_scans_is_refused_from_its_bytes_before_any_decoding(application, candidate,
                                                                                      monkeypatch):
    data = _with_scans(_progressive(), 20_000)
    layout = images._jpeg_layout(data)
    assert (layout.first_scan_components, len(layout.scans)) == (3, images.MAX_JPEG_SCANS + 1)

    def never(self):
        raise AssertionError("decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", never)
    started = time.monotonic()
    message = _refused(application, candidate, ("IMG_9.jpg", data))
    assert time.monotonic() - started < 1
    assert message == f"IMG_9.jpg：{images.SCANS_MESSAGE}"
    assert "重新拍摄" in message and not ApplicationImage.objects.exists()


def test_a_progressive_photo_of_ordinary_scans_is_still_stored(application, candidate):
    data = _progressive()
    assert len(images._jpeg_layout(data).scans) == 10
    [img] = _add(application, candidate, ("IMG_1.jpg", _with_scans(data, images.MAX_JPEG_SCANS)))
    assert (img.width, img.height) == (2000, 1500)


def test_the_scans_of_a_camera_file_are_counted_up_to_its_first_pictures_end(application, candidate):
    # An MPO: a photo with a preview appended after its EOI; only the photo's scans count.
    photo, preview = Image.new("RGB", (800, 600), (200, 30, 30)), Image.new("RGB", (160, 120))
    data = _saved(photo, "MPO", save_all=True, append_images=[preview])
    layout = images._jpeg_layout(data)
    assert (layout.first_scan_components, len(layout.scans)) == (3, 1)
    assert layout.end == data.index(b"\xff\xd9\xff\xd8")  # the photo's EOI, before the preview


# ---------------------------------------------------------------- B: the candidate's photo


def test_the_photo_slot_refuses_a_landscape_picture_and_takes_an_upright_one(application, candidate):
    # A strip (300×1200, reviewer probe) is no photo either; a phone's full-screen screenshot (1080×2340) is.
    for size in [(1200, 900), (12000, 1500), (300, 1200)]:
        message = _refused(application, candidate, ("证书.jpg", _saved(Image.new("RGB", size, (9, 9, 9)), "JPEG")),
                           slot="photo")
        assert message == f"证书.jpg：{images.PHOTO_SHAPE_MESSAGE}" and "不能是横版照片（宽大于高）或长条形" in message
    _add(application, candidate, ("screen.jpg", _saved(Image.new("RGB", (1080, 2340), (5, 5, 5)), "JPEG")),
         slot="photo")
    # Upright as the camera meant it: a landscape frame turned by its EXIF orientation is a portrait.
    exif = Image.Exif()
    exif[0x0112] = 6
    turned = _saved(Image.new("RGB", (413, 295), (9, 9, 9)), "JPEG", exif=exif.tobytes())
    [img] = _add(application, candidate, ("me.jpg", turned), slot="photo")
    assert (img.width, img.height) == (295, 413)
    # A square one is no landscape picture (a 2-inch square passport photo): taken, as the message implies.
    [square] = _add(application, candidate, ("square.jpg", _saved(Image.new("RGB", (600, 600), (7, 7, 7)), "JPEG")),
                    slot="photo")
    assert square.width == square.height
    # A landscape picture is a certificate's: its slots still take it.
    _add(application, candidate, ("证书.jpg", _saved(Image.new("RGB", (1200, 900), (9, 9, 9)), "JPEG")))


def test_the_reviewer_sees_the_candidates_photo_with_the_id_item(client, year, tree, candidate,
                                                                  reviewer_anxi_hospital):
    application = complete_application(candidate, year, tree)
    photo = ApplicationImage.objects.get(application=application, slot=ImageSlot.PHOTO)
    items = {item.key: item for item in review.check_fields(application)}
    assert items[review.ID_CARD].photo == photo
    assert photo not in items[review.ID_CARD].images  # not an image of the ID to tick
    assert all(item.photo is None for key, item in items.items() if key != review.ID_CARD)
    services.application_submit(actor=candidate, application_id=application.pk)
    client.force_login(reviewer_anxi_hospital)
    body = client.get(reverse("backoffice:review", args=[application.pk])).content.decode()
    assert f'src="{reverse("files:thumb", args=[photo.pk])}" alt="考生照片"' in body
    assert reviewer_anxi_hospital.pk and client.get(reverse("files:image", args=[photo.pk])).status_code == 200


# ---------------------------------------------------------------- C: long screenshots


def test_a_screenshot_too_long_for_one_picture_is_told_to_be_split_not_its_shrunk_size(application, candidate):
    message = _refused(application, candidate, ("社保.png", _saved(Image.new("L", (216, 2400), 255), "PNG")))
    assert "216" not in message and "2400" not in message
    assert "长截图请分成几段分别截图后上传" in message and "此栏可上传多张" not in message  # one-picture slots too


def test_a_long_screenshot_keeps_a_readable_width_and_a_photo_its_usual_size(application, candidate):
    [long] = _add(application, candidate, ("学信网.png", _saved(Image.new("L", (1080, 7000), 255), "PNG")))
    assert (long.width, long.height) == (680, 4410)  # 3 MP, not 308×2000
    assert Image.open(long.file).size == (680, 4410)
    [screen] = _add(application, candidate, ("screen.png", _saved(Image.new("L", (900, 2000), 200), "PNG")))
    assert (screen.width, screen.height) == (900, 2000)  # within every limit: as it came
    [photo] = _add(application, candidate, ("IMG.jpg", _saved(Image.new("RGB", (4000, 3000), (1, 2, 3)), "JPEG")))
    assert (photo.width, photo.height) == (2000, 1500)
    assert images.stored_size(6000, 4000) == (2000, 1333) and images.stored_size(3024, 4032) == (1500, 2000)


# ---------------------------------------------------------------- D: the same picture twice


def test_the_same_picture_is_not_held_twice_in_one_slot(application, candidate):
    first = jpeg_upload(size=(400, 300)).read()
    other = jpeg_upload(size=(400, 300), color=(1, 2, 3)).read()
    _add(application, candidate, ("a.jpg", first))
    assert _refused(application, candidate, ("a (1).jpg", first)) == "a (1).jpg：该图片已上传过，无需重复上传。"
    assert _refused(application, candidate, ("b.jpg", other), ("b2.jpg", other)) == (
        "b2.jpg：该图片已上传过，无需重复上传。本次所选的其余1张也未上传，请去掉这张后重新选择。")
    assert ApplicationImage.objects.filter(slot=ImageSlot.CATEGORY).count() == 1
    _add(application, candidate, ("a.jpg", first), slot="current_qualification")  # another slot: its own
    _add(application, candidate, ("b.jpg", other))
    assert ApplicationImage.objects.filter(slot=ImageSlot.CATEGORY).count() == 2


# ---------------------------------------------------------------- E: the messages


@pytest.mark.parametrize("content", [b"just some text " * 20,
                                     b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'])
def test_a_file_named_jpg_that_is_not_a_picture_is_told_so(application, candidate, content):
    message = _refused(application, candidate, ("证件.jpg", content))
    assert message.startswith("证件.jpg：文件内容不是图片，或不是 jpg/jpeg/png/bmp 格式的图片")


def test_one_bad_file_of_several_chosen_says_the_others_were_not_uploaded_either(application, candidate):
    """One bad file refuses the batch: the candidate, seeing only it named, took the good ones for stored."""
    good = [(f"证书{n}.jpg", jpeg_upload(size=(400, 300), color=(n, 90, 90)).read()) for n in (1, 2)]
    message = _refused(application, candidate, good[0], ("说明.jpg", b"just some text " * 20), good[1])
    assert message.startswith("说明.jpg：文件内容不是图片")
    assert message.endswith("。本次所选的其余2张也未上传，请去掉这张后重新选择。")
    assert not ApplicationImage.objects.filter(original_name__startswith="证书").exists()
    assert "其余" not in _refused(application, candidate, ("说明.jpg", b"just some text " * 20))  # chosen alone


def test_a_picture_of_too_many_pixels_is_told_the_limit(application, candidate, settings):
    header = _saved(Image.new("L", (8000, 6000), 200), "JPEG")  # 48 MP, over IMAGE_MAX_PIXELS (40 MP)
    limit = settings.IMAGE_MAX_PIXELS_FULL_DECODE // 10_000
    assert _refused(application, candidate, ("48mp.jpg", header)).startswith(
        f"48mp.jpg：图片像素过大（8000×6000）：最多{limit}万像素（如")


def test_every_refusal_for_pixels_states_the_one_limit_every_file_may_have(application, candidate):
    """A baseline JPEG over every file's limit, a PNG over the full-decode one and a progressive JPEG
    whose scans would not fit: one limit told, so following it is never refused again (photo probe)."""
    baseline = _saved(Image.new("RGB", (12000, 9000), (200, 200, 200)), "JPEG")
    png = _saved(Image.new("L", (4000, 3000), 200), "PNG")
    progressive = io.BytesIO()
    Image.new("RGB", (7200, 5400), (200, 180, 160)).save(progressive, "JPEG", progressive=True)
    told = {_refused(application, candidate, (name, content)).split("：", 1)[1].split("（如")[0]
            for name, content in (("a.jpg", baseline), ("b.png", png), ("c.jpg", progressive.getvalue()))}
    assert told == {"图片像素过大（12000×9000）：最多1000万像素", "图片像素过大（4000×3000）：最多1000万像素",
                    "图片像素过大（7200×5400）：最多1000万像素"}


# ---------------------------------------------------------------- F, G, H: the images asked for


def _asked(application):
    return [(image.slot, image.label) for image in completeness.field_images(application)]


@pytest.mark.parametrize(("qualification", "category"), [("主管药师", "药学"), ("主管中药师", "中药学"),
                                                         ("主管技师", "技术")])
def test_a_pharmacist_or_technician_is_not_asked_for_a_nurses_or_physicians_certificate(
        year, tree, candidate, qualification, category):
    application = declared(year, tree, candidate, qualification=qualification, category=category)
    assert completeness.is_licensed(application) is False
    slots = {slot for slot, _ in _asked(application)}
    assert ImageSlot.CATEGORY not in slots and ImageSlot.SCOPE not in slots
    assert not any("执业类别" in gap.message for gap in completeness.gaps(application))
    keys = {item.key for item in review.check_fields(application, with_images=False)}
    assert "category" not in keys and "scope" not in keys
    drawn = {form_slot.slot for form_slot in completeness.form_field_slots(application)}
    assert ImageSlot.CATEGORY not in drawn and ImageSlot.SCOPE not in drawn


def test_the_series_of_the_catalogue_decides_where_it_is_set(year, tree, candidate):
    application = declared(year, tree, candidate, qualification="主管药师", category="药学")
    Qualification.objects.filter(pk=application.qualification_id).update(series="医疗")  # as a 考区 catalogue says
    application.refresh_from_db()
    assert completeness.is_licensed(application) is True
    assert ImageSlot.CATEGORY in {slot for slot, _ in _asked(application)}


def test_a_nurse_is_asked_for_her_licence_which_shows_the_registration(year, tree, candidate):
    nurse = declared(year, tree, candidate, qualification="主管护师", category="护理")
    assert nurse.scope is None and completeness.licence_series(nurse) == "护理"
    slots = [slot for slot, _ in _asked(nurse)]
    assert ImageSlot.CATEGORY in slots and ImageSlot.SCOPE not in slots
    drawn = {form_slot.slot for form_slot in completeness.form_field_slots(nurse)}
    assert ImageSlot.SCOPE not in drawn  # a nurse has no 执业注册范围 to photograph
    items = {item.key: item for item in review.check_fields(nurse, with_images=False)}
    assert items["category"].label == "执业类别（护士执业证书）"
    assert ("执业注册年月", "2017-03") in items["category"].values
    guide = images.slot_guide(nurse, ImageSlot.CATEGORY)
    assert guide.document == "护士执业证书" and "医师" not in guide.note


def test_a_physician_is_asked_for_both_and_the_registration_stays_with_the_practice_certificate(year, tree,
                                                                                                candidate):
    doctor = declared(year, tree, candidate, qualification="主治医师", category="临床")
    assert doctor.scope is not None
    slots = [slot for slot, _ in _asked(doctor)]
    assert ImageSlot.CATEGORY in slots and ImageSlot.SCOPE in slots
    items = {item.key: item for item in review.check_fields(doctor, with_images=False)}
    assert [label for label, _ in items["scope"].values] == ["执业注册范围", "执业注册年月"]
    assert "执业注册年月" not in [label for label, _ in items["category"].values]
    assert (items["category"].label, items["scope"].label) == ("执业类别（医师资格证书）", "执业注册范围（医师执业证书）")
    assert images.slot_guide(doctor, ImageSlot.CATEGORY).document == "医师资格证书"


@pytest.mark.parametrize(("id_type", "asked", "item"), [
    (IdType.RESIDENT, [(ImageSlot.ID_FRONT, "身份证正面"), (ImageSlot.ID_BACK, "身份证反面")], "证件（身份证正反面）"),
    (IdType.PASSPORT, [(ImageSlot.ID_FRONT, "护照信息页")], "证件（护照信息页）"),
    (IdType.HKMO_PERMIT, [(ImageSlot.ID_FRONT, "港澳居民居住证正面"), (ImageSlot.ID_BACK, "港澳居民居住证反面")],
     "证件（港澳居民居住证正反面）"),
    (IdType.TW_PERMIT, [(ImageSlot.ID_FRONT, "台湾居民居住证正面"), (ImageSlot.ID_BACK, "台湾居民居住证反面")],
     "证件（台湾居民居住证正反面）"),
])
def test_the_identity_images_follow_the_chosen_document(year, tree, candidate, id_type, asked, item):
    application = declared(year, tree, candidate, qualification="主管护师", category="护理", id_type=id_type)
    identity = [pair for pair in _asked(application) if pair[0] in (ImageSlot.ID_FRONT, ImageSlot.ID_BACK)]
    assert identity == asked
    messages = [gap.message for gap in completeness.gaps(application) if gap.section == "images"]
    assert [f"请上传“{label}”的图片。" for _, label in asked] == [m for m in messages if "证" in m or "护照" in m][:len(asked)]
    [id_item] = [f for f in review.check_fields(application, with_images=False) if f.key == review.ID_CARD]
    assert id_item.label == item
    document = completeness.id_document(application).name
    for slot, _ in asked:
        guide = images.slot_guide(application, slot)
        assert guide.document == document == IdType(id_type).label
    drawn = [(form_slot.slot, form_slot.label) for form_slot in completeness.form_field_slots(application)]
    assert [pair for pair in drawn if pair[0] in (ImageSlot.ID_FRONT, ImageSlot.ID_BACK)] == asked


def test_a_passport_holder_completes_without_a_back_image(year, tree, candidate):
    application = declared(year, tree, candidate, qualification="主管护师", category="护理", id_type=IdType.PASSPORT)
    for required in completeness.required_images(application):
        ApplicationImageFactory(application=application, slot=required.slot, row_id=required.row_id)
    assert not any(gap.section == "images" for gap in completeness.gaps(application))
    assert not ApplicationImage.objects.filter(application=application, slot=ImageSlot.ID_BACK).exists()
