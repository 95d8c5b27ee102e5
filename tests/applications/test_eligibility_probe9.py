"""QA probe round 9: cases built from ../shared/reference/eligibility_rules.md and the seed notice alone, each
citing the rule line it follows, by level × education × the years counter, title routes, 执业注册, 规培, 类别, 护理,
the advances and the dates a form may contradict itself with. The disagreements found are the tests of groups D1 (a
规培 certificate dated after the cut-off was read as no certificate) and D2 (an advance met a one-year route on a
count not begun by the cut-off); group R pins the Regime A 护师 reading of "registered" (§2.2), left as it was."""

import datetime

from prereg.applications.eligibility import CHECK, ELIGIBLE, NOT_ELIGIBLE, assess
from prereg.applications.models import EducationRow, TrainingRow

from .eligibility_cases import d, edu, education, facts, form, rules, verdict

# --- 1. 初级(士) and 初级(师): each education level, the counter at its edges -------------------------------------


def test_an_assistant_technician_with_exactly_a_year_from_a_january_is_to_be_checked():
    # §2.1 "A | 相应专业 中专 or 大专(专科) | 1 year of 从事本专业技术工作"; §1.3 the month count "differs from
    # cutoff_year − start_year only for a start in January … UNCONFIRMED": 2019-01 → 2019-12 is 1年 by months, 0 by years.
    v = verdict(facts(2020, "技士", category="技术", educations=[edu("中专", "2018-07", "医学检验")],
                      work=[(d("2019-01"), None)]))
    assert v.result == CHECK and "按年度相减计算为0年（2019−2019）" in v.text


def test_an_assistant_pharmacist_a_month_short_waits_for_the_next_cut_off():
    # §2.1 A 大专 1 year; §1.3 "Count whole months in [start, cut-off + 1 day)": 2019-02 → 2019-12 = 11 months.
    v = verdict(facts(2020, "药士", category="药学", educations=[edu("大专", "2018-07", "药学")],
                      work=[(d("2019-02"), None)]))
    assert v.result == NOT_ELIGIBLE and "已满0年11月" in v.text and "尚差1个月，最早可报考2021年度" in v.text


def test_work_before_the_diploma_is_summed_with_the_work_after_it():
    # §1.3 "Regime A: work years are the sum of the time worked in the field before and after obtaining the
    # education" (S21b): 药士 中专 2019-07, work since 2018-09 → 1年4月.
    v = verdict(facts(2020, "药士", category="药学", educations=[edu("中专", "2019-07", "药学")],
                      work=[(d("2018-09"), None)]))
    assert v.result == ELIGIBLE and "已满1年4月" in v.text


def test_a_secondary_tcm_pharmacist_counts_his_appointment_as_tcm_assistant():
    # §2.2 药(技)师 "A | 中专 | 5 years 受聘担任药(技)士职务 | appointment as 士": 中药士 2014-07 → 5年6月.
    v = verdict(facts(2020, "中药师", category="中药学", educations=[edu("中专", "2012-07", "中药学")], title="中药士",
                      title_date=d("2014-05"), appointments=[("中药士", d("2014-07"), None)]))
    assert v.result == ELIGIBLE and "受聘担任中药士职务满5年" in v.text and "已满5年6月" in v.text


def test_a_pharmacy_assistant_appointment_for_the_tcm_pharmacist_title_is_to_be_checked():
    # §1.4 "the field studied must match or be close" with §2.2 受聘担任药(技)士: 药学 and 中药学 are both pharmacy,
    # and no source says whether they are close (module SERIES note): the years are met, the title is in doubt.
    v = verdict(facts(2020, "中药师", category="中药学", educations=[edu("中专", "2012-07", "中药学")], title="药士",
                      title_date=d("2014-05"), appointments=[("药士", d("2014-07"), None)]))
    assert v.result == CHECK and "报考中药学是否属专业相近未经确认" in v.text


def test_a_doctorate_sits_pharmacist_on_the_degree_alone_under_the_new_rules():
    # §2.2 "B | 硕士学位 | none" (the table's 博士 row: 具备硕士及以上学位).
    v = verdict(facts(2023, "药师", category="药学", educations=[edu("博士", "2022-07", "药学")]))
    assert v.result == ELIGIBLE and "具备硕士及以上学位" in v.text


