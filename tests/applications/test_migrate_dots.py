"""Migration applications 0014: names stored before the 间隔号 rule get it (core.validators.normalize_middle_dots),
an application's and an account's, so the search box and the lists find and show them as names typed now."""

import importlib

import pytest
from django.apps import apps as current_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from prereg.accounts.models import User
from prereg.applications.models import Application, Stage, State
from prereg.core.validators import normalize_middle_dots
from tests.factories import CandidateFactory, UserFactory, make_application

migration = importlib.import_module("prereg.applications.migrations.0014_names_one_middle_dot")

STORED = {  # as stored before the rule -> after the migration
    "阿依古丽•买买提": "阿依古丽·买买提",
    "阿依古丽.买买提": "阿依古丽·买买提",
    "热依拉 ・ 艾山": "热依拉·艾山",
    "买买提‧吐尔逊．阿不都": "买买提·吐尔逊·阿不都",
    "阿依 · 古丽": "阿依·古丽",
    "王小明": "王小明",
    "阿依古丽·买买提": "阿依古丽·买买提",
    "张三.": "张三.",  # not between two parts: no 间隔号, left as it is
    "李四.2": "李四.2",
}


def run_migration():
    migration.one_middle_dot(current_apps, None)


@pytest.fixture
def stored(tree, year):
    return [make_application(tree, year, "35052401", State.IN_REVIEW, Stage.SITE_REVIEW, name=name,
                             candidate=CandidateFactory(name=name)) for name in STORED]


def test_stored_names_get_one_middle_dot_between_their_parts(stored, monkeypatch):
    monkeypatch.setattr(migration, "BATCH", 2)  # several batches, as on 100k rows
    reviewer = UserFactory(name="玛依拉•阿不力孜")
    run_migration()
    assert sorted(Application.objects.values_list("name", flat=True)) == sorted(STORED.values())
    assert sorted(User.objects.filter(pk__in=[a.candidate_id for a in stored]).values_list("name", flat=True)) == \
        sorted(STORED.values())
    reviewer.refresh_from_db()
    assert reviewer.name == "玛依拉·阿不力孜"


def test_a_migrated_name_is_what_the_rule_stores_now(stored):
    run_migration()
    for name in Application.objects.values_list("name", flat=True):
        if not name.endswith(".") and not any(ch.isdigit() for ch in name):
            assert normalize_middle_dots(name) == name


def test_the_migration_changes_nothing_else(stored):
    before = {a.pk: (a.version, a.updated_at, a.address) for a in Application.objects.all()}
    run_migration()
    after = {a.pk: (a.version, a.updated_at, a.address) for a in Application.objects.all()}
    assert after == before


@pytest.mark.django_db(transaction=True)
def test_the_migration_is_undone_as_nothing_and_done_again():
    UserFactory(name="阿依古丽•买买提")
    executor = MigrationExecutor(connection)
    executor.migrate([("applications", "0013_forward_log_stage")])  # backwards: a no-op
    assert User.objects.filter(name="阿依古丽•买买提").exists()
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # every app as the other tests expect it
    assert User.objects.filter(name="阿依古丽·买买提").exists()
