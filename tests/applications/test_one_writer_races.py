"""One writer of every application, under real races (PostgreSQL, threads released by a barrier).

Each scenario runs 50 rounds. After every round: the state and stage equal the last review-log
entry, the version equals the number of entries, and nothing a user was told is done is undone.
"""

import random
import threading
from functools import partial

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from prereg.applications import services
from prereg.applications.models import Application, FieldCheck, ReviewAction, ReviewLog, Stage, State
from prereg.catalog.models import Ethnicity
from tests.factories import CandidateFactory, UserFactory, approve, complete_application, submitted, tick_all

ROUNDS = 50
pytestmark = pytest.mark.django_db(transaction=True)


def race(first, second):
    """Run both at once (the second 0-30 ms later, as a double tap or a second tab would); their outcomes."""
    barrier = threading.Barrier(2)
    outcomes = {}
    delay = random.uniform(0, 0.03)

    def run(name, act, wait):
        try:
            barrier.wait()
            if wait:
                threading.Event().wait(wait)
            outcomes[name] = act()
        except Exception as exc:  # the refusal each act may meet is the outcome compared below
            outcomes[name] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=("first", first, 0)),
               threading.Thread(target=run, args=("second", second, delay))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes["first"], outcomes["second"]


def started(outcomes, name, act) -> threading.Thread:
    """`act` run in a thread (a connection) of its own, its result or refusal kept in outcomes[name]."""

    def run():
        try:
            outcomes[name] = act()
        except Exception as exc:  # the refusal is the outcome the test compares
            outcomes[name] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def paused_after(monkeypatch, module, name):
    """Make module.name stop, once it has returned, until the test lets it go on: (reached, go_on)."""
    reached, go_on = threading.Event(), threading.Event()
    original = getattr(module, name)

    def pausing(*args, **kwargs):
        result = original(*args, **kwargs)
        reached.set()
        go_on.wait(10)
        return result

    monkeypatch.setattr(module, name, pausing)
    return reached, go_on


def second_waits(monkeypatch, module, name, first: tuple, second: tuple) -> dict:
    """`first` (name, act) paused once module.name has returned (holding its locks), `second` (name, act)
    started meanwhile and seen waiting for them, then both let run to their end: their outcomes by name."""
    held, go_on = paused_after(monkeypatch, module, name)
    outcomes = {}
    threads = [started(outcomes, *first)]
    assert held.wait(10), outcomes
    threads.append(started(outcomes, *second))
    threads[1].join(1)
    assert threads[1].is_alive(), outcomes  # waiting for the rows the first holds
    go_on.set()
    for thread in threads:
        thread.join(15)
    return outcomes


def done(outcome) -> bool:
    return not isinstance(outcome, Exception)


def assert_consistent(application_id):
    application = Application.objects.get(pk=application_id)
    logs = list(ReviewLog.objects.filter(application_id=application_id).order_by("pk"))
    assert application.version == len(logs)
    if logs:
        assert (application.state, application.stage) == (logs[-1].to_state, logs[-1].to_stage)
    else:
        assert application.state == State.DRAFT
    return application, logs


def candidate_client(candidate):
    client = Client()
    client.force_login(candidate)
    return client


def _basic(application, name):
    return {"version": application.version, "basic-name": name, "basic-ethnicity": Ethnicity.objects.get(code="01").pk,
            "basic-unit": application.unit_id, "basic-postcode": "350001", "basic-phone": application.phone,
            "basic-address": "福建省福州市鼓楼区"}


def _posted(client, url, data, *, ok_text):
    """A candidate's post, as the page tells it: done when the answer carries `ok_text`."""
    response = client.post(url, data, follow=True, HTTP_HX_REQUEST="true" if "section" in url else "")
    body = response.content.decode()
    if ok_text not in body:
        raise RuntimeError(body[:200])
    return True


