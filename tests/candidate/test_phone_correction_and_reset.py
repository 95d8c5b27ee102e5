"""更正手机号码 and 重置密码 of one candidate: the one-time password goes to the number in force."""

import pytest
from django.urls import reverse

from prereg.accounts.models import User
from prereg.applications import candidates
from prereg.notify.models import SmsMessage
from tests.applications.test_one_writer_races import done, second_waits
from tests.factories import ApplicationFactory, CandidateFactory

OLD, NEW = "15005000501", "15005000502"


@pytest.fixture
def candidate(tree, year):
    candidate = CandidateFactory(phone=OLD)
    ApplicationFactory(candidate=candidate, exam_year=year, unit=tree["35012205"], unit_review_org=tree["35012205"],
                       point_org=tree["350122"], site_org=tree["350100"], district_org=tree["350000"])
    return candidate


def _reset_texts():
    return list(SmsMessage.objects.filter(purpose="password_reset").order_by("pk").values_list("phone", flat=True))


@pytest.mark.django_db(transaction=True)
def test_a_reset_during_a_phone_correction_texts_the_new_number(postgres_only, monkeypatch, candidate,
                                                                reviewer_fuzhou):
    outcomes = second_waits(
        monkeypatch, candidates, "phone_taken",
        ("correction", lambda: candidates.candidate_change_phone(actor=reviewer_fuzhou, candidate=candidate,
                                                                 phone=NEW)),
        ("reset", lambda: candidates.candidate_reset_password(actor=reviewer_fuzhou, candidate=candidate)))
    assert done(outcomes["correction"]) and done(outcomes["reset"]), outcomes
    assert _reset_texts() == [NEW]
    assert User.objects.get(pk=candidate.pk).has_usable_password()


@pytest.mark.django_db
def test_a_correction_voids_a_one_time_password_texted_to_the_old_number(client, candidate, reviewer_fuzhou):
    candidates.candidate_reset_password(actor=reviewer_fuzhou, candidate=candidate)
    assert _reset_texts() == [OLD]
    client.force_login(reviewer_fuzhou)
    response = client.post(reverse("backoffice:candidate_phone", args=[candidate.pk]), {"phone": NEW}, follow=True)
    assert "此前发往原号码的一次性密码已作废" in response.content.decode()
    candidate.refresh_from_db()
    assert candidate.phone == NEW and not candidate.has_usable_password()
    candidates.candidate_reset_password(actor=reviewer_fuzhou, candidate=candidate)
    candidate.refresh_from_db()
    assert _reset_texts() == [OLD, NEW] and candidate.has_usable_password()


@pytest.mark.django_db
def test_a_correction_keeps_a_password_the_candidate_chose(client, candidate, reviewer_fuzhou):
    candidate.set_password("Chosen-Pass-2026")
    candidate.save()
    voided = candidates.candidate_change_phone(actor=reviewer_fuzhou, candidate=candidate, phone=NEW)
    candidate.refresh_from_db()
    assert not voided and candidate.check_password("Chosen-Pass-2026")
