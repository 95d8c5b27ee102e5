"""A slot's room (images.slot_limit less what it holds) as the form draws it: a full slot offers no picker
and says why, one with room tells the page how many more it takes; an upload refused without scripts
is said at its slot, where the page opens; an upload cut off on its way stores nothing."""

import io

from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from prereg.applications import images
from prereg.applications.models import ApplicationImage, EducationRow, ImageSlot
from tests.factories import complete_application, jpeg_upload


def slot_markup(body, key):
    """One 📷 slot's markup (its id is img-<key>), up to the next slot."""
    return body.split(f'id="img-{key}" data-slot>')[1].split(" data-slot>")[0]


def _fill(candidate, application, slot, row_id=None):
    """Upload distinct pictures into `slot` until it holds its limit."""
    limit = images.slot_limit(slot)
    held = ApplicationImage.objects.filter(application=application, slot=slot, row_id=row_id).count()
    images.images_add(actor=candidate, application=application, slot=slot, row_id=row_id,
                      uploads=[jpeg_upload(color=(10 * n, 40, 90)) for n in range(limit - held)])
    return limit


def _form(client):
    response = client.get(reverse("candidate:form"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_slot_holding_its_limit_offers_no_picker_and_says_how_to_change_it(client, year, tree, candidate):
    client.force_login(candidate)
    application = complete_application(candidate, year, tree)
    row = EducationRow.objects.get(application=application, kind="education")
    limit = _fill(candidate, application, ImageSlot.CATEGORY)
    _fill(candidate, application, ImageSlot.EDUCATION, row.pk)
    assert limit > 1
    body = _form(client)
    for key in ("category-", f"education-{row.pk}"):
        slot = slot_markup(body, key)
        assert f"已达上限（{limit}张），如需更换请先删除" in slot
        assert 'type="file"' not in slot and "继续上传" not in slot
        assert slot.count('class="thumb"') == limit and "删除" in slot  # what it holds can still be deleted


def test_a_one_image_slot_holding_its_image_still_offers_to_replace_it(client, year, tree, candidate):
    client.force_login(candidate)
    complete_application(candidate, year, tree)
    photo = slot_markup(_form(client), "photo-")
    assert images.slot_limit(ImageSlot.PHOTO) == 1
    assert "已达上限" not in photo and "更换图片" in photo and 'type="file"' in photo
    assert 'data-room="1"' in photo and "multiple" not in photo


def test_a_slot_with_room_tells_the_page_how_many_more_it_takes(client, year, tree, candidate):
    client.force_login(candidate)
    application = complete_application(candidate, year, tree)
    row = EducationRow.objects.get(application=application, kind="education")
    body = _form(client)
    room = images.slot_limit(ImageSlot.CATEGORY) - 1  # complete_application left one picture in each
    for key in ("category-", f"education-{row.pk}"):
        slot = slot_markup(body, key)
        assert f'data-room="{room}"' in slot and "multiple" in slot and "已达上限" not in slot


def test_an_upload_refused_without_scripts_opens_the_page_at_its_slot_with_the_reason_there(
        client, year, tree, candidate):
    client.force_login(candidate)
    application = complete_application(candidate, year, tree)
    _fill(candidate, application, ImageSlot.CATEGORY)
    response = client.post(reverse("candidate:image_upload"), {
        "slot": "category", "version": application.version, "file": jpeg_upload(color=(1, 2, 3))})
    assert response.status_code == 302 and response["Location"] == reverse("candidate:form") + "#img-category-"
    body = _form(client)
    slot = slot_markup(body, "category-")
    assert f'<div class="message error" role="alert">“{ImageSlot.CATEGORY.label}”最多上传{images.slot_limit("category")}张' in slot
    assert 'class="messages"' not in body  # not at the page's top, screens away from the slot
    # Said once: the page loaded again no longer shows it.
    assert "最多上传" not in slot_markup(_form(client), "category-")


def test_an_upload_refused_without_scripts_for_a_slot_not_drawn_says_so_at_the_top(client, year, tree, candidate):
    """A row's slot posted without its row: the page draws no such slot to say it at."""
    client.force_login(candidate)
    application = complete_application(candidate, year, tree)
    response = client.post(reverse("candidate:image_upload"), {
        "slot": "degree", "version": application.version, "file": jpeg_upload(color=(1, 2, 3))}, follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0].endswith("#img-degree-")
    assert 'class="messages"' in body and "请先保存该行信息" in body
    assert not ApplicationImage.objects.filter(application=application, slot="degree").exists()


def test_an_upload_cut_off_on_its_way_stores_nothing(client, year, tree, candidate):
    """取消上传 aborts the request mid-body: the server reads a body shorter than announced."""
    client.force_login(candidate)
    application = complete_application(candidate, year, tree)
    held = ApplicationImage.objects.filter(application=application).count()
    body = encode_multipart(BOUNDARY, {"slot": "category", "version": application.version,
                                       "file": jpeg_upload(size=(800, 600), color=(9, 9, 9))})
    for cut in (len(body) // 2, len(body) - 10):
        response = client.generic("POST", reverse("candidate:image_upload"), body, content_type=MULTIPART_CONTENT,
                                   HTTP_ACCEPT="application/json", CONTENT_LENGTH=str(len(body)),
                                   **{"wsgi.input": io.BytesIO(body[:cut])})
        assert response.status_code == 400
    assert ApplicationImage.objects.filter(application=application).count() == held