def test_a_master_without_the_degree_is_held_to_the_bachelor_years():
    # §4 "学位 (硕士/博士 routes) | 学位证书"; §2.2 "B | 本科学历 or 学士学位 | 1 year": 学位 无, work 2022-05 → 8 months.
    v = verdict(form(2023, qualification__name="药师", category__name="药学", work=[{"start": d("2022-05"), "end": None}],
                     educations=[education("硕士研究生", "2022-04", "药学"),
                                 education("无", "2022-04", kind=EducationRow.Kind.DEGREE)]))
    assert v.result == NOT_ELIGIBLE and "无硕士学位，按本科条件" in v.text and "已满0年8月" in v.text


def test_a_secondary_nurse_counts_five_years_appointed_as_nurse():
    # §2.2 护师 "A | 中专 | 5 years 受聘担任护士职务": 2014-12 → 2019-12 = 5年1月.
    v = verdict(facts(2020, "护师", category="护理", educations=[edu("中专", "2012-07", "护理")], title="护士",
                      title_date=d("2014-10"), appointments=[("护士", d("2014-12"), None)]))
    assert v.result == ELIGIBLE and "受聘担任护士职务满5年" in v.text


def test_a_college_nurse_without_the_nurse_licence_cannot_sit_the_practitioner_exam():
    # §2.2 "护师 (the candidate holds 护士执业资格 …)"; §1.5 护士 comes from the 护士执业资格考试.
    v = verdict(facts(2020, "护师", category="护理", educations=[edu("大专", "2014-07", "护理")],
                      work=[(d("2014-08"), None)]))
    assert v.result == NOT_ELIGIBLE and "护师须取得护士资格（现有资格：无）" in v.text


def test_a_secondary_nurse_counts_five_years_from_the_registration_under_the_new_rules():
    # §2.2 护师 "B | 中专 | 5 years 护士执业活动 | 护士执业注册": 2018-08 → 5年5月; 2019-02 → 4年11月.
    def nurse(registered):
        return facts(2024, "护师", category="护理", educations=[edu("中专", "2017-07", "护理")], title="护士",
                     title_date=d("2018-05"), registered=d(registered))
    assert verdict(nurse("2018-08")).result == ELIGIBLE
    v = verdict(nurse("2019-02"))
    assert v.result == NOT_ELIGIBLE and "尚差1个月，最早可报考2025年度" in v.text


# --- 2. 中级 --------------------------------------------------------------------------------------------------------

def test_overlapping_appointments_count_each_month_once():
    # §1.3 "add the months of each row clipped to the cut-off. Do not count overlaps twice"; §2.3(c) A 本科 4 years
    # 受聘担任护师: 2015-06 … 2018-06 and 2017-06 on are one spell from 2015-06, 4年7月 (not 6年).
    v = verdict(facts(2020, "主管护师", category="护理", educations=[edu("本科", "2010-07", "护理")], title="护师",
                      title_date=d("2015-05"), appointments=[("护师", d("2015-06"), d("2018-06")),
                                                             ("护师", d("2017-06"), None)]))
    assert v.result == ELIGIBLE and "已满4年7月" in v.text


def test_a_master_technologist_counts_two_years_from_the_technologist_title():
    # §2.3(d) "B | … 硕士 | … 2 years 从事本专业工作 after obtaining 药(技)师 | 师 certificate date".
    def technologist(title_date):
        return facts(2023, "主管技师", category="技术", educations=[edu("硕士", "2018-07", "医学影像技术")],
                     title="技师", title_date=d(title_date))
    v = verdict(technologist("2020-12"))
    assert v.result == ELIGIBLE and "取得技师后从事本专业工作满2年" in v.text and "已满2年1月" in v.text
    assert verdict(technologist("2021-01")).result == CHECK  # 2年 by months, 1 by whole years (§1.3)


def test_a_doctorate_sits_the_charge_technologist_exam_without_a_title_under_the_old_rules():
    # §2.3(d) "A | … 博士 | … none".
    v = verdict(facts(2020, "主管技师", category="技术", educations=[edu("博士", "2019-07", "医学检验")]))
    assert v.result == ELIGIBLE and "博士学位" in v.text


