"""The confirmation form (审核确认单): content, who may print it, and the QR authenticity page."""

import datetime
import io
import re

import pytest
import qrcode
from django.urls import reverse
from pypdf import PdfReader

from prereg.accounts import permissions
from prereg.accounts.models import IdType, Role, RolePermission
from prereg.applications import pdf as pdf_module
from prereg.applications import services
from prereg.applications.models import (
    STAGE_ORDER,
    Application,
    AppointmentRow,
    EducationRow,
    OtherRow,
    ReviewAction,
    ReviewLog,
    Stage,
    State,
    TrainingRow,
    WorkRow,
)
from prereg.applications.pdf import confirmation_pdf, verify_path
from prereg.audit.models import AuditEvent
from prereg.catalog.models import Ethnicity, ExamYear
from prereg.core.masking import mask_id_number, mask_phone
from prereg.orgs.models import Org
from tests.factories import (
    AppointmentRowFactory,
    CandidateFactory,
    EducationRowFactory,
    OtherRowFactory,
    TrainingRowFactory,
    WorkRowFactory,
    complete_application,
)


@pytest.fixture
def confirmed(tree, year, candidate):
    """Submitted, and past the 报名点 (now at the 考点)."""
    application = complete_application(candidate, year, tree)
    services.application_submit(actor=candidate, application_id=application.pk)
    application.refresh_from_db()
    application.stage = Stage.SITE_REVIEW
    application.save()
    return application


def test_the_pdf_is_a_pdf_with_an_embedded_cjk_font_and_the_photo(confirmed):
    data = confirmation_pdf(confirmed)
    assert data.startswith(b"%PDF")
    assert b"/FontFile2" in data  # an embedded TrueType subset
    assert b"/Subtype /Image" in data  # the candidate's photo
    assert len(data) < 200_000


def test_it_is_printable_only_once_the_point_has_confirmed(confirmed):
    assert confirmed.is_printable
    confirmed.stage = Stage.POINT_CONFIRM
    assert not confirmed.is_printable
    confirmed.state, confirmed.stage = State.APPROVED, ""
    assert confirmed.is_printable


def test_the_printable_query_and_the_property_agree_in_every_state_and_stage(confirmed):
    for state in State.values:
        for stage in ["", *Stage.values]:
            confirmed.state, confirmed.stage = state, stage
            confirmed.save(update_fields=["state", "stage"])
            in_query = Application.objects.printable().filter(pk=confirmed.pk).exists()
            assert in_query == confirmed.is_printable, (state, stage)