def test_section_save_racing_submit_never_loses_the_submission(postgres_only, tree, year):
    for _ in range(ROUNDS):
        candidate = CandidateFactory()
        application = complete_application(candidate, year, tree)
        saver, submitter = candidate_client(candidate), candidate_client(candidate)
        data = _basic(application, "并发改名")
        submitted_, saved = race(
            partial(_posted, submitter, reverse("candidate:submit"), {"version": application.version},
                    ok_text="报名信息已提交，等待单位审查"),
            partial(_posted, saver, reverse("candidate:section", args=["basic"]), data, ok_text="data-saved>已保存"))
        final, logs = assert_consistent(application.pk)
        assert done(submitted_), submitted_
        assert (final.state, final.stage) == (State.IN_REVIEW, Stage.UNIT_REVIEW)
        assert final.waiting_org_id == final.unit_review_org_id
        if done(saved):
            assert final.name == "并发改名"


def test_section_save_racing_withdraw_keeps_both_or_refuses_the_save(postgres_only, tree, year):
    for _ in range(ROUNDS):
        candidate = CandidateFactory()
        application = complete_application(candidate, year, tree)
        client = candidate_client(candidate)
        client.post(reverse("candidate:submit"), {"version": application.version})
        page = Application.objects.get(pk=application.pk)
        withdrawn, saved = race(
            partial(services.application_withdraw, actor=candidate, application_id=application.pk,
                    expected_version=page.version),
            partial(_posted, candidate_client(candidate), reverse("candidate:section", args=["basic"]),
                    _basic(page, "撤回后改名"), ok_text="data-saved>已保存"))
        final, _logs = assert_consistent(application.pk)
        assert done(withdrawn) and final.state == State.DRAFT
        # The page was loaded while submitted (not editable): its save is refused whenever it lands.
        assert not done(saved) and final.name != "撤回后改名"


def test_a_tick_racing_an_approval_never_lands_after_it(postgres_only, tree, year, reviewer_anxi_hospital):
    colleague = UserFactory(role=reviewer_anxi_hospital.role, org=reviewer_anxi_hospital.org)
    for _ in range(ROUNDS):
        application = submitted(tree, year)
        tick_all(application, reviewer_anxi_hospital)
        version = Application.objects.get(pk=application.pk).version
        approved, ticked = race(
            partial(services.application_approve, actor=reviewer_anxi_hospital, application_id=application.pk,
                    expected_version=version),
            partial(services.field_check_set, actor=colleague, application_id=application.pk, field="id_card",
                    consistent=False, expected_version=version))
        final, _logs = assert_consistent(application.pk)
        check = FieldCheck.objects.get(application=application, stage=Stage.UNIT_REVIEW, field="id_card")
        assert done(approved) != done(ticked)
        if done(approved):  # the 否 came too late: 已被他人处理, and the approval stands on its 是
            assert isinstance(ticked, services.AlreadyHandled)
            assert final.stage == Stage.POINT_CONFIRM and check.consistent is True
        else:  # the 否 came first: the approval saw it and was refused
            assert final.stage == Stage.UNIT_REVIEW and check.consistent is False


def test_two_batches_over_the_same_applications_approve_each_once(postgres_only, tree, year, reviewer_anxi_hospital,
                                                                  reviewer_anxi_bureau, reviewer_quanzhou):
    colleague = UserFactory(role=reviewer_quanzhou.role, org=reviewer_quanzhou.org)
    for _ in range(ROUNDS):
        applications = [submitted(tree, year) for _ in range(2)]
        for application in applications:
            approve(application, reviewer_anxi_hospital)
            approve(application, reviewer_anxi_bureau)
            tick_all(application, reviewer_quanzhou)
        items = [(a.pk, Application.objects.get(pk=a.pk).version) for a in applications]
        first, second = race(partial(services.batch_submit, actor=reviewer_quanzhou, items=items),
                             partial(services.batch_submit, actor=colleague, items=list(reversed(items))))
        approved = sorted(first[0] + second[0])
        assert approved == sorted(pk for pk, _v in items)
        for application in applications:
            final, logs = assert_consistent(application.pk)
            assert final.awaiting_forward and final.stage == Stage.SITE_REVIEW
            assert sum(1 for log in logs if log.action == ReviewAction.APPROVE and log.stage == Stage.SITE_REVIEW) == 1


