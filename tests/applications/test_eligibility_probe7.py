"""QA probe round 7 (/tmp/elig7, case ids in the comments): the earliest year promised where a reading the rules
leave open is met later, each reason said once, the words of the 基层 doubt by rule set, and the form's own words."""

from prereg.applications.eligibility import CHECK, ELIGIBLE

from .eligibility_cases import d, edu, facts, verdict

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