def test_the_candidate_downloads_his_form(client, confirmed, candidate):
    client.force_login(candidate)
    response = client.get(reverse("candidate:confirmation"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_the_candidate_cannot_print_before_the_point_confirmed(client, confirmed, candidate):
    confirmed.stage = Stage.UNIT_REVIEW
    confirmed.save()
    client.force_login(candidate)
    assert client.get(reverse("candidate:confirmation")).status_code == 403


def test_where_the_candidates_print_function_is_withdrawn_no_button_shows_and_printing_is_refused(
        client, confirmed, candidate):
    # 配置角色权限's 考生 column: the 考区 may withdraw 打印预报名审核确认单 from candidates.
    RolePermission.objects.create(role=Role.CANDIDATE, function="print_confirmation", allowed=False)
    permissions.invalidate_cache()
    client.force_login(candidate)
    assert reverse("candidate:confirmation") not in client.get(reverse("candidate:progress")).content.decode()
    assert client.get(reverse("candidate:confirmation")).status_code == 403
    RolePermission.objects.all().delete()
    permissions.invalidate_cache()
    assert reverse("candidate:confirmation") in client.get(reverse("candidate:progress")).content.decode()


def test_a_reviewer_in_scope_prints_it_from_the_back_office(client, confirmed, reviewer_quanzhou):
    client.force_login(reviewer_quanzhou)
    response = client.get(reverse("backoffice:print_confirmation", args=[confirmed.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_a_reviewer_cannot_print_before_the_point_confirmed_and_nothing_is_recorded(client, confirmed,
                                                                                    reviewer_quanzhou):
    confirmed.stage = Stage.POINT_CONFIRM
    confirmed.save()
    client.force_login(reviewer_quanzhou)
    assert client.get(reverse("backoffice:print_confirmation", args=[confirmed.pk])).status_code == 403
    assert not AuditEvent.objects.filter(event="confirmation.print").exists()


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


def test_a_form_printed_with_the_whole_signature_still_verifies(client, confirmed, reviewer_quanzhou):
    client.force_login(reviewer_quanzhou)
    whole = pdf_module._signature(confirmed.number)
    assert len(pdf_module.verify_token(confirmed)) == 16 and pdf_module.verify_token(confirmed) == whole[:16]
    assert "由本系统生成" in client.get(reverse("files:verify", args=[confirmed.number, whole])).content.decode()
    short = client.get(reverse("files:verify", args=[confirmed.number, whole[:15]])).content.decode()
    assert "伪造" in short and "由本系统生成" not in short


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
    first = _confirmed_for(candidate, year, tree, address="厦门市思明区一号", phone="13900000011")
    other = CandidateFactory()
    second = _confirmed_for(other, year, tree, address="泉州市丰泽区二号", phone="13900000022")
    WorkRowFactory(application=second, unit_name="晋江市医院", title="主治医师", start=datetime.date(2018, 3, 1),
                   major="内科学", order=5)
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


def test_the_form_is_read_in_eight_queries(confirmed, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        confirmation_pdf(confirmed)


def _qr_matrix(page, n):
    """The QR code's modules as drawn in the page's top right corner: n x n, True for dark."""
    _, rects = _page_layout(page)
    size, left, top = pdf_module.QR_SIZE, pdf_module.PAGE_W - pdf_module.MARGIN - pdf_module.QR_SIZE, pdf_module.TOP
    module = size / n
    matrix = [[False] * n for _ in range(n)]
    for x0, y0, x1, y1 in rects:
        if x0 >= left - 0.01 and y1 <= top + 0.01 and y0 >= top - size - 0.01 and y1 - y0 < module * 1.5:
            row = round((top - y1) / module)
            for col in range(round((x0 - left) / module), round((x1 - left) / module)):
                matrix[row][col] = True
    return matrix


def test_the_qr_code_carries_the_verify_link(confirmed, rf):
    request = rf.get("/", secure=True)
    page = PdfReader(io.BytesIO(confirmation_pdf(confirmed, request=request))).pages[0]
    link = f"https://testserver{verify_path(confirmed)}"
    qr = qrcode.QRCode(border=1, error_correction=qrcode.constants.ERROR_CORRECT_M, mask_pattern=0)
    qr.add_data(link)
    qr.make(fit=True)
    expected = [list(row) for row in qr.get_matrix()]
    assert _qr_matrix(page, len(expected)) == expected


def test_the_font_has_digits_too():
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


# --- every field at its longest (issue 15, item 5) -------------------------------------------------

# CJK characters are the widest a text field takes (one em each); the Latin-only fields get "W",
# the widest letter, and digits where only digits are allowed.
FILLER = "福建省泉州市安溪县凤城镇河滨路医院中心卫生院"
ROWS_MAX = 20  # the row formsets' max_num (prereg.candidate.forms.row_formset)
OPINION_MAX = 500  # the review form's maxlength; ReviewLog.opinion is a TextField


def _max_length(model, field):
    return model._meta.get_field(field).max_length


class _Values:
    """Distinct values of given lengths (each starts with its own number), kept to find them in the PDF."""

    def __init__(self):
        self.made = []

    def cjk(self, length):
        head = f"{len(self.made)}号"
        value = (head + FILLER * (length // len(FILLER) + 1))[:length]
        self.made.append(value)
        return value

    def of(self, model, field):
        return self.cjk(_max_length(model, field))

    def latin(self, model, field, alphabet="W"):
        value = alphabet * _max_length(model, field)
        self.made.append(value)
        return value


def _longest_application(tree, year, candidate, reviewer):
    """A confirmed application whose every printed field is at its maximum length, every row table
    at its maximum number of rows, and every level's approval with the longest opinion."""
    values = _Values()
    application = _confirmed_for(candidate, year, tree)
    for org_field in ("unit", "unit_review_org", "point_org", "site_org", "district_org"):
        Org.objects.filter(pk=getattr(application, f"{org_field}_id")).update(
            name=values.of(Org, "name"), short_name="")
    year.name = values.of(ExamYear, "name")
    year.save()
    for field in ("level", "qualification", "category", "scope", "specialty"):
        entry = getattr(application, field)
        type(entry).objects.filter(pk=entry.pk).update(name=values.of(type(entry), "name"))
    Ethnicity.objects.filter(pk=application.ethnicity_id).update(name=values.of(Ethnicity, "name"))
    longest_id_type = max(IdType, key=lambda choice: len(choice.label))
    values.made.append(longest_id_type.label)
    Application.objects.filter(pk=application.pk).update(
        number=values.latin(Application, "number", "8"), name=values.of(Application, "name"),
        id_type=longest_id_type, id_number=values.latin(Application, "id_number"),
        phone=values.latin(Application, "phone", "8"), postcode=values.latin(Application, "postcode", "8"),
        address=values.of(Application, "address"), chsi_code=values.latin(Application, "chsi_code"),
        practice_change=values.of(Application, "practice_change"),
        current_qualification=values.of(Application, "current_qualification"),
        current_qualification_date=datetime.date(2014, 8, 1),
    )
    start, end = datetime.date(2014, 8, 1), datetime.date(2016, 9, 1)
    WorkRow.objects.filter(application=application).delete()
    EducationRow.objects.filter(application=application).delete()
    AppointmentRow.objects.filter(application=application).delete()
    for i in range(ROWS_MAX):
        WorkRowFactory(application=application, order=i, unit_name=values.of(WorkRow, "unit_name"),
                       title=values.of(WorkRow, "title"), start=start, end=end, major=values.of(WorkRow, "major"))
        for kind in EducationRow.Kind:
            EducationRowFactory(application=application, order=i, kind=kind, level=values.of(EducationRow, "level"),
                                obtained=start, school=values.of(EducationRow, "school"),
                                study_form=values.of(EducationRow, "study_form"),
                                major=values.of(EducationRow, "major"))
        AppointmentRowFactory(application=application, order=i, unit_name=values.of(AppointmentRow, "unit_name"),
                              post=values.of(AppointmentRow, "post"),
                              qualification=values.of(AppointmentRow, "qualification"), start=start, end=end)
        for kind in TrainingRow.Kind:
            TrainingRowFactory(application=application, order=i, kind=kind,
                               certificate_no=values.of(TrainingRow, "certificate_no"),
                               specialty=values.of(TrainingRow, "specialty"), start=start, end=end,
                               base=values.of(TrainingRow, "base"), issued=end)
        OtherRowFactory(application=application, order=i, kind=values.of(OtherRow, "kind"),
                        note=values.of(OtherRow, "note"))
    for stage in STAGE_ORDER:
        ReviewLog.objects.create(application=application, action=ReviewAction.APPROVE, stage=stage,
                                 actor=reviewer, opinion=values.cjk(OPINION_MAX),
                                 submission_round=application.submission_round)
    application.refresh_from_db()
    return application, values.made



def _multiply(m, n):
    """The PDF matrix product m × n, matrices as (a, b, c, d, e, f)."""
    return (m[0] * n[0] + m[1] * n[2], m[0] * n[1] + m[1] * n[3], m[2] * n[0] + m[3] * n[2],
            m[2] * n[1] + m[3] * n[3], m[4] * n[0] + m[5] * n[2] + n[4], m[4] * n[1] + m[5] * n[3] + n[5])


def _point(x, y, matrix):
    return _multiply((1, 0, 0, 1, x, y), matrix)[4:]


def _page_layout(page):
    """The boxes of a page's text runs (by the glyph widths and font metrics the PDF gives its
    viewers) and of its rectangles, as (x0, y0, x1, y1) in page coordinates.

    A small reading of the content stream: the graphics and text matrices, the font, and the text
    shown by each Tj / TJ (the operators reportlab writes; no rotation, no spacing operators).
    """
    from pypdf.generic import ContentStream

    fonts = {name: font.get_object() for name, font in page["/Resources"]["/Font"].items()}
    identity = (1, 0, 0, 1, 0, 0)
    cm, stack, tm, tlm, leading, font, size = identity, [], identity, identity, 0.0, None, 0.0
    runs, rects = [], []

    def show(data: bytes):
        nonlocal tm
        width = sum(font["/Widths"][code - font["/FirstChar"]] for code in data) / 1000 * size
        descriptor = font["/FontDescriptor"]
        runs.append((*_point(0, descriptor["/Descent"] / 1000 * size, _multiply(tm, cm)),
                     *_point(width, descriptor["/Ascent"] / 1000 * size, _multiply(tm, cm))))
        tm = _multiply((1, 0, 0, 1, width, 0), tm)

    def next_line(tx, ty):
        nonlocal tm, tlm
        tm = tlm = _multiply((1, 0, 0, 1, tx, ty), tlm)

    for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
        numbers = [float(v) if isinstance(v, int | float) else v for v in operands]
        if operator == b"q":
            stack.append(cm)
        elif operator == b"Q":
            cm = stack.pop()
        elif operator == b"cm":
            cm = _multiply(tuple(numbers), cm)
        elif operator == b"re":
            x, y, w, h = numbers
            (ax, ay), (bx, by) = _point(x, y, cm), _point(x + w, y + h, cm)
            rects.append((min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)))
        elif operator == b"BT":
            tm = tlm = identity
        elif operator == b"Tm":
            tm = tlm = tuple(numbers)
        elif operator == b"Td":
            next_line(*numbers)
        elif operator == b"TD":
            leading = -numbers[1]
            next_line(*numbers)
        elif operator == b"TL":
            leading = numbers[0]
        elif operator == b"T*":
            next_line(0, -leading)
        elif operator == b"Tf":
            font, size = fonts[operands[0]], numbers[1]
        elif operator == b"Tj":
            show(bytes(operands[0].original_bytes))
        elif operator == b"'":
            next_line(0, -leading)
            show(bytes(operands[0].original_bytes))
        elif operator == b"TJ":
            for item in operands[0]:
                if isinstance(item, int | float):
                    tm = _multiply((1, 0, 0, 1, -float(item) / 1000 * size, 0), tm)
                else:
                    show(bytes(item.original_bytes))
        else:
            assert operator not in (b"Tc", b"Tw", b"Tz", b'"'), f"{operator} is not read by this test"
    return runs, rects


def _inside(inner, outer, slack=0.05):
    return (inner[0] >= outer[0] - slack and inner[1] >= outer[1] - slack
            and inner[2] <= outer[2] + slack and inner[3] <= outer[3] + slack)


def _overlap(a, b):
    return a[0] < b[2] - 0.05 and b[0] < a[2] - 0.05 and a[1] < b[3] - 0.05 and b[1] < a[3] - 0.05


def test_every_field_at_its_longest_is_printed_whole_inside_its_cell(tree, year, candidate, reviewer_quanzhou):
    """Issue 15, item 5: the address ran into the 单位名称 cell, long unit names lost their end."""
    application, values = _longest_application(tree, year, candidate, reviewer_quanzhou)
    reader = PdfReader(io.BytesIO(confirmation_pdf(application)))

    text = re.sub(r"\s", "", "".join(page.extract_text() for page in reader.pages))
    missing = [value for value in values if re.sub(r"\s", "", value) not in text]
    assert not missing, f"cut or lost: {missing[:3]}"

    qr = pdf_module.QR_SIZE
    qr_box = (pdf_module.PAGE_W - pdf_module.MARGIN - qr, pdf_module.TOP - qr,
              pdf_module.PAGE_W - pdf_module.MARGIN, pdf_module.TOP)
    # the margins, but at the foot the line under the rows (name, number, 第k页 共n页)
    page_box = (pdf_module.MARGIN, pdf_module.FOOT_Y - 3, pdf_module.PAGE_W - pdf_module.MARGIN, pdf_module.TOP)
    in_cells = 0
    for number, page in enumerate(reader.pages, 1):
        assert f"第{number}页共{len(reader.pages)}页" in re.sub(r"\s", "", page.extract_text())
        runs, rects = _page_layout(page)
        cells = [r for r in rects if r[2] - r[0] > 20 and r[3] - r[1] > 10]  # not the QR code's modules
        for run in runs:
            assert _inside(run, page_box), f"page {number}: text at {run} leaves the page's margins"
            assert run[1] >= pdf_module.BOTTOM - 0.05 or run[3] < pdf_module.BOTTOM - 3, \
                f"page {number}: text at {run} is below the rows and not on the page's foot line"
            assert number > 1 or not _overlap(run, qr_box), f"text at {run} runs into the QR code"
            start = (run[0], run[1], run[0], run[1])
            around = [cell for cell in cells if _inside(start, cell)]
            if around:  # the smallest rectangle around a run's start is its cell
                cell = min(around, key=lambda r: (r[2] - r[0]) * (r[3] - r[1]))
                assert _inside(run, cell), f"page {number}: text at {run} leaves its cell {cell}"
                in_cells += 1
        for i, a in enumerate(runs):
            for b in runs[i + 1:]:
                assert not _overlap(a, b), f"page {number}: text at {a} and at {b} overlap"
    assert in_cells > 1000  # the check did see the cells' lines (a 9-page form)


def test_month_values_are_printed_as_typed(confirmed):
    """取得时间 and the rows' dates are months (YYYY-MM): no invented first day of the month."""
    Application.objects.filter(pk=confirmed.pk).update(current_qualification_date=datetime.date(2014, 8, 1))
    WorkRow.objects.filter(application=confirmed).update(start=datetime.date(2012, 8, 1),
                                                          end=datetime.date(2013, 9, 1))
    text = _text(confirmation_pdf(confirmed))
    assert "2014-08" in text and "2014-08-01" not in text
    assert "2012-08 - 2013-09" in text and "2012-08-01" not in text


def test_the_id_type_is_printed_by_its_chinese_name(confirmed):
    Application.objects.filter(pk=confirmed.pk).update(id_type=IdType.PASSPORT)
    text = _text(confirmation_pdf(confirmed))
    assert "护照" in text and "passport" not in text


def _fonts(data: bytes):
    reader = PdfReader(io.BytesIO(data))
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            yield font.get_object()


def test_every_font_of_the_form_is_embedded(confirmed):
    """Issue 15, item 9: STSong-Light and Helvetica were named, not embedded: each viewer drew the
    form with a font of its own, whose widths the layout had not measured."""
    data = confirmation_pdf(confirmed)
    fonts = list(_fonts(data))
    assert fonts
    for font in fonts:
        assert font["/Subtype"] == "/TrueType", font
        assert "/FontFile2" in font["/FontDescriptor"]  # the subset's glyphs are in the file
        assert re.fullmatch(rf"/[A-Z]{{6}}\+{pdf_module.FONT}-\d+", font["/BaseFont"])  # a subset
    assert b"Helvetica" not in data and b"STSong" not in data


def test_the_font_is_read_once_per_process(confirmed, monkeypatch):
    confirmation_pdf(confirmed)

    def read_again(*args, **kwargs):
        raise AssertionError("the font file was read again")

    monkeypatch.setattr(pdf_module, "TTFont", read_again)
    assert confirmation_pdf(confirmed).startswith(b"%PDF")


@pytest.fixture
def font_package_missing(monkeypatch):
    monkeypatch.setattr(pdf_module, "FONT_PACKAGE", "prereg_no_such_font_package")
    pdf_module.font_name.cache_clear()
    yield
    monkeypatch.undo()
    pdf_module.font_name.cache_clear()


def test_without_the_font_package_the_form_falls_back_to_a_cid_font_and_says_so(
        confirmed, font_package_missing, caplog):
    with caplog.at_level("WARNING", logger="prereg.applications.pdf"):
        data = confirmation_pdf(confirmed)
    assert b"STSong-Light" in data and confirmed.number in _text(data)
    assert "falling back to STSong-Light" in caplog.text


def test_a_long_unit_name_is_wrapped_whole_in_its_cell_and_the_review_box(tree, year, candidate):
    """Issue 17.6: "福州市鼓楼区洪山社区卫生服务中心" lost its last character on the form."""
    long_name = "福州市鼓楼区洪山社区卫生服务中心"
    application = _confirmed_for(candidate, year, tree)
    renamed = {application.unit_id, application.point_org_id}
    Org.objects.filter(pk__in=renamed).update(name=long_name, short_name="")
    text = re.sub(r"\s", "", _text(confirmation_pdf(application)))
    # Whole in 单位名称 and in the review box of each level these orgs act at.
    boxes = sum(application.org_id_at(stage) in renamed for stage in STAGE_ORDER)
    assert boxes >= 1 and text.count(long_name) == 1 + boxes


def test_the_form_states_the_two_site_rule_of_the_national_site(confirmed):
    """Issue 17.6: 注意事项(一): registered on one site only means not registered."""
    text = re.sub(r"\s", "", _text(confirmation_pdf(confirmed)))
    assert "中国卫生人才网" in text and "www.21wecan.com" in text
    assert "只在一个网站报名的，视为未报名" in text


def test_every_row_table_prints_under_its_title_and_the_sources_headings(confirmed):
    """The tables come from sections.ROW_TABLES: each title, its headings (the source's 确认单) and its values."""
    start, end = datetime.date(2015, 9, 1), datetime.date(2018, 7, 1)
    AppointmentRowFactory(application=confirmed, order=1, unit_name="莆田学院附属医院", post="主治医师",
                          qualification="主治医师资格", start=start, end=end)
    AppointmentRowFactory(application=confirmed, order=2, unit_name="仙游县医院", post="医师",
                          qualification="医师资格", start=end)
    TrainingRowFactory(application=confirmed, order=0, kind=TrainingRow.Kind.RESIDENCY, certificate_no="ZY2018001",
                       specialty="内科", start=start, end=end, base="福建省立医院", issued=end)
    TrainingRowFactory(application=confirmed, order=0, kind=TrainingRow.Kind.GENERAL_PRACTICE,
                       certificate_no="QK2019002", specialty="全科", start=start, end=end, base="厦门大学附属第一医院",
                       issued=end)
    OtherRowFactory(application=confirmed, order=0, kind="获奖", note="省级优秀住院医师")
    text = _text(confirmation_pdf(confirmed)).replace("\n", "")
    for heading in ("工作情况", "教育情况", "现有资格聘任情况", "住院医师规范化培训", "全科医生规范化培训", "其他",
                    "现有专业技术职务", "取得时间", "学习形式", "现聘任职务/技术资格", "聘任时间", "聘任年限",
                    "证书编号", "培训时间", "培训基地", "发证日期", "类型", "备注"):
        assert heading in text, heading
    for value in ("莆田学院附属医院", "主治医师资格", "2015-09 - 2018-07", "2年11月", "ZY2018001", "福建省立医院",
                  "QK2019002", "2018-07 - 至今", "获奖", "省级优秀住院医师"):
        assert value in text, value


# --- one page for an ordinary form; a long one breaks between rows, numbered ------------------------

def _ordinary(candidate, year, tree, reviewer, work=4):
    """An ordinary form at the upper end of ordinary (the demo's forms hold one row of education and
    one of work): 2 学历 and a 学位, `work` jobs, two appointments, a 规培 certificate and one other
    certificate, approved with an opinion by two levels."""
    application = _confirmed_for(candidate, year, tree)
    start = datetime.date(2008, 8, 1)
    for i in range(1, work):
        WorkRowFactory(application=application, order=i, unit_name=f"测试单位{i}号医院", title="主治医师",
                       start=start.replace(year=2008 + i), end=start.replace(year=2009 + i), major="内科学")
    EducationRowFactory(application=application, order=1, level="硕士研究生", school="福建医科大学", major="内科学")
    EducationRowFactory(application=application, order=0, kind=EducationRow.Kind.DEGREE, level="医学学士",
                        school="福建医科大学", major="临床医学")
    AppointmentRowFactory(application=application, order=1, unit_name="福建医科大学附属协和医院", post="主治医师",
                          qualification="主治医师", start=datetime.date(2016, 12, 1), end=datetime.date(2019, 11, 1))
    TrainingRowFactory(application=application, order=0, kind=TrainingRow.Kind.RESIDENCY,
                       base="福建医科大学附属第一医院")
    OtherRowFactory(application=application, order=0, kind="护士执业证书", note="证书编号201935001234")
    for stage in (Stage.UNIT_REVIEW, Stage.POINT_CONFIRM):
        ReviewLog.objects.create(application=application, action=ReviewAction.APPROVE, stage=stage,
                                 actor=reviewer, opinion="材料齐全，同意报考",
                                 submission_round=application.submission_round)
    return application


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_an_ordinary_form_is_one_page(tree, year, candidate, reviewer_quanzhou):
    """Candidates take the form to their unit for signature and stamp: a second sheet for the two lines
    of 注意 was a nuisance and could be lost."""
    application = _ordinary(candidate, year, tree, reviewer_quanzhou)
    pages = _pages(confirmation_pdf(application))
    assert len(pages) == 1
    text = pages[0].replace("\n", "")
    for part in ("测试单位3号医院", "医学学士", "福建医科大学附属协和医院", "福建医科大学附属第一医院", "护士执业证书",
                 "审查意见", "考生签名", "只在一个网站报名的，视为未报名"):
        assert part in text, part


def test_a_long_form_breaks_between_rows_keeps_the_signatures_with_the_last_row_and_numbers_its_pages(
        tree, year, candidate, reviewer_quanzhou):
    """Whatever the number of rows: a row is never split by a page break and a table continued on a
    new page repeats its headings; the 审查意见, the candidate's signature and the 注意 stay together
    with the last row of the form, never alone on the last sheet; a form of several sheets has on each
    the candidate's name and number and 第k页 共n页, so a loose sheet is matched to its form."""
    application = _ordinary(candidate, year, tree, reviewer_quanzhou, work=4)
    counts = set()
    # a row more each time: the page break moves past every part of the form's end; then the work
    # table itself runs over
    for work in [*range(4, 26), 60]:
        for i in range(WorkRow.objects.filter(application=application).count(), work):
            WorkRowFactory(application=application, order=i, unit_name=f"测试单位{i}号医院",
                           title="主治医师", start=datetime.date(1950 + i, 8, 1), major="内科学")
        pages = [re.sub(r"\s", "", page) for page in _pages(confirmation_pdf(application))]
        counts.add(len(pages))
        for i in range(1, work):
            on = [k for k, page in enumerate(pages, 1) if f"测试单位{i}号医院" in page]
            assert len(on) == 1, (work, i, on)
            assert "现有专业技术职务" in pages[on[0] - 1], f"{work} rows: page {on[0]} has work rows and no headings"
        last = pages[-1]
        for part in ("审查意见", "考生签名", "只在一个网站报名的，视为未报名"):
            assert part in last, (work, part)
        assert "证书编号201935001234" in last, f"{work} rows: the last page holds the signatures alone"
        assert "类型备注" in last, f"{work} rows: the last row of 其他 without its headings"
        if len(pages) > 1:
            for k, page in enumerate(pages, 1):
                assert f"第{k}页共{len(pages)}页" in page, (work, k)
                assert application.name in page and application.number in page, (work, k)
    assert counts == {1, 2}
    assert "测试单位1号医院" in pages[0] and "工作情况（续）" in pages[1] and "测试单位59号医院" in pages[1]


def _whole_numbers(application) -> list[str]:
    return [application.id_number, application.birth_date.isoformat(), application.phone, application.chsi_code]


def test_the_single_form_a_candidate_or_a_reviewer_prints_keeps_the_whole_numbers(client, confirmed, candidate,
                                                                                 reviewer_anxi_bureau):
    """What the candidate signs and his unit stamps: never masked, whoever prints the one form (the merged
    export masks, tests/exports/test_merged_confirmations_masked.py)."""
    client.force_login(candidate)
    texts = [_text(client.get(reverse("candidate:confirmation")).content)]
    client.force_login(reviewer_anxi_bureau)  # a 报名点, whose merged export is masked
    texts.append(_text(client.get(reverse("backoffice:print_confirmation", args=[confirmed.pk])).content))
    for text in texts:
        text = re.sub(r"\s", "", text)
        assert all(value in text for value in _whole_numbers(confirmed)), text


def test_a_masked_form_is_the_same_form_with_only_its_numbers_masked(confirmed):
    """The merged export's mode (full_numbers=False): the 证件编号 and 手机号码 masked as the rosters mask
    them, the birth date its year, the 学信网 code 已填写; every other text, the pages and the QR code as
    on the whole form."""
    whole, masked = confirmation_pdf(confirmed), confirmation_pdf(confirmed, full_numbers=False)
    printed = re.compile(r"打印时间：\S+ \S+")
    whole_text, masked_text = (printed.sub("", _text(data)) for data in (whole, masked))
    id_number, birth, phone, chsi = _whole_numbers(confirmed)
    assert all(value in whole_text for value in (id_number, birth, phone, chsi))
    assert not [value for value in (id_number, birth, phone, chsi) if value in masked_text]
    expected = (whole_text.replace(id_number, mask_id_number(id_number)).replace(birth, birth[:4])
                .replace(phone, mask_phone(phone)).replace(f"学信网在线验证码：{chsi}", "学信网在线验证码：已填写"))
    assert re.sub(r"\s", "", masked_text) == re.sub(r"\s", "", expected)
    whole_pages, masked_pages = (PdfReader(io.BytesIO(data)).pages for data in (whole, masked))
    assert len(masked_pages) == len(whole_pages)
    qr = qrcode.QRCode(border=1, error_correction=qrcode.constants.ERROR_CORRECT_M, mask_pattern=0)
    qr.add_data(verify_path(confirmed))
    qr.make(fit=True)
    assert _qr_matrix(masked_pages[0], len(qr.get_matrix())) == [list(row) for row in qr.get_matrix()]
