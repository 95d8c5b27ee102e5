"""The fourth QA probe's findings on the 资格初审 assistant (round 2 of the independent cases), each against
../shared/reference/eligibility_rules.md: only a fact the form gives may refuse; what it leaves open is 需人工核实."""

import importlib

import pytest
from django.apps import apps

from prereg.applications.eligibility import CHECK, ELIGIBLE, NOT_ELIGIBLE, Education, is_full_time
from prereg.catalog.loaders import eligibility_rows
from prereg.catalog.models import EligibilityRule
from tests.applications.eligibility_cases import d, edu, education, facts, form, verdict
from tests.factories import make_year

keep_flags = importlib.import_module("prereg.catalog.migrations.0015_eligibility_unconfirmed_years_keep_route_flags")
higher_degrees = importlib.import_module(
    "prereg.catalog.migrations.0016_eligibility_higher_degrees_of_old_rules_and_nurse_note")
front_line_from_2021 = importlib.import_module("prereg.catalog.migrations.0017_eligibility_front_line_from_2021")

# --- H1. Only an explicit non-全日制 学习形式 refuses a first-time candidate (§1.4) ----------------------------------


def first_time_pharmacy_assistant(study_form):
    return form(2024, qualification__name="药士", educations=[education("中专", "2023-07", "药剂", study_form=study_form)])


@pytest.mark.parametrize("study_form", ["全日制", "全日制（统招）", "普通全日制", " 全日制 "])
def test_a_full_time_wording_of_the_districts_dictionary_is_full_time(study_form):
    assert is_full_time(study_form) is True
    assert verdict(first_time_pharmacy_assistant(study_form)).result == ELIGIBLE


@pytest.mark.parametrize("study_form", ["非全日制", "成人教育（函授/业余/脱产）", "自学考试", "网络教育", "非全日制（在职）"])
def test_an_explicit_non_full_time_form_refuses_a_first_time_candidate(study_form):
    assert is_full_time(study_form) is False
    v = verdict(first_time_pharmacy_assistant(study_form))
    assert v.result == NOT_ELIGIBLE and "首次报考须以全日制学历或学位报考" in v.text


@pytest.mark.parametrize(("study_form", "words"), [("其他", "学习形式“其他”"), ("", "未填学习形式")])
def test_a_form_not_known_to_be_full_time_is_to_be_checked_and_says_what_the_form_gave(study_form, words):
    assert is_full_time(study_form) is None
    v = verdict(first_time_pharmacy_assistant(study_form))
    assert v.result == CHECK and words in v.text and "不能确认是否为全日制" in v.text
    assert "（非全日制）" not in v.text


def test_a_first_time_candidate_with_an_unknown_form_who_is_short_of_years_is_not_eligible():
    # 2020年度 药士, 1 year of work: 2019-03 gives 0年10月, short whatever the form.
    f = form(2020, qualification__name="药士", educations=[education("中专", "2018-07", "药剂", study_form="其他")],
             work=[{"start": d("2019-03"), "end": None}])
    assert verdict(f).result == NOT_ELIGIBLE


# --- H3. An education without its 取得时间 is missing data, not obtained after the cut-off ----------------------------

def test_an_education_without_its_date_is_to_be_checked_not_called_late():
    v = verdict(facts(2024, "药士", educations=[Education("中专", None, True, "药剂")]))
    assert v.result == CHECK and "未填取得时间" in v.text and "截止日期后取得" not in v.text


def test_an_education_obtained_after_the_cut_off_still_is_not_eligible():
    assert verdict(facts(2024, "药士", educations=[edu("中专", "2024-01", "药剂")])).result == NOT_ELIGIBLE


# --- Ambiguity. A non-全日制 degree that may have been entered after 2015-03-31 (§1.4, 教高 documents) --------------

def physician(level_obtained, **extra):
    # 2024年度 主治 内科学: the non-全日制 本科 first (参评学历), 4年10月 from 注册 (4 years needed); a 全日制 大专 after it.
    return facts(2024, "主治医师", category="临床", specialty="内科学",
                 educations=[edu("本科", level_obtained, "临床医学", full_time=False, **extra), edu("大专", "2011-07", "临床医学")],
                 title="医师", title_date=d("2012-12"), registered=d("2019-03"))


def test_a_non_full_time_degree_obtained_after_march_2015_is_to_be_checked_naming_the_jiaogao_documents():
    v = verdict(physician("2020-01"))
    assert v.result == CHECK and "教高〔2014〕7号" in v.text and "2015年3月31日" in v.text and "入学时间" in v.text


def test_a_non_full_time_degree_obtained_by_march_2015_was_entered_before_and_is_eligible():
    assert verdict(physician("2015-03")).result == ELIGIBLE


