"""The candidate's form reads typed text by core's one rule (core.validators.clean_text), and its dates,
names and numbers as the reviewer's correction does (prereg.applications.values).

The input probe:
- an address of a zero-width space was saved (Django strips only ordinary spaces), and so was a row's
  unit name or a unit request; a tab or an escape went into the PDF and the SMS;
- a month typed in full-width digits (２０１５－０８) was refused; 执业注册年月 was not checked against
  the birth date;
- 阿依古丽 · 买买提 was refused, and 阿依古丽•买买提 stored as typed;
- a passport number 护照号码一二三四 signed up.
"""

import datetime

import pytest
from django.urls import reverse

from prereg.accounts.models import User
from prereg.applications.carryover import start_application
from prereg.applications.models import Application, WorkRow
from prereg.candidate.forms import SignupForm
from prereg.orgs.models import UnitRequest
from tests.candidate.test_form import basic, post
from tests.factories import CandidateFactory, formset_data


@pytest.fixture
def app(client, year, tree, candidate):
    client.force_login(candidate)
    return start_application(candidate=candidate, exam_year=year)


def _work(**row):
    return formset_data("work", {"unit_name": "安溪县医院", "title": "医师", "start": "2015-08", "end": "",
                                 "major": "护理", **row})


# 1. Invisible and control characters in every text field ------------------------------------------

@pytest.mark.parametrize("blank", ["\u200b", "\u200b\ufeff\u2060", "\u202e\u3000"])
def test_an_address_of_invisible_characters_is_asked_for(client, app, tree, blank):
    body = post(client, "basic", basic(tree, **{"basic-phone": app.phone, "basic-address": blank})).content.decode()
    assert "请填写“联系地址”。" in body
    app.refresh_from_db()
    assert app.address == ""


def test_typed_text_is_saved_without_invisible_characters_and_a_tab_or_a_line_break_as_a_space(client, app, tree):
    post(client, "basic", basic(tree, **{"basic-phone": app.phone, "basic-name": "\u200b曹操\u202c",
                                         "basic-address": "福建省\u202e福州市\t鼓楼区\r\n八一七路\ufeff"}))
    app.refresh_from_db()
    assert (app.name, app.address) == ("曹操", "福建省福州市 鼓楼区 八一七路")


def test_a_control_character_is_refused_at_its_field(client, app, tree):
    body = post(client, "basic", basic(tree, **{"basic-phone": app.phone,
                                                "basic-address": "福建省\x1b[31m福州市"})).content.decode()
    assert "不能包含控制字符" in body
    app.refresh_from_db()
    assert app.address == ""


def test_a_rows_text_is_read_by_the_same_rule(client, app):
    body = post(client, "work", _work(unit_name="\u200b\u200b")).content.decode()
    assert "请填写“单位名称”。" in body and not WorkRow.objects.exists()
    post(client, "work", _work(unit_name="安溪县\u200d医院", title="主治\t医师"))
    row = WorkRow.objects.get()
    assert (row.unit_name, row.title) == ("安溪县医院", "主治 医师")


def test_a_unit_request_of_invisible_characters_is_asked_for(client, app):
    response = client.post(reverse("candidate:unit_request"),
                           {"full_name": "\u200b\u200b\u200b\u200b\u200b", "region_code": "350524"})
    assert "请填写“单位规范全称”。" in response.content.decode()
    assert not UnitRequest.objects.exists()


# 2. Dates: full-width digits, and the rules the correction shares ---------------------------------

BORN = datetime.date(1990, 1, 1)  # the factories' ID numbers are of 1990-01-01


def test_a_month_in_full_width_digits_is_saved(client, app):
    body = post(client, "work", _work(start="２０１５－０８")).content.decode()
    assert "已保存" in body
    assert WorkRow.objects.get().start == datetime.date(2015, 8, 1)


def test_a_passport_holders_birth_date_in_full_width_digits_is_saved(client, year, tree):
    holder = CandidateFactory(id_type="passport", id_number="E12345678", username="E12345678")
    client.force_login(holder)
    client.get(reverse("candidate:form"))
    post(client, "basic", basic(tree, **{"basic-phone": holder.phone, "basic-gender": "F",
                                         "basic-birth_date": "１９８８-０５-０６"}))
    assert Application.objects.get(candidate=holder).birth_date == datetime.date(1988, 5, 6)


def test_a_practice_registration_before_the_birth_is_refused_as_in_a_correction(client, app):
    assert app.birth_date == BORN
    body = post(client, "declaration", {"decl-practice_registered": "1989-12"}).content.decode()
    assert "执业注册年月应晚于出生日期。" in body
    app.refresh_from_db()
    assert app.practice_registered is None


# 3. The 间隔号 of a name ----------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["阿依古丽 · 买买提", "阿依古丽•买买提", "阿依古丽‧买买提", "阿依古丽．买买提",
                                   "阿依古丽.买买提", "阿依古丽・买买提"])
def test_a_minority_name_is_stored_with_one_middle_dot(client, app, tree, typed):
    body = post(client, "basic", basic(tree, **{"basic-phone": app.phone, "basic-name": typed})).content.decode()
    assert "已保存" in body
    app.refresh_from_db()
    assert app.name == "阿依古丽·买买提"


# 4. A passport's or a permit's number at sign-up ---------------------------------------------------

def _signup(client, **extra):
    return client.post(reverse("candidate:signup"), {
        "name": "曹操", "id_type": "passport", "phone": "13800138000", "sms_code": "000000",
        "password1": "Kaoshi#2026x", "password2": "Kaoshi#2026x", **extra})


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["护照号码一二三四", "E١٢٣٤٥٦٧", "𠮷𠮷𠮷𠮷𠮷𠮷"])
def test_a_document_number_of_other_characters_than_latin_letters_and_digits_is_refused_at_sign_up(client, number):
    body = _signup(client, id_number=number).content.decode()
    assert "证件编号只能包含英文字母和数字，请按证件上的编号填写。" in body
    assert not User.objects.filter(name="曹操").exists()


@pytest.mark.django_db
def test_a_document_number_in_full_width_digits_is_read_as_printed():
    form = SignupForm({"name": "曹操", "id_type": "passport", "id_number": "Ｅ１２３４５６７８", "phone": "13800138000",
                       "sms_code": "000000", "password1": "Kaoshi#2026x", "password2": "Kaoshi#2026x"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["id_number"] == "E12345678"
