"""A 交叉审核机构 must have an active reviewer account (race probe: the 考区 disabled 厦门's only account,
then handed it 泉州's 考点审核; later submissions waited at 厦门, where no one could sign in). One rule,
selectors.unstaffed_refusal, read by the page's field and by cross_review_assign."""

from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from prereg.accounts import services as account_services
from prereg.accounts.models import Role, User
from prereg.applications.selectors import needed_counts
from prereg.audit.models import AuditEvent
from prereg.orgs import selectors
from prereg.orgs import services as org_services
from prereg.orgs.models import CrossReviewAssignment
from prereg.orgs.stages import Stage
from tests.applications.test_one_writer_races import done, paused_after, race, started
from tests.factories import UserFactory

REFUSAL = "“厦门市卫生健康委员会”没有可用的审核账号，不能作为交叉审核机构：请先启用或新增该机构的审核账号。"
MARK = "厦门市卫生健康委员会（无可用审核账号）"


@pytest.fixture
def xiamen(tree):
    """厦门's only reviewer account (a 考点's), the 考区 may disable."""
    return UserFactory(username="r350200", role=Role.SITE, org=tree["350200"])


def _assign(actor, year, tree):
    """The probe's assignment: 泉州's 考点审核 to 厦门."""
    return org_services.cross_review_assign(actor=actor, exam_year=year, stage=Stage.SITE_REVIEW,
                                            source_id=tree["350500"].pk, target_id=tree["350200"].pk)


def _disable(actor, account):
    """禁用 as the accounts page does it, with the counts that keep a needed org's last account."""
    return account_services.account_set_active(actor=actor, user_ids=[account.pk], active=False,
                                               waiting=needed_counts, assigned=org_services.assigned_counts)


def _nothing_assigned():
    assert not CrossReviewAssignment.objects.exists()
    assert not AuditEvent.objects.filter(event="cross_review.assign").exists()


def test_an_assignment_to_an_org_whose_only_account_is_disabled_is_refused_and_nothing_is_stored(
        tree, year, reviewer_province, xiamen):
    assert _disable(reviewer_province, xiamen) == 1  # nothing needs 厦门 yet: allowed
    with pytest.raises(ValidationError) as refused:
        _assign(reviewer_province, year, tree)
    assert refused.value.messages == [REFUSAL]
    _nothing_assigned()


@pytest.mark.parametrize("account", [None, {"role": Role.CANDIDATE}, {"role": Role.AUDITOR}])
def test_an_org_without_a_reviewer_account_is_refused_as_a_target(tree, year, reviewer_province, account):
    if account:  # an account of the org that reviews nothing does not count
        UserFactory(org=tree["350200"], **account)
    assert selectors.unstaffed_refusal(tree["350200"]) == REFUSAL
    with pytest.raises(ValidationError, match="没有可用的审核账号"):
        _assign(reviewer_province, year, tree)
    _nothing_assigned()


def test_an_org_whose_account_is_enabled_again_is_accepted(tree, year, reviewer_province, xiamen):
    User.objects.filter(pk=xiamen.pk).update(is_active=False)
    assert selectors.unstaffed_refusal(tree["350200"]) == REFUSAL
    account_services.account_set_active(actor=reviewer_province, user_ids=[xiamen.pk], active=True)
    assert selectors.unstaffed_refusal(tree["350200"]) == ""
    assert _assign(reviewer_province, year, tree).target == tree["350200"]


