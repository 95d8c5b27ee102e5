"""What a probe of the candidate's phone journey (390 and 360 px) found, checked at the server: the status while
the 考点 has agreed and not yet forwarded, the help at 结束时间, 联系地址 read back whole, 备注's limit, a work
row begun before the minimum working age, 获取验证码's refusal of a taken number said at the number, 尚需补全's
items linking to where they are filled in, 2015年8月 as a month, and the manual on WebP. The browser's side is in
test_phone_probe_polish_browser.py."""

import datetime
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from lxml import html as lxml_html

from prereg.accounts.backends import PHONE_TAKEN_MESSAGE
from prereg.applications import completeness, services, values
from prereg.applications.models import Application, OtherRow, Stage, State, WorkRow
from prereg.applications.sections import BY_KEY
from prereg.candidate.forms import WorkForm, YearDicts, row_formset
from prereg.demo.people import make_id_number
from tests.factories import (
    CandidateFactory,
    OtherRowFactory,
    WorkRowFactory,
    complete_application,
    formset_data,
    submitted,
)

ROOT = Path(__file__).resolve().parents[2]


def _page(client, name="candidate:form"):
    response = client.get(reverse(name))
    assert response.status_code == 200
    return lxml_html.fromstring(response.content.decode())


# --- 1: agreed by the 考点, waiting for its 汇总提交 --------------------------------------------------------------


def test_the_candidate_reads_that_the_site_agreed_and_waits_for_its_forward(client, year, tree, candidate):
    application = complete_application(candidate, year, tree)
    Application.objects.filter(pk=application.pk).update(state=State.IN_REVIEW, stage=Stage.SITE_REVIEW,
                                                         awaiting_forward=True)
    client.force_login(candidate)
    for url in ("candidate:home", "candidate:progress"):
        body = client.get(reverse(url)).content.decode()
        assert "审核中（考点已审核同意，待考点汇总提交至考区）" in body, url
        assert "审核中（考点审核）" not in body, url
    # Not yet decided at the 考点: its stage, as before.
    Application.objects.filter(pk=application.pk).update(awaiting_forward=False)
    for url in ("candidate:home", "candidate:progress"):
        body = client.get(reverse(url)).content.decode()
        assert "审核中（考点审核）" in body and "待考点汇总提交" not in body, url


# --- 2: 结束时间 of a row still running -----------------------------------------------------------------------


@pytest.mark.parametrize("key, help_text", [("work", "至今（仍在职）请留空"), ("appointment", "至今（仍在聘）请留空"),
                                            ("residency", "至今（仍在培训）请留空"), ("gp", "至今（仍在培训）请留空")])
def test_each_rows_end_says_to_leave_it_empty_while_the_row_runs(client, year, tree, candidate, key, help_text):
    complete_application(candidate, year, tree)
    client.force_login(candidate)
    page = _page(client)
    prefix = BY_KEY[key].prefix
    # The prototype of ⊕ 增加 and, where the table has one, its saved row.
    rows = page.xpath(f"//div[@data-rows='{prefix}']//fieldset[@data-row]")
    assert len(rows) == (2 if key in ("work", "appointment") else 1), key
    for row in rows:
        end = row.xpath(".//input[contains(@name, '-end')]")[0]
        helper = row.xpath(f".//*[@id='{end.get('aria-describedby')}']")
        assert helper and helper[0].text_content() == help_text, key


def test_the_tables_without_an_end_say_nothing_of_it():
    assert BY_KEY["education"].end_help == BY_KEY["other"].end_help == ""


# --- 5: 联系地址 read back whole, one line of text -------------------------------------------------------------


def test_the_address_is_a_box_of_several_rows_of_the_stored_length(client, year, tree, candidate):
    complete_application(candidate, year, tree)
    client.force_login(candidate)
    box = _page(client).xpath("//*[@name='basic-address']")[0]
    assert box.tag == "textarea" and int(box.get("rows")) in (2, 3)
    assert box.get("maxlength") == str(Application._meta.get_field("address").max_length)
    assert box.get("data-one-line") is not None  # candidate.js: Enter adds no line break


