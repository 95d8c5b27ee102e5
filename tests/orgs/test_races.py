"""Account edits and org-tree imports under real races (PostgreSQL, threads released by a barrier):
of two acts made from the same page, one is done and the other refused; nothing done is undone."""

import pytest
from django.core.exceptions import ValidationError

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
