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


# --- F5: a superior gives a staff account no number another active account holds ----------------------

TAKEN = "15005000705"


@pytest.fixture
def phone_holder(db):
    return CandidateFactory(phone=TAKEN)


def test_a_superior_cannot_give_a_subordinate_a_candidates_phone(client, phone_holder, reviewer_quanzhou,
                                                                 reviewer_anxi_bureau):
    from prereg.accounts.backends import find_account

    client.force_login(reviewer_quanzhou)
    response = client.post(reverse("backoffice:accounts_edit", args=[reviewer_anxi_bureau.pk]),
                           {"name": "陈新", "phone": TAKEN, "version": reviewer_anxi_bureau.version})
    html = response.content.decode()
    assert response.status_code == 400 and "该手机号码已被其他账号使用" in html
    assert html.index("该手机号码已被其他账号使用") > html.index('name="phone"') - 600  # at the field
    reviewer_anxi_bureau.refresh_from_db()
    assert reviewer_anxi_bureau.phone != TAKEN and reviewer_anxi_bureau.name != "陈新"
    assert find_account(TAKEN) == phone_holder  # the candidate still signs in and recovers by phone


def test_a_new_account_cannot_be_given_a_number_another_account_holds(phone_holder, reviewer_province, tree):
    from django.core.exceptions import ValidationError

    from prereg.accounts import services
    from prereg.accounts.models import Role, User

    with pytest.raises(ValidationError) as refused:
        services.account_create(actor=reviewer_province, org=tree["350200"], role=Role.SITE,
                                username="35020009", name="林二", phone=TAKEN)
    assert "该手机号码已被其他账号使用" in refused.value.message_dict["phone"][0]
    assert not User.objects.filter(username="35020009").exists()
    # A number nobody (active) holds is taken.
    phone_holder.is_active = False
    phone_holder.save()
    user, _password = services.account_create(actor=reviewer_province, org=tree["350200"], role=Role.SITE,
                                              username="35020009", name="林二", phone=TAKEN)
    assert user.phone == TAKEN


def test_the_staff_import_refuses_a_taken_number_and_one_given_twice(phone_holder, reviewer_province, year):
    from prereg.accounts.models import User
    from prereg.catalog import staff_import
    from tests.accounts.test_staff_import import account, sheet

    year.is_current = True
    year.save()
    count = User.objects.count()
    result = staff_import.staff_import(actor=reviewer_province, filename="a.csv", content=sheet(
        account("35020001", "350200", "考点", "洪雅", TAKEN),
        account("350203a", "350203", "报名点", "李明", "13900000077"),
        account("350203b", "350203", "报名点", "李亮", "13900000077")))
    assert any("第2行" in e and "该手机号码已被其他账号使用" in e for e in result.errors), result.errors
    assert any("第4行" in e and "手机号码与第3行重复" in e for e in result.errors), result.errors
    assert User.objects.count() == count


def test_a_number_taken_after_the_preview_fails_the_whole_import(monkeypatch, phone_holder, reviewer_province,
                                                                 year):
    from prereg.accounts.models import User
    from prereg.catalog import staff_import
    from tests.accounts.test_staff_import import account, sheet

    year.is_current = True
    year.save()
    content = sheet(account("35020001", "350200", "考点", "洪雅", "13900000078"))
    planned = staff_import.plan_staff_import

    def planned_then_taken(**kwargs):
        plan = planned(**kwargs)
        CandidateFactory(phone="13900000078")  # another account takes the number meanwhile
        return plan

    monkeypatch.setattr(staff_import, "plan_staff_import", planned_then_taken)
    result = staff_import.staff_import(actor=reviewer_province, filename="a.csv", content=content)
    assert result.errors and "第2行的手机号码刚被其他账号使用" in result.errors[0]
    assert not User.objects.filter(username="35020001").exists()