def test_summary_submit_racing_a_recall_keeps_what_each_was_told(postgres_only, tree, year, reviewer_anxi_hospital,
                                                                 reviewer_anxi_bureau, reviewer_quanzhou):
    for _ in range(ROUNDS):
        application = submitted(tree, year)
        for reviewer in (reviewer_anxi_hospital, reviewer_anxi_bureau, reviewer_quanzhou):
            approve(application, reviewer)
        forwarded, recalled = race(
            partial(services.summary_submit, actor=reviewer_quanzhou, stage=Stage.SITE_REVIEW),
            partial(services.application_recall, actor=reviewer_quanzhou, application_id=application.pk))
        final, logs = assert_consistent(application.pk)
        actions = [log.action for log in logs]
        if done(recalled):
            # A recall is the last act either way (before a forward it leaves nothing to forward;
            # after one it takes the forwarded application back).
            assert actions[-1] == ReviewAction.RECALL and final.stage == Stage.SITE_REVIEW
            assert not final.awaiting_forward
        if done(forwarded):
            assert ReviewAction.FORWARD in actions
        if not done(recalled):
            assert done(forwarded) and final.stage == Stage.DISTRICT_RECHECK


def test_a_correction_racing_a_withdraw_yields_one_of_them(postgres_only, tree, year, reviewer_anxi_hospital):
    for _ in range(ROUNDS):
        candidate = CandidateFactory()
        application = submitted(tree, year, candidate=candidate)
        version = Application.objects.get(pk=application.pk).version
        corrected, withdrawn = race(
            partial(services.application_edit, actor=reviewer_anxi_hospital, application_id=application.pk,
                    expected_version=version, changes={"address": "福建省泉州市安溪县"}),
            partial(services.application_withdraw, actor=candidate, application_id=application.pk,
                    expected_version=version))
        final, logs = assert_consistent(application.pk)
        assert done(corrected) != done(withdrawn)
        if done(corrected):
            assert final.state == State.IN_REVIEW and final.address == "福建省泉州市安溪县"
        else:
            assert final.state == State.DRAFT and final.address != "福建省泉州市安溪县"



def test_a_recall_racing_the_next_stages_approval_from_pages_of_one_version_yields_one_of_them(
        postgres_only, tree, year, reviewer_anxi_hospital, reviewer_anxi_bureau):
    for _ in range(ROUNDS):
        application = submitted(tree, year)
        approve(application, reviewer_anxi_hospital)
        tick_all(application, reviewer_anxi_bureau)
        version = Application.objects.get(pk=application.pk).version  # what both pages show
        recalled, approved = race(
            partial(services.application_recall, actor=reviewer_anxi_hospital, application_id=application.pk,
                    expected_version=version),
            partial(services.application_approve, actor=reviewer_anxi_bureau, application_id=application.pk,
                    expected_version=version))
        final, _logs = assert_consistent(application.pk)
        assert done(recalled) != done(approved)
        if done(recalled):  # the approval's page showed a stage that is no longer there
            assert isinstance(approved, services.AlreadyHandled) and final.stage == Stage.UNIT_REVIEW
        else:  # approved first: the recall's page is stale, the 报名点's approval stands
            assert isinstance(recalled, services.AlreadyHandled) and final.stage == Stage.SITE_REVIEW


def test_a_withdraw_racing_the_first_approval_from_pages_of_one_version_yields_one_of_them(
        postgres_only, tree, year, reviewer_anxi_hospital):
    for _ in range(ROUNDS):
        candidate = CandidateFactory()
        application = submitted(tree, year, candidate=candidate)
        tick_all(application, reviewer_anxi_hospital)
        version = Application.objects.get(pk=application.pk).version
        withdrawn, approved = race(
            partial(services.application_withdraw, actor=candidate, application_id=application.pk,
                    expected_version=version),
            partial(services.application_approve, actor=reviewer_anxi_hospital, application_id=application.pk,
                    expected_version=version))
        final, _logs = assert_consistent(application.pk)
        assert done(withdrawn) != done(approved)
        if done(withdrawn):
            assert isinstance(approved, services.AlreadyHandled) and final.state == State.DRAFT
        else:
            assert isinstance(withdrawn, services.AlreadyHandled)
            assert (final.state, final.stage) == (State.IN_REVIEW, Stage.POINT_CONFIRM)
