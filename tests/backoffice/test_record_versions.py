"""A page that changes an org, a year, a 考试项目, a dictionary entry or a notice carries the version
it was loaded with; a post from a page loaded before someone else's change is refused with a message
and leaves their change in place, and the page loaded again saves (core.versions.check_version)."""

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from prereg.catalog import services as catalog
from prereg.catalog.models import Announcement, DictEntry, ExamProject
from prereg.core.versions import STALE_MESSAGE
from prereg.orgs import services as orgs
from prereg.orgs.models import Org
from tests.catalog.test_import import GOOD, catalogue_import
from tests.concurrency import at_once
from tests.factories import windows


@pytest.fixture
def district(client, reviewer_province):
    client.force_login(reviewer_province)
    return client


def page_version(client, url) -> str:
    """The version the page at `url` carries in its (first) hidden field, as a browser would post it."""
    found = re.search(r'name="version" value="(-?\d+)"', client.get(url).content.decode())
    assert found, f"{url} carries no version"
    return found.group(1)


@dataclass
class Case:
    """One page that changes a record: where it is, what it posts, what someone else does meanwhile."""

    make: Callable  # (actor, tree, year) -> the record
    page: Callable  # record -> the URL of the page that carries the version
    post: Callable  # record -> (URL posted to, data without the version)
    other: Callable  # (actor, record) -> someone else's change through the service
    mine: Callable  # record (fresh from the database) -> whether my change is in

    def reload(self, record):
        return type(record).objects.filter(pk=record.pk).first()


def _org_data(org, name):
    return {"parent": org.parent_id, "code": org.code, "name": name, "short_name": org.short_name,
            "region_code": org.region_code, "is_unit": "on"}


def _rename_org(actor, org):
    orgs.org_update(actor=actor, org=org, expected_version=Org.objects.get(pk=org.pk).version, name="别人改的名称")


def _project(actor, tree, year):
    return catalog.exam_project_add(actor=actor, exam_year_id=year.pk, code="09", name="高级")


def _notice(actor, tree, year):
    return catalog.announcement_save(actor=actor, title="通知", body="正文", kind="notice", audience="all",
                                     exam_year=year)


def _edit_notice(actor, notice):
    catalog.announcement_save(actor=actor, announcement_id=notice.pk,
                              expected_version=Announcement.objects.get(pk=notice.pk).version,
                              title="别人改的标题", body="正文", kind="notice", audience="all")


