"""ID numbers of the 国网 roster read as on every other page, with an uppercase X (probe C): the
import normalises them with validators.normalize_id_number, and migration 0004 rewrites rows stored
before with a lowercase x (and the reminders counted by them)."""

import importlib

from django.apps import apps as django_apps
from django.urls import reverse

from prereg.core.masking import mask_id_number
from prereg.notify.models import RosterReminder
from prereg.reconcile.models import ListKind, RosterRow
from prereg.reconcile.selectors import list_queryset
from tests.reconcile.helpers import HEADER_2020, csv_bytes, line_2020, person, upload_and_import

NUMBER = next(n for n in (person(i) for i in range(40)) if n.endswith("X"))


def test_a_roster_line_typed_with_a_lowercase_x_is_listed_with_an_uppercase_x(client, tree, year, reviewer_quanzhou):
    line = line_2020(None, name="施国", id_number=NUMBER.lower(), phone="13900000009")
    result = upload_and_import(reviewer_quanzhou, csv_bytes(HEADER_2020, [line]))
    assert result.ok, result.upload.errors
    assert RosterRow.objects.get(upload=result.upload).id_number == NUMBER
    client.force_login(reviewer_quanzhou)
    page = client.get(reverse("backoffice:reconcile_list"), {"list": "national"}).content.decode()
    assert mask_id_number(NUMBER) in page and mask_id_number(NUMBER.lower()) not in page
    assert [r.name for r in list_queryset(result.upload, ListKind.ONLY_NATIONAL, {"q": NUMBER})] == ["施国"]


def test_rows_and_reminders_stored_with_a_lowercase_x_are_rewritten(tree, year, reviewer_quanzhou):
    line = line_2020(None, name="施国", id_number=NUMBER, phone="13900000009")
    upload = upload_and_import(reviewer_quanzhou, csv_bytes(HEADER_2020, [line])).upload
    RosterRow.objects.filter(upload=upload).update(id_number=NUMBER.lower())  # as imported before
    RosterReminder.objects.create(exam_year=year, id_number=NUMBER.lower(), org=upload.org,
                                  sent_by=reviewer_quanzhou)
    migration = importlib.import_module("prereg.reconcile.migrations.0004_id_numbers_uppercase_x")
    migration.uppercase_x(django_apps, None)
    assert RosterRow.objects.get(upload=upload).id_number == NUMBER
    assert RosterReminder.objects.get().id_number == NUMBER
