"""An export in the browser: the 考区 asks for the roster, waits for the job, downloads the xlsx."""

import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD, ExportJobFactory, submitted

from .conftest import login, shot, submit

pytestmark = pytest.mark.browser


def test_the_district_exports_the_roster_and_downloads_an_xlsx_holding_its_applications(
    page, tree, year, reviewer_province, tmp_path
):
    names = ["张晓梅", "陈建国"]
    for name, unit in zip(names, ["35052401", "35010201"], strict=True):
        submitted(tree, year, unit_code=unit, name=name)

    login(page, reviewer_province.username, TEST_PASSWORD)
    page.goto(f"{page.base}/backoffice/exports/")
    submit(page, "form[action$='/backoffice/exports/new/'] button[type=submit]")
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


def test_a_running_export_shows_its_progress_and_turns_into_a_download_when_the_worker_is_done(
    page, tree, year, reviewer_quanzhou
):
    from prereg.exports import runner
    from prereg.exports.models import ExportFormat, ExportJob, ExportStatus

    submitted(tree, year, unit_code="35052401", name="林秀英")
    submitted(tree, year, unit_code="35010201", name="福州考生")  # another city: not the 泉州 考点's
    job = ExportJobFactory(owner=reviewer_quanzhou, running=True, format=ExportFormat.CSV, progress=40)

    login(page, reviewer_quanzhou.username, TEST_PASSWORD)
    page.goto(f"{page.base}/backoffice/exports/")
    row = page.locator(f"#export-job-{job.pk}")
    expect(row.locator("progress")).to_have_attribute("value", "40")
    expect(row).to_contain_text("40%")
    shot(page, "exports-running")

    # The worker picks the job up and finishes it while the page stays open: the row, polling
    # every two seconds, turns into the download link without a reload.
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.QUEUED, progress=0)
    runner.run_job(job.pk)
    download_link = row.locator("a[href$='/download/']")
    expect(download_link).to_be_visible(timeout=15_000)
    expect(row.locator("progress")).to_have_count(0)

    with page.expect_download() as info:
        download_link.click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    assert "林秀英" in text and "福州考生" not in text
    assert text.splitlines()[0].startswith("序号,报名号,姓名")


def test_the_district_narrows_an_export_to_a_unit_found_by_typing_part_of_its_name(
    page, tree, year, reviewer_province
):
    from prereg.exports.models import ExportJob

    submitted(tree, year, unit_code="35052401", name="张晓梅")
    submitted(tree, year, unit_code="35010201", name="陈建国")
    unit = tree["35052401"]

    login(page, reviewer_province.username, TEST_PASSWORD)
    page.goto(f"{page.base}/backoffice/exports/")
    box = page.locator("[data-org-picker] input[type=search]")
    box.fill("安溪")
    option = page.locator(f"[data-org-id='{unit.pk}']")
    expect(option).to_be_visible()
    option.click()
    expect(box).to_have_value(unit.name)
    expect(page.locator("[data-org-picker] input[name=unit]")).to_have_value(str(unit.pk))
    shot(page, "exports-unit-picked")
    page.locator("form[action$='/backoffice/exports/new/'] button[type=submit]").click()
    expect(page.locator("a[href$='/download/']").first).to_be_visible(timeout=30_000)
    job = ExportJob.objects.get()
    assert job.filters["unit"] == unit.pk and job.row_count == 1
    expect(page.locator(f"#export-job-{job.pk}")).to_contain_text(unit.name)