def test_a_line_break_in_the_address_is_stored_as_a_space(client, year, tree, candidate):
    application = complete_application(candidate, year, tree)
    client.force_login(candidate)
    body = client.post(reverse("candidate:section", args=["basic"]), {
        "version": application.version, "basic-name": application.name, "basic-ethnicity": application.ethnicity_id,
        "basic-unit": application.unit_id, "basic-postcode": "350000", "basic-phone": application.phone,
        "basic-address": "福建省福州市\r\n鼓楼区杨桥路1号"}, HTTP_HX_REQUEST="true").content.decode()
    assert "已保存" in body
    application.refresh_from_db()
    assert application.address == "福建省福州市 鼓楼区杨桥路1号"


# --- 6: 备注 as long as it is stored -------------------------------------------------------------------------


def test_the_other_rows_note_takes_no_more_than_is_stored(client, year, tree, candidate):
    application = complete_application(candidate, year, tree)
    OtherRowFactory(application=application)
    client.force_login(candidate)
    notes = _page(client).xpath("//input[starts-with(@name, 'other-') and contains(@name, '-note')]")
    assert notes  # the saved row's
    limit = str(OtherRow._meta.get_field("note").max_length)
    assert all(note.get("maxlength") == limit for note in notes)


# --- 8: a work row begun before the minimum working age ----------------------------------------------------------

BORN = datetime.date(1995, 8, 10)


def _work_formset(year, start, birth_date=BORN):
    formset_class = row_formset(WorkForm, min_num=1)
    row = {"unit_name": "安溪县医院", "title": "护师", "start": start, "end": "", "major": "护理"}
    return formset_class(formset_data("work", row), queryset=WorkRow.objects.none(), prefix="work",
                         year=year, dicts=YearDicts(year), birth_date=birth_date)


AT_THIRTEEN = "开始时间早于出生日期后的合理年龄（年满16周岁），请核对。"


@pytest.mark.parametrize("start", ["2008-08", "2011-07"])
def test_a_work_row_begun_before_sixteen_is_refused_at_its_start(year, start):
    formset = _work_formset(year, start)
    assert not formset.is_valid()
    assert formset.forms[0].errors == {"start": [AT_THIRTEEN]}


def test_a_work_row_begun_at_sixteen_is_taken_and_one_before_the_birth_is_said_so(year):
    assert _work_formset(year, "2011-08").is_valid()
    assert _work_formset(year, "1990-01").forms[0].errors == {"start": ["开始时间应晚于出生日期。"]}


def test_the_work_section_refuses_the_probes_start(client, year, tree):
    candidate = CandidateFactory(id_number=make_id_number("350102", BORN, 7))
    client.force_login(candidate)
    application = complete_application(candidate, year, tree)
    assert application.birth_date == BORN
    row = WorkRow.objects.get(application=application)
    body = client.post(reverse("candidate:section", args=["work"]), {
        "version": application.version, **formset_data("work", {
            "id": row.pk, "unit_name": row.unit_name, "title": row.title, "start": "2008-08", "end": "",
            "major": row.major}, initial=1)}, HTTP_HX_REQUEST="true").content.decode()
    assert AT_THIRTEEN in body and "已保存" not in body
    assert WorkRow.objects.get(pk=row.pk).start == datetime.date(2012, 8, 1)


def test_a_reviewers_correction_refuses_the_same_start(tree, year, reviewer_anxi_hospital):
    application = submitted(tree, year, birth_date=BORN, postcode="362400", address="福建省安溪县凤城镇",
                            chsi_code="090888693519", practice_change="无", practice_registered=datetime.date(2017, 3, 1))
    row = WorkRowFactory(application=application)
    application = Application.objects.get(pk=application.pk)
    key = f"work:{row.pk}.start"
    with pytest.raises(ValidationError) as refused:
        services.application_edit(actor=reviewer_anxi_hospital, application_id=application.pk,
                                  expected_version=application.version, changes={key: "2008-08"})
    assert refused.value.message_dict == {key: [AT_THIRTEEN]}
    assert WorkRow.objects.get(pk=row.pk).start == datetime.date(2012, 8, 1)


