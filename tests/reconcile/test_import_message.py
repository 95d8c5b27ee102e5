"""The import's success message says what 范围外 means as the pages do (probe E): a line is outside
only by the roster's 考点 column, never because it "belongs to another org"."""

from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from prereg.reconcile.models import RosterUpload, UploadStatus
from tests.reconcile.helpers import HEADER_2020, csv_bytes, every_kind, proposed_columns


def test_the_import_message_words_the_rows_outside_as_the_pages_do(client, tree, year, reviewer_quanzhou):
    _apps, rows = every_kind(tree, year)
    client.force_login(reviewer_quanzhou)
    client.post(reverse("backoffice:reconcile"), {"file": SimpleUploadedFile("国网.csv", csv_bytes(HEADER_2020, rows))})
    upload = RosterUpload.objects.get(org=reviewer_quanzhou.org, status=UploadStatus.PENDING)
    response = client.post(reverse("backoffice:reconcile_mapping"), {**proposed_columns(upload), "upload": upload.pk})
    assert response.status_code == 302
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "范围外2行（“考点”列为其他考点，只计数，不显示）" in message and "其他机构" not in message
    home = client.get(reverse("backoffice:reconcile")).content.decode()
    assert "范围外2行</strong>（“考点”列为其他考点，只计数，不显示）" in home
