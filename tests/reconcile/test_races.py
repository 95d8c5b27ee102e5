"""Two reviewers of one 考点 acting at once (PostgreSQL): the limit of reminders holds, one roster is in force."""


import pytest

from prereg.accounts.models import Role
from prereg.notify.models import Reminder
from prereg.reconcile import services
from prereg.reconcile.models import RosterRow, RosterUpload, UploadStatus
from tests.concurrency import at_once
from tests.exports.test_reminders import a_day_later
from tests.factories import UserFactory
from tests.reconcile.helpers import HEADER_2020, csv_bytes, every_kind, upload_and_import


@pytest.mark.django_db(transaction=True)
def test_two_reminders_at_once_to_someone_with_one_left_send_one(postgres_only, tree, year, reviewer_quanzhou):
    colleague = UserFactory(role=Role.SITE, org=reviewer_quanzhou.org)
    apps, rows = every_kind(tree, year)
    upload = upload_and_import(reviewer_quanzhou, csv_bytes(HEADER_2020, rows)).upload
    row = RosterRow.objects.get(upload=upload, name="吴草")  # a draft of a unit in scope: the one kind reminded
    services.roster_remind(actor=reviewer_quanzhou, kind="national", keys=[row.pk])
    a_day_later()  # one a day at most: the second of the year is due
    outcomes = at_once(*(lambda who=who: services.roster_remind(actor=who, kind="national", keys=[row.pk])
                          for who in (reviewer_quanzhou, colleague)))
    assert sorted(o["sent"] for o in outcomes) == [0, 1]
    assert Reminder.objects.filter(application=apps["draft"]).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_imports_at_once_leave_one_roster_in_force(postgres_only, tree, year, reviewer_quanzhou):
    colleague = UserFactory(role=Role.SITE, org=reviewer_quanzhou.org)
    _apps, rows = every_kind(tree, year)
    content = csv_bytes(HEADER_2020, rows)
    outcomes = at_once(lambda: upload_and_import(reviewer_quanzhou, content),
                        lambda: upload_and_import(colleague, content))
    assert any(getattr(o, "ok", False) for o in outcomes), outcomes
    in_force = RosterUpload.objects.filter(org=reviewer_quanzhou.org, status=UploadStatus.DONE)
    assert in_force.count() == 1
    assert RosterRow.objects.count() == RosterRow.objects.filter(upload=in_force.get()).count() == 8
