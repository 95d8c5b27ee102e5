"""The reject fieldset's 退回至: the previous stage named with its org (as the success message names it),
no choice made for the reviewer at any stage (the manual, 四.4, leaves it to him), and a reject without
a choice refused at that field."""

import re

import pytest
from django.urls import reverse

from prereg.applications import review, services
from prereg.applications.models import Application, Stage, State
from tests.factories import approve, submitted


@pytest.fixture
def app(tree, year, reviewer_anxi_hospital):
    return submitted(tree, year, name="李娜")


def _fieldset(body) -> str:
    return body.split('<fieldset class="reject">')[1].split("</fieldset>")[0]


def _radios(fieldset) -> list[str]:
    return re.findall(r'<input type="radio"[^>]*>', fieldset)


def test_at_the_unit_the_only_choice_is_the_candidate_and_it_is_not_made_for_the_reviewer(
        client, app, reviewer_anxi_hospital):
    client.force_login(reviewer_anxi_hospital)
    fieldset = _fieldset(client.get(reverse("backoffice:review", args=[app.pk])).content.decode())
    [radio] = _radios(fieldset)
    assert 'value="candidate"' in radio and "checked" not in radio
    assert "退回上一环节" not in fieldset


def test_the_previous_stage_is_named_with_its_org_and_neither_choice_is_made(
        client, app, reviewer_anxi_hospital, reviewer_anxi_bureau):
    approve(app, reviewer_anxi_hospital)
    client.force_login(reviewer_anxi_bureau)
    fieldset = _fieldset(client.get(reverse("backoffice:review", args=[app.pk])).content.decode())
    assert f"退回上一环节（单位审查：{reviewer_anxi_hospital.org.name}）" in fieldset
    assert "退回考生（短信通知考生）" in fieldset
    radios = _radios(fieldset)
    assert len(radios) == 2 and not any("checked" in radio for radio in radios)


def test_at_the_district_the_previous_stage_is_the_sites(client, app, reviewer_anxi_hospital, reviewer_anxi_bureau,
                                                         reviewer_quanzhou, reviewer_province):
    for reviewer in (reviewer_anxi_hospital, reviewer_anxi_bureau):
        approve(app, reviewer)
    approve(app, reviewer_quanzhou)
    waiting = review.awaiting_forward_for(reviewer_quanzhou.org, Stage.SITE_REVIEW)
    services.summary_submit(actor=reviewer_quanzhou, stage=Stage.SITE_REVIEW,
                            expected_digest=review.forward_digest(waiting.values_list("pk", "version")))
    app.refresh_from_db()
    assert app.stage == Stage.DISTRICT_RECHECK
    client.force_login(reviewer_province)
    fieldset = _fieldset(client.get(reverse("backoffice:review", args=[app.pk])).content.decode())
    assert f"退回上一环节（考点审核：{reviewer_quanzhou.org.name}）" in fieldset
    assert not any("checked" in radio for radio in _radios(fieldset))


def test_a_reject_without_a_choice_is_refused_at_the_field_keeping_what_was_typed(client, app, reviewer_anxi_hospital):
    client.force_login(reviewer_anxi_hospital)
    response = client.post(reverse("backoffice:review_decide", args=[app.pk]),
                           {"decision": "reject", "version": app.version, "reason": "学历证书不清晰"})
    assert response.status_code == 400
    fieldset = _fieldset(response.content.decode())
    group = fieldset.split('role="radiogroup"')[1]
    assert 'aria-describedby="reject-to-error"' in group.split(">")[0]
    # 单位审查 offers 退回考生 alone: the error names it, not a 上一环节 the page does not offer.
    assert '<div class="error" role="alert" id="reject-to-error">请选择“退回考生”（本环节只能退回考生）。</div>' in group
    assert "学历证书不清晰" in fieldset  # the reason stays
    assert Application.objects.get(pk=app.pk).state == State.IN_REVIEW


def test_a_choice_made_stays_made_when_the_page_comes_back_with_an_error(
        client, app, reviewer_anxi_hospital, reviewer_anxi_bureau):
    approve(app, reviewer_anxi_hospital)
    app.refresh_from_db()
    client.force_login(reviewer_anxi_bureau)
    response = client.post(reverse("backoffice:review_decide", args=[app.pk]),
                           {"decision": "reject", "version": app.version, "reason": "", "to": "previous"})
    assert response.status_code == 400
    radios = _radios(_fieldset(response.content.decode()))
    assert [("checked" in radio) for radio in radios] == [True, False]
    assert "reject-to-error" not in response.content.decode()


def test_past_the_unit_a_reject_without_a_choice_names_both_choices(client, app, reviewer_anxi_hospital,
                                                                    reviewer_anxi_bureau):
    approve(app, reviewer_anxi_hospital)
    app.refresh_from_db()
    client.force_login(reviewer_anxi_bureau)
    response = client.post(reverse("backoffice:review_decide", args=[app.pk]),
                           {"decision": "reject", "version": app.version, "reason": "学历证书不清晰"})
    assert response.status_code == 400
    assert 'id="reject-to-error">请选择退回上一环节还是退回考生。</div>' in _fieldset(response.content.decode())
