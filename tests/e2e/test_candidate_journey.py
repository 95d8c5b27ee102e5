"""The candidate on a 375×812 phone: sign-up with an SMS code, the form, photos, submit, progress, PDF."""

import datetime
import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from prereg.accounts.models import User
from prereg.applications import services
from prereg.applications.models import Application, ApplicationImage, EducationRow, State, WorkRow
from prereg.catalog.models import Specialty
from prereg.demo.people import make_id_number
from prereg.notify.models import SmsMessage
from tests.factories import TEST_PASSWORD, approve

from .conftest import login, shot, submit
from .helpers import draft_for, reviewers_for

pytestmark = pytest.mark.browser

PASSWORD = "Kaosheng#2026ok"


def phone_photo(path, color, size=(2400, 1800)):
    """A phone-sized JPEG (2400×1800; the candidate's own photo upright) for the file chooser."""
    img = Image.effect_noise(size, 30).convert("RGB")
    img = Image.blend(img, Image.new("RGB", img.size, color), 0.7)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    path.write_bytes(out.getvalue())
    return str(path)


def upload(phone, slot, file_path):
    """Choosing the file is the whole act: it uploads at once and its slot shows the thumbnail."""
    form = phone.locator(f"[data-upload]:has(input[name=slot][value={slot}])").first
    form.locator("input[type=file]").set_input_files(file_path)
    expect(phone.locator(f"[id^='img-{slot}-'] figure.thumb").first).to_be_visible()


