"""The candidate chooses the 考试项目 first (issue 17.7): the levels, windows and deadlines are the project's."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from prereg.applications.carryover import start_application
from prereg.applications.completeness import missing
from prereg.applications.models import Application, State
from prereg.audit.models import AuditEvent
from prereg.candidate.forms import PROJECT_FIXED_HELP
from prereg.catalog.models import ExamLevel, ExamProject, ExamYear, Qualification, Specialty
from prereg.demo.years import seed_senior_project
from tests.factories import complete_application


@pytest.fixture
def projects(year):
    """初中级 and 高级 in one year, as the demo has them: the shipped levels are 初中级's."""
    junior = ExamProject.objects.create(exam_year=year, code="CZJ", name="初中级卫生专业技术资格考试")
    seed_senior_project(year)
    return junior, ExamProject.objects.get(exam_year=year, code="GJ")


def declaration(application, specialty, project, **extra):
    """The 申报信息 section as the form posts it, choosing `specialty` under `project`."""
    scope = specialty.category.scopes.first() if specialty.category.has_scopes else None
    return {"version": application.version, "decl-project": project.pk,
            "decl-level": specialty.qualification.level_id, "decl-qualification": specialty.qualification_id,
            "decl-category": specialty.category_id, "decl-scope": scope.pk if scope else "",
            "decl-specialty": specialty.pk, "decl-practice_change": "", "decl-current_qualification": "",
            "decl-current_qualification_date": "", **extra}


def save(client, data):
    return client.post(reverse("candidate:section", args=["declaration"]), data,
                       HTTP_HX_REQUEST="true").content.decode()


def junior_specialty(year):
    return Specialty.objects.select_related("qualification", "category").get(exam_year=year, name="呼吸内科学")


def senior_specialty(year):
    return Specialty.objects.select_related("qualification", "category").get(
        exam_year=year, name="呼吸内科", qualification__name="副主任医师")


def options(body, name):
    """The option labels of one select of a rendered page."""
    select = body.split(f'name="{name}"')[1].split("</select>")[0]
    return [part.split(">", 1)[1].split("<")[0] for part in select.split("<option")[1:]]


def test_a_year_of_two_projects_asks_for_the_project_before_the_level(client, year, tree, candidate, projects):
    client.force_login(candidate)
    body = client.get(reverse("candidate:form")).content.decode()
    application = Application.objects.get(candidate=candidate)
    assert application.project is None  # not the year's first project any more: he chooses
    assert options(body, "decl-project") == ["请选择", "初中级卫生专业技术资格考试", "高级卫生专业技术资格考试"]
    assert options(body, "decl-level") == ["请先选择考试项目"]
    assert "申报信息：请选择“考试项目”。" in missing(application)


def test_the_levels_offered_follow_the_project(client, year, tree, candidate, projects):
    junior, senior = projects
    client.force_login(candidate)
    start_application(candidate=candidate, exam_year=year)
    body = client.get(reverse("candidate:cascade"), {"decl-project": junior.pk}).content.decode()
    assert options(body, "decl-level") == ["请选择", "初级(士)", "初级(师)", "中级"]
    body = client.get(reverse("candidate:cascade"), {"decl-project": senior.pk}).content.decode()
    assert options(body, "decl-level") == ["请选择", "副高级", "正高级"]
    deputy = ExamLevel.objects.get(exam_year=year, name="副高级")
    body = client.get(reverse("candidate:cascade"), {"decl-project": senior.pk, "decl-level": deputy.pk}).content.decode()
    assert options(body, "decl-qualification") == ["请选择", "副主任医师", "副主任护师"]


