"""The confirmation form (审核确认单): content, who may print it, and the QR authenticity page."""

import datetime
import io
import re

import pytest
import qrcode
from django.urls import reverse
from pypdf import PdfReader

from prereg.applications import pdf as pdf_module
from prereg.applications import services
from prereg.applications.models import ReviewAction, ReviewLog, Stage, State, WorkRow
from prereg.applications.pdf import confirmation_pdf, may_print, verify_path
from tests.candidate.factories import complete_application
from tests.factories import CandidateFactory


@pytest.fixture
def confirmed(tree, year, candidate):
    """Submitted, and past the 报名点 (now at the 考点)."""
    application = complete_application(candidate, year, tree)
    services.application_submit(actor=candidate, application_id=application.pk)
    application.refresh_from_db()
    application.stage = Stage.SITE_REVIEW
    application.save()
    return application


def test_the_pdf_is_a_pdf_with_a_cjk_font_and_the_photo(confirmed):
    data = confirmation_pdf(confirmed)
    assert data.startswith(b"%PDF")
    assert b"STSong-Light" in data or b"/FontFile2" in data  # the CID font, or an embedded TrueType one
    assert b"/Subtype /Image" in data  # the candidate's photo
    assert len(data) < 200_000


def test_it_is_printable_only_once_the_point_has_confirmed(confirmed):
    assert may_print(confirmed)
    confirmed.stage = Stage.POINT_CONFIRM
    assert not may_print(confirmed)
    confirmed.state, confirmed.stage = State.APPROVED, ""
    assert may_print(confirmed)


