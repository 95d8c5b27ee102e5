"""The review screen asks for a tick only on what the candidate was asked to photograph."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.text import slugify

from prereg.applications import completeness, services
from prereg.applications.models import Application, EducationRow, FieldCheck, State
from tests.factories import ApplicationImageFactory, EducationRowFactory, submitted


def test_a_qualification_and_a_degree_of_none_get_no_tick_and_the_asked_ones_suffice_for_approval(
        client, tree, year, reviewer_anxi_hospital):
    app = submitted(tree, year, name="李娜")
    Application.objects.filter(pk=app.pk).update(current_qualification="无", current_qualification_date=None)
    degree = EducationRowFactory(application=app, kind=EducationRow.Kind.DEGREE, level="无",
                                 obtained=datetime.date(2012, 7, 1))
    app.refresh_from_db()
    client.force_login(reviewer_anxi_hospital)
    body = client.get(reverse("backoffice:review", args=[app.pk])).content.decode()
    assert 'id="field-id_card"' in body
    assert 'id="field-current_qualification"' not in body
    assert f'id="field-{slugify(f"degree:{degree.pk}")}"' not in body

    asked = {(image.slot, image.row_id) for image in completeness.required_images(app)}
    for slot, row_id in asked:
        ApplicationImageFactory(application=app, slot=slot, row_id=row_id)
    for key in ["id_card", *(f"{slot}:{row_id}" for slot, row_id in asked if row_id)]:
        services.field_check_set(actor=reviewer_anxi_hospital, application_id=app.pk, field=key, consistent=True)
    assert FieldCheck.objects.filter(application=app).count() == 2  # 证件, 参评学历
    app.refresh_from_db()
    services.application_approve(actor=reviewer_anxi_hospital, application_id=app.pk, expected_version=app.version)
    assert Application.objects.get(pk=app.pk).state == State.IN_REVIEW


def test_an_item_without_its_picture_cannot_be_confirmed(client, tree, year, reviewer_anxi_hospital):
    # The review probe ticked 是 on four items of which the candidate had uploaded nothing, and approved.
    app = submitted(tree, year, name="李娜")
    client.force_login(reviewer_anxi_hospital)
    body = client.get(reverse("backoffice:review", args=[app.pk])).content.decode()
    assert "考生未上传该项图片，无从核对" in body and 'name="consistent" value="1"' not in body
    with pytest.raises(ValidationError, match="无从核对"):
        services.field_check_set(actor=reviewer_anxi_hospital, application_id=app.pk, field="id_card",
                                 consistent=True)
    services.field_check_set(actor=reviewer_anxi_hospital, application_id=app.pk, field="id_card", consistent=False)
    assert FieldCheck.objects.get(application=app).consistent is False


def test_the_identity_thumbnails_are_captioned_as_the_form_names_them_for_the_document(
        client, tree, year, reviewer_anxi_hospital):
    from prereg.accounts.models import IdType
    from prereg.applications.models import ImageSlot

    app = submitted(tree, year, name="李娜")
    for slot in (ImageSlot.ID_FRONT, ImageSlot.ID_BACK):
        ApplicationImageFactory(application=app, slot=slot)
    client.force_login(reviewer_anxi_hospital)
    body = client.get(reverse("backoffice:review", args=[app.pk])).content.decode()
    assert 'aria-label="身份证正面"' in body and '<span class="thumb-caption">身份证反面</span>' in body
    Application.objects.filter(pk=app.pk).update(id_type=IdType.HKMO_PERMIT)
    body = client.get(reverse("backoffice:review", args=[app.pk])).content.decode()
    assert '<span class="thumb-caption">港澳居民居住证正面</span>' in body and "身份证正面" not in body


def test_the_return_reason_starts_from_the_items_ticked_no_without_scripts(client, tree, year, reviewer_anxi_hospital):
    # review.js filled 不通过原因 from the 否 items; a reviewer's browser without scripts got an empty box.
    app = submitted(tree, year, name="李娜")
    services.field_check_set(actor=reviewer_anxi_hospital, application_id=app.pk, field="id_card", consistent=False)
    client.force_login(reviewer_anxi_hospital)
    body = client.get(reverse("backoffice:review", args=[app.pk])).content.decode()
    assert re.search(r'<textarea id="reason"[^>]*>以下信息与原件不一致：[^<]+。</textarea>', body)
    # The reviewer's own words, sent back with an error elsewhere, are kept as typed.
    body = client.post(reverse("backoffice:review_decide", args=[app.pk]),
                       {"decision": "reject", "reason": "请重拍身份证", "version": app.version}).content.decode()
    assert re.search(r'<textarea id="reason"[^>]*>请重拍身份证</textarea>', body)
