"""The five sheet imports through their pages (组织机构, 审核账号, 年度字典, 资格规则, 国网名单), with the
CSV files ordinary programs save: Excel for Mac's "CSV (Macintosh)" (lines ended by a CR alone)
reads as any CSV; a stray CR in a cell, a cell over the csv module's limit (a quote left open)
are said at their row on the page, never a 500. And the xlsx cells every import reads alike: a
formula saved without its value, TRUE/FALSE, a column named twice (core.sheets)."""

import io

import openpyxl
import pytest
import xlsxwriter
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from prereg.catalog import services as catalog_services
from prereg.catalog.models import DictEntry, EligibilityRule
from prereg.orgs.models import Org
from prereg.reconcile.models import RosterUpload, UploadStatus
from tests.accounts.test_staff_import import GOOD as ACCOUNTS
from tests.accounts.test_staff_import import sheet as accounts_sheet
from tests.catalog.test_import import GOOD
from tests.orgs.test_import import HEADER as ORG_HEADER
from tests.orgs.test_import import row as org_row
from tests.orgs.test_import import sheet as org_sheet
from tests.reconcile.helpers import HEADER_2020, csv_bytes, line_2020, person

User = get_user_model()

STRAY_CR = "第3行的单元格中有单独的回车符，无法读取"
TOO_LONG = "第3行有单元格超过131072个字符，无法读取"


def mac(content: bytes, encoding="utf-8") -> bytes:
    """The same table as Excel for Mac saves it ("CSV (Macintosh)"): every line ended by a CR alone,
    in `encoding` (GBK, or UTF-8)."""
    text = content.decode("utf-8-sig").replace("\r\n", "\n").replace("\n", "\r")
    return text.encode(encoding)


def stray_cr(content: bytes) -> bytes:
    """The third line with a CR alone in its first cell, in a file of LF lines."""
    lines = content.decode("utf-8-sig").replace("\r\n", "\n").split("\n")
    lines[2] = lines[2][:2] + "\r" + lines[2][2:]
    return "\n".join(lines).encode()


def quote_left_open(content: bytes) -> bytes:
    """The third line's first cell opened by a quote never closed, and 8,000 lines after it: the
    cell runs on to the end of the file, over the csv module's limit."""
    lines = content.decode("utf-8-sig").replace("\r\n", "\n").split("\n")
    lines[2] = '"' + lines[2]
    lines += [f"{n},某某医院,是,否" * 2 for n in range(8000)]
    return "\n".join(lines).encode()


def xlsx(rows) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, cells in enumerate(rows):
        for c, value in enumerate(cells):
            sheet.write(r, c, value)  # a bool as an xlsx boolean (TRUE/FALSE)
    book.close()
    return buffer.getvalue()


def post(client, name, filename, content, *args):
    return client.post(reverse(name, args=args), {"file": SimpleUploadedFile(filename, content)})


# --- 组织机构 ----------------------------------------------------------------------------------------

NEW_ORGS = [org_row("35021101", "厦门市集美区第一医院", "350211"), org_row("35021102", "厦门市集美区第二医院", "350211")]


@pytest.mark.parametrize("encoding", ["gbk", "utf-8"])
def test_the_org_import_reads_a_mac_csv(client, reviewer_province, tree, encoding):
    client.force_login(reviewer_province)
    page = post(client, "backoffice:orgs_import", "orgs.csv", mac(org_sheet(*NEW_ORGS), encoding))
    html = page.content.decode()
    assert page.status_code == 200 and "新增<strong>2</strong>个" in html and "确认导入" in html