def test_the_candidate_downloads_his_form(client, confirmed, candidate):
    client.force_login(candidate)
    response = client.get(reverse("candidate:confirmation"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_the_candidate_cannot_print_before_the_point_confirmed(client, confirmed, candidate):
    confirmed.stage = Stage.UNIT_REVIEW
    confirmed.save()
    client.force_login(candidate)
    assert client.get(reverse("candidate:confirmation")).status_code == 403


def test_a_reviewer_in_scope_prints_it_from_the_back_office(client, confirmed, reviewer_quanzhou):
    client.force_login(reviewer_quanzhou)
    response = client.get(reverse("backoffice:print_confirmation", args=[confirmed.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_a_reviewer_out_of_scope_gets_404(client, confirmed, reviewer_fuzhou):
    client.force_login(reviewer_fuzhou)
    assert client.get(reverse("backoffice:print_confirmation", args=[confirmed.pk])).status_code == 404


def test_a_candidate_cannot_use_the_back_office_print(client, confirmed, candidate):
    client.force_login(candidate)
    assert client.get(reverse("backoffice:print_confirmation", args=[confirmed.pk])).status_code == 403


def test_print_refuses_post(client, confirmed, reviewer_quanzhou):
    client.force_login(reviewer_quanzhou)
    assert client.post(reverse("backoffice:print_confirmation", args=[confirmed.pk])).status_code == 405


def test_the_qr_page_confirms_a_genuine_form_to_a_reviewer(client, confirmed, reviewer_quanzhou):
    client.force_login(reviewer_quanzhou)
    response = client.get(verify_path(confirmed))
    assert response.status_code == 200
    assert "由本系统生成" in response.content.decode() and confirmed.number in response.content.decode()


def test_the_qr_page_flags_a_forged_token(client, confirmed, reviewer_quanzhou):
    client.force_login(reviewer_quanzhou)
    response = client.get(reverse("files:verify", args=[confirmed.number, "forged"]))
    assert "伪造" in response.content.decode()


def test_the_qr_page_is_for_reviewers_only(client, confirmed, candidate, reviewer_fuzhou):
    client.force_login(candidate)
    assert client.get(verify_path(confirmed)).status_code == 403
    client.force_login(reviewer_fuzhou)
    assert client.get(verify_path(confirmed)).status_code == 404
    client.force_login(CandidateFactory())
    assert client.get(reverse("candidate:confirmation")).status_code == 404


def _text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _confirmed_for(candidate, year, tree, **fields):
    application = complete_application(candidate, year, tree)
    for name, value in fields.items():
        setattr(application, name, value)
    application.save()
    services.application_submit(actor=candidate, application_id=application.pk)
    application.refresh_from_db()
    application.stage = Stage.SITE_REVIEW
    application.save()
    return application


def test_two_forms_each_show_their_own_values_and_none_of_the_other(tree, year, candidate):
    """The skeleton is drawn once per process: nothing of one form may leak into the next."""
    first = _confirmed_for(candidate, year, tree, address="厦门市思明区一号", phone="13900000011")
    other = CandidateFactory()
    second = _confirmed_for(other, year, tree, address="泉州市丰泽区二号", phone="13900000022")
    WorkRow.objects.create(application=second, unit_name="晋江市医院", title="主治医师",
                           start=datetime.date(2018, 3, 1), major="内科学", order=5)
    one, two = _text(confirmation_pdf(first)), _text(confirmation_pdf(second))
    again = _text(confirmation_pdf(first))
    assert one == again.replace(re.search(r"打印时间：\S+ \S+", again)[0], re.search(r"打印时间：\S+ \S+", one)[0])
    for text, own, foreign in ((one, first, second), (two, second, first)):
        assert own.number in text and own.id_number in text and own.phone in text and own.address in text
        assert foreign.number not in text and foreign.id_number not in text
        assert foreign.phone not in text and foreign.address not in text
        # the fixed parts are there in every form
        assert "福建省卫生专业技术资格考试预报名审核确认单" in text and "考区复核意见" in text
    assert "晋江市医院" in two and "2018-03 - 至今" in two and "晋江市医院" not in one


def test_the_review_boxes_show_this_rounds_approvals_only(confirmed, reviewer_quanzhou):
    ReviewLog.objects.create(application=confirmed, action=ReviewAction.APPROVE, stage=Stage.POINT_CONFIRM,
                             actor=reviewer_quanzhou, opinion="材料齐全同意", submission_round=confirmed.submission_round)
    ReviewLog.objects.create(application=confirmed, action=ReviewAction.APPROVE, stage=Stage.UNIT_REVIEW,
                             actor=reviewer_quanzhou, opinion="上一轮意见", submission_round=confirmed.submission_round - 1)
    text = _text(confirmation_pdf(confirmed))
    assert "材料齐全同意" in text and "上一轮意见" not in text


def test_the_form_is_read_in_eight_plain_queries(confirmed, django_assert_max_num_queries):
    confirmation_pdf(confirmed)  # the statements are compiled on first use
    with django_assert_max_num_queries(8):
        confirmation_pdf(confirmed)


def test_long_values_are_cut_to_their_cell(tree, year, candidate):
    application = _confirmed_for(candidate, year, tree, address="福建省" + "很长的地址" * 39)  # 198 of the field's 200
    text = _text(confirmation_pdf(application))
    assert "福建省很长的地址" in text and "很长的地址" * 39 not in text


def _qr_matrix_from_path(ops: str, size: float):
    n = round(size / float(re.match(r"q (\S+) 0 0 ", ops)[1]))
    matrix = [[False] * n for _ in range(n)]
    for m in re.finditer(r"^(\d+) (\d+) (\d+) 1 re$", ops, re.M):
        x, y, w = map(int, m.groups())
        for col in range(x, x + w):
            matrix[n - 1 - y][col] = True
    return matrix


@pytest.mark.parametrize("url", ["/v/", "/files/verify/202700000001/abc/",
                                 "https://prereg.example.gov.cn/files/verify/202700000001/" + "x" * 43 + "/",
                                 "http://测试.example/files/verify/202700000001/" + "y" * 43 + "/",
                                 "https://" + "h" * 150 + "/", "https://" + "h" * 204 + "/",
                                 "https://" + "h" * 300 + "/"])
def test_the_qr_path_draws_the_same_modules_as_qrcode_itself(url):
    qr = qrcode.QRCode(border=1, error_correction=qrcode.constants.ERROR_CORRECT_M, mask_pattern=0)
    qr.add_data(url, optimize=0)
    qr.make(fit=True)
    assert _qr_matrix_from_path(pdf_module._qr_path(url, 0, 0, 60), 60) == [list(row) for row in qr.get_matrix()]


@pytest.mark.parametrize("length", [1, 13, 14, 15, 41, 61, 62, 83, 84, 100, 121, 150, 180, 212, 213])
def test_the_codewords_are_the_ones_qrcode_computes(length):
    from qrcode import util

    data = bytes(range(256))[:length] if length < 256 else b"x" * length
    version = next(v for v, capacity in enumerate(pdf_module.QR_BYTES_M, 1) if capacity >= length)
    expected = util.create_data(version, qrcode.constants.ERROR_CORRECT_M, [util.QRData(data, mode=util.MODE_8BIT_BYTE)])
    assert pdf_module._qr_codewords(data, version) == expected


def test_every_fixed_label_is_in_the_font_repertoire_and_fills_the_first_subset():
    blocks = [pdf_module._title_block(pdf_module.font_name()), pdf_module._basic_block(),
              pdf_module._declared_block(), pdf_module._review_block(), pdf_module._promise_block()]
    blocks += [pdf_module._heading_block(title, headers, cells) for title, headers, cells in (
        ("工作情况", pdf_module.WORK_HEADERS, pdf_module.WORK),
        (None, pdf_module.EDUCATION_HEADERS, pdf_module.EDUCATION),
        (None, pdf_module.DEGREE_HEADERS, pdf_module.EDUCATION),
        ("现有资格聘任情况", pdf_module.APPOINTMENT_HEADERS, pdf_module.APPOINTMENT),
        ("住院医师规范化培训", pdf_module.TRAINING_HEADERS, pdf_module.TRAINING),
        ("其他", pdf_module.OTHER_HEADERS, pdf_module.OTHER))]
    assert all(pdf_module._within_repertoire(block) for block in blocks)
    assert len([ch for ch in pdf_module.REPERTOIRE if ord(ch) > 126]) >= 160


def test_a_cjk_font_without_digits_is_not_chosen():
    """Some CJK fallback fonts have no ASCII glyphs: the ID number would print as blanks."""
    text = _text_of_numbers()
    assert "0123456789" in text


def _text_of_numbers():
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4)
    c.setFont(pdf_module.font_name(), 10)
    c.drawString(50, 50, "中0123456789")
    c.save()
    return _text(buffer.getvalue())
