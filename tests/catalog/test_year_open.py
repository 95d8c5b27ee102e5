import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from prereg.accounts.models import PasswordHistory
from prereg.audit.models import AuditEvent
from prereg.catalog import importers, services
from prereg.catalog.models import ExamYear, PasswordSheet, Specialty
from tests.factories import TEST_PASSWORD, windows


@pytest.fixture
def reviewers(reviewer_province, reviewer_fuzhou, reviewer_quanzhou, reviewer_anxi_bureau, reviewer_anxi_hospital):
    return {"province": reviewer_province, "fuzhou": reviewer_fuzhou, "quanzhou": reviewer_quanzhou,
            "anxi_bureau": reviewer_anxi_bureau, "anxi_hospital": reviewer_anxi_hospital}


def open_next(actor, year):
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
    dates = windows(year.year + 1)
    dates["form_closes"] = dates["form_opens"].replace(day=1)
    with pytest.raises(ValidationError) as excinfo:
        services.exam_year_open(actor=reviewers["province"], year=year.year + 1, **dates)
    assert "form_closes" in excinfo.value.error_dict
    assert ExamYear.objects.count() == 1


def test_when_the_sysadmin_opens_the_year_he_hands_the_district_its_passwords(year, reviewers, sysadmin):
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
