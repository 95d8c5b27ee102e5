"""The fifth QA probe's findings on the 资格初审 assistant (271 new cases), each against
../shared/reference/eligibility_rules.md: 需人工核实 wherever the facts or the rule are uncertain."""

import dataclasses

import pytest

from prereg.applications.eligibility import CHECK, ELIGIBLE, NOT_ELIGIBLE, assess
from prereg.applications.models import EducationRow
from tests.applications.eligibility_cases import d, edu, education, facts, form, verdict
from tests.applications.eligibility_cases import rules as eligibility_rules

# --- 1. A start in January reaching exactly N years: the whole-year reading is a year less (§1.3, §5 item 4) ------


def technician(since):
    # 2024年度 技师, 大专 全日制: 3 years of work (Regime B, S10b).
    return facts(2024, "技师", educations=[edu("大专", "2020-07", "医学检验技术")], work=[(d(since), None)])


def attending(registered):
    # 2024年度 主治 内科学, 本科: 4 years from the 执业医师注册 (Regime B, S10c).
    return facts(2024, "主治医师", category="临床", specialty="内科学", educations=[edu("本科", "2015-07", "临床医学")],
                 title="医师", title_date=d("2019-10"), registered=d(registered))


def test_a_january_start_met_by_months_but_not_by_whole_years_is_to_be_checked_naming_both():
    v = verdict(technician("2021-01"))
    assert v.result == CHECK
    assert "已满3年0月" in v.text and "按月计算已满3年，按年度相减计算为2年（2023−2021），规则未明确，请人工核实" in v.text
    v = verdict(attending("2020-01"))
    assert v.result == CHECK and "按月计算已满4年，按年度相减计算为3年" in v.text


def test_a_start_met_by_both_readings_is_eligible_in_january_or_not():
    assert verdict(technician("2020-12")).result == ELIGIBLE  # 3年1月; 2023−2020 = 3
    assert verdict(technician("2020-01")).result == ELIGIBLE  # 4年0月; 2023−2020 = 3
    assert verdict(attending("2019-12")).result == ELIGIBLE


def test_a_start_short_by_both_readings_is_not_eligible():
    v = verdict(technician("2021-02"))  # 2年11月
    assert v.result == NOT_ELIGIBLE and "按年度相减" not in v.text


def test_the_unconfirmed_start_of_old_rules_attending_and_a_january_start_are_one_check_said_once():
    # 2013年度 主治 大专 (Regime A: 从事医师工作 6 years, start point unconfirmed): both dates 2007-01 give 6年0月 by
    # months, 5 years by 2012−2007.
    v = verdict(facts(2013, "主治医师", category="临床", specialty="内科学", educations=[edu("大专", "2004-07", "临床医学")],
                      title="医师", title_date=d("2007-01"), registered=d("2007-01")))
    assert v.result == CHECK and "按年度相减计算为5年" in v.text and v.text.count("请人工核实") == 1


def test_an_advance_met_only_by_the_january_month_count_is_to_be_checked():
    # 2023年度 全科医学 本科 4 years from 注册 2020-01: 3年0月 + the 基层 year = 4 by months; 2 + 1 = 3 by years.
    f = facts(2023, "主治医师", category="临床", specialty="全科医学", educations=[edu("本科", "2016-07", "临床医学")],
              title="医师", title_date=d("2020-01"), registered=d("2020-01"), evidence={"基层"})
    v = verdict(f)
    assert v.result == CHECK and "可提前一年，按此需满3年" in v.text and "按年度相减计算为2年" in v.text


@pytest.mark.parametrize(("rows", "result"), [
    # Rows summed: the whole-year reading is that of one start only (rules file §1.3), so none here.
    ([("2021-01", "2021-06"), ("2021-09", None)], NOT_ELIGIBLE),  # 6 + 28 = 34 months
    ([("2020-06", "2020-12"), ("2021-03", None)], ELIGIBLE),  # 7 + 34 = 41 months
])
def test_work_rows_summed_are_counted_by_months(rows, result):
    f = facts(2024, "技师", educations=[edu("大专", "2020-07", "医学检验技术")],
              work=[(d(start), d(end) if end else None) for start, end in rows])
    assert verdict(f).result == result


