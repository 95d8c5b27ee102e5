"""The reviewer lists at an office PC's 1366×768 (the menu beside them): every column in view without
scrolling sideways (the manual tester found 审核环节, 提交时间, 国网已办 behind the scroll and under the
sticky 操作 column); long names wrap in their cells."""

import pytest

from prereg.applications.models import Application
from prereg.catalog.models import ExamProject, Specialty
from tests.factories import TEST_PASSWORD, approve, submitted

from .conftest import login, logout, shot

pytestmark = pytest.mark.browser

OFFICE = {"width": 1366, "height": 768}
LONG_UNIT = "35010201"  # 福州市鼓楼区洪山社区卫生服务中心, the demo tree's longest unit name; its first stage is 鼓楼区's


def _long_names(application, year):
    """The longest names of the year's catalogue, and every 国网已办 mark."""
    project = ExamProject.objects.filter(exam_year=year).first() or ExamProject.objects.create(
        exam_year=year, code="CZJ", name="初中级卫生专业技术资格考试")
    specialty = max(Specialty.objects.filter(exam_year=year), key=lambda s: len(s.name))
    Application.objects.filter(pk=application.pk).update(
        project=project, level=specialty.qualification.level, qualification=specialty.qualification,
        specialty=specialty, national_marks={"unit": True, "point": True, "site": True})


def _fits(page, path):
    page.goto(f"{page.base}{path}")
    wrap = page.locator(".table-wrap").first
    sizes = wrap.evaluate("w => [w.scrollWidth, w.clientWidth]")
    assert sizes[0] <= sizes[1], f"{path}: the list is {sizes[0]} px wide in a {sizes[1]} px frame"
    # The sticky 操作 column covers no other cell: each row's last but one cell ends where 操作 begins.
    overlaps = wrap.evaluate("""w => Array.from(w.querySelectorAll('tr')).filter(tr => {
        const cells = tr.querySelectorAll('th, td'); if (cells.length < 2) return false;
        const ops = cells[cells.length - 1].getBoundingClientRect(), before = cells[cells.length - 2].getBoundingClientRect();
        return before.right > ops.left + 1; }).length""")
    assert overlaps == 0, path
    assert page.evaluate("document.documentElement.scrollWidth") <= OFFICE["width"], path


def test_every_column_of_the_reviewer_lists_is_in_view_at_1366(browser, server, tree, year, reviewer_gulou_bureau,
                                                              reviewer_fuzhou):
    for n in range(3):
        application = submitted(tree, year, unit_code=LONG_UNIT, name=f"欧阳娜娜{n}")
        _long_names(application, year)
        while application.stage != "site":  # 鼓楼区 does the 单位审查 and the 报名点确认
            application.refresh_from_db()
            application = approve(application, reviewer_gulou_bureau, opinion="同意")
    context = browser.new_context(viewport=OFFICE, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.base = server
    try:
        # 福州市卫健委 (a 考点) has the 批量提交 boxes too.
        login(page, reviewer_fuzhou.username, TEST_PASSWORD)
        _fits(page, "/backoffice/review/pending/")
        shot(page, "review-pending-1366")
        logout(page)
        login(page, reviewer_gulou_bureau.username, TEST_PASSWORD)
        _fits(page, "/backoffice/review/reviewed/")
        shot(page, "review-reviewed-1366")
    finally:
        context.close()
