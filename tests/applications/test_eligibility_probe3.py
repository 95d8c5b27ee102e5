"""The third QA probe's findings on the 资格初审 assistant, each against ../shared/reference/eligibility_rules.md:
不符合 only where every route fails whatever the unconfirmed points; an unconfirmed point that decides is 需人工核实."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from prereg.applications.eligibility import CHECK, ELIGIBLE, NOT_ELIGIBLE
from prereg.applications.models import EducationRow, TrainingRow
from prereg.catalog import services
from prereg.catalog.loaders import eligibility_rows
from prereg.catalog.models import EligibilityRule
from tests.applications.eligibility_cases import d, edu, education, facts, form, verdict
from tests.factories import make_year

migration = importlib.import_module("prereg.catalog.migrations.0014_eligibility_higher_degrees_and_unconfirmed_years")


def training(kind, start, issued):
    return {"kind": kind, "start": d(start), "issued": d(issued)}


DOCTOR = {"qualification__name": "主治医师", "category__name": "临床", "current_qualification": "医师"}
GRASSROOTS_PROOF = "社区工作证明/基层工作20年证明"


# --- HIGH-1. 本科及以上 + 规培 + 基层 (§3.1) opens for a 硕士 as for a 本科 -------------------------------------------

def test_a_masters_with_residency_at_a_grassroots_post_is_checked_like_a_bachelor():
    # 2023年度: 硕士 2021-07, 规培 certificate 2022-06 (0年7月 of the 硕士 route's 2 years), works at a 乡镇卫生院.
    def doctor(level):
        return facts(2023, "主治医师", category="临床", specialty="内科学", educations=[edu(level, "2021-07", "临床医学")],
                     title="医师", title_date=d("2021-03"), registered=d("2021-06"),
                     training=[(d("2019-09"), d("2022-06"))], evidence={"基层"})

    bachelor, master = verdict(doctor("本科")), verdict(doctor("硕士研究生"))
    assert bachelor.result == master.result == CHECK
    assert "本科及以上、规培合格并在基层工作直接报考中级" in master.text


# --- HIGH-2. A 全科医生规范化培训 certificate that would decide is for people -----------------------------------

@pytest.mark.parametrize(("exam_year", "registered", "others", "start", "issued"), [
    # 2023年度: 本科 + 规培 2 years from the certificate 2020-09 (2年4月); from 注册 2019-03 only 3年10月 of 4.
    (2023, "2019-03", (), "2017-09", "2020-09"),
    # 2020年度: 本科 + 规培 + 基层 may sit 中级 directly (国办发〔2017〕63号); 注册 2018-06 gives 1年7月 of 4.
    (2020, "2018-06", (GRASSROOTS_PROOF,), "2016-09", "2019-08"),
])
def test_a_general_practice_training_certificate_that_would_decide_is_to_be_checked(
        exam_year, registered, others, start, issued):
    def doctor(kind):
        return form(exam_year, **DOCTOR, specialty__name="全科医学", current_qualification_date=d(registered),
                    practice_registered=d(registered), educations=[education("本科", "2015-07", "临床医学")],
                    training=[training(kind, start, issued)], others=others)

    assert verdict(doctor(TrainingRow.Kind.RESIDENCY)).result == ELIGIBLE
    v = verdict(doctor(TrainingRow.Kind.GENERAL_PRACTICE))
    assert v.result == CHECK and "全科医生规范化培训合格证书" in v.text and "未经确认" in v.text


def test_a_general_practice_training_certificate_decides_only_where_it_would_lift_a_not_eligible():
    # 2023年度, 本科, 注册 2019-03 (3年10月 of 4): a certificate 2022-06 (0年7月 of 2) is short either way.
    def doctor(issued):
        return form(2023, **DOCTOR, specialty__name="内科学", current_qualification_date=d("2018-12"),
                    practice_registered=d("2019-03"), educations=[education("本科", "2019-07", "临床医学")],
                    training=[training(TrainingRow.Kind.GENERAL_PRACTICE, "2017-09", issued)])

    v = verdict(doctor("2022-06"))
    assert v.result == NOT_ELIGIBLE and "全科医生" not in v.text
    assert verdict(doctor("2020-09")).result == CHECK  # 2年4月 from this certificate: it decides




# --- HIGH-3. A year whose rule set is unconfirmed is assessed under both ----------------------------------------

def test_the_unconfirmed_years_ship_the_rows_of_both_rule_sets_the_others_one():
    for year, probable in ((2021, "A"), (2022, "B")):
        rows = eligibility_rows(year)
        assert [row["regime"] for row in rows][:1] == [probable] and {row["regime"] for row in rows} == {"A", "B"}
    assert {row["regime"] for row in eligibility_rows(2020)} == {"A"}
    assert {row["regime"] for row in eligibility_rows(2023)} == {"B"}


def test_a_nurse_who_fails_only_the_new_rules_in_2022_is_to_be_checked():
    # 2022年度, 护理 大专: old rules 3 years of work (2018-08: 3年5月); new rules 3 years from 注册 (2019-03: 2年10月).
    v = verdict(facts(2022, "护师", category="护理", educations=[edu("大专", "2018-07", "护理")], title="护士",
                      title_date=d("2018-10"), registered=d("2019-03"), work=[(d("2018-08"), None)]))
    assert v.result == CHECK and "本年度适用哪套规则未经确认" in v.text
    assert "人社部发〔2021〕51号" in v.text and "卫人发〔2000〕462号" in v.text


def test_a_candidate_who_fails_both_rule_sets_is_not_eligible_and_told_both():
    # 2022年度, 药师 大专: old rules 3 years of work, new rules 3 years too; 2021-03 gives 0年10月.
    v = verdict(facts(2022, "药师", category="药学", educations=[edu("大专", "2020-07", "药学")],
                      work=[(d("2021-03"), None)]))
    assert v.result == NOT_ELIGIBLE and "按其中任一规则均不符合" in v.text
    assert v.text.count("0年10月") == 2


def test_a_stored_unconfirmed_year_gets_the_other_rule_set_a_table_of_the_districts_not(db):
    shipped, imported = make_year(2022), make_year(2021)
    for year in (shipped, imported):  # as a database before 0014 holds them: the probable set only, unconfirmed,
        probable = "B" if year.year == 2022 else "A"  # of the file as 0014 wrote it down (later ones changed it)
        before = [row for row in migration.ROWS if row["regime"] == probable
                  and not (row["requires"] == "规培+基层" and row["education"] in ("硕士", "博士") and row["regime"] == "B")]
        EligibilityRule.objects.filter(exam_year=year).delete()
        EligibilityRule.objects.bulk_create(EligibilityRule(exam_year=year, order=i, **{**row, "confirmed": False})
                                            for i, row in enumerate(before))
    EligibilityRule.objects.filter(exam_year=imported, kind="advance", requires="基层").update(note="考区的说明")
    migration.forward(apps, None)
    assert set(EligibilityRule.objects.filter(exam_year=shipped).values_list("regime", flat=True)) == {"A", "B"}
    assert EligibilityRule.objects.filter(exam_year=shipped).count() == len(migration.ROWS)
    assert not EligibilityRule.objects.filter(exam_year=shipped, confirmed=True).exists()
    assert set(EligibilityRule.objects.filter(exam_year=shipped, regime="B", requires="规培+基层")
               .values_list("education", flat=True)) == {"本科", "硕士", "博士"}
    assert set(EligibilityRule.objects.filter(exam_year=imported).values_list("regime", flat=True)) == {"A"}
    migration.forward(apps, None)  # once only
    assert EligibilityRule.objects.filter(exam_year=shipped).count() == len(migration.ROWS)


def test_a_stored_new_rules_year_gets_the_higher_degrees_of_the_grassroots_route(db):
    year = make_year(2024)
    EligibilityRule.objects.filter(exam_year=year, requires="规培+基层", education__in=["硕士", "博士"]).delete()
    migration.forward(apps, None)
    rows = EligibilityRule.objects.filter(exam_year=year, requires="规培+基层")
    assert sorted(rows.values_list("education", flat=True)) == ["博士", "本科", "硕士"]
    assert not rows.filter(confirmed=True).exists()
    assert set(EligibilityRule.objects.filter(exam_year=year).values_list("regime", flat=True)) == {"B"}


# --- MEDIUM-5. The 参评学历 is the first row: a route met only by another row is to be checked --------------------

def pharmacist(*educations):
    return form(2020, qualification__name="药师", category__name="药学", current_qualification="药士",
                current_qualification_date=d("2016-06"), educations=list(educations),
                work=[{"start": d("2018-07"), "end": None}])


def test_a_route_met_by_an_education_other_than_the_assessed_one_is_to_be_checked_naming_both():
    # 大专 first (参评学历): 3 years, 1年6月 (fails); the 本科 row after it: 1 year (met). The 自学考试 本科 was
    # obtained by 2015-03, so entered before the 教高 documents' day (test_eligibility_probe4).
    v = verdict(pharmacist(education("大专", "2015-07", "药学"), education("本科", "2015-03", "药学", "自学考试")))
    assert v.result == CHECK and "本科不是参评学历" in v.text and "参评学历（学位）：大专" in v.text
    met = verdict(pharmacist(education("本科", "2015-03", "药学", "自学考试"), education("大专", "2015-07", "药学")))
    assert met.result == ELIGIBLE


def test_a_route_met_by_a_degree_row_behind_the_assessed_one_is_to_be_checked():
    # 大专 (6 years from 注册: 4年7月) and 学位 rows: the first (参评学位) meets 本科学历或学士学位 4 years; a 学士学位
    # behind a 学位 row of 无 (no 参评学位) is not the 参评 one.
    def doctor(*degrees):
        rows = [education(level, "2015-03", "临床医学", "自学考试", EducationRow.Kind.DEGREE) for level in degrees]
        return form(2023, **DOCTOR, specialty__name="内科学", current_qualification_date=d("2017-06"),
                    practice_registered=d("2018-06"), educations=[education("大专", "2012-07", "临床医学"), *rows])

    assert verdict(doctor("学士学位")).result == ELIGIBLE
    v = verdict(doctor("无", "学士学位"))
    assert v.result == CHECK and "学士学位不是参评学历" in v.text




# --- MEDIUM-6. Two advances met only together --------------------------------------------------------------------

def general_practitioner(registered, evidence):
    return facts(2023, "主治医师", category="临床", specialty="全科医学", educations=[edu("本科", "2016-07", "临床医学")],
                 title="医师", title_date=d(registered), registered=d(registered), evidence=set(evidence))


def test_two_advances_met_only_together_are_to_be_checked():
    # 注册 2021-01: 2年0月 of 4; 基层 and 一线 each take one year off.
    v = verdict(general_practitioner("2021-01", {"基层", "一线"}))
    assert v.result == CHECK and "合并使用" in v.text
    assert verdict(general_practitioner("2019-12", {"基层", "一线"})).result == ELIGIBLE  # one advance suffices
    assert verdict(general_practitioner("2022-01", {"基层", "一线"})).result == NOT_ELIGIBLE  # both would not


# --- LOW-7/8. The years still missing and the earliest year ------------------------------------------------------

def test_the_earliest_year_counts_the_advance_the_candidate_has():
    v = verdict(general_practitioner("2021-01", {"基层"}))
    assert v.result == NOT_ELIGIBLE and "尚差1年0月，已计提前1年，最早可报考2024年度" in v.text


@pytest.mark.parametrize(("f", "earliest"), [
    # 护师 大专 3 years from 注册 2023-03: 2025-12-31 gives 2年10月, 2026-12-31 3年10月.
    (facts(2023, "护师", category="护理", educations=[edu("大专", "2019-07", "护理")], title="护士",
           title_date=d("2022-10"), registered=d("2023-03")), "最早可报考2027年度"),
    # 主管药师 本科 4 years from 药师 2023-06: 2027-12-31 gives 4年7月.
    (facts(2023, "主管药师", category="药学", educations=[edu("本科", "2015-07", "药学")], title="药师",
           title_date=d("2023-06")), "最早可报考2028年度"),
    # 药师 本科 1 year of work from 2020-03: 2021-12-31 gives 1年10月.
    (facts(2020, "药师", category="药学", educations=[edu("本科", "2019-07", "药学")], work=[(d("2020-03"), None)]),
     "最早可报考2022年度"),
])
def test_a_start_after_the_cutoff_puts_the_earliest_year_after_it(f, earliest):
    v = verdict(f)
    assert v.result == NOT_ELIGIBLE and earliest in v.text


# --- LOW-11/12. Below 中专; a level of another exam ----------------------------------------------------------------

def test_an_education_below_secondary_school_is_not_eligible():
    v = verdict(facts(2020, "药士", category="药学", educations=[edu("高中", "2015-07")], work=[(d("2015-08"), None)]))
    assert v.result == NOT_ELIGIBLE and "中专以上学历" in v.text


def test_an_assistant_physician_title_is_outside_this_exam_a_senior_title_is_left_to_its_project():
    v = verdict(facts(2023, "医士", category="临床", educations=[edu("中专", "2018-07", "临床医学")]))
    assert v.result == NOT_ELIGIBLE and "医师资格考试" in v.text
    # A year may hold a 高级 考试项目 (副主任医师…) whose rules the table does not have: to be checked, not refused.
    senior = verdict(facts(2023, "副主任医师", educations=[edu("本科", "2008-07")], title="主治医师",
                           title_date=d("2015-01")))
    assert senior.result == CHECK


# --- LOW-10. The cut-off lies in the year before the exam year ----------------------------------------------------

def test_a_cutoff_outside_the_year_before_the_exam_year_is_refused_at_its_field(reviewer_province, db):
    year = make_year(2026, catalogue=False)
    for wrong in (datetime.date(2026, 12, 31), datetime.date(2024, 12, 31)):
        with pytest.raises(ValidationError) as excinfo:
            services.exam_year_update(actor=reviewer_province, exam_year_id=year.pk, cutoff_date=wrong)
        assert excinfo.value.message_dict["cutoff_date"][0].startswith("2026年度的资格计算截止日期应在2025年内")
    year = services.exam_year_update(actor=reviewer_province, exam_year_id=year.pk,
                                     cutoff_date=datetime.date(2025, 11, 30))
    assert year.cutoff_date == datetime.date(2025, 11, 30)
    # Only a change is checked: a year stored with another cut-off may still be renamed.
    type(year).objects.filter(pk=year.pk).update(cutoff_date=datetime.date(2026, 12, 31))
    year = services.exam_year_update(actor=reviewer_province, exam_year_id=year.pk, name="2026年度（改）")
    assert year.name == "2026年度（改）"
