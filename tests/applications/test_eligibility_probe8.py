"""QA probe round 8: cases derived from ../shared/reference/eligibility_rules.md alone (each comment quotes the rule
line it rests on), by level, education, counting rule, special route and rule set. The disagreements found are
the tests of groups D1 (a title older than the only education it rests on), D2 (a title or registration dated
after the cut-off, which a route asking no years never looked at) and D3 (a major of another 执业类别)."""

import datetime

from prereg.applications.eligibility import CHECK, ELIGIBLE, NOT_ELIGIBLE

from .eligibility_cases import d, edu, facts, verdict

# --- 1. 初级(士), 初级(师): levels, education, the cut-off --------------------------------------------------------


def test_an_assistant_level_diploma_of_the_cut_off_month_is_enough_and_one_a_month_later_is_not():
    # §2.1 "B | 相应专业 中专 or 大专 | none (the education alone suffices)"; §1.2 "the date the education was
    # obtained … counted up to 31 December of year N−1": 2022-12 is before 2022-12-31, 2023-01 after it.
    v = verdict(facts(2023, "技士", category="技术", educations=[edu("中专", "2022-12", "医学检验技术")]))
    assert v.result == ELIGIBLE and "取得相应专业中专或大专学历" in v.text
    v = verdict(facts(2023, "中药士", category="中药学", educations=[edu("中专", "2023-01", "中药学")]))
    assert v.result == NOT_ELIGIBLE and "晚于截止日期2022年12月31日" in v.text and "不能作为参评学历" in v.text


def test_a_secondary_technician_needs_five_years_from_the_technician_title_to_the_month():
    # §2.2 药(技)师 "B | 中专 | 5 years after obtaining 药(技)士 | 士 certificate date".
    def technician(title_date):
        return facts(2023, "技师", category="技术", educations=[edu("中专", "2012-07", "医学检验技术")], title="技士",
                     title_date=d(title_date))
    v = verdict(technician("2017-12"))
    assert v.result == ELIGIBLE and "取得技士后从事本专业工作满5年" in v.text and "已满5年1月" in v.text
    v = verdict(technician("2018-02"))
    assert v.result == NOT_ELIGIBLE and "已满4年11月" in v.text and "尚差1个月，最早可报考2024年度" in v.text


def test_a_masters_graduate_sits_pharmacist_without_work_years_under_the_new_rules():
    # §2.2 "B | 硕士学位 | none"; a first-time candidate's full-time degree (§1.4).
    v = verdict(facts(2023, "药师", category="药学", educations=[edu("硕士", "2022-07", "药学")]))
    assert v.result == ELIGIBLE and "具备硕士学位" in v.text


def test_a_first_time_pharmacist_candidate_with_a_self_study_degree_is_not_eligible():
    # §1.4 "First-time candidates … must apply with a 全日制 (full-time) 学历 or 学位" (S3).
    v = verdict(facts(2023, "药师", category="药学", work=[(d("2019-01"), None)],
                      educations=[edu("本科", "2020-07", "药学", full_time=False, study_form="自学考试")]))
    assert v.result == NOT_ELIGIBLE and "首次报考须以全日制学历或学位报考" in v.text


def test_2022_assistant_pharmacist_with_five_months_is_met_by_one_rule_set_only():
    # §0 "2022年度 | probably Regime B | UNCONFIRMED"; §2.1 A 1 year of work, B none.
    v = verdict(facts(2022, "药士", category="药学", educations=[edu("中专", "2021-07", "药学")],
                      work=[(d("2021-08"), None)]))
    assert v.result == CHECK and "本年度适用哪套规则未经确认" in v.text
    assert "已满0年5月" in v.text and "取得相应专业中专或大专学历 → 符合" in v.text


def test_a_diploma_obtained_after_work_began_counts_the_work_before_it_too():
    # §1.3 "Regime A: work years are the sum of the time worked in the field before and after obtaining the
    # education" (S21b): 技士 A 中专 2019-06, work since 2018-10 → 1年3月.
    v = verdict(facts(2020, "技士", category="技术", educations=[edu("中专", "2019-06", "医学检验")],
                      work=[(d("2018-10"), None)]))
    assert v.result == ELIGIBLE and "2018-10 起从事本专业工作" in v.text and "已满1年3月" in v.text


