"""One candidate account per phone (phone-journey probe, finding 1), and the old number told of a
change the candidate made himself (finding 2)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from prereg.accounts.backends import PHONE_TAKEN_MESSAGE, SHARED_PHONE_MESSAGE
from prereg.accounts.models import Role, User
from prereg.applications.candidates import candidate_change_phone
from prereg.applications.carryover import start_application
from prereg.notify.models import SmsCode, SmsMessage
from tests.candidate.test_phone_change import NEW, basic, save, send, sent_code
from tests.candidate.test_signup import ID, PHONE, _signup_may_echo_the_typed_id, data  # noqa: F401
from tests.candidate.test_signup import send_code as signup_send_code
from tests.factories import TEST_PASSWORD, ApplicationFactory, CandidateFactory, UserFactory


@pytest.fixture
def app(client, year, tree, candidate):
    """The signed-in candidate's draft, its 手机号码 13800000000 (as test_phone_change's)."""
    client.force_login(candidate)
    application = start_application(candidate=candidate, exam_year=year)
    application.phone = "13800000000"
    application.save()
    return application


def test_a_number_another_candidate_holds_gets_no_code_and_says_so(client, app):
    CandidateFactory(phone=NEW)
    body = send(client).content.decode()
    assert PHONE_TAKEN_MESSAGE in body
    assert not SmsCode.objects.filter(phone=NEW).exists() and not SmsMessage.objects.filter(phone=NEW).exists()


def test_asking_of_many_numbers_whether_a_candidate_holds_them_counts_against_the_accounts_codes(
        client, app, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sms": (3, 3600)}
    for n in range(3):
        CandidateFactory(phone=f"1370000000{n}")
        assert PHONE_TAKEN_MESSAGE in send(client, f"1370000000{n}").content.decode()
    CandidateFactory(phone="13700000009")
    assert PHONE_TAKEN_MESSAGE not in send(client, "13700000009").content.decode()


def test_a_number_taken_after_its_code_was_sent_is_refused_at_the_phone_field(client, app, tree, candidate):
    send(client)
    CandidateFactory(phone=NEW)
    body = save(client, basic(tree, **{"basic-sms_code": sent_code(), "basic-address": "厦门市思明区某路1号"})
                ).content.decode()
    assert "已保存" not in body and PHONE_TAKEN_MESSAGE in body and '厦门市思明区某路1号</textarea>' in body
    app.refresh_from_db()
    candidate.refresh_from_db()
    assert app.phone == "13800000000" and candidate.phone != NEW


def test_the_save_asks_again_on_the_locked_row(client, app, tree, candidate, monkeypatch):
    """The form's check passed (the number was free), another candidate took it before the lock."""
    monkeypatch.setattr("prereg.candidate.forms.phone_taken", lambda phone, by_other_than: False)
    send(client)
    CandidateFactory(phone=NEW)
    body = save(client, basic(tree, **{"basic-sms_code": sent_code()})).content.decode()
    assert "已保存" not in body and PHONE_TAKEN_MESSAGE in body
    app.refresh_from_db()
    assert app.phone == "13800000000"
    assert User.objects.filter(phone=NEW).count() == 1


def test_a_reviewers_number_may_be_the_candidates_too(client, app, tree, candidate):
    """A unit reviewer who sits the exam has two accounts and one phone."""
    UserFactory(role=Role.UNIT, org=tree["35052401"], phone=NEW)
    send(client)
    assert "已保存" in save(client, basic(tree, **{"basic-sms_code": sent_code()})).content.decode()
    candidate.refresh_from_db()
    assert candidate.phone == NEW


def test_the_old_number_is_told_of_the_candidates_own_change(client, app, tree, candidate):
    old = candidate.phone
    send(client)
    save(client, basic(tree, **{"basic-sms_code": sent_code()}))
    told = SmsMessage.objects.get(phone=old, purpose="phone_changed")
    assert "139****1111" in told.text and "如非本人申请" in told.text and NEW not in told.text


def test_a_phone_two_accounts_hold_says_so_at_login_only_to_who_knows_a_password(client, tree):
    CandidateFactory(phone=NEW)
    UserFactory(role=Role.UNIT, org=tree["35052401"], phone=NEW, password="Other#Pass2026")
    url = reverse("accounts:login")
    wrong = client.post(url, {"username": NEW, "password": "Wrong#Pass2026"}).content.decode()
    assert SHARED_PHONE_MESSAGE not in wrong and "账号或密码错误" in wrong
    for password in (TEST_PASSWORD, "Other#Pass2026"):
        body = client.post(url, {"username": NEW, "password": password}).content.decode()
        assert SHARED_PHONE_MESSAGE in body and "账号或密码错误" not in body
        assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_sign_up_with_a_number_another_candidate_holds_is_refused_after_its_code_only(client):
    CandidateFactory(phone=PHONE)
    before = client.post(reverse("candidate:signup"), data(sms_code="000000")).content.decode()
    assert PHONE_TAKEN_MESSAGE not in before  # no code, nothing told about the number
    body = client.post(reverse("candidate:signup"), data(sms_code=signup_send_code(client))).content.decode()
    assert PHONE_TAKEN_MESSAGE in body and 'value="曹操"' in body
    assert not User.objects.filter(id_number=ID).exists()


def test_sign_up_with_a_reviewers_number_makes_the_account(client, tree):
    UserFactory(role=Role.UNIT, org=tree["35052401"], phone=PHONE)
    response = client.post(reverse("candidate:signup"), data(sms_code=signup_send_code(client)))
    assert response.status_code == 302 and User.objects.get(id_number=ID).phone == PHONE


def test_a_reviewers_correction_follows_the_same_rule(tree, year, reviewer_fuzhou):
    candidate = CandidateFactory(phone="15005000407")
    ApplicationFactory(candidate=candidate, exam_year=year, unit=tree["35012205"], unit_review_org=tree["35012205"],
                       point_org=tree["350122"], site_org=tree["350100"], district_org=tree["350000"])
    CandidateFactory(phone="13700000001")
    with pytest.raises(ValidationError) as refused:
        candidate_change_phone(actor=reviewer_fuzhou, candidate=candidate, phone="13700000001")
    assert refused.value.message_dict == {"phone": [PHONE_TAKEN_MESSAGE]}
    UserFactory(role=Role.UNIT, org=tree["35052401"], phone="13700000002")
    candidate_change_phone(actor=reviewer_fuzhou, candidate=candidate, phone="13700000002")
    candidate.refresh_from_db()
    assert candidate.phone == "13700000002"
    told = SmsMessage.objects.get(phone="15005000407", purpose="phone_changed")
    assert "已由" in told.text and "137****0002" in told.text