def test_a_known_entry_date_decides_the_jiaogao_check():
    assert verdict(physician("2020-01", entered=d("2015-03"))).result == ELIGIBLE
    v = verdict(physician("2020-01", entered=d("2016-09")))
    assert v.result == CHECK and "2016-09入学" in v.text and "教高〔2002〕4号" in v.text


def test_a_holders_degree_of_unknown_form_obtained_after_march_2015_is_to_be_checked():
    f = form(2024, qualification__name="主治医师", category__name="临床", specialty__name="内科学",
             current_qualification="医师", current_qualification_date=d("2012-12"), practice_registered=d("2019-03"),
             educations=[education("本科", "2020-01", "临床医学", study_form="其他")])
    v = verdict(f)
    assert v.result == CHECK and "学习形式“其他”" in v.text and "教高" in v.text


def test_a_doubted_route_of_a_row_behind_the_assessed_one_names_both():
    # 2020年度 药师: 大专 first (参评学历, 3 years: 1年6月 fails); a 自学考试 本科 after it meets 1 year, but was
    # obtained 2018-06 (教高 to be checked) and is not the 参评学历.
    f = form(2020, qualification__name="药师", category__name="药学", current_qualification="药士",
             current_qualification_date=d("2016-06"), work=[{"start": d("2018-07"), "end": None}],
             educations=[education("大专", "2015-07", "药学"), education("本科", "2018-06", "药学", "自学考试")])
    v = verdict(f)
    assert v.result == CHECK and "教高" in v.text and "本科不是参评学历" in v.text and "参评学历（学位）：大专" in v.text


# --- H2. A nurse's 执业注册 older than her 护士资格: one of the two dates is wrong (she has no assistant tier) -------

def nurse(licensed, registered, level="大专"):
    return facts(2024, "护师", educations=[edu(level, "2019-06", "护理")], title="护士", title_date=d(licensed),
                 registered=d(registered))


def test_a_nurse_registered_before_her_licence_who_fails_only_from_the_licence_is_to_be_checked():
    # 大专 3 years: from the licence 2022-01, 2年0月; from the registration 2020-01, 4年0月.
    v = verdict(nurse("2022-01", "2020-01"))
    assert v.result == CHECK and "二者必有一处填写有误" in v.text and "4年0月" in v.text
    assert "不符合" not in v.text


def test_a_nurse_registered_before_her_licence_who_meets_the_years_either_way_is_to_be_checked():
    v = verdict(nurse("2020-05", "2020-01"))
    assert v.result == CHECK and "二者必有一处填写有误" in v.text and "执业助理医师" not in v.text


def test_a_nurse_registered_before_her_licence_who_fails_from_either_date_is_not_eligible_counted_from_the_earlier():
    # From the registration 2022-01: 2年0月 of 3, so 2025年度 at the earliest (from the licence 2023-01: 2026年度).
    v = verdict(nurse("2023-01", "2022-01"))
    assert v.result == NOT_ELIGIBLE and "尚差1年0月" in v.text and "最早可报考2025年度" in v.text
    assert "二者必有一处填写有误" in v.text


def test_a_physicians_registration_older_than_his_licence_stays_not_eligible_counted_from_the_licence():
    # Doctors keep their 不符合: a registration older than the 医师 licence is an 执业助理医师 one.
    v = verdict(facts(2024, "主治医师", category="临床", specialty="内科学", educations=[edu("本科", "2013-07", "临床医学")],
                      title="医师", title_date=d("2021-01"), registered=d("2019-01")))
    assert v.result == NOT_ELIGIBLE and "3年0月" in v.text


# --- M4. Regime A 主治, the 医师资格 date blank: the qualification precedes the registration -------------------------

def attending(level, qualified, registered, year=2020, **extra):
    return facts(year, "主治医师", category="临床", specialty="内科学", educations=[edu(level, "2008-07", "临床医学")],
                 title="医师", title_date=d(qualified) if qualified else None,
                 registered=d(registered) if registered else None, **extra)


def test_a_registration_that_meets_the_years_with_the_qualification_date_blank_is_eligible():
    v = verdict(attending("本科", None, "2015-01"))
    assert v.result == ELIGIBLE and "5年0月" in v.text and "未填取得医师资格年月" in v.text


def test_a_registration_short_of_the_years_with_the_qualification_date_blank_is_to_be_checked():
    # From 注册 2017-01: 3年0月 of 4; the blank, earlier, qualification date may give four.
    assert verdict(attending("本科", None, "2017-01")).result == CHECK


def test_a_qualification_that_meets_the_years_with_the_registration_blank_is_still_to_be_checked():
    assert verdict(attending("本科", "2015-01", None)).result == CHECK


# --- L1. The 公共卫生类别's 中级 is 主管医师 (§2.3(b)) ----------------------------------------------------------------