def test_a_stored_start_before_sixteen_is_a_gap_before_submission(year, tree, candidate):
    application = complete_application(candidate, year, tree)
    WorkRow.objects.filter(application=application).update(start=datetime.date(1990 + 13, 1, 1))
    found = [gap.message for gap in completeness.gaps(application)]
    assert any("开始时间（2003-01）早于年满16周岁" in message for message in found), found


# --- 9: 获取验证码 for a number another candidate holds ---------------------------------------------------------


def test_a_number_taken_by_another_candidate_is_said_at_the_number(client, year, tree, candidate):
    complete_application(candidate, year, tree)
    CandidateFactory(phone="13900002222")
    client.force_login(candidate)
    body = client.post(reverse("candidate:phone_send_code"), {"basic-phone": "13900002222"},
                       HTTP_HX_REQUEST="true").content.decode()
    answer = lxml_html.fragment_fromstring(body, create_parent="div")
    at_number = answer.xpath("//*[@id='phone-number-status']")
    assert at_number and at_number[0].get("hx-swap-oob") == "true"
    assert at_number[0].text_content().strip() == PHONE_TAKEN_MESSAGE
    # The line beside the button (the response's target, under 短信验证码) says nothing.
    assert PHONE_TAKEN_MESSAGE not in "".join(e.text_content() for e in answer if e.get("id") != "phone-number-status")
    # The form has the line under 手机号码, where the number is typed.
    field = _page(client).xpath("//*[@id='phone-number-status']/..")[0]
    assert field.xpath(".//input[@name='basic-phone']")


def test_a_sent_code_is_said_beside_the_button_and_clears_the_line_at_the_number(client, year, tree, candidate):
    complete_application(candidate, year, tree)
    client.force_login(candidate)
    body = client.post(reverse("candidate:phone_send_code"), {"basic-phone": "13900003333"},
                       HTTP_HX_REQUEST="true").content.decode()
    answer = lxml_html.fragment_fromstring(body, create_parent="div")
    assert "验证码已发送" in answer.xpath("//span[@class='ok']")[0].text_content()
    assert answer.xpath("//*[@id='phone-number-status']")[0].text_content().strip() == ""


# --- 10: each 尚需补全 item links to its place ----------------------------------------------------------------


def test_each_missing_item_links_to_the_slot_or_the_section_it_concerns(client, year, tree, candidate):
    application = complete_application(candidate, year, tree)
    application.images.filter(slot="id_back").delete()
    edu = application.images.get(slot="education").row_id
    application.images.filter(slot="education").delete()
    Application.objects.filter(pk=application.pk).update(postcode="")
    client.force_login(candidate)
    page = _page(client)
    links = {a.text_content(): a.get("href") for a in page.xpath("//section[@id='submit']//li/a")}
    assert links["请上传“身份证反面”的图片。"] == "#img-id_back-"
    assert links[next(text for text in links if text.startswith("请上传“参评学历"))] == f"#img-education-{edu}"
    assert links["基本信息：请填写“邮编”。"] == "#section-basic"
    for href in links.values():  # each leads somewhere on the page
        assert page.xpath(f"//*[@id='{href[1:]}']"), href


# --- 11: 2015年8月 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["2015年8月", "2015年08月", "２０１５年８月", "2015 年 8 月"])
def test_a_month_written_in_chinese_is_read(typed):
    assert values.clean_month(typed) == datetime.date(2015, 8, 1)


@pytest.mark.parametrize("typed", ["2015年13月", "2015年", "15年8月", "2015年8月1日"])
def test_a_chinese_month_that_is_not_one_is_refused(typed):
    with pytest.raises(ValidationError):
        values.clean_month(typed)


# --- 12: the manual on WebP -----------------------------------------------------------------------------------


def test_the_manual_says_what_the_page_does_with_a_webp_picture():
    text = (ROOT / "docs" / "manual-candidate.md").read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if "WebP" in line)
    assert re.search(r"WebP[^。]*自动转换为\s*JPG", line), line