def test_a_pharmacist_title_after_the_cut_off_counts_nothing_and_names_its_year():
    # §2.3(d) B 本科 "4 years … after obtaining 药(技)师 | 师 certificate date"; §1.2 counted to 2022-12-31:
    # 药师 2023-05 has none; four years from it end in 2027-04, so 2028年度.
    v = verdict(facts(2023, "主管药师", category="药学", educations=[edu("本科", "2012-07", "药学")], title="药师",
                      title_date=d("2023-05")))
    assert v.result == NOT_ELIGIBLE and "已满0年0月" in v.text and "最早可报考2028年度" in v.text


def test_a_secondary_nurse_counts_seven_years_from_the_practitioner_title_under_the_new_rules():
    # §2.3(c) "B | 中专 … | 7 … years of 护理执业活动 after being registered and obtaining 护师": registered 2005-10,
    # 护师 2016-06 → from the later, 7年7月.
    v = verdict(facts(2024, "主管护师", category="护理", educations=[edu("中专", "2005-07", "护理")], title="护师",
                      title_date=d("2016-06"), registered=d("2005-10")))
    assert v.result == ELIGIBLE and "取得现有资格 2016-06 起" in v.text and "已满7年7月" in v.text


def test_a_secondary_public_health_physician_counts_seven_years_appointed():
    # §2.3(b) "A | 中专 … | 7 (受聘担任医师职务)": appointed 2012-12 → 7年1月, called 主管医师.
    v = verdict(facts(2020, "主治医师", category="公共卫生", educations=[edu("中专", "2005-07", "预防医学")], title="医师",
                      title_date=d("2010-05"), registered=d("2010-08"), appointments=[("医师", d("2012-12"), None)]))
    assert v.result == ELIGIBLE and "主管医师需受聘担任医师职务满7年" in v.text


def test_public_health_asks_no_residency_certificate_and_takes_no_route_from_one():
    # §2.3(b) "No 规培 condition is stated for 公共卫生": B 本科 4 years from 注册 2020-11 (2年2月), a 规培
    # certificate of 2018-08 opening nothing.
    v = verdict(facts(2023, "主治医师", category="公共卫生", educations=[edu("本科", "2015-07", "预防医学")], title="医师",
                      title_date=d("2016-12"), registered=d("2020-11"), training=[(d("2015-09"), d("2018-08"))]))
    assert v.result == NOT_ELIGIBLE and "公共卫生执业活动满4年" in v.text and "规培" not in v.text


def test_a_college_dentist_and_a_secondary_clinician_count_from_the_registration():
    # §2.3(a) "B | 大专 | 6 years | 执业医师注册" and "B | 中专 | 7 years | 执业医师注册".
    v = verdict(facts(2024, "主治医师", category="口腔", specialty="口腔医学", educations=[edu("大专", "2010-07", "口腔医学")],
                      title="医师", title_date=d("2017-05"), registered=d("2017-09")))
    assert v.result == ELIGIBLE and "已满6年4月" in v.text
    v = verdict(facts(2024, "主治医师", category="临床", specialty="内科学", educations=[edu("中专", "2005-07", "临床医学")],
                      title="医师", title_date=d("2016-05"), registered=d("2016-11")))
    assert v.result == ELIGIBLE and "已满7年2月" in v.text


def test_a_tcm_bachelor_with_the_residency_certificate_takes_the_two_year_route():
    # §3.6 "The 中医类别 主治 routes are the same as 临床 in Regime B"; §2.3(a) B 本科 + 规培合格证书 2 years from the
    # certificate 2020-08 (the registration 2020-03 is earlier): 2年5月.
    v = verdict(facts(2023, "主治医师", category="中医", specialty="中医内科学", educations=[edu("本科", "2017-07", "中医学")],
                      title="医师", title_date=d("2019-12"), registered=d("2020-03"),
                      training=[(d("2017-09"), d("2020-08"))]))
    assert v.result == ELIGIBLE and "规培合格证书 2020-08 起" in v.text and "已满2年5月" in v.text


def test_an_old_rules_tcm_bachelor_whose_two_starts_disagree_is_to_be_checked():
    # §1.3 "Regime A gives no national start point for 从事医师工作 … UNCONFIRMED"; §2.3(a) A 本科 4 years:
    # 医师资格 2015-12 → 4年1月, 注册 2016-02 → 3年11月.
    v = verdict(facts(2020, "主治医师", category="中医", specialty="中医内科学", educations=[edu("本科", "2013-07", "中医学")],
                      title="医师", title_date=d("2015-12"), registered=d("2016-02")))
    assert v.result == CHECK and "起算点未经确认" in v.text