@pytest.mark.parametrize(("year", "qualified", "registered"), [(2020, "2016-01", "2016-01"), (2024, "2019-06", "2020-02")])
def test_a_public_health_verdict_names_the_title_zhuguan_yishi(year, qualified, registered):
    v = verdict(facts(year, "主治医师", category="公共卫生", specialty="疾病控制", educations=[edu("本科", "2008-07", "预防医学")],
                      title="医师", title_date=d(qualified), registered=d(registered)))
    assert "主管医师需" in v.text and "主治医师需" not in v.text


def test_a_clinical_verdict_still_names_the_title_zhuzhi_yishi():
    assert "主治医师需" in verdict(attending("本科", "2015-01", "2015-01")).text


# --- M3. 2021/2022年度 (rule set unconfirmed): 符合 where both rule sets are met on confirmed routes ------------------

@pytest.mark.parametrize("f", [
    # 药士 中专: the old rules' 1 year of work (1年5月), the new rules' education alone.
    facts(2022, "药士", educations=[edu("中专", "2020-07", "药剂")], work=[(d("2020-08"), None)]),
    facts(2021, "技士", educations=[edu("大专", "2019-07", "医学检验技术")], work=[(d("2019-08"), None)]),
    # 护师 大专: 3 years of work (old), 3 years from 注册 (new): 3年1月 (a January start is to be checked, probe5).
    facts(2022, "护师", educations=[edu("大专", "2018-06", "护理")], title="护士", title_date=d("2018-12"),
          registered=d("2018-12"), work=[(d("2018-12"), None)]),
], ids=["2022-药士", "2021-技士", "2022-护师"])
def test_a_candidate_who_meets_both_rule_sets_of_an_unconfirmed_year_is_eligible(f):
    v = verdict(f)
    assert v.result == ELIGIBLE and "按其中任一规则均符合" in v.text
    assert "人社部发〔2021〕51号" in v.text and "卫人发〔2000〕462号" in v.text


def test_a_candidate_who_meets_one_rule_set_of_an_unconfirmed_year_only_is_to_be_checked():
    # 2021年度 护师 大专: old rules 3 years of work (2017-06: 3年7月); new rules 3 years from 注册 (2019-03: 1年10月).
    v = verdict(facts(2021, "护师", educations=[edu("大专", "2017-06", "护理")], title="护士", title_date=d("2018-12"),
                      registered=d("2019-03"), work=[(d("2017-06"), None)]))
    assert v.result == CHECK and "本年度适用哪套规则未经确认" in v.text


def test_a_route_unconfirmed_in_itself_stays_to_be_checked_in_an_unconfirmed_year():
    # 2022年度 护师 本科: the new rules' 本科 route (direct appointment; whether to sit the exam unconfirmed).
    v = verdict(facts(2022, "护师", educations=[edu("本科", "2020-07", "护理学")], title="护士", title_date=d("2020-12"),
                      registered=d("2021-01"), work=[(d("2021-01"), None)]))
    assert v.result == CHECK


def shipped_before_0015(year):
    """The year's table as 0014 left it: both rule sets' rows, every one unconfirmed."""
    EligibilityRule.objects.filter(exam_year=year).delete()
    EligibilityRule.objects.bulk_create(EligibilityRule(exam_year=year, order=i, **{**row, "confirmed": False})
                                        for i, row in enumerate(keep_flags.SHIPPED.ROWS))


def test_a_stored_unconfirmed_year_still_as_shipped_gets_each_rules_own_flag_a_table_of_the_districts_not(db):
    shipped, imported = make_year(2021), make_year(2022)
    for year in (shipped, imported):
        shipped_before_0015(year)
    EligibilityRule.objects.filter(exam_year=imported, kind="advance", requires="基层", regime="B").update(note="考区的说明")
    keep_flags.forward(apps, None)
    confirmed = EligibilityRule.objects.filter(exam_year=shipped, confirmed=True)
    assert confirmed.count() == sum(row["confirmed"] for row in keep_flags.SHIPPED.ROWS) > 0
    assert confirmed.filter(regime="B", qualification="护师", education="大专").exists()
    assert not confirmed.filter(regime="A", qualification="主治医师", note__startswith="临床医学专业学位硕士").exists()
    assert not EligibilityRule.objects.filter(exam_year=imported, confirmed=True).exists()
    keep_flags.backward(apps, None)
    assert not EligibilityRule.objects.filter(exam_year=shipped, confirmed=True).exists()


# --- M1. Old rules' 主治: a 硕士 or 博士 whose years meet every reading (硕士 route, 本科 years) ----------------------

@pytest.mark.parametrize(("level", "since"), [("硕士研究生", "2015-01"), ("博士研究生", "2014-01"), ("硕士学位", "2015-12")])
def test_a_higher_degree_with_the_bachelors_years_is_eligible_whichever_degree_it_is(level, since):
    v = verdict(attending(level, since, since))
    assert v.result == ELIGIBLE and "专业学位、学术学位均适用" in v.text


