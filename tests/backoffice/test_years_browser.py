"""Browser journey of the yearly cycle: the 考区 opens a year, imports a catalogue (and is refused
a bad one), hands down the new passwords, a reviewer is forced through the change, a returning
candidate finds last year's data, and a submission after the window is refused with the dates."""

import contextlib
import datetime

import pytest

from prereg.applications.models import Application, State
from prereg.catalog.models import ExamYear
from tests.catalog.test_import import GOOD
from tests.catalog.test_year_open import end_year
from tests.e2e import conftest as e2e
from tests.e2e.conftest import login, logout, shot, submit
from tests.factories import TEST_PASSWORD, ApplicationFactory, EducationRowFactory, windows

# The browser fixtures of tests/e2e, used here too (a conftest's fixtures reach only its folder).
_playwright, browser = e2e._playwright, e2e.browser
server, page, another_page = e2e.server, e2e.page, e2e.another_page

pytestmark = pytest.mark.browser


def accept(dialog):
    with contextlib.suppress(Exception):  # data-confirm asks; the journey says yes
        dialog.accept()


def test_a_year_is_opened_and_run_end_to_end(page, another_page, year, tree, reviewer_province, reviewer_quanzhou,
                                             candidate):
    old = ApplicationFactory(candidate=candidate, exam_year=year, unit=tree["35052401"], name=candidate.name,
                             postcode="362400", address="安溪县凤城镇")
    EducationRowFactory(application=old, school="福建医科大学", major="临床医学")
    end_year(year)
    new_year = year.year + 1

    # The 考区 opens the new year through the form.
    login(page, reviewer_province.username, TEST_PASSWORD)
    page.click("aside a:has-text('年度与字典')")
    page.click("text=开启新年度")
    page.fill("input[name=year]", str(new_year))
    for field, value in windows(new_year).items():
        page.fill(f"input[name={field}]", value.isoformat())
    page.check("input[name=confirm]")
    page.on("dialog", accept)
    submit(page, "main form button.primary")
    assert f"{new_year}年度已开启" in page.content()
    assert ExamYear.current().year == new_year
    shot(page, "years-opened")

    # A bad catalogue is refused with row errors; a good one is imported.
    bad = GOOD + "申报专业,心内科学,399,中级,副主任医师,,,,,\n"
    page.set_input_files("input[name=file]", files=[{"name": "bad.csv", "mimeType": "text/csv",
                                                      "buffer": bad.encode()}])
    submit(page, "form[action$='/catalogue/import/'] button")
    assert "第8行" in page.content() and "副主任医师" in page.content() and "整份不导入" in page.content()
    shot(page, "years-import-refused")
    page.set_input_files("input[name=file]", files=[{"name": "good.csv", "mimeType": "text/csv",
                                                      "buffer": GOOD.encode()}])
    submit(page, "form[action$='/catalogue/import/'] button")
    assert "导入成功" in page.content()

    # The province reads its cities' one-time passwords, once.
    page.goto(f"{page.base}/backoffice/years/passwords/")
    submit(page, "text=查看新密码")
    row = page.locator("tr", has_text=reviewer_quanzhou.username)
    new_password = row.locator("td.password").inner_text().strip()
    shot(page, "years-password-sheet")
    page.goto(f"{page.base}/backoffice/years/passwords/")
    assert "查看新密码" not in page.content() and "已于" in page.content()

    # The Quanzhou reviewer's old password is gone; the new one leads to the forced change.
    login(another_page, reviewer_quanzhou.username, TEST_PASSWORD)
    assert "/accounts/login/" in another_page.url
    login(another_page, reviewer_quanzhou.username, new_password)
    assert another_page.url.endswith("/accounts/first-login/")
    another_page.goto(f"{another_page.base}/backoffice/")
    assert another_page.url.endswith("/accounts/first-login/")
    # Through the change: a new password and the profile again, then the back office opens.
    chosen = "Quanzhou-2021-new"
    another_page.fill("input[name='pw-old_password']", new_password)
    another_page.fill("input[name='pw-new_password1']", chosen)
    another_page.fill("input[name='pw-new_password2']", chosen)
    another_page.fill("input[name='profile-name']", "泉州审核员")
    another_page.fill("input[name='profile-title']", "科员")
    another_page.fill("input[name='profile-department']", "科教科")
    # The phone already on the account is kept: no code asked (a new one would need the code sent to it).
    submit(another_page, "#first-login-save")
    assert "/accounts/first-login/" not in another_page.url
    another_page.goto(f"{another_page.base}/backoffice/review/pending/")
    assert another_page.url.endswith("/backoffice/review/pending/")
    reviewer_quanzhou.refresh_from_db()
    assert not reviewer_quanzhou.must_change_password and reviewer_quanzhou.profile_completed
    assert reviewer_quanzhou.check_password(chosen)

    # The returning candidate finds last year's data in the new year's form.
    logout(page)
    login(page, candidate.username, TEST_PASSWORD)
    page.goto(f"{page.base}/candidate/form/")
    content = page.content()
    assert f"{new_year}年度" in content and "福建医科大学" in content
    shot(page, "years-carry-over")

    # The window closes: the submission is refused with the dates.
    closed = ExamYear.current()
    closed.form_opens, closed.form_closes = datetime.date(2000, 1, 1), datetime.date(2000, 1, 31)
    closed.save()
    page.goto(f"{page.base}/candidate/form/")
    token = page.input_value("form[action$='/candidate/submit/'] input[name=csrfmiddlewaretoken]")
    version = page.input_value("form[action$='/candidate/submit/'] input[name=version]")
    response = page.request.post(f"{page.base}/candidate/submit/", form={
        "csrfmiddlewaretoken": token, "version": version}, headers={"Referer": page.url})
    assert response.ok
    assert "2000年1月1日至2000年1月31日" in response.text()  # catalog.timeline.day_text
    assert Application.objects.get(candidate=candidate, exam_year=closed).state == State.DRAFT
