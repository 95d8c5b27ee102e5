"""A picture belongs to a filled field (notice, candidate manual 二.1): a 📷 field answered 无 (执业变更情况,
现有资格) asks for no image and takes none; one not answered yet may still ask."""

import pytest
from django.core.exceptions import ValidationError

from prereg.applications import completeness, images
from prereg.applications.models import ApplicationImage, ImageSlot
from tests.factories import declared, jpeg_upload


def _declared(year, tree, candidate, **answers):
    """A nurse's draft (执业变更情况 and 现有资格 无) with these answers instead."""
    application = declared(year, tree, candidate, qualification="主管护师", category="护理")
    for name, value in answers.items():
        setattr(application, name, value)
    application.save()
    return application


def _drawn(application) -> set:
    return {form_slot.slot for form_slot in completeness.form_field_slots(application)}


def test_a_practice_change_of_none_offers_no_slot_and_says_why(year, tree, candidate):
    application = declared(year, tree, candidate, qualification="主管护师", category="护理")
    assert application.practice_change == "无"
    assert ImageSlot.PRACTICE_CHANGE not in _drawn(application)
    assert completeness.unneeded_field_slots(application) == {
        ImageSlot.PRACTICE_CHANGE: "执业变更情况为“无”时无需上传", ImageSlot.CURRENT_QUALIFICATION: "现有资格为“无”时无需上传"}


def test_an_empty_practice_change_reads_as_the_none_the_form_shows(year, tree, candidate):
    # The form's 执业变更情况 select shows an empty value as its first choice, 无.
    application = _declared(year, tree, candidate, practice_change="")
    assert ImageSlot.PRACTICE_CHANGE not in _drawn(application)
    assert ImageSlot.PRACTICE_CHANGE in completeness.unneeded_field_slots(application)


def test_a_current_qualification_not_yet_chosen_may_still_ask_and_is_not_said_unneeded(year, tree, candidate):
    # 现有资格 starts at 请选择: not answered yet, so its slot is drawn (without 缺), not refused.
    application = _declared(year, tree, candidate, current_qualification="")
    slots = {form_slot.slot: form_slot for form_slot in completeness.form_field_slots(application)}
    assert slots[ImageSlot.CURRENT_QUALIFICATION].required is False
    assert ImageSlot.CURRENT_QUALIFICATION not in completeness.unneeded_field_slots(application)


def test_a_filled_practice_change_asks_for_its_page(year, tree, candidate):
    application = _declared(year, tree, candidate, practice_change="执业地点变更")
    slots = {form_slot.slot: form_slot for form_slot in completeness.form_field_slots(application)}
    assert slots[ImageSlot.PRACTICE_CHANGE].required is True
    assert ImageSlot.PRACTICE_CHANGE not in completeness.unneeded_field_slots(application)
    assert "请上传“执业变更记录页”的图片。" in completeness.missing(application)


@pytest.mark.parametrize("slot", [ImageSlot.PRACTICE_CHANGE, ImageSlot.CURRENT_QUALIFICATION])
def test_an_upload_to_a_field_answered_none_is_refused_by_the_service(year, tree, candidate, slot):
    application = declared(year, tree, candidate, qualification="主管护师", category="护理")
    with pytest.raises(ValidationError, match="无需上传"):
        images.images_add(actor=candidate, application=application, slot=slot, uploads=[jpeg_upload()])
    assert not ApplicationImage.objects.filter(application=application).exists()
