"""The registration form: each section saves on its own, with Chinese messages at the field."""

import datetime
import re

import pytest
from django.contrib.auth import get_user
from django.urls import reverse

from prereg.applications.carryover import start_application
from prereg.applications.models import Application, EducationRow, State, WorkRow
from prereg.candidate.views.common import current_application
from prereg.catalog.models import Ethnicity, PracticeCategory, Qualification
from tests.e2e import conftest as e2e
from tests.factories import complete_application, formset_data

_playwright, browser, server, phone = e2e._playwright, e2e.browser, e2e.server, e2e.phone

NEXT_YEAR = f"{datetime.date.today().year + 1}-01"


@pytest.fixture
def app(client, year, tree, candidate):
    client.force_login(candidate)
    return start_application(candidate=candidate, exam_year=year)


def post(client, section, payload, htmx=True):
    """A section saved as its page posts it: with the version the page was loaded with."""
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    version = current_application(get_user(client)).version
    return client.post(reverse("candidate:section", args=[section]), {"version": version, **payload}, **extra)


def basic(tree, **extra):
    return {"basic-name": "曹操", "basic-ethnicity": Ethnicity.objects.get(code="01").pk,
            "basic-unit": tree["35052401"].pk, "basic-postcode": "350000", "basic-phone": "",
            "basic-address": "福建省福州市鼓楼区", **extra}


def test_the_form_page_opens_and_starts_a_draft(client, year, tree, candidate):
    client.force_login(candidate)
    response = client.get(reverse("candidate:form"))
    assert response.status_code == 200
    body = response.content.decode()
    for title in ["基本信息", "工作情况", "教育情况", "申报信息及现有资格", "现有资格聘任情况", "住院医师规范化培训",
                  "全科医生规范化培训", "其他", "证件图片", "自动选择审核机构"]:
        assert title in body
    assert Application.objects.filter(candidate=candidate).count() == 1


def test_basic_section_saves_and_fills_birth_date_and_gender_from_the_id(client, app, tree):
    response = post(client, "basic", basic(tree, **{"basic-phone": app.phone}))
    assert "已保存" in response.content.decode()
    app.refresh_from_db()
    assert app.unit == tree["35052401"] and app.birth_date == datetime.date(1990, 1, 1)
    assert app.gender in ("M", "F")


def test_basic_section_messages_at_the_field_keep_what_was_typed(client, app, tree):
    body = post(client, "basic", basic(tree, **{"basic-postcode": "35", "basic-unit": "",
                                               "basic-phone": app.phone})).content.decode()
    assert "邮编应为6位数字" in body and "请搜索并选择单位名称" in body
    assert '福建省福州市鼓楼区</textarea>' in body
    app.refresh_from_db()
    assert app.address == ""


def test_changing_the_phone_needs_an_sms_code(client, app, tree):
    body = post(client, "basic", basic(tree, **{"basic-phone": "13900001111"})).content.decode()
    assert "请获取并填写短信验证码" in body


def test_work_rows_save_and_an_end_before_the_start_is_refused(client, app):
    bad = formset_data("work", {"unit_name": "安溪县医院", "title": "医师", "start": "2015-08", "end": "2014-12", "major": "护理"})
    assert "结束时间应晚于开始时间" in post(client, "work", bad).content.decode()
    future = formset_data("work", {"unit_name": "安溪县医院", "title": "医师", "start": NEXT_YEAR, "end": "", "major": "护理"})
    assert "日期不能晚于今天" in post(client, "work", future).content.decode()
    assert not WorkRow.objects.exists()
    good = formset_data("work", {"unit_name": "安溪县医院", "title": "医师", "start": "2015-08", "end": "", "major": "护理"})
    post(client, "work", good)
    assert WorkRow.objects.get().start == datetime.date(2015, 8, 1)


def test_education_needs_the_chsi_code_and_the_first_row_is_the_rated_one(client, app):
    edu = {"level": "本科", "obtained": "2015-11", "school": "福州大学", "study_form": "全日制", "major": "护理"}
    payload = {"chsi-chsi_code": "12345", **formset_data("edu", edu, edu), **formset_data("deg")}
    body = post(client, "education", payload).content.decode()
    assert "学信网在线验证码应为12位数字" in body
    payload["chsi-chsi_code"] = "无"
    post(client, "education", payload)
    app.refresh_from_db()
    assert app.chsi_code == "无"
    assert list(EducationRow.objects.order_by("order").values_list("order", flat=True)) == [0, 1]


