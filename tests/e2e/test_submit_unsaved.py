"""提交审核 with a section typed into and not saved, and a refused save on a returned application (phone probe).

F1: the submit posts what is saved. Tapped with a section changed and not saved, it submitted the old values and
locked the form, the typing lost (iOS Safari asks nothing on beforeunload). It now submits nothing and says at its
card which sections to save first.
F2: a refused save of a returned application focused the reviewer's 审核意见 at the section's top (red, like an
error), thousands of pixels above the field to fix; it now focuses the first field in error.
"""

import pytest
from playwright.sync_api import expect

from prereg.applications import services
from prereg.applications.models import Application, EducationRow, State, WorkRow
from tests.factories import TEST_PASSWORD, EducationRowFactory, complete_application

from .conftest import login

pytestmark = pytest.mark.browser

SUBMIT = "form[action$='/candidate/submit/'] button"


def test_an_unsaved_section_stops_the_submit_and_is_named_until_it_is_saved(phone, year, tree, candidate):
    application = complete_application(candidate, year, tree)
    login(phone, candidate.username, TEST_PASSWORD)
    phone.goto(f"{phone.base}/candidate/form/")
    work = phone.locator("#section-work")
    work.locator("input[name='work-0-major']").fill("内科学")
    education = phone.locator("#section-education")
    education.locator("input[name$='-0-school']").fill("福建中医药大学")

    phone.locator(SUBMIT).click()
    message = phone.locator("#submit [data-unsaved-sections]")
    expect(message).to_have_text(
        "以下部分有未保存的修改：工作情况、教育情况。请先点各部分的“保存”按钮，再点“提交审核”。"
    )
    expect(message).to_be_focused()
    expect(message.get_by_role("link", name="工作情况")).to_have_attribute("href", "#section-work")
    expect(message.get_by_role("link", name="教育情况")).to_have_attribute("href", "#section-education")
    assert phone.dialogs == []  # refused before the confirm asks
    application.refresh_from_db()
    assert application.state == State.DRAFT
    assert WorkRow.objects.get(application=application).major == "临床医学"
    expect(work.locator("input[name='work-0-major']")).to_have_value("内科学")  # the typing is still there

    work.get_by_role("button", name="保存工作情况").click()
    expect(phone.locator("#section-work [data-saved]")).to_have_text("已保存。")
    expect(phone.locator("#submit [data-unsaved-sections]")).to_have_count(0)  # the card drawn again
    phone.locator(SUBMIT).click()  # the other section is still unsaved
    expect(message).to_have_text(
        "以下部分有未保存的修改：教育情况。请先点各部分的“保存”按钮，再点“提交审核”。"
    )
    assert Application.objects.get(pk=application.pk).state == State.DRAFT
    education.get_by_role("button", name="保存教育情况").click()
    expect(phone.locator("#section-education [data-saved]")).to_have_text("已保存。")
    expect(phone.locator("#submit [data-unsaved-sections]")).to_have_count(0)
    phone.locator(SUBMIT).click()
    phone.wait_for_url("**/candidate/progress/")
    assert phone.dialogs == ["提交后进入审核，审核期间不能修改。确定提交？"]
    application.refresh_from_db()
    assert application.state == State.IN_REVIEW
    assert WorkRow.objects.get(application=application).major == "内科学"
    assert EducationRow.objects.get(application=application).school == "福建中医药大学"


def test_a_refused_save_of_a_returned_application_focuses_the_field_not_the_review_note(
    phone, year, tree, candidate, reviewer_anxi_hospital
):
    application = complete_application(candidate, year, tree)
    first = EducationRow.objects.get(application=application)
    EducationRowFactory(
        application=application,
        level="硕士研究生",
        school="复旦大学",
        major="内科学",
        order=1,
        obtained=first.obtained.replace(year=first.obtained.year + 3),
    )
    application = services.application_submit(actor=candidate, application_id=application.pk)
    services.field_check_set(
        actor=reviewer_anxi_hospital,
        application_id=application.pk,
        field=f"education:{first.pk}",
        consistent=False,
    )
    application.refresh_from_db()
    services.application_reject(
        actor=reviewer_anxi_hospital,
        application_id=application.pk,
        expected_version=application.version,
        reason="学历证书与所填不符",
        to="candidate",
    )
    assert Application.objects.get(pk=application.pk).state == State.RETURNED

    login(phone, candidate.username, TEST_PASSWORD)
    phone.goto(f"{phone.base}/candidate/form/")
    education = phone.locator("#section-education")
    expect(education.locator("[data-review-marks]")).to_contain_text("审核意见：以下项目与原件图片不符")
    school = education.locator("input[name$='-1-school']")
    school.fill("")
    education.get_by_role("button", name="保存教育情况").click()
    expect(phone.locator("#section-education .actions .message.error")).to_have_text(
        "未保存：请按标红的提示修改后再保存。"
    )
    # The answer kept the reviewer's notes (the section's and the first row's slot): the focus skipped them.
    expect(phone.locator("#section-education [data-review-marks]")).to_be_visible()
    expect(phone.locator("#section-education [data-review-mismatch]")).to_have_count(1)
    focused = phone.locator("#section-education input[name$='-1-school']")
    expect(focused).to_be_focused()
    expect(focused).to_have_attribute("aria-invalid", "true")
    box = focused.bounding_box()
    assert box and 0 <= box["y"] <= phone.viewport_size["height"], box  # brought into view
