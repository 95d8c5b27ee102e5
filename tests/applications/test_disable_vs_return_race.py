"""禁用 of several accounts at once and a 退回上一环节 by one of them at the same moment (PostgreSQL, one of
the two paused while it holds its locks): both take the rows in one order, the orgs before the accounts
before the application, so one waits for the other and neither is cancelled as a deadlock. The one that
comes second is refused in Chinese: the 禁用 because the org the application went back to would have no
reviewer, or the return because its reviewer's account is disabled (or the org it goes back to has no
reviewer left); no application waits for an org no one can sign in to.

Before the order was one, the return held the account and the application and then asked for the
previous stage's org, while the 禁用 held that org and asked for the account: PostgreSQL cancelled one
("deadlock detected"), a 500 for its user."""

from functools import partial

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from prereg.accounts import services as account_services
from prereg.accounts.models import Role, User
from prereg.applications import services
from prereg.applications.models import Application, Stage, State
from prereg.applications.selectors import needed_counts
from tests.applications.test_one_writer_races import done, second_waits
from tests.factories import UserFactory, approve, submitted

pytestmark = pytest.mark.django_db(transaction=True)

NO_REVIEWER_LEFT = "没有可用的审核账号"


@pytest.fixture
def at_the_point(tree, year, reviewer_anxi_hospital, reviewer_anxi_bureau):
    """An application of 安溪县医院 approved by the hospital, at 安溪县卫计局's 报名点确认: a 退回上一环节
    sends it back to the hospital, whose only reviewer account is reviewer_anxi_hospital. The bureau has a
    second reviewer, so the returning one's account may be disabled."""
    UserFactory(username="r350524b", role=Role.POINT, org=tree["350524"])
    application = submitted(tree, year)
    approve(application, reviewer_anxi_hospital)
    application.refresh_from_db()
    assert (application.stage, application.waiting_org_id) == (Stage.POINT_CONFIRM, tree["350524"].pk)
    return application


def _return(application, actor):
    return partial(services.application_reject, actor=actor, application_id=application.pk,
                   expected_version=application.version, reason="学历证书不清晰", to="previous")


def _disable(actor, *accounts):
    return partial(account_services.account_set_active, actor=actor, user_ids=[a.pk for a in accounts],
                   active=False, waiting=needed_counts)


def _active(*accounts):
    return [User.objects.get(pk=a.pk).is_active for a in accounts]


def test_a_disable_of_the_returning_reviewer_and_of_the_previous_orgs_waits_for_the_return_and_is_refused(
        postgres_only, tree, at_the_point, reviewer_quanzhou, reviewer_anxi_hospital, reviewer_anxi_bureau,
        monkeypatch):
    # The return pauses holding its locks; the 禁用 of both accounts (the bureau's, which returns, and the
    # hospital's, which the application goes back to) waits for it, then finds the hospital needed.
    outcomes = second_waits(monkeypatch, services, "_lock_for_decision",
                            ("returned", _return(at_the_point, reviewer_anxi_bureau)),
                            ("disabled", _disable(reviewer_quanzhou, reviewer_anxi_bureau, reviewer_anxi_hospital)))
    assert done(outcomes["returned"]), outcomes["returned"]
    assert isinstance(outcomes["disabled"], ValidationError), outcomes["disabled"]
    assert outcomes["disabled"].messages[0].startswith("“安溪县医院”有1份报名信息待其审核")
    assert NO_REVIEWER_LEFT in outcomes["disabled"].messages[0]
    stored = Application.objects.get(pk=at_the_point.pk)
    assert (stored.state, stored.stage, stored.waiting_org_id) == (
        State.IN_REVIEW, Stage.UNIT_REVIEW, reviewer_anxi_hospital.org_id)
    assert _active(reviewer_anxi_bureau, reviewer_anxi_hospital) == [True, True]  # all or none


def test_a_return_under_way_when_the_disable_holds_its_locks_waits_and_is_refused(
        postgres_only, tree, at_the_point, reviewer_quanzhou, reviewer_anxi_hospital, reviewer_anxi_bureau,
        monkeypatch):
    # The 禁用 pauses once it holds the orgs and the accounts, before it counts what needs them; the return
    # waits for it, then finds its reviewer's account disabled.
    outcomes = second_waits(monkeypatch, account_services, "_keep_a_reviewer",
                            ("disabled", _disable(reviewer_quanzhou, reviewer_anxi_bureau, reviewer_anxi_hospital)),
                            ("returned", _return(at_the_point, reviewer_anxi_bureau)))
    assert outcomes["disabled"] == 2, outcomes["disabled"]
    assert isinstance(outcomes["returned"], PermissionDenied), outcomes["returned"]
    assert "账号已被禁用" in str(outcomes["returned"])
    stored = Application.objects.get(pk=at_the_point.pk)
    assert (stored.stage, stored.version) == (Stage.POINT_CONFIRM, at_the_point.version)


def test_a_return_after_the_previous_orgs_last_reviewer_was_disabled_is_refused_at_the_choice(
        postgres_only, tree, at_the_point, reviewer_quanzhou, reviewer_anxi_hospital, reviewer_anxi_bureau,
        monkeypatch):
    # Only the hospital's account is disabled (the application has passed the hospital, so nothing needs it
    # yet); the return waits for that 禁用, then refuses to send the application where no one can act.
    outcomes = second_waits(monkeypatch, account_services, "_keep_a_reviewer",
                            ("disabled", _disable(reviewer_quanzhou, reviewer_anxi_hospital)),
                            ("returned", _return(at_the_point, reviewer_anxi_bureau)))
    assert outcomes["disabled"] == 1, outcomes["disabled"]
    assert isinstance(outcomes["returned"], ValidationError), outcomes["returned"]
    assert outcomes["returned"].message_dict == {"to": [services.RETURN_ORG_UNSTAFFED.format(name="安溪县医院")]}
    assert Application.objects.get(pk=at_the_point.pk).stage == Stage.POINT_CONFIRM


def test_a_return_to_an_org_left_without_reviewers_is_refused_and_to_the_candidate_goes(
        tree, at_the_point, reviewer_quanzhou, reviewer_anxi_hospital, reviewer_anxi_bureau):
    account_services.account_set_active(actor=reviewer_quanzhou, user_ids=[reviewer_anxi_hospital.pk],
                                        active=False, waiting=needed_counts)
    assert services.return_previous_refusal(at_the_point) == services.RETURN_ORG_UNSTAFFED.format(name="安溪县医院")
    with pytest.raises(ValidationError) as refused:
        _return(at_the_point, reviewer_anxi_bureau)()
    assert refused.value.message_dict == {"to": [services.RETURN_ORG_UNSTAFFED.format(name="安溪县医院")]}
    returned = services.application_reject(actor=reviewer_anxi_bureau, application_id=at_the_point.pk,
                                           expected_version=at_the_point.version, reason="学历证书不清晰",
                                           to="candidate")
    assert returned.state == State.RETURNED
