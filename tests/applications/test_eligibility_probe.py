"""The QA probe's findings on the 资格初审 assistant, each against ../shared/reference/eligibility_rules.md."""

import datetime

import pytest

from prereg.applications.eligibility import CHECK, ELIGIBLE, NOT_ELIGIBLE
from prereg.applications.models import EducationRow, months_in
from tests.applications.eligibility_cases import d, edu, facts, form, verdict

# --- 1. A 学位 row "无" is no 参评学历 --------------------------------------------------------------

def college_nurse(degrees):
    education = {"kind": EducationRow.Kind.EDUCATION, "level": "大专", "obtained": d("2024-07"), "study_form": "全日制"}
    return form(2027, qualification__name="护师", category__name="护理", specialty__name="护理学(师)",
                     current_qualification="护士", current_qualification_date=d("2024-09"),
                     practice_registered=d("2024-09"), educations=[education, *degrees])


def test_a_degree_row_of_none_leaves_the_college_nurses_verdict_as_it_was():
    without = verdict(college_nurse([]))
    assert without.result == NOT_ELIGIBLE and "已满2年4月 → 不符合（尚差8个月，最早可报考2028年度）" in without.text
    none = {"kind": EducationRow.Kind.DEGREE, "level": "无", "obtained": d("2024-07"), "study_form": "全日制"}
    with_none = verdict(college_nurse([none]))
    assert (with_none.result, with_none.text) == (without.result, without.text)
    assert "“无”" not in with_none.text


def test_a_degree_row_of_none_alone_is_an_education_not_filled_in():
    none = {"kind": EducationRow.Kind.DEGREE, "level": "无", "obtained": d("2024-07"), "study_form": "全日制"}
    f = form(2027, qualification__name="护师", category__name="护理", current_qualification="护士",
                  practice_registered=d("2020-09"), educations=[none])
    assert f.educations == [] and verdict(f).text == "未填写参评学历，请人工核实"


# --- 2. A work row's end month is worked ------------------------------------------------------------

def pharmacist_work(*rows):
    return form(2027, qualification__name="药师", category__name="药学", specialty__name="药学(师)",
                     educations=[{"kind": EducationRow.Kind.EDUCATION, "level": "大专", "obtained": d("2023-07"),
                                  "study_form": "全日制"}],
                     work=[{"start": start, "end": end} for start, end in rows])


def test_contiguous_jobs_lose_no_month_at_the_change():
    v = verdict(pharmacist_work((d("2023-12"), d("2024-11")), (d("2024-12"), None)))
    assert v.result == ELIGIBLE and "已满3年1月" in v.text and "2023-12 起从事本专业工作" in v.text


def test_a_closed_work_row_counts_its_start_and_end_months():
    cutoff = datetime.date(2026, 12, 31)
    assert months_in([(d("2024-01"), d("2024-12"))], cutoff) == 12
    assert months_in([(d("2024-03"), d("2024-03"))], cutoff) == 1
    assert months_in([(d("2024-01"), d("2030-06"))], cutoff) == 36  # clipped to the cut-off
    assert months_in([(d("2027-01"), None)], cutoff) == 0  # begun after it
    # overlapping rows count once, a gap not at all
    rows = [(d("2020-01"), d("2020-12")), (d("2020-07"), d("2021-06")), (d("2023-01"), None)]
    assert months_in(rows, cutoff) == 18 + 48


def test_a_gap_between_jobs_is_not_counted_and_the_verdict_names_both_spells():
    v = verdict(pharmacist_work((d("2023-08"), d("2024-06")), (d("2025-01"), None)))
    assert v.result == NOT_ELIGIBLE and "已满2年11月" in v.text
    assert "2023-08 至 2024-06、2025-01 起从事本专业工作" in v.text


def test_the_qualification_years_still_count_to_the_cut_off_as_the_seed_shows():
    from prereg.applications.models import months_between, years_months

    assert years_months(months_between(d("2015-10"), datetime.date(2017, 12, 31))) == "2年3月"


# --- 3. An appointment counts only while it ran -----------------------------------------------------

def appointed_nurse(*appointments):
    return facts(2020, "主管护师", category="护理", educations=[edu("本科", "2009-07")], title="护师",
                 title_date=d("2010-05"), appointments=list(appointments))


def test_an_appointment_that_ended_counts_its_months_only():
    v = verdict(appointed_nurse(("护师", d("2010-07"), d("2011-06"))))
    assert v.result == NOT_ELIGIBLE and "已满1年0月" in v.text and "9年6月" not in v.text


def test_appointments_are_summed_per_row_clipped_to_the_cut_off_and_overlaps_counted_once():
    met = verdict(appointed_nurse(("护师", d("2010-07"), d("2011-06")), ("护师", d("2017-01"), None)))
    assert met.result == ELIGIBLE and "已满4年0月" in met.text and "2010-07 至 2011-06、2017-01 起" in met.text
    overlapping = verdict(appointed_nurse(("护师", d("2016-01"), d("2017-06")), ("护师", d("2017-01"), None),
                                          ("护师", d("2010-07"), d("2011-06"))))
    assert overlapping.result == ELIGIBLE and "已满5年0月" in overlapping.text
    short = verdict(appointed_nurse(("护师", d("2010-07"), d("2011-06")), ("护师", d("2017-02"), d("2022-06"))))
    assert short.result == NOT_ELIGIBLE and "已满3年11月" in short.text


def test_the_appointment_end_is_read_from_the_form():
    f = form(2020, appointments=[{"qualification": "护师", "post": "护师", "start": d("2010-07"),
                                       "end": d("2011-06")}])
    assert f.appointments == [("护师", d("2010-07"), d("2011-06"))]