# --- 2. An appointment (受聘) dated before the qualification it is to: one date is wrong (rules file §6 E6) ---------

@pytest.mark.parametrize(("f", "title"), [
    (facts(2020, "技师", educations=[edu("中专", "2011-07", "医学影像技术")], title="技士", title_date=d("2016-05"),
           appointments=[("技士", d("2012-07"), None)]), "技士"),
    (facts(2020, "主管护师", educations=[edu("本科", "2010-07", "护理学")], title="护师", title_date=d("2017-05"),
           registered=d("2010-09"), appointments=[("护师", d("2013-01"), None)]), "护师"),
    (facts(2020, "主治医师", category="临床", specialty="内科学", educations=[edu("中专", "2005-07", "临床医学")],
           title="医师", title_date=d("2015-05"), registered=d("2015-08"), appointments=[("医师", d("2010-01"), None)]),
     "医师"),
    (facts(2020, "主管技师", educations=[edu("本科", "2008-07", "医学检验技术")], title="技师", title_date=d("2017-05"),
           appointments=[("技师", d("2012-01"), None)]), "技师"),
])
def test_an_appointment_before_the_qualification_it_is_to_is_to_be_checked(f, title):
    v = verdict(f)
    assert v.result == CHECK
    assert f"早于取得{title}资格" in v.text and "二者必有一处填写有误" in v.text and "不满足此条件" in v.text


def test_an_appointment_before_the_qualification_is_checked_even_where_counting_from_it_meets_the_years():
    f = facts(2020, "技师", educations=[edu("中专", "2008-07", "医学影像技术")], title="技士", title_date=d("2012-05"),
              appointments=[("技士", d("2011-07"), None)])
    v = verdict(f)
    assert v.result == CHECK and "自取得资格起计受聘7年8月，亦满足此条件" in v.text


def test_an_appointment_after_the_qualification_is_counted_as_it_was():
    f = facts(2020, "技师", educations=[edu("中专", "2011-07", "医学影像技术")], title="技士", title_date=d("2012-05"),
              appointments=[("技士", d("2012-07"), None)])
    assert verdict(f).result == ELIGIBLE


def test_an_appointment_before_the_qualification_that_fails_even_counted_in_full_is_not_eligible():
    # rules file §6 E6 with the appointment typed before the 技士: 2015-07 gives 4年6月 of 5 even in full.
    f = facts(2020, "技师", educations=[edu("中专", "2011-07", "放射")], title="技士", title_date=d("2016-05"),
              appointments=[("技士", d("2015-07"), None)])
    assert verdict(f).result == NOT_ELIGIBLE


# --- 3. A 研究生 学历 with 学位 无 holds no 学位: only the routes of its 学历 (rules file §2, §4 学位证书) ---------------

def degree(level, obtained):
    return education(level, obtained, kind=EducationRow.Kind.DEGREE)


def pharmacist(*degrees, work=()):
    # 2024年度 药师: 硕士学位 none (S10b); 本科学历或学士学位 1 year of work.
    return form(2024, qualification__name="药师", educations=[education("硕士研究生", "2023-07", "药学"), *degrees],
                work=[{"start": d(start), "end": None} for start in work])


def test_a_masters_study_with_degree_none_is_held_to_the_bachelors_route():
    v = verdict(pharmacist(degree("无", "2023-07"), work=["2023-08"]))
    assert v.result == NOT_ELIGIBLE and "硕士研究生（无硕士学位，按本科条件）" in v.text and "具备硕士学位" not in v.text
    assert verdict(pharmacist(degree("无", "2023-07"))).result != ELIGIBLE  # no work row: years unknown
    assert verdict(pharmacist(degree("无", "2023-07"), work=["2022-06"])).result == ELIGIBLE  # 1年7月


def test_a_masters_study_with_its_degree_takes_the_masters_route():
    v = verdict(pharmacist(degree("硕士学位", "2023-07")))
    assert v.result == ELIGIBLE and "具备硕士学位" in v.text
    assert verdict(pharmacist(degree("学士学位", "2020-07"), work=["2023-08"])).result == NOT_ELIGIBLE


