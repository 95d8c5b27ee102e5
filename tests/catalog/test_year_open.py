import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from prereg.accounts.models import PasswordHistory
from prereg.applications.models import State
from prereg.audit.models import AuditEvent
from prereg.catalog import importers, services
from prereg.catalog.models import ExamProject, ExamYear, PasswordSheet, Specialty
from prereg.catalog.timeline import day_text
from prereg.orgs.stages import Stage
from tests.factories import TEST_PASSWORD, ApplicationFactory, windows


def end_year(year, last=None):
    """Every date of `year` past, the confirmation deadline (its latest) on `last` (yesterday by
    default): as a year stands when the next one is opened."""
    last = last or timezone.localdate() - datetime.timedelta(days=1)
    days = datetime.timedelta
    ExamYear.objects.filter(pk=year.pk).update(
        form_opens=last - days(31), form_closes=last - days(3), national_opens=last - days(23),
        national_closes=last - days(3), confirm_deadline=last)
    year.refresh_from_db()
    return year


@pytest.fixture
def reviewers(reviewer_province, reviewer_fuzhou, reviewer_quanzhou, reviewer_anxi_bureau, reviewer_anxi_hospital):
    return {"province": reviewer_province, "fuzhou": reviewer_fuzhou, "quanzhou": reviewer_quanzhou,
            "anxi_bureau": reviewer_anxi_bureau, "anxi_hospital": reviewer_anxi_hospital}


def open_next(actor, year):
    end_year(year)
    return services.exam_year_open(actor=actor, year=year.year + 1, **windows(year.year + 1))


def test_opening_a_year_copies_the_catalogue_and_makes_it_current(year, reviewers):
    new = open_next(reviewers["province"], year)
    year.refresh_from_db()
    assert new.is_current and not year.is_current and ExamYear.current() == new
    assert new.name == f"{new.year}年度"
    assert list(new.projects.values_list("code", flat=True)) == ["CZJ"]
    old_rows = importers.catalogue_rows(year)
    assert importers.catalogue_rows(new) == old_rows
    # Copies, not shared rows: last year's entries stay last year's.
    assert not Specialty.objects.filter(exam_year=new).filter(
        pk__in=Specialty.objects.filter(exam_year=year).values("pk")).exists()
    assert AuditEvent.objects.filter(event="exam_year.open").exists()


def test_opening_resets_every_other_reviewer_to_a_one_time_password(year, reviewers):
    actor = reviewers["province"]
    open_next(actor, year)
    for key, user in reviewers.items():
        user.refresh_from_db()
        if key == "province":
            assert user.check_password(TEST_PASSWORD) and not user.must_change_password
            continue
        assert not user.check_password(TEST_PASSWORD), key
        assert user.must_change_password and not user.profile_completed
        assert PasswordHistory.objects.filter(user=user).exists()


def test_new_passwords_go_down_the_org_tree_and_are_shown_once(year, reviewers):
    open_next(reviewers["province"], year)
    sheets = {s.holder.code: s for s in PasswordSheet.objects.select_related("holder")}
    # The province holds the cities' passwords; 安溪 bureau holds its hospital's; Quanzhou the bureau's.
    assert set(sheets) == {"350000", "350500", "350524"}
    assert "TEST" not in sheets["350000"].ciphertext and sheets["350000"].count == 2

    hospital = reviewers["anxi_hospital"]
    bureau = reviewers["anxi_bureau"]
    entries = services.password_sheet_reveal(actor=bureau, sheet_id=sheets["350524"].pk)
    assert [e["username"] for e in entries] == [hospital.username]
    hospital.refresh_from_db()
    assert hospital.check_password(entries[0]["password"])
    sheet = PasswordSheet.objects.get(pk=sheets["350524"].pk)
    assert sheet.ciphertext == "" and sheet.revealed_by == bureau
    with pytest.raises(ValidationError, match="不能再次显示"):
        services.password_sheet_reveal(actor=bureau, sheet_id=sheet.pk)
    assert AuditEvent.objects.filter(event="password_sheet.reveal").count() == 1


