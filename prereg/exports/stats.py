"""进度跟踪: counts over a user's scope, from a few aggregate queries (never a row per application).

Two GROUP BY queries over the user's scope (`scope_for`, the lists' selector), both reading only
the covering index application_stats_cover_idx:
  1. by (unit, state, stage, the four chain orgs, level, specialty) with a conditional count of
     the overdue — totals, the stage × state table, the user's own "waiting for me / below me /
     above me", the roll-up to his direct subordinate orgs and the level × specialty table, all
     done in Python over the groups (a few thousand at most). These are the index's leading
     columns, so SQLite aggregates as it scans, without sorting 100,000 rows;
  2. by UTC hour of submission, turned into local days in Python (the chart).
On PostgreSQL both are one scan (GROUPING SETS).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    Func,
    Q,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from prereg.applications.models import STAGE_ORDER, STAGE_ORG_FIELD, Application, Stage, State, Verdict
from prereg.applications.selectors import applications_for
from prereg.catalog.models import ExamLevel, Specialty
from prereg.orgs.models import Org

DEFAULT_OVERDUE_DAYS = 3
OVERDUE_LIST_LIMIT = 50


def overdue_days_default() -> int:
    return getattr(settings, "STATS_OVERDUE_DAYS", DEFAULT_OVERDUE_DAYS)


def _waiting_since():
    # When the application reached its current stage: its last decision, or its submission.
    return Greatest("submitted_at", Coalesce("decided_at", "submitted_at"))


def _overdue(overdue_days, now) -> tuple[int, Q]:
    """(the days, the condition of waiting longer than them). waiting_since < cutoff as plain
    comparisons (no per-row GREATEST/COALESCE): max(s, d) < c exactly when s < c and d, if any, < c."""
    days = overdue_days if overdue_days is not None else overdue_days_default()
    cutoff = now - datetime.timedelta(days=days)
    return days, (Q(state=State.IN_REVIEW) & Q(submitted_at__lt=cutoff)
                  & (Q(decided_at__isnull=True) | Q(decided_at__lt=cutoff)))


def _utc_hour():
    """The UTC hour of submission (a text 'YYYY-MM-DD HH' on SQLite, a datetime on PostgreSQL).

    Grouped by hour, the local day is found in Python for a few hundred groups instead of per row
    in the database (a time-zone conversion per row cost PostgreSQL more than the scan itself;
    Django's TruncDate on SQLite calls back into Python for every row). Exact for every zone whose
    offset is whole hours, daylight saving time included — Asia/Shanghai is +8.
    """
    if connection.vendor == "sqlite":
        return Func(F("submitted_at"), Value(1), Value(13), function="substr", output_field=CharField())
    return Func(F("submitted_at"), template="date_trunc('hour', %(expressions)s)", output_field=DateTimeField())


def _local_date(hour):
    if isinstance(hour, str):
        hour = datetime.datetime.strptime(hour, "%Y-%m-%d %H").replace(tzinfo=datetime.UTC)
    return timezone.localtime(hour).date()


@dataclass
class OrgRow:
    org_id: int | None
    name: str
    total: int = 0
    in_review: int = 0
    returned: int = 0
    approved: int = 0
    draft: int = 0
    overdue: int = 0


@dataclass
class Stats:
    total: int = 0
    by_state: dict = field(default_factory=dict)
    by_stage: dict = field(default_factory=dict)  # stage -> in-review count
    by_verdict: dict = field(default_factory=dict)  # 资格初审 verdict -> submitted count, by stage too
    mine: int = 0
    below: int = 0
    above: int = 0
    overdue: int = 0
    overdue_mine: int = 0
    orgs: list = field(default_factory=list)
    specialties: list = field(default_factory=list)
    days: list = field(default_factory=list)  # [(date, count)]
    funnel: list = field(default_factory=list)  # [(label, count)]
    overdue_days: int = DEFAULT_OVERDUE_DAYS


def scope_for(user, exam_year=None):
    """The applications counted: the back-office lists' selector, narrowed by year only."""
    return applications_for(user, {"year": exam_year.pk} if exam_year is not None else {})


def _subordinate_rows(user, unit_counts):
    """Roll (unit_id -> counts) up to the user's direct child orgs (or the roots for the sysadmin)."""
    parents = [user.org] if user.org_id else list(Org.objects.filter(parent__isnull=True).only("id", "name", "path"))
    children = list(Org.objects.filter(parent__in=parents).only("id", "name", "path"))
    unit_paths = dict(Org.objects.filter(pk__in=[u for u in unit_counts if u]).values_list("pk", "path"))
    by_prefix = sorted(((c.path, OrgRow(c.pk, c.name)) for c in children), key=lambda x: -len(x[0]))
    own = {p.path: OrgRow(p.pk, f"{p.name}（本级直属）") for p in parents}
    other = OrgRow(None, "其他（交叉审核等）")
    for unit_id, counts in unit_counts.items():
        path = unit_paths.get(unit_id, "")
        row = next((r for prefix, r in by_prefix if path.startswith(prefix)), None)
        if row is None:
            row = next((r for prefix, r in own.items() if path.startswith(prefix)), other)
        for key, value in counts.items():
            setattr(row, key, getattr(row, key) + value)
    rows = [r for _prefix, r in sorted(by_prefix, key=lambda x: x[1].name)] + list(own.values()) + [other]
    return [r for r in rows if r.total]


_CHAIN = [STAGE_ORG_FIELD[stage] + "_id" for stage in STAGE_ORDER]
_GROUP_FIELDS = ["unit_id", "state", "stage", *_CHAIN, "level_id", "specialty_id", "verdict"]


def _relation(org_id, stage, chain):
    """Where an in-review application at `stage` with these chain org ids stands for `org_id`:
    "mine" (waiting for it), "below" (waiting at a stage before its own), "above" (it has passed
    the application on) or None."""
    try:
        i = STAGE_ORDER.index(stage)
    except ValueError:
        return None
    if chain[i] == org_id:
        return "mine"
    if org_id in chain[i + 1:]:
        return "below"
    if org_id in chain[:i]:
        return "above"
    return None


def _grouped(queryset, overdue_q):
    """([(*_GROUP_FIELDS, n, overdue)], [(utc_hour, n)]) over the scope.

    SQLite (no grouping sets): two ORM queries, the first aggregated in the covering index's
    order without a sort. PostgreSQL: one scan, GROUP BY GROUPING SETS (the groups, the hour),
    built by hand because the same two ORM queries scan the table twice and cost stats_ms 26-28 %
    more (the 考区 page: 289-315 vs 227-250 ms of CPU, measured alternating at load average 6-9 on
    2 cores, 2026-12-06; about 185-205 vs 147-161 ms on the quiet machine of README's table).
    """
    if connection.vendor != "postgresql":
        groups = (queryset.values(*_GROUP_FIELDS)
                  .annotate(n=Count("*"), overdue=Count("submitted_at", filter=overdue_q))
                  .order_by().values_list(*_GROUP_FIELDS, "n", "overdue"))
        hours = (queryset.filter(submitted_at__isnull=False).annotate(hour=_utc_hour())
                 .values("hour").annotate(n=Count("*")).order_by().values_list("hour", "n"))
        return list(groups), list(hours)
    inner = (queryset.annotate(hour=_utc_hour(), od=ExpressionWrapper(overdue_q, output_field=BooleanField()))
             .order_by().values_list(*_GROUP_FIELDS, "hour", "od"))
    try:
        sql, params = inner.query.sql_with_params()
    except EmptyResultSet:  # a scope that is empty by construction (.none(): no org, the auditor)
        return [], []
    columns = ", ".join(f"c{i}" for i in range(len(_GROUP_FIELDS)))
    # Only Django's compiled SQL (values passed as params) and constant column names go in.
    query = (f"SELECT GROUPING(hour), {columns}, hour, COUNT(*), COUNT(*) FILTER (WHERE od) "  # noqa: S608
             f"FROM ({sql}) AS s ({columns}, hour, od) GROUP BY GROUPING SETS (({columns}), (hour))")
    groups, hours = [], []
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for by_groups, *row in cursor.fetchall():
            if by_groups:
                groups.append((*row[:len(_GROUP_FIELDS)], *row[-2:]))
            elif row[-3] is not None:
                hours.append((row[-3], row[-2]))
    return groups, hours


def compute(user, *, exam_year=None, overdue_days=None, now=None) -> Stats:
    overdue_days, overdue_q = _overdue(overdue_days, now or timezone.now())
    queryset = scope_for(user, exam_year)
    stats = Stats(overdue_days=overdue_days)
    # One pass for everything but the days: grouped by the columns that decide every other
    # figure (the unit for the roll-up, state and stage, the chain for mine/below/above, level and
    # specialty), all leading columns of application_stats_cover_idx, so the scan reads the index
    # only and SQLite groups in index order without sorting (PostgreSQL hashes). COUNT(*) and
    # COUNT(submitted_at) are the only per-row work (never COUNT(id): PostgreSQL's index has no id,
    # reading it would leave the index for the table); the rest is done in Python over the groups
    # (a few thousand at most).
    groups, hours = _grouped(queryset, overdue_q)
    by_state = defaultdict(int)
    by_stage = defaultdict(int)
    unit_counts = defaultdict(lambda: defaultdict(int))
    table = defaultdict(lambda: defaultdict(int))
    org_id = user.org_id
    relations = defaultdict(int)
    verdicts = defaultdict(lambda: defaultdict(int))
    for unit_id, state, stage, *rest in groups:
        chain, (level_id, specialty_id, verdict, n, overdue) = rest[:4], rest[4:]
        by_state[state] += n
        if state != State.DRAFT:  # the 资格初审 assistant's verdicts of the submitted applications
            verdicts[verdict]["total"] += n
        stats.overdue += overdue
        if state == State.IN_REVIEW:
            verdicts[verdict][stage] += n
            by_stage[stage] += n
            if org_id:
                relation = _relation(org_id, stage, chain)
                relations[relation] += n
                if relation == "mine":
                    stats.overdue_mine += overdue
        counts = unit_counts[unit_id]
        counts["total"] += n
        counts["overdue"] += overdue
        counts[state] += n  # OrgRow's counters are named by the State values
        cell = table[(level_id, specialty_id)]
        cell[state] += n
        cell["total"] += n
    stats.total = sum(by_state.values())
    stats.mine, stats.below, stats.above = relations["mine"], relations["below"], relations["above"]
    stats.by_state = {s: by_state.get(s, 0) for s in State.values}
    stats.by_stage = {s: by_stage.get(s, 0) for s in Stage.values}
    stats.orgs = _subordinate_rows(user, unit_counts)
    labels = {"": "未判定", **dict(Verdict.choices)}
    stats.by_verdict = [{"verdict": verdict, "label": labels.get(verdict, verdict), "total": verdicts[verdict]["total"],
                         "stages": [verdicts[verdict][stage] for stage in Stage.values]}
                        for verdict in [*Verdict.values, ""] if verdicts[verdict]["total"]]

    levels = dict(ExamLevel.objects.values_list("pk", "name"))
    specialties = dict(Specialty.objects.values_list("pk", "name"))
    stats.specialties = sorted(
        ({"level": levels.get(level, "未填"), "specialty": specialties.get(spec, "未填"), **counts}
         for (level, spec), counts in table.items()),
        key=lambda r: (r["level"], -r["total"]))

    by_day = defaultdict(int)
    for hour, n in hours:
        by_day[_local_date(hour)] += n
    stats.days = sorted(by_day.items())

    approved = stats.by_state[State.APPROVED]
    at = stats.by_stage
    # The funnel: how many got past each stage (an approved application passed them all).
    stats.funnel = [
        ("已提交", stats.total - stats.by_state[State.DRAFT]),
        ("过单位审查", at[Stage.POINT_CONFIRM] + at[Stage.SITE_REVIEW] + at[Stage.DISTRICT_RECHECK] + approved),
        ("过报名点确认", at[Stage.SITE_REVIEW] + at[Stage.DISTRICT_RECHECK] + approved),
        ("过考点审核", at[Stage.DISTRICT_RECHECK] + approved),
        ("审核通过", approved),
    ]
    return stats


def overdue_list(user, *, exam_year=None, overdue_days=None, now=None, limit=OVERDUE_LIST_LIMIT):
    """The oldest waiting applications in the user's scope (his own first), for the highlight list."""
    now = now or timezone.now()
    # The oldest few by a narrow query first, then only those with their orgs: joining the five
    # orgs onto every overdue row before the top-N sort cost more than the rest of the page.
    overdue = (scope_for(user, exam_year).filter(_overdue(overdue_days, now)[1])
               .annotate(waiting_since=_waiting_since()).order_by("waiting_since", "pk"))
    ids = list(overdue.values_list("pk", flat=True)[:limit])
    queryset = (Application.objects.filter(pk__in=ids).annotate(waiting_since=_waiting_since())
                .select_related("unit", "unit_review_org", "point_org", "site_org", "district_org")
                .order_by("waiting_since", "pk"))
    items = []
    for application in queryset:
        waited = (now - application.waiting_since).days
        items.append({"application": application, "org": application.org_at(application.stage),
                      "days": waited, "mine": bool(user.org_id) and application.org_id_at(application.stage) == user.org_id})
    return items
