"""The form's 证件图片 part draws the slots completeness asks for (form_field_slots: the 证件类型's images,
the 执业类别/执业注册范围 only of a nurse or a physician), with their labels and guides; a slot no longer
asked for that still holds images is drawn to be deleted, and takes no upload."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from prereg.accounts.models import IdType
from prereg.applications import images
from prereg.applications.models import ApplicationImage, ImageSlot
from tests.factories import ApplicationImageFactory, declared, jpeg_upload


def _form(client, candidate) -> str:
    client.force_login(candidate)
    response = client.get(reverse("candidate:form"))
    assert response.status_code == 200
    return response.content.decode()


def _slot_html(body: str, slot: str) -> str:
    """The drawn slot's own markup (up to the next slot)."""
    start = body.index(f'id="img-{slot}-"')
    following = body.find("data-slot>", start + 20)
    return body[start:following if following > 0 else len(body)]


def _titles(body: str) -> list[str]:
    return [re.sub(r"\s+", " ", title).strip()
            for title in re.findall(r'<span class="cam" aria-hidden="true">📷</span>(.*?)</h3>', body, re.S)]


def test_a_passport_holder_is_shown_the_passport_page_and_no_back_side(client, year, tree, candidate):
    declared(year, tree, candidate, qualification="主管护师", category="护理", id_type=IdType.PASSPORT)
    body = _form(client, candidate)
    front = _slot_html(body, "id_front")
    assert "护照信息页" in front and "护照的个人信息页" in front  # its label and its own guide
    assert 'id="img-id_back-"' not in body
    assert not any("反面" in title or "身份证" in title for title in _titles(body))


def test_a_nurse_is_shown_her_licence_and_no_registration_scope(client, year, tree, candidate):
    declared(year, tree, candidate, qualification="主管护师", category="护理")
    body = _form(client, candidate)
    category = _slot_html(body, "category")
    assert "执业类别（护士执业证书）" in category and "护士上传执业证书" in category
    assert 'id="img-scope-"' not in body
    assert not any("执业注册范围" in title for title in _titles(body))
    # The resident's ID card keeps both sides.
    assert 'id="img-id_front-"' in body and 'id="img-id_back-"' in body


@pytest.mark.parametrize(("qualification", "category"), [("主管药师", "药学"), ("主管技师", "技术")])
def test_a_pharmacist_or_technician_is_shown_no_licence_slot(client, year, tree, candidate, qualification, category):
    declared(year, tree, candidate, qualification=qualification, category=category)
    body = _form(client, candidate)
    assert 'id="img-category-"' not in body and 'id="img-scope-"' not in body
    assert not any("执业类别" in title or "执业注册范围" in title for title in _titles(body))
    assert 'id="img-practice_change-"' in body  # the other declared slots stay


