"""The form's 📷 slot of a field answered 无 (执业变更情况, 现有资格) says that no image is needed and offers no
picker; a picture uploaded there before the field was set to 无 is still shown, and can be deleted."""

from django.urls import reverse

from prereg.applications.models import ApplicationImage, ImageSlot
from tests.factories import ApplicationImageFactory, declared


def _form(client, candidate) -> str:
    client.force_login(candidate)
    response = client.get(reverse("candidate:form"))
    assert response.status_code == 200
    return response.content.decode()


def slot_markup(body, key):
    """One 📷 slot's markup (its id is img-<key>), up to the next slot."""
    return body.split(f'id="img-{key}" data-slot>')[1].split(" data-slot>")[0]


def test_a_practice_change_of_none_says_no_image_is_needed_and_offers_no_picker(client, year, tree, candidate):
    declared(year, tree, candidate, qualification="主管护师", category="护理")  # 执业变更情况 无, 现有资格 无
    body = _form(client, candidate)
    for key, note in (("practice_change-", "执业变更情况为“无”时无需上传"), ("current_qualification-", "现有资格为“无”时无需上传")):
        slot = slot_markup(body, key)
        assert note in slot
        assert 'type="file"' not in slot and "data-upload" not in slot
        assert 'class="badge">缺' not in slot
        assert "注意事项" not in slot  # the guide to what to photograph is for a slot that takes a picture


def test_a_page_uploaded_before_the_field_was_set_to_none_is_shown_and_can_be_deleted(client, year, tree, candidate):
    application = declared(year, tree, candidate, qualification="主管护师", category="护理")
    page = ApplicationImageFactory(application=application, slot=ImageSlot.PRACTICE_CHANGE)
    slot = slot_markup(_form(client, candidate), "practice_change-")
    assert "执业变更情况为“无”时无需上传" in slot and 'type="file"' not in slot
    assert reverse("files:thumb", args=[page.pk]) in slot
    delete = reverse("candidate:image_delete", args=[page.pk])
    assert delete in slot
    response = client.post(delete, {"version": application.version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert not ApplicationImage.objects.filter(pk=page.pk).exists()
    # Redrawn empty: it still says why nothing is asked for there.
    assert "执业变更情况为“无”时无需上传" in response.content.decode()


def test_a_filled_practice_change_asks_for_its_page_with_a_picker(client, year, tree, candidate):
    application = declared(year, tree, candidate, qualification="主管护师", category="护理")
    application.practice_change = "执业地点变更"
    application.save()
    slot = slot_markup(_form(client, candidate), "practice_change-")
    assert 'class="badge">缺' in slot and 'type="file"' in slot
    assert "无需上传" not in slot
