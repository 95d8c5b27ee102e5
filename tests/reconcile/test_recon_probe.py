"""Data probe of 国网名单核对: the province's 考点 in the roster's 考点 column, the roster the review
screen and 汇总提交 read, and the files government systems export (.xls, a title above the header,
ID numbers stored as numbers or in 15 digits, formulas without values, a header alone, too many
columns), with the row numbers Excel shows."""

import io
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from prereg.accounts.models import Role
from prereg.applications.models import Application, Stage, State
from prereg.core.validators import id_check_char
from prereg.reconcile import services
from prereg.reconcile.columns import id_error, normalise_id, upgrade_legacy_id
from prereg.reconcile.models import ListKind, RosterRow, UploadStatus
from prereg.reconcile.selectors import forward_check, list_queryset, status_for
from tests.factories import UserFactory
from tests.reconcile.helpers import (
    HEADER_2020,
    anxi_application,
    csv_bytes,
    line_2020,
    person,
    proposed_columns,
    upload_and_import,
)

DATA = Path(__file__).parent / "data"
PROVINCE_SITE = "福建省卫生健康委员会"  # the 考点 of the province-direct units


def xlsx_bytes(header, rows, *, above=(), numbers=()):
    """An xlsx sheet: the rows `above` the header (a title, an export time), then the header and
    the rows; the columns named in `numbers` written as numbers."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, cells in enumerate([*above, header, *rows]):
        for c, value in enumerate(cells):
            if header[c] in numbers and r > len(above):
                sheet.write_number(r, c, int(value))
            else:
                sheet.write_string(r, c, value)
    if above:
        sheet.merge_range(0, 0, 0, len(header) - 1, above[0][0])
    book.close()
    return buffer.getvalue()


def counts(upload):
    return {kind: list_queryset(upload, kind).count() for kind in ListKind.values}


# --- 1. the province's 考点 is the province-direct units', not every org's ------------------------


def test_a_site_counts_the_lines_of_the_province_site_outside_its_scope(tree, year, reviewer_fuzhou):
    rows = [line_2020(None, name="省直甲", id_number=person(50), site=PROVINCE_SITE),
            line_2020(None, name="福州甲", id_number=person(51), site="福州市卫生健康委员会")]
    upload = upload_and_import(reviewer_fuzhou, csv_bytes(HEADER_2020, rows)).upload
    assert (upload.total_rows, upload.outside_rows) == (2, 1)
    assert [r.name for r in list_queryset(upload, ListKind.ONLY_NATIONAL)] == ["福州甲"]


def test_a_registration_point_keeps_the_lines_of_its_own_site_and_not_those_of_the_province(
        tree, year, reviewer_gulou_bureau):
    rows = [line_2020(None, name="省直甲", id_number=person(50), site=PROVINCE_SITE),
            line_2020(None, name="福州甲", id_number=person(51), site="福州市卫计委")]
    upload = upload_and_import(reviewer_gulou_bureau, csv_bytes(HEADER_2020, rows)).upload
    assert upload.outside_rows == 1
    assert [r.name for r in list_queryset(upload, ListKind.ONLY_NATIONAL)] == ["福州甲"]


def test_a_province_direct_registration_point_keeps_the_lines_of_the_province_site(tree, year):
    point = UserFactory(username="r35000001", role=Role.POINT, org=tree["35000001"])  # 福建省立医院
    rows = [line_2020(None, name="省直甲", id_number=person(50), site=PROVINCE_SITE),
            line_2020(None, name="福州甲", id_number=person(51), site="福州市卫生健康委员会")]
    upload = upload_and_import(point, csv_bytes(HEADER_2020, rows)).upload
    assert upload.outside_rows == 1
    assert [r.name for r in list_queryset(upload, ListKind.ONLY_NATIONAL)] == ["省直甲"]


# --- 2. the roster a reviewer reads: its org's own, else one above, never one below ----------------


@pytest.fixture
def two_rosters(tree, year, reviewer_fuzhou, reviewer_gulou_bureau):
    """福州 imports its whole roster, holding 鼓甲; then 鼓楼 imports a partial one without her."""
    app = anxi_application(tree, year, "鼓甲", stage=Stage.SITE_REVIEW, unit="35010201", awaiting_forward=True)
    whole = upload_and_import(reviewer_fuzhou, csv_bytes(HEADER_2020, [line_2020(app, site="福州市卫计委")])).upload
    partial = upload_and_import(reviewer_gulou_bureau, csv_bytes(HEADER_2020, [
        line_2020(None, name="鼓乙", id_number=person(52), site="福州市卫计委")])).upload
    return app, whole, partial


def test_each_reviewer_reads_the_status_in_the_roster_of_its_own_org(tree, two_rosters):
    app, whole, partial = two_rosters
    fuzhou = status_for(app, org=tree["350100"])
    assert (fuzhou.upload, fuzhou.label) == (whole, "一致")
    gulou = status_for(app, org=tree["350102"])
    assert (gulou.upload, gulou.label) == (partial, "国网名单中没有（只在省网）")
    # Below an org with a roster: the nearest one above; above every roster: none, never a lower one's.
    assert status_for(app, org=tree["35010201"]).upload == partial
    assert status_for(app, org=tree["350000"]).label == "尚无国网名单"
    assert status_for(app, org=None).label == "尚无国网名单"


def test_the_review_screen_of_a_site_ignores_a_later_roster_of_a_point_below(client, two_rosters, reviewer_fuzhou):
    app, _whole, _partial = two_rosters
    client.force_login(reviewer_fuzhou)
    html = client.get(reverse("backoffice:review", args=[app.pk])).content.decode()
    assert 'data-national="一致"' in html and "按福州市卫生健康委员会" in html


def test_forwarding_counts_by_the_roster_of_the_org_whose_list_it_links(client, two_rosters, reviewer_fuzhou):
    client.force_login(reviewer_fuzhou)
    html = client.get(reverse("backoffice:forward")).content.decode()
    assert "national-missing" not in html and "鼓甲" not in html


def test_forwarding_by_a_roster_above_names_it_and_links_no_list_of_the_org(tree, year, reviewer_fuzhou):
    app = anxi_application(tree, year, "鼓丙", stage=Stage.SITE_REVIEW, unit="35010201")
    upload = upload_and_import(reviewer_fuzhou, csv_bytes(HEADER_2020, [
        line_2020(None, name="鼓乙", id_number=person(52), site="福州市卫计委")])).upload
    below = forward_check(Application.objects.filter(pk=app.pk), org=tree["350102"])
    assert (below.missing, below.rosters, below.own) == (["鼓丙"], [upload], False)
    own = forward_check(Application.objects.filter(pk=app.pk), org=tree["350100"])
    assert (own.missing, own.own) == (["鼓丙"], True)


# --- 3. .xls, 9. the row numbers Excel shows ------------------------------------------------------


def test_an_xls_roster_imports_with_the_row_numbers_excel_shows(tree, year, reviewer_quanzhou):
    app = anxi_application(tree, year, "林夏", id_number=person(60))
    result = upload_and_import(reviewer_quanzhou, (DATA / "roster.xls").read_bytes(), name="国网名单.xls")
    assert result.ok, result.upload.errors
    assert counts(result.upload)[ListKind.CONSISTENT] == 1
    rows = {r.name: r.line for r in RosterRow.objects.filter(upload=result.upload)}
    assert rows == {"林夏": 2, "林秋": 4}  # a blank row 3 between them
    assert RosterRow.objects.get(upload=result.upload, name="林夏").application_id == app.pk


def test_the_upload_page_says_xls_is_taken(client, reviewer_quanzhou):
    client.force_login(reviewer_quanzhou)
    assert "xlsx、xls或CSV格式" in client.get(reverse("backoffice:reconcile")).content.decode()


def test_a_bad_line_is_named_by_its_row_in_the_sheet_blank_rows_counted(tree, year, reviewer_quanzhou):
    rows = [line_2020(None, name="甲", id_number=person(53)), ["", "", "", "", "", "", "", "", ""],
            ["", "", "", "", "", "", "", "", ""], line_2020(None, name="", id_number=person(54))]
    result = upload_and_import(reviewer_quanzhou, csv_bytes(HEADER_2020, rows))
    assert result.upload.errors == [[5, "姓名为空"]]


# --- 4. a title above the header ------------------------------------------------------------------


def test_a_title_and_an_export_time_above_the_header_are_passed_over(tree, year, reviewer_quanzhou):
    app = anxi_application(tree, year, "林夏", id_number=person(60))
    above = [["2027年度卫生专业技术资格考试考生名单"], ["导出时间：2026-12-07"]]
    content = xlsx_bytes(HEADER_2020, [line_2020(app)], above=above)
    upload = services.roster_upload(actor=reviewer_quanzhou, file_name="国网.xlsx", content=content)
    assert upload.header == HEADER_2020 and {"name", "id_number", "site"} <= upload.mapping.keys()
    result = services.roster_import(actor=reviewer_quanzhou, upload_id=upload.pk, chosen=proposed_columns(upload))
    assert result.ok, result.upload.errors
    assert RosterRow.objects.get(upload=result.upload).line == 4


def test_a_title_above_headers_no_synonym_knows_is_refused_saying_so(client, tree, year, reviewer_quanzhou):
    content = xlsx_bytes(["名字X", "号码Y"], [["李同", person(1)]], above=[["考生名单"]])
    client.force_login(reviewer_quanzhou)
    response = client.post(reverse("backoffice:reconcile"), {"file": SimpleUploadedFile("国网.xlsx", content)})
    assert response.status_code == 400
    assert "第1行不是表头（只有“考生名单”一格）" in response.content.decode()


# --- 5. an ID number stored as a number -----------------------------------------------------------

NUMBER_REFUSED = "证件号码被存为数字（已丢失末尾数字），请在Excel中将该列设为文本后重新导出"


def test_an_id_number_stored_as_a_number_is_refused_even_when_rounded_it_would_pass(tree, year, reviewer_quanzhou):
    # Excel keeps 15 digits: 350524199003025609 is stored as 350524199003025000, and some such
    # rounded numbers pass the check character, another person's number.
    rounded = next(body + "0" for body in (f"{person(i)[:14]}{d}00" for i in range(50) for d in range(10))
                   if id_check_char(body) == "0")
    assert id_error(normalise_id(rounded)) == ""
    rows = [line_2020(None, name="甲", id_number=person(60)), line_2020(None, name="乙", id_number=rounded)]
    content = xlsx_bytes(HEADER_2020, rows, numbers={"证件号码"})
    result = upload_and_import(reviewer_quanzhou, content, name="国网.xlsx")
    assert not result.ok
    assert result.upload.errors == [[2, NUMBER_REFUSED], [3, NUMBER_REFUSED]]


def test_an_id_number_excel_wrote_as_a_number_into_a_csv_is_refused(tree, year, reviewer_quanzhou):
    result = upload_and_import(reviewer_quanzhou, csv_bytes(HEADER_2020, [line_2020(None, name="甲",
                                                                                     id_number="3.50524E+17")]))
    assert result.upload.errors == [[2, NUMBER_REFUSED]]


# --- 6. 15-digit ID numbers -----------------------------------------------------------------------


def test_a_15_digit_id_number_is_read_as_its_18_digits():
    number = person(60)
    assert upgrade_legacy_id(number[:6] + number[8:17]) == number
    assert upgrade_legacy_id("E12345678") == "E12345678"


def test_a_15_digit_id_number_on_the_roster_matches_the_application(tree, year, reviewer_quanzhou):
    app = anxi_application(tree, year, "林夏", id_number=person(60))
    legacy = app.id_number[:6] + app.id_number[8:17]
    for content, name in [(csv_bytes(HEADER_2020, [line_2020(app, id_number=legacy)]), "国网.csv"),
                          (xlsx_bytes(HEADER_2020, [line_2020(app, id_number=legacy)], numbers={"证件号码"}),
                           "国网.xlsx")]:  # 15 digits Excel keeps whole, even as a number
        result = upload_and_import(reviewer_quanzhou, content, name=name)
        assert result.ok, result.upload.errors
        assert result.upload.counts[ListKind.CONSISTENT] == 1
        assert result.upload.counts[ListKind.ONLY_NATIONAL] == result.upload.counts[ListKind.ONLY_PROVINCIAL] == 0


# --- 7. formulas without values, a header alone ---------------------------------------------------


def test_formulas_saved_without_their_values_are_refused_at_upload(tree, year, reviewer_quanzhou):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER_2020)
    line = line_2020(None, name="甲", id_number=person(60))
    line[2] = f'=CONCATENATE("{line[2][:9]}","{line[2][9:]}")'  # openpyxl saves no value beside it
    sheet.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ValidationError) as info:
        services.roster_upload(actor=reviewer_quanzhou, file_name="国网.xlsx", content=buffer.getvalue())
    assert info.value.messages == ["第2行C列等单元格是公式，文件中没有保存公式的计算结果（多见于程序生成的文件）："
                                   "请在Excel中打开该文件并保存后重新上传。"]


def test_formulas_saved_with_their_values_import(tree, year, reviewer_quanzhou):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER_2020)
    line = line_2020(None, name="甲", id_number=person(60))
    sheet.write_row(1, 0, line)
    sheet.write_formula(1, 2, f'=""&"{line[2]}"', None, line[2])
    book.close()
    result = upload_and_import(reviewer_quanzhou, buffer.getvalue(), name="国网.xlsx")
    assert result.ok, result.upload.errors


def test_a_header_alone_is_refused_at_upload_as_having_no_lines(client, tree, year, reviewer_quanzhou):
    client.force_login(reviewer_quanzhou)
    response = client.post(reverse("backoffice:reconcile"),
                           {"file": SimpleUploadedFile("国网.csv", csv_bytes(HEADER_2020, []))})
    page = response.content.decode()
    assert response.status_code == 400 and "文件中没有数据行。" in page and "共1行有误" not in page


def test_a_kept_file_since_lost_asks_for_the_file_again(tree, year, reviewer_quanzhou):
    upload = services.roster_upload(actor=reviewer_quanzhou, file_name="国网.csv",
                                    content=csv_bytes(HEADER_2020, [line_2020(None, name="甲", id_number=person(60))]))
    default_storage.delete(upload.file.name)
    with pytest.raises(ValidationError, match="上传的文件已失效，请重新上传"):
        services.roster_import(actor=reviewer_quanzhou, upload_id=upload.pk, chosen=proposed_columns(upload))
    upload.refresh_from_db()
    assert upload.status == UploadStatus.PENDING


# --- 8. too many columns --------------------------------------------------------------------------


def test_a_roster_of_too_many_columns_is_refused_at_upload(client, tree, year, reviewer_quanzhou):
    header = [*HEADER_2020, *(f"备注{i}" for i in range(200))]
    line = [*line_2020(None, name="甲", id_number=person(60)), *("x" for _ in range(200))]
    client.force_login(reviewer_quanzhou)
    response = client.post(reverse("backoffice:reconcile"),
                           {"file": SimpleUploadedFile("国网.csv", csv_bytes(header, [line]))})
    assert response.status_code == 400
    assert "名单有209列，超过100列" in response.content.decode()


def test_empty_columns_past_the_last_one_do_not_count(tree, year, reviewer_quanzhou):
    line = line_2020(None, name="甲", id_number=person(60))
    upload = services.roster_upload(actor=reviewer_quanzhou, file_name="国网.csv",
                                    content=csv_bytes([*HEADER_2020, *[""] * 200], [[*line, *[""] * 200]]))
    assert upload.header == HEADER_2020


def test_a_line_of_a_draft_here_naming_the_province_site_stays_in_scope(tree, year, reviewer_quanzhou):
    """The draft's unit decides, whatever the 考点 cell says."""
    draft = anxi_application(tree, year, "吴草", state=State.DRAFT)
    upload = upload_and_import(reviewer_quanzhou, csv_bytes(HEADER_2020, [
        line_2020(None, name="吴草", id_number=draft.id_number, site=PROVINCE_SITE)])).upload
    assert (upload.outside_rows, RosterRow.objects.get(upload=upload).application_id) == (0, draft.pk)