def test_a_candidate_signs_up_fills_the_form_uploads_submits_and_prints_on_a_phone(
    phone, page, tree, year, tmp_path
):
    id_number = make_id_number("350524", datetime.date(1992, 3, 14), 208)
    mobile = "13905951234"
    reviewers = reviewers_for(tree, ["35052401", "350524"])  # 安溪县医院 reviews its own staff

    # 1. Sign-up with an SMS code (the outbox backend keeps the message).
    phone.goto(f"{phone.base}/candidate/signup/")
    shot(phone, "candidate-signup-phone")
    phone.fill("input[name=name]", "李娜")
    phone.fill("input[name=id_number]", id_number)
    # A refused send (bad number) starts no countdown: the button is usable again at once.
    send = phone.locator("button[name=send_code]")
    phone.fill("input[name=phone]", "12345")
    send.click()
    expect(phone.locator("#code-status .error")).to_be_visible()
    expect(send).to_be_enabled()
    expect(send).to_have_text("发送验证码")
    phone.fill("input[name=phone]", mobile)
    send.click()
    expect(phone.locator("#code-status .ok")).to_be_visible()
    expect(send).to_be_disabled()
    expect(send).to_contain_text("秒后重发")
    code = re.search(r"\d{6}", SmsMessage.objects.filter(phone=mobile).latest("pk").text).group(0)
    phone.fill("input[name=sms_code]", code)
    phone.fill("input[name=password1]", PASSWORD)
    phone.fill("input[name=password2]", PASSWORD)
    phone.locator("form button.primary[type=submit]").click()
    phone.wait_for_url("**/candidate/**")
    user = User.objects.get(id_number=id_number)
    assert user.is_candidate and user.phone == mobile

    # The home's timeline on a phone: every date on one line, inside its milestone (in a middle
    # column of three they were squeezed to a character a line).
    phone.goto(f"{phone.base}/candidate/")
    dates = phone.locator(".year-timeline .milestone-dates > span")
    expect(dates.first).to_be_visible()
    line = phone.evaluate("parseFloat(getComputedStyle(document.querySelector('.milestone-dates')).lineHeight)")
    for i in range(dates.count()):
        box = dates.nth(i).bounding_box()
        milestone = dates.nth(i).locator("xpath=ancestor::li[1]").bounding_box()
        assert box["height"] < 1.5 * line, (i, box)
        assert box["x"] + box["width"] <= milestone["x"] + milestone["width"], (i, box, milestone)

    # 2. 基本信息 on the form: ethnicity, postcode, address, and the unit from the dictionary.
    phone.goto(f"{phone.base}/candidate/form/")
    # Nothing on the long form makes the page scroll sideways (the section index bar once stood
    # out by the difference between its margin and the page's phone padding).
    assert phone.evaluate("document.scrollingElement.scrollWidth <= document.documentElement.clientWidth")
    basic = phone.locator("#section-basic")
    # Read from the ID number before anything is saved, never asked for.
    expect(basic.locator("input[readonly][value='女']")).to_have_count(1)
    expect(basic.locator("input[readonly][value='1992-03-14']")).to_have_count(1)
    expect(phone.locator("#form-index li.todo", has_text="基本信息")).to_be_visible()
    basic.locator("select[name='basic-ethnicity']").select_option(label="汉族")
    basic.locator("input[name='basic-postcode']").fill("362400")
    basic.locator("[name='basic-address']").fill("福建省泉州市安溪县凤城镇")
    # A typo first: the no-match answer must leave the search working for the corrected name.
    basic.locator("#unit-q").fill("安西县医院")
    expect(basic.locator("#unit-results .message.warning")).to_be_visible()
    basic.locator("#unit-q").fill("安溪县医院")
    basic.locator("button.unit-option", has_text="安溪县医院").first.click()
    basic.locator("button.primary[type=submit]").click()
    expect(phone.locator("#section-basic .message.success")).to_be_visible()
    application = Application.objects.get(candidate=user)
    assert application.unit.code == "35052401"
    assert application.birth_date == datetime.date(1992, 3, 14) and application.gender == "F"

    # 工作情况 and 教育情况 on the phone: the first row of each is there to fill.
    work = phone.locator("#section-work")
    work.locator("input[name='work-0-unit_name']").fill("安溪县医院")
    work.locator("input[name='work-0-title']").fill("医师")
    work.locator("input[name='work-0-start']").fill("2014-08")
    work.locator("input[name='work-0-major']").fill("临床医学")
    work.locator("button[type=submit]").click()
    expect(phone.locator("#section-work .message.success")).to_be_visible()
    education = phone.locator("#section-education")
    education.locator("input[name='chsi-chsi_code']").fill("090888693519")
    education.locator("select[name='edu-0-level']").select_option(label="本科")
    education.locator("input[name='edu-0-obtained']").fill("2014-07")
    education.locator("input[name='edu-0-school']").fill("福建医科大学")
    education.locator("select[name='edu-0-study_form']").select_option(label="全日制")
    education.locator("input[name='edu-0-major']").fill("临床医学")
    education.locator("button[type=submit]").click()
    expect(phone.locator("#section-education .message.success")).to_be_visible()

    # 申报信息: each choice narrows the next (htmx swaps the cascade after each change).
    specialty = Specialty.objects.filter(exam_year=year, name="呼吸内科学").select_related(
        "qualification__level", "category").first()
    scope = specialty.category.scopes.first()
    declaration = phone.locator("#section-declaration")
    for name, label in (("decl-level", specialty.qualification.level.name),
                        ("decl-qualification", specialty.qualification.name),
                        ("decl-category", specialty.category.name), ("decl-scope", scope.name),
                        ("decl-specialty", specialty.name)):
        declaration.locator(f"select[name='{name}']").select_option(label=label)
        # Each change swaps the whole cascade: choose the next only once this swap has landed.
        expect(declaration.locator("#cascade.htmx-request, #cascade.htmx-swapping, #cascade.htmx-settling")
               ).to_have_count(0)
        expect(declaration.locator(f"select[name='{name}'] option:checked")).to_have_text(label)
    declaration.locator("select[name='decl-practice_change']").select_option(label="无")
    declaration.locator("select[name='decl-current_qualification']").select_option(label="医师")
    declaration.locator("input[name='decl-current_qualification_date']").fill("2016-10")
    declaration.locator("button[type=submit]").click()
    expect(phone.locator("#section-declaration .message.success")).to_be_visible()
    application.refresh_from_db()
    assert (application.specialty_id, application.scope_id, application.chsi_code) == (
        specialty.pk, scope.pk, "090888693519")
    assert WorkRow.objects.filter(application=application).count() == 1
    assert EducationRow.objects.filter(application=application).count() == 1
    # The screenshot last: Playwright leaves style="" on the inputs it captured, and a later htmx
    # swap would copy that attribute onto new elements, which the CSP (rightly) reports.
    shot(phone, "candidate-form-basic-phone")

    # Every control is a tap target: at least 44 px tall and 24 px wide.
    small = phone.locator("#section-basic button:visible, #section-basic input:visible, #section-basic select:visible, "
                          "a.cam-link:visible, #form-index a").evaluate_all(
        "els => els.map(e => [e.name || e.textContent.trim(), e.getBoundingClientRect()])"
        ".filter(([n, r]) => r.height < 44 || r.width < 24).map(([n, r]) => n + ' ' + r.width + 'x' + r.height)")
    assert not small, small

    # 3. Photos: every 📷 slot the form asks for, chosen from the phone's files (one tap each: it
    # uploads when chosen); a row's slot sits with its row. Nothing below reloads the page.
    phone.evaluate("window.sameVisit = true")
    expect(phone.locator("#section-education [data-row] [data-slot] input[name=slot][value=education]")).to_have_count(1)
    slots = phone.locator("[data-upload] input[name=slot]").evaluate_all("els => els.map(e => e.value)")
    assert {"photo", "id_front", "id_back", "education", "category", "scope", "current_qualification"} <= set(slots)
    for i, slot in enumerate(dict.fromkeys(slots)):
        if slot in {"degree", "practice_change", "appointment", "residency", "gp", "other"}:
            continue
        upload(phone, slot, phone_photo(tmp_path / f"{slot}.jpg", (200, 180 + i * 5, 160),
                                        size=(1800, 2400) if slot == "photo" else (2400, 1800)))
    # A wrong photo is deleted in place and chosen again.
    photo_slot = phone.locator("[id^='img-photo-']")
    photo_slot.locator("form[action$='/delete/'] button").click()
    expect(photo_slot.locator("figure.thumb")).to_have_count(0)
    expect(phone.locator("form[action$='/candidate/submit/'] button")).to_be_disabled()
    upload(phone, "photo", phone_photo(tmp_path / "photo-again.jpg", (190, 190, 170), size=(1800, 2400)))
    # Beside each slot, the manual's 注意事项 and a 示例图片: a tap opens it full-size, within the phone's width.
    id_slot = phone.locator("[id^='img-id_front-']")
    expect(id_slot.locator(".slot-note")).to_contain_text("需上传正反面两张图片")
    sample = id_slot.locator("details[data-sample]").first
    sample.locator("summary").click()
    full = sample.locator("figure img")
    expect(full).to_be_visible()
    phone.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=full.element_handle())
    box = full.bounding_box()
    assert 250 < box["width"] <= 375, box
    assert phone.evaluate("window.sameVisit === true"), "the page was reloaded"
    stored = ApplicationImage.objects.filter(application=application)
    assert stored.count() >= 7
    assert all(max(img.width, img.height) <= 2400 and img.size <= 3 * 1024 * 1024 for img in stored)
    shot(phone, "candidate-form-images-phone")

    # 4. Submit, then the progress page: the submit box followed the last upload, no reload needed.
    submit = phone.locator("form[action$='/candidate/submit/'] button")
    expect(submit).to_be_enabled()
    expect(phone.locator("#form-index li.todo")).to_have_count(0)
    assert not phone.problems.console_errors, phone.problems.console_errors
    submit.click()
    phone.wait_for_url("**/candidate/progress/")
    assert any("确定提交" in m for m in phone.dialogs)
    application.refresh_from_db()
    assert (application.state, application.stage) == ("in_review", "unit")
    assert application.number
    assert "单位审查" in phone.content()
    shot(phone, "candidate-progress-phone")

    # 5. After the 报名点's confirmation the confirmation form (审核确认单) can be printed.
    approve(application, reviewers["35052401"])
    application.refresh_from_db()
    approve(application, reviewers["350524"])
    phone.reload()
    link = phone.locator("a[href$='/candidate/confirmation.pdf']").first
    expect(link).to_be_visible()
    response = phone.request.get(f"{phone.base}/candidate/confirmation.pdf")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF") and len(body) > 1000
    (tmp_path / "confirmation.pdf").write_bytes(body)


