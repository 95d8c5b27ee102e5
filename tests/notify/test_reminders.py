"""The yearly limit of reminders: one count for 提醒考生 and 国网名单核对, by account and ID number."""

import pytest

from prereg.notify.models import Reminder, ReminderKind, RosterReminder
from prereg.notify.reminders import REMINDERS_PER_YEAR, reminder_counts
from tests.factories import ApplicationFactory, ExamYearFactory


@pytest.fixture
def sent_twice(sysadmin):
    """One reminder about his application and one of 国网名单核对 to his ID number."""
    application = ApplicationFactory()
    reviewer = sysadmin
    Reminder.objects.create(candidate=application.candidate, exam_year=application.exam_year,
                            application=application, kind=ReminderKind.DRAFT, sent_by=reviewer)
    RosterReminder.objects.create(exam_year=application.exam_year, id_number=application.id_number,
                                  sent_by=reviewer)
    return application


def test_a_candidate_is_counted_by_his_account_and_his_id_number(sent_twice):
    person = (sent_twice.id_number, sent_twice.candidate_id)
    assert reminder_counts(sent_twice.exam_year, [person]) == {person: REMINDERS_PER_YEAR}


def test_an_empty_id_number_counts_the_account_only_and_no_account_the_id_number_only(sent_twice):
    by_account, by_number = ("", sent_twice.candidate_id), (sent_twice.id_number, None)
    assert reminder_counts(sent_twice.exam_year, [by_account, by_number]) == {by_account: 1, by_number: 1}


def test_the_reminders_of_another_year_do_not_count(sent_twice):
    person = (sent_twice.id_number, sent_twice.candidate_id)
    other_year = ExamYearFactory(year=sent_twice.exam_year.year + 1, is_current=False)
    assert reminder_counts(other_year, [person]) == {person: 0}


def test_the_moved_models_keep_the_tables_of_exports_and_reconcile():
    # Moved by SeparateDatabaseAndState: a renamed table would leave the rows of past years behind.
    assert Reminder._meta.db_table == "exports_reminder"
    assert RosterReminder._meta.db_table == "reconcile_rosterreminder"
