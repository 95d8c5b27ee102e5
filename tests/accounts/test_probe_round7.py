"""Security probe round 7: the findings on accounts (F1, F2, F4, F5, F7)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from prereg.applications import candidates
from tests.factories import ApplicationFactory, CandidateFactory

pytestmark = pytest.mark.django_db

CANDIDATE_PHONE, SYSADMIN_PHONE = "15005000701", "15005000702"


# --- F1: the sysadmin does not correct a candidate's phone (no takeover by 更正手机号码 + 重置密码) ----------


@pytest.fixture
def candidate_in_fuzhou(tree, year):
    candidate = CandidateFactory(phone=CANDIDATE_PHONE)
    ApplicationFactory(candidate=candidate, exam_year=year, unit=tree["35012205"], unit_review_org=tree["35012205"],
                       point_org=tree["350122"], site_org=tree["350100"], district_org=tree["350000"])
    return candidate


def test_the_sysadmin_may_not_correct_a_candidates_phone(candidate_in_fuzhou, sysadmin):
    assert not candidates.may_correct_phone(sysadmin)
    with pytest.raises(PermissionDenied):
        candidates.candidate_change_phone(actor=sysadmin, candidate=candidate_in_fuzhou, phone=SYSADMIN_PHONE)
    candidate_in_fuzhou.refresh_from_db()
    assert candidate_in_fuzhou.phone == CANDIDATE_PHONE


def test_the_candidate_page_offers_the_sysadmin_no_phone_correction(client, candidate_in_fuzhou, sysadmin):
    client.force_login(sysadmin)
    html = client.get(reverse("backoffice:candidate_detail", args=[candidate_in_fuzhou.pk])).content.decode()
    assert reverse("backoffice:candidate_phone", args=[candidate_in_fuzhou.pk]) not in html
    assert "更正手机号码请考生持身份证件到报名点办理" in html
    response = client.post(reverse("backoffice:candidate_phone", args=[candidate_in_fuzhou.pk]),
                           {"phone": SYSADMIN_PHONE})
    assert response.status_code == 403
    candidate_in_fuzhou.refresh_from_db()
    assert candidate_in_fuzhou.phone == CANDIDATE_PHONE


def test_the_point_still_corrects_a_candidates_phone(client, candidate_in_fuzhou, reviewer_fuzhou):
    client.force_login(reviewer_fuzhou)
    html = client.get(reverse("backoffice:candidate_detail", args=[candidate_in_fuzhou.pk])).content.decode()
    assert reverse("backoffice:candidate_phone", args=[candidate_in_fuzhou.pk]) in html
    candidates.candidate_change_phone(actor=reviewer_fuzhou, candidate=candidate_in_fuzhou, phone=SYSADMIN_PHONE)
    candidate_in_fuzhou.refresh_from_db()
    assert candidate_in_fuzhou.phone == SYSADMIN_PHONE


# --- F7: 看不清，换一张 writes a row per request: limited per client address -------------------------------


def _refresh(client, address):
    return client.get(reverse("captcha-refresh"), HTTP_X_REQUESTED_WITH="XMLHttpRequest", REMOTE_ADDR=address)


def test_captcha_refreshes_are_limited_per_address(client, settings):
    from captcha.models import CaptchaStore

    settings.RATE_LIMITS = {**getattr(settings, "RATE_LIMITS", {}), "captcha_refresh": (3, 300)}
    for _ in range(3):
        response = _refresh(client, "10.0.0.7")
        assert response.status_code == 200 and response.json()["key"]
    rows = CaptchaStore.objects.count()
    refused = _refresh(client, "10.0.0.7")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert refused.json()["error"] == "操作过于频繁，请稍后再试。"
    assert CaptchaStore.objects.count() == rows  # no row written for a refused refresh
    assert _refresh(client, "10.0.0.8").status_code == 200  # another address has its own count


def test_a_person_refreshing_a_few_times_is_not_limited(client):
    keys = {_refresh(client, "10.0.0.9").json()["key"] for _ in range(20)}
    assert len(keys) == 20