def test_choosing_the_project_saves_it_with_the_declaration_through_the_section_save(
        client, year, tree, candidate, projects):
    junior, senior = projects
    client.force_login(candidate)
    application = start_application(candidate=candidate, exam_year=year)
    body = save(client, declaration(application, senior_specialty(year), senior))
    assert "已保存" in body
    application.refresh_from_db()
    assert (application.project, application.level.name, application.qualification.name) == (
        senior, "副高级", "副主任医师")
    event = AuditEvent.objects.filter(event="application.section_save").latest("pk")
    assert "project" in event.details["changed"]


def test_a_level_of_the_old_project_is_refused_at_the_field_when_the_project_changes(
        client, year, tree, candidate, projects):
    junior, senior = projects
    client.force_login(candidate)
    application = start_application(candidate=candidate, exam_year=year)
    specialty = junior_specialty(year)
    assert "已保存" in save(client, declaration(application, specialty, junior))
    application.refresh_from_db()
    # The project changed, the rest of the page still holds 初中级's choices.
    body = save(client, declaration(application, specialty, senior))
    level_field = body.split('name="decl-level"')[1].split('<div class="field')[0]
    assert "该报考级别不属于所选考试项目，请重新选择。" in level_field
    application.refresh_from_db()
    assert application.project == junior and application.specialty == specialty  # nothing half-saved
    # The cascade redrawn for the new project clears the old choices below it.
    cascade = client.get(reverse("candidate:cascade"), {
        "decl-project": senior.pk, "decl-level": specialty.qualification.level_id,
        "decl-qualification": specialty.qualification_id, "decl-category": specialty.category_id}).content.decode()
    assert "selected" not in cascade.split('name="decl-level"')[1].split("</select>")[0]
    assert options(cascade, "decl-qualification") == ["请选择"]
    assert options(cascade, "decl-specialty") == ["请选择"]


def test_a_stale_page_cannot_change_the_project(client, year, tree, candidate, projects):
    junior, senior = projects
    client.force_login(candidate)
    application = start_application(candidate=candidate, exam_year=year)
    data = declaration(application, junior_specialty(year), junior)
    Application.objects.filter(pk=application.pk).update(version=application.version + 1)  # submitted in another tab
    body = save(client, data)
    assert "请刷新页面" in body
    application.refresh_from_db()
    assert application.project is None


def test_the_project_of_a_submitted_application_is_fixed(client, year, tree, candidate, projects):
    junior, senior = projects
    client.force_login(candidate)
    application = start_application(candidate=candidate, exam_year=year)
    specialty = junior_specialty(year)
    assert "已保存" in save(client, declaration(application, specialty, junior))
    # Submitted once and returned: he may edit his form again, not change the project.
    Application.objects.filter(pk=application.pk).update(state=State.RETURNED, submission_round=1)
    application.refresh_from_db()
    body = save(client, declaration(application, specialty, senior))
    assert "已保存" in body and PROJECT_FIXED_HELP in body
    application.refresh_from_db()
    assert application.project == junior


def test_the_windows_of_the_chosen_project_govern_submit(client, year, tree, candidate, projects):
    junior, senior = projects
    today = timezone.localdate()
    ExamYear.objects.filter(pk=year.pk).update(form_opens=today - datetime.timedelta(days=3),
                                               form_closes=today + datetime.timedelta(days=10))
    senior.form_opens, senior.form_closes = today - datetime.timedelta(days=30), today - datetime.timedelta(days=1)
    senior.save()
    application = complete_application(candidate, year, tree)
    Application.objects.filter(pk=application.pk).update(project=senior)
    client.force_login(candidate)
    response = client.post(reverse("candidate:submit"), {"version": application.version}, follow=True)
    assert "高级卫生专业技术资格考试省网填报时间为" in response.content.decode()
    application.refresh_from_db()
    assert application.state == State.DRAFT
    Application.objects.filter(pk=application.pk).update(project=junior)
    client.post(reverse("candidate:submit"), {"version": application.version})
    application.refresh_from_db()
    assert application.state == State.IN_REVIEW


