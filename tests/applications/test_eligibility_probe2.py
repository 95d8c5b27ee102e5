"""The second QA probe's findings on the 资格初审 assistant, each against ../shared/reference/eligibility_rules.md:
a fact missing or unverifiable never yields 符合, a wrong 不符合 is a bug too."""


import pytest

from prereg.applications.eligibility import CHECK, ELIGIBLE, NOT_ELIGIBLE, Education, Rule, assess
from prereg.catalog import services
from prereg.catalog.models import EligibilityRule
from prereg.catalog.services import eligibility_rules_file
from tests.applications.eligibility_cases import d, edu, education, facts, form, verdict

# --- 1. 医疗类 and 护理类 (Regime B) must be registered: a blank 执业注册 is never 符合 ---------------------------

def nurse(**extra):
    """A 本科 nurse, 护师 since 2018-01, for 主管护师 in 2027年度 (4 years after 注册并取得护师)."""
    return facts(2027, "主管护师", category="护理", specialty="护理学", educations=[edu("本科", "2015-07", "护理学")],
                 title="护师", **{"title_date": d("2018-01"), **extra})


def test_a_nurse_without_a_registration_date_is_to_be_checked_not_met():
    v = verdict(nurse())
    assert v.result == CHECK and "未填执业注册年月" in v.text and "人社部发〔2021〕51号" in v.text
    assert verdict(nurse(registered=d("2015-09"))).result == ELIGIBLE


def test_years_too_short_stay_not_eligible_whatever_the_registration():
    # 护师 2024-05: 2年8月 of the 4 years; a registration could only make it later.
    v = verdict(nurse(title_date=d("2024-05")))
    assert v.result == NOT_ELIGIBLE and "2年8月" in v.text


@pytest.mark.parametrize(("qualification", "category", "title", "extra"), [
    ("主管护师", "护理", "护师", {}),
    ("主治医师", "公共卫生", "医师", {}),
    ("主治医师", "临床", "医师", {"training": [(d("2014-09"), d("2017-09"))]}),
])
def test_a_doctorate_route_asks_for_the_registration_it_names(qualification, category, title, extra):
    f = facts(2023, qualification, category=category, specialty="内科学" if category == "临床" else "",
              educations=[edu("博士研究生", "2017-07")], title=title, title_date=d("2018-01"), **extra)
    v = verdict(f)
    assert v.result == CHECK and "未填执业注册年月" in v.text
    f.registered = d("2018-03")
    assert verdict(f).result == ELIGIBLE


def test_the_residency_route_without_a_registration_is_to_be_checked():
    # 2023年度, 本科 + 规培 certificate 2019-09: 3年4月 ≥ 2 (rules file §2.3(a) B), but no 执业医师注册.
    f = facts(2023, "主治医师", category="临床", specialty="内科学", educations=[edu("本科", "2016-07", "临床医学")],
              title="医师", title_date=d("2018-06"), training=[(d("2016-09"), d("2019-09"))])
    v = verdict(f)
    assert v.result == CHECK and "未填执业注册年月" in v.text
    f.registered = d("2018-08")
    assert verdict(f).result == ELIGIBLE


def test_regime_a_and_the_pharmacy_series_ask_no_registration():
    pharmacist = facts(2027, "主管药师", category="药学", educations=[edu("本科", "2012-07", "药学")], title="药师",
                       title_date=d("2015-05"))
    assert verdict(pharmacist).result == ELIGIBLE
    e1 = facts(2020, "护师", category="护理", educations=[edu("本科", "2018-07", "护理学")], title="护士",
               title_date=d("2018-09"), work=[(d("2018-08"), None)])
    assert verdict(e1).result == ELIGIBLE


# --- 2. 执业活动 counts from the registration, and from no earlier than the licence -------------------------------

def test_a_registration_older_than_the_physician_qualification_counts_from_the_qualification():
    # 2023年度, 大专 (6 years from 执业医师注册, S10c): 医师资格 2019-06, registration 2012-03 (an 执业助理医师's).
    f = facts(2023, "主治医师", category="临床", specialty="内科学", educations=[edu("大专", "2008-07", "临床医学")],
              title="医师", title_date=d("2019-06"), registered=d("2012-03"))
    v = verdict(f)
    assert v.result == NOT_ELIGIBLE and "取得医师资格 2019-06 起" in v.text and "3年7月" in v.text
    # Met from the qualification: the 执业医师注册 itself is not on the form.
    f.title_date = d("2015-06")
    v = verdict(f)
    assert v.result == CHECK and "7年7月" in v.text and "早于取得医师资格" in v.text


