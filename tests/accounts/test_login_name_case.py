"""A staff login name is one name whatever the case of its letters: ADMIN beside admin was a second account
a person could not tell from the first when typing one. A new name differing only in case from a staff
account's is refused at the 登录名 field (新增账号, the staff import), a unique index on the lowered name
refuses it when two arrive at once, and the login takes ADMIN for admin. Candidates (whose login name is
their ID number) are not held to it."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from prereg.accounts import services
from prereg.accounts.backends import axes_username, find_account
from prereg.accounts.models import Role, User
from prereg.accounts.validators import CASE_VARIANT_MESSAGE, clean_staff_login_name, refuse_case_variant
from prereg.catalog import staff_import
from tests.accounts.test_staff_import import account, sheet
from tests.applications.test_one_writer_races import paused_after, started
from tests.factories import TEST_PASSWORD, CandidateFactory, UserFactory


@pytest.fixture
def gulou(tree):
    return UserFactory(username="gulou-9", role=Role.POINT, org=tree["350102"])


@pytest.mark.parametrize("typed", ["GULOU-9", "Gulou-9", "gULOU-9"])
def test_a_name_differing_only_in_case_from_a_staff_accounts_is_refused(gulou, typed):
    assert clean_staff_login_name(typed) == typed  # the shape's rule, which asks no account
    with pytest.raises(ValidationError) as refused:
        refuse_case_variant(typed)
    assert refused.value.messages == [CASE_VARIANT_MESSAGE] and refused.value.code == "case_variant"


def test_the_name_itself_and_other_names_pass(gulou):
    # The name itself taken is the caller's to say (该登录名已被使用), or an import row updating that account.
    refuse_case_variant("gulou-9")
    refuse_case_variant("GULOU-10")


def test_a_candidates_login_name_is_not_counted(db):
    CandidateFactory(username="E12345678", id_number="E12345678")
    refuse_case_variant("e12345678")


def test_account_create_refuses_it_at_the_field(gulou, reviewer_province, tree):
    with pytest.raises(ValidationError) as refused:
        services.account_create(actor=reviewer_province, org=tree["350102"], role=Role.POINT, username="GULOU-9")
    assert refused.value.message_dict == {"username": [CASE_VARIANT_MESSAGE]}
    assert not User.objects.filter(username="GULOU-9").exists()


def test_the_page_says_it_at_the_login_name_and_keeps_what_was_typed(client, gulou, reviewer_province, tree):
    client.force_login(reviewer_province)
    response = client.post(reverse("backoffice:accounts_add"), {
        "org": tree["350102"].pk, "role": Role.POINT, "username": "GULOU-9", "name": "张三"})
    assert response.status_code == 200
    assert response.context["form"].errors["username"] == [CASE_VARIANT_MESSAGE]
    html = response.content.decode()
    assert 'value="GULOU-9"' in html and 'value="张三"' in html
    assert not User.objects.filter(username="GULOU-9").exists()


def test_the_import_refuses_the_row(gulou, reviewer_province, year):
    year.is_current = True
    year.save()
    plan = staff_import.plan_staff_import(actor=reviewer_province, filename="a.csv", content=sheet(
        account("GULOU-9", "350102", "报名点", "李明")))
    assert plan.errors == [f"第2行（GULOU-9）：{CASE_VARIANT_MESSAGE.rstrip('。')}。"]


def test_the_import_refuses_two_rows_of_one_name_in_two_cases(reviewer_province, year):
    plan = staff_import.plan_staff_import(actor=reviewer_province, filename="a.csv", content=sheet(
        account("gulou-10", "350102", "报名点", "李明"), account("GULOU-10", "350102", "报名点", "王明")))
    assert plan.errors == ["第3行（GULOU-10）：登录名与第2行重复。"]


def test_the_database_holds_one_staff_name_per_lowered_name_and_leaves_candidates_be(gulou, tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="Gulou-9", role=Role.POINT, org=tree["350102"])
    CandidateFactory(username="GULOU-9")  # not a staff account: the index does not cover it


def test_the_login_takes_another_case_of_a_staff_name(client, gulou):
    assert find_account("GULOU-9") == gulou and find_account("Gulou-9") == gulou
    response = client.post(reverse("accounts:login"), {"username": "GULOU-9", "password": TEST_PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(gulou.pk)


def test_failures_in_another_case_count_against_the_one_account(rf, gulou):
    assert axes_username(rf.post("/"), {"username": "GULOU-9"}) == "gulou-9"


def test_an_exact_name_wins_and_an_unknown_one_names_no_one(gulou, tree):
    other = CandidateFactory(username="GULOU-9")  # a candidate's own exact login name (not a real ID, for the test)
    assert find_account("GULOU-9") == other
    assert find_account("gulou-9") == gulou
    assert find_account("GULOU-99") is None


@pytest.mark.django_db(transaction=True)
def test_two_creations_of_one_name_in_two_cases_at_once_leave_one_and_refuse_the_other_at_the_field(
        postgres_only, monkeypatch, tree, reviewer_province):
    # The first pauses past every check (the name's rule among them); the second creates GULOU-9 meanwhile.
    reached, go_on = paused_after(monkeypatch, services, "clean_person_name")
    outcomes = {}
    first = started(outcomes, "first", lambda: services.account_create(
        actor=reviewer_province, org=tree["350102"], role=Role.POINT, username="gulou-9", name="林一"))
    assert reached.wait(10)
    services.account_create(actor=reviewer_province, org=tree["350102"], role=Role.POINT, username="GULOU-9")
    go_on.set()
    first.join(10)
    refused = outcomes["first"]
    assert isinstance(refused, ValidationError), refused
    assert refused.message_dict == {"username": [CASE_VARIANT_MESSAGE]}
    assert list(User.objects.filter(username__iexact="gulou-9").values_list("username", flat=True)) == ["GULOU-9"]
