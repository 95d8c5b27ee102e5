"""The fifth QA probe's findings on the 资格初审 assistant (271 new cases), each against
../shared/reference/eligibility_rules.md: 需人工核实 wherever the facts or the rule are uncertain."""

import pytest

from prereg.applications.eligibility import CHECK, ELIGIBLE, NOT_ELIGIBLE
from tests.applications.eligibility_cases import d, edu, facts, verdict

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
    assert v.result == CHECK and "提前1年" in v.text and "按年度相减计算为2年" in v.text


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