def test_on_a_phone_messages_show_at_the_field_nothing_typed_is_lost_and_a_returned_form_goes_back(
    phone, tree, year
):
    """Validation messages, a new mobile number confirmed by SMS, coming back, withdrawing,
    resubmitting, and a return to the candidate with its reason, edited and submitted again."""
    candidate, application = draft_for(tree, year, "35052401")
    reviewer = reviewers_for(tree, ["35052401"])["35052401"]
    login(phone, candidate.id_number, TEST_PASSWORD)
    phone.goto(f"{phone.base}/candidate/form/")

    # 工作情况: an end before the start is refused at the field; what was typed stays.
    work = phone.locator("#section-work")
    work.locator("input[name='work-0-title']").fill("主治医师")
    work.locator("input[name='work-0-end']").fill("2010-01")
    work.locator("button[type=submit]").click()
    expect(phone.locator("#section-work .error", has_text="结束时间应晚于开始时间")).to_be_visible()
    expect(phone.locator("#section-work input[name='work-0-title']")).to_have_value("主治医师")
    phone.locator("#section-work input[name='work-0-end']").fill("")
    phone.locator("#section-work button[type=submit]").click()
    expect(phone.locator("#section-work .message.success")).to_be_visible()

    # 基本信息: a bad postcode, then a new mobile number that needs the code sent to it.
    basic = phone.locator("#section-basic")
    basic.locator("input[name='basic-postcode']").fill("35")
    basic.locator("[name='basic-address']").fill("福建省泉州市安溪县城厢镇")
    basic.locator("button.primary[type=submit]").click()
    expect(phone.locator("#section-basic .error", has_text="邮编应为6位数字")).to_be_visible()
    expect(phone.locator("#section-basic [name='basic-address']")).to_have_value("福建省泉州市安溪县城厢镇")
    basic = phone.locator("#section-basic")
    basic.locator("input[name='basic-postcode']").fill("362400")
    basic.locator("input[name='basic-phone']").fill("13905958888")
    basic.locator("button.primary[type=submit]").click()
    expect(phone.locator("#section-basic .error", has_text="请获取并填写短信验证码")).to_be_visible()
    phone.locator("#section-basic button[name=send_code]").click()
    expect(phone.locator("#phone-code-status")).to_contain_text("验证码已发送")
    code = re.search(r"\d{6}", SmsMessage.objects.filter(phone="13905958888").latest("pk").text).group(0)
    phone.locator("#section-basic input[name='basic-sms_code']").fill("000000" if code != "000000" else "111111")
    phone.locator("#section-basic button.primary[type=submit]").click()
    expect(phone.locator("#section-basic .error", has_text="验证码错误")).to_be_visible()
    expect(phone.locator("#section-basic input[name='basic-phone']")).to_have_value("13905958888")
    phone.locator("#section-basic input[name='basic-sms_code']").fill(code)
    phone.locator("#section-basic button.primary[type=submit]").click()
    expect(phone.locator("#section-basic .message.success")).to_be_visible()
    shot(phone, "candidate-form-messages-phone")

    # Coming back: everything saved is there.
    phone.goto(f"{phone.base}/candidate/form/")
    expect(phone.locator("input[name='work-0-title']")).to_have_value("主治医师")
    expect(phone.locator("input[name='basic-phone']")).to_have_value("13905958888")
    expect(phone.locator("[name='basic-address']")).to_have_value("福建省泉州市安溪县城厢镇")

    # Submit, withdraw while no reviewer has decided, submit again.
    phone.locator("form[action$='/candidate/submit/'] button").click()
    phone.wait_for_url("**/candidate/progress/")
    submit(phone, "form[action$='/candidate/withdraw/'] button")
    application.refresh_from_db()
    assert application.state != State.IN_REVIEW
    assert any("撤回" in m for m in phone.dialogs)
    phone.goto(f"{phone.base}/candidate/form/")
    phone.locator("form[action$='/candidate/submit/'] button").click()
    phone.wait_for_url("**/candidate/progress/")
    application.refresh_from_db()
    assert (application.state, application.stage) == ("in_review", "unit")

    # The unit returns it to the candidate: the reason is at the top, he edits and resubmits.
    services.application_reject(actor=reviewer, application_id=application.pk, expected_version=application.version,
                                reason="工作单位填写不全，请补充科室", to="candidate")
    phone.goto(f"{phone.base}/candidate/form/")
    expect(phone.locator(".returned-reason")).to_contain_text("工作单位填写不全，请补充科室")
    phone.locator("#section-work input[name='work-0-unit_name']").fill("安溪县医院内科")
    phone.locator("#section-work button[type=submit]").click()
    expect(phone.locator("#section-work .message.success")).to_be_visible()
    phone.locator("form[action$='/candidate/submit/'] button").click()
    phone.wait_for_url("**/candidate/progress/")
    application.refresh_from_db()
    assert (application.state, application.stage) == ("in_review", "unit")
    assert WorkRow.objects.get(application=application).unit_name == "安溪县医院内科"
    expect(phone.locator("body")).to_contain_text("单位审查")
    shot(phone, "candidate-resubmitted-phone")
