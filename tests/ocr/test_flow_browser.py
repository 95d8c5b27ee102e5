"""On a phone: the photo is read after the upload has answered, and its warning comes without a reload."""

import pytest
from playwright.sync_api import expect

from prereg.applications.models import ApplicationImage, EducationRow
from tests.e2e import conftest as e2e
from tests.e2e.test_candidate_journey import phone_photo
from tests.factories import TEST_PASSWORD, ApplicationFactory, EducationRowFactory

from . import test_flow
from .test_flow import DIPLOMA, read_now

_playwright, browser, server, phone = e2e._playwright, e2e.browser, e2e.server, e2e.phone
queued = test_flow.queued

pytestmark = pytest.mark.browser


def test_the_warning_of_a_photo_read_after_the_upload_shows_in_its_slot(phone, queued, tmp_path, year, tree,
                                                                          candidate):
    application = ApplicationFactory(candidate=candidate, exam_year=year, unit=tree["35052401"], name="李娜")
    row = EducationRowFactory(application=application)  # 福建医科大学
    photo = phone_photo(tmp_path / "diploma.jpg", (200, 190, 170))

    e2e.login(phone, candidate.username, TEST_PASSWORD)
    phone.goto(f"{phone.base}/candidate/form/")
    slot = phone.locator(f"#img-education-{row.pk}")
    # A row's slot on a page fresh from the server (no section saved before): its upload works.
    slot.locator("input[type=file]").set_input_files(photo)
    expect(slot.locator("figure.thumb")).to_be_visible()
    expect(slot.locator("[data-ocr-pending]")).to_be_visible()

    read_now(queued, ApplicationImage.objects.get(application=application), DIPLOMA)
    warning = phone.locator(f"#img-education-{row.pk} [data-ocr-warning]")
    expect(warning).to_contain_text("照片中的学校（厦门大学）与填写的学校（福建医科大学）不一致，请核对。", timeout=10000)
    expect(phone.locator(f"#img-education-{row.pk} [data-ocr-pending]")).to_have_count(0)
    assert EducationRow.objects.get(pk=row.pk).school == "福建医科大学"  # a warning, nothing changed
    assert not phone.problems.console_errors, phone.problems.console_errors

    # After a reload, the row's image is deleted in place (not the section's form sent instead).
    phone.reload()
    slot = phone.locator(f"#img-education-{row.pk}")
    thumbnail = slot.locator("figure.thumb img")
    thumbnail.scroll_into_view_if_needed()
    expect(thumbnail).to_have_js_property("complete", True)  # its thumbnail loaded before it goes
    slot.locator("button", has_text="删除").click()
    expect(slot.locator("figure.thumb")).to_have_count(0)
    assert not ApplicationImage.objects.filter(application=application).exists()
    assert not phone.problems.console_errors, phone.problems.console_errors
