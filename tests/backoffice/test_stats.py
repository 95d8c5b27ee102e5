import datetime

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from prereg.applications.models import STAGE_ORDER, STAGE_ORG_FIELD, Stage, State
from prereg.exports import stats
from tests.factories import make_application

ANXI = "35052401"  # 安溪县医院 → 安溪县医院 → 安溪县卫健局 → 泉州市卫健委 → 省卫健委


@pytest.fixture
def known(tree, year, reviewer_anxi_hospital):
    """15 applications in the 泉州 chain with known states, and 2 in 福州."""
    for stage, count in [(Stage.UNIT_REVIEW, 2), (Stage.POINT_CONFIRM, 3), (Stage.SITE_REVIEW, 3),
                         (Stage.DISTRICT_RECHECK, 1)]:
        for _ in range(count):
            make_application(tree, year, ANXI, State.IN_REVIEW, stage)
    make_application(tree, year, ANXI, State.IN_REVIEW, Stage.SITE_REVIEW, days_ago=5)  # overdue at the 考点
    for _ in range(2):
        make_application(tree, year, ANXI, State.RETURNED)
    for _ in range(3):
        make_application(tree, year, ANXI, State.APPROVED)
    for _ in range(2):
        make_application(tree, year, "35010201", State.IN_REVIEW, Stage.SITE_REVIEW)
    make_application(tree, year, ANXI, State.DRAFT)  # never submitted: in nobody's scope
    return year


def test_the_site_sees_its_counts_by_stage_and_state(known, reviewer_quanzhou):
    s = stats.compute(reviewer_quanzhou, exam_year=known, overdue_days=3)
    assert s.total == 15
    assert (s.mine, s.below, s.above) == (4, 5, 1)
    assert s.by_state[State.RETURNED] == 2 and s.by_state[State.APPROVED] == 3
    assert s.by_stage == {"unit": 2, "point": 3, "site": 4, "district": 1}
    assert (s.overdue, s.overdue_mine) == (1, 1)
    assert [(r.name, r.total, r.in_review, r.returned, r.approved, r.overdue) for r in s.orgs] == [
        ("安溪县卫生健康局", 15, 10, 2, 3, 1)]
    assert s.funnel == [("已提交", 15), ("过单位审查", 11), ("过报名点确认", 8), ("过考点审核", 4), ("审核通过", 3)]


def test_the_unit_and_the_district_see_their_own_view(known, reviewer_anxi_hospital, reviewer_province):
    unit = stats.compute(reviewer_anxi_hospital, exam_year=known)
    assert (unit.total, unit.mine, unit.below, unit.above) == (15, 2, 0, 8)
    district = stats.compute(reviewer_province, exam_year=known, overdue_days=3)
    assert district.total == 17
    assert (district.mine, district.below) == (1, 11)
    assert {r.name: r.total for r in district.orgs} == {"泉州市卫生健康委员会": 15, "福州市卫生健康委员会": 2}


def test_submissions_are_counted_per_local_day(known, reviewer_quanzhou):
    s = stats.compute(reviewer_quanzhou, exam_year=known)
    today = timezone.localdate()
    assert dict(s.days) == {today - datetime.timedelta(days=5): 1, today: 14}


def test_levels_and_specialties_are_counted(tree, known, reviewer_quanzhou):
    from prereg.catalog.models import Specialty

    specialty = Specialty.objects.filter(exam_year=known).select_related("qualification__level").first()
    make_application(tree, known, ANXI, State.APPROVED, level=specialty.qualification.level, specialty=specialty)
    rows = stats.compute(reviewer_quanzhou, exam_year=known).specialties
    row = next(r for r in rows if r["specialty"] == specialty.name)
    assert (row["level"], row["total"], row["approved"]) == (specialty.qualification.level.name, 1, 1)


def test_the_overdue_list_puts_the_oldest_first_and_marks_my_own(known, reviewer_quanzhou):
    items = stats.overdue_list(reviewer_quanzhou, exam_year=known, overdue_days=3)
    assert len(items) == 1 and items[0]["mine"] and items[0]["days"] == 5


def test_the_stats_page_draws_charts_without_style_or_script(client, known, reviewer_quanzhou):
    client.force_login(reviewer_quanzhou)
    response = client.get(reverse("backoffice:stats") + "?days=3")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<svg") == 2 and 'fill="#2f6db5"' in html
    assert "style=" not in html and "<script>" not in html
    assert 'class="overdue mine"' in html
    assert "安溪县卫生健康局" in html


