"""A reviewer's correction that gives an ID number or a phone says whether another person holds it (it must:
a correction may not give a number someone else holds). Security probe F1/F3: 修改填报信息, 用户管理 修改 and
更正手机号码 answered "is this number registered?" for any number, unaudited and unlimited. Now the question
is asked only of a correction that would otherwise be saved, a refusal as taken is audited, and each
reviewer's corrections of a number are counted ("number_lookup", per day)."""

import datetime
import json

import pytest
from django.urls import reverse

from prereg.accounts import services as account_services
from prereg.accounts.backends import PHONE_TAKEN_MESSAGE
from prereg.applications import candidates as candidate_services
from prereg.applications import services
from prereg.applications.models import Application
from prereg.audit.details import details_text
from prereg.audit.models import AuditEvent, Outcome
from prereg.core import ratelimit
from prereg.demo.people import make_id_number
from tests.factories import ApplicationFactory, CandidateFactory, submitted

TAKEN_ID = services.ID_NUMBER_TAKEN_MESSAGE
FREE_ID = make_id_number("350524", datetime.date(1988, 6, 6), 123)  # no account, no application
STAFF_TAKEN = "该手机号码已被其他账号使用"
TAKEN_PHONE = "15005000705"


@pytest.fixture
def small_limit(settings):
    settings.RATE_LIMITS = {**getattr(settings, "RATE_LIMITS", {}), "number_lookup": (2, 86400)}


@pytest.fixture
def service_not_reached(monkeypatch):
    def replace(module, name):
        def refuse(**kwargs):
            raise AssertionError(f"{name} reached over the limit")

        monkeypatch.setattr(module, name, refuse)

    return replace


def denied(event):
    return AuditEvent.objects.filter(event=event, outcome=Outcome.DENIED)


def assert_masked(entry, number, label):
    stored = json.dumps(entry.details, ensure_ascii=False)
    assert number not in stored and number[-4:] in stored and "#hmac:" in stored
    assert label in details_text(entry)  # as the log page reads it


# --- 修改填报信息 (review_edit) -------------------------------------------------------------------


@pytest.fixture
def li_na(tree, year, reviewer_anxi_hospital):
    return submitted(tree, year, name="李娜")


@pytest.fixture
def lin_feng(tree, year, reviewer_anxi_hospital):
    return submitted(tree, year, name="林峰")


def post_edit(client, application, **fields):
    application.refresh_from_db()
    return client.post(reverse("backoffice:review_edit", args=[application.pk]),
                       {"version": application.version, **fields})


def id_number_error(response):
    return {row["key"]: row for row in response.context["rows"]}["id_number"]


def test_a_refused_correction_does_not_tell_whether_the_number_is_taken(client, li_na, lin_feng,
                                                                         reviewer_anxi_hospital):
    # The probe's case: 姓名 left empty so the save fails whatever the number.
    client.force_login(reviewer_anxi_hospital)
    response = post_edit(client, li_na, id_number=lin_feng.id_number, name="")
    body = response.content.decode()
    assert response.status_code == 400 and "请填写“姓名”" in body
    assert TAKEN_ID not in body and not id_number_error(response)["error"]
    assert not denied("application.edit.id_number_taken").exists()


def test_a_correction_to_a_taken_id_number_is_refused_and_audited(client, li_na, lin_feng, reviewer_anxi_hospital):
    client.force_login(reviewer_anxi_hospital)
    response = post_edit(client, li_na, id_number=lin_feng.id_number)
    assert response.status_code == 400 and id_number_error(response)["error"] == TAKEN_ID
    entry = denied("application.edit.id_number_taken").get()
    assert (entry.actor, entry.object_type, entry.object_id) == (reviewer_anxi_hospital, "applications.Application",
                                                                 str(li_na.pk))
    assert_masked(entry, lin_feng.id_number, "新值：")
    assert Application.objects.get(pk=li_na.pk).id_number == li_na.id_number


def test_over_the_limit_a_correction_of_the_id_number_is_refused_before_the_service(
        client, li_na, lin_feng, reviewer_anxi_hospital, small_limit, service_not_reached):
    client.force_login(reviewer_anxi_hospital)
    for _ in range(2):
        assert id_number_error(post_edit(client, li_na, id_number=lin_feng.id_number))["error"] == TAKEN_ID
    # The limit counts numbers only: a correction that leaves the number is still saved.
    assert post_edit(client, li_na, postcode="362400").status_code == 302
    service_not_reached(services, "application_edit")
    response = post_edit(client, li_na, id_number=FREE_ID)
    row = id_number_error(response)
    assert response.status_code == 400 and (row["value"], row["error"]) == (FREE_ID, ratelimit.MESSAGE)
    assert Application.objects.get(pk=li_na.pk).id_number == li_na.id_number


def test_a_correction_to_a_free_id_number_is_saved(client, li_na, reviewer_anxi_hospital):
    client.force_login(reviewer_anxi_hospital)
    assert post_edit(client, li_na, id_number=FREE_ID).status_code == 302
    assert Application.objects.get(pk=li_na.pk).id_number == FREE_ID
    assert not denied("application.edit.id_number_taken").exists()


# --- 用户管理 修改 (account_edit) -----------------------------------------------------------------


@pytest.fixture
def phone_holder(db):
    return CandidateFactory(phone=TAKEN_PHONE)


def post_account(client, account, **fields):
    account.refresh_from_db()
    return client.post(reverse("backoffice:accounts_edit", args=[account.pk]),
                       {"name": account.name, "phone": account.phone, "version": account.version, **fields})