def test_a_degree_obtained_after_the_cut_off_does_not_open_its_route_as_a_later_diploma_does_not():
    # 2024年度 (cut-off 2023-12-31): the 硕士学位 of 2024-03 is not held on the day the years are counted to.
    v = verdict(pharmacist(degree("硕士学位", "2024-03"), work=["2023-08"]))
    assert v.result == NOT_ELIGIBLE and "具备硕士学位" not in v.text
    assert "硕士研究生（硕士学位于截止日期后取得，按本科条件）" in v.text
    assert verdict(pharmacist(degree("硕士学位", "2024-03"), work=["2022-06"])).result == ELIGIBLE  # 本科 route
    assert verdict(pharmacist(degree("硕士学位", "2023-12"))).result == ELIGIBLE  # by the cut-off: held


def test_a_masters_study_whose_degree_the_form_does_not_give_is_to_be_checked_on_the_degree_route():
    v = verdict(pharmacist(work=["2023-08"]))
    assert v.result == CHECK and "未填学位" in v.text


def test_a_doctoral_study_with_degree_none_does_not_sit_attending_by_the_doctorate():
    # 2024年度 主治 临床: 博士学位 + 规培 none (S10c); 本科 + 规培 2 years from the certificate (0年6月).
    f = form(2024, qualification__name="主治医师", category__name="临床", specialty__name="内科学",
             educations=[education("博士研究生", "2023-06", "临床医学"), degree("无", "2023-06")],
             current_qualification="医师", current_qualification_date=d("2022-12"), practice_registered=d("2023-01"),
             training=[{"kind": "residency", "start": d("2020-09"), "issued": d("2023-07")}])
    v = verdict(f)
    assert v.result == NOT_ELIGIBLE and "博士学位并取得" not in v.text and "按本科条件" in v.text


@pytest.mark.parametrize(("qualification", "title", "level"), [("主管护师", "护士", "硕士研究生"),
                                                               ("主管技师", "无", "博士研究生")])
def test_charge_titles_ask_for_the_degree_too(qualification, title, level):
    # 2024年度: 主管护师 硕士 2 years from 注册, 主管技师 博士 none; without the 学位 the 本科 route asks for the 师.
    f = form(2024, qualification__name=qualification, educations=[education(level, "2019-07"), degree("无", "2019-07")],
             current_qualification=title, current_qualification_date=d("2019-10") if title != "无" else None,
             practice_registered=d("2019-12") if title != "无" else None)
    assert verdict(f).result == NOT_ELIGIBLE


# --- 4. Names compared as names: brackets full-width or not, spaces (NFKC) ------------------------------------------

@pytest.mark.parametrize("specialty", ["全科医学(中医类)", "全科医学（中医类）", "全科医学 （中医类）"])
def test_a_full_width_specialty_name_meets_the_rules_ascii_one_and_keeps_the_grassroots_advance(specialty):
    # 2024年度 中医 大专, 6 years from 注册 2018-12 (5年1月): the 基层 year is taken off for 全科医学(中医类) (S12).
    f = facts(2024, "主治医师", category="中医", specialty=specialty, educations=[edu("大专", "2010-07", "中医学")],
              title="医师", title_date=d("2018-06"), registered=d("2018-12"), evidence={"基层"})
    v = verdict(f)
    assert v.result == ELIGIBLE and "可提前一年，按此需满5年 → 符合" in v.text


def test_a_rule_written_full_width_meets_the_catalogues_ascii_name():
    rules = [dataclasses.replace(rule, specialties=rule.specialties.replace("(", "（").replace(")", "）"))
             for rule in eligibility_rules(2024)]
    f = facts(2024, "主治医师", category="中医", specialty="全科医学(中医类)", educations=[edu("大专", "2010-07", "中医学")],
              title="医师", title_date=d("2018-06"), registered=d("2018-12"), evidence={"基层"})
    assert assess(f, rules).result == ELIGIBLE


# --- 6. What the rules leave open is not 不符合: 中医专长 (§3.6), years served in the military (§3.4) -------------------

def tcm_expert(registered):
    return form(2024, qualification__name="主治医师", category__name="中医", specialty__name="中医内科学",
                scope__name="中医专长", educations=[education("本科", "2010-07", "中医学")],
                current_qualification="医师", current_qualification_date=d("2019-03"), practice_registered=d(registered))