def test_a_year_far_on_keeps_the_new_rules():
    # §0 "2023年度 onward | Regime B": 2030年度, 护师 B 大专 3 years from 注册 2025-11 → 4年2月.
    v = verdict(facts(2030, "护师", category="护理", educations=[edu("大专", "2025-07", "护理")], title="护士",
                      title_date=d("2025-10"), registered=d("2025-11")))
    assert v.result == ELIGIBLE and "护士执业活动满3年" in v.text and "截至2029年12月31日已满4年2月" in v.text


# --- 2. Counting: rows clipped, summed, a gap, a January ---------------------------------------------------------

def test_a_work_row_ending_after_the_cut_off_is_clipped_to_it():
    # §1.3 "add the months of each row clipped to the cut-off": 2016-12 → 2019-12 = 3年1月 either way.
    for end in ("2019-12", "2020-05"):
        v = verdict(facts(2020, "药师", category="药学", educations=[edu("大专", "2016-07", "药学")],
                          work=[(d("2016-12"), d(end))]))
        assert v.result == ELIGIBLE and "已满3年1月" in v.text


def test_two_contiguous_jobs_from_a_january_are_one_spell_with_the_january_doubt():
    # §1.3: the month count "differs from cutoff_year − start_year only for a start in January … UNCONFIRMED";
    # 2017-01 … 2017-06 then 2017-07 on is one spell from 2017-01: 3年 by months, 2 by whole years.
    v = verdict(facts(2020, "药师", category="药学", educations=[edu("大专", "2016-07", "药学")],
                      work=[(d("2017-01"), d("2017-06")), (d("2017-07"), None)]))
    assert v.result == CHECK and "按年度相减计算为2年（2019−2017）" in v.text


def test_appointments_with_a_gap_count_only_the_months_appointed():
    # §1.3 "Routes worded 受聘担任 X 职务满 N 年 count time appointed"; §2.3(d) A 本科 4 years:
    # 2015-06 … 2016-05 (12) + 2017-06 … 2019-12 (31) = 3年7月.
    v = verdict(facts(2020, "主管药师", category="药学", educations=[edu("本科", "2012-07", "药学")], title="药师",
                      title_date=d("2015-05"), appointments=[("药师", d("2015-06"), d("2016-05")),
                                                             ("药师", d("2017-06"), None)]))
    assert v.result == NOT_ELIGIBLE and "受聘 2015-06 至 2016-05、2017-06 起" in v.text and "尚差5个月" in v.text


def test_a_cut_off_on_a_leap_day_counts_to_it_and_a_year_on():
    # §1.2 (a 考区 may set its cut-off): 2020-02-29 counts February; the next year's cut-off is 2021-02-28.
    f = facts(2023, "药师", category="药学", educations=[edu("大专", "2017-07", "药学")], work=[(d("2017-08"), None)])
    f.cutoff = datetime.date(2020, 2, 29)
    v = verdict(f)
    assert v.result == NOT_ELIGIBLE and "截至2020年2月29日已满2年7月" in v.text and "尚差5个月" in v.text


# --- 3. 中级 -----------------------------------------------------------------------------------------------------

def test_a_charge_nurse_under_the_new_rules_needs_the_nurse_practitioner_title():
    # §2.3(c) "B | 中专 / 大专 / 本科或学士 | … after being registered and obtaining 护师".
    v = verdict(facts(2023, "主管护师", category="护理", educations=[edu("本科", "2012-07", "护理")], title="护士",
                      title_date=d("2012-10"), registered=d("2012-12")))
    assert v.result == NOT_ELIGIBLE and "主管护师须取得护师资格（现有资格：护士）" in v.text


