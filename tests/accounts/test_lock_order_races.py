"""Acts that lock several accounts take them in one order (PostgreSQL for the races): higher rank first
(User.objects.in_lock_order), accounts before the numbers they are given. A reviewer's act holds his own
account, then the lower one it acts on; a superior's act on both took the lower (older) row first, and
each waited for the other until PostgreSQL cancelled one of them (race probe: deadlock detected)."""

import threading
from functools import partial

import pytest
from django.core.exceptions import ValidationError

from prereg.accounts import services as account_services
from prereg.accounts.models import Role, User
from prereg.applications.selectors import needed_counts
from prereg.catalog import services as catalog_services
from prereg.catalog import staff_import
from prereg.orgs import services as org_services
from tests.accounts.test_staff_import import account, sheet
from tests.applications.test_one_writer_races import started
from tests.catalog.test_year_open import end_year
from tests.factories import OrgFactory, UserFactory, windows

pytestmark = pytest.mark.django_db(transaction=True)


def paused(monkeypatch, module, name, *, when, before=False):
    """module.name stops (before or after it runs) the first time `when(*args, **kwargs)` holds, until
    the test lets it go on: (reached, go_on)."""
    reached, go_on = threading.Event(), threading.Event()
    original = getattr(module, name)

    def pausing(*args, **kwargs):
        hit = not reached.is_set() and when(*args, **kwargs)
        if hit and before:
            reached.set()
            go_on.wait(10)
        result = original(*args, **kwargs)
        if hit and not before:
            reached.set()
            go_on.wait(10)
        return result

    monkeypatch.setattr(module, name, pausing)
    return reached, go_on


def one_then_other(reached, go_on, first, second) -> dict:
    """`first` run until it pauses (holding its locks), `second` started meanwhile, then both to their end."""
    outcomes = {}
    threads = [started(outcomes, "first", first)]
    assert reached.wait(10), outcomes
    threads.append(started(outcomes, "second", second))
    threads[1].join(1)
    go_on.set()
    for thread in threads:
        thread.join(30)
    return outcomes


@pytest.fixture
def site_and_older_unit(tree):
    """A unit's account created before its 考点's: the lower pk, taken first by a lock in pk order."""
    unit = UserFactory(username="lianjiang-unit", role=Role.UNIT, org=tree["35012205"])
    site = UserFactory(username="fuzhou-site", role=Role.SITE, org=tree["350100"])
    return site, unit


def test_a_superiors_disable_of_a_site_and_its_unit_waits_for_the_sites_reset_of_the_unit(
        postgres_only, reviewer_province, site_and_older_unit, monkeypatch):
    site, unit = site_and_older_unit
    reached, go_on = paused(monkeypatch, account_services, "actor_held", when=lambda actor: actor.pk == site.pk)
    outcomes = one_then_other(
        reached, go_on,
        partial(account_services.account_reset_password, actor=site, user=User.objects.get(pk=unit.pk)),
        partial(account_services.account_set_active, actor=reviewer_province, user_ids=[site.pk, unit.pk],
                active=False, waiting=needed_counts, assigned=org_services.assigned_counts))
    assert isinstance(outcomes["first"], str) and outcomes["second"] == 2, outcomes
    assert not User.objects.filter(pk__in=[site.pk, unit.pk], is_active=True).exists()


def test_a_staff_import_of_a_site_and_its_unit_waits_for_the_sites_reset_of_the_unit(
        postgres_only, year, reviewer_province, site_and_older_unit, monkeypatch):
    site, unit = site_and_older_unit
    content = sheet(account(unit.username, "35012205", "单位", "林甲"), account(site.username, "350100", "考点", "林乙"))
    reached, go_on = paused(monkeypatch, account_services, "actor_held", when=lambda actor: actor.pk == site.pk)
    outcomes = one_then_other(
        reached, go_on,
        partial(account_services.account_reset_password, actor=site, user=User.objects.get(pk=unit.pk)),
        partial(staff_import.staff_import, actor=reviewer_province, filename="staff.csv", content=content))
    assert isinstance(outcomes["first"], str), outcomes
    assert not isinstance(outcomes["second"], Exception) and not outcomes["second"].errors, outcomes
    assert User.objects.get(pk=unit.pk).name == "林甲"


@pytest.mark.parametrize("first", ["import", "update"])
def test_a_staff_import_and_a_superiors_edit_giving_one_account_one_number_take_turns(
        postgres_only, tree, year, reviewer_province, reviewer_fuzhou, monkeypatch, first):
    """The import took the number before the account and the edit the account before the number."""
    unit = UserFactory(username="lianjiang-unit", role=Role.UNIT, org=tree["35012205"], phone="13900000001")
    number = "13700000001"
    importing = partial(staff_import.staff_import, actor=reviewer_province, filename="staff.csv",
                        content=sheet(account(unit.username, "35012205", "单位", "林甲", number)))
    editing = partial(account_services.account_update, actor=reviewer_fuzhou, user_id=unit.pk,
                      expected_version=unit.version, name=unit.name or "林乙", phone=number)
    module = staff_import if first == "import" else account_services
    reached, go_on = paused(monkeypatch, module, "phone_held", when=lambda *args, **kwargs: kwargs.get("lock"),
                            before=first == "update")
    outcomes = one_then_other(reached, go_on, *((importing, editing) if first == "import" else (editing, importing)))
    done = {name: outcome for name, outcome in outcomes.items() if not isinstance(outcome, Exception)}
    refused = {name: outcome for name, outcome in outcomes.items() if isinstance(outcome, Exception)}
    # The first is done; the second waited for it, and is done or told the account changed meanwhile.
    assert "first" in done and all(isinstance(error, ValidationError) for error in refused.values()), outcomes
    assert User.objects.get(pk=unit.pk).phone == number


def test_opening_the_year_waits_for_a_points_reset_of_a_unit_whose_code_sorts_first(
        postgres_only, tree, year, reviewer_province, monkeypatch):
    """开启新年度 reset every reviewer in org-code order: a unit coded below its 报名点 came first."""
    org = OrgFactory(parent=tree["350524"], code="10000001", name="安溪县代码较小的医院", is_unit=True)
    unit = UserFactory(username="zz-unit", role=Role.UNIT, org=org)
    point = UserFactory(username="anxi-point", role=Role.POINT, org=tree["350524"])
    end_year(year)
    reached, go_on = paused(monkeypatch, account_services, "actor_held", when=lambda actor: actor.pk == point.pk)
    outcomes = one_then_other(
        reached, go_on,
        partial(account_services.account_reset_password, actor=point, user=User.objects.get(pk=unit.pk)),
        partial(catalog_services.exam_year_open, actor=reviewer_province, year=year.year + 1,
                **windows(year.year + 1)))
    assert isinstance(outcomes["first"], str), outcomes
    assert not isinstance(outcomes["second"], Exception), outcomes
    assert User.objects.get(pk=unit.pk).must_change_password