def test_an_account_correction_refused_at_the_name_does_not_tell_whether_the_phone_is_taken(
        client, phone_holder, reviewer_quanzhou, reviewer_anxi_bureau):
    client.force_login(reviewer_quanzhou)
    response = post_account(client, reviewer_anxi_bureau, name="", phone=TAKEN_PHONE)
    assert response.status_code == 400 and STAFF_TAKEN not in response.content.decode()
    assert not denied("account.update.phone_taken").exists()


def test_an_account_correction_to_a_taken_phone_is_refused_and_audited(client, phone_holder, reviewer_quanzhou,
                                                                       reviewer_anxi_bureau):
    client.force_login(reviewer_quanzhou)
    response = post_account(client, reviewer_anxi_bureau, phone=TAKEN_PHONE)
    assert response.status_code == 400 and STAFF_TAKEN in response.content.decode()
    entry = denied("account.update.phone_taken").get()
    assert (entry.actor, entry.object_type, entry.object_id) == (reviewer_quanzhou, "accounts.User",
                                                                 str(reviewer_anxi_bureau.pk))
    assert_masked(entry, TAKEN_PHONE, "手机号码：")


def test_over_the_limit_an_account_phone_correction_is_refused_before_the_service(
        client, phone_holder, reviewer_quanzhou, reviewer_anxi_bureau, small_limit, service_not_reached):
    client.force_login(reviewer_quanzhou)
    for _ in range(2):
        assert STAFF_TAKEN in post_account(client, reviewer_anxi_bureau, phone=TAKEN_PHONE).content.decode()
    assert post_account(client, reviewer_anxi_bureau, name="陈新").status_code == 302  # the name alone: not counted
    service_not_reached(account_services, "account_update")
    response = post_account(client, reviewer_anxi_bureau, phone="13800001111")
    assert response.status_code == 400
    assert response.context["form"].errors["phone"] == [ratelimit.MESSAGE]
    assert 'value="13800001111"' in response.content.decode()


def test_an_account_correction_to_a_free_phone_is_saved(client, reviewer_quanzhou, reviewer_anxi_bureau):
    client.force_login(reviewer_quanzhou)
    assert post_account(client, reviewer_anxi_bureau, phone="13800001111").status_code == 302
    reviewer_anxi_bureau.refresh_from_db()
    assert reviewer_anxi_bureau.phone == "13800001111"


# --- 考生信息管理 更正手机号码 (candidate_phone) --------------------------------------------------
# One field: a correction refused elsewhere cannot carry the question (an unusable number is refused
# before it is asked, by valid_phone).


@pytest.fixture
def chen_jing(tree, year):
    candidate = CandidateFactory(name="陈静", phone="15005000407")
    ApplicationFactory(candidate=candidate, exam_year=year, unit=tree["35012205"], unit_review_org=tree["35012205"],
                       point_org=tree["350122"], site_org=tree["350100"], district_org=tree["350000"])
    return candidate


def post_phone(client, candidate, phone):
    return client.post(reverse("backoffice:candidate_phone", args=[candidate.pk]), {"phone": phone})


def test_a_candidate_phone_correction_to_a_taken_number_is_refused_and_audited(client, chen_jing, phone_holder,
                                                                               reviewer_fuzhou):
    client.force_login(reviewer_fuzhou)
    response = post_phone(client, chen_jing, TAKEN_PHONE)
    assert response.context["form"].errors["phone"] == [PHONE_TAKEN_MESSAGE]
    entry = denied("account.candidate_phone_change.phone_taken").get()
    assert (entry.actor, entry.object_type, entry.object_id) == (reviewer_fuzhou, "accounts.User", str(chen_jing.pk))
    assert_masked(entry, TAKEN_PHONE, "手机号码：")
    chen_jing.refresh_from_db()
    assert chen_jing.phone == "15005000407"


def test_over_the_limit_a_candidate_phone_correction_is_refused_before_the_service(
        client, chen_jing, phone_holder, reviewer_fuzhou, small_limit, service_not_reached):
    client.force_login(reviewer_fuzhou)
    for _ in range(2):
        assert post_phone(client, chen_jing, TAKEN_PHONE).context["form"].errors["phone"] == [PHONE_TAKEN_MESSAGE]
    service_not_reached(candidate_services, "candidate_change_phone")
    response = post_phone(client, chen_jing, "13800009999")
    assert response.context["form"].errors["phone"] == [ratelimit.MESSAGE]
    assert 'value="13800009999"' in response.content.decode()
    chen_jing.refresh_from_db()
    assert chen_jing.phone == "15005000407"


def test_a_candidate_phone_correction_to_a_free_number_is_saved(client, chen_jing, reviewer_fuzhou):
    client.force_login(reviewer_fuzhou)
    assert post_phone(client, chen_jing, "13800009999").status_code == 302
    chen_jing.refresh_from_db()
    assert chen_jing.phone == "13800009999"
    assert not denied("account.candidate_phone_change.phone_taken").exists()


def test_each_reviewer_has_his_own_count(client, li_na, lin_feng, chen_jing, reviewer_anxi_hospital,
                                         reviewer_fuzhou, small_limit):
    client.force_login(reviewer_anxi_hospital)
    for _ in range(3):
        post_edit(client, li_na, id_number=lin_feng.id_number)
    client.force_login(reviewer_fuzhou)
    assert post_phone(client, chen_jing, "13800009999").status_code == 302
