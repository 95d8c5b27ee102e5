"""QA probe round 7 (/tmp/elig7, case ids in the comments): the earliest year promised where a reading the rules
leave open is met later, each reason said once, the words of the 基层 doubt by rule set, and the form's own words."""

from prereg.applications.eligibility import CHECK, ELIGIBLE, NOT_ELIGIBLE
from prereg.applications.models import EducationRow

from .eligibility_cases import d, edu, education, facts, form, verdict

# --- C1. The seed form's level words ---------------------------------------------------------------------------


def test_the_seed_forms_level_words_are_the_levels_they_name():
    # 护师 A 本科学历 (大专学历), work since 2015-08: 4年5月 of 1 (3); 药士 A 中专学历: 1年5月 of 1.
    for level in ("本科学历", "大专学历"):
        v = verdict(facts(2020, "护师", category="护理", educations=[edu(level, "2015-07", "护理")], title="护士",
                          title_date=d("2015-10"), registered=d("2015-11"), work=[(d("2015-08"), None)]))
        assert v.result == ELIGIBLE and "不在资格规则之列" not in v.text
    v = verdict(facts(2020, "药士", category="药学", educations=[edu("中专学历", "2018-07", "药学")],
                      work=[(d("2018-08"), None)]))
    assert v.result == ELIGIBLE


# --- R1. A work row without its start -----------------------------------------------------------------------------

def test_a_work_row_without_its_start_is_missing_data_not_a_crash():
    # W-6: 药师 A 大专 (3 years of work), the only work row has no start.
    v = verdict(facts(2020, "药师", category="药学", educations=[edu("大专", "2014-07", "药学")], work=[(None, None)]))
    assert v.result == CHECK and "缺少工作经历的起止时间" in v.text


# --- D1. The earliest year promised where the start is a January (rules file §1.3, §5 item 4) ---------------------

def nurse(exam_year, registered):
    """护师 B 大专: 3 years of 护士执业活动 from the 执业注册."""
    return facts(exam_year, "护师", category="护理", educations=[edu("大专", "2020-07", "护理")], title="护士",
                 title_date=d("2020-11"), registered=d(registered))


def test_an_earliest_year_met_by_months_from_a_january_says_it_is_to_be_checked_then():
    # ER-9/ER-10: registered 2021-01. 2023年度: 2年0月. 2024年度: 3年0月 by months, 2 by whole years (需人工核实).
    # 2025年度: both readings are met.
    v = verdict(nurse(2023, "2021-01"))
    assert v.result == NOT_ELIGIBLE
    assert ("尚差1年0月，最早可报考2024年度，届时须人工核实：按年度相减计算须至2025年度方满足年限" in v.text
            and "最早可报考2024年度）" not in v.text)
    assert verdict(nurse(2024, "2021-01")).result == CHECK
    assert verdict(nurse(2025, "2021-01")).result == ELIGIBLE


def test_a_january_start_after_the_cutoff_is_counted_by_whole_years_too():
    # Registered 2023-01, after 2023年度's cut-off: 3年0月 by months at 2025-12-31 (2026年度), 2 by whole years.
    v = verdict(nurse(2023, "2023-01"))
    assert v.result == NOT_ELIGIBLE and "最早可报考2026年度，届时须人工核实：按年度相减计算须至2027年度方满足年限" in v.text
    assert verdict(nurse(2026, "2023-01")).result == CHECK and verdict(nurse(2027, "2023-01")).result == ELIGIBLE


def test_an_earliest_year_from_another_month_is_promised_as_it_is():
    # Registered 2021-02: 2024年度 gives 2年11月, 2025年度 3年11月 by either reading.
    v = verdict(nurse(2023, "2021-02"))
    assert v.result == NOT_ELIGIBLE and "最早可报考2025年度）" in v.text
    assert verdict(nurse(2025, "2021-02")).result == ELIGIBLE


# --- D2. Regime A 从事医师工作, both starts failing (rules file §1.3: the start point is unconfirmed) ---------------

def attending(exam_year):
    """主治 A 本科 (4 years): 医师资格 2015-06, 执业注册 2016-06."""
    return facts(exam_year, "主治医师", category="临床", specialty="内科学", educations=[edu("本科", "2013-07", "临床医学")],
                 title="医师", title_date=d("2015-06"), registered=d("2016-06"), work=[(d("2013-08"), None)])


def test_both_starts_failing_name_both_counts_and_the_year_both_are_met():
    # ER-20: 2018年度: 2年7月 from the qualification, 1年7月 from the registration. 2020年度 (4年7月, 3年7月) is
    # 需人工核实 (ER-20b); 2021年度 both are met.
    v = verdict(attending(2018))
    assert v.result == NOT_ELIGIBLE
    assert "取得医师资格 2015-06 起" in v.text and "已满2年7月；执业注册 2016-06 起已满1年7月 → 不符合" in v.text
    assert "尚差1年5月、2年5月，最早可报考2020年度，届时须人工核实：两种起算点均须至2021年度方满足年限" in v.text
    assert verdict(attending(2020)).result == CHECK and verdict(attending(2021)).result == ELIGIBLE


