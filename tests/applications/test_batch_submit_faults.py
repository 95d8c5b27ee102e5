"""批量提交 (services.batch_submit): each approval is its own transaction, and one refusal does not undo the
others. Against an individual 退回 of one of its applications at the same moment, and a database error in the
middle of a batch (races probe): what the reviewer is told is exactly what was approved."""

import logging
from functools import partial

import pytest
from django.db import OperationalError
from django.urls import reverse

from prereg.applications import services
from prereg.applications.models import Application, ReviewAction, ReviewLog, Stage, State
from tests.applications.test_one_writer_races import assert_consistent, done, race
from tests.factories import UserFactory, approve, submitted, tick_all

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 20


def at_site_review(tree, year, reviewers, site, n):
    applications = [submitted(tree, year) for _ in range(n)]
    for application in applications:
        for reviewer in reviewers:
            approve(application, reviewer)
        tick_all(application, site)
    return [(a.pk, Application.objects.get(pk=a.pk).version) for a in applications]


def site_approvals(ids) -> list[int]:
    return sorted(ReviewLog.objects.filter(application_id__in=ids, action=ReviewAction.APPROVE,
                                           stage=Stage.SITE_REVIEW).values_list("application_id", flat=True))


def database_fails_at_the_second_approval(monkeypatch):
    original, approvals = services.record, []

    def failing_second(event, *args, **kwargs):
        if event == "application.approve":
            approvals.append(event)
            if len(approvals) == 2:
                raise OperationalError("could not serialize access / connection lost")
        return original(event, *args, **kwargs)

    monkeypatch.setattr(services, "record", failing_second)


def test_a_batch_racing_a_colleagues_return_of_one_of_its_applications_yields_one_decision_for_it(
        postgres_only, tree, year, reviewer_anxi_hospital, reviewer_anxi_bureau, reviewer_quanzhou):
    colleague = UserFactory(role=reviewer_quanzhou.role, org=reviewer_quanzhou.org)
    for _ in range(ROUNDS):
        items = at_site_review(tree, year, (reviewer_anxi_hospital, reviewer_anxi_bureau), reviewer_quanzhou, 2)
        (kept, _), (contested, seen) = items
        batch, returned = race(
            partial(services.batch_submit, actor=reviewer_quanzhou, items=items),
            partial(services.application_reject, actor=colleague, application_id=contested, expected_version=seen,
                    reason="学历证书与原件不一致", to="candidate"))
        approved, refused = batch
        assert kept in approved
        final, logs = assert_consistent(contested)
        decisions = [log for log in logs if log.stage == Stage.SITE_REVIEW and log.action != ReviewAction.SUBMIT]
        assert len(decisions) == 1, decisions
        if done(returned):  # the return came first: the batch was told 已被他人处理 for it
            assert contested in refused and contested not in approved
            assert final.state == State.RETURNED
        else:
            assert isinstance(returned, services.AlreadyHandled) and contested in approved
            assert final.awaiting_forward and final.stage == Stage.SITE_REVIEW


def test_a_database_error_at_one_application_of_a_batch_refuses_it_alone_and_says_so(
        tree, year, reviewer_anxi_hospital, reviewer_anxi_bureau, reviewer_quanzhou, monkeypatch, caplog):
    items = at_site_review(tree, year, (reviewer_anxi_hospital, reviewer_anxi_bureau), reviewer_quanzhou, 3)
    (first, _), (second, second_seen), (third, _) = items
    database_fails_at_the_second_approval(monkeypatch)
    with caplog.at_level(logging.ERROR, logger="prereg.applications.services"):
        approved, refused = services.batch_submit(actor=reviewer_quanzhou, items=items)
    assert approved == [first, third] == site_approvals([first, second, third])
    assert refused == {second: services.BATCH_FAULT_MESSAGE}
    untouched, _logs = assert_consistent(second)  # its own transaction rolled back: nothing of it written
    assert untouched.version == second_seen and not untouched.awaiting_forward
    assert [r.levelname for r in caplog.records if r.exc_info] == ["ERROR"]


def test_the_batch_page_says_which_applications_were_approved_and_which_met_a_database_error(
        client, tree, year, reviewer_anxi_hospital, reviewer_anxi_bureau, reviewer_quanzhou, monkeypatch):
    items = at_site_review(tree, year, (reviewer_anxi_hospital, reviewer_anxi_bureau), reviewer_quanzhou, 3)
    second = Application.objects.get(pk=items[1][0])
    database_fails_at_the_second_approval(monkeypatch)
    client.force_login(reviewer_quanzhou)
    response = client.post(reverse("backoffice:batch_approve"), {"items": [f"{pk}:{v}" for pk, v in items]},
                           follow=True)
    body = response.content.decode()
    assert response.status_code == 200
    assert "已批量同意2条报名信息" in body
    assert f"“{second.name}（报名号{second.number}）”未提交：{services.BATCH_FAULT_MESSAGE}" in body
    assert site_approvals([pk for pk, _v in items]) == [items[0][0], items[2][0]]