def test_a_masters_nurse_counts_two_years_from_registration_without_the_practitioner_title():
    # §2.3(c) "B | 硕士 | 2 years of 护理执业活动 after 注册. 护师 is not mentioned".
    v = verdict(facts(2023, "主管护师", category="护理", educations=[edu("硕士", "2020-07", "护理")], title="护士",
                      title_date=d("2020-08"), registered=d("2020-09")))
    assert v.result == ELIGIBLE and "执业注册 2020-09 起" in v.text and "已满2年4月" in v.text


def test_the_community_advance_is_for_community_nursing_not_medical_nursing():
    # §3.2 "The advance does not apply to other specialties"; §2.3(c) B 本科 4 years from 护师 2019-05 (3年8月).
    def charge_nurse(specialty):
        return facts(2023, "主管护师", category="护理", specialty=specialty, educations=[edu("本科", "2015-07", "护理")],
                     title="护师", title_date=d("2019-05"), registered=d("2016-01"), evidence={"基层"})
    v = verdict(charge_nurse("社区护理"))
    assert v.result == ELIGIBLE and "按此需满3年" in v.text
    v = verdict(charge_nurse("内科护理"))
    assert v.result == NOT_ELIGIBLE and "尚差4个月" in v.text


def test_the_tcm_general_practice_advance_starts_with_the_new_rules():
    # §3.2: Regime A "only in 全科医学 and 社区护理"; "The 2023年度 notice widens this … 全科医学(中医类)".
    def tcm(exam_year, qualified):
        return facts(exam_year, "主治医师", category="中医", specialty="全科医学(中医类)",
                     educations=[edu("大专", "2012-07", "中医学")], title="医师", title_date=d(qualified),
                     registered=d(qualified), evidence={"基层"})
    v = verdict(tcm(2020, "2014-04"))  # 5年9月 of 6, no advance
    assert v.result == NOT_ELIGIBLE and "尚差3个月" in v.text
    v = verdict(tcm(2023, "2017-04"))  # 5年9月 of 6, one year early
    assert v.result == ELIGIBLE and "全科医学(中医类)" in v.text and "按此需满5年" in v.text


def test_an_assistant_physician_may_not_sit_attending_whatever_his_years():
    # §2.3(a) "执业助理医师 is never enough for 中级. Regime A asks for 执业医师资格 (S2)".
    v = verdict(facts(2020, "主治医师", category="临床", specialty="内科学", educations=[edu("大专", "2008-07", "临床医学")],
                      title="医士", title_date=d("2010-05"), registered=d("2010-08")))
    assert v.result == NOT_ELIGIBLE and "须取得医师资格（现有资格：医士）" in v.text


def test_an_old_rules_public_health_master_needs_two_years_and_is_called_zhuguan_yishi():
    # §2.3(b) "A | 中专 / 大专 / 本科 / 硕士 / 博士 | 7 / 6 / 4 / 2 / none".
    v = verdict(facts(2020, "主治医师", category="公共卫生", educations=[edu("硕士", "2016-07", "预防医学")],
                      title="医师", title_date=d("2017-05"), registered=d("2017-08")))
    assert v.result == ELIGIBLE and "主管医师需从事医师工作满2年" in v.text


def test_a_bachelor_counts_an_assistant_route_at_the_college_level():
    # §2.1 B "相应专业 中专 or 大专" (164号 第十条 "相应专业中专以上学历"): a 本科 is above both.
    v = verdict(facts(2023, "技士", category="技术", educations=[edu("本科", "2022-07", "医学检验技术")]))
    assert v.result == ELIGIBLE and "本科（按大专条件）" in v.text


def test_the_residency_route_counts_from_the_registration_when_it_is_later_than_the_certificate():
    # §2.3(a) "B | 本科学历 or 学士学位 with 规培合格证书 | 2 years 医疗执业活动 | date of the 规培合格证书"; §1.3
    # "time in 执业活动 … counts from 执业注册": certificate 2020-08, registered 2021-03 → 1年10月.
    v = verdict(facts(2023, "主治医师", category="临床", specialty="内科学", educations=[edu("本科", "2017-07", "临床医学")],
                      title="医师", title_date=d("2020-12"), registered=d("2021-03"),
                      training=[(d("2017-09"), d("2020-08"))]))
    assert v.result == NOT_ELIGIBLE and "执业注册 2021-03 起（晚于规培合格证书 2020-08，取较晚者）" in v.text
    assert "尚差2个月，最早可报考2024年度" in v.text


