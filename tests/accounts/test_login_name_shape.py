"""A reviewer's login name is never shaped like a phone or an ID number, and one given before that
rule does not shadow the sign-in of the person whose number it is (QA probe M1)."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from prereg.accounts import services
from prereg.accounts.backends import SHARED_PHONE_MESSAGE, axes_username, find_account
from prereg.accounts.models import Role, User
from prereg.accounts.validators import SHAPED_LIKE_PERSON_MESSAGE, clean_staff_login_name
from prereg.catalog import staff_import
from prereg.demo.people import STAFF
from tests.factories import TEST_PASSWORD, CandidateFactory, UserFactory

PHONE = "15005000411"  # 吴芳's, in the probe
REVIEWER_PHONE = "13800000021"  # reviewer 35052401's, in the probe


def login(client, identifier, password=TEST_PASSWORD):
    return client.post(reverse("accounts:login"), {"username": identifier, "password": password})


def signed_in_as(client):
    return client.session.get("_auth_user_id")


# --- The rule ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    PHONE, REVIEWER_PHONE,
    "10000000000",                  # a range not yet opened is a phone all the same
    "150-0500-0411", "+8615005000411", "8615005000411", "１５００５０００４１１",  # as the login reads a phone
    "350102199001010012", "35010219900101001x", "35010219900101001X",  # 18: the last may be x/X
    "350102900101001",              # 15, the old form
])
def test_a_login_name_shaped_like_a_phone_or_an_id_number_is_refused(name):
    with pytest.raises(ValidationError) as refused:
        clean_staff_login_name(name)
    assert refused.value.messages == [SHAPED_LIKE_PERSON_MESSAGE]


@pytest.mark.parametrize("name", [
    "35052401", "350000", "35012205-2", "gulou-9", "r35052401", "admin",
    "35052401001",                  # org code and number: 11 digits, but no phone begins with 3
    "1500500041", "150050004111",   # one digit short or over
    "3501021990010100123",          # 19 digits
])
def test_org_codes_and_other_login_names_stay_valid(name):
    assert clean_staff_login_name(name) == name


def test_every_demo_account_name_keeps_to_the_rule():
    for username, *_ in STAFF:
        clean_staff_login_name(username)


# --- 新增账号 and the staff import refuse it --------------------------------------------------------


def test_account_create_refuses_a_phone_as_login_name_at_its_field(reviewer_province, tree):
    with pytest.raises(ValidationError) as refused:
        services.account_create(actor=reviewer_province, org=tree["35052401"], role=Role.UNIT, username=PHONE)
    assert refused.value.message_dict == {"username": [SHAPED_LIKE_PERSON_MESSAGE]}
    assert not User.objects.filter(username=PHONE).exists()


def test_the_add_page_says_why_at_the_login_name_and_the_candidate_still_signs_in(client, reviewer_province, tree):
    wu_fang = CandidateFactory(name="吴芳", phone=PHONE)
    client.force_login(reviewer_province)
    response = client.post(reverse("backoffice:accounts_add"), {
        "org": tree["35052401"].pk, "role": Role.UNIT, "username": PHONE, "name": "张三"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {"username": [SHAPED_LIKE_PERSON_MESSAGE]}
    assert SHAPED_LIKE_PERSON_MESSAGE in response.content.decode()
    assert not User.objects.filter(username=PHONE).exists()
    client.logout()
    assert login(client, PHONE).status_code == 302 and signed_in_as(client) == str(wu_fang.pk)


def test_the_add_page_says_the_login_name_error_with_the_others_at_once(client, reviewer_province):
    client.force_login(reviewer_province)
    response = client.post(reverse("backoffice:accounts_add"), {"role": Role.UNIT, "username": REVIEWER_PHONE})
    errors = response.context["form"].errors
    assert errors["username"] == [SHAPED_LIKE_PERSON_MESSAGE] and "org" in errors


def sheet(*rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(staff_import.COLUMNS)
    writer.writerows([username, "", "", org, role, "", ""] for username, org, role in rows)
    return out.getvalue().encode("utf-8")


def test_the_staff_import_refuses_phone_and_id_number_login_names(reviewer_province, year):
    count = User.objects.count()
    result = staff_import.staff_import(actor=reviewer_province, filename="a.csv", content=sheet(
        ("35052401c", "35052401", "单位"),
        (REVIEWER_PHONE, "35052401", "单位"),
        ("35010219900101001x", "350102", "报名点"),
    ))
    assert not result.ok and User.objects.count() == count
    assert result.errors == [f"第3行（{REVIEWER_PHONE}）：{SHAPED_LIKE_PERSON_MESSAGE}",
                             f"第4行（35010219900101001x）：{SHAPED_LIKE_PERSON_MESSAGE}"]


def test_a_candidates_id_number_in_the_staff_import_is_refused_by_its_shape(reviewer_province, year):
    """Not as 登录名已被其他账号使用, which would tell that the ID number has an account."""
    candidate = CandidateFactory()
    result = staff_import.plan_staff_import(actor=reviewer_province, filename="a.csv", content=sheet(
        (candidate.username, "350102", "报名点")))
    assert result.errors == [f"第2行（{candidate.username}）：{SHAPED_LIKE_PERSON_MESSAGE}"]


def test_a_legacy_login_name_imports_back_unchanged(reviewer_province, tree, year):
    UserFactory(username=REVIEWER_PHONE, role=Role.UNIT, org=tree["35052401"], phone="")
    result = staff_import.plan_staff_import(actor=reviewer_province, filename="a.csv", content=sheet(
        (REVIEWER_PHONE, "35052401", "单位")))
    assert result.ok and result.unchanged == 1 and not result.creates


# --- A login name given before the rule shadows no one ---------------------------------------------


def test_a_candidates_phone_signs_her_in_though_an_account_is_named_by_it(client, tree):
    wu_fang = CandidateFactory(name="吴芳", phone=PHONE)
    legacy = UserFactory(username=PHONE, role=Role.UNIT, org=tree["35052401"], phone="13900009999")
    assert login(client, PHONE).status_code == 302 and signed_in_as(client) == str(wu_fang.pk)
    assert find_account(PHONE) == wu_fang and find_account("150 0500 0411") == wu_fang
    # The account named by her phone signs in by its own phone until it is renamed.
    client.logout()
    assert login(client, legacy.phone).status_code == 302 and signed_in_as(client) == str(legacy.pk)


def test_a_reviewers_phone_signs_him_in_though_an_account_is_named_by_it(client, reviewer_anxi_hospital, tree):
    reviewer_anxi_hospital.phone = REVIEWER_PHONE
    reviewer_anxi_hospital.save()
    UserFactory(username=REVIEWER_PHONE, role=Role.UNIT, org=tree["35052401"], phone="13900009998")
    assert login(client, REVIEWER_PHONE).status_code == 302
    assert signed_in_as(client) == str(reviewer_anxi_hospital.pk)


def test_failures_by_phone_count_against_the_phones_holder_and_recovery_reaches_her(rf, tree):
    wu_fang = CandidateFactory(name="吴芳", phone=PHONE)
    UserFactory(username=PHONE, role=Role.UNIT, org=tree["35052401"], phone="13900009997")
    request = rf.post("/", {"username": PHONE})
    assert axes_username(request, {"username": PHONE}) == wu_fang.username
    assert services.password_recovery_start(identifier=PHONE)["user"] == wu_fang.pk


def test_a_phone_shaped_login_name_nobody_holds_as_phone_still_signs_in(client, tree):
    legacy = UserFactory(username="13900000077", role=Role.UNIT, org=tree["35052401"], phone="13900009996")
    assert login(client, "13900000077").status_code == 302 and signed_in_as(client) == str(legacy.pk)


def test_a_shared_phone_named_as_a_login_name_still_tells_its_holders_to_use_their_names(client, tree):
    CandidateFactory(phone=PHONE)
    UserFactory(username="35052401x", role=Role.UNIT, org=tree["35052401"], phone=PHONE)
    UserFactory(username=PHONE, role=Role.UNIT, org=tree["35052401"], phone="13900009995")
    assert find_account(PHONE) is None
    response = login(client, PHONE)
    assert response.status_code == 200 and SHARED_PHONE_MESSAGE in response.content.decode()


def test_an_id_number_signs_its_candidate_in_though_an_account_is_named_like_it(client, tree):
    candidate = CandidateFactory(id_number="52030219891209794X", username="52030219891209794X", phone="15005000404")
    UserFactory(username="52030219891209794x", role=Role.UNIT, org=tree["35052401"], phone="13900009994")
    assert login(client, "52030219891209794x").status_code == 302 and signed_in_as(client) == str(candidate.pk)