def test_a_removed_row_disappears(client, app):
    row = WorkRow.objects.create(application=app, unit_name="甲", start=datetime.date(2015, 1, 1))
    payload = formset_data("work", {"id": row.pk, "unit_name": "甲", "title": "", "start": "2015-01", "end": "", "major": "",
                            "DELETE": "on"}, initial=1)
    post(client, "work", payload)
    assert not WorkRow.objects.exists()


def test_the_cascade_narrows_each_select_by_the_previous(client, app, year):
    qualification = Qualification.objects.filter(exam_year=year, name="主管护师").first() or \
        Qualification.objects.filter(exam_year=year).first()
    response = client.get(reverse("candidate:cascade"), {"decl-level": qualification.level_id,
                                                         "decl-qualification": qualification.pk})
    body = response.content.decode()
    other_level = Qualification.objects.filter(exam_year=year).exclude(level=qualification.level).first()
    assert qualification.name in body and other_level.name not in body


def test_a_nurse_category_skips_the_scope(client, app, year):
    nurse = PracticeCategory.objects.get(exam_year=year, name="护理")
    assert not nurse.has_scopes
    qualification = nurse.qualifications.first()
    specialty = qualification.specialties.filter(category=nurse).first()
    payload = {"decl-level": qualification.level_id, "decl-qualification": qualification.pk,
               "decl-category": nurse.pk, "decl-scope": "", "decl-specialty": specialty.pk,
               "decl-practice_change": "", "decl-current_qualification": "护师",
               "decl-current_qualification_date": "2016-10"}
    body = post(client, "declaration", payload).content.decode()
    assert "已保存" in body and "该执业类别无需选择" in body
    app.refresh_from_db()
    assert app.specialty == specialty and app.scope is None
    assert app.qualification_duration.endswith("月")


def test_a_current_qualification_needs_its_date(client, app, year):
    payload = {"decl-current_qualification": "护师", "decl-current_qualification_date": ""}
    assert "请填写“现有资格取得年月”" in post(client, "declaration", payload).content.decode()


def test_no_current_qualification_takes_no_date_and_the_pdf_counts_no_years(client, app, year):
    payload = {"decl-current_qualification": "无", "decl-current_qualification_date": "2018-05"}
    body = post(client, "declaration", payload).content.decode()
    assert "现有资格为“无”时不填“现有资格取得年月”" in body
    assert 'value="2018-05"' in body  # what was typed stays on the page
    app.refresh_from_db()
    assert app.current_qualification_date is None
    app.current_qualification, app.current_qualification_date = "无", datetime.date(2018, 5, 1)
    assert app.qualification_duration == ""  # a row saved before this rule prints no years either


def test_unit_search_lists_units_and_says_what_to_do_when_none_is_found(client, app):
    body = client.get(reverse("candidate:unit_search"), {"q": "安溪"}).content.decode()
    assert "安溪县医院" in body
    body = client.get(reverse("candidate:unit_search"), {"q": "不存在的医院"}).content.decode()
    assert "没有找到名称中含有这些字的单位" in body and reverse("candidate:unit_request") in body


def test_a_missing_unit_can_be_requested(client, app):
    from prereg.orgs.models import UnitRequest

    response = client.post(reverse("candidate:unit_request"),
                           {"full_name": "安溪县某某诊所", "region_code": "350524", "phone": "13800138000"})
    assert response.status_code == 302
    assert UnitRequest.objects.filter(full_name="安溪县某某诊所").exists()


def test_the_request_link_of_a_search_carries_the_name_searched_for_into_the_request(client, app):
    body = client.get(reverse("candidate:unit_search"), {"q": "安溪某某 诊所"}).content.decode()
    link = reverse("candidate:unit_request") + "?name=%E5%AE%89%E6%BA%AA%E6%9F%90%E6%9F%90%20%E8%AF%8A%E6%89%80"
    assert f'href="{link}" data-keeps-unsaved' in body  # the form's typing is kept by the script on the way
    page = client.get(link).content.decode()
    assert 'value="安溪某某 诊所"' in page


