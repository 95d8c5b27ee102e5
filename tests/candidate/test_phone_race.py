"""Two candidates taking one number at the same moment: one gets it, the other is refused at the field."""

import threading

import pytest
from django.core.exceptions import ValidationError

from prereg.accounts.backends import PHONE_TAKEN_MESSAGE
from prereg.accounts.models import Role, User
from prereg.applications import candidates
from tests.applications.test_one_writer_races import paused_after, started
from tests.factories import ApplicationFactory, CandidateFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _applied(tree, year, phone):
    candidate = CandidateFactory(phone=phone)
    ApplicationFactory(candidate=candidate, exam_year=year, unit=tree["35012205"], unit_review_org=tree["35012205"],
                       point_org=tree["350122"], site_org=tree["350100"], district_org=tree["350000"])
    return candidate


def test_two_corrections_to_one_number_at_once_give_it_to_one_candidate(
        postgres_only, monkeypatch, tree, year, reviewer_fuzhou):
    first, second = _applied(tree, year, "15005000401"), _applied(tree, year, "15005000402")
    reached, go_on = paused_after(monkeypatch, candidates, "phone_taken")  # past the number's check
    outcomes = {}
    threads = [started(outcomes, "first", lambda: candidates.candidate_change_phone(
        actor=reviewer_fuzhou, candidate=first, phone="13700000009"))]
    assert reached.wait(10)
    threads.append(started(outcomes, "second", lambda: candidates.candidate_change_phone(
        actor=reviewer_fuzhou, candidate=second, phone="13700000009")))
    threading.Event().wait(1)  # the second is at its check, or (without the number's lock) past it
    go_on.set()
    for thread in threads:
        thread.join(20)
    assert outcomes["first"] is False  # done, no one-time password to void
    refused = outcomes["second"]
    assert isinstance(refused, ValidationError), refused
    assert refused.message_dict == {"phone": [PHONE_TAKEN_MESSAGE]}
    assert User.objects.filter(phone="13700000009", role=Role.CANDIDATE).count() == 1