def test_another_org_cannot_read_a_sheet(year, reviewers):
    open_next(reviewers["province"], year)
    sheet = PasswordSheet.objects.get(holder__code="350524")
    with pytest.raises(PermissionDenied):
        services.password_sheet_reveal(actor=reviewers["fuzhou"], sheet_id=sheet.pk)
    assert PasswordSheet.objects.get(pk=sheet.pk).ciphertext


def test_a_reset_reviewer_is_forced_through_the_password_change_at_login(client, year, reviewers):
    open_next(reviewers["province"], year)
    user = reviewers["quanzhou"]
    user.refresh_from_db()
    client.force_login(user)
    response = client.get(reverse("backoffice:dashboard"))
    assert response.status_code == 302 and response.url == reverse("accounts:first_login")


def test_only_the_district_opens_a_year_and_a_year_opens_once(year, reviewers, sysadmin):
    with pytest.raises(PermissionDenied):
        open_next(reviewers["quanzhou"], year)
    with pytest.raises(ValidationError, match="已存在"):
        services.exam_year_open(actor=sysadmin, year=year.year, **windows(year.year))
    assert ExamYear.objects.count() == 1


def test_dates_in_the_wrong_order_are_refused_at_the_field(year, reviewers):
    end_year(year)
    dates = windows(year.year + 1)
    dates["form_closes"] = dates["form_opens"].replace(day=1)
    with pytest.raises(ValidationError) as excinfo:
        services.exam_year_open(actor=reviewers["province"], year=year.year + 1, **dates)
    assert "form_closes" in excinfo.value.error_dict
    assert ExamYear.objects.count() == 1


def test_a_cut_off_outside_the_year_before_is_refused_at_the_field_when_a_year_opens(year, reviewers):
    """As when a year's dates are edited: the N年度 exam counts years to 31 December of N-1 (rules file §1.2)."""
    end_year(year)
    dates = windows(year.year + 1)
    dates["cutoff_date"] = datetime.date(year.year + 1, 12, 31)
    with pytest.raises(ValidationError) as excinfo:
        services.exam_year_open(actor=reviewers["province"], year=year.year + 1, **dates)
    assert "资格计算截止日期应在" in str(excinfo.value.error_dict["cutoff_date"])
    assert ExamYear.objects.count() == 1


def test_when_the_sysadmin_opens_the_year_he_hands_the_district_its_passwords(year, reviewers, sysadmin):
    end_year(year)
    services.exam_year_open(actor=sysadmin, year=year.year + 1, **windows(year.year + 1))
    province = reviewers["province"]
    province.refresh_from_db()
    assert province.must_change_password
    sheet = services.sheets_for(sysadmin).get()
    assert sheet.holder.code == "350000" and sheet.count == 3  # the province itself and its two cities
    entries = services.password_sheet_reveal(actor=sysadmin, sheet_id=sheet.pk)
    assert province.username in {e["username"] for e in entries}
    # Not a lower org's sheet.
    lower = PasswordSheet.objects.get(holder__code="350500")
    with pytest.raises(PermissionDenied):
        services.password_sheet_reveal(actor=sysadmin, sheet_id=lower.pk)


def test_opening_hashes_the_one_time_passwords_lightly_where_argon2id_is_the_hasher(settings, year, reviewers):
    """A province's ~2,000 reviewers are reset inside the request: the full Argon2id (~45 ms each)
    would take a minute and a half; the generated passwords are 70-bit random and replaced at first sign-in."""
    settings.PASSWORD_HASHERS = ["prereg.accounts.hashers.Argon2idPasswordHasher"]
    open_next(reviewers["province"], year)
    sheet = PasswordSheet.objects.get(holder__code="350524")
    hospital = reviewers["anxi_hospital"]
    entries = services.password_sheet_reveal(actor=reviewers["anxi_bureau"], sheet_id=sheet.pk)
    hospital.refresh_from_db()
    assert "m=1024,t=1,p=1" in hospital.password
    assert hospital.check_password(entries[0]["password"])
    hospital.refresh_from_db()
    assert "m=19456,t=2,p=1" in hospital.password  # upgraded at the first check (must_update)


def _refusal(actor, year) -> ValidationError:
    with pytest.raises(ValidationError) as excinfo:
        services.exam_year_open(actor=actor, year=year.year + 1, **windows(year.year + 1))
    return excinfo.value