@pytest.mark.django_db(transaction=True)
def test_two_superiors_giving_one_number_at_once_give_it_once(postgres_only, monkeypatch, reviewer_quanzhou,
                                                              reviewer_anxi_bureau, reviewer_anxi_hospital):
    from django.core.exceptions import ValidationError

    from prereg.accounts import services
    from prereg.accounts.models import User
    from tests.applications.test_one_writer_races import done, second_waits

    number = "15005000709"
    outcomes = second_waits(
        monkeypatch, services, "phone_held",
        ("bureau", lambda: services.account_update(actor=reviewer_quanzhou, user_id=reviewer_anxi_bureau.pk,
                                                   expected_version=reviewer_anxi_bureau.version,
                                                   name=reviewer_anxi_bureau.name or "林一", phone=number)),
        ("hospital", lambda: services.account_update(actor=reviewer_quanzhou, user_id=reviewer_anxi_hospital.pk,
                                                     expected_version=reviewer_anxi_hospital.version,
                                                     name=reviewer_anxi_hospital.name or "林二", phone=number)))
    assert done(outcomes["bureau"]), outcomes
    assert isinstance(outcomes["hospital"], ValidationError), outcomes
    assert User.objects.filter(phone=number).count() == 1


# --- F2: 原密码 is a guess like a sign-in's: counted towards the lockout, audited, then refused -----------


NEW_PASSWORD = "Xinmima#2027q"


def _change(client, old, *, prefix="", url="accounts:password_change", **extra):
    return client.post(reverse(url), {f"{prefix}old_password": old, f"{prefix}new_password1": NEW_PASSWORD,
                                      f"{prefix}new_password2": NEW_PASSWORD, **extra})


def test_wrong_old_passwords_are_counted_audited_and_lock_the_account(client, settings, reviewer_anxi_bureau):
    from prereg.accounts import services
    from prereg.audit.models import AuditEvent, Outcome
    from tests.factories import TEST_PASSWORD

    user = reviewer_anxi_bureau
    client.force_login(user)
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _change(client, f"Wrong#{n}guess")
        assert response.status_code == 200 and "原密码错误" in response.content.decode()
    failures = AuditEvent.objects.filter(event="account.password_change", outcome=Outcome.FAILURE, actor_id=user.pk)
    assert failures.count() == settings.AXES_FAILURE_LIMIT - 1
    assert not services.login_locked(user.username)
    # The failure that reaches the limit locks the account and ends the session, as a lockout would.
    response = _change(client, "Wrong#lastguess")
    assert response.status_code == 403 and "已被锁定" in response.content.decode()
    assert services.login_locked(user.username)
    assert failures.count() == settings.AXES_FAILURE_LIMIT
    assert AuditEvent.objects.filter(event="auth.lockout", object_id=str(user.pk)).exists()
    assert client.get(reverse("accounts:password_change")).status_code == 302  # signed out
    # Signing in again with the right password is refused: the account is locked.
    assert client.post(reverse("accounts:login"), {"username": user.username,
                                                   "password": TEST_PASSWORD}).status_code == 403
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_a_locked_account_is_told_so_whatever_old_password_is_typed(client, reviewer_anxi_bureau):
    from tests.accounts.test_account_unlock import lock
    from tests.factories import TEST_PASSWORD

    user = reviewer_anxi_bureau
    client.force_login(user)  # signed in before (a sign-in clears the count)
    lock(client, user)  # then five failed sign-ins elsewhere
    for old in ("Wrong#guess1", TEST_PASSWORD):  # the right one is not told apart
        html = _change(client, old).content.decode()
        assert "该账号因连续多次密码错误已被锁定，暂不能修改密码" in html
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_the_right_old_password_still_changes_it(client, reviewer_anxi_bureau):
    from tests.factories import TEST_PASSWORD

    client.force_login(reviewer_anxi_bureau)
    assert _change(client, "Wrong#guess1").status_code == 200
    assert _change(client, TEST_PASSWORD).status_code == 302
    reviewer_anxi_bureau.refresh_from_db()
    assert reviewer_anxi_bureau.check_password(NEW_PASSWORD)


def test_the_first_logins_old_password_is_counted_likewise(client, settings, tree):
    from prereg.accounts import services
    from prereg.accounts.models import Role
    from prereg.audit.models import AuditEvent, Outcome
    from tests.factories import UserFactory

    newcomer = UserFactory(role=Role.POINT, org=tree["350122"], name="", phone="", profile_completed=False,
                           must_change_password=True)
    client.force_login(newcomer)
    profile = {"profile-name": "陈晓", "profile-title": "科员", "profile-department": "医政科", "profile-phone": "",
               "profile-version": newcomer.version}
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _change(client, f"Wrong#{n}guess", prefix="pw-", url="accounts:first_login", **profile)
        assert response.status_code == 400 and "原密码错误" in response.content.decode()
    response = _change(client, "Wrong#lastguess", prefix="pw-", url="accounts:first_login", **profile)
    assert response.status_code == 403 and "已被锁定" in response.content.decode()
    assert services.login_locked(newcomer.username)
    assert AuditEvent.objects.filter(event="account.password_change", outcome=Outcome.FAILURE,
                                     actor_id=newcomer.pk).count() == settings.AXES_FAILURE_LIMIT
    assert client.get(reverse("accounts:first_login")).status_code == 302  # signed out