def test_unit_requests_are_limited_per_candidate(client, app, settings):
    # The security probe filed 25 requests in a row, each in a 报名点's queue and answered by SMS.
    from prereg.orgs.models import UnitRequest

    settings.RATE_LIMITS = {"unit_request": (2, 86400)}
    data = {"region_code": "350524", "phone": "13800138000"}
    assert client.post(reverse("candidate:unit_request"), {**data, "full_name": ""}).status_code == 200  # not counted
    answers = [client.post(reverse("candidate:unit_request"), {**data, "full_name": f"安溪县某某诊所{i}"})
               for i in "一二三"]
    assert [a.status_code for a in answers] == [302, 302, 429]
    assert "单位添加申请已达上限" in answers[-1].content.decode()
    assert UnitRequest.objects.count() == 2


def test_the_form_is_read_only_while_in_review(client, app, tree):
    app.state = State.IN_REVIEW
    app.save()
    body = client.get(reverse("candidate:form")).content.decode()
    assert "不能修改" in body and "保存基本信息" not in body
    post(client, "basic", basic(tree, **{"basic-phone": app.phone}), htmx=False)
    app.refresh_from_db()
    assert app.address == ""


def test_the_submit_box_lists_what_is_missing(client, app):
    body = client.get(reverse("candidate:form_status")).content.decode()
    assert "尚需补全" in body and "身份证正面" in body


def test_a_complete_application_has_nothing_missing(client, app, year, tree, candidate):
    complete_application(candidate, year, tree)
    body = client.get(reverse("candidate:form")).content.decode()
    assert "尚需补全" not in body


def test_reviewers_cannot_open_the_candidate_form(client, reviewer_anxi_hospital):
    client.force_login(reviewer_anxi_hospital)
    assert client.get(reverse("candidate:form")).status_code == 403
    assert client.post(reverse("candidate:section", args=["basic"]), {}).status_code == 403


def test_wrong_methods_are_refused(client, app):
    assert client.get(reverse("candidate:section", args=["basic"])).status_code == 405
    assert client.post(reverse("candidate:form")).status_code == 405
    assert client.post(reverse("candidate:section", args=["nope"])).status_code == 404


def test_a_new_draft_shows_gender_and_birth_date_read_from_the_id_before_any_save(client, year, tree, candidate):
    client.force_login(candidate)
    body = client.get(reverse("candidate:form")).content.decode()
    application = Application.objects.get(candidate=candidate)
    assert application.birth_date == datetime.date(1990, 1, 1) and application.gender in ("M", "F")
    assert 'value="1990-01-01" readonly' in body
    assert "基本信息：请填写“性别”" not in body and "基本信息：请填写“出生日期”" not in body


def test_a_passport_holder_types_gender_and_birth_date(client, year, tree):
    from tests.factories import CandidateFactory

    holder = CandidateFactory(id_type="passport", id_number="E12345678", username="E12345678")
    client.force_login(holder)
    client.get(reverse("candidate:form"))
    body = post(client, "basic", basic(tree, **{"basic-phone": holder.phone})).content.decode()
    assert "请选择“性别”" in body and "请填写“出生日期”" in body
    post(client, "basic", basic(tree, **{"basic-phone": holder.phone, "basic-gender": "F",
                                        "basic-birth_date": "1988-05-06"}))
    application = Application.objects.get(candidate=holder)
    assert (application.gender, application.birth_date) == ("F", datetime.date(1988, 5, 6))


def test_the_index_and_the_submit_box_follow_each_save(client, year, tree, candidate):
    client.force_login(candidate)
    application = complete_application(candidate, year, tree)
    WorkRow.objects.filter(application=application).delete()
    status = client.get(reverse("candidate:form_status")).content.decode()
    assert 'id="submit" hx-swap-oob="true"' in status and "尚需补全（1 项）" in status
    assert status.count('class="todo"') == 1 and "工作情况<small>尚需补全 1 项" in status
    work = formset_data("work", {"unit_name": "安溪县医院", "title": "医师", "start": "2015-08", "end": "", "major": "护理"})
    saved = post(client, "work", {"version": application.version, **work})
    assert saved["HX-Trigger"] == "section-saved"  # what makes the index and the submit box fetch again
    status = client.get(reverse("candidate:form_status")).content.decode()
    assert 'class="todo"' not in status and "尚需补全" not in status
    assert 'name="version"' in status and "disabled" not in status.split('id="submit"')[1].split("</form>")[0]


