"""Which kind a page is, from its printed words: a word one character from another kind's word,
printed whole, is that word and not a misreading (photo probe 8)."""

from types import SimpleNamespace

from prereg.ocr import documents
from prereg.ocr.layout import page_of
from prereg.ocr.services import compare_reading

from .helpers import page_lines, typed

# The probe's photo: a certificate titled 学历证书 in the 学历 slot.
TITLED_XUELI = [["学历证书"], ["学生 张伟 性别 男，1988年3月7日生，于2006年9月至2011年7月"],
                ["在 临床医学 专业 五 年制本科学习，修完教学计划规定的全部课程"], ["证书编号：103921201105001234"]]
# What many 成教/自考 candidates upload as their 学历.
XUEXIN_RECORD = [["教育部学历证书电子注册备案表"], ["更新日期：2024年03月01日", "在线验证码：A1B2C3D4E5F6G7H8"],
                 ["姓名", "张伟"], ["性别", "男"], ["出生日期", "1988年03月07日"], ["入学日期", "2006年09月01日"],
                 ["毕（结）业日期", "2011年07月01日"], ["学校名称", "福建医科大学"], ["专业", "临床医学"],
                 ["层次", "本科"], ["学历类别", "普通高等教育"], ["证书编号", "103921201105001234"],
                 ["学历证书电子注册备案表", "说明：本表可通过学信网在线验证"]]
DEGREE = [["学士学位证书"], ["张伟，男，一九八八年三月七日生。在福建医科大学临床医学专业完成了本科学习计划，"],
          ["业已毕业，经审核符合《中华人民共和国学位条例》的规定，授予医学学士学位。"], ["福建医科大学"],
          ["证书编号：1039242011001234", "二〇一一年七月一日"]]


def kind(rows, slot=None):
    return documents.kind_of(page_of(page_lines(rows)), slot)


def reading(rows, slot):
    return SimpleNamespace(status="done", lines=page_lines(rows), width=1200, height=800, image_id=1, slot=slot)


def education_row():
    return SimpleNamespace(school="福建医科大学", major="临床医学", obtained=None)


def test_a_certificate_titled_xueli_zhengshu_in_the_education_slot_is_not_taken_for_a_degree():
    result = compare_reading(reading(TITLED_XUELI, "education"), typed(), education_row(), slot="education")
    assert result.kind == "diploma" and result.kind_verdict == "ok"
    assert "kind" not in result.flags


def test_the_xuexin_record_is_an_education_document_and_not_a_degree():
    assert kind(XUEXIN_RECORD, "education") == kind(XUEXIN_RECORD) == "diploma"
    assert documents.kind_verdict("education", kind(XUEXIN_RECORD, "education")) == "ok"
    assert documents.kind_verdict("degree", kind(XUEXIN_RECORD, "degree")) == "wrong"


def test_a_degree_certificate_is_still_a_degree_and_still_flagged_in_the_education_slot():
    assert kind(DEGREE) == kind(DEGREE, "degree") == "degree"
    result = compare_reading(reading(DEGREE, "education"), typed(), education_row(), slot="education")
    assert result.kind == "degree" and result.kind_verdict == "wrong"
    assert "学位证书" in result.wrong_kind_text


def test_a_near_match_inside_another_printed_word_does_not_count():
    for text, word in [("学历证书", "学位证书"), ("学位证书", "学历证书"), ("医师执业证书", "毕业证书"),
                       ("护士执业证书", "毕业证书"), ("有效期限", "有效期至"), ("有效期至", "有效期限"),
                       ("资格级别", "资格类别")]:
        assert not documents.contains_word(text, word, documents.printed_words(text)), (text, word)


def test_a_title_word_with_one_misread_character_still_counts():
    for text, word in [("毕业证苇", "毕业证书"), ("学位证苇", "学位证书"), ("公民身份号玛", "公民身份号码")]:
        assert documents.contains_word(text, word, documents.printed_words(text)), (text, word)
