"""Reading applications: one filter for every back-office list, and fetch-and-authorize.

`applications_for(user, filters)` is what 待审信息, 已审信息, 考生信息导出 and 进度跟踪 read: the
applications the user may see, narrowed by one set of parameters with one meaning each:

    waiting         only those waiting for a decision of the user's org (待审信息)
    decided         only those the user's org has decided at least once (已审信息)
    year, project, level, specialty, state, stage, verdict
                    equal to that id (or state/stage/资格初审 verdict value)
    unit            an org id: applications of that unit or of any unit below it (单位（含下级）)
    submitted_from, submitted_to
                    local calendar days of submission, both included, within the days a filter
                    may name (core.forms.FilterDateField: at Python's ends of time the day's
                    bounds overflow)
    q               the search box (姓名/证件号/报名号): the name contains it, or the ID number
                    is exactly it (a final x matches X), or the 报名号 is exactly it
    ids             only these application ids (a selection carried into an export), each within
                    a key's range (core.validators.is_id)
    sort            the list's order: a key of SORTS, "-key" descending (without it the rows come
                    in no order a list shows: an export then reads them by id)

Filters are plain JSON values (ids, strings, ISO dates), as ApplicationFilterForm.as_json gives
them and an ExportJob stores them, so a list and the export of that list read the same rows. That
form is where every parameter is checked, for a list and for the export that queues a job alike:
what reaches this function is taken as valid.
The result never reaches beyond `Application.objects.visible_to(user)`.

`candidates_visible_to(user)` is the other side of the same chain: the candidate accounts a
reviewer manages (考生信息管理) through their applications.
"""

import datetime
from collections import Counter

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from prereg.accounts.models import Role, User
from prereg.core.validators import searched_name
from prereg.orgs.models import Org

from . import services
from .models import STAGE_ORDER, STAGE_ORG_FIELD, Application, ApplicationImage, ReviewLog, State, chain_names
from .workflow import DECISIONS

# The orders a list is shown in (and its export written in, 导出本列表): key → (column, label).
SORTS = {"submitted": ("submitted_at", "提交时间"), "name": ("name", "姓名"), "specialty": ("specialty__name", "申报专业"),
         "unit": ("unit__name", "单位"), "number": ("number", "报名号"), "decided": ("decided_at", "办理时间")}
SORT_CHOICES = [(key, label) for key, (_column, label) in SORTS.items()] + [
    (f"-{key}", f"{label}（倒序）") for key, (_column, label) in SORTS.items()]


def _ordered(queryset, sort: str):
    """The queryset in the order `sort` names, ties by id in the same direction."""
    descending = sort.startswith("-")
    column = SORTS[sort.lstrip("-")][0]
    return queryset.order_by(*(f"-{name}" if descending else name for name in (column, "pk")))


# Parameters that ask for equality with one column.
EQUALS = {"year": "exam_year_id", "project": "project_id", "level": "level_id", "specialty": "specialty_id",
          "state": "state", "stage": "stage", "verdict": "verdict"}


def applications_for(user, filters: dict | None = None):
    """The applications `user` may see, narrowed by `filters` (see the module's docstring)."""
    filters = filters or {}
    if not filters.get("waiting"):
        queryset = Application.objects.visible_to(user)
    elif user.is_active and user.is_reviewer and user.org_id:
        # The org an application waits for is one of its chain's four, so the queue lies inside
        # visible_to; alone it stays one range of the (waiting_org, …) indexes, counted from the
        # index without reading rows (the chain's OR would read every waiting row: bench key
        # queue_page_ratio).
        queryset = Application.objects.pending_for(user.org_id)
    else:
        queryset = Application.objects.none()
    if filters.get("decided"):
        decided = ReviewLog.objects.filter(org=user.org_id, action__in=DECISIONS).values("application_id")
        queryset = queryset.filter(pk__in=decided) if user.org_id else queryset.none()
    for name, column in EQUALS.items():
        if filters.get(name):
            queryset = queryset.filter(**{column: filters[name]})
    if filters.get("unit"):
        path = Org.objects.filter(pk=filters["unit"]).values_list("path", flat=True).first()
        # The units first (a small table), then the rows of those units: in the queue through
        # its (waiting_org, unit) index, instead of joining every waiting row to its unit.
        queryset = queryset.filter(unit__in=Org.objects.filter(path__startswith=path)) if path else queryset.none()
    # Day bounds as a range on submitted_at (not submitted_at__date), so an index serves them.
    if filters.get("submitted_from"):
        queryset = queryset.filter(submitted_at__gte=_day_start(filters["submitted_from"]))
    if filters.get("submitted_to"):
        queryset = queryset.filter(submitted_at__lt=_day_start(filters["submitted_to"], days=1))
    if q := str(filters.get("q") or "").strip():
        queryset = queryset.filter(pk__in=_search(queryset, q))
    if filters.get("ids"):
        queryset = queryset.filter(pk__in=filters["ids"])
    if filters.get("sort"):
        queryset = _ordered(queryset, filters["sort"])
    return queryset