def test_the_charge_nurse_counts_from_the_later_of_registration_and_the_nurse_title():
    # 注册并取得护师后 (S10d): 护师 2018-01, registered 2020-06: from 2020-06, 2年7月 < 4 in 2023年度.
    f = facts(2023, "主管护师", category="护理", educations=[edu("本科", "2015-07", "护理学")], title="护师",
              title_date=d("2018-01"), registered=d("2020-06"))
    v = verdict(f)
    assert v.result == NOT_ELIGIBLE and "执业注册 2020-06 起" in v.text and "2年7月" in v.text
    f.registered = d("2015-09")  # registered first, as a 护士: from the 护师, 5年0月
    v = verdict(f)
    assert v.result == ELIGIBLE and "取得现有资格 2018-01 起" in v.text and "5年0月" in v.text


# --- 3. A route with years and no 起算 is refused at the import, and never a 500 -------------------------------

def test_a_route_it_cannot_count_is_to_be_checked_not_an_error():
    for counted_from in ("", "none", "入职"):
        rule = Rule(kind="route", regime="B", qualification="药师", category="", education="本科", min_years=1,
                    counted_from=counted_from, requires="", specialties="", requires_title="", confirmed=True,
                    source="", note="从事本专业工作满1年")
        f = facts(2027, "药师", category="药学", educations=[edu("本科", "2020-07", "药学")], work=[(d("2020-08"), None)])
        v = assess(f, [rule])
        assert v.result == CHECK and "起算" in v.text, counted_from


def test_an_unknown_requirement_in_a_stored_table_is_to_be_checked():
    rule = Rule(kind="route", regime="B", qualification="药师", category="", education="本科", min_years=0,
                counted_from="none", requires="博士后", specialties="", requires_title="", confirmed=True, source="",
                note="x")
    v = assess(facts(2027, "药师", educations=[edu("本科", "2020-07")]), [rule])
    assert v.result == CHECK and "博士后" in v.text


@pytest.mark.django_db
def test_the_import_refuses_a_route_with_years_and_no_start(year, reviewer_province):
    table = eligibility_rules_file(year).decode("utf-8-sig")
    lines = table.splitlines()
    line = next(i for i, text in enumerate(lines) if ",本科,4,qualification," in text)
    for start in ("", "none"):
        wrong = [*lines]
        wrong[line] = wrong[line].replace(",本科,4,qualification,", f",本科,4,{start},")
        result = services.eligibility_rules_import(actor=reviewer_province, exam_year_id=year.pk, filename="r.csv",
                                                   content="\n".join(wrong).encode())
        assert not result.ok and f"第{line + 1}行：年限大于0时须填写起算" in " ".join(result.errors)
    assert EligibilityRule.objects.filter(exam_year=year, counted_from="qualification", min_years=4).exists()
    fine = table.replace(",本科,4,qualification,", ",本科,0,none,", 1)
    assert services.eligibility_rules_import(actor=reviewer_province, exam_year_id=year.pk, filename="r.csv",
                                             content=fine.encode()).ok


# --- 4. 转岗: the form has no date of the change ---------------------------------------------------------------

@pytest.mark.parametrize("work", [
    [(d("2016-08"), d("2022-05")), (d("2022-06"), None)],  # moved hospital 2022-06, scope changed long before
    [(d("2012-08"), None)],  # one row since 2012, scope changed 2022-06
])
def test_a_change_of_post_without_its_date_is_to_be_checked(work):
    f = form(2024, qualification__name="主治医师", category__name="临床", specialty__name="普通外科学",
             current_qualification="医师", current_qualification_date=d("2016-05"), practice_registered=d("2016-08"),
             practice_change="执业范围变更", educations=[education("本科", "2012-07", "临床医学")],
             work=[{"start": start, "end": end} for start, end in work])
    v = verdict(f)
    assert v.result == CHECK and "转岗时间" in v.text and "现岗位工作满2年" in v.text


# --- 5. 专业对口: a major of another series is to be checked, never 不符合 ------------------------------------------

def test_a_nursing_graduate_applying_for_pharmacist_is_to_be_checked():
    # 2020年度 (Regime A), 本科 护理, four years of work: the years would do, the field does not (§1.4, S8).
    f = form(2020, qualification__name="药师", category__name="药学", specialty__name="药学(师)",
             educations=[education("本科", "2015-07", "护理学")], work=[{"start": d("2015-08"), "end": None}])
    v = verdict(f)
    assert v.result == CHECK and "所学专业“护理学”属护理类" in v.text and "药师（药学类）" in v.text
    f.educations = [Education("本科", d("2015-07"), True, "药学")]
    assert verdict(f).result == ELIGIBLE


