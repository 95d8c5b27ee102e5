"""The parsers and the comparison on fixed engine outputs: fast and deterministic (no engine)."""

from datetime import date
from types import SimpleNamespace

import pytest

from prereg.ocr import compare, documents
from prereg.ocr.layout import page_of
from prereg.ocr.services import compare_reading

from .helpers import ID_FRONT, Named, page_lines, typed


def reading(rows, slot, **kw):
    return SimpleNamespace(status="done", lines=page_lines(rows, **kw), width=1200, height=800, image_id=1, slot=slot)


def by_key(result):
    return {f.key: f for f in result.fields}


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_an_id_card_photographed_at_any_quarter_turn_agrees_field_by_field(turn):
    result = compare_reading(reading(ID_FRONT, "id_front", turn=turn), typed(), slot="id_front")
    assert result.kind == "id_front" and result.kind_verdict == "ok"
    assert {k: f.status for k, f in by_key(result).items()} == {
        "name": "match", "gender": "match", "ethnicity": "match", "birth": "match", "id_number": "match"}
    assert not result.flagged


def test_the_page_text_is_upright_and_in_reading_order_whatever_the_turn():
    for turn in (0, 90, 180, 270):
        page = page_of(page_lines(ID_FRONT, turn=turn))
        assert page.text.splitlines()[0] == "姓名 张伟"
        assert page.text.splitlines()[-1] == "公民身份号码 350102198803070016"


def test_a_near_homophone_in_the_name_is_a_mismatch_saying_what_the_photo_shows():
    result = compare_reading(reading(ID_FRONT, "id_front"), typed(name="张玮"), slot="id_front")
    name = by_key(result)["name"]
    assert name.status == compare.MISMATCH and name.photo == "张伟" and name.typed == "张玮"
    assert result.flags == ["name"]
    # The disagreeing text is marked on the image: the box of the line 张伟.
    assert [m["text"] for m in result.marks if m["bad"]] == ["张伟"]


def test_an_ocr_confusion_the_engine_itself_weighed_is_not_a_mismatch():
    rows = [["姓名", "张玮"], *ID_FRONT[1:]]
    unsure = {"张玮": [[("张", 0.99)], [("玮", 0.55), ("伟", 0.4)]]}
    result = compare_reading(reading(rows, "id_front", alts=unsure), typed(name="张伟"), slot="id_front")
    assert by_key(result)["name"].status == compare.MATCH
    # …but a clearly printed 玮 is not 伟.
    sure = {"张玮": [[("张", 0.99)], [("玮", 0.99), ("伟", 0.004)]]}
    result = compare_reading(reading(rows, "id_front", alts=sure), typed(name="张伟"), slot="id_front")
    assert by_key(result)["name"].status == compare.MISMATCH


def test_id_numbers_are_exact_and_a_misread_number_is_not_a_mismatch():
    wrong = "350102198803070024"  # one digit changed, check digit valid again
    assert documents.id_check_ok(wrong)
    result = compare_reading(reading(ID_FRONT, "id_front"), typed(id_number=wrong), slot="id_front")
    assert by_key(result)["id_number"].status == compare.MISMATCH
    assert by_key(result)["id_number"].photo == "350102198803070016"
    misread = [*ID_FRONT[:4], ["公民身份号码", "350102198803070018"]]  # check digit fails: the engine erred
    result = compare_reading(reading(misread, "id_front"), typed(), slot="id_front")
    assert by_key(result)["id_number"].status == compare.UNREAD


def test_dates_compare_after_normalising_and_a_month_off_is_a_mismatch():
    result = compare_reading(reading(ID_FRONT, "id_front"), typed(birth_date=date(1988, 4, 7)), slot="id_front")
    assert by_key(result)["birth"].status == compare.MISMATCH and by_key(result)["birth"].photo == "1988-03-07"
    rows = [*ID_FRONT[:2], ["出生", "1988", "年", "03", "月", "07", "日"], *ID_FRONT[3:]]
    result = compare_reading(reading(rows, "id_front"), typed(), slot="id_front")
    assert by_key(result)["birth"].status == compare.MATCH


def test_ethnicity_is_compared_without_the_word_zu():
    result = compare_reading(reading(ID_FRONT, "id_front"), typed(ethnicity=Named("回族")), slot="id_front")
    assert by_key(result)["ethnicity"].status == compare.MISMATCH and by_key(result)["ethnicity"].photo == "汉"


