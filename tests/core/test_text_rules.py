"""One rule for typed text, in core (every app may import it), and the rules a reviewer's correction
shares with the candidate's form (prereg.applications.values).

The input probe:
- a notice titled with a zero-width space was saved (an empty notice on the home page); a tab, an
  escape or a direction override went into a corrected value;
- a month typed in full-width digits (２０２４-０１) was refused; a reviewer's corrected 学历 取得时间
  was not held to the 14-year rule of the candidate's form;
- one name was stored with different middle dots, and 国网名单核对 took 阿依‧古丽 (U+2027) for another;
- 护照号码一二三四 passed as a passport number.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from prereg.applications import services, values
from prereg.applications.models import Application, EducationRow
from prereg.catalog import services as catalog
from prereg.catalog.models import Announcement
from prereg.core.validators import clean_person_name, clean_text, normalize_middle_dots
from prereg.reconcile.columns import normalise_name
from tests.factories import submitted

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
             "\u2060", "\u2066", "\u2067", "\u2068", "\u2069", "\ufeff"]


# 1. Invisible and control characters ---------------------------------------------------------------

@pytest.mark.parametrize("char", INVISIBLE)
def test_zero_width_and_direction_characters_are_dropped_and_alone_are_blank(char):
    assert clean_text(f"福建{char}省安溪县") == "福建省安溪县"
    assert clean_text(char * 3) == ""


def test_a_tab_or_a_line_break_is_a_space_in_one_line_and_a_line_break_in_several():
    assert clean_text("福建省\t安溪县\r\n凤城镇") == "福建省 安溪县 凤城镇"
    assert clean_text("第一行\r\n第二行\u2028第三行\t完", multiline=True) == "第一行\n第二行\n第三行 完"


@pytest.mark.parametrize("char", ["\x01", "\x07", "\x1b", "\x7f", "\x9b"])
def test_a_control_character_is_refused_and_named_where_the_field_is_not(char):
    with pytest.raises(ValidationError, match="不能包含控制字符") as error:
        clean_text(f"同意{char}")
    assert error.value.code == "control_characters"
    with pytest.raises(ValidationError, match="审核意见：不能包含控制字符"):
        clean_text(f"同意{char}", "审核意见", multiline=True)


def test_a_nul_is_still_refused_with_djangos_message():
    with pytest.raises(ValidationError, match="不能包含空字符"):
        clean_text("a\x00b")


def test_a_notice_of_invisible_characters_is_refused_at_its_fields(reviewer_province):
    with pytest.raises(ValidationError) as error:
        catalog.announcement_save(actor=reviewer_province, title="\u200b", body="\ufeff\u200b\n", kind="notice",
                                  audience="all")
    assert error.value.message_dict == {"title": ["请填写“标题”。"], "body": ["请填写“正文”。"]}
    assert not Announcement.objects.exists()


def test_a_notices_title_is_one_line_without_invisible_characters_and_its_body_keeps_its_lines(reviewer_province):
    notice = catalog.announcement_save(actor=reviewer_province, title="关于\u202e现场\t确认\u200b的通知",
                                       body="## 地点\r\n- 各报名点\u200b", kind="notice", audience="all")
    notice.refresh_from_db()
    assert (notice.title, notice.body) == ("关于现场 确认的通知", "## 地点\n- 各报名点")


def test_the_notice_page_says_a_blank_title_at_its_field(client, reviewer_province):
    client.force_login(reviewer_province)
    response = client.post(reverse("backoffice:announcement_new"),
                           {"title": "\u200b\u200b", "kind": "notice", "audience": "all", "body": "正文"})
    assert response.status_code == 400 and "请填写“标题”。" in response.content.decode()
    assert not Announcement.objects.exists()


# 1. A reviewer's correction and a reason: the same rule ----------------------------------------------

BORN = datetime.date(1990, 1, 1)  # the factories' ID numbers are of 1990-01-01


@pytest.fixture
def app(tree, year, reviewer_anxi_hospital):
    """Submitted to 单位审查 (its reviewer exists first: submission routes it to his org)."""
    return Application.objects.get(pk=submitted(tree, year, birth_date=BORN, postcode="362400",
                                                address="福建省安溪县凤城镇", chsi_code="无").pk)


def _edit(application, reviewer, **changes):
    return services.application_edit(actor=reviewer, application_id=application.pk,
                                     expected_version=application.version, changes=changes)


def test_a_corrected_value_is_one_line_without_invisible_characters(app, reviewer_anxi_hospital):
    _edit(app, reviewer_anxi_hospital, address="福建省\u200b安溪县\r\n凤城镇\u202e")
    assert Application.objects.get(pk=app.pk).address == "福建省安溪县 凤城镇"
    with pytest.raises(ValidationError) as error:
        _edit(Application.objects.get(pk=app.pk), reviewer_anxi_hospital, address="福建省\x1b安溪县")
    assert "不能包含控制字符" in error.value.message_dict["address"][0]


def test_a_reason_keeps_its_lines(app, reviewer_anxi_hospital):
    application = services.application_reject(actor=reviewer_anxi_hospital, application_id=app.pk,
                                              expected_version=app.version, to="candidate",
                                              reason="1. 学历证书不清晰\r\n2. 缺少\u200b执业证书")
    assert application.returned_reason == "1. 学历证书不清晰\n2. 缺少执业证书"


# 2. Dates: full-width digits, and the 取得时间 rule of the form in a correction ----------------------

@pytest.mark.parametrize("typed", ["２０２４-０１", "２０２４－０１", "２０２４／０１", "2024-０１"])
def test_a_month_in_full_width_digits_is_the_same_month(typed):
    assert values.clean_month(typed) == datetime.date(2024, 1, 1)


def test_a_date_in_full_width_digits_is_the_same_date_and_other_scripts_are_refused():
    assert values.clean_date("１９９０-０１-０２") == datetime.date(1990, 1, 2)
    with pytest.raises(ValidationError):
        values.clean_month("٢٠٢٤-٠١")


def test_a_corrected_education_date_is_held_to_the_earliest_age_as_on_the_form(app, reviewer_anxi_hospital):
    row = EducationRow.objects.get(application=app)
    key = f"education:{row.pk}.obtained"
    with pytest.raises(ValidationError) as error:
        _edit(app, reviewer_anxi_hospital, **{key: "2003-12"})
    assert error.value.message_dict == {key: ["取得时间早于出生日期后的合理年龄（年满14周岁），请核对。"]}
    row.refresh_from_db()
    assert row.obtained == datetime.date(2012, 7, 1)
    _edit(app, reviewer_anxi_hospital, **{key: "２００４－０１"})  # the month he turned 14, in full-width digits
    row.refresh_from_db()
    assert row.obtained == datetime.date(2004, 1, 1)


# 3. The 间隔号 of a name ----------------------------------------------------------------------------

DOTS = [".", "•", "・", "‧", "·", "．", "･"]

@pytest.mark.parametrize("dot", DOTS)
@pytest.mark.parametrize("spaced", [False, True])
def test_a_names_middle_dot_is_stored_as_one_kind_without_spaces_around_it(dot, spaced):
    typed = f"阿依古丽 {dot} 买买提" if spaced else f"阿依古丽{dot}买买提"
    assert clean_person_name(typed) == "阿依古丽·买买提"


@pytest.mark.parametrize("dot", DOTS)
def test_the_national_roster_reads_every_middle_dot_as_the_form_stores_it(dot):
    assert normalise_name(f"阿依古丽{dot}买买提") == normalise_name("阿依古丽·买买提") == "阿依古丽·买买提"
    assert normalise_name(f"阿依古丽 {dot} 买买提") == normalize_middle_dots("阿依古丽·买买提")


def test_a_name_of_dots_alone_or_with_a_doubled_dot_is_still_refused():
    for typed in ("··", "阿依··买买提", "·阿依古丽"):
        with pytest.raises(ValidationError):
            clean_person_name(typed)


# 4. A passport's or a permit's number ------------------------------------------------------------

@pytest.mark.parametrize("number", ["护照号码一二三四", "E١٢٣٤٥٦٧", "𠮷𠮷𠮷𠮷𠮷𠮷", "E-1234567"])
def test_a_document_number_of_other_characters_than_latin_letters_and_digits_is_refused(number):
    with pytest.raises(ValidationError, match="证件编号只能包含英文字母和数字"):
        values.clean_id_number(number, "passport")


def test_a_document_number_in_full_width_or_lower_case_is_read_as_printed_and_its_length_is_said():
    assert values.clean_id_number("ｅ１２３４５６７８", "passport") == "E12345678"
    with pytest.raises(ValidationError, match="应为6至30位"):
        values.clean_id_number("E123", "hk_macau")