def test_the_residency_route_takes_the_township_advance_in_general_practice():
    # §3.2 B "乡镇卫生院 … 全科医学 … one year early" on §2.3(a) B 本科 + 规培 2 years: 1年1月 + 1.
    v = verdict(facts(2023, "主治医师", category="临床", specialty="全科医学", educations=[edu("本科", "2018-07", "临床医学")],
                      title="医师", title_date=d("2021-10"), registered=d("2021-12"),
                      training=[(d("2018-09"), d("2021-08"))], evidence={"基层"}))
    assert v.result == ELIGIBLE and "已满1年1月" in v.text and "按此需满1年" in v.text


def test_2021_assistant_pharmacist_with_the_front_line_advance_is_met_only_on_unconfirmed_points():
    # §0 "2021年度 | probably Regime A … UNCONFIRMED"; §3.5 front line one year early; §2.1 A 1 year, B none.
    v = verdict(facts(2021, "药士", category="药学", educations=[edu("中专", "2020-07", "药学")],
                      work=[(d("2020-08"), None)], evidence={"一线"}))
    assert v.result == CHECK and "按此需满0年 → 仅在未经确认的规定下符合" in v.text


# --- D1. A title older than the only education it rests on (164号 第十条 "相应专业中专以上学历") -------------------

def test_an_assistant_pharmacist_title_before_the_only_diploma_is_to_be_checked():
    # §2.1 A and B both ask for "相应专业 中专 or 大专" before the 士 title, and §2.2 "B | 中专 | 5 years after
    # obtaining 药(技)士 | 士 certificate date": a 药士 of 2016-06 and the only diploma of 2018-07 cannot both be
    # right. From the title 6年7月 (met), from the diploma 4年6月 (not): the form decides nothing.
    v = verdict(facts(2023, "药师", category="药学", educations=[edu("中专", "2018-07", "药学")], title="药士",
                      title_date=d("2016-06")))
    assert v.result == CHECK
    assert "取得药士资格 2016-06 早于所依据的中专学历取得时间 2018-07" in v.text and "自学历取得起计为4年6月" in v.text


def test_a_pharmacist_title_before_the_only_diploma_is_to_be_checked_for_the_charge_title():
    # §2.3(d) "B | 中专 … | 7 … years 从事本专业工作 after obtaining 药(技)师 | 师 certificate date".
    v = verdict(facts(2023, "主管药师", category="药学", educations=[edu("中专", "2014-07", "药学")], title="药师",
                      title_date=d("2013-06")))
    assert v.result == CHECK and "取得药师资格 2013-06 早于所依据的中专学历取得时间 2014-07" in v.text


def test_a_title_after_an_earlier_education_row_or_on_a_route_of_work_is_no_contradiction():
    # The 药士 may rest on the earlier row; a 大专 may follow an unlisted 中专 (as for a registration, probe 6).
    v = verdict(facts(2023, "药师", category="药学", title="药士", title_date=d("2016-06"),
                      educations=[edu("中专", "2018-07", "药学"), edu("中专", "2015-07", "药学", assessed=False)]))
    assert v.result == ELIGIBLE
    v = verdict(facts(2023, "主管药师", category="药学", educations=[edu("大专", "2014-07", "药学")], title="药师",
                      title_date=d("2013-06")))
    assert v.result == ELIGIBLE


# --- D2. A title or registration dated after the cut-off, on a route asking no years -----------------------------

def test_a_doctorate_nurse_licensed_after_the_cut_off_is_to_be_checked():
    # §2.3(c) "A | … 博士 | none"; the route asks the 护士执业资格 (S15). §1.2 counts "the date the education was
    # obtained and the work years" to the cut-off; whether the title must also be held by then it does not say.
    # Before: 符合 without a look at the date.
    v = verdict(facts(2020, "主管护师", category="护理", educations=[edu("博士", "2019-07", "护理学")], title="护士",
                      title_date=d("2020-01")))
    assert v.result == CHECK and "取得护士资格 2020-01 晚于截止日期2019年12月31日" in v.text
    v = verdict(facts(2020, "主管护师", category="护理", educations=[edu("博士", "2019-07", "护理学")], title="护士",
                      title_date=d("2019-12")))
    assert v.result == ELIGIBLE