def test_the_unit_search_swaps_its_results_inside_their_box(client, app):
    """The section form swaps itself whole (outerHTML); the search must not inherit that and replace its box."""
    body = client.get(reverse("candidate:form")).content.decode()
    search = body.split('id="unit-q"')[1].split(">")[0]
    assert 'hx-target="#unit-results"' in search and 'hx-swap="innerHTML"' in search


def test_an_upload_answers_with_its_slot_redrawn_and_a_deletion_redraws_it_in_place(client, year, tree, candidate):
    from prereg.applications.models import ApplicationImage
    from tests.factories import jpeg_upload

    client.force_login(candidate)
    application = complete_application(candidate, year, tree)
    row = EducationRow.objects.get(application=application, kind="education")
    another = jpeg_upload(color=(1, 2, 3))  # the slot holds the factory's picture already: this is another
    answer = client.post(reverse("candidate:image_upload"), {"slot": "education", "row_id": row.pk,
                                                             "version": application.version, "file": another},
                         HTTP_ACCEPT="application/json").json()
    assert answer["ok"] and f'id="img-education-{row.pk}"' in answer["html"]
    assert answer["html"].count('class="thumb"') == 2 and "参评学历" in answer["html"]

    image = ApplicationImage.objects.filter(application=application, slot="education").first()
    response = client.post(reverse("candidate:image_delete", args=[image.pk]), {"version": application.version},
                           HTTP_HX_REQUEST="true")
    assert response["HX-Trigger"] == "images-changed"
    body = response.content.decode()
    assert body.startswith('<div class="slot') and body.count('class="thumb"') == 1


def test_a_rows_image_slot_is_shown_with_its_row(client, year, tree, candidate):
    client.force_login(candidate)
    application = complete_application(candidate, year, tree)
    row = EducationRow.objects.get(application=application, kind="education")
    body = client.get(reverse("candidate:form")).content.decode()
    education = body.split('id="section-education"')[1].split('id="section-declaration"')[0]
    assert f'id="img-education-{row.pk}"' in education
    panel = body.split('class="card images-panel"')[1]
    assert 'value="education"' not in panel


# A page loaded before a submit and a withdrawal in another tab: its uploads and deletions carry the
# version it was loaded with, and are refused as its section saves are.

STALE_PAGE = "报名信息已在其他页面提交或撤回，请刷新页面后再修改。"


@pytest.fixture
def stale_page(client, year, tree, candidate):
    """The form page as loaded before the candidate submitted and withdrew in another tab."""
    client.force_login(candidate)
    application = complete_application(candidate, year, tree)
    page = client.get(reverse("candidate:form")).content.decode()
    client.post(reverse("candidate:submit"), {"version": application.version})
    client.post(reverse("candidate:withdraw"), {"version": application.version + 1})
    application.refresh_from_db()
    assert application.state == State.DRAFT and application.version == 2
    return page, application


def slot_markup(body, key):
    """One 📷 slot's markup (its id is img-<key>), up to the next slot."""
    return body.split(f'id="img-{key}" data-slot>')[1].split(" data-slot>")[0]


def test_every_upload_and_delete_on_the_page_carries_the_version_it_was_loaded_with(client, year, tree, candidate):
    client.force_login(candidate)
    application = complete_application(candidate, year, tree)
    Application.objects.filter(pk=application.pk).update(version=7)
    row = EducationRow.objects.get(application=application, kind="education")
    body = client.get(reverse("candidate:form")).content.decode()
    photo = slot_markup(body, "photo-")
    assert photo.count('<input type="hidden" name="version" value="7">') == 2  # the upload and the delete form
    education = body.split('id="section-education"')[1].split('id="section-declaration"')[0]
    row_slot = slot_markup(education, f"education-{row.pk}")
    assert 'data-version="7"' in row_slot and """hx-vals='{"version": "7"}'""" in row_slot
    # The row's block sits inside the section's form: the section still posts one version, its own.
    assert education.count('name="version"') == 1