@pytest.mark.parametrize(("level", "since"), [("硕士研究生", "2018-01"), ("硕士研究生", "2017-01"), ("博士研究生", "2019-03")])
def test_a_higher_degree_that_meets_only_its_own_unconfirmed_route_is_to_be_checked(level, since):
    # 硕士 2 years (2年0月, 3年0月) or 博士 none: met only if the degree is a 专业学位 (unconfirmed).
    assert verdict(attending(level, since, since)).result == CHECK


def test_a_masters_short_of_even_two_years_is_not_eligible():
    v = verdict(attending("硕士研究生", "2019-01", "2019-01"))
    assert v.result == NOT_ELIGIBLE and "1年0月" in v.text


def test_the_new_rules_masters_without_residency_still_rests_on_the_unconfirmed_bachelors_route():
    # Regime B (rules file §6 E11): a 硕士 without a 规培 certificate, four years from 注册, stays 需人工核实.
    v = verdict(attending("硕士研究生", "2018-06", "2019-06", year=2024))
    assert v.result == CHECK


# --- L2. The new rules' 本科 nurse: the route's words read as a sentence -------------------------------------------

def test_the_bachelor_nurses_route_says_its_years_before_its_doubt():
    v = verdict(nurse("2022-06", "2022-07", level="本科"))
    assert v.result == CHECK
    assert "护师需护士执业活动满1年（本科及以上执业满1年可直接聘任护师，是否仍须报考未经确认），截至" in v.text


def test_stored_tables_get_the_higher_degrees_and_the_nurses_note_a_table_of_the_districts_not(db):
    old, new, imported = make_year(2020), make_year(2024), make_year(2019)
    EligibilityRule.objects.filter(note=higher_degrees.HIGHER_NOTE).delete()  # as before 0016
    EligibilityRule.objects.filter(note=higher_degrees.NURSE_NOTE).update(note=higher_degrees.NURSE_NOTE_BEFORE)
    EligibilityRule.objects.filter(exam_year=imported, **higher_degrees.BACHELOR).update(note="考区的说明")
    higher_degrees.forward(apps, None)
    added = EligibilityRule.objects.filter(exam_year=old, note=higher_degrees.HIGHER_NOTE)
    assert sorted(added.values_list("education", flat=True)) == ["博士", "硕士"]
    assert not added.filter(confirmed=False).exists()
    assert EligibilityRule.objects.filter(exam_year=new, note=higher_degrees.NURSE_NOTE).count() == 3
    assert not EligibilityRule.objects.filter(exam_year=imported, note=higher_degrees.HIGHER_NOTE).exists()
    higher_degrees.forward(apps, None)  # once only
    assert added.count() == 2
    higher_degrees.backward(apps, None)
    assert not added.exists()
    assert not EligibilityRule.objects.filter(note=higher_degrees.NURSE_NOTE).exists()


# --- M2. The COVID front-line advance (§3.5) from 2021年度: 2020年度's registration closed before it -----------------

@pytest.mark.parametrize(("year", "since"), [(2020, "2016-04"), (2019, "2015-04")])
def test_front_line_staff_short_one_year_before_2021_are_not_eligible(year, since):
    v = verdict(attending("本科", since, since, year=year, evidence={"一线"}))
    assert v.result == NOT_ELIGIBLE and "3年9月" in v.text and f"最早可报考{year + 1}年度" in v.text
    assert "疫情防控一线" not in v.text


def test_front_line_staff_short_one_year_in_2021_are_still_to_be_checked():
    v = verdict(attending("本科", "2017-04", "2017-04", year=2021, evidence={"一线"}))
    assert v.result == CHECK and "疫情防控一线" in v.text


def test_only_the_years_from_2021_ship_the_front_line_advance():
    def front_line(year):
        return [row for row in eligibility_rows(year) if row["requires"] == "一线"]

    assert not front_line(2019) and not front_line(2020)
    assert {row["regime"] for row in front_line(2021)} == {"A", "B"} and front_line(2024)


def test_stored_tables_before_2021_lose_the_front_line_advance_a_later_one_keeps_it(db):
    old, unconfirmed = make_year(2020), make_year(2021)
    EligibilityRule.objects.create(exam_year=old, order=99, **front_line_from_2021.FRONT_LINE)  # as 0012 added it
    front_line_from_2021.forward(apps, None)
    assert not EligibilityRule.objects.filter(exam_year=old, requires="一线").exists()
    assert EligibilityRule.objects.filter(exam_year=unconfirmed, regime="A", requires="一线").count() == 1
    front_line_from_2021.backward(apps, None)
    assert EligibilityRule.objects.filter(exam_year=old, **front_line_from_2021.FRONT_LINE).count() == 1
