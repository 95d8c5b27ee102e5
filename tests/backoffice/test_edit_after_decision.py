"""A reviewer's correction (修改) posted after the application moved on (race probe): a colleague's
decision or the candidate's withdrawal committed while the form was open. The service refuses it as
已被他人处理 on the locked row; the page says so and keeps what he typed, where it gave a 403 page
(只有当前审核环节的机构可以办理该报名信息) and lost it."""

import pytest
from django.urls import reverse

from prereg.accounts.models import Role
from prereg.applications import services
from prereg.applications.models import Application, ReviewLog
from prereg.audit.models import AuditEvent
from tests.factories import UserFactory, approve, submitted


@pytest.fixture
def app(tree, year, reviewer_anxi_hospital, reviewer_anxi_bureau):
    return submitted(tree, year, name="李娜")  # routed through the orgs that have reviewers


def _open_then_post(client, reviewer, app, move_on):
    """The reviewer opens 修改, the application moves on meanwhile, then he posts his correction."""
    client.force_login(reviewer)
    page = client.get(reverse("backoffice:review_edit", args=[app.pk]))
    assert page.status_code == 200
    seen = app.version
    move_on()
    return client.post(reverse("backoffice:review_edit", args=[app.pk]), {"version": seen, "name": "李娜娜"})


def _assert_refused_politely(response, app, before, said="已被他人处理"):
    assert response.status_code == 409
    body = response.content.decode()
    assert said in body and "只有当前审核环节的机构" not in body
    assert 'value="李娜娜"' in body  # what he typed, still on the page
    assert "保存修改" not in body  # no save that could only be refused again
    after = Application.objects.get(pk=app.pk)
    assert after.name == "李娜" and after.version == before
    assert not ReviewLog.objects.filter(application=app, action="edit").exists()
    assert not AuditEvent.objects.filter(event__startswith="application.edit").exists()


def test_a_correction_after_a_colleagues_approval_is_already_handled_and_keeps_the_typed_values(
        client, tree, app, reviewer_anxi_hospital):
    colleague = UserFactory(username="r35052401b", role=Role.UNIT, org=tree["35052401"])
    response = _open_then_post(client, reviewer_anxi_hospital, app, lambda: approve(app, colleague))
    _assert_refused_politely(response, app, Application.objects.get(pk=app.pk).version)


def test_a_correction_after_the_candidates_withdrawal_is_already_handled_and_keeps_the_typed_values(
        client, app, reviewer_anxi_hospital):
    response = _open_then_post(client, reviewer_anxi_hospital, app, lambda: services.application_withdraw(
        actor=app.candidate, application_id=app.pk, expected_version=app.version))
    _assert_refused_politely(response, app, Application.objects.get(pk=app.pk).version, said="考生已撤回报名信息")


def test_a_correction_from_an_org_whose_turn_it_is_not_is_still_forbidden(client, app, reviewer_anxi_bureau):
    """The polite answer is for a page overtaken by events; an org that may not decide now is refused
    by the service as the form refused it (its own page is a 403 too)."""
    client.force_login(reviewer_anxi_bureau)
    response = client.post(reverse("backoffice:review_edit", args=[app.pk]), {"version": app.version, "name": "李娜娜"})
    assert response.status_code == 403
    assert Application.objects.get(pk=app.pk).name == "李娜"
