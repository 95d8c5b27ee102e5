"""Security probe F1: the merged 审核确认单 (kind=confirmations, up to 2000 forms in one PDF) printed
every candidate's full 证件编号, 出生日期, 手机号码 and 学信网在线验证码 for any role, a 报名点 too,
while its audit entries said full_numbers: False. It now follows the rule of every export: masked
(the number and phone as the rosters mask them, the birth date as its year, the CHSI code as 已填写),
whole only for a 考点/考区 that asked for full numbers on it, and the audit says which. The single
form a candidate or reviewer prints stays whole (tests/applications/test_pdf.py)."""

import datetime
import io
import re

import pytest
import qrcode
from django.core.files.storage import default_storage
from django.urls import reverse
from pypdf import PdfReader

from prereg.applications.models import Application, Stage, State
from prereg.applications.pdf import is_genuine, verify_path
from prereg.audit.models import AuditEvent
from prereg.core.masking import mask_id_number, mask_phone
from prereg.exports import services
from prereg.exports.models import ExportJob, ExportStatus
from tests.applications.test_pdf import _qr_matrix
from tests.factories import make_application

ID_NUMBER = "350524199203141022"
BIRTH = datetime.date(1992, 3, 14)
PHONE = "13912345678"
CHSI = "090888693519"
# The birth date the masked number hides, as the form or anyone would spell it.
BIRTH_SPELLINGS = ("1992-03-14", "19920314", "1992/03/14", "1992年3月14日")
# What the exports page posts for 审核确认单 (its other fields at their defaults), asking for full numbers.
PAGE_POST = {"kind": "confirmations", "format": "xlsx", "columns": "roster", "full_numbers": "on"}


@pytest.fixture
def li_na(tree, year):
    """Past the 报名点 (printable), in the scope of 安溪县卫健局 (报名点), 泉州 (考点) and the 考区."""
    application = make_application(tree, year, "35052401", State.IN_REVIEW, Stage.SITE_REVIEW, name="李娜")
    Application.objects.filter(pk=application.pk).update(id_number=ID_NUMBER, birth_date=BIRTH, phone=PHONE,
                                                         chsi_code=CHSI)
    application.refresh_from_db()
    return application


def pdf_of(job) -> bytes:
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE, job.error
    with default_storage.open(job.file.name, "rb") as fh:
        return fh.read()