# --- F4: a subordinate does not undo his superior's 禁用 of an account ------------------------------------


def _set_active(actor, user, active):
    from prereg.accounts import services

    return services.account_set_active(actor=actor, user_ids=[user.pk], active=active)


def test_an_account_the_district_disabled_is_enabled_by_the_district_only(client, reviewer_province, reviewer_fuzhou,
                                                                           reviewer_lianjiang_hospital):
    from django.core.exceptions import ValidationError

    from prereg.accounts.models import Role

    unit = reviewer_lianjiang_hospital
    assert _set_active(reviewer_province, unit, False) == 1
    unit.refresh_from_db()
    assert not unit.is_active and unit.disabled_by_role == Role.DISTRICT
    with pytest.raises(ValidationError) as refused:
        _set_active(reviewer_fuzhou, unit, True)
    assert "由上级（考区）禁用，须由考区或其上级启用" in refused.value.messages[0]
    # The list page says so when the 考点 ticks it and clicks 启用.
    client.force_login(reviewer_fuzhou)
    response = client.post(reverse("backoffice:accounts_toggle"), {"ids": [unit.pk], "action": "enable"}, follow=True)
    assert "由上级（考区）禁用，须由考区或其上级启用" in response.content.decode()
    unit.refresh_from_db()
    assert not unit.is_active
    # The 考区 enables it; what the 考点 disables afterwards the 考点 enables again.
    assert _set_active(reviewer_province, unit, True) == 1
    unit.refresh_from_db()
    assert unit.is_active and unit.disabled_by_role == ""
    _set_active(reviewer_fuzhou, unit, False)
    assert _set_active(reviewer_fuzhou, unit, True) == 1


def test_a_superiors_disable_of_an_account_already_disabled_below_holds_too(reviewer_province, reviewer_fuzhou,
                                                                             reviewer_lianjiang_hospital):
    from django.core.exceptions import ValidationError

    unit = reviewer_lianjiang_hospital
    _set_active(reviewer_fuzhou, unit, False)
    assert _set_active(reviewer_province, unit, False) == 0  # already disabled: nothing changes but who holds it
    with pytest.raises(ValidationError):
        _set_active(reviewer_fuzhou, unit, True)


@pytest.mark.django_db(transaction=True)
def test_old_passwords_sent_at_once_take_turns_and_none_is_checked_past_the_limit(postgres_only, monkeypatch,
                                                                                  settings, tree):
    import threading

    from django.test import Client

    from prereg.accounts.models import Role, User
    from prereg.audit.models import AuditEvent, Outcome
    from tests.accounts.test_login_burst import burst
    from tests.factories import TEST_PASSWORD, UserFactory

    burst_size = 6
    user = UserFactory(role=Role.POINT, org=tree["350122"])
    clients = [Client() for _ in range(burst_size)]
    for c in clients:
        c.force_login(user)  # (a sign-in clears the count: all of them before the failures)
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert "原密码错误" in _change(clients[0], f"Wrong#{n}guess").content.decode()

    checked, go, mutex = [], threading.Event(), threading.Lock()
    original = User.check_password

    def gated(self, raw):
        with mutex:
            checked.append(raw)
        go.wait(15)
        return original(self, raw)

    monkeypatch.setattr(User, "check_password", gated)
    outcomes = burst(lambda i, password: _change(clients[i], password),
                     [f"Wrong#burst{i}" for i in range(burst_size - 1)] + [TEST_PASSWORD], checked, go)
    monkeypatch.setattr(User, "check_password", original)

    assert not any(isinstance(outcome, Exception) for outcome in outcomes.values()), outcomes
    assert len(checked) == 1, checked  # one old password checked: the rest met the lock
    statuses = [outcomes[i].status_code for i in range(burst_size)]
    assert 302 not in statuses, statuses  # the right one, last, changed nothing
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)
    assert AuditEvent.objects.filter(event="account.password_change", outcome=Outcome.FAILURE).count() == \
        settings.AXES_FAILURE_LIMIT
    assert AuditEvent.objects.filter(event="account.password_change", outcome=Outcome.DENIED).count() == burst_size - 1