def test_an_old_rules_doctorate_without_years_is_to_be_checked_for_its_degree_type():
    # §2.3(a) "A | 临床医学 博士专业学位 | none"; the academic doctorate is not named (table: 学术学位博士未经确认),
    # and the 4-year reading fails (注册 2019-10).
    v = verdict(facts(2020, "主治医师", category="临床", specialty="内科学", educations=[edu("博士", "2019-07", "临床医学")],
                      title="医师", title_date=d("2019-09"), registered=d("2019-10")))
    assert v.result == CHECK and "学术学位博士未经确认" in v.text


def test_a_new_rules_doctorate_without_the_certificate_is_met_only_by_the_inferred_route():
    # §2.3(a) "B | 博士学位 | none, but 住院医师规范化培训合格证书 required"; without it the 本科 route (4 years from
    # 注册 2019-03: 4年10月) is an inference (§2.3(a) last bullet, UNCONFIRMED).
    v = verdict(facts(2024, "主治医师", category="临床", specialty="外科学", educations=[edu("博士", "2018-07", "临床医学")],
                      title="医师", title_date=d("2018-12"), registered=d("2019-03")))
    assert v.result == CHECK and "无规培证书的博士，按本科条件" in v.text


def test_an_assistant_dentist_may_not_sit_attending_on_seven_years_appointed():
    # §2.3(a) "执业助理医师 is never enough for 中级"; "A | 医学 中专 | 7 years 受聘担任医师职务".
    v = verdict(facts(2020, "主治医师", category="口腔", specialty="口腔医学", educations=[edu("中专", "2005-07", "口腔医学")],
                      title="医士", title_date=d("2007-05"), registered=d("2007-08"),
                      appointments=[("医士", d("2007-09"), None)]))
    assert v.result == NOT_ELIGIBLE and "须取得医师资格（现有资格：医士）" in v.text


def test_the_front_line_advance_takes_a_year_off_the_pharmacist_years():
    # §2.3(d) B 本科 4 years from 药师 2019-12 (3年1月); §3.5 "Front-line staff … may apply … one year early".
    v = verdict(facts(2023, "主管药师", category="药学", educations=[edu("本科", "2012-07", "药学")], title="药师",
                      title_date=d("2019-12"), evidence={"一线"}))
    assert v.result == ELIGIBLE and "按此需满3年" in v.text


def test_the_community_and_front_line_advances_needed_together_are_to_be_checked():
    # §3.2 and §3.5 are each "one year early"; no source says both may be used at once. 主管护师 B 本科 社区护理,
    # 护师 2020-12: 2年1月 of 4.
    v = verdict(facts(2023, "主管护师", category="护理", specialty="社区护理", educations=[edu("本科", "2012-07", "护理")],
                      title="护师", title_date=d("2020-12"), registered=d("2012-09"), evidence={"一线", "基层"}))
    assert v.result == CHECK and "能否合并使用未经确认" in v.text


def test_the_old_rules_community_advance_is_not_for_tcm_general_practice():
    # §3.2: Regime A "only in 全科医学 and 社区护理"; 全科医学(中医类) comes with the 2023年度 notice. 大专 6 years:
    # 2014-04 → 5年9月.
    v = verdict(facts(2020, "主治医师", category="中医", specialty="全科医学(中医类)", educations=[edu("大专", "2010-07", "中医学")],
                      title="医师", title_date=d("2014-04"), registered=d("2014-04"), evidence={"基层"}))
    assert v.result == NOT_ELIGIBLE and "尚差3个月" in v.text and "提前" not in v.text


# --- D1. A 规培 certificate dated after the cut-off (§1.2; §2.3(a) B; §3.1) ----------------------------------------

def residency(level, issued, exam_year=2023, **extra):
    """主治 内科学, 医师 2019-12, 注册 2020-03 (2年10月 to 2022-12-31), 规培 from 2020-01 to the certificate."""
    return facts(exam_year, "主治医师", category="临床", specialty="内科学", educations=[edu(level, "2019-07", "临床医学")],
                 title="医师", title_date=d("2019-12"), registered=d("2020-03"), training=[(d("2020-01"), d(issued))],
                 **extra)


