"""Every role signs in through the real login page and lands on its home; the first-login flow."""

import re

import pytest
from playwright.sync_api import expect

from prereg.accounts.models import Role
from prereg.applications.models import Application
from prereg.notify.models import SmsMessage
from tests.factories import TEST_PASSWORD, UserFactory, spread

from .conftest import login, logout, shot, submit

pytestmark = pytest.mark.browser


def test_the_login_page_renders_with_its_own_styles_and_no_foreign_requests(page, server):
    response = page.goto(f"{server}/accounts/login/")
    assert response.status == 200
    assert page.locator("h1").inner_text() == "用户登录"
    # app.css is served (static files work under the live server) and applied.
    css = page.request.get(f"{server}/static/prereg/app.css")
    assert css.status == 200
    shot(page, "login")


def test_a_wrong_password_keeps_the_visitor_on_the_login_page_with_a_chinese_message(page, candidate):
    login(page, candidate.username, "not-the-password")
    assert "/accounts/login/" in page.url
    assert "账号或密码错误" in page.content()


def test_a_candidate_signs_in_with_his_id_number_and_lands_on_the_candidate_home(phone, candidate, year):
    login(phone, candidate.id_number, TEST_PASSWORD)
    assert phone.url.endswith("/candidate/")
    assert phone.locator("h1").first.inner_text() == "考生首页"
    assert year.name in phone.content()
    shot(phone, "candidate-home-phone")
    logout(phone)
    assert "/accounts/login/" in phone.url


@pytest.mark.parametrize(
    "fixture_name, org_name_part",
    [
        ("reviewer_province", "省"),
        ("reviewer_quanzhou", "泉州"),
        ("reviewer_anxi_bureau", "安溪"),
        ("reviewer_anxi_hospital", "安溪"),
    ],
)
def test_each_reviewer_level_signs_in_and_lands_on_the_back_office_dashboard(
    request, page, tree, year, fixture_name, org_name_part
):
    spread(tree, year)
    reviewer = request.getfixturevalue(fixture_name)
    login(page, reviewer.username, TEST_PASSWORD)
    assert page.url.endswith("/backoffice/")
    assert page.locator("main h1").inner_text() == "工作台"
    assert org_name_part in page.locator(".topbar .who").inner_text()
    assert reviewer.get_role_display() in page.content()
    # The year's progress over his scope, with the way to 进度跟踪.
    progress = page.locator(".dashboard-progress")
    expect(progress.locator("h2")).to_contain_text(f"{year.name}进度")
    total = progress.locator(".card.stat", has_text="范围内报名信息").locator(".stat-value").inner_text()
    assert int(total) == Application.objects.visible_to(reviewer).filter(exam_year=year).count()
    shot(page, f"dashboard-{reviewer.role}")


def test_the_sysadmin_and_the_auditor_sign_in_to_the_back_office(page, another_page, sysadmin, auditor):
    login(page, sysadmin.username, TEST_PASSWORD)
    assert page.url.endswith("/backoffice/")
    login(another_page, auditor.username, TEST_PASSWORD)
    assert another_page.url.endswith("/backoffice/")
    assert "审计管理员" in another_page.content() or auditor.get_role_display() in another_page.content()


def test_a_reviewer_with_a_one_time_password_must_complete_his_profile_and_change_it_first(page, tree):
    reviewer = UserFactory(username="r350122", role=Role.POINT, org=tree["350122"], name="",
                           profile_completed=False, must_change_password=True, phone="")
    login(page, "r350122", TEST_PASSWORD)
    assert page.url.endswith("/accounts/first-login/")
    shot(page, "first-login")
    # Nothing else opens before the flow is finished.
    page.goto(f"{page.base}/backoffice/")
    assert page.url.endswith("/accounts/first-login/")

    page.fill("input[name='profile-name']", "陈晓")
    page.fill("input[name='profile-title']", "科员")
    page.fill("input[name='profile-department']", "医政科")
    page.fill("input[name='profile-phone']", "13800001234")
    page.fill("input[name='pw-old_password']", TEST_PASSWORD)
    page.fill("input[name='pw-new_password1']", "short")
    page.fill("input[name='pw-new_password2']", "short")
    # A new phone is confirmed by the code sent to it (找回密码 sends its codes there), as on 个人信息;
    # the code is asked for in place: nothing typed is lost.
    page.click("button[name=send_code]")
    expect(page.locator("#phone-code-status")).to_contain_text("验证码已发送至138****1234")
    assert page.input_value("input[name='pw-new_password1']") == "short"
    code = re.search(r"\d{6}", SmsMessage.objects.filter(phone="13800001234").latest("pk").text).group()
    page.fill("input[name='profile-sms_code']", code)
    submit(page, "#first-login-save")
    # A weak password is refused at the field, and what was typed in the profile is kept.
    assert page.url.endswith("/accounts/first-login/")
    assert page.locator(".error").count() >= 1
    assert page.input_value("input[name='profile-name']") == "陈晓"

    new_password = "Xin#Mima2026ok"
    page.fill("input[name='pw-old_password']", TEST_PASSWORD)
    page.fill("input[name='pw-new_password1']", new_password)
    page.fill("input[name='pw-new_password2']", new_password)
    submit(page, "#first-login-save")
    assert page.url.endswith("/backoffice/")
    reviewer.refresh_from_db()
    assert reviewer.profile_completed and not reviewer.must_change_password and reviewer.name == "陈晓"
    assert reviewer.phone == "13800001234"

    logout(page)
    login(page, "r350122", new_password)
    assert page.url.endswith("/backoffice/")