def _day_start(day: str, days: int = 0):
    date = datetime.date.fromisoformat(day) + datetime.timedelta(days=days)
    return datetime.datetime.combine(date, datetime.time(), timezone.get_current_timezone())


def _search(queryset, q):
    """The ids of `queryset`'s rows whose name contains `q`, or whose ID number or 报名号 is `q`.

    A UNION of the name's part and two index lookups: written as one OR, the planner reads every
    row of the range. The name's part asks for the matching names first, then the rows of those
    names: both read the queue's (waiting_org, name) index alone, where asking for ids at once
    read every waiting row from PostgreSQL's table (its index holds no id; bench key
    queue_page_ratio, the search pages).

    The name's part is read as a name is stored (core.validators.searched_name); the ID number and
    the 报名号 are looked up as typed.
    """
    names = queryset.order_by().filter(name__contains=searched_name(q)).values("name")
    return queryset.order_by().filter(name__in=names).values("pk").union(
        Application.objects.filter(id_number=q.upper()).values("pk"),
        Application.objects.filter(number=q).values("pk"), all=True)


def get_application_for(user, pk, *, for_decision: bool = False) -> Application:
    """Fetch-and-authorize for a back-office view: the application if `user` may see it, else 404;
    `for_decision`: and only if it waits for his decision now, else 403."""
    application = (Application.objects.visible_to(user).filter(pk=pk).select_related(
        "exam_year", "unit", "specialty", "level", "qualification", "category", "scope", "ethnicity", "project",
        "unit_review_org", "point_org", "site_org", "district_org").first())
    if application is None:
        raise Http404("报名信息不存在或不在您的审核范围内。")
    if for_decision and not services.can_decide(user, application):
        raise PermissionDenied("只有当前审核环节的机构可以办理该报名信息。")
    return application


def get_image_for(user, pk) -> ApplicationImage:
    """Fetch-and-authorize one certificate image: an image of an application `user` may see, else 404."""
    image = ApplicationImage.objects.filter(application__in=Application.objects.visible_to(user), pk=pk).first()
    if image is None:
        raise Http404("图片不存在或不在您的审核范围内。")
    return image


def candidates_visible_to(user):
    """Candidates a reviewer may manage (考生信息管理): those whose application of the current
    exam year names an org of his subtree in its chain, or chose a unit of it (a draft has
    no chain yet). An application of another year, or none this year, gives no hold over
    the account (issue 16: a unit could reset anyone who ever chose it). The sysadmin runs
    every account. Deny by default."""
    if not user.is_authenticated or not user.is_active:
        return User.objects.none()
    candidates = User.objects.filter(role=Role.CANDIDATE)
    if user.role == Role.SYSADMIN:
        return candidates
    if user.role in Role.reviewer_roles() and user.org_id:
        subtree = Org.objects.subtree_of(user.org)
        # Each condition holds for the same application (of the current year).
        this_year = Application.objects.filter(
            Q(unit__in=subtree) | chain_names(subtree, "in"), exam_year__is_current=True)
        return candidates.filter(pk__in=this_year.values("candidate"))
    return User.objects.none()


def waiting_counts(org_ids) -> dict[int, int]:
    """How many applications wait for each of these orgs' decision (待审): an org disabled with any
    would leave them to no one."""
    return dict(Application.objects.filter(waiting_org__in=org_ids).values("waiting_org")
                .annotate(n=Count("pk")).values_list("waiting_org", "n"))


def needed_counts(org_ids) -> dict[int, int]:
    """How many applications in flight (审核中, or 审核通过 and awaiting the 考区's 汇总提交) name each of
    these orgs at their current stage or a later one of their stored chain: a chain is stored at
    submission and never re-routed, so an org disabled with any (or left without an active reviewer
    account) would have them reach it and no one act. What 禁用 of an org (orgs.services.org_set_enabled),
    an import row disabling one (orgs.importer.plan_import) and 禁用 of an org's last reviewer account
    (accounts.services.account_set_active) count; waiting_counts is the current stage's alone. An
    application naming an org at two stages (a 考区 that is a 考点 too) counts once."""
    ids = {int(i) for i in org_ids}
    columns = [f"{STAGE_ORG_FIELD[stage]}_id" for stage in STAGE_ORDER]
    ahead = Q()  # each stage's column, for the applications at that stage or an earlier one
    for i, column in enumerate(columns):
        ahead |= Q(stage__in=STAGE_ORDER[:i + 1], **{f"{column}__in": ids})
    in_flight = Application.objects.filter(Q(state=State.IN_REVIEW) & ahead
                                           | Q(state=State.APPROVED, awaiting_forward=True, district_org__in=ids))
    counts = Counter()
    for stage, *chain in in_flight.values_list("stage", *columns):
        start = STAGE_ORDER.index(stage) if stage else len(STAGE_ORDER) - 1  # approved: the 考区's forward
        counts.update(ids & set(chain[start:]))
    return dict(counts)
