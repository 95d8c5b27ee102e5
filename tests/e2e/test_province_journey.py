"""A province loads its own season (issue 17): from the 考区's pages it opens a new year, imports
its org tree (2,000 orgs from a sheet), the year's catalogue and its reviewer accounts; the new
考点's password is read once from the sheet handed to the 考区; a candidate of a freshly imported
unit submits and is routed as the sheet says. And a reviewer keeps his own details up to date from
his name in the top bar (issue 17.5), the new phone confirmed by the SMS code."""

import csv
import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from prereg.accounts.models import Role, User
from prereg.applications.models import Application
from prereg.catalog.loaders import load_national, read_csv
from prereg.catalog.models import ExamYear
from prereg.catalog.staff_import import COLUMNS as ACCOUNT_COLUMNS
from prereg.demo.orgs import bureau_names
from prereg.orgs.importer import COLUMNS as ORG_COLUMNS
from prereg.orgs.models import Org
from tests.factories import TEST_PASSWORD, UserFactory

from .conftest import login, logout, shot, submit
from .helpers import candidate_submits, draft_for

pytestmark = pytest.mark.browser

TREE_SIZE = 2_000
HOSPITAL = "35020301"  # 厦门大学附属第一医院: has unit reviewers in the sheet


def org_sheet(path) -> int:
    """The province's tree below its commission: nine cities and 平潭 (考点), every district and
    county bureau (报名点), and units up to TREE_SIZE orgs in all."""
    rows, cities, counties = [], {}, []
    for d in read_csv("fujian_divisions.csv"):
        if d["level"] == "city":
            cities[d["code"]] = d["name"]
            rows.append([d["code"], f"{d['name']}卫生健康委员会", "", "350000", "考点", "否", "是", d["code"]])
    rows.append(["350128", "平潭综合实验区社会事业局", "", "350000", "考点、报名点", "否", "是", "350128"])
    for d in read_csv("fujian_divisions.csv"):
        if d["level"] == "county" and d["code"] not in ("350128", "350527"):
            name, _short = bureau_names(d["name"], cities[d["parent_code"]])
            counties.append((d["code"], d["name"]))
            rows.append([d["code"], name, "", d["parent_code"], "报名点", "否", "是", d["code"]])
    rows.append([HOSPITAL, "厦门大学附属第一医院", "厦大附一", "350203", "单位", "是", "是", "350203"])
    n = 0
    while len(rows) < TREE_SIZE:
        code, county = counties[n % len(counties)]
        n += 1
        rows.append([f"{code}{n:04d}", f"{county}第{n}卫生院", "", code, "单位", "否", "是", code])
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(ORG_COLUMNS)
        writer.writerows(rows)
    return len(rows)


def account_sheet(path):
    rows = [["350200", "洪雅", "13900000020", "350200", "考点", "", ""],
            ["350203", "陈思", "", "350203", "报名点", "", ""],
            [HOSPITAL, "林医", "", HOSPITAL, "单位", "医务科", "科长"]]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(ACCOUNT_COLUMNS)
        writer.writerows(rows)