def test_a_line_break_in_a_quoted_cell_of_a_mac_csv_stays_in_its_cell(client, reviewer_province, tree):
    client.force_login(reviewer_province)
    content = mac(org_sheet(org_row("35021101", "厦门市集美区\n第一医院", "350211"), NEW_ORGS[1]), "gbk")
    assert '"厦门市集美区\r第一医院"'.encode("gbk") in content  # the quoted cell's break is a CR too
    html = post(client, "backoffice:orgs_import", "orgs.csv", content).content.decode()
    # Two rows, the first one's name refused at its row as the org form refuses it; no third row.
    assert "第2行（35021101）：规范全称不能包含换行符" in html and "第3行" not in html


@pytest.mark.parametrize(("spoil", "message"), [(stray_cr, STRAY_CR), (quote_left_open, TOO_LONG)])
def test_the_org_import_names_the_row_it_cannot_read(client, reviewer_province, tree, spoil, message):
    client.force_login(reviewer_province)
    count = Org.objects.count()
    page = post(client, "backoffice:orgs_import", "orgs.csv", spoil(org_sheet(*NEW_ORGS)))
    html = page.content.decode()
    assert page.status_code == 400 and message in html and "确认导入" not in html
    assert Org.objects.count() == count


def test_the_org_import_says_a_formula_has_no_saved_value(client, reviewer_province, tree):
    book = openpyxl.Workbook()
    book.active.append(ORG_HEADER)
    book.active.append(["35021101", '="厦门市集美区"&"第一医院"', "", "350211", "单位", "否", "是", ""])
    buffer = io.BytesIO()
    book.save(buffer)  # openpyxl saves no value beside a formula
    client.force_login(reviewer_province)
    html = post(client, "backoffice:orgs_import", "orgs.xlsx", buffer.getvalue()).content.decode()
    assert "第2行B列等单元格是公式，文件中没有保存公式的计算结果" in html and "规范全称为空" not in html


def test_true_and_false_typed_in_a_sheet_read_as_yes_and_no(client, reviewer_province, tree):
    rows = [ORG_HEADER, ["35021101", "厦门市集美区第一医院", "", "350211", "单位", False, True, ""],
            ["35021102", "厦门市集美区第二医院", "", True, "单位", False, True, ""]]
    client.force_login(reviewer_province)
    html = post(client, "backoffice:orgs_import", "orgs.xlsx", xlsx(rows)).content.decode()
    assert "上级机构代码 是 不存在" in html and "True" not in html


def test_the_org_import_refuses_a_column_named_twice(client, reviewer_province, tree):
    header = [*ORG_HEADER, "启用"]
    rows = [[*cells, "否"] for cells in NEW_ORGS]
    client.force_login(reviewer_province)
    page = post(client, "backoffice:orgs_import", "orgs.csv", org_sheet(*rows, header=header))
    html = page.content.decode()
    assert page.status_code == 400 and "表头中“启用”出现了两次（G列和I列）" in html and "确认导入" not in html


# --- 审核账号 ----------------------------------------------------------------------------------------


@pytest.fixture
def current_year(year):
    year.is_current = True
    year.save()
    return year


def test_the_account_import_reads_a_mac_csv(client, reviewer_province, current_year):
    client.force_login(reviewer_province)
    html = post(client, "backoffice:accounts_import", "accounts.csv", mac(accounts_sheet(*ACCOUNTS), "gbk")
                ).content.decode()
    assert "新增<strong>3</strong>个账号" in html


@pytest.mark.parametrize(("spoil", "message"), [(stray_cr, STRAY_CR), (quote_left_open, TOO_LONG)])
def test_the_account_import_names_the_row_it_cannot_read(client, reviewer_province, current_year, spoil, message):
    client.force_login(reviewer_province)
    page = post(client, "backoffice:accounts_import", "accounts.csv", spoil(accounts_sheet(*ACCOUNTS)))
    assert page.status_code == 400 and message in page.content.decode()
    assert not User.objects.filter(username="35020001").exists()


# --- 年度字典, 资格规则 ------------------------------------------------------------------------------

CATALOGUE = GOOD + "学历,博士后研究,,,,,,,,\n"  # an entry the year has not


