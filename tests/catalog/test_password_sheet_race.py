"""Two hand-downs of one-time passwords to an org with no sheet yet this year: both lists end on one sheet."""

import json

import pytest
from django.db import transaction

from prereg.accounts.models import Role
from prereg.catalog import services
from prereg.catalog.models import PasswordSheet
from prereg.catalog.secretbox import open_sealed
from tests.applications.test_one_writer_races import paused_after, started
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def handed_down(year, user, password):
    with transaction.atomic():  # as its callers (the year's reset, the staff import) call it
        return services.hand_down(year, [(user, password)])


def test_a_second_hand_down_adds_to_the_sheet_the_first_is_writing(postgres_only, monkeypatch, tree, year):
    first, second = (UserFactory(username=name, role=Role.UNIT, org=tree["35012205"]) for name in ("u-first", "u-second"))
    sealed, go_on = paused_after(monkeypatch, services, "seal")  # the first has read the sheet, not yet written it
    outcomes = {}
    one = started(outcomes, "first", lambda: handed_down(year, first, "Pw#first1"))
    assert sealed.wait(10), outcomes
    sealed.clear()
    two = started(outcomes, "second", lambda: handed_down(year, second, "Pw#second2"))
    go_on.set()
    one.join(10)
    two.join(10)
    assert outcomes == {"first": 1, "second": 1}
    [sheet] = PasswordSheet.objects.filter(exam_year=year, holder=tree["35012205"].parent)
    entries = json.loads(open_sealed(sheet.ciphertext))
    assert sorted(entry["username"] for entry in entries) == ["u-first", "u-second"] and sheet.count == 2