def upload_and_confirm(page, action, file_path, expected):
    page.goto(f"{page.base}{action}")
    page.locator(f"form[action$='{action}'] input[type=file]").set_input_files(str(file_path))
    submit(page, f"form[action$='{action}'] button[type=submit]")
    expect(page.locator(".import-summary")).to_contain_text(expected)
    submit(page, "form[action$='confirm/'] button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("导入成功")


def test_a_province_opens_a_year_by_importing_its_tree_catalogue_and_accounts(page, db, tmp_path):
    load_national()  # the national dictionaries `make run` loads (ethnic groups, ID rules…)
    province = Org(code="350000", name="福建省卫生健康委员会", short_name="省卫健委", is_district=True, is_site=True,
                   is_unit=False, region_code="350000")
    province.save()
    district = UserFactory(username="r350000", role=Role.DISTRICT, org=province, name="林宁")
    login(page, district.username, TEST_PASSWORD)

    # 1. 开启新年度 from 年度与字典.
    today = timezone.localdate()
    page.goto(f"{page.base}/backoffice/years/open/")
    year_number = int(page.locator("input[name=year]").input_value())
    for field, days in {"form_opens": -1, "form_closes": 20, "national_opens": 0, "national_closes": 20,
                        "confirm_deadline": 25}.items():
        page.fill(f"input[name={field}]", (today + datetime.timedelta(days=days)).isoformat())
    page.fill("input[name=cutoff_date]", datetime.date(year_number - 1, 12, 31).isoformat())
    page.check("input[name=confirm]")
    submit(page, "form.card button.primary")
    year = ExamYear.objects.get(year=year_number)
    assert year.is_current

    # 2. The org tree: 2,000 orgs from a sheet, previewed, then imported.
    tree_file = tmp_path / "fujian-orgs.csv"
    count = org_sheet(tree_file)
    page.goto(f"{page.base}/backoffice/orgs/")
    page.get_by_role("link", name="批量导入").click()
    # A first try with a slip: the preview names the row, and offers nothing to confirm.
    slipped = tmp_path / "slipped.csv"
    slipped.write_text(tree_file.read_text(encoding="utf-8").replace(",350203,单位,是,", ",350299,单位,是,"),
                       encoding="utf-8")
    page.locator("form[action$='/backoffice/orgs/import/'] input[type=file]").set_input_files(str(slipped))
    submit(page, "form[action$='/backoffice/orgs/import/'] button[type=submit]")
    expect(page.locator(".import-errors li")).to_have_text([f"第94行（{HOSPITAL}）：上级机构代码 350299 不存在（文件和系统中都没有）。"])
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    shot(page, "province-orgs-preview-errors")
    assert Org.objects.count() == 1
    upload_and_confirm(page, "/backoffice/orgs/import/", tree_file, f"新增{count}个")
    shot(page, "province-orgs-imported")
    assert Org.objects.count() == count + 1
    assert Org.objects.get(code=HOSPITAL).has_review_right

    # 3. The year's catalogue, through the catalogue import of the year's page (its template back).
    page.goto(f"{page.base}/backoffice/years/{year.pk}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载模板（CSV）").click()
    catalogue = tmp_path / "catalogue.csv"
    download.value.save_as(catalogue)
    page.locator("form[action$='/catalogue/import/'] input[type=file]").set_input_files(str(catalogue))
    submit(page, "form[action$='/catalogue/import/'] button")
    expect(page.locator("body")).to_contain_text("导入成功")

    # 4. Reviewer accounts; the new 考点's one-time password comes down in the 考区's sheet.
    accounts = tmp_path / "accounts.csv"
    account_sheet(accounts)
    upload_and_confirm(page, "/backoffice/accounts/import/", accounts, "新增3个账号")
    assert set(User.objects.filter(role__in=Role.reviewer_roles()).values_list("username", flat=True)) == {
        "r350000", "350200", "350203", HOSPITAL}
    page.goto(f"{page.base}/backoffice/years/passwords/")
    submit(page, "form[action*='/reveal/'] button")
    expect(page.locator(".password-sheet")).to_contain_text("厦门市卫生健康委员会")
    site_password = page.locator(".password-sheet td.password").first.inner_text().strip()
    logout(page)

    # The new 考点 signs in with it and must first choose his own password.
    login(page, "350200", site_password)
    assert "/accounts/first-login/" in page.url
    logout(page)

    # 5. A candidate of the freshly imported hospital submits: routed as the sheet says.
    tree = {org.code: org for org in Org.objects.filter(code__in=[HOSPITAL])}
    candidate, draft = draft_for(tree, year, HOSPITAL)
    candidate_submits(page, candidate)
    application = Application.objects.select_related("unit_review_org", "point_org", "site_org",
                                                     "district_org").get(pk=draft.pk)
    chain = [o.code for o in (application.unit_review_org, application.point_org, application.site_org,
                              application.district_org)]
    assert chain == [HOSPITAL, "350203", "350200", "350000"]
    assert application.waiting_org.code == HOSPITAL


def test_a_reviewer_keeps_his_details_up_to_date_from_the_top_bar(page, tree):
    import re

    from prereg.notify.models import SmsMessage

    reviewer = UserFactory(username="r350203", role=Role.POINT, org=tree["350203"], name="陈思", title="科员",
                           department="医政科", phone="13800002030")
    login(page, reviewer.username, TEST_PASSWORD)
    page.locator(".topbar a.who").click()
    expect(page.locator("main h1")).to_have_text("个人信息")
    page.fill("input[name=title]", "副科长")
    page.fill("input[name=phone]", "13900002031")
    submit(page, "button[name=send_code]")
    expect(page.locator(".messages")).to_contain_text("验证码已发送至139****2031")
    code = re.search(r"\d{6}", SmsMessage.objects.filter(phone="13900002031").latest("pk").text).group()
    page.fill("input[name=sms_code]", code)
    submit(page, "button.primary")
    expect(page.locator(".messages")).to_contain_text("个人信息已保存")
    shot(page, "reviewer-profile")
    reviewer.refresh_from_db()
    assert (reviewer.title, reviewer.phone) == ("副科长", "13900002031")