def test_a_tcm_expertise_physician_short_of_the_years_is_to_be_checked_not_refused():
    v = verdict(tcm_expert("2022-01"))  # 2年0月 of the 本科 route's 4
    assert v.result == CHECK and "中医（专长）医师能否报考主治医师及其年限要求未经确认" in v.text and "尚差2年0月" in v.text


def test_a_tcm_expertise_physician_who_meets_the_years_is_still_to_be_checked():
    assert verdict(tcm_expert("2019-06")).result == CHECK


MILITARY_PAPERS = "转业证/自主择业证"


def military_technician(since, others=(MILITARY_PAPERS,)):
    # 2020年度 技师 大专: 3 years of 从事本专业技术工作 (Regime A, S5).
    return form(2020, qualification__name="技师", educations=[education("大专", "2008-07", "医学影像技术")],
                work=[{"start": d(since), "end": None}], others=others)


def test_military_papers_make_a_route_counting_work_years_that_is_short_to_be_checked():
    v = verdict(military_technician("2018-01"))
    assert v.result == CHECK and "部队服役年限能否计入未经确认" in v.text and "尚差1年0月" in v.text
    assert verdict(military_technician("2018-01", others=())).result == NOT_ELIGIBLE


def test_military_papers_do_not_move_a_count_from_a_certificates_date():
    # 2024年度 主管技师 本科: 4 years from the 技师 certificate 2022-06 (S10b): 1年7月 whatever was served.
    f = form(2024, qualification__name="主管技师", educations=[education("本科", "2008-07", "医学影像技术")],
             current_qualification="技师", current_qualification_date=d("2022-06"), others=[MILITARY_PAPERS])
    assert verdict(f).result == NOT_ELIGIBLE


def test_military_papers_with_the_years_met_stay_to_be_checked():
    assert verdict(military_technician("2016-06")).result == CHECK


# --- 7. 现有资格 无 contradicted by the form's other rows ----------------------------------------------------------------

def test_no_title_but_appointed_to_the_one_asked_for_is_contradictory_and_to_be_checked():
    # 2020年度 药师 中专: 受聘担任药士职务满5年 (S5); appointed 药士 since 2010.
    f = facts(2020, "药师", educations=[edu("中专", "2008-07", "药剂")], title="无",
              appointments=[("药士", d("2010-01"), None)])
    v = verdict(f)
    assert v.result == CHECK and "现有资格填“无”" in v.text and "受聘药士" in v.text and "二者矛盾" in v.text


def test_no_title_but_a_registration_is_contradictory_where_the_route_asks_for_the_licence():
    # 2024年度 护师 中专: 5 years of 护士执业活动 from the 注册 (S10a); registered 2015-01.
    f = facts(2024, "护师", educations=[edu("中专", "2012-07", "护理")], title="无", registered=d("2015-01"))
    v = verdict(f)
    assert v.result == CHECK and "执业注册 2015-01" in v.text and "二者矛盾" in v.text


def test_no_title_contradicted_by_rows_that_fall_short_even_so_is_not_eligible():
    f = facts(2020, "药师", educations=[edu("中专", "2017-07", "药剂")], title="无",
              appointments=[("药士", d("2018-01"), None)])  # 2 years of 5 even as a 药士
    assert verdict(f).result == NOT_ELIGIBLE


def test_no_title_and_nothing_saying_otherwise_is_not_eligible():
    v = verdict(facts(2020, "药师", educations=[edu("中专", "2008-07", "药剂")], title="无"))
    assert v.result == NOT_ELIGIBLE and "须取得药士资格（现有资格：无）" in v.text


# --- 8. The seed's 社区工作证明/基层工作20年证明 row: the 基层 advance resting on it is to be checked (§3.2) ----------------

GRASSROOTS_ROW = "社区工作证明/基层工作20年证明"


def general_practitioner(exam_year, registered, others):
    return form(exam_year, qualification__name="主治医师", category__name="临床", specialty__name="全科医学",
                educations=[education("本科", "2010-07", "临床医学")], current_qualification="医师",
                current_qualification_date=d(registered), practice_registered=d(registered), others=others)