def test_an_upload_from_a_stale_page_is_refused_at_its_slot_and_stores_nothing(client, stale_page):
    from prereg.applications.models import ApplicationImage
    from tests.factories import jpeg_upload

    page, application = stale_page
    row = EducationRow.objects.get(application=application, kind="education")
    version = re.search(r'data-version="(\d+)"', slot_markup(page, f"education-{row.pk}")).group(1)
    answer = client.post(reverse("candidate:image_upload"), {
        "version": version, "slot": "education", "row_id": row.pk, "file": jpeg_upload()},
        HTTP_ACCEPT="application/json")
    assert answer.status_code == 400 and answer.json() == {"ok": False, "message": STALE_PAGE, "html": ""}

    # Without scripts: the form page again, opened where the reason shows (and a returned form its reason).
    version = re.search(r'name="version" value="(\d+)"', slot_markup(page, "category-")).group(1)
    response = client.post(reverse("candidate:image_upload"), {
        "version": version, "slot": "category", "file": jpeg_upload()}, follow=True)
    assert f'<div class="message error">{STALE_PAGE}</div>' in response.content.decode()
    assert ApplicationImage.objects.filter(application=application).count() == 8  # as complete_application left it


def test_a_deletion_from_a_stale_page_is_refused_at_its_slot_and_keeps_the_image(client, stale_page):
    from prereg.applications.models import ApplicationImage

    page, application = stale_page
    row = EducationRow.objects.get(application=application, kind="education")
    [image] = ApplicationImage.objects.filter(application=application, slot="education")
    version = re.search(r"""hx-vals='\{"version": "(\d+)"\}'""", slot_markup(page, f"education-{row.pk}")).group(1)
    response = client.post(reverse("candidate:image_delete", args=[image.pk]), {"version": version},
                           HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "HX-Trigger" not in response
    assert body.startswith('<div class="slot') and STALE_PAGE in body and 'class="thumb"' in body
    assert "删除" not in body and "data-upload" not in body  # nothing more from this page until it is loaded again

    [photo] = ApplicationImage.objects.filter(application=application, slot="photo")
    version = re.search(r'name="version" value="(\d+)"', slot_markup(page, "photo-")).group(1)
    response = client.post(reverse("candidate:image_delete", args=[photo.pk]), {"version": version}, follow=True)
    assert f'<div class="message error">{STALE_PAGE}</div>' in response.content.decode()
    assert set(ApplicationImage.objects.filter(application=application).values_list("pk", flat=True)) >= {
        image.pk, photo.pk}


def test_the_reloaded_page_uploads_and_deletes_again(client, stale_page):
    from prereg.applications.models import ApplicationImage
    from tests.factories import jpeg_upload

    _page, application = stale_page
    page = client.get(reverse("candidate:form")).content.decode()
    version = re.search(r'name="version" value="(\d+)"', slot_markup(page, "category-")).group(1)
    assert version == "2"
    answer = client.post(reverse("candidate:image_upload"), {
        "version": version, "slot": "category", "file": jpeg_upload(color=(1, 2, 3))}, HTTP_ACCEPT="application/json").json()
    assert answer["ok"] and answer["html"].count('class="thumb"') == 2
    [photo] = ApplicationImage.objects.filter(application=application, slot="photo")
    response = client.post(reverse("candidate:image_delete", args=[photo.pk]), {"version": version},
                           HTTP_HX_REQUEST="true")
    assert response["HX-Trigger"] == "images-changed"
    assert not ApplicationImage.objects.filter(pk=photo.pk).exists()


def test_a_stale_sections_refusal_shows_at_the_section_not_again_at_each_rows_slot(client, stale_page):
    _page, application = stale_page
    row = EducationRow.objects.get(application=application, kind="education")
    edu = {"id": row.pk, "level": row.level, "obtained": row.obtained.strftime("%Y-%m"), "school": row.school,
           "study_form": row.study_form, "major": row.major}
    payload = {"version": 0, "chsi-chsi_code": application.chsi_code, **formset_data("edu", edu, initial=1), **formset_data("deg")}
    body = post(client, "education", payload).content.decode()
    assert body.count(STALE_PAGE) == 1 and STALE_PAGE not in slot_markup(body, f"education-{row.pk}")


@pytest.mark.parametrize("posted", [{}, {"version": ""}, {"version": "abc"}, {"version": "²"}],
                         ids=["missing", "empty", "garbled", "a digit int() does not read"])
def test_a_section_save_without_a_readable_version_is_refused_as_from_a_stale_page(client, app, tree, posted):
    """Every page carries its version: a post without one is no page of ours as it is now, not a pass."""
    payload = basic(tree, **{"basic-phone": app.phone}, **posted)
    response = client.post(reverse("candidate:section", args=["basic"]), payload, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and STALE_PAGE in response.content.decode()
    app.refresh_from_db()
    assert app.unit != tree["35052401"]  # nothing saved


@pytest.mark.browser
def test_on_a_phone_a_stale_pages_uploads_and_deletions_are_refused_at_their_slots(phone, tmp_path, year, tree,
                                                                                   candidate):
    from playwright.sync_api import expect

    from prereg.applications import services
    from prereg.applications.models import ApplicationImage
    from tests.e2e.conftest import login
    from tests.e2e.test_candidate_journey import phone_photo
    from tests.factories import TEST_PASSWORD

    application = complete_application(candidate, year, tree)
    row = EducationRow.objects.get(application=application, kind="education")
    photo = phone_photo(tmp_path / "cert.jpg", (200, 190, 170))
    login(phone, candidate.username, TEST_PASSWORD)
    phone.goto(f"{phone.base}/candidate/form/")
    # Another tab submits and withdraws: the form is a draft again, and this page is stale.
    services.application_submit(actor=candidate, application_id=application.pk)
    services.application_withdraw(actor=candidate, application_id=application.pk)

    row_slot = phone.locator(f"#img-education-{row.pk}")  # the block inside the section's form
    row_slot.locator("input[type=file]").set_input_files(photo)
    expect(row_slot.locator(".upload-status.error")).to_have_text(STALE_PAGE)
    category = phone.locator("#img-category-")  # a <form> in the images panel
    category.locator("input[type=file]").set_input_files(photo)
    expect(category.locator(".upload-status.error")).to_have_text(STALE_PAGE)
    row_slot.locator("button", has_text="删除").click()  # htmx, inside the section's form
    expect(row_slot.locator(".message.error")).to_have_text(STALE_PAGE)
    expect(row_slot.locator("button", has_text="删除")).to_have_count(0)
    assert ApplicationImage.objects.filter(application=application).count() == 8
    # The typed text of the section around the row's slot is still there.
    expect(phone.locator(f"input[name$='-school'][value='{row.school}']").first).to_be_visible()

    phone.reload()
    row_slot = phone.locator(f"#img-education-{row.pk}")
    row_slot.locator("input[type=file]").set_input_files(photo)
    expect(row_slot.locator("figure.thumb")).to_have_count(2)
    # The browser logs the two refused uploads' 400 answers, and nothing else.
    assert [e for e in phone.problems.console_errors if "status of 400" not in e] == []
    assert len(phone.problems.console_errors) == 2, phone.problems.console_errors


@pytest.mark.parametrize("name", ["<img src=x onerror=alert(1)>", "=HYPERLINK(\"http://x\")", "曹操2", "张①", "张三Ⅲ"])
def test_a_name_that_no_id_document_prints_is_refused_at_the_field(client, app, tree, name):
    # The security probe: 基本信息's 姓名 took markup and formulas (escaped everywhere, but sent in SMS texts).
    response = post(client, "basic", basic(tree, **{"basic-name": name, "basic-phone": app.phone}))
    assert "姓名只能包含文字" in response.content.decode()
    app.refresh_from_db()
    assert app.name != name


@pytest.mark.parametrize("name", ["阿依古丽·买买提", "John Smith", "欧阳娜娜"])
def test_minority_and_foreign_names_are_taken(client, app, tree, name):
    post(client, "basic", basic(tree, **{"basic-name": name, "basic-phone": app.phone}))
    app.refresh_from_db()
    assert app.name == name
