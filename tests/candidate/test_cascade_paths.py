"""The 申报信息 cascade offers only what the year's catalogue opens to the choices made so far."""

import pytest
from django.urls import reverse

from prereg.applications.carryover import start_application
from prereg.candidate.forms import DeclarationForm
from prereg.catalog.models import ExamLevel, PracticeCategory, PracticeScope, Qualification, Specialty


def offers(year, **chosen):
    """The querysets of the cascade after the given choices (by pk), as the htmx view builds them."""
    form = DeclarationForm({f"decl-{k}": v for k, v in chosen.items()}, year=year, prefix="decl")
    return form


def test_every_path_of_the_cascade_offers_only_what_the_catalogue_opens(year):
    reached = set()
    levels = list(offers(year).fields["level"].queryset)
    assert [level.name for level in levels] == ["初级(士)", "初级(师)", "中级"]  # no 副高级/正高级 dead end
    for level in levels:
        qualifications = list(offers(year, level=level.pk).fields["qualification"].queryset)
        assert qualifications, level.name
        for qualification in qualifications:
            assert qualification.level == level and qualification.enabled
            path = {"level": level.pk, "qualification": qualification.pk}
            categories = list(offers(year, **path).fields["category"].queryset)
            assert categories, qualification.name
            for category in categories:
                assert qualification in category.qualifications.all()
                form = offers(year, **path, category=category.pk)
                assert form.has_scopes == category.has_scopes
                scopes = list(form.fields["scope"].queryset) if category.has_scopes else [None]
                assert scopes, category.name
                for scope in scopes:
                    choice = {**path, "category": category.pk, **({"scope": scope.pk} if scope else {})}
                    specialties = list(offers(year, **choice).fields["specialty"].queryset)
                    assert specialties, (qualification.name, category.name, scope and scope.name)
                    for specialty in specialties:
                        assert specialty.enabled and specialty.qualification == qualification
                        assert specialty.category == category
                        open_to = set(specialty.scopes.all())
                        assert scope is None or not open_to or scope in open_to, (specialty.name, scope.name)
                        if scope is not None:
                            assert scope.category == category
                        reached.add(specialty.pk)
    # Every specialty one may choose is on some path; retired codes on none.
    assert reached == set(Specialty.objects.filter(exam_year=year, enabled=True).values_list("pk", flat=True))


def test_a_scope_is_offered_only_when_a_specialty_is_open_to_it(year):
    doctor = Qualification.objects.get(exam_year=year, name="主治医师")
    clinical = PracticeCategory.objects.get(exam_year=year, name="临床")
    offered = set(offers(year, level=doctor.level_id, qualification=doctor.pk, category=clinical.pk)
                  .fields["scope"].queryset.values_list("name", flat=True))
    assert {"内科专业", "外科专业", "妇产科专业", "急救医学专业"} <= offered
    assert "特种医学与军事医学专业" not in offered  # no specialty of the catalogue is open to it


def test_physicians_and_nurses_entry_titles_are_no_targets_of_this_exam(year):
    offered = set()
    for level in ExamLevel.objects.filter(exam_year=year):
        offered |= set(offers(year, level=level.pk).fields["qualification"].queryset.values_list("name", flat=True))
    assert "医师" not in offered and "护士" not in offered
    assert {"药士", "中药士", "技士", "药师", "中药师", "护师", "技师", "主治医师", "主管护师", "主管药师",
            "主管中药师", "主管技师"} <= offered


@pytest.fixture
def app(client, year, tree, candidate):
    client.force_login(candidate)
    return start_application(candidate=candidate, exam_year=year)


def specialty_options(body):
    select = body[body.index('name="decl-specialty"'):]
    return select[:select.index("</select>")]


def test_with_the_internal_medicine_scope_the_view_offers_no_surgery_or_obstetrics(client, app, year):
    doctor = Qualification.objects.get(exam_year=year, name="主治医师")
    clinical = PracticeCategory.objects.get(exam_year=year, name="临床")
    internal = PracticeScope.objects.get(exam_year=year, category=clinical, name="内科专业")
    body = client.get(reverse("candidate:cascade"), {
        "decl-level": doctor.level_id, "decl-qualification": doctor.pk, "decl-category": clinical.pk,
        "decl-scope": internal.pk}).content.decode()
    options = specialty_options(body)
    assert "呼吸内科学" in options and "内科学" in options
    assert "普通外科学" not in options and "妇产科学" not in options
    surgery = PracticeScope.objects.get(exam_year=year, category=clinical, name="外科专业")
    body = client.get(reverse("candidate:cascade"), {
        "decl-level": doctor.level_id, "decl-qualification": doctor.pk, "decl-category": clinical.pk,
        "decl-scope": surgery.pk}).content.decode()
    options = specialty_options(body)
    assert "普通外科学" in options and "呼吸内科学" not in options


def test_a_specialty_outside_the_chosen_scope_is_refused(client, app, year):
    doctor = Qualification.objects.get(exam_year=year, name="主治医师")
    clinical = PracticeCategory.objects.get(exam_year=year, name="临床")
    internal = PracticeScope.objects.get(exam_year=year, category=clinical, name="内科专业")
    surgery = Specialty.objects.get(exam_year=year, code="317")
    form = offers(year, level=doctor.level_id, qualification=doctor.pk, category=clinical.pk, scope=internal.pk,
                  specialty=surgery.pk)
    assert not form.is_valid() and "specialty" in form.errors


def test_a_retired_code_is_not_offered_but_stays_on_an_old_application(client, app, year):
    retired = Specialty.objects.get(exam_year=year, code="311")  # 结核病学, merged into 传染病学 from 2024年度
    assert not retired.enabled and retired.verified
    app.level, app.qualification, app.category, app.specialty = (
        retired.qualification.level, retired.qualification, retired.category, retired)
    app.save()
    app.refresh_from_db()
    assert app.specialty.name == "结核病学"
    doctor, clinical = retired.qualification, retired.category
    internal = PracticeScope.objects.get(exam_year=year, category=clinical, name="内科专业")
    options = offers(year, level=doctor.level_id, qualification=doctor.pk, category=clinical.pk,
                     scope=internal.pk).fields["specialty"].queryset
    assert retired not in options and options.filter(code="312").exists()