def test_the_stats_page_only_counts_the_users_scope(client, known, reviewer_fuzhou):
    client.force_login(reviewer_fuzhou)
    response = client.get(reverse("backoffice:stats"))
    assert response.context["s"].total == 2


def test_the_stats_page_refuses_a_post(client, reviewer_quanzhou):
    client.force_login(reviewer_quanzhou)
    assert client.post(reverse("backoffice:stats")).status_code == 405


@pytest.mark.parametrize("who", ["candidate", "auditor"])
def test_the_stats_page_is_for_reviewers(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("backoffice:stats")).status_code == 403


def _stage_conditions(org_id):
    """Q objects: in review and waiting at my stage / at a stage before mine / after mine (the
    reference for compute(), which classifies its groups in Python with stats._relation)."""
    mine, below, above = Q(), Q(), Q()
    for i, stage in enumerate(STAGE_ORDER):
        mine |= Q(stage=stage, **{STAGE_ORG_FIELD[stage] + "_id": org_id})
        later = Q()
        for after in STAGE_ORDER[i + 1:]:
            later |= Q(**{STAGE_ORG_FIELD[after] + "_id": org_id})
        earlier = Q()
        for before in STAGE_ORDER[:i]:
            earlier |= Q(**{STAGE_ORG_FIELD[before] + "_id": org_id})
        if later:
            below |= Q(stage=stage) & later
        if earlier:
            above |= Q(stage=stage) & earlier
    in_review = Q(state=State.IN_REVIEW)
    return in_review & mine, in_review & below & ~mine, in_review & above & ~mine & ~below


def _reference(user, year, cutoff):
    """The figures counted row by row in Python (and mine/below/above by _stage_conditions in
    SQL), independently of compute()'s grouping."""
    from collections import Counter

    scope = stats.scope_for(user, year)
    apps = list(scope)

    def overdue(a):
        return (a.state == State.IN_REVIEW and a.submitted_at < cutoff
                and (a.decided_at is None or a.decided_at < cutoff))

    figures = {
        "total": len(apps),
        "by_state": {s: sum(a.state == s for a in apps) for s in State.values},
        "by_stage": {s: sum(a.state == State.IN_REVIEW and a.stage == s for a in apps) for s in Stage.values},
        "overdue": sum(map(overdue, apps)),
        "days": sorted(Counter(timezone.localtime(a.submitted_at).date() for a in apps).items()),
        "specialties": Counter((a.level_id, a.specialty_id, a.state) for a in apps),
    }
    if user.org_id:
        mine_q, below_q, above_q = _stage_conditions(user.org_id)
        figures.update(mine=scope.filter(mine_q).count(), below=scope.filter(below_q).count(),
                       above=scope.filter(above_q).count())
        figures["overdue_mine"] = sum(
            overdue(a) and a.stage in STAGE_ORDER and getattr(a, STAGE_ORG_FIELD[a.stage] + "_id") == user.org_id
            for a in apps)
    return figures


@pytest.mark.parametrize("who", ["reviewer_province", "reviewer_quanzhou", "reviewer_fuzhou",
                                 "reviewer_anxi_bureau", "reviewer_anxi_hospital"])
def test_the_grouped_figures_match_a_row_by_row_count(request, tree, known, who):
    """compute() groups by (unit, state, stage, chain, level, specialty) and classifies the groups in
    Python; on a mix with cross-review chains, decisions and submissions either side of local
    midnight its every figure equals counting the applications one by one."""
    from prereg.catalog.models import Specialty

    user = request.getfixturevalue(who)
    now = timezone.now()
    specialty = Specialty.objects.filter(exam_year=known).select_related("qualification__level").first()
    quanzhou, fuzhou = tree["350500"], tree["350100"]
    # Cross review: a 福州 application checked by the 泉州 考点, and one of 安溪's checked by 福州.
    for unit, stage, site, days_ago in (("35010201", Stage.SITE_REVIEW, quanzhou, 0),
                                        (ANXI, Stage.DISTRICT_RECHECK, fuzhou, 9)):
        app = make_application(tree, known, unit, State.IN_REVIEW, stage, days_ago=days_ago)
        app.site_org = site
        app.save(update_fields=["site_org"])
    # Waiting since a recent decision: submitted long ago, not overdue; and one decided long ago.
    make_application(tree, known, ANXI, State.IN_REVIEW, Stage.POINT_CONFIRM, days_ago=10,
                     decided_at=now - datetime.timedelta(days=1))
    make_application(tree, known, ANXI, State.IN_REVIEW, Stage.SITE_REVIEW, days_ago=10,
                     decided_at=now - datetime.timedelta(days=6), level=specialty.qualification.level,
                     specialty=specialty)
    # 23:30 and 00:30 local time (UTC+8): 15:30 and 16:30 UTC of the same UTC day, two local days.
    late = timezone.localtime(now - datetime.timedelta(days=2)).replace(hour=23, minute=30)
    for when in (late, late + datetime.timedelta(hours=1)):
        app = make_application(tree, known, ANXI, State.APPROVED)
        app.submitted_at = when
        app.save(update_fields=["submitted_at"])
    make_application(tree, known, ANXI, State.RETURNED, rounds=2)

    s = stats.compute(user, exam_year=known, overdue_days=3, now=now)
    expected = _reference(user, known, now - datetime.timedelta(days=3))
    assert s.total == expected["total"] and s.total > 0
    assert s.by_state == expected["by_state"] and s.by_stage == expected["by_stage"]
    assert s.overdue == expected["overdue"]
    assert s.days == expected["days"]
    assert sum(r.total for r in s.orgs) == s.total
    levels = {row["level"] for row in s.specialties}
    assert sum(row["total"] for row in s.specialties) == s.total and levels
    assert sum(expected["specialties"].values()) == s.total
    if user.org_id:
        assert (s.mine, s.below, s.above, s.overdue_mine) == (
            expected["mine"], expected["below"], expected["above"], expected["overdue_mine"])


