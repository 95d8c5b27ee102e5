"""The form speaks the form's words: no Django stock label or message reaches the candidate (the phone
journey's probe met "---------", "选择一个有效的选项" and 执业变更情况 offering 无 twice)."""

from django.urls import reverse

from prereg.applications.carryover import start_application
from prereg.applications.models import Application
from prereg.catalog.models import Specialty
from tests.candidate.test_project_choice import options
from tests.factories import CandidateFactory


def test_a_passport_holders_gender_asks_to_choose_and_practice_change_offers_none_once(client, year, tree):
    candidate = CandidateFactory(id_type="passport", id_number="E12345678")
    client.force_login(candidate)
    body = client.get(reverse("candidate:form")).content.decode()
    assert Application.objects.get(candidate=candidate).id_type == "passport"
    assert options(body, "basic-gender") == ["请选择", "男", "女"]
    change = options(body, "decl-practice_change")
    assert change.count("无") == 1 and change[0] == "无" and "执业范围变更" in change


def test_a_choice_no_longer_offered_is_said_in_the_forms_words(client, year, tree, candidate):
    client.force_login(candidate)
    application = start_application(candidate=candidate, exam_year=year)
    specialty = Specialty.objects.select_related("qualification", "category").get(exam_year=year, name="呼吸内科学")
    other = Specialty.objects.exclude(qualification=specialty.qualification).filter(exam_year=year).first()
    body = client.post(reverse("candidate:section", args=["declaration"]), {
        "version": application.version, "decl-level": specialty.qualification.level_id,
        "decl-qualification": other.qualification_id, "decl-category": specialty.category_id,
        "decl-specialty": specialty.pk}, HTTP_HX_REQUEST="true").content.decode()
    assert "所选拟申报资格已不在可选范围内（上一项可能已更改），请重新选择。" in body
    assert "选择一个有效的选项" not in body