def test_a_slot_no_longer_asked_for_shows_its_images_to_delete_and_takes_no_upload(client, year, tree, candidate):
    # The 证件类型 changed to a passport after the ID card's back was uploaded.
    application = declared(year, tree, candidate, qualification="主管护师", category="护理", id_type=IdType.PASSPORT)
    image = ApplicationImageFactory(application=application, slot=ImageSlot.ID_BACK)
    body = _form(client, candidate)
    back = _slot_html(body, "id_back")
    assert "身份证反面（无需上传，可删除）" in back
    assert 'class="badge">缺' not in back
    assert reverse("candidate:image_delete", args=[image.pk]) in back  # it can be deleted
    assert "data-upload" not in back and 'type="file"' not in back  # but nothing more uploaded there
    # Deleted (htmx): answered, and the slot, now empty and not asked for, is no longer drawn.
    response = client.post(reverse("candidate:image_delete", args=[image.pk]), {"version": application.version},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert not ApplicationImage.objects.filter(pk=image.pk).exists()
    assert 'id="img-id_back-"' not in response.content.decode()
    assert client.get(reverse("candidate:image_slot"), {"slot": "id_back"}).status_code == 404


@pytest.mark.parametrize(("qualification", "category", "id_type", "slot"), [
    ("主管护师", "护理", IdType.PASSPORT, "id_back"),
    ("主管护师", "护理", IdType.RESIDENT, "scope"),
    ("主管药师", "药学", IdType.RESIDENT, "category"),
])
def test_an_upload_to_a_slot_not_asked_for_is_refused_with_a_message(client, year, tree, candidate, qualification,
                                                                     category, id_type, slot):
    application = declared(year, tree, candidate, qualification=qualification, category=category, id_type=id_type)
    client.force_login(candidate)
    label = ImageSlot(slot).label
    answer = client.post(reverse("candidate:image_upload"),
                         {"slot": slot, "version": application.version, "file": jpeg_upload()},
                         HTTP_ACCEPT="application/json")
    assert answer.status_code == 400
    assert answer.json()["message"] == f"无需上传“{label}”的图片：按所填的证件类型和申报资格，此项不需要。"
    assert not ApplicationImage.objects.filter(application=application).exists()
    # Without scripts: back to the form, the reason said there.
    response = client.post(reverse("candidate:image_upload"),
                           {"slot": slot, "version": application.version, "file": jpeg_upload()}, follow=True)
    assert response.status_code == 200
    assert f"无需上传“{label}”的图片" in response.content.decode()
    assert not ApplicationImage.objects.filter(application=application).exists()


def test_a_slot_asked_for_still_takes_its_upload(client, year, tree, candidate):
    application = declared(year, tree, candidate, qualification="主管护师", category="护理", id_type=IdType.PASSPORT)
    client.force_login(candidate)
    answer = client.post(reverse("candidate:image_upload"),
                         {"slot": "id_front", "version": application.version, "file": jpeg_upload()},
                         HTTP_ACCEPT="application/json").json()
    assert answer["ok"] and "护照信息页" in answer["html"]
    assert images.slot_guide(application, "id_front").note in answer["html"]


def test_the_page_gives_the_browser_the_servers_own_limits(client, year, tree, candidate, settings):
    """candidate.js shrinks a picture to the size images.stored_size keeps: it reads the constants here."""
    settings.IMAGE_MAX_PIXELS_FULL_DECODE = 12_000_000
    declared(year, tree, candidate, qualification="主管护师", category="护理")
    for body in (_form(client, candidate), client.get(reverse("candidate:images_panel")).content.decode()):
        panel = re.search(r"<section [^>]*data-upload-limits[^>]*>", body).group(0)
        attributes = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', panel))
        assert attributes == {"stored-max-side": str(images.STORED_MAX_SIDE),
                              "stored-short-side": str(images.STORED_SHORT_SIDE),
                              "stored-max-pixels": str(images.STORED_MAX_PIXELS),
                              "max-pixels": "12000000", "max-bytes": str(settings.IMAGE_MAX_BYTES)}


def test_the_demos_photo_is_upright_as_the_photo_slot_asks_and_its_certificates_lie_flat():
    from prereg.demo.images import _picture

    photo = images.process_image(_picture("photo #1", ImageSlot.PHOTO))
    assert photo.height > photo.width
    images._check_fits_slot(ImageSlot.PHOTO, photo)  # not refused as a landscape picture
    certificate = images.process_image(_picture("category #1", ImageSlot.CATEGORY))
    assert certificate.width > certificate.height


def test_the_service_refuses_a_slot_not_asked_for_whoever_calls_it(year, tree, candidate):
    # The rule lives in images_add (checked again on the locked row), not in the page alone.
    application = declared(year, tree, candidate, qualification="药师", category="药学", id_type=IdType.PASSPORT)
    for slot in (ImageSlot.ID_BACK, ImageSlot.CATEGORY):
        with pytest.raises(ValidationError, match="无需上传"):
            images.images_add(actor=candidate, application=application, slot=slot, uploads=[jpeg_upload()])
    assert not ApplicationImage.objects.filter(application=application).exists()
