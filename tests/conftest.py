"""Standing fixtures: the demo org tree of design section 2, a year, and one user per role.

Names follow the tree: `reviewer_anxi_hospital` (单位), `reviewer_anxi_bureau` (报名点),
`reviewer_quanzhou` (考点), `reviewer_province` (考区), and `outsider_*` in another city.
"""

import os
import shutil
import signal
import tempfile

import pytest
from django.db import connection

from prereg.accounts.models import Role
from prereg.catalog.loaders import load_national, load_year_catalogue
from prereg.demo.orgs import seed_orgs

from .factories import CandidateFactory, ExamYearFactory, UserFactory


def pytest_collection_modifyitems(config, items):
    """`browser` tests skip without chromium (CI installs it); tests that need PostgreSQL take the
    `postgres_only` fixture below, which skips them on SQLite (CI runs them on PostgreSQL)."""
    has_chromium = bool(shutil.which("chromium") or os.environ.get("CHROMIUM_PATH"))
    for item in items:
        if "browser" in item.keywords and not has_chromium:
            item.add_marker(pytest.mark.skip(reason="browser test: Debian's chromium is not installed here"))


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path, monkeypatch):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    # Each test its own temporary directory: an export's sweep of leftovers (exports.runner.remove_leftovers,
    # by job id) in one test worker must not take a running job's directory of another worker's database.
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    settings.CACHES = {alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": alias}
                       for alias in ("default", "fragments")}
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                                  "QUEUES": ["default", "exports"]}}
    from django.core.cache import caches

    from prereg.accounts.permissions import invalidate_cache

    for alias in settings.CACHES:
        caches[alias].clear()
    invalidate_cache()  # the per-process copy of the permission overrides


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run `make test-pg` (CI does)")


@pytest.fixture
def tree(db):
    load_national()
    return seed_orgs()


@pytest.fixture
def year(db):
    year = ExamYearFactory()
    load_year_catalogue(year)
    return year


def _reviewer(tree, code, role, **extra):
    return UserFactory(username=f"r{code}", role=role, org=tree[code], **extra)


@pytest.fixture
def reviewer_province(tree):
    return _reviewer(tree, "350000", Role.DISTRICT)


@pytest.fixture
def reviewer_fuzhou(tree):
    return _reviewer(tree, "350100", Role.SITE)


@pytest.fixture
def reviewer_quanzhou(tree):
    return _reviewer(tree, "350500", Role.SITE)


@pytest.fixture
def reviewer_anxi_bureau(tree):
    return _reviewer(tree, "350524", Role.POINT)


@pytest.fixture
def reviewer_gulou_bureau(tree):
    return _reviewer(tree, "350102", Role.POINT)


@pytest.fixture
def reviewer_anxi_hospital(tree):
    return _reviewer(tree, "35052401", Role.UNIT)


@pytest.fixture
def reviewer_lianjiang_hospital(tree):
    return _reviewer(tree, "35012205", Role.UNIT)


@pytest.fixture
def sysadmin(db):
    return UserFactory(username="sysadmin", role=Role.SYSADMIN)


@pytest.fixture
def auditor(db):
    return UserFactory(username="auditor", role=Role.AUDITOR)


@pytest.fixture
def candidate(db):
    return CandidateFactory()


# --- PII scan (security helper, issue 7) ---------------------------------------------------
# Every response the test client gets is searched for a full ID number (tests/security/pii.py).
from tests.security.pii import pii_scan  # noqa: E402,F401


@pytest.fixture
def keep_signal_handlers():
    """The worker installs its SIGINT/SIGTERM handlers: give pytest its own back."""
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)