def test_a_draft_of_a_two_project_year_without_a_project_cannot_submit(client, year, tree, candidate, projects):
    today = timezone.localdate()
    ExamYear.objects.filter(pk=year.pk).update(form_opens=today - datetime.timedelta(days=3),
                                               form_closes=today + datetime.timedelta(days=10))
    application = complete_application(candidate, year, tree)
    assert application.project is None
    client.force_login(candidate)
    response = client.post(reverse("candidate:submit"), {"version": application.version}, follow=True)
    assert "请选择“考试项目”" in response.content.decode()
    application.refresh_from_db()
    assert application.state == State.DRAFT


def test_a_year_of_one_project_gives_it_without_asking(client, year, tree, candidate):
    only = ExamProject.objects.create(exam_year=year, code="CZJ", name="初中级卫生专业技术资格考试")
    client.force_login(candidate)
    body = client.get(reverse("candidate:form")).content.decode()
    application = Application.objects.get(candidate=candidate)
    assert application.project == only
    assert 'name="decl-project"' not in body
    assert options(body, "decl-level") == ["请选择", "初级(士)", "初级(师)", "中级"]
    data = declaration(application, junior_specialty(year), only)
    del data["decl-project"]
    assert "已保存" in save(client, data)
    application.refresh_from_db()
    assert application.project == only and application.specialty.name == "呼吸内科学"


def test_opening_a_new_year_keeps_each_level_with_its_project(year, projects, reviewer_province):
    from prereg.catalog.services import exam_year_open
    from tests.catalog.test_year_open import end_year

    ExamYear.objects.filter(pk=year.pk).update(is_current=True)
    end_year(year)  # a new year follows one whose dates are past
    new = exam_year_open(actor=reviewer_province, year=year.year + 1, form_opens=datetime.date(year.year, 12, 16),
                         form_closes=datetime.date(year.year + 1, 1, 13), national_opens=datetime.date(year.year, 12, 24),
                         national_closes=datetime.date(year.year + 1, 1, 13),
                         confirm_deadline=datetime.date(year.year + 1, 1, 16),
                         cutoff_date=datetime.date(year.year, 12, 31))
    tied = dict(ExamLevel.objects.filter(exam_year=new).values_list("name", "project__code"))
    assert tied["中级"] == "CZJ" and tied["副高级"] == "GJ" and tied["正高级"] == "GJ"
    assert Qualification.objects.filter(exam_year=new, name="副主任医师").exists()


def test_the_home_page_names_the_chosen_project_or_asks_for_one(client, year, tree, candidate, projects):
    junior, senior = projects
    client.force_login(candidate)
    application = start_application(candidate=candidate, exam_year=year)
    assert "尚未选择考试项目" in client.get(reverse("candidate:home")).content.decode()
    Application.objects.filter(pk=application.pk).update(project=senior)
    assert "考试项目：高级卫生专业技术资格考试" in client.get(reverse("candidate:home")).content.decode()


def test_the_section_save_service_refuses_to_change_the_project_of_an_application_once_submitted(
        year, tree, candidate, projects):
    from django.core.exceptions import ValidationError

    from prereg.applications.services import application_section_save
    from prereg.candidate.forms import DeclarationForm

    junior, senior = projects
    application = start_application(candidate=candidate, exam_year=year)
    Application.objects.filter(pk=application.pk).update(project=junior)
    application.refresh_from_db()
    # A page loaded before the first submission posts another project after it (and a return).
    data = declaration(application, senior_specialty(year), senior)
    form = DeclarationForm({k: v for k, v in data.items() if k != "version"}, instance=application, year=year,
                           prefix="decl")
    assert form.is_valid(), form.errors
    Application.objects.filter(pk=application.pk).update(state=State.RETURNED, submission_round=1)
    with pytest.raises(ValidationError, match="考试项目不能更改"):
        application_section_save(actor=candidate, application_id=application.pk, section="declaration", form=form)
    application.refresh_from_db()
    assert application.project == junior and application.level is None