def test_a_doctorate_whose_certificate_is_dated_after_the_cut_off_waits_a_year_not_three():
    # §2.3(a) "B | 博士学位 | none, but 住院医师规范化培训合格证书 required"; §1.2 the cut-off: the certificate of
    # 2023-02 is not held on 2022-12-31 but is by 2023-12-31, so 2024年度. Before: the no-certificate fallback (无规培
    # 证书的博士，按本科条件, 4 years from 注册) was said, with 2025年度 and an unconfirmed route.
    v = verdict(residency("博士", "2023-02"))
    assert v.result == NOT_ELIGIBLE
    assert "规培合格证书 2023-02 取得，晚于截止日期2022年12月31日" in v.text and "最早可报考2024年度" in v.text
    assert "无规培证书" not in v.text and "缺少住院医师规范化培训合格证书" not in v.text


def test_a_late_certificate_names_its_year_on_the_direct_route_of_the_grassroots():
    # §3.1 "本科及以上 + 规培合格 + working at a 基层医疗卫生机构 may sit 中级 directly" (2020年度 notice, S4):
    # certificate 2020-03, after 2019-12-31, so 2021年度. Before: 缺少住院医师规范化培训合格证书 on that route.
    v = verdict(facts(2020, "主治医师", category="临床", specialty="全科医学", educations=[edu("本科", "2015-07", "临床医学")],
                      title="医师", title_date=d("2017-03"), registered=d("2017-06"),
                      training=[(d("2016-09"), d("2020-03"))], evidence={"基层"}))
    assert v.result == NOT_ELIGIBLE and "可直接报考中级" in v.text
    assert "规培合格证书 2020-03 取得，晚于截止日期2019年12月31日" in v.text and "最早可报考2021年度" in v.text


def test_a_late_certificate_on_a_counted_route_gives_way_to_the_closer_route():
    # §2.3(a) B 本科: 规培 2 years from the certificate 2023-02 is met in 2026年度; 4 years from 注册 2020-03 in
    # 2025年度: the closer one is said, as before.
    v = verdict(residency("本科", "2023-02"))
    assert v.result == NOT_ELIGIBLE and "执业医师注册后医疗执业活动满4年" in v.text and "最早可报考2025年度" in v.text


def test_a_late_certificate_on_a_route_lacking_its_grassroots_proof_names_the_proof():
    # §3.1 direct route "本科及以上 + 规培合格 + working at a 基层医疗卫生机构": a certificate of 2020-03 held from
    # 2021年度 on does not mend the missing 基层 proof, which the route's refusal names (that route alone is read).
    f = facts(2020, "主治医师", category="临床", specialty="全科医学", educations=[edu("本科", "2015-07", "临床医学")],
              title="医师", title_date=d("2019-03"), registered=d("2019-06"), training=[(d("2016-09"), d("2020-03"))])
    direct = [rule for rule in rules(2020) if rule.requires == "规培+基层" and rule.education == "本科"]
    v = assess(f, direct)
    assert v.result == NOT_ELIGIBLE and "缺少基层（社区卫生服务机构、乡镇卫生院）工作证明" in v.text


def test_a_certificate_in_the_cut_off_month_is_held():
    # §1.2 counted "up to 31 December of year N−1": a certificate of 2022-12 opens the 博士 route in 2023年度.
    v = verdict(residency("博士", "2022-12"))
    assert v.result == ELIGIBLE and "博士学位并取得住院医师规范化培训合格证书" in v.text


# --- D2. An advance on a count not begun by the cut-off (§3.5 "one year early") -------------------------------------

def pharmacist(since, exam_year=2023):
    """药师 B 本科 (1 year of 从事本专业工作, S10b), on the front-line list."""
    return facts(exam_year, "药师", category="药学", educations=[edu("本科", "2022-07", "药学")], work=[(d(since), None)],
                 evidence={"一线"})


def test_the_front_line_advance_cannot_meet_a_one_year_route_on_work_begun_after_the_cut_off():
    # §3.5 "may apply for the next title one year early": work from 2023-02 meets one year by 2024-12-31 (2025年度),
    # so one year early is 2024年度, not 2023年度 on no work at all. Before: 0 + 1 ≥ 1, 符合.
    v = verdict(pharmacist("2023-02"))
    assert v.result == NOT_ELIGIBLE
    assert "截至截止日期尚无可计年限，本年度不能提前申报" in v.text and "最早可报考2024年度" in v.text
    assert verdict(pharmacist("2023-02", exam_year=2024)).result == ELIGIBLE  # 11 months + the advance


