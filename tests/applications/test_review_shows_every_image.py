"""Every picture the candidate sent stays visible to the reviewer (the image zip holds them all): those no
item to tick asks for (a field since answered 无, a 证件类型 or qualification changed since, a 学位 of level 无)
are shown apart from the items, with what he typed."""

import datetime

from prereg.accounts.models import IdType
from prereg.applications import completeness, review
from prereg.applications.models import ApplicationImage, EducationRow, ImageSlot
from tests.factories import ApplicationImageFactory, EducationRowFactory, declared


def _stored_ids(application) -> set:
    return set(ApplicationImage.objects.filter(application=application).values_list("pk", flat=True))


def _shown_ids(application) -> tuple[set, list]:
    fields = review.check_fields(application, with_images=False)
    unasked = review.attach_images(application, fields)
    shown = {img.pk for f in fields for img in f.images} | {f.photo.pk for f in fields if f.photo}
    return shown | {img.pk for group in unasked for img in group.images}, unasked


def test_a_practice_change_page_uploaded_before_the_field_was_set_to_none_is_shown_to_the_reviewer(
        year, tree, candidate):
    application = declared(year, tree, candidate, qualification="主管护师", category="护理")
    application.practice_change = "执业地点变更"
    application.save()
    page = ApplicationImageFactory(application=application, slot=ImageSlot.PRACTICE_CHANGE)
    application.practice_change = "无"  # changed after the upload
    application.save()
    assert "practice_change" not in {f.key for f in review.check_fields(application, with_images=False)}
    shown, unasked = _shown_ids(application)
    assert page.pk in shown
    [group] = unasked
    assert group.label == "执业变更记录页" and group.note == "执业变更情况为“无”时无需上传"
    assert group.values == [("执业变更情况", "无")]  # what the candidate typed, beside the picture
    assert [img.pk for img in group.images] == [page.pk]


def test_no_stored_image_of_the_application_is_left_off_the_review_screen(year, tree, candidate):
    """Every way an image can stop being asked for: the 证件类型 changed to a passport (no 反面), the
    qualification to a pharmacist's (no 执业类别/执业注册范围), 现有资格 and 执业变更情况 answered 无, a
    degree of level 无."""
    application = declared(year, tree, candidate, qualification="主管药师", category="药学",
                           id_type=IdType.PASSPORT)
    degree = EducationRowFactory(application=application, kind=EducationRow.Kind.DEGREE, level="无",
                                 obtained=datetime.date(2012, 7, 1))
    education = EducationRowFactory(application=application)
    for slot, row_id in [(ImageSlot.PHOTO, None), (ImageSlot.ID_FRONT, None), (ImageSlot.ID_BACK, None),
                         (ImageSlot.CATEGORY, None), (ImageSlot.SCOPE, None), (ImageSlot.PRACTICE_CHANGE, None),
                         (ImageSlot.CURRENT_QUALIFICATION, None), (ImageSlot.EDUCATION, education.pk),
                         (ImageSlot.DEGREE, degree.pk)]:
        ApplicationImageFactory(application=application, slot=slot, row_id=row_id)
    shown, unasked = _shown_ids(application)
    assert shown == _stored_ids(application)
    labels = [group.label for group in unasked]
    assert labels == ["身份证反面", "学位证书（参评学位：无 福建医科大学）", "执业类别（护士执业证书/医师资格证书）",
                      "执业注册范围（执业证书）", "执业变更记录页", "现有资格证书"]
    # None of them is an item to tick: approval waits on the items asked for alone.
    keys = {f.key for f in review.check_fields(application, with_images=False)}
    assert keys == {review.ID_CARD, f"education:{education.pk}"}


def test_an_application_whose_pictures_are_all_asked_for_has_none_left_over(year, tree, candidate):
    application = declared(year, tree, candidate, qualification="主管护师", category="护理")
    for required in completeness.required_images(application):
        ApplicationImageFactory(application=application, slot=required.slot, row_id=required.row_id)
    shown, unasked = _shown_ids(application)
    assert unasked == [] and shown == _stored_ids(application)
