"""Account edits and org-tree imports under real races (PostgreSQL, threads released by a barrier):
of two acts made from the same page, one is done and the other refused; nothing done is undone."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from prereg.accounts import services as account_services
from prereg.accounts.models import User
from prereg.audit.models import AuditEvent
from prereg.orgs import importer
from prereg.orgs.models import Org
from tests.applications.test_one_writer_races import done, race
from tests.factories import in_words

from .test_import import row, sheet

ROUNDS = 10
pytestmark = pytest.mark.django_db(transaction=True)


def test_two_edits_of_one_account_from_the_same_page_one_lands(postgres_only, reviewer_anxi_bureau, reviewer_quanzhou):
    account = reviewer_anxi_bureau
    User.objects.filter(pk=account.pk).update(phone="13800001234")  # unchanged below: no SMS code needed
    for n in range(ROUNDS):
        version = User.objects.get(pk=account.pk).version

        def own(n=n, version=version):
            return account_services.account_update(actor=User.objects.get(pk=account.pk), user_id=account.pk,
                                                   expected_version=version, name=f"本人{in_words(n)}", phone="13800001234",
                                                   title="科长", department="医政科")

        def superior(n=n, version=version):
            return account_services.account_update(actor=reviewer_quanzhou, user_id=account.pk,
                                                   expected_version=version, name=f"上级{in_words(n)}", phone="13800001234")

        first, second = race(own, superior)
        assert [done(first), done(second)].count(True) == 1, (first, second)
        refused = second if done(first) else first
        assert isinstance(refused, ValidationError) and "已被修改" in refused.messages[0]
        stored = User.objects.get(pk=account.pk)
        assert stored.version == version + 1
        assert stored.name == (f"本人{in_words(n)}" if done(first) else f"上级{in_words(n)}")  # the one told it is done
    assert AuditEvent.objects.filter(event__in=["account.update", "account.profile_update"]).count() == ROUNDS


def test_two_imports_from_the_same_preview_one_applies(postgres_only, reviewer_province, tree):
    for n in range(ROUNDS):
        sheets = [sheet(row(f"3502119{n}", f"集美区第{n}医院", "350211")),
                  sheet(row(f"3502129{n}", f"海沧区第{n}医院", "350212"))]
        previews = [importer.plan_import(actor=reviewer_province, filename="a.csv", content=c) for c in sheets]

        def apply(i, sheets=sheets, previews=previews):
            return importer.org_import(actor=reviewer_province, filename="a.csv", content=sheets[i],
                                       expected_version=previews[i].version, expected_digest=previews[i].digest)

        first, second = race(lambda: apply(0), lambda: apply(1))
        applied = [result.ok for result in (first, second)]
        assert applied.count(True) == 1, (first, second)
        refused = second if first.ok else first
        assert "预览之后组织机构已被修改" in refused.errors[0]
        assert Org.objects.filter(code=f"3502119{n}").exists() == first.ok
        assert Org.objects.filter(code=f"3502129{n}").exists() == second.ok


def test_an_import_and_a_decision_in_its_scope_at_once_both_land(postgres_only, monkeypatch, reviewer_province,
                                                                 reviewer_anxi_hospital, tree):
    """Race probe: the import locked its scope FOR UPDATE, so a decision's commit (its review log's org key, checked
    at commit) waited for the import while holding the audit log's lock the import's own entry then waited for:
    PostgreSQL cancelled one of the two (503 系统繁忙). The scope is locked as every org writer locks it (no key)."""
    from prereg.audit.log import record
    from tests.applications.test_one_writer_races import paused_after, started
    from tests.factories import UserFactory

    reached, go_on = paused_after(monkeypatch, importer, "plan_import")  # the scope locked, the plan made
    outcomes = {}
    content = sheet(row("35052499", "安溪县第九医院", "350524"))
    threads = [started(outcomes, "import", lambda: importer.org_import(
        actor=reviewer_province, filename="orgs.csv", content=content))]
    assert reached.wait(10)

    def decision():  # as a decision writes: its audit entry first, then a row naming an org of the scope
        with transaction.atomic():
            record("account.create", actor=reviewer_anxi_hospital, details={})
            return UserFactory(org=tree["35052401"])

    threads.append(started(outcomes, "decision", decision))
    threading.Event().wait(1)  # the decision is at its commit, or (locked FOR UPDATE) waiting there
    go_on.set()
    for thread in threads:
        thread.join(20)
    assert done(outcomes["decision"]), outcomes["decision"]
    assert done(outcomes["import"]) and outcomes["import"].ok, outcomes["import"]
    assert Org.objects.filter(code="35052499").exists()
