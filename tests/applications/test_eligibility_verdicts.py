"""The 资格初审 assistant in the product: the candidate's 申报信息, the review screen, the 资格规则 page."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from prereg.applications import eligibility, services
from prereg.applications.models import Application, EducationRow, ReviewLog, Stage, State, months_in
from prereg.catalog.models import EligibilityRule, Qualification, Specialty
from prereg.catalog.services import eligibility_rules_file
from tests.factories import EducationRowFactory, WorkRowFactory, approve, complete_application


def nurse_application(candidate, year, tree, *, since):
    """A 本科 nurse who holds 护师 since `since` and applies for 主管护师 (护理学)."""
    application = complete_application(candidate, year, tree)
    specialty = Specialty.objects.filter(exam_year=year, qualification__name="主管护师").select_related(
        "qualification__level", "category").first()
    Application.objects.filter(pk=application.pk).update(
        level=specialty.qualification.level, qualification=specialty.qualification, category=specialty.category,
        specialty=specialty, scope=None, current_qualification="护师", current_qualification_date=since,
        practice_registered=datetime.date(2008, 9, 1))  # a registered nurse (人社部发〔2021〕51号)
    EducationRow.objects.filter(application=application).update(major="护理学")  # 专业对口 (rules file §1.4)
    return Application.objects.get(pk=application.pk)


def test_every_year_gets_the_rules_of_its_regime(year):
    rules = EligibilityRule.objects.filter(exam_year=year)
    assert rules.exists() and set(rules.values_list("regime", flat=True)) == {"B"}


def test_the_candidate_sees_the_verdict_on_his_declaration_after_saving_it(client, year, tree, candidate):
    client.force_login(candidate)
    cutoff = year.cutoff_date
    short = datetime.date(cutoff.year - 3, 6, 1)  # 3年7月 of the 4 years a 本科 主管护师 needs
    application = nurse_application(candidate, year, tree, since=short)
    form = {"version": application.version, "decl-level": application.level_id,
            "decl-qualification": application.qualification_id, "decl-category": application.category_id,
            "decl-specialty": application.specialty_id, "decl-practice_change": "无",
            "decl-current_qualification": "护师", "decl-current_qualification_date": f"{short:%Y-%m}",
            "decl-practice_registered": "2012-09"}
    body = client.post(reverse("candidate:section", args=["declaration"]), form, HTTP_HX_REQUEST="true").content.decode()
    assert "资格初审提示：不符合" in body and "3年7月" in body and "不影响提交" in body
    application.refresh_from_db()
    assert application.verdict == "not_eligible" and application.practice_registered == datetime.date(2012, 9, 1)
    form["decl-current_qualification_date"] = f"{cutoff.year - 4}-01"
    body = client.post(reverse("candidate:section", args=["declaration"]), form, HTTP_HX_REQUEST="true").content.decode()
    assert "资格初审提示：符合" in body


def test_the_review_screen_opens_with_the_verdict_and_its_arithmetic(client, year, tree, candidate,
                                                                      reviewer_anxi_hospital):
    application = nurse_application(candidate, year, tree, since=datetime.date(2010, 5, 1))
    services.application_submit(actor=candidate, application_id=application.pk)
    client.force_login(reviewer_anxi_hospital)
    body = client.get(reverse("backoffice:review", args=[application.pk])).content.decode()
    assert "资格初审助手" in body and 'data-verdict="eligible"' in body
    assert "取得现有资格 2010-05 起" in body and "主管护师需注册并取得护师后护理执业活动满4年" in body


def test_a_new_rules_table_is_imported_whole_and_open_verdicts_follow_while_decided_ones_keep_theirs(
        client, year, tree, reviewer_province, reviewer_anxi_hospital, reviewer_anxi_bureau, reviewer_quanzhou):
    from tests.factories import CandidateFactory

    open_ = nurse_application(CandidateFactory(), year, tree, since=datetime.date(2015, 5, 1))
    decided = nurse_application(CandidateFactory(), year, tree, since=datetime.date(2015, 5, 1))
    for application in (open_, decided):
        eligibility.refresh(application)
        assert application.verdict == "eligible"
        services.application_submit(actor=application.candidate, application_id=application.pk)
    for reviewer in (reviewer_anxi_hospital, reviewer_anxi_bureau, reviewer_quanzhou):
        approve(decided, reviewer)
    services.summary_submit(actor=reviewer_quanzhou, stage=Stage.SITE_REVIEW)
    approve(decided, reviewer_province)
    assert Application.objects.get(pk=decided.pk).state == State.APPROVED

    # The 考区 raises the years of the 本科 route to 40: nobody meets it any more.
    table = eligibility_rules_file(year).decode("utf-8-sig").replace(",本科,4,qualification,", ",本科,40,qualification,")
    client.force_login(reviewer_province)
    url = reverse("backoffice:year_rules", args=[year.pk])
    response = client.post(url, {"file": SimpleUploadedFile("rules.csv", ("类型,年限\n路线,x\n").encode())})
    assert response.status_code == 400 and "第2行" in response.content.decode()
    # the shipped table is unchanged after a refused file:
    assert EligibilityRule.objects.filter(exam_year=year, education="本科", min_years=4).exists()
    response = client.post(url, {"file": SimpleUploadedFile("rules.csv", table.encode("utf-8"))})
    assert response.status_code == 302
    assert EligibilityRule.objects.filter(exam_year=year, min_years=40).exists()

    assert Application.objects.get(pk=open_.pk).verdict == "not_eligible"  # recomputed in the background
    assert Application.objects.get(pk=decided.pk).verdict == "eligible"  # decided with that verdict
    body = client.get(reverse("backoffice:review", args=[decided.pk])).content.decode()
    assert "审核时的判定：符合" in body and 'data-verdict="not_eligible"' in body
    assert ReviewLog.objects.filter(application=decided, details__verdict="eligible").exists()


def test_the_rules_page_is_the_districts(client, year, reviewer_quanzhou, reviewer_province):
    client.force_login(reviewer_quanzhou)
    assert client.get(reverse("backoffice:year_rules", args=[year.pk])).status_code == 403
    client.force_login(reviewer_province)
    body = client.get(reverse("backoffice:year_rules", args=[year.pk])).content.decode()
    assert "资格规则" in body and "S10c" in body and "待核实" in body
    download = client.get(reverse("backoffice:year_rules", args=[year.pk]) + "?download=1")
    assert download["Content-Type"].startswith("text/csv") and "拟申报资格" in download.content.decode("utf-8-sig")


def test_work_rows_overlapping_count_once():
    cutoff = datetime.date(2025, 12, 31)
    rows = [(datetime.date(2020, 1, 1), datetime.date(2022, 12, 1)), (datetime.date(2022, 1, 1), None)]
    assert months_in(rows, cutoff) == 72


def test_facts_are_read_from_the_form(year, tree, candidate):
    application = nurse_application(candidate, year, tree, since=datetime.date(2015, 5, 1))
    WorkRowFactory(application=application, unit_name="社区卫生服务中心", start=datetime.date(2020, 3, 1))
    EducationRowFactory(application=application, kind=EducationRow.Kind.DEGREE, level="学士学位")
    facts = eligibility.facts_of(application)
    assert facts.qualification == "主管护师" and facts.title == "护师"
    assert [e.level for e in facts.educations][-1] == "学士学位"
    assert facts.current_post_start is None  # the form records no date of a change of post (转岗)
    assert Qualification.objects.filter(exam_year=year, name="主管护师").exists()


def test_the_queue_shows_and_filters_by_the_verdict(client, year, tree, reviewer_anxi_hospital):
    from tests.factories import CandidateFactory

    met = nurse_application(CandidateFactory(name="够年限"), year, tree, since=datetime.date(2010, 5, 1))
    short = nurse_application(CandidateFactory(name="差年限"), year, tree,
                              since=datetime.date(year.cutoff_date.year - 1, 5, 1))
    for application, name in ((met, "够年限"), (short, "差年限")):
        Application.objects.filter(pk=application.pk).update(name=name)
        application.refresh_from_db()
        eligibility.refresh(application)
        services.application_submit(actor=application.candidate, application_id=application.pk)
    client.force_login(reviewer_anxi_hospital)
    body = client.get(reverse("backoffice:pending")).content.decode()
    assert "够年限" in body and "差年限" in body and "不符合" in body
    body = client.get(reverse("backoffice:pending"), {"verdict": "not_eligible"}).content.decode()
    assert "差年限" in body and "够年限" not in body


def test_the_verdict_is_an_export_column(year, tree, candidate):
    from prereg.exports.columns import HEADERS, iter_rows
    from prereg.exports.models import ColumnSet

    application = nurse_application(candidate, year, tree, since=datetime.date(2010, 5, 1))
    eligibility.refresh(application)
    queryset = Application.objects.filter(pk=application.pk)
    row = dict(zip(HEADERS[ColumnSet.ELIGIBILITY], next(iter(iter_rows(queryset, ColumnSet.ELIGIBILITY,
                                                                         full_numbers=False))), strict=True))
    assert row["资格初审"] == "符合" and "主管护师需" in row["资格初审说明"]
    full = dict(zip(HEADERS[ColumnSet.FULL], next(iter(iter_rows(queryset, ColumnSet.FULL, full_numbers=False))),
                    strict=True))
    assert full["资格初审"] == "符合"


def test_progress_tracking_counts_the_verdicts(client, year, tree, candidate, reviewer_province):
    application = nurse_application(candidate, year, tree, since=datetime.date(2010, 5, 1))
    eligibility.refresh(application)
    services.application_submit(actor=candidate, application_id=application.pk)
    client.force_login(reviewer_province)
    body = client.get(reverse("backoffice:stats")).content.decode()
    table = body.split("资格初审助手（已提交的）</h2>")[1].split("</table>")[0]  # the heading, not the frame's aria-label
    assert "<th>符合</th><td class=\"num\">1</td><td class=\"num\">1</td>" in table


def test_the_rules_file_guards_a_note_that_would_read_as_a_formula_and_imports_back_as_it_was(
        client, year, reviewer_province):
    rule = EligibilityRule.objects.filter(exam_year=year).first()
    rule.note = "=HYPERLINK(\"http://x\",\"说明\")"
    rule.save()
    table = eligibility_rules_file(year).decode("utf-8-sig")
    assert "'=HYPERLINK" in table
    client.force_login(reviewer_province)
    response = client.post(reverse("backoffice:year_rules", args=[year.pk]),
                           {"file": SimpleUploadedFile("rules.csv", table.encode("utf-8"))})
    assert response.status_code == 302
    assert EligibilityRule.objects.filter(exam_year=year, note=rule.note).count() == 1
