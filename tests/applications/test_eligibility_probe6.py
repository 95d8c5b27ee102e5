"""QA probe round 6 (/tmp/probe-elig, case ids in the comments): the front-line advance's end, a registration
older than the only diploma, a missing appointment bounded by the title, and the verdicts' words."""

import pytest

from prereg.applications.eligibility import CHECK, ELIGIBLE, FRONT_LINE_LAST_CONFIRMED, NOT_ELIGIBLE

from .eligibility_cases import d, edu, education, facts, form, verdict

# --- 1. The COVID front-line advance (rules file §3.5): its end dates are provincial ----------------------------

def front_line_attending(exam_year, registered):
    return facts(exam_year, "主治医师", category="临床", specialty="内科学",
                 educations=[edu("本科", f"{exam_year - 7}-07", "临床医学")], title="医师",
                 title_date=d(f"{int(registered[:4]) - 1}-12"), registered=d(registered), evidence={"一线"})


def test_the_front_line_advance_after_the_last_confirmed_year_is_to_be_checked_naming_why():
    # X05: 2028年度 本科, registered 2024-10: 3年3月 of 4, met only with the front-line year.
    v = verdict(front_line_attending(2028, "2024-10"))
    assert v.result == CHECK
    assert "一线提前申报的截止年度未经确认" in v.text and "2028年度能否使用须核实" in v.text
    assert v.text.endswith("请人工核实") and v.text.count("请人工核实") == 1


@pytest.mark.parametrize(("exam_year", "expected"), [(FRONT_LINE_LAST_CONFIRMED, ELIGIBLE),
                                                     (FRONT_LINE_LAST_CONFIRMED + 1, CHECK)])
def test_the_front_line_advance_is_confirmed_up_to_2026(exam_year, expected):
    # 3年3月 of 4 in either year: the advance decides.
    v = verdict(front_line_attending(exam_year, f"{exam_year - 4}-10"))
    assert FRONT_LINE_LAST_CONFIRMED == 2026 and v.result == expected


def test_an_earliest_year_met_only_with_the_front_line_advance_after_2026_is_not_promised():
    # 2026年度, registered 2023-06: 2年7月; with the advance 3 years are met in 2027年度, past the confirmed years.
    v = verdict(front_line_attending(2026, "2023-06"))
    assert v.result == NOT_ELIGIBLE and "最早可报考2027年度" not in v.text
    assert "已计提前1年，此条件未经确认，2027年度满足年限时亦须人工核实" in v.text


# --- 2. A registration older than the only diploma, the lowest that gives a nurse's licence (§1.5) --------------

def nurse(obtained, registered, educations=None):
    return facts(2023, "护师", educations=educations or [edu("中专", obtained, "护理")], title="护士",
                 title_date=d("2017-05"), registered=d(registered))


def test_a_registration_before_the_only_secondary_diploma_is_to_be_checked_naming_both_dates():
    # X02: 中专 2018-07, registered 2017-06: 5年7月 from the registration, 4年6月 from the diploma.
    v = verdict(nurse("2018-07", "2017-06"))
    assert v.result == CHECK
    assert "执业注册年月 2017-06 早于所依据的中专学历取得时间 2018-07" in v.text and "二者必有一处填写有误" in v.text
    assert "自学历取得起计为4年6月" in v.text


def test_a_registration_after_an_earlier_education_row_is_no_contradiction():
    # A 中专 of 2016 gave the licence; the 中专 the route rests on (a second one, 2018) came later.
    v = verdict(nurse("2018-07", "2017-06", [edu("中专", "2018-07", "护理"), edu("中专", "2016-07", "护理", assessed=False)]))
    assert v.result == ELIGIBLE


def test_a_registration_before_a_higher_diploma_is_no_contradiction():
    # 大专 2018-07, registered 2017-06: a lower (中专) education not on the form may have given it. 3 years met.
    v = verdict(nurse("2018-07", "2017-06", [edu("大专", "2018-07", "护理")]))
    assert v.result == ELIGIBLE and "早于所依据的" not in v.text


# --- 3. A missing or unrecognised appointment, bounded by the title's date ---------------------------------------

def test_a_missing_appointment_that_fails_even_from_the_title_is_not_eligible():
    # X10: 2020 药师 中专, 药士 2016-05, no appointment rows: at most 3年8月 of 5.
    v = verdict(facts(2020, "药师", educations=[edu("中专", "2012-07", "药学")], title="药士", title_date=d("2016-05"),
                      work=[(d("2012-08"), None)]))
    assert v.result == NOT_ELIGIBLE
    assert "缺少受聘时间；受聘药士不早于取得药士资格 2016-05" in v.text and "已满3年8月 → 不符合（尚差1年4月" in v.text