def test_the_page_marks_the_target_and_refuses_it_at_the_field(client, tree, year, reviewer_province, xiamen):
    # Listed (an assigner looking for 厦门 finds it and sees why it cannot take the stage), marked, refused
    # at the 交叉审核机构 field with the remedy; as a source it is unmarked and may be chosen.
    User.objects.filter(pk=xiamen.pk).update(is_active=False)
    client.force_login(reviewer_province)
    page = client.get(reverse("backoffice:cross_review"))
    target = {str(pk): label for pk, label in page.context["form"].fields["target"].choices}
    source = {str(pk): label for pk, label in page.context["form"].fields["source"].choices}
    assert target[str(tree["350200"].pk)] == MARK and source[str(tree["350200"].pk)] == "厦门市卫生健康委员会"
    assert target[str(tree["350100"].pk)] == "福州市卫生健康委员会（无可用审核账号）"  # no account in the tree
    assert MARK in page.content.decode() and "交叉审核机构须有可用（已启用）的审核账号。" in page.content.decode()
    response = client.post(reverse("backoffice:cross_review"),
                           {"stage": Stage.SITE_REVIEW, "source": tree["350500"].pk, "target": tree["350200"].pk})
    assert response.status_code == 400
    assert response.context["form"].errors == {"target": [REFUSAL]}
    assert 'id="id_target_error"' in response.content.decode() and REFUSAL in response.content.decode()
    _nothing_assigned()
    # Enabled again, the same choice goes through.
    User.objects.filter(pk=xiamen.pk).update(is_active=True)
    page = client.get(reverse("backoffice:cross_review"))
    assert MARK not in page.content.decode()
    response = client.post(reverse("backoffice:cross_review"),
                           {"stage": Stage.SITE_REVIEW, "source": tree["350500"].pk, "target": tree["350200"].pk})
    assert response.status_code == 302
    assert CrossReviewAssignment.objects.get(active=True).target == tree["350200"]


# --- 禁用 of the target's last account and the assignment at the same moment (PostgreSQL) -------------


def test_an_assignment_holds_its_targets_last_account_against_its_disabling(
        postgres_only, transactional_db, tree, year, reviewer_province, xiamen, monkeypatch):
    # The assignment pauses after its checks, 厦门's row locked; the 禁用 meanwhile waits for it, then counts
    # the assignment and refuses.
    checked, go_on = paused_after(monkeypatch, selectors, "decided_above")
    outcomes = {}
    assigning = started(outcomes, "assigned", partial(_assign, reviewer_province, year, tree))
    assert checked.wait(10)
    disabling = started(outcomes, "disabled", partial(_disable, reviewer_province, xiamen))
    disabling.join(1)
    assert disabling.is_alive(), outcomes  # waiting for 厦门's row the assignment holds
    go_on.set()
    assigning.join(10)
    disabling.join(10)
    assert isinstance(outcomes["assigned"], CrossReviewAssignment), outcomes["assigned"]
    assert isinstance(outcomes["disabled"], ValidationError), outcomes["disabled"]
    assert "交叉审核机构" in outcomes["disabled"].messages[0]
    assert User.objects.get(pk=xiamen.pk).is_active


def test_an_assignment_to_an_org_whose_last_account_is_being_disabled_waits_and_is_refused(
        postgres_only, transactional_db, tree, year, reviewer_province, xiamen, monkeypatch):
    # The 禁用 pauses after its write, 厦门's row locked; the assignment meanwhile waits, then sees no account.
    written, go_on = paused_after(monkeypatch, account_services, "record")
    outcomes = {}
    disabling = started(outcomes, "disabled", partial(_disable, reviewer_province, xiamen))
    assert written.wait(10)
    assigning = started(outcomes, "assigned", partial(_assign, reviewer_province, year, tree))
    assigning.join(1)
    assert assigning.is_alive(), outcomes  # waiting for 厦门's row the 禁用 holds
    go_on.set()
    disabling.join(10)
    assigning.join(10)
    assert outcomes["disabled"] == 1
    assert isinstance(outcomes["assigned"], ValidationError), outcomes["assigned"]
    assert outcomes["assigned"].messages == [REFUSAL]
    assert not CrossReviewAssignment.objects.exists()


def test_at_the_same_moment_exactly_one_of_the_two_is_refused(postgres_only, transactional_db, tree, year,
                                                               reviewer_province, xiamen):
    assign, disable = partial(_assign, reviewer_province, year, tree), partial(_disable, reviewer_province, xiamen)
    for round_ in range(6):  # each of the two started first in turn
        if round_ % 2:
            disabled, assigned = map(done, outcomes := race(disable, assign))
        else:
            assigned, disabled = map(done, outcomes := race(assign, disable))
        assert assigned != disabled, outcomes  # never both done, never both refused
        stored = CrossReviewAssignment.objects.filter(active=True).exists()
        assert (stored, User.objects.get(pk=xiamen.pk).is_active) == (assigned, not disabled)
        # The next round starts from a clean slate: the account active, nothing assigned.
        CrossReviewAssignment.objects.all().delete()
        User.objects.filter(pk=xiamen.pk).update(is_active=True)