def test_chinese_numeral_dates():
    page = page_of(page_lines([["二〇一一年七月一日", "二〇〇六年十二月", "2015.03.07-2035.03.07"]]))
    assert [d.parsed for d in documents.dates_in(page.text)] == [(2011, 7, 1), (2006, 12, None), (2015, 3, 7), (2035, 3, 7)]


DIPLOMA = [["毕业证书"],
           ["学生 张伟，性别 男，一九八八年三月七日生，于二〇〇六年九月至"],
           ["二〇一一年七月在本校 临床医学 专业 五 年制本科学习，修完教学计划规定的"],
           ["全部课程，成绩合格，准予毕业。"],
           ["校    名：福建医科大学"],
           ["证书编号：103921201105001234", "二〇一一年七月一日"]]


def education_row(**values):
    return SimpleNamespace(**{"school": "福建医科大学", "major": "临床医学", "obtained": date(2011, 7, 1), **values})


def test_a_diploma_is_parsed_across_wrapped_lines_and_compared():
    result = compare_reading(reading(DIPLOMA, "education"), typed(), education_row(), slot="education")
    assert result.kind == "diploma"
    assert {k: f.status for k, f in by_key(result).items()} == {
        "name": "match", "school": "match", "major": "match", "date": "match"}
    assert [f.photo for f in result.info] == ["103921201105001234"]
    result = compare_reading(reading(DIPLOMA, "education"), typed(),
                             education_row(school="福建中医药大学", obtained=date(2011, 8, 1)), slot="education")
    fields = by_key(result)
    assert fields["school"].status == compare.MISMATCH and fields["school"].photo == "福建医科大学"
    assert fields["date"].status == compare.MISMATCH and fields["date"].photo == "2011-07"


def test_a_degree_certificate_with_school_and_major_run_together():
    rows = [["学士学位证书"], ["张伟，男，一九八八年三月七日生。在福建医科大学临床医学专业完成了本科学习计划，"],
            ["业已毕业，经审核符合《中华人民共和国学位条例》的规定，授予医学学士学位。"], ["福建医科大学"],
            ["证书编号：1039242011001234", "二〇一一年七月一日"]]
    page = page_of(page_lines(rows))
    assert documents.kind_of(page) == "degree"
    fields = documents.fields_of(page, "degree")
    assert (fields["name"].value, fields["school"].value, fields["major"].value, fields["level"].value) == (
        "张伟", "福建医科大学", "临床医学", "医学学士")
    result = compare_reading(reading(rows, "degree"), typed(), education_row(major="护理学"), slot="degree")
    assert by_key(result)["major"].status == compare.MISMATCH and by_key(result)["major"].photo == "临床医学"


def test_an_appointment_letter_gives_its_period():
    rows = [["聘书"], ["兹聘任 张伟 同志为福州市第一医院主管护师，聘期自2017年1月1日至"], ["2021年12月31日。"],
            ["福州市第一医院"], ["2017年1月1日"]]
    row = SimpleNamespace(unit_name="福州市第一医院", start=date(2017, 1, 1), end=date(2021, 11, 1))
    result = compare_reading(reading(rows, "appointment"), typed(), row, slot="appointment")
    statuses = [(f.label, f.status) for f in result.fields]
    assert statuses == [("姓名", "match"), ("聘任单位", "match"), ("聘期开始", "match"), ("聘期结束", "mismatch")]


def test_practice_certificate_category_and_scope():
    rows = [["医师执业证书"], ["编码", "110350100012345"], ["姓名", "张伟"], ["身份证号", "350102198803070016"],
            ["医师级别", "执业医师"], ["执业类别", "临床"], ["执业范围", "内科专业"], ["发证日期", "2013年05月20日"]]
    a = typed(category_id=1, category=Named("临床"), scope_id=1, scope=Named("外科专业"))
    result = compare_reading(reading(rows, "scope"), a, slot="scope")
    assert {k: f.status for k, f in by_key(result).items()} == {
        "name": "match", "id_number": "match", "category": "match", "scope": "mismatch"}
    assert by_key(result)["scope"].photo == "内科专业"