@pytest.mark.parametrize("major", ["", "药学", "临床药学", "中药学", "药物制剂技术", "生物技术与医学"])
def test_a_major_of_the_series_a_close_one_or_an_unclear_one_is_not_flagged(major):
    f = facts(2020, "药师", category="药学", educations=[edu("本科", "2015-07", major)], work=[(d("2015-08"), None)])
    assert verdict(f).result == ELIGIBLE, major


def test_a_mismatched_major_short_of_years_stays_not_eligible():
    f = facts(2020, "药师", category="药学", educations=[edu("大专", "2018-07", "护理")], work=[(d("2018-08"), None)])
    assert verdict(f).result == NOT_ELIGIBLE


# --- 6. 2021年度 and the front-line advance ----------------------------------------------------------------------

def test_2021_front_line_staff_short_one_year_are_to_be_checked_not_refused():
    # 2021年度: probably Regime A plus the COVID advance (§0, §3.5). 大专 药师 needs 3 years; 2年7月 worked.
    f = facts(2021, "药师", category="药学", educations=[edu("大专", "2017-07", "药学")], work=[(d("2018-06"), None)])
    assert verdict(f).result == NOT_ELIGIBLE
    f.evidence = {"一线"}
    v = verdict(f)
    assert v.result == CHECK and "疫情防控一线" in v.text and "可提前一年申报" in v.text


# --- 7. Appointment rows as the seed's form writes them ----------------------------------------------------------

def appointed(qualification, post="初级(师)"):
    return form(2020, qualification__name="主管护师", category__name="护理", current_qualification="护师",
                current_qualification_date=d("2012-05"), educations=[education("本科", "2011-07", "护理学")],
                appointments=[{"qualification": qualification, "post": post, "start": d("2012-07"), "end": None}])


@pytest.mark.parametrize("written", ["护理(师)", "护理（师）", "护理师", "护师"])
def test_an_appointment_written_as_the_seed_does_counts(written):
    v = verdict(appointed(written))
    assert v.result == ELIGIBLE and "受聘 2012-07 起" in v.text


def test_an_appointment_naming_no_title_says_so_rather_than_missing():
    v = verdict(appointed("", post="初级(师)"))
    assert v.result == CHECK and "“初级(师)”" in v.text and "缺少受聘时间" not in v.text


# --- 8. Already holding the title, or a higher one --------------------------------------------------------------

@pytest.mark.parametrize(("qualification", "title"), [("护师", "护师"), ("药师", "主管药师"), ("护师", "主管护师")])
def test_holding_the_title_or_a_higher_one_is_to_be_checked(qualification, title):
    f = facts(2027, qualification, educations=[edu("本科", "2012-07")], title=title, title_date=d("2015-05"),
              registered=d("2012-09"), work=[(d("2012-08"), None)])
    v = verdict(f)
    assert v.result == CHECK and f"现有资格为{title}：已取得{qualification}资格或更高资格" in v.text


# --- 9. A degree above those the routes list --------------------------------------------------------------------

def test_a_degree_above_the_routes_takes_the_highest_listed_below_it():
    # 164号 第十条: 初级 asks for 相应专业中专以上学历; Regime A 药士 lists 中专 and 大专 (1 year of work).
    f = facts(2020, "药士", category="药学", educations=[edu("本科", "2018-07", "药学")], work=[(d("2018-08"), None)])
    v = verdict(f)
    assert v.result == ELIGIBLE and v.text.startswith("本科（按大专条件）") and "1年5月" in v.text
    f.work = [(d("2019-08"), None)]
    assert verdict(f).result == NOT_ELIGIBLE
    # 护师, Regime A, lists 本科 and 硕士: a 博士 takes the 硕士 route.
    phd = facts(2020, "护师", category="护理", educations=[edu("博士研究生", "2018-07", "护理学")], title="护士",
                title_date=d("2018-09"), work=[(d("2018-08"), None)])
    assert verdict(phd).result == ELIGIBLE


# --- 10. Regime A, 主管护师 by a doctorate: the nurse's licence -------------------------------------------------------

def test_a_doctorate_without_a_nursing_licence_may_not_sit_charge_nurse_under_the_old_rules():
    f = facts(2020, "主管护师", category="护理", educations=[edu("博士研究生", "2018-07", "护理学")])
    assert verdict(f).result == NOT_ELIGIBLE
    f.title, f.title_date = "护士", d("2018-09")
    assert verdict(f).result == ELIGIBLE


# --- 11. 主治医师 without its 执业类别 ---------------------------------------------------------------------------------

def test_an_attending_application_without_a_category_asks_for_it():
    v = verdict(facts(2027, "主治医师", educations=[edu("本科", "2012-07")], title="医师", registered=d("2014-01")))
    assert v.result == CHECK and "请先选择执业类别" in v.text
