"""The review screen's 📷 items are the images the completeness check asks for: nothing more
(a reviewer cannot be asked to confirm a photo never asked for), nothing less."""

import datetime

import pytest

from prereg.applications import completeness, review
from prereg.applications.models import EducationRow, ImageSlot, TrainingRow
from prereg.catalog.models import PracticeScope
from tests.factories import (
    ApplicationFactory,
    ApplicationImageFactory,
    AppointmentRowFactory,
    EducationRowFactory,
    OtherRowFactory,
    TrainingRowFactory,
    WorkRowFactory,
)


@pytest.fixture
def application(tree, year, candidate):
    scope = PracticeScope.objects.filter(exam_year=year).select_related("category").first()
    application = ApplicationFactory(
        candidate=candidate, exam_year=year, unit=tree["35052401"], name="李娜", category=scope.category,
        scope=scope, practice_change="2019年变更执业地点", practice_registered=datetime.date(2017, 3, 1),
        current_qualification="护师", current_qualification_date=datetime.date(2016, 10, 1))
    WorkRowFactory(application=application)
    EducationRowFactory(application=application)
    EducationRowFactory(application=application, level="大专", school="泉州医学高等专科学校", order=1)
    EducationRowFactory(application=application, kind=EducationRow.Kind.DEGREE, level="学士")
    AppointmentRowFactory(application=application)
    TrainingRowFactory(application=application)
    TrainingRowFactory(application=application, kind=TrainingRow.Kind.GENERAL_PRACTICE)
    OtherRowFactory(application=application, kind="基层工作证明")
    return application


def _with_none(application):
    """现有资格 无 and a degree row of level 无: neither has a certificate to photograph."""
    application.current_qualification, application.current_qualification_date = "无", None
    application.save()
    EducationRow.objects.filter(application=application, kind=EducationRow.Kind.DEGREE).update(level="无")
    return application


def _upload_every_required_image(application):
    for required in completeness.required_images(application):
        ApplicationImageFactory(application=application, slot=required.slot, row_id=required.row_id)


def test_a_qualification_and_a_degree_of_none_are_not_items_to_tick(application):
    _with_none(application)
    degree = EducationRow.objects.get(application=application, kind=EducationRow.Kind.DEGREE)
    keys = {item.key for item in review.check_fields(application, with_images=False)}
    assert "current_qualification" not in keys
    assert f"degree:{degree.pk}" not in keys
    required = {(image.slot, image.row_id) for image in completeness.required_images(application)}
    assert (ImageSlot.CURRENT_QUALIFICATION, None) not in required and (ImageSlot.DEGREE, degree.pk) not in required


def test_a_practice_change_of_none_in_spaces_is_not_an_item_to_tick(application):
    application.practice_change = " 无 "
    application.save()
    keys = {item.key for item in review.check_fields(application, with_images=False)}
    assert "practice_change" not in keys


@pytest.mark.parametrize("none", [False, True], ids=["filled", "qualification and degree 无"])
def test_every_required_image_is_shown_by_exactly_one_item_and_every_item_shows_one(application, none):
    if none:
        _with_none(application)
    _upload_every_required_image(application)
    items = review.check_fields(application)
    shown = [image.pk for item in items for image in item.images]
    photo = set(application.images.filter(slot=ImageSlot.PHOTO).values_list("pk", flat=True))
    assert sorted(shown) == sorted(set(application.images.values_list("pk", flat=True)) - photo)
    assert all(item.images for item in items)


def test_the_items_follow_the_form_and_its_first_education_and_degree_rows_are_the_assessed_ones(application):
    labels = [item.label for item in review.check_fields(application, with_images=False)]
    assert labels == [
        "证件（身份证正反面）", "参评学历证书", "学历证书", "参评学位证书",
        # a physician's 执业类别 (临床): his certificates named (completeness.LICENCE_LABELS)
        "执业类别（医师资格证书）", "执业注册范围（医师执业证书）", "执业变更记录页", "现有资格证书",
        "聘书（合同、文件）", "住院医师规范化培训合格证书", "全科医生规范化培训合格证书", "其他材料（基层工作证明）",
    ]


def test_the_review_item_shows_the_values_typed_in_the_form(application):
    items = {item.label: dict(item.values) for item in review.check_fields(application, with_images=False)}
    assert items["证件（身份证正反面）"]["姓名"] == "李娜"
    assert items["参评学历证书"]["学校"] == "福建医科大学"
    assert items["现有资格证书"]["现有资格"] == "护师"


def test_the_registration_date_is_checked_against_the_practice_certificate(application):
    # The eligibility probe: the date most 2023+ routes count from was checked against no photo.
    item = next(i for i in review.check_fields(application, with_images=False) if i.key == ImageSlot.SCOPE)
    assert ("执业注册年月", "2017-03") in item.values