@pytest.mark.parametrize("appointed", [[], [("护士", d("2010-01"), None)]])
def test_an_unrecognised_appointment_that_fails_even_from_the_title_is_not_eligible(appointed):
    # X09/C21: 2020 主管护师 大专 (6 years 受聘担任护师), 护师 2018-05, appointed only as 护士.
    v = verdict(facts(2020, "主管护师", educations=[edu("大专", "2009-07", "护理学")], title="护师",
                      title_date=d("2018-05"), registered=d("2009-09"), appointments=appointed))
    assert v.result == NOT_ELIGIBLE and "不早于取得护师资格 2018-05" in v.text and "已满1年8月" in v.text


def test_a_missing_appointment_that_could_pass_from_the_title_is_still_to_be_checked():
    # T04: 药士 2012-05: 7年7月 from the title, enough if appointed then.
    v = verdict(facts(2020, "药师", educations=[edu("中专", "2009-07", "药学")], title="药士", title_date=d("2012-05"),
                      work=[(d("2010-08"), None)]))
    assert v.result == CHECK and "缺少受聘时间" in v.text
    # H25: a 护理员 appointment only, 护士 2012-09: 7年4月 from the title.
    v = verdict(facts(2020, "护师", educations=[edu("中专", "2010-07", "护理")], title="护士", title_date=d("2012-09"),
                      registered=d("2012-12"), appointments=[("护理员", d("2012-01"), None)]))
    assert v.result == CHECK and "护理员" in v.text


# --- 4. The words ----------------------------------------------------------------------------------------------

def attending(exam_year, level, obtained, title_date, registered):
    return facts(exam_year, "主治医师", category="临床", specialty="内科学", educations=[edu(level, obtained, "临床医学")],
                 title="医师", title_date=d(title_date), registered=d(registered))


def test_the_academic_masters_route_reads_as_a_sentence():
    # D08: 2020年度 硕士, 医师 2017-10, registered 2017-12.
    v = verdict(attending(2020, "硕士", "2016-07", "2017-10", "2017-12"))
    assert v.result == CHECK
    assert ("主治医师需取得临床医学硕士专业学位后从事医师工作满2年（学术学位硕士是否适用未经确认），截至2019年12月31日"
            in v.text)


def test_the_doctor_without_residency_route_reads_as_a_sentence():
    # D25: 2023年度 博士, no 规培, registered 2017-03.
    v = verdict(attending(2023, "博士", "2021-07", "2016-12", "2017-03"))
    assert v.result == CHECK and "主治医师（无规培证书的博士，按本科条件）需执业满4年（系推断，未经确认）" in v.text
    assert "需无规培证书" not in v.text


def test_a_post_change_without_its_date_says_its_years_once():
    # F03: 2024 主治 本科, 执业范围变更, no date of the change.
    v = verdict(form(2024, qualification__name="主治医师", category__name="临床", specialty__name="普通外科学",
                     educations=[education("本科", "2015-07", "临床医学")], current_qualification="医师",
                     current_qualification_date=d("2016-05"), practice_registered=d("2016-08"),
                     practice_change="执业范围变更"))
    assert v.result == CHECK and "转岗人员须在现岗位工作满2年，表中没有转岗时间" in v.text and "（2年）" not in v.text


def test_each_rule_set_of_an_unconfirmed_year_ends_with_its_conclusion():
    # T27: 2022年度 药师 硕士, no work: 51号 needs no years (符合), the old rules 1 year of work (none given).
    v = verdict(facts(2022, "药师", educations=[edu("硕士", "2021-07", "药学")]))
    assert v.result == CHECK
    assert "硕士 → 具备硕士学位 → 符合；" in v.text and v.text.endswith("缺少工作经历的起止时间，需人工核实")


def test_an_advance_is_said_once_with_the_years_it_asks():
    # 2024年度 护师 大专, registered 2021-12 (2年1月 of 3) + 一线.
    v = verdict(facts(2024, "护师", educations=[edu("大专", "2021-07", "护理")], title="护士", title_date=d("2021-09"),
                      registered=d("2021-12"), evidence={"一线"}))
    assert v.result == ELIGIBLE
    assert v.text.endswith("已满2年1月；疫情防控一线人员可提前一年申报（仅可使用一次，请核实此前未使用），按此需满2年 → 符合")
    assert "提前1年" not in v.text


@pytest.mark.parametrize(("qualification", "level", "obtained", "words"),
                         [("技士", "中专", "2023-01", "中专2023-01取得，晚于截止日期2022年12月31日，不能作为参评学历"),  # S06
                          ("药师", "硕士", "2023-01", "硕士2023-01取得，晚于截止日期2022年12月31日，不能作为参评学历")])  # T13
def test_an_education_after_the_cut_off_names_its_date_and_the_cut_off(qualification, level, obtained, words):
    v = verdict(facts(2023, qualification, educations=[edu(level, obtained, "药学")]))
    assert v.result == NOT_ELIGIBLE and v.text == words


def test_months_short_of_a_year_are_said_as_months():
    # 2020 药士 中专, work from 2019-02: 11 months of 12.
    v = verdict(facts(2020, "药士", educations=[edu("中专", "2018-07", "药学")], work=[(d("2019-02"), None)]))
    assert v.result == NOT_ELIGIBLE and "尚差1个月" in v.text and "尚差0年" not in v.text
