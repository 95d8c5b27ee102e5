"""The picker's words say what choosing a picture does: a one-picture slot (考生照片, 证件正反面) holding its
picture replaces it (更换图片); a slot with room for more adds to it (继续上传); an empty one 上传图片."""

from django.urls import reverse

from prereg.applications import images
from prereg.applications.models import EducationRow, ImageSlot
from tests.factories import complete_application


def slot_markup(body, key):
    """One 📷 slot's markup (its id is img-<key>), up to the next slot."""
    return body.split(f'id="img-{key}" data-slot>')[1].split(" data-slot>")[0]


def _picker(slot) -> str:
    """The picker's label: its words, less the slot named for screen readers."""
    return slot.split('<label class="btn primary">')[1].split("<span")[0]


def test_a_one_picture_slot_holding_its_picture_offers_to_replace_it(client, year, tree, candidate):
    client.force_login(candidate)
    application = complete_application(candidate, year, tree)
    body = client.get(reverse("candidate:form")).content.decode()
    for slot in (ImageSlot.PHOTO, ImageSlot.ID_FRONT, ImageSlot.ID_BACK):
        assert images.slot_limit(slot) == 1
        markup = slot_markup(body, f"{slot}-")
        assert _picker(markup) == "更换图片", slot
        assert "继续上传" not in markup
    # A slot of five holding one takes more: 继续上传.
    assert _picker(slot_markup(body, "category-")) == "继续上传"
    row = EducationRow.objects.get(application=application, kind="education")
    assert _picker(slot_markup(body, f"education-{row.pk}")) == "继续上传"


def test_an_empty_slot_offers_to_upload(client, year, tree, candidate):
    client.force_login(candidate)
    application = complete_application(candidate, year, tree)
    application.images.filter(slot__in=[ImageSlot.PHOTO, ImageSlot.CATEGORY]).delete()
    body = client.get(reverse("candidate:form")).content.decode()
    assert _picker(slot_markup(body, "photo-")) == "上传图片"
    assert _picker(slot_markup(body, "category-")) == "上传图片"