CASES = {
    "org edit": Case(
        make=lambda actor, tree, year: tree["35012206"],
        page=lambda org: reverse("backoffice:orgs_edit", args=[org.pk]),
        post=lambda org: (reverse("backoffice:orgs_edit", args=[org.pk]), _org_data(org, "我改的名称")),
        other=_rename_org,
        mine=lambda org: org.name == "我改的名称"),
    "org delete": Case(
        make=lambda actor, tree, year: tree["35012204"],
        page=lambda org: reverse("backoffice:orgs_detail", args=[org.pk]),
        post=lambda org: (reverse("backoffice:orgs_delete", args=[org.pk]), {}),
        other=_rename_org,
        mine=lambda org: org is None),
    "year windows": Case(
        make=lambda actor, tree, year: year,
        page=lambda year: reverse("backoffice:year_detail", args=[year.pk]),
        post=lambda year: (reverse("backoffice:year_detail", args=[year.pk]),
                           {"name": "我改的年度", **{k: v.isoformat() for k, v in windows(year.year).items()}}),
        other=lambda actor, year: catalog.exam_year_update(
            actor=actor, exam_year_id=year.pk, expected_version=type(year).objects.get(pk=year.pk).version,
            name="别人改的年度"),
        mine=lambda year: year.name == "我改的年度"),
    "project windows": Case(
        make=_project,
        page=lambda project: reverse("backoffice:year_project_edit", args=[project.exam_year_id, project.pk]),
        post=lambda project: (reverse("backoffice:year_project_edit", args=[project.exam_year_id, project.pk]),
                              {"name": "我改的项目"}),
        other=lambda actor, project: catalog.exam_project_update(
            actor=actor, project_id=project.pk, expected_version=ExamProject.objects.get(pk=project.pk).version,
            name="别人改的项目"),
        mine=lambda project: project.name == "我改的项目"),
    "dictionary entry": Case(
        make=lambda actor, tree, year: DictEntry.objects.filter(exam_year=year).first(),
        page=lambda entry: reverse("backoffice:year_entry_edit", args=[entry.exam_year_id, "entry", entry.pk]),
        post=lambda entry: (reverse("backoffice:year_entry_edit", args=[entry.exam_year_id, "entry", entry.pk]),
                            {"name": "我改的条目", "code": "", "order": 1, "enabled": "on"}),
        other=lambda actor, entry: catalog.catalogue_entry_update(
            actor=actor, kind="entry", entry_id=entry.pk, name="别人改的条目", code="", order=1, enabled=True,
            expected_version=DictEntry.objects.get(pk=entry.pk).version),
        mine=lambda entry: entry.name == "我改的条目"),
    "notice edit": Case(
        make=_notice,
        page=lambda notice: reverse("backoffice:announcement_edit", args=[notice.pk]),
        post=lambda notice: (reverse("backoffice:announcement_edit", args=[notice.pk]),
                             {"title": "我改的标题", "kind": "notice", "audience": "all", "body": "正文"}),
        other=_edit_notice,
        mine=lambda notice: notice.title == "我改的标题"),
    "notice publish": Case(
        make=_notice,
        page=lambda notice: reverse("backoffice:announcements"),
        post=lambda notice: (reverse("backoffice:announcement_publish", args=[notice.pk]), {"publish": "1"}),
        other=_edit_notice,
        mine=lambda notice: notice.is_published),
}


@pytest.mark.parametrize("name", CASES)
def test_a_page_loaded_before_someone_elses_change_is_refused_and_a_fresh_one_saves(
        name, district, reviewer_province, tree, year):
    case = CASES[name]
    record = case.make(reviewer_province, tree, year)
    version = page_version(district, case.page(record))
    case.other(reviewer_province, record)
    changed_by_other = case.reload(record)
    url, data = case.post(record)

    response = district.post(url, {**data, "version": version}, follow=True)
    assert response.status_code in (200, 400, 409)
    assert STALE_MESSAGE in response.content.decode()
    after = case.reload(record)
    assert after is not None and not case.mine(after)
    assert after.version == changed_by_other.version  # nothing written

    response = district.post(url, {**data, "version": page_version(district, case.page(record))})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert case.mine(case.reload(record))


@pytest.mark.parametrize("name", CASES)
def test_a_post_without_a_version_is_refused(name, district, reviewer_province, tree, year):
    case = CASES[name]
    record = case.make(reviewer_province, tree, year)
    before = case.reload(record)
    url, data = case.post(record)
    district.post(url, {**data, "version": "abc"})
    district.post(url, data)
    after = case.reload(record)
    assert after is not None and not case.mine(after) and after.version == before.version


def test_a_form_shown_again_with_its_errors_keeps_the_version_it_was_loaded_with(district, reviewer_province, year):
    url = reverse("backoffice:year_detail", args=[year.pk])
    version = page_version(district, url)
    CASES["year windows"].other(reviewer_province, year)
    data = {"name": year.name, **{k: v.isoformat() for k, v in windows(year.year).items()}}
    data["national_closes"] = "2000-01-01"  # an error at the field
    response = district.post(url, {**data, "version": version})
    assert response.status_code == 400
    assert f'name="version" value="{version}"' in response.content.decode()


def test_an_import_makes_the_edit_pages_loaded_before_it_stale(district, reviewer_province, year):
    entry = DictEntry.objects.get(exam_year=year, kind="education", name="本科")
    url = reverse("backoffice:year_entry_edit", args=[year.pk, "entry", entry.pk])
    version = page_version(district, url)
    assert catalogue_import(reviewer_province, year, GOOD.replace("学历,本科,,", "学历,本科,B1,").encode()).ok
    district.post(url, {"name": "大学本科", "code": "", "order": 1, "enabled": "on", "version": version})
    entry.refresh_from_db()
    assert (entry.name, entry.code) == ("本科", "B1")


