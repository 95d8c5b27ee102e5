"""The background recompute of 资格初审 verdicts never overwrites a verdict a save just refreshed (PostgreSQL)."""

import datetime
import threading

import pytest
from django.db import connection, transaction

from prereg.applications import eligibility, services
from prereg.applications.models import Application

from .test_eligibility_verdicts import nurse_application

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_save_holding_the_row_wins_over_the_recompute_that_read_before_it(postgres_only, year, tree, candidate):
    application = nurse_application(candidate, year, tree, since=datetime.date(2010, 5, 1))
    # A stale stored verdict, so the recompute has something to write.
    Application.objects.filter(pk=application.pk).update(verdict="needs_check", verdict_text="")
    short = datetime.date(year.cutoff_date.year - 1, 5, 1)  # the candidate corrects it: 1 year, not enough
    locked, finished = threading.Event(), threading.Event()

    def save():
        try:
            with transaction.atomic():
                services.application_section_save(actor=candidate, application_id=application.pk, section="declaration",
                                                   values={"current_qualification_date": short})
                locked.set()
                finished.wait(0.5)  # the recompute starts while the save's transaction still holds the row
        finally:
            connection.close()

    def recompute():
        try:
            locked.wait()
            eligibility.recompute(year, eligibility.rules_for(year), Application.objects.filter(pk=application.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=save), threading.Thread(target=recompute)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    application = Application.objects.get(pk=application.pk)
    assert application.current_qualification_date == short
    assert application.verdict == "not_eligible" == eligibility.verdict_of(application).result
