"""The 📷 slots the form marks 缺 are exactly the images completeness asks for (completeness.required_images)."""

import datetime

import lxml.html
from django.urls import reverse

from prereg.applications.completeness import required_images
from prereg.applications.models import Application, ApplicationImage
from tests.factories import EducationRowFactory, complete_application

SLOTS = "//*[@data-slot]"
MISSING = '//*[@data-slot][contains(concat(" ", @class, " "), " slot-missing ")]'


def slot_ids(body: str, xpath: str) -> set[str]:
    """The ids (img-<slot>-<row id>) of the page's slots that `xpath` finds."""
    return {slot.get("id") for slot in lxml.html.fromstring(body).xpath(xpath)}


def asked_for(application) -> set[str]:
    return {f"img-{image.slot}-{image.row_id or ''}" for image in required_images(application)}


def test_a_qualification_of_wu_with_spaces_asks_for_no_certificate_and_the_form_agrees_with_completeness(
        client, year, tree, candidate):
    application = complete_application(candidate, year, tree)
    # " 无 " typed with spaces is 无 (completeness.is_filled_text): no 现有资格证书, no 执业变更记录页.
    Application.objects.filter(pk=application.pk).update(current_qualification=" 无 ", practice_change=" 无 ")
    EducationRowFactory(application=application, level="硕士研究生", order=1)  # a second 学历, not the 参评 one
    degree = EducationRowFactory(application=application, kind="degree", level="无")  # a degree of 无: no image
    ApplicationImage.objects.filter(application=application).delete()  # each slot asked for is 缺
    application.refresh_from_db()
    client.force_login(candidate)

    page = client.get(reverse("candidate:form")).content.decode()
    panel = client.get(reverse("candidate:images_panel")).content.decode()

    asked = asked_for(application)
    assert "img-current_qualification-" not in asked and "img-practice_change-" not in asked
    assert f"img-degree-{degree.pk}" not in asked
    assert len(asked) == 8  # photo, ID card ×2, 2 学历, 执业类别, 执业注册范围, 聘任
    assert slot_ids(page, MISSING) == asked
    assert slot_ids(panel, MISSING) == {slot for slot in asked if slot.endswith("-")}  # its 证件图片 part
    shown = slot_ids(page, SLOTS)
    assert "img-current_qualification-" in shown and f"img-degree-{degree.pk}" in shown  # shown, not 缺


def test_the_first_education_row_is_the_assessed_one_in_its_legend_and_its_slot(client, year, tree, candidate):
    application = complete_application(candidate, year, tree)
    EducationRowFactory(application=application, level="硕士研究生", school="厦门大学", order=1,
                        obtained=datetime.date(2015, 7, 1))
    client.force_login(candidate)

    page = lxml.html.fromstring(client.get(reverse("candidate:form")).content.decode())

    legends = [legend.text_content() for legend in page.xpath('//*[@data-rows="edu"]//*[@data-row-list]//legend')]
    assert legends == ["参评学历", "学历第 2 行"]
    labels = [h3.text_content().strip() for h3 in page.xpath('//*[@data-rows="edu"]//*[@data-slot]/h3')]
    assert labels == ["📷 参评学历：本科 福建医科大学", "📷 学历：硕士研究生 厦门大学 缺"]  # its image not yet uploaded