def test_a_document_of_another_kind_or_a_blank_page_is_flagged_and_says_nothing_of_the_fields():
    result = compare_reading(reading(ID_FRONT, "education"), typed(), education_row(), slot="education")
    assert result.kind_verdict == "wrong" and result.flags == ["kind"]
    assert "身份证正面" in result.wrong_kind_text
    assert {f.status for f in result.fields} == {compare.UNREAD}
    blank = compare_reading(reading([["章"]], "education"), typed(), education_row(), slot="education")
    assert blank.kind == "blank" and blank.kind_verdict == "wrong"


def test_a_field_not_found_on_the_page_is_unread_not_a_mismatch():
    rows = [["姓名", "张伟"], ["公民身份号码", "350102198803070016"]]  # no 性别/民族/出生 read
    result = compare_reading(reading(rows, "id_front"), typed(), slot="id_front")
    fields = by_key(result)
    assert fields["gender"].status == fields["birth"].status == fields["ethnicity"].status == compare.UNREAD
    assert not result.flagged


def test_a_school_or_major_written_longer_or_shorter_is_the_same_but_another_school_is_not():
    result = compare_reading(reading(DIPLOMA, "education"), typed(),
                             education_row(school="福建医科大学临床医学院", major="临床医学（全科方向）"), slot="education")
    assert by_key(result)["school"].status == by_key(result)["major"].status == compare.MATCH
    result = compare_reading(reading(DIPLOMA, "education"), typed(), education_row(school="福建中医药大学"),
                             slot="education")
    assert by_key(result)["school"].status == compare.MISMATCH


def test_a_title_certificate_gives_its_qualification_and_date():
    rows = [["专业技术资格证书"], ["姓名", "张伟"], ["专业名称", "内科护理"], ["资格名称", "主管护师"],
            ["批准时间", "2016年05月"], ["管理号", "1635000123"]]
    a = typed(current_qualification="护师", current_qualification_date=date(2016, 5, 1))
    result = compare_reading(reading(rows, "current_qualification"), a, slot="current_qualification")
    assert by_key(result)["qualification"].status == compare.MISMATCH
    assert by_key(result)["qualification"].photo == "主管护师"
    assert by_key(result)["date"].status == compare.MATCH
    assert {f.label: f.photo for f in result.info} == {"专业": "内科护理", "证书编号": "1635000123"}


def test_the_word_certificate_of_the_title_is_not_read_as_the_qualification():
    # Phone probe: 资格证书 in the title gave 证书 as the 资格名称, flagged against the typed 护士.
    rows = [["护士执业资格证书"], ["姓名", "张伟"], ["批准时间", "2016年05月"]]
    a = typed(current_qualification="护士", current_qualification_date=date(2016, 5, 1))
    result = compare_reading(reading(rows, "current_qualification"), a, slot="current_qualification")
    assert by_key(result)["qualification"].status != compare.MISMATCH
    assert by_key(result)["qualification"].photo in ("", None)


def test_an_id_card_copied_front_and_back_on_one_sheet_belongs_in_either_slot():
    back = [["中华人民共和国"], ["居民身份证"], ["签发机关", "福州市公安局鼓楼分局"], ["有效期限", "2015.03.07-2035.03.07"]]
    both = ID_FRONT + back
    front = compare_reading(reading(both, "id_front"), typed(), slot="id_front")
    assert front.kind == "id_front" and not front.flagged and by_key(front)["name"].status == compare.MATCH
    reverse = compare_reading(reading(both, "id_back"), typed(), slot="id_back")
    assert reverse.kind == "id_back" and not reverse.flagged
    assert {f.label: f.photo for f in reverse.info} == {"签发机关": "福州市公安局鼓楼分局", "有效期限": "2015.03.07-2035.03.07"}


def test_a_diploma_date_whose_year_the_seal_hid_is_of_the_year_the_studies_end():
    rows = [*DIPLOMA[:5], ["证书编号：103921201205001234", "年六月三十日"]]
    fields = documents.fields_of(page_of(page_lines(rows)), "diploma")
    assert fields["issued"].parsed == (2011, 6, 30) and fields["end"].parsed == (2011, 7, None)
    result = compare_reading(reading(rows, "education"), typed(), education_row(obtained=date(2011, 6, 1)), slot="education")
    assert by_key(result)["date"].status == compare.MATCH
    result = compare_reading(reading(rows, "education"), typed(), education_row(obtained=date(2011, 5, 1)), slot="education")
    assert by_key(result)["date"].status == compare.MISMATCH