@pytest.mark.parametrize(("exam_year", "registered"), [(2020, "2016-12"), (2024, "2020-12")])  # 3年1月 of 4
def test_an_advance_resting_on_the_community_or_twenty_years_row_is_to_be_checked(exam_year, registered):
    v = verdict(general_practitioner(exam_year, registered, [GRASSROOTS_ROW]))
    assert v.result == CHECK and "可提前一年" in v.text and "基层工作20年证明" in v.text
    assert verdict(general_practitioner(exam_year, registered, ["社区工作证明"])).result == ELIGIBLE
    assert verdict(general_practitioner(exam_year, registered, ["基层工作20年证明"])).result == CHECK


def test_the_community_or_twenty_years_row_does_not_matter_where_the_years_are_met_without_the_advance():
    assert verdict(general_practitioner(2020, "2015-06", [GRASSROOTS_ROW])).result == ELIGIBLE  # 4年7月


@pytest.mark.parametrize("row", ["疫情防控一线人员证明", "新冠肺炎疫情防控一线人员证明"])
def test_a_front_line_row_worded_by_the_district_keeps_the_advance(row):
    # 2024年度 护师 大专: 3 years from 注册 2021-12 (2年1月) + the 一线 year (§3.5).
    f = form(2024, qualification__name="护师", educations=[education("大专", "2021-07", "护理")],
             current_qualification="护士", current_qualification_date=d("2021-09"), practice_registered=d("2021-12"),
             others=[row])
    v = verdict(f)
    assert v.result == ELIGIBLE and "疫情防控一线人员可提前一年申报" in v.text


# --- 9. The words: the candidate's own titles, one 请人工核实, a cut-off said once -------------------------------------

def test_a_technician_is_told_of_the_technicians_titles_not_pharmacy_or_technology():
    f = facts(2020, "技师", educations=[edu("中专", "2011-07", "医学影像技术")], title="技士", title_date=d("2016-05"),
              appointments=[("技士", d("2016-07"), None)])  # rules file §6 E6
    v = verdict(f)
    assert v.result == NOT_ELIGIBLE and "受聘担任技士职务满5年" in v.text and "药(技)" not in v.text
    v = verdict(facts(2024, "主管药师", educations=[edu("本科", "2014-07", "药学")], title="药师", title_date=d("2022-06")))
    assert "取得药师后从事本专业工作满4年" in v.text and "药(技)" not in v.text


def test_a_public_health_refusal_names_the_licence_not_the_title_applied_for():
    v = verdict(facts(2024, "主治医师", category="公共卫生", educations=[edu("本科", "2014-07", "预防医学")], title="无"))
    assert v.result == NOT_ELIGIBLE and "主管医师须取得医师资格（现有资格：无）" in v.text


def physician(exam_year, level, obtained, **extra):
    return facts(exam_year, "主治医师", category="临床", specialty="内科学", educations=[edu(level, obtained, "临床医学")],
                 **extra)


def test_routes_to_be_checked_together_say_it_once():
    # 2024年度 博士 + 规培 (no 注册): the 博士 route lacks the registration, the fall-back lacks its start.
    v = verdict(physician(2024, "博士", "2023-06", title="医师", title_date=d("2022-12"),
                          training=[(d("2020-09"), d("2023-07"))]))
    assert v.result == CHECK and v.text.count("请人工核实") == 1 and v.text.endswith("请人工核实")


def test_an_unconfirmed_years_text_says_its_check_and_its_cut_off_once():
    # 2022年度 (rule set unconfirmed): 本科, 医师 2017-12, 注册 2018-01; both sets read a January start.
    v = verdict(physician(2022, "本科", "2012-07", title="医师", title_date=d("2017-12"), registered=d("2018-01")))
    assert v.result == CHECK
    assert v.text.count("请人工核实") == 1 and v.text.count("截至2021年12月31日") == 1
    assert len(v.text) < 330


def test_the_two_start_points_of_old_rules_attending_are_said_without_repeating_the_route():
    # 2020年度 本科 4 years: from the qualification 2015-06 4年7月, from the registration 2016-06 3年7月.
    v = verdict(physician(2020, "本科", "2012-07", title="医师", title_date=d("2015-06"), registered=d("2016-06")))
    assert v.result == CHECK and v.text.count("主治医师需从事医师工作满4年") == 1
    assert "执业注册 2016-06 起已满3年7月" in v.text and v.text.endswith("起算点未经确认，请人工核实")