def test_disabling_an_org_makes_its_edit_page_stale(district, reviewer_province, tree):
    org = tree["35012206"]
    version = page_version(district, reverse("backoffice:orgs_edit", args=[org.pk]))
    orgs.org_set_enabled(actor=reviewer_province, org_ids=[org.pk], enabled=False)
    district.post(reverse("backoffice:orgs_edit", args=[org.pk]), {**_org_data(org, "我改的名称"), "version": version})
    org.refresh_from_db()
    assert org.name != "我改的名称" and not org.enabled


@pytest.mark.django_db(transaction=True)
def test_two_edits_of_one_org_from_pages_of_the_same_version_save_one(postgres_only, tree, reviewer_province,
                                                                      reviewer_fuzhou):
    org = tree["35012206"]
    outcomes = at_once(*(lambda who=who, name=name: orgs.org_update(actor=who, org=org, expected_version=0, name=name)
                          for who, name in ((reviewer_province, "省里改的"), (reviewer_fuzhou, "市里改的"))))
    saved = [o for o in outcomes if isinstance(o, Org)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(saved) == 1 and len(refused) == 1, outcomes
    assert refused[0].code == "stale"
    org.refresh_from_db()
    assert org.name == saved[0].name and org.version == 1


@pytest.mark.django_db(transaction=True)
def test_two_edits_of_one_notice_from_pages_of_the_same_version_save_one(postgres_only, reviewer_province):
    notice = _notice(reviewer_province, None, None)
    outcomes = at_once(*(lambda title=title: catalog.announcement_save(
        actor=reviewer_province, announcement_id=notice.pk, expected_version=0, title=title, body="正文",
        kind="notice", audience="all") for title in ("甲", "乙")))
    assert sorted(type(o).__name__ for o in outcomes) == ["Announcement", "ValidationError"], outcomes
    notice.refresh_from_db()
    assert notice.version == 1 and notice.title in ("甲", "乙")


def test_revoking_a_cross_review_assignment_twice_says_it_is_gone(client, tree, year, reviewer_province,
                                                                   reviewer_quanzhou):  # the target's account
    from prereg.orgs.models import CrossReviewAssignment
    from prereg.orgs.stages import Stage

    assignment = orgs.cross_review_assign(actor=reviewer_province, exam_year=year, stage=Stage.SITE_REVIEW,
                                          source_id=tree["350100"].pk, target_id=tree["350500"].pk)
    client.force_login(reviewer_province)
    url = reverse("backoffice:cross_review_revoke", args=[assignment.pk])
    assert "已取消该交叉审核分配" in client.post(url, follow=True).content.decode()
    response = client.post(url, follow=True)
    assert response.status_code == 200 and "已被取消或已由新的分配代替" in response.content.decode()
    assert not CrossReviewAssignment.objects.filter(active=True).exists()


@pytest.mark.django_db(transaction=True)
def test_two_cross_review_assignments_of_one_stage_at_once_leave_one_in_force(postgres_only, tree, year,
                                                                               reviewer_province, reviewer_fuzhou,
                                                                               reviewer_gulou_bureau):
    from prereg.accounts.models import Role
    from prereg.orgs.models import CrossReviewAssignment
    from prereg.orgs.stages import Stage
    from tests.factories import UserFactory

    UserFactory(role=Role.POINT, org=tree["350121"])  # each target has an active reviewer account, as it must

    # The 考区 and 福州 both hand 连江县卫健局's 报名点确认 to another 报名点 at the same moment.
    outcomes = at_once(*(lambda who=who, target=target: orgs.cross_review_assign(
        actor=who, exam_year=year, stage=Stage.POINT_CONFIRM, source_id=tree["350122"].pk, target_id=tree[target].pk)
        for who, target in ((reviewer_province, "350121"), (reviewer_fuzhou, "350102"))))
    assert all(isinstance(o, CrossReviewAssignment) for o in outcomes), outcomes
    assert CrossReviewAssignment.objects.filter(source=tree["350122"], active=True).count() == 1