def _nothing_changed(year, reviewers):
    year.refresh_from_db()
    assert year.is_current and ExamYear.current() == year and ExamYear.objects.count() == 1
    assert not AuditEvent.objects.filter(event="exam_year.open").exists() and not PasswordSheet.objects.exists()
    for user in reviewers.values():
        user.refresh_from_db()
        assert user.check_password(TEST_PASSWORD) and not user.must_change_password


def test_a_year_whose_windows_still_run_is_not_followed_and_the_refusal_names_its_latest_date(year, reviewers):
    last = year.confirm_deadline
    error = _refusal(reviewers["province"], year)
    assert error.message_dict == {"__all__": [
        f"{year.name}尚未结束：{year.name}的现场确认截止日期为{day_text(last)}，该日过后才能开启新年度"
        f"（开启后考生只能看到新年度，无法再修改、提交或打印{year.name}的报名信息）。"]}
    _nothing_changed(year, reviewers)


def test_the_latest_date_may_be_a_review_deadline_or_a_projects_own(year, reviewers):
    end_year(year)
    year.district_review_deadline = timezone.localdate() + datetime.timedelta(days=3)
    year.save()
    assert "的考区复核截止日期为" in _refusal(reviewers["province"], year).messages[0]
    later = timezone.localdate() + datetime.timedelta(days=20)
    ExamProject.objects.create(exam_year=year, code="GJ", name="高级卫生专业技术资格考试", order=1,
                               site_review_deadline=later)
    message = _refusal(reviewers["province"], year).messages[0]
    assert f"{year.name}·高级卫生专业技术资格考试的考点审核截止日期为{day_text(later)}" in message
    _nothing_changed(year, reviewers)


def test_the_last_day_itself_is_not_past_the_day_after_is(year, reviewers):
    end_year(year, last=timezone.localdate())
    assert "尚未结束" in _refusal(reviewers["province"], year).messages[0]
    end_year(year)
    assert open_next(reviewers["province"], year).is_current


def test_applications_still_in_review_are_counted_and_keep_the_year(year, reviewers):
    end_year(year)
    for stage in (Stage.UNIT_REVIEW, Stage.DISTRICT_RECHECK):
        ApplicationFactory(exam_year=year, state=State.IN_REVIEW, stage=stage)
    for state in (State.DRAFT, State.RETURNED, State.APPROVED):
        ApplicationFactory(exam_year=year, state=state)
    error = _refusal(reviewers["province"], year)
    assert error.messages == [f"{year.name}尚有2份报名信息在审核中，全部审核完毕（通过或退回）后才能开启新年度。"]
    _nothing_changed(year, reviewers)


def test_a_running_year_in_review_gets_both_reasons_and_the_typed_dates_their_own(year, reviewers):
    ApplicationFactory(exam_year=year, state=State.IN_REVIEW, stage=Stage.UNIT_REVIEW)
    # Confirmation closing before the form does: refused at its field (the dates within the year's range).
    dates = windows(year.year) | {"confirm_deadline": datetime.date(year.year - 1, 12, 20)}
    with pytest.raises(ValidationError) as excinfo:
        services.exam_year_open(actor=reviewers["province"], year=year.year, **dates)
    errors = excinfo.value.message_dict
    assert set(errors) == {"__all__", "year", "confirm_deadline"}
    assert "尚未结束" in errors["__all__"][0] and "尚有1份报名信息在审核中" in errors["__all__"][1]


@pytest.mark.django_db(transaction=True)
def test_two_opens_at_once_open_one_year(postgres_only, year, reviewers, sysadmin):
    from tests.concurrency import at_once

    end_year(year)
    outcomes = at_once(
        lambda: services.exam_year_open(actor=reviewers["province"], year=year.year + 1, **windows(year.year + 1)),
        lambda: services.exam_year_open(actor=sysadmin, year=year.year + 2, **windows(year.year + 2)))
    opened = [o for o in outcomes if isinstance(o, ExamYear)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(opened) == 1 and len(refused) == 1, outcomes
    assert "尚未结束" in refused[0].messages[0]
    assert list(ExamYear.objects.filter(is_current=True)) == opened
    assert ExamYear.objects.count() == 2