def text_of(data: bytes) -> str:
    """The PDF's text, without the spaces and line breaks extraction puts between runs."""
    return re.sub(r"\s", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def merged(user, **kwargs) -> tuple[ExportJob, str]:
    job = services.export_request(actor=user, kind="confirmations", **kwargs)
    return job, text_of(pdf_of(job))


def audited_full_numbers(job) -> tuple:
    return tuple(AuditEvent.objects.get(event=event, object_id=str(job.pk)).details["full_numbers"]
                 for event in ("export.requested", "export.finished"))


def assert_masked(text: str, application) -> None:
    assert ID_NUMBER not in text and PHONE not in text and CHSI not in text
    assert not [spelling for spelling in BIRTH_SPELLINGS if spelling in text]
    assert f"证件编号{mask_id_number(ID_NUMBER)}" in text and f"手机号码{mask_phone(PHONE)}" in text
    assert "出生日期1992民族" in text and "学信网在线验证码：已填写" in text
    # still the same form: its number and name, on the form and at each page's foot
    assert f"报名号：{application.number}" in text and "姓名李娜" in text


def assert_whole(text: str) -> None:
    assert f"证件编号{ID_NUMBER}" in text and f"手机号码{PHONE}" in text
    assert "出生日期1992-03-14" in text and f"学信网在线验证码：{CHSI}" in text


def test_a_registration_points_merged_forms_are_masked_and_audited_so(li_na, reviewer_anxi_bureau):
    job, text = merged(reviewer_anxi_bureau)
    assert job.row_count == 1
    assert_masked(text, li_na)
    assert audited_full_numbers(job) == (False, False)


def test_the_probes_request_from_the_exports_page_gives_masked_forms(client, li_na, reviewer_anxi_bureau):
    # As the probe asked: the page's form, full numbers posted though a 报名点 has no such checkbox.
    client.force_login(reviewer_anxi_bureau)
    page = client.get(reverse("backoffice:exports")).content.decode()
    assert 'name="full_numbers"' not in page
    assert "合并导出的确认单与表格一样脱敏" in page and "时为完整号码" not in page
    response = client.post(reverse("backoffice:export_create"), PAGE_POST)
    assert response.status_code == 302
    job = ExportJob.objects.get(owner=reviewer_anxi_bureau)
    assert job.full_numbers is False
    download = client.get(reverse("backoffice:export_download", args=[job.pk]))
    assert_masked(text_of(b"".join(download.streaming_content)), li_na)
    assert audited_full_numbers(job) == (False, False)


@pytest.mark.parametrize("who", ["reviewer_quanzhou", "reviewer_province"])
def test_a_site_or_the_district_gets_whole_forms_only_when_it_asks_and_the_audit_says_so(request, li_na, who):
    user = request.getfixturevalue(who)
    job, text = merged(user)
    assert_masked(text, li_na)
    assert audited_full_numbers(job) == (False, False)
    job, text = merged(user, full_numbers=True)
    assert_whole(text)
    assert audited_full_numbers(job) == (True, True)


def test_a_site_asks_for_whole_forms_with_the_pages_checkbox(client, li_na, reviewer_quanzhou):
    client.force_login(reviewer_quanzhou)
    page = client.get(reverse("backoffice:exports")).content.decode()
    assert "合并导出的确认单与表格一样脱敏" in page and "勾选“本次导出完整的证件号码和手机号码”时为完整号码" in page
    client.post(reverse("backoffice:export_create"), PAGE_POST)
    job = ExportJob.objects.get(owner=reviewer_quanzhou)
    assert_whole(text_of(pdf_of(job)))
    assert audited_full_numbers(job) == (True, True)


def test_a_masked_forms_qr_code_carries_its_number_and_signature_only_and_verifies(client, li_na,
                                                                                   reviewer_quanzhou):
    job, text = merged(reviewer_quanzhou)
    assert_masked(text, li_na)
    page = PdfReader(io.BytesIO(pdf_of(job))).pages[0]
    link = verify_path(li_na)  # the worker has no request: the site's path
    number, token = link.rstrip("/").split("/")[-2:]
    assert number == li_na.number and is_genuine(li_na, token)
    assert ID_NUMBER not in link and PHONE not in link and "19920314" not in link
    qr = qrcode.QRCode(border=1, error_correction=qrcode.constants.ERROR_CORRECT_M, mask_pattern=0)
    qr.add_data(link)
    qr.make(fit=True)
    expected = [list(row) for row in qr.get_matrix()]
    assert _qr_matrix(page, len(expected)) == expected
    client.force_login(reviewer_quanzhou)
    assert "由本系统生成" in client.get(link).content.decode()


def test_the_page_explains_only_the_kinds_it_offers(client, reviewer_anxi_bureau):
    """打印预报名审核确认单 withdrawn from a role (配置角色权限): its exports page neither offers the merged
    forms nor explains them; the images zip's help is a 考点's and the 考区's only."""
    from prereg.accounts.models import Role, RolePermission
    from prereg.accounts.permissions import invalidate_cache

    client.force_login(reviewer_anxi_bureau)
    page = client.get(reverse("backoffice:exports")).content.decode()
    assert 'value="confirmations"' in page and "审核确认单：仅包含" in page and "证件图片（仅考点" not in page
    RolePermission.objects.create(role=Role.POINT, function="print_confirmation", allowed=False)
    invalidate_cache()
    page = client.get(reverse("backoffice:exports")).content.decode()
    assert 'value="confirmations"' not in page and "审核确认单：仅包含" not in page