def test_one_start_given_twice_is_said_once():
    # ER-16: 医师资格 and 执业注册 both 2015-06: one count, one year.
    v = verdict(facts(2020, "主治医师", category="临床", specialty="内科学", educations=[edu("大专", "2010-07", "临床医学")],
                      title="医师", title_date=d("2015-06"), registered=d("2015-06"), work=[(d("2010-08"), None)]))
    assert v.result == NOT_ELIGIBLE and v.text.count("已满4年7月") == 1 and "尚差1年5月，最早可报考2022年度）" in v.text


# --- T1. A 研究生 学历 and its 学位 saying the same ------------------------------------------------------------------

def graduate(exam_year, qualification, category, specialty, level, study_form="全日制", **columns):
    """A form with a 研究生 学历 row and the matching 学位 row, both of 2022-06."""
    degree = level.replace("研究生", "学位")
    return form(exam_year, qualification__name=qualification, category__name=category, specialty__name=specialty,
                educations=[education(level, "2022-06", "护理", study_form),
                            education(degree, "2022-06", "护理", study_form, EducationRow.Kind.DEGREE)], **columns)


def test_the_same_reason_of_a_graduate_education_and_its_degree_is_said_once():
    # Z-17: 主管护师 B 博士 (no years), registration missing.
    v = verdict(graduate(2023, "主管护师", "护理", "护理学", "博士研究生", current_qualification="护士",
                         current_qualification_date=d("2022-08")))
    assert v.result == CHECK and v.text.count("未填执业注册年月") == 1
    assert v.text.startswith("博士研究生、博士学位 → ")
    # 药师 B 硕士 (no years), a 学习形式 that says neither: the doubt names both rows, once.
    v = verdict(graduate(2023, "药师", "药学", "药学(师)", "硕士研究生", "境外学历（香港）"))
    assert v.result == CHECK and v.text.count("不能确认是否为全日制") == 1
    assert "但硕士研究生、硕士学位学习形式“境外学历（香港）”" in v.text


def test_one_row_read_by_two_routes_saying_the_same_is_said_once():
    # NA-ss-jan: 护师 A 硕士研究生, no 学位 row, work from 2019-01: the 本科 and the 硕士 routes both ask 1 year.
    v = verdict(form(2020, qualification__name="护师", category__name="护理", specialty__name="护理学(师)",
                     educations=[education("硕士研究生", "2018-07", "护理")], current_qualification="护士",
                     current_qualification_date=d("2018-09"), practice_registered=d("2018-10"),
                     work=[{"start": d("2019-01"), "end": None}]))
    assert v.result == CHECK and v.text.count("按年度相减计算") == 1


# --- T2. The 基层 doubt names where that year's advance applies (rules file §3.2) -----------------------------------

COMMUNITY = "社区工作证明/基层工作20年证明"


def test_the_doubt_on_a_basic_level_proof_names_the_institutions_of_the_years_advance():
    def general_practitioner(exam_year, level, registered):
        return form(exam_year, qualification__name="主治医师", category__name="临床", specialty__name="全科医学",
                    educations=[education(level, "2008-07", "临床医学")], current_qualification="医师",
                    current_qualification_date=d(registered), practice_registered=d(registered), others=[COMMUNITY])

    # E12i: 2020年度 (Regime A) 大专, 5年9月 of 6, the advance decides: for 社区卫生服务机构 only.
    v = verdict(general_practitioner(2020, "大专", "2014-04"))
    assert v.result == CHECK and "不能确认是社区卫生服务机构的工作证明" in v.text and "乡镇卫生院" not in v.text
    # 2023年度 (Regime B) 本科, 3年3月 of 4: for the 乡镇卫生院 too.
    v = verdict(general_practitioner(2023, "本科", "2019-10"))
    assert v.result == CHECK and "不能确认是社区卫生服务机构或乡镇卫生院的工作证明" in v.text


# --- T3. Wording ----------------------------------------------------------------------------------------------------

def test_the_doubts_on_a_route_follow_one_but():
    # ER-13: 社区护理 A 受聘护师 2017-01 (3年0月 by months, 2 by whole years), met with the 基层 advance on a proof
    # that may be the 20-year one: two doubts, after one 但.
    v = verdict(form(2020, qualification__name="主管护师", category__name="护理", specialty__name="社区护理",
                     educations=[education("本科", "2010-07", "护理")], current_qualification="护师",
                     current_qualification_date=d("2016-06"), practice_registered=d("2010-09"),
                     appointments=[{"qualification": "护师", "post": "护师", "start": d("2017-01"), "end": None}],
                     others=[COMMUNITY]))
    assert v.result == CHECK and v.text.count("但") == 1
    assert "不能确认是社区卫生服务机构的工作证明；自2017-01起算：按月计算已满3年" in v.text


def test_a_degree_is_not_called_an_education():
    # 主治 B 学士学位, not full-time, obtained 2017-07 (entry date unknown): the 教高 rule is said of a 学历 or a 学位.
    v = verdict(facts(2023, "主治医师", category="临床", specialty="内科学", title="医师", title_date=d("2018-03"),
                      registered=d("2018-06"), educations=[edu("学士学位", "2017-07", "临床医学", False)]))
    assert v.result == CHECK and "学士学位为非全日制" in v.text and "非全日制学历或学位，于2015年3月31日后入学的" in v.text
    # A first-time candidate's 学位 that is not known to be full-time.
    v = verdict(facts(2023, "药师", category="药学", educations=[edu("硕士学位", "2022-06", "药学", None)]))
    assert v.result == CHECK and "首次报考须以全日制学历或学位报考" in v.text
