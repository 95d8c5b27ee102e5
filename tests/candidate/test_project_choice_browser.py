"""On a 375×812 phone: the 考试项目 first, its levels only, and a change of project clears the choices below."""

import pytest
from playwright.sync_api import expect

from prereg.applications.models import Application
from prereg.catalog.models import ExamProject
from prereg.demo.years import seed_senior_project
from tests.e2e import conftest as e2e
from tests.factories import TEST_PASSWORD

# The browser fixtures of tests/e2e, used here too (a conftest's fixtures reach only its folder).
_playwright, browser, server, phone = e2e._playwright, e2e.browser, e2e.server, e2e.phone

pytestmark = pytest.mark.browser


def settled(section):
    expect(section.locator("#cascade.htmx-request, #cascade.htmx-swapping, #cascade.htmx-settling")).to_have_count(0)


def test_on_a_phone_the_project_comes_first_and_a_new_project_clears_the_old_levels(phone, year, tree, candidate):
    ExamProject.objects.create(exam_year=year, code="CZJ", name="初中级卫生专业技术资格考试")
    seed_senior_project(year)
    e2e.login(phone, candidate.username, TEST_PASSWORD)
    phone.goto(f"{phone.base}/candidate/form/")
    declaration = phone.locator("#section-declaration")
    level = declaration.locator("select[name='decl-level']")
    expect(level.locator("option")).to_have_text(["请先选择考试项目"])

    declaration.locator("select[name='decl-project']").select_option(label="初中级卫生专业技术资格考试")
    settled(declaration)
    expect(level.locator("option")).to_have_text(["请选择", "初级(士)", "初级(师)", "中级"])
    level.select_option(label="中级")
    settled(declaration)
    expect(declaration.locator("select[name='decl-qualification'] option")).not_to_have_count(1)

    declaration.locator("select[name='decl-project']").select_option(label="高级卫生专业技术资格考试")
    settled(declaration)
    expect(level.locator("option")).to_have_text(["请选择", "副高级", "正高级"])
    expect(level.locator("option:checked")).to_have_text("请选择")  # 中级 is gone with its project
    expect(declaration.locator("select[name='decl-qualification'] option")).to_have_text(["请选择"])
    level.select_option(label="副高级")
    settled(declaration)
    declaration.locator("select[name='decl-qualification']").select_option(label="副主任医师")
    settled(declaration)
    declaration.locator("select[name='decl-category']").select_option(label="临床")
    settled(declaration)
    declaration.locator("select[name='decl-scope']").select_option(index=1)
    settled(declaration)
    declaration.locator("select[name='decl-specialty']").select_option(label="呼吸内科")
    settled(declaration)
    declaration.locator("button[type=submit]").click()
    expect(phone.locator("#section-declaration .message.success")).to_be_visible()
    application = Application.objects.get(candidate=candidate)
    assert (application.project.code, application.level.name) == ("GJ", "副高级")
    assert not phone.problems.console_errors, phone.problems.console_errors
