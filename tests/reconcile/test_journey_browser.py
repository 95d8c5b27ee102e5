"""The 考点 in the browser: uploads a 国网 roster holding each kind of difference, confirms the
columns, sees each list, exports one and reminds one candidate."""

import openpyxl
import pytest
from playwright.sync_api import expect

from prereg.notify.models import RosterReminder, SmsMessage
from tests.e2e import conftest as e2e
from tests.e2e.conftest import login, shot, submit
from tests.factories import TEST_PASSWORD
from tests.reconcile.helpers import HEADER_2021, as_2021, every_kind

# The browser fixtures of tests/e2e, used here beside the other reconciliation tests.
_playwright, browser, server, page = e2e._playwright, e2e.browser, e2e.server, e2e.page

pytestmark = pytest.mark.browser


def test_a_site_uploads_the_roster_sees_each_list_exports_one_and_reminds_a_candidate(
        page, tree, year, reviewer_quanzhou, tmp_path):
    apps, rows = every_kind(tree, year)
    # The next year's headers (考生姓名, * 身份证号, 专业代码 …): found by their synonyms.
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER_2021)
    for r in as_2021(rows):
        sheet.append(r)
    roster = tmp_path / "国网考生名单.xlsx"
    book.save(roster)

    login(page, reviewer_quanzhou.username, TEST_PASSWORD)
    page.click("aside a:has-text('国网名单核对')")
    expect(page.locator("#no-roster")).to_be_visible()
    page.set_input_files("#roster-upload input[type=file]", str(roster))
    submit(page, "#roster-upload button[type=submit]")

    # The columns, recognised: the page shows what it found and the user confirms.
    expect(page.locator("h1")).to_have_text("确认列对应")
    expect(page.locator("select[name=id_number] option:checked")).to_have_text("* 身份证号")
    expect(page.locator("select[name=specialty] option:checked")).to_have_text("专业代码")
    expect(page.locator("select[name=status] option:checked")).to_have_text("审核状态")
    shot(page, "reconcile-columns")
    submit(page, "#roster-columns button[type=submit]")

    expect(page.locator("#roster-in-force")).to_contain_text("范围外2行")
    expected = {"national": ["吴草", "何号", "施国"], "provincial": ["周省"], "different": ["王级", "陈专", "林明"],
                "unconfirmed": ["黄待"], "consistent": ["李同"]}
    for kind, names in expected.items():
        expect(page.locator(f"#roster-in-force a[data-list={kind}] .count")).to_have_text(str(len(names)))
    for kind, names in expected.items():
        page.click(f"a[data-list={kind}]")
        table = page.locator("#reconcile-list")
        for name in names:
            expect(table).to_contain_text(name)
        expect(table.locator("tbody tr")).to_have_count(len(names))
        expect(table).not_to_contain_text("郑福")  # 福州's, outside 泉州: counted, not shown
    shot(page, "reconcile-consistent")

    # Export one list: a background job, downloaded from 考生信息导出; the xlsx holds its rows, ID numbers masked.
    page.click("a[data-list=different]")
    submit(page, "#export-xlsx")
    expect(page.locator(".messages")).to_contain_text("已开始导出“信息不一致”名单")
    job_row = page.locator("tr[id^=export-job-]").first
    expect(job_row).to_contain_text("名单：信息不一致")
    with page.expect_download() as info:
        job_row.locator("a[href$='/download/']").click(timeout=30_000)
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.suffix == ".xlsx"
    lines = list(openpyxl.load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True))
    assert sorted(line[1] for line in lines[1:]) == sorted(["王级", "陈专", "林明"])
    assert all("*" in line[2] for line in lines[1:])

    # Remind one candidate who is on the 国网 only and has a draft here: his account's phone. 施国 (no
    # draft here) is not offered: whether he has an account is not the 考点's to learn (F3).
    page.click("aside a:has-text('国网名单核对')")
    page.click("a[data-list=national]")
    expect(page.locator("#reconcile-list tr:has-text('施国')")).to_contain_text("不在本机构范围")
    expect(page.locator("input[aria-label='选择施国']")).to_have_count(0)
    page.check("input[aria-label='选择吴草']")
    submit(page, "#remind-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("已发送提醒短信 1 条")
    shot(page, "reconcile-reminded")
    assert page.dialogs and "发送提醒短信" in page.dialogs[-1]
    assert SmsMessage.objects.filter(phone=apps["draft"].candidate.phone, purpose="reminder").count() == 1
    assert not RosterReminder.objects.exists()
    expect(page.locator("#reconcile-list tr:has-text('吴草')")).to_contain_text("1/2")