def test_a_submission_after_local_midnight_counts_on_the_next_day(tree, year, reviewer_quanzhou):
    """16:30 UTC is 00:30 the next day in Asia/Shanghai: the day chart follows the local calendar."""
    utc = datetime.UTC
    for when in (datetime.datetime(2026, 3, 1, 15, 30, tzinfo=utc), datetime.datetime(2026, 3, 1, 16, 30, tzinfo=utc),
                 datetime.datetime(2026, 3, 1, 17, 0, tzinfo=utc)):
        app = make_application(tree, year, ANXI, State.APPROVED)
        app.submitted_at = when
        app.save(update_fields=["submitted_at"])
    days = dict(stats.compute(reviewer_quanzhou, exam_year=year).days)
    assert days == {datetime.date(2026, 3, 1): 1, datetime.date(2026, 3, 2): 2}


def test_the_dashboard_opens_on_the_years_progress_over_the_users_scope(client, known, reviewer_quanzhou):
    client.force_login(reviewer_quanzhou)
    response = client.get(reverse("backoffice:dashboard"))
    assert response.status_code == 200
    progress = response.context["progress"]
    assert (progress.total, progress.below, progress.overdue, progress.overdue_mine) == (15, 5, 1, 1)
    html = response.content.decode()
    assert f"{known.name}进度" in html and reverse("backoffice:stats") in html
    assert "其中超期 1" in html and reverse("backoffice:pending") in html
    assert 'class="card stat overdue"' in html


def test_the_dashboard_has_no_progress_for_whom_may_not_track_it(client, auditor):
    client.force_login(auditor)
    response = client.get(reverse("backoffice:dashboard"))
    assert response.status_code == 200 and response.context["progress"] is None
    assert "进度跟踪 »" not in response.content.decode()


@pytest.mark.parametrize("user", ["sysadmin", "auditor"])
def test_a_user_who_sees_no_application_gets_empty_figures_not_an_error(client, known, request, user):
    # Their scope is empty by construction (.none()): PostgreSQL's GROUPING SETS query compiled it
    # to nothing and raised, a server error on the sysadmin's 工作台 and 进度跟踪.
    figures = stats.compute(request.getfixturevalue(user), exam_year=known)
    assert figures.total == 0


def test_the_stage_figure_is_not_named_as_the_queues_count(client, reviewer_province):
    # The management probe: 工作台's 待我审核 (the queue: undecided only) said 1, 进度跟踪's said 2 (it counts
    # an approval awaiting 汇总提交 too): the two figures are named apart.
    client.force_login(reviewer_province)
    html = client.get(reverse("backoffice:stats")).content.decode()
    assert "在本机构环节" in html and "待汇总提交" in html and "待我审核" not in html


def test_the_dashboard_shows_what_went_on_to_a_higher_level(client, known, reviewer_quanzhou):
    """The cards left 已转上级 out, so the scope's figures did not add up (reviewer probe)."""
    client.force_login(reviewer_quanzhou)
    response = client.get(reverse("backoffice:dashboard"))
    html = " ".join(response.content.decode().split())
    above = response.context["progress"].above
    assert f'<div class="stat-label">已转上级</div><div class="stat-value">{above}</div>' in html