@pytest.fixture
def district(client, reviewer_province):
    client.force_login(reviewer_province)
    return client


def test_the_catalogue_import_reads_a_mac_csv(district, year):
    response = post(district, "backoffice:year_catalogue_import", "c.csv", mac(CATALOGUE.encode(), "gbk"), year.pk)
    assert response.status_code == 302
    assert DictEntry.objects.filter(exam_year=year, name="博士后研究", enabled=True).exists()


def test_the_catalogue_import_reads_true_as_yes(district, year):
    rows = [line.split(",") for line in CATALOGUE.strip().split("\n")]
    yes_at = rows[3].index("是")
    rows[3][yes_at] = True  # 执业类别 临床: 有执业范围 TRUE
    response = post(district, "backoffice:year_catalogue_import", "c.xlsx", xlsx(rows), year.pk)
    assert response.status_code == 302, response.context["import_result"].errors


@pytest.mark.parametrize(("spoil", "message"), [(stray_cr, STRAY_CR), (quote_left_open, TOO_LONG)])
def test_the_catalogue_import_names_the_row_it_cannot_read(district, year, spoil, message):
    response = post(district, "backoffice:year_catalogue_import", "c.csv", spoil(CATALOGUE.encode()), year.pk)
    assert response.status_code == 400 and message in response.content.decode()
    assert not DictEntry.objects.filter(exam_year=year, name="博士后研究").exists()


def test_the_rules_import_reads_a_mac_csv(district, year):
    table = catalog_services.eligibility_rules_file(year)
    count = EligibilityRule.objects.filter(exam_year=year).count()
    response = post(district, "backoffice:year_rules", "rules.csv", mac(table, "gbk"), year.pk)
    assert response.status_code == 302
    assert EligibilityRule.objects.filter(exam_year=year).count() == count


@pytest.mark.parametrize(("spoil", "message"), [(stray_cr, STRAY_CR), (quote_left_open, TOO_LONG)])
def test_the_rules_import_names_the_row_it_cannot_read(district, year, spoil, message):
    before = list(EligibilityRule.objects.filter(exam_year=year).values_list("pk", flat=True))
    response = post(district, "backoffice:year_rules", "rules.csv", spoil(catalog_services.eligibility_rules_file(year)),
                    year.pk)
    assert response.status_code == 400 and message in response.content.decode()
    assert list(EligibilityRule.objects.filter(exam_year=year).values_list("pk", flat=True)) == before


# --- 国网名单 ----------------------------------------------------------------------------------------

ROSTER = [line_2020(None, name=name, id_number=person(n)) for n, name in enumerate(["甲", "乙", "丙"], start=60)]


@pytest.mark.parametrize("encoding", ["gbk", "utf-8"])
def test_the_roster_upload_reads_a_mac_csv(client, tree, year, reviewer_quanzhou, encoding):
    client.force_login(reviewer_quanzhou)
    response = post(client, "backoffice:reconcile", "国网.csv", mac(csv_bytes(HEADER_2020, ROSTER), encoding))
    assert response.status_code == 302 and response.url == reverse("backoffice:reconcile_mapping")
    upload = RosterUpload.objects.get(org=reviewer_quanzhou.org, status=UploadStatus.PENDING)
    assert upload.header == HEADER_2020
    assert [line[1] for line in upload.sample] == ["甲", "乙", "丙"]


@pytest.mark.parametrize(("spoil", "message"), [(stray_cr, STRAY_CR), (quote_left_open, TOO_LONG)])
def test_the_roster_upload_names_the_row_it_cannot_read(client, tree, year, reviewer_quanzhou, spoil, message):
    client.force_login(reviewer_quanzhou)
    response = post(client, "backoffice:reconcile", "国网.csv", spoil(csv_bytes(HEADER_2020, ROSTER)))
    assert response.status_code == 400 and message in response.content.decode()
    assert not RosterUpload.objects.filter(org=reviewer_quanzhou.org).exists()