# --- 4. 药(技)士/师 means the title of the series applied for --------------------------------------

@pytest.mark.parametrize(("title", "target"), [("技士", "药师"), ("药士", "技师"), ("中药士", "技师"),
                                               ("技士", "中药师")])
def test_an_appointment_in_the_technical_series_does_not_open_pharmacy_and_back(title, target):
    v = verdict(facts(2020, target, educations=[edu("中专", "2005-07")], title=title, title_date=d("2008-05"),
                      appointments=[(title, d("2008-07"), None)]))
    assert v.result == NOT_ELIGIBLE and title in v.text


@pytest.mark.parametrize(("title", "target"), [("药士", "药师"), ("中药士", "中药师"), ("技士", "技师")])
def test_an_appointment_in_the_series_applied_for_opens_the_route(title, target):
    v = verdict(facts(2020, target, educations=[edu("中专", "2005-07")], title=title, title_date=d("2008-05"),
                      appointments=[(title, d("2008-07"), None)]))
    assert v.result == ELIGIBLE


@pytest.mark.parametrize("exam_year", [2020, 2027])
@pytest.mark.parametrize(("title", "target"), [("技师", "主管药师"), ("药师", "主管技师"), ("技师", "主管中药师")])
def test_a_technician_is_not_eligible_for_a_pharmacy_supervisor_title(exam_year, title, target):
    v = verdict(facts(exam_year, target, educations=[edu("本科", "2005-07")], title=title, title_date=d("2008-05"),
                      appointments=[(title, d("2008-07"), None)]))
    assert v.result == NOT_ELIGIBLE and f"现有资格：{title}" in v.text


@pytest.mark.parametrize("exam_year", [2020, 2027])
@pytest.mark.parametrize(("title", "target"), [("药师", "主管中药师"), ("中药师", "主管药师")])
def test_a_pharmacist_of_the_other_pharmacy_series_is_to_be_checked_not_eligible(exam_year, title, target):
    v = verdict(facts(exam_year, target, educations=[edu("本科", "2005-07")], title=title, title_date=d("2008-05"),
                      appointments=[(title, d("2008-07"), None)]))
    assert v.result == CHECK and "未经确认" in v.text and title in v.text


def test_a_pharmacist_of_the_other_pharmacy_series_short_of_years_is_not_eligible():
    v = verdict(facts(2027, "主管中药师", educations=[edu("本科", "2020-07")], title="药师", title_date=d("2024-05")))
    assert v.result == NOT_ELIGIBLE


# --- 7. A blank 执业注册 cannot confirm the 主治 start (Regime A) ------------------------------------

def physician(**extra):
    return facts(2020, "主治医师", category="临床", specialty="内科学", educations=[edu("本科", "2013-07")],
                 title="医师", **extra)


def test_a_blank_registration_leaves_a_route_met_from_the_qualification_to_be_checked():
    assert verdict(physician(title_date=d("2014-12"), registered=d("2016-03"))).result == CHECK
    blank = verdict(physician(title_date=d("2014-12")))
    assert blank.result == CHECK and "执业注册" in blank.text
    assert verdict(physician(title_date=d("2014-12"), registered=d("2015-03"))).result == ELIGIBLE  # E8


def test_a_blank_registration_does_not_mend_a_route_failed_from_the_qualification():
    assert verdict(physician(title_date=d("2017-12"))).result == NOT_ELIGIBLE


# --- 8. A Regime B 主管护师 holds the nursing licence ----------------------------------------------

@pytest.mark.parametrize("level", ["硕士研究生", "博士研究生"])
def test_a_graduate_without_a_nursing_qualification_is_not_eligible_for_nurse_in_charge(level):
    graduate = {"category": "护理", "educations": [edu(level, "2015-07")]}
    v = verdict(facts(2027, "主管护师", title="无", **graduate))
    assert v.result == NOT_ELIGIBLE and "护士" in v.text
    registered = {**graduate, "registered": d("2016-09")}
    assert verdict(facts(2027, "主管护师", title="护士", title_date=d("2016-05"), **registered)).result == ELIGIBLE
    # 现有资格 无 with a 执业注册 (one registers once licensed) contradicts itself: probe5
    assert verdict(facts(2027, "主管护师", title="无", **registered)).result == CHECK


def test_a_stored_table_as_shipped_asks_for_the_licence_after_the_migration(year):
    import importlib

    from django.apps import apps

    from prereg.catalog.models import EligibilityRule

    migration = importlib.import_module("prereg.catalog.migrations.0008_eligibility_nurse_licence")
    graduates = EligibilityRule.objects.filter(exam_year=year, regime="B", qualification="主管护师",
                                               education__in=["硕士", "博士"])
    assert set(graduates.values_list("requires_title", flat=True)) == {"护士|护师|主管护师"}  # loaded from the file
    graduates.update(requires_title="", source="S10d")  # as an older database holds them
    graduates.filter(education="博士").update(source="考区")  # a row the 考区 changed is the 考区's
    migration.ask_for_the_licence(apps, None)
    assert dict(graduates.values_list("education", "requires_title")) == {"硕士": "护士|护师|主管护师", "博士": ""}


# --- 10. An unconfirmed route promises no year -------------------------------------------------------

def test_the_master_without_residency_is_told_the_later_year_is_to_be_checked_too():
    master = {"category": "临床", "specialty": "内科学", "educations": [edu("硕士研究生", "2019-07")], "title": "医师",
              "title_date": d("2020-06"), "registered": d("2020-12")}
    v = verdict(facts(2024, "主治医师", **master))
    assert v.result == NOT_ELIGIBLE and "未经确认" in v.text and "2025年度" in v.text and "须人工核实" in v.text
    assert verdict(facts(2025, "主治医师", **master)).result == CHECK