def test_the_front_line_advance_still_meets_a_one_year_route_on_work_begun_by_the_cut_off():
    # §3.5: work from 2022-11 meets one year by 2023-12-31 (2024年度): one year early is 2023年度.
    v = verdict(pharmacist("2022-11"))
    assert v.result == ELIGIBLE and "已满0年2月" in v.text and "按此需满0年" in v.text


def test_a_nurse_registered_after_the_cut_off_has_nothing_to_bring_forward():
    # §2.2 护师 B 本科 "1 year of 护士执业活动 | 护士执业注册" (unconfirmed whether the exam is still sat); §3.5.
    # Registered 2023-02: before, 需人工核实 as met on an unconfirmed route; now short, whatever the route.
    v = verdict(facts(2023, "护师", category="护理", educations=[edu("本科", "2022-07", "护理")], title="护士",
                      title_date=d("2022-09"), registered=d("2023-02"), evidence={"一线"}))
    assert v.result == NOT_ELIGIBLE and "本年度不能提前申报" in v.text


# --- R. Regime A 护师 and the 执业注册 (§2.2 header "holds 护士执业资格 and is registered") ---------------------------

def test_an_old_rules_nurse_practitioner_is_not_asked_for_a_registration_date():
    # §1.1 puts "must hold the 执业资格 …, registered" under Regime B (基本标准, S18); the Regime A rows of §2.2
    # count 从事本专业技术工作 or 受聘担任护士职务 (S5) and ask the 护士执业资格, the licence; the header's
    # "registered" is 51号's (S10a), whose rows count from the 注册. E1 (§6) decides on the work alone.
    f = facts(2020, "护师", category="护理", educations=[edu("本科", "2018-07", "护理")], title="护士",
              title_date=d("2018-09"), work=[(d("2018-08"), None)])
    assert verdict(f).result == ELIGIBLE
    f.exam_year, f.cutoff = 2024, datetime.date(2023, 12, 31)  # the same nurse under Regime B: the 注册 is asked
    v = verdict(f)
    assert v.result == CHECK and "缺少执业注册时间" in v.text


def test_a_form_with_its_residency_row_dated_after_the_cut_off_reads_it_as_late():
    # The same D1 rule through the form's rows (facts_from): 博士研究生 with 博士学位, 规培 certificate 2023-03.
    v = verdict(form(2023, qualification__name="主治医师", category__name="临床", specialty__name="内科学",
                     current_qualification="医师", current_qualification_date=d("2019-12"),
                     practice_registered=d("2020-03"),
                     educations=[education("博士研究生", "2019-07", "临床医学"),
                                 education("博士学位", "2019-07", "临床医学", kind=EducationRow.Kind.DEGREE)],
                     training=[{"kind": TrainingRow.Kind.RESIDENCY, "start": d("2020-01"), "issued": d("2023-03")}]))
    assert v.result == NOT_ELIGIBLE and "规培合格证书 2023-03 取得" in v.text and "最早可报考2024年度" in v.text


def test_the_earliest_year_after_every_row_has_ended_says_it_assumes_work_goes_on():
    # Eligibility probe (session 22): 技师 大专 needs 3 years (§2.2 B); 2012-04 → 2013-01 is 10 months, and no row
    # runs on, so the earliest year counts the 2年2月 missing from the cut-off on: said, or the promise moves a
    # year each year (2026 in 2023年度, 2029 in 2026年度) without the candidate being told why.
    v = verdict(facts(2023, "技师", category="技术", educations=[edu("大专", "2009-02", "医学检验技术")],
                      work=[(d("2012-04"), d("2013-01"))]))
    assert v.result == NOT_ELIGIBLE
    assert "尚差2年2月，最早可报考2026年度（按截止日期后继续从事本专业工作推算）" in v.text
    # A row running on needs no such word.
    v = verdict(facts(2023, "技师", category="技术", educations=[edu("大专", "2009-02", "医学检验技术")],
                      work=[(d("2021-04"), None)]))
    assert "最早可报考2025年度" in v.text and "推算" not in v.text