def test_a_doctorate_registered_after_the_cut_off_is_to_be_checked():
    # §2.3(c) "B | 博士 | none; registered and practising | 注册"; §2.3(b) "B | 博士 | none; must be registered and
    # practising | 执业医师注册". Registered 2023-01, after 2022-12-31.
    v = verdict(facts(2023, "主管护师", category="护理", educations=[edu("博士", "2022-06", "护理学")], title="护士",
                      title_date=d("2021-05"), registered=d("2023-01")))
    assert v.result == CHECK and "执业注册年月 2023-01 晚于截止日期2022年12月31日" in v.text
    v = verdict(facts(2023, "主治医师", category="公共卫生", educations=[edu("博士", "2022-06", "预防医学")],
                      title="医师", title_date=d("2022-10"), registered=d("2023-01")))
    assert v.result == CHECK and "执业注册年月 2023-01 晚于截止日期" in v.text


def test_a_physician_licensed_after_the_cut_off_is_to_be_checked():
    # §2.3(a) "B | 博士学位 | none, but 住院医师规范化培训合格证书 required | 执业医师 registration".
    v = verdict(facts(2023, "主治医师", category="临床", specialty="内科学", educations=[edu("博士", "2022-06", "临床医学")],
                      title="医师", title_date=d("2023-01"), registered=d("2022-12"),
                      training=[(d("2019-09"), d("2022-08"))]))
    assert v.result == CHECK and "取得医师资格 2023-01 晚于截止日期" in v.text


def test_a_nurse_licensed_after_the_cut_off_is_checked_though_her_work_years_are_met():
    # §2.2 护师 "(the candidate holds 护士执业资格 and is registered)", A 本科 1 year of work: 1年5月, but the
    # licence is of 2020-01, after 2019-12-31.
    v = verdict(facts(2020, "护师", category="护理", educations=[edu("本科", "2018-07", "护理")], title="护士",
                      title_date=d("2020-01"), work=[(d("2018-08"), None)]))
    assert v.result == CHECK and "已满1年5月" in v.text and "取得护士资格 2020-01 晚于截止日期" in v.text


# --- D3. A major of another 执业类别 (§1.4 "the field studied must match or be close to the specialty") -----------

def attending(major, category="临床", specialty="内科学"):
    """主治 B 本科 4 years from 注册 2017-03: 5年10月."""
    return facts(2023, "主治医师", category=category, specialty=specialty, educations=[edu("本科", "2015-07", major)],
                 title="医师", title_date=d("2016-12"), registered=d("2017-03"))


def test_a_tcm_or_dental_graduate_applying_in_the_clinical_category_is_to_be_checked():
    # §1.4 field match, and §2.3(a) "candidates for 专业代码 301–365 and 392 must hold the 执业医师资格 of the matching
    # 类别" (S12): a 中医学 or 口腔医学 major is of another 类别 than 临床 内科学. Before: 符合.
    for major, category in (("中医学", "中医"), ("口腔医学", "口腔")):
        v = verdict(attending(major))
        assert v.result == CHECK and f"所学专业“{major}”属{category}类别" in v.text and "临床类别" in v.text


def test_a_major_of_the_category_applied_for_or_an_unclear_one_is_not_flagged():
    assert verdict(attending("临床医学")).result == ELIGIBLE
    assert verdict(attending("中西医临床医学", category="中医", specialty="中医内科学")).result == ELIGIBLE
    assert verdict(attending("口腔医学", category="口腔", specialty="口腔医学")).result == ELIGIBLE
    assert verdict(attending("麻醉学")).result == ELIGIBLE
    # 临床 and 公共卫生: no source here says whether they are close; not flagged.
    assert verdict(attending("临床医学", category="公共卫生", specialty="")).result == ELIGIBLE
