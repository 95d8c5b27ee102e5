"""An import's staged file goes once the import commits: a confirmation cut off before (a dropped
database connection, a 503) can be retried; one that committed cannot be repeated."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, transaction
from django.test import Client
from django.urls import reverse

from prereg.accounts.models import User
from prereg.catalog import staff_import
from prereg.orgs import importer, staging
from prereg.orgs.models import Org
from tests.accounts.test_staff_import import GOOD, sheet
from tests.orgs.test_import import IMPORT_SESSION_KEY, row
from tests.orgs.test_import import sheet as org_sheet

pytestmark = pytest.mark.django_db
KEY = "some_import"


def _staged(session) -> str:
    staging.keep(session, KEY, "a.csv", b"content", "d1")
    return f"{staging.PREFIX}/{session[KEY]['file']}"


def test_a_failed_import_transaction_leaves_the_file_for_a_retry(django_capture_on_commit_callbacks):
    session = {}
    path = _staged(session)
    saved = dict(session)  # a 5xx response does not save the session: the retry sees it as it was
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(OperationalError), transaction.atomic():
        _staged_, content = staging.take(session, KEY, "d1")
        assert content == b"content"
        raise OperationalError("terminating connection due to administrator command")
    assert default_storage.exists(path)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        assert staging.take(saved, KEY, "d1")[1] == b"content"
    assert not default_storage.exists(path)


def test_a_committed_import_removes_the_file_and_cannot_be_repeated(django_capture_on_commit_callbacks):
    session = {}
    path = _staged(session)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            assert staging.take(session, KEY, "d1")[1] == b"content"
        assert default_storage.exists(path)  # until the commit
    assert not default_storage.exists(path)
    assert staging.take(session, KEY, "d1") == (None, None)


def test_a_wrong_digest_releases_the_file_at_once():
    session = {}
    path = _staged(session)
    assert staging.take(session, KEY, "other") == (None, None)
    assert not default_storage.exists(path)


def test_an_account_import_cut_off_by_the_database_can_be_confirmed_again(reviewer_province, year, monkeypatch,
                                                                          django_capture_on_commit_callbacks):
    year.is_current = True
    year.save()
    client = Client(raise_request_exception=False)
    client.force_login(reviewer_province)
    client.post(reverse("backoffice:accounts_import"), {"file": SimpleUploadedFile("a.csv", sheet(*GOOD))})
    digest = client.session["staff_import"]["digest"]
    path = f"{staging.PREFIX}/{client.session['staff_import']['file']}"
    original = staff_import._apply

    def cut_off(*args, **kwargs):
        original(*args, **kwargs)
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(staff_import, "_apply", cut_off)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("backoffice:accounts_import_confirm"), {"digest": digest})
    assert response.status_code == 503 and not User.objects.filter(username="35020001").exists()
    assert default_storage.exists(path)
    monkeypatch.setattr(staff_import, "_apply", original)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("backoffice:accounts_import_confirm"), {"digest": digest})
    assert response.status_code == 302 and User.objects.filter(username__in=[r[0] for r in GOOD]).count() == 3
    assert not default_storage.exists(path)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("backoffice:accounts_import_confirm"), {"digest": digest}, follow=True)
    assert "没有待导入的文件（预览已过期或已导入）" in response.content.decode()


def test_an_org_import_cut_off_by_the_database_can_be_confirmed_again(reviewer_province, tree, monkeypatch,
                                                                      django_capture_on_commit_callbacks):
    client = Client(raise_request_exception=False)
    client.force_login(reviewer_province)
    client.post(reverse("backoffice:orgs_import"),
                {"file": SimpleUploadedFile("orgs.csv", org_sheet(row("35021101", "厦门市集美区第一医院", "350211")))})
    digest = client.session[IMPORT_SESSION_KEY]["digest"]
    path = f"{staging.PREFIX}/{client.session[IMPORT_SESSION_KEY]['file']}"
    original = importer._apply

    def cut_off(*args, **kwargs):
        original(*args, **kwargs)
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(importer, "_apply", cut_off)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("backoffice:orgs_import_confirm"), {"digest": digest})
    assert response.status_code == 503 and not Org.objects.filter(code="35021101").exists()
    assert default_storage.exists(path)
    monkeypatch.setattr(importer, "_apply", original)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("backoffice:orgs_import_confirm"), {"digest": digest})
    assert response.status_code == 302 and Org.objects.filter(code="35021101").exists()
    assert not default_storage.exists(path)
