"""The 15 worked examples of ../shared/reference/eligibility_rules.md §6, as the verdicts say them."""

import datetime

import pytest

from prereg.applications.eligibility import CHECK, ELIGIBLE, NOT_ELIGIBLE, Education, Facts, Rule, assess
from prereg.catalog.loaders import eligibility_rows


def d(text):
    year, month = text.split("-")
    return datetime.date(int(year), int(month), 1)


def rules(exam_year):
    return [Rule(**row) for row in eligibility_rows(exam_year)]


def facts(exam_year, qualification, **extra):
    return Facts(exam_year=exam_year, cutoff=datetime.date(exam_year - 1, 12, 31), qualification=qualification, **extra)


def edu(level, obtained, full_time=True):
    return Education(level, d(obtained), full_time)


def verdict(f):
    return assess(f, rules(f.exam_year))


def test_e1_a_nursing_graduate_with_a_year_and_five_months_may_sit_the_nurse_exam():
    v = verdict(facts(2020, "护师", category="护理", educations=[edu("本科", "2018-07")], title="护士",
                      title_date=d("2018-09"), work=[(d("2018-08"), None)]))
    assert v.result == ELIGIBLE and "1年5月" in v.text


def test_e2_a_college_nurse_two_years_four_months_in_is_not_yet_eligible():
    v = verdict(facts(2020, "护师", category="护理", educations=[edu("大专", "2017-07")], title="护士",
                      work=[(d("2017-09"), None)]))
    assert v.result == NOT_ELIGIBLE and "2年4月" in v.text and "2021年度" in v.text


def test_e3_a_pharmacy_secondary_graduate_may_sit_the_assistant_pharmacist_exam():
    v = verdict(facts(2020, "药士", category="药学", educations=[edu("中专", "2018-07")], work=[(d("2018-08"), None)]))
    assert v.result == ELIGIBLE and "1年5月" in v.text


def test_e4_a_first_time_candidate_cannot_use_an_online_diploma():
    v = verdict(facts(2020, "药士", category="药学", educations=[edu("大专", "2019-01", full_time=False)],
                      work=[(d("2016-03"), None)]))
    assert v.result == NOT_ELIGIBLE and "全日制" in v.text


def test_e5_regime_b_asks_no_years_of_an_assistant_pharmacist():
    v = verdict(facts(2023, "药士", category="药学", educations=[edu("大专", "2022-07")]))
    assert v.result == ELIGIBLE
    assert verdict(facts(2020, "药士", category="药学", educations=[edu("大专", "2022-07")])).result != ELIGIBLE


def test_e6_a_technician_counts_his_years_as_appointed_technician_only():
    v = verdict(facts(2020, "技师", category="技术", educations=[edu("中专", "2011-07")], title="技士",
                      title_date=d("2016-05"), appointments=[("技士", d("2016-07"), None)], work=[(d("2011-08"), None)]))
    assert v.result == NOT_ELIGIBLE and "3年6月" in v.text


def test_e7_an_upgraded_degree_opens_the_shorter_route():
    # The 成人函授 本科 was entered 2015-03, before the 教高 documents' 2015-03-31 (the form has no entry date).
    correspondence = Education("本科", d("2018-01"), False, entered=d("2015-03"))
    v = verdict(facts(2020, "主管护师", category="护理", educations=[edu("大专", "2008-07"), correspondence],
                      title="护师", title_date=d("2014-05"), appointments=[("护师", d("2014-06"), None)]))
    assert v.result == ELIGIBLE and v.text.startswith("本科") and "5年7月" in v.text


def test_e8_a_physician_meets_the_four_years_from_either_start():
    v = verdict(facts(2020, "主治医师", category="临床", specialty="内科学", educations=[edu("本科", "2013-07")],
                      title="医师", title_date=d("2014-12"), registered=d("2015-03")))
    assert v.result == ELIGIBLE


def test_e9_an_assistant_physician_may_not_sit_the_attending_exam():
    v = verdict(facts(2020, "主治医师", category="临床", specialty="内科学", educations=[edu("大专", "2005-07")],
                      title="医士", title_date=d("2010-01"), registered=d("2010-03")))
    assert v.result == NOT_ELIGIBLE and "医师" in v.text


def test_e10_the_residency_certificate_route_counts_two_years_from_the_certificate():
    v = verdict(facts(2023, "主治医师", category="临床", specialty="内科学", educations=[edu("本科", "2017-07")],
                      title="医师", title_date=d("2018-12"), registered=d("2019-03"),
                      training=[(d("2017-09"), d("2020-09"))]))
    assert v.result == ELIGIBLE and "2年4月" in v.text


def test_e11_an_academic_master_without_residency_is_not_eligible_then_to_be_checked():
    master = {"category": "临床", "specialty": "内科学", "educations": [edu("硕士研究生", "2019-07")], "title": "医师",
                  "title_date": d("2020-06"), "registered": d("2020-12")}
    assert verdict(facts(2024, "主治医师", **master)).result == NOT_ELIGIBLE
    assert verdict(facts(2025, "主治医师", **master)).result == CHECK


def test_e12_the_community_advance_holds_for_general_practice_only():
    doctor = {"category": "临床", "educations": [edu("大专", "2008-07")], "title": "医师", "title_date": d("2014-04"),
                  "registered": d("2014-04"), "evidence": {"基层"}}
    assert verdict(facts(2020, "主治医师", specialty="全科医学", **doctor)).result == ELIGIBLE
    assert verdict(facts(2020, "主治医师", specialty="内科学", **doctor)).result == NOT_ELIGIBLE


def test_e13_residency_and_a_township_post_sit_directly_a_city_post_is_to_be_checked():
    doctor = {"category": "临床", "specialty": "全科医学", "educations": [edu("本科", "2015-07")], "title": "医师",
                  "title_date": d("2017-03"), "registered": d("2017-06"), "training": [(d("2015-09"), d("2018-09"))]}
    assert verdict(facts(2020, "主治医师", evidence={"基层"}, **doctor)).result == ELIGIBLE
    city = verdict(facts(2020, "主治医师", **doctor))
    assert city.result == CHECK and "未经确认" in city.text


def test_e14_the_front_line_advance_makes_three_years_eight_months_enough():
    nurse = {"category": "护理", "educations": [edu("本科", "2015-07")], "title": "护师", "title_date": d("2019-05"),
                 "registered": d("2015-09")}
    assert verdict(facts(2023, "主管护师", evidence={"一线"}, **nurse)).result == ELIGIBLE
    assert verdict(facts(2023, "主管护师", **nurse)).result == NOT_ELIGIBLE


def test_e15_a_change_of_post_needs_two_years_in_the_new_post():
    surgeon = {"category": "临床", "specialty": "普通外科学", "educations": [edu("本科", "2012-07")], "title": "医师",
                   "title_date": d("2016-05"), "registered": d("2016-08"), "evidence": {"转岗"},
                   "work": [(d("2016-08"), d("2022-05")), (d("2022-06"), None)], "current_post_start": d("2022-06")}
    v = verdict(facts(2024, "主治医师", **surgeon))
    assert v.result == NOT_ELIGIBLE and "1年7月" in v.text and "2025年度" in v.text
    assert verdict(facts(2025, "主治医师", **surgeon)).result == ELIGIBLE


@pytest.mark.parametrize("qualification", ["医师", "护士"])
def test_levels_this_exam_does_not_grant_are_not_eligible(qualification):
    assert verdict(facts(2026, qualification, educations=[edu("本科", "2015-07")])).result == NOT_ELIGIBLE
