"""An export in the browser: the 考区 asks for the roster, waits for the job, downloads the xlsx."""

import zipfile

import pytest
from playwright.sync_api import expect

from tests.applications.review_helpers import submitted
from tests.factories import TEST_PASSWORD

from .conftest import login, shot

pytestmark = pytest.mark.browser


def test_the_district_exports_the_roster_and_downloads_an_xlsx_holding_its_applications(
    page, tree, year, reviewer_province, tmp_path
):
    names = ["张晓梅", "陈建国"]
    for name, unit in zip(names, ["35052401", "35010201"], strict=True):
        submitted(tree, year, unit_code=unit, name=name)

    login(page, reviewer_province.username, TEST_PASSWORD)
    page.goto(f"{page.base}/backoffice/exports/")
    page.locator("form[action$='/backoffice/exports/new/'] button[type=submit]").click()
    page.wait_for_load_state("load")
    download_link = page.locator("a[href$='/download/']").first
    # The job runs in the background; the row polls until it is done.
    expect(download_link).to_be_visible(timeout=30_000)
    shot(page, "exports-done")

    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    with zipfile.ZipFile(path) as book:
        assert "xl/workbook.xml" in book.namelist()
        text = "".join(book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xml"))
    for name in names:
        assert name in text
