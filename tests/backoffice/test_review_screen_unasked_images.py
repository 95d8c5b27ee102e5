"""The review screen (核对原件) shows every picture the candidate sent, as the image zip holds them all:
those no item to tick asks for are listed apart, with what he typed and why none is asked for, and
approval does not wait on them."""

import re

from django.urls import reverse

from prereg.applications.models import Application, ApplicationImage, ImageSlot, Stage, State
from tests.factories import ApplicationImageFactory, approve, submitted


def _screen(client, reviewer, application) -> str:
    client.force_login(reviewer)
    response = client.get(reverse("backoffice:review", args=[application.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _shown_image_ids(body) -> set:
    return {int(pk) for pk in re.findall(r"/files/images/(\d+)/", body)}


def test_a_practice_change_page_left_from_before_the_field_said_none_is_shown_to_the_reviewer(
        client, tree, year, reviewer_anxi_hospital):
    app = submitted(tree, year, name="李娜")
    page = ApplicationImageFactory(application=app, slot=ImageSlot.PRACTICE_CHANGE)
    Application.objects.filter(pk=app.pk).update(practice_change="无")
    body = _screen(client, reviewer_anxi_hospital, app)
    assert 'id="field-practice_change"' not in body  # no item to tick
    unasked = body.split("data-unasked-images")[1]
    assert "执业变更记录页" in unasked and "执业变更情况为“无”时无需上传" in unasked
    assert reverse("files:thumb", args=[page.pk]) in unasked and reverse("files:image", args=[page.pk]) in unasked
    assert "执业变更情况" in unasked and "<mark>无</mark>" in unasked  # what he typed, beside it


def test_every_stored_picture_of_the_application_is_on_the_review_screen(client, tree, year,
                                                                         reviewer_anxi_hospital):
    app = submitted(tree, year, name="李娜")
    for slot in (ImageSlot.PHOTO, ImageSlot.ID_FRONT, ImageSlot.ID_BACK, ImageSlot.PRACTICE_CHANGE,
                 ImageSlot.SCOPE):
        ApplicationImageFactory(application=app, slot=slot)
    Application.objects.filter(pk=app.pk).update(current_qualification="无", current_qualification_date=None)
    ApplicationImageFactory(application=app, slot=ImageSlot.CURRENT_QUALIFICATION)
    body = _screen(client, reviewer_anxi_hospital, app)
    stored = set(ApplicationImage.objects.filter(application=app).values_list("pk", flat=True))
    assert _shown_image_ids(body) == stored


def test_a_screen_with_every_picture_asked_for_has_no_such_list(client, tree, year, reviewer_anxi_hospital):
    app = submitted(tree, year, name="李娜")
    assert "data-unasked-images" not in _screen(client, reviewer_anxi_hospital, app)


def test_approval_does_not_wait_on_a_picture_no_item_asks_for(tree, year, reviewer_anxi_hospital):
    app = submitted(tree, year, name="李娜")
    ApplicationImageFactory(application=app, slot=ImageSlot.PRACTICE_CHANGE)  # 执业变更情况 is empty: 无
    approve(app, reviewer_anxi_hospital)
    app.refresh_from_db()
    assert (app.state, app.stage) == (State.IN_REVIEW, Stage.POINT_CONFIRM)
