"""Acts on exam years, their dictionaries and the notices: each checks, changes and audits."""

import datetime
import json

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from prereg.accounts.hashers import hash_one_time_password
from prereg.accounts.models import PasswordHistory, Role, User
from prereg.accounts.permissions import require_function
from prereg.accounts.services import actor_held, generate_one_time_password
from prereg.audit.log import record
from prereg.audit.models import Outcome
from prereg.core import locks, sheets
from prereg.core.validators import clean_text
from prereg.core.versions import check_version
from prereg.orgs.models import Org

from . import importers
from .loaders import eligibility_rows, load_year_catalogue
from .models import (
    PROJECT_WINDOW_FIELDS,
    Announcement,
    DictEntry,
    EligibilityRule,
    ExamLevel,
    ExamProject,
    ExamYear,
    PasswordSheet,
    PracticeCategory,
    PracticeScope,
    Qualification,
    Specialty,
)
from .secretbox import open_sealed, seal
from .timeline import day_text

MANAGE = "configure_roles"  # the 考区's configuration function (sidebar: 年度与字典, 通知公告)
WINDOW_FIELDS = ["form_opens", "form_closes", "national_opens", "national_closes", "confirm_deadline",
                 "cutoff_date", "unit_review_deadline", "point_review_deadline", "site_review_deadline",
                 "district_review_deadline"]
DEFAULT_PROJECT = ("CZJ", "初中级卫生专业技术资格考试")


# (earlier, later, the field that shows the error, the error): dates that must not be in the wrong
# order. The notice's timetable (一 and 三): 省网 from 12-16, 国网报名 12-24 to 01-13, 国网现场确认
# 12-25 to 01-16; the candidate registers on both sites, prints both forms and then goes through
# 单位审查 and the 报名点's 现场确认 in turn, all "在规定的时间内". So confirmation closes after both
# registrations, and the unit's and the 报名点's deadlines fall within it. The notice does not say
# when the 考点's and the 考区's reviews, which follow the confirmation, end: no rule ties them to it.
WINDOW_ORDER = [
    ("form_opens", "form_closes", "form_closes", "省网填报截止日期不能早于开始日期。"),
    ("national_opens", "national_closes", "national_closes", "国网报名截止日期不能早于开始日期。"),
    ("form_opens", "confirm_deadline", "confirm_deadline", "现场确认截止日期不能早于省网填报开始日期。"),
    ("form_closes", "confirm_deadline", "confirm_deadline", "现场确认截止日期不能早于省网填报截止日期。"),
    ("national_closes", "confirm_deadline", "confirm_deadline", "现场确认截止日期不能早于国网报名截止日期。"),
    ("unit_review_deadline", "confirm_deadline", "unit_review_deadline", "单位审查截止日期不能晚于现场确认截止日期。"),
    ("point_review_deadline", "confirm_deadline", "point_review_deadline",
     "报名点确认截止日期不能晚于现场确认截止日期。"),
]
# The review deadlines in stage order (单位审查 → 报名点确认 → 考点审核 → 考区复核); a blank one is skipped.
REVIEW_DEADLINE_FIELDS = list(ExamYear.STAGE_DEADLINE_FIELDS.values())


def window_range(year: int) -> tuple[datetime.date, datetime.date]:
    """The days a window or deadline of the `year`年度 may fall on: 1 January of year−1 to 31 December of year.

    The notice's timetable (2020年度): 省网 from 2019-12-16, 国网 2019-12-24 to 2020-01-13, 现场确认 to
    2020-01-16; registration is in the autumn and winter before the exam year, the exam within it, and
    the reviews end before the exam. A date outside is a typo (1900-01-01, 2099-12-31) or another year's
    timetable (a 2028年度 dated in 2026), and a late one would hold the next year's opening until it
    passes (year_open_refusals)."""
    return datetime.date(year - 1, 1, 1), datetime.date(year, 12, 31)


def check_windows(values: dict, *, year: int | None = None, before: dict | None = None) -> dict[str, list[str]]:
    """Field errors for dates in the wrong order and, given the exam `year`, for dates outside its
    window_range (the form shows them at the field). `before`: the dates stored; only a changed date
    is held to the range, so a year stored otherwise may still be renamed (as _cutoff_errors)."""
    errors = {}
    if year is not None:
        first_day, last_day = window_range(year)
        for field in PROJECT_WINDOW_FIELDS:  # the cut-off has its own rule (_cutoff_errors)
            value = values.get(field)
            if value and value != (before or {}).get(field) and not first_day <= value <= last_day:
                errors.setdefault(field, []).append(
                    f"{year}年度的{_label(field)}日期应在{day_text(first_day)}至{day_text(last_day)}之间"
                    f"（报名在考试前一年开始，各环节审核在考试当年结束）。")
    for earlier, later, field, message in WINDOW_ORDER:
        if values.get(earlier) and values.get(later) and values[earlier] > values[later]:
            errors.setdefault(field, []).append(message)
    latest = None  # the latest deadline of the stages before
    for field in REVIEW_DEADLINE_FIELDS:
        if not values.get(field):
            continue
        if latest and values[latest] > values[field]:
            errors.setdefault(field, []).append(f"{_label(field)}日期不能早于{_label(latest)}日期。")
        else:
            latest = field
    return errors


def _label(field: str) -> str:
    return ExamYear._meta.get_field(field).verbose_name


# ---------------------------------------------------------------- years

def year_to_follow(*, lock=False) -> ExamYear | None:
    """The year a new one follows: the current one, else the latest."""
    years = ExamYear.objects.select_for_update(no_key=True) if lock else ExamYear.objects
    return years.filter(is_current=True).first() or years.order_by("-year").first()


def year_open_refusals(previous: ExamYear | None, today=None) -> list[str]:
    """Why no new year may follow `previous` yet (none: it may).

    The new year becomes the current one, and a candidate then sees only it: he could no longer
    resubmit a returned form of `previous` nor print its 审核确认单 (and the back office's pages of
    the current year, 考生信息管理 and statistics among them, turn to the new one). So every window
    and deadline of `previous` and of its projects must be past (the latest of them is named), and
    none of its applications still in review.
    """
    if previous is None:
        return []
    today = today or timezone.localdate()
    refusals = []
    dated = [(date, field, windows.name) for windows in [previous.windows(), *map(previous.windows, previous.projects.all())]
             for field in PROJECT_WINDOW_FIELDS if (date := getattr(windows, field)) is not None]
    last, field, whose = max(dated, key=lambda item: item[0])  # the year's own first where a project has the same
    if last >= today:
        refusals.append(f"{previous.name}尚未结束：{whose}的{_label(field)}日期为{day_text(last)}，该日过后才能开启新年度"
                        f"（开启后考生只能看到新年度，无法再修改、提交或打印{previous.name}的报名信息）。")
    # applications.models.State.IN_REVIEW, by its value: catalog sits below applications.
    in_review = previous.applications.filter(state="in_review").count()
    if in_review:
        refusals.append(f"{previous.name}尚有{in_review}份报名信息在审核中，全部审核完毕（通过或退回）后才能开启新年度。")
    return refusals


@transaction.atomic
def exam_year_open(*, actor, year: int, name: str = "", request=None, **windows) -> ExamYear:
    """Open a new exam year: copy last year's projects, catalogue and 资格规则, make it current and
    reset every other reviewer's password to a one-time one, delivered through the org tree.

    Refused while the year it follows still runs (year_open_refusals)."""
    require_function(actor, MANAGE)
    actor_held(actor)
    # The accounts it resets before the year's row, as every act takes accounts before the rest: a year's
    # edit holds its actor, then the year; an open that held the year first, then waited for that actor's
    # account to reset it, deadlocked with it (and two opens at once, by the 考区 and the sysadmin).
    list(_reset_scope(actor).select_for_update(no_key=True).in_lock_order().values_list("pk", flat=True))
    # Locked: a second open at the same moment waits here, then follows the year this one opens.
    previous = year_to_follow(lock=True)
    errors = check_windows(windows, year=year) or _cutoff_errors(ExamYear(year=year), windows)
    if ExamYear.objects.filter(year=year).exists():
        errors["year"] = [f"{year}年度已存在。"]
    if refusals := year_open_refusals(previous):
        errors[NON_FIELD_ERRORS] = refusals
    if errors:
        raise ValidationError(errors)
    ExamYear.objects.filter(is_current=True).update(is_current=False)
    new = ExamYear.objects.create(year=year, name=name or f"{year}年度", is_current=True, opened_at=timezone.now(),
                                  **{k: windows.get(k) for k in WINDOW_FIELDS})
    projects = list(previous.projects.all()) if previous is not None else []
    for project in projects or [ExamProject(code=DEFAULT_PROJECT[0], name=DEFAULT_PROJECT[1])]:
        ExamProject.objects.create(exam_year=new, code=project.code, name=project.name, order=project.order)
    copied = 0
    if previous is not None:
        # The sheet names each level's 考试项目 by code, so 副高级/正高级 stay the 高级 project's.
        result = importers.import_rows(new, importers.catalogue_rows(previous))
        if not result.ok:  # last year's own catalogue always checks; guard against surprises
            raise ValidationError(["上一年度字典无法复制："] + result.errors)
        copied = result.created
    rules_carried = eligibility_rules_carry(previous, new)
    if not copied:
        load_year_catalogue(new)  # its rules stay those just written
    reset = reviewer_passwords_reset(actor=actor, exam_year=new)
    record("exam_year.open", actor=actor, obj=new, request=request,
           details={"year": year, "previous": previous.year if previous else None,
                    "entries_copied": copied, "rules_carried": rules_carried, "passwords_reset": reset})
    return new


def eligibility_rules_carry(previous: ExamYear | None, new: ExamYear) -> bool:
    """Write the new year's 资格规则: last year's table, the 考区's imports included, as the catalogue is
    copied; whether it was. The shipped table instead where last year has none, or where the shipped
    tables of the two years differ, i.e. the rules changed between them (loaders.regime_of: 人社部发〔2021〕
    51号 from 2023年度; 2021 and 2022 hold both regimes). Called inside exam_year_open's transaction."""
    carried = previous is not None and eligibility_rows(previous.year) == eligibility_rows(new.year)
    rows = [rule.as_row() for rule in previous.eligibility_rules.all()] if carried else []
    if not rows:
        carried, rows = False, eligibility_rows(new.year)
    EligibilityRule.objects.bulk_create(EligibilityRule(exam_year=new, order=i, **row) for i, row in enumerate(rows))
    return carried


def _reset_scope(actor):
    """The accounts a year's open resets: every reviewer's but the actor's."""
    return User.objects.filter(role__in=Role.reviewer_roles(), org__isnull=False).exclude(pk=actor.pk)


def reviewer_passwords_reset(*, actor, exam_year: ExamYear) -> int:
    """Every reviewer but the actor gets a one-time password and must complete his profile again.

    The passwords are sealed into one sheet per holder org, readable once by that org's
    reviewers. Called inside exam_year_open's transaction.
    """
    reviewers = _reset_scope(actor).select_related("org", "org__parent").in_lock_order()
    passwords = []
    for user in reviewers:
        raw = generate_one_time_password()
        if user.password:
            PasswordHistory.objects.create(user=user, password=user.password)
        user.password = hash_one_time_password(raw)  # ~2,000 reviewers within the request's time
        user.must_change_password = True
        user.profile_completed = False
        # A sheet's password passes down the tree at its own pace: no time limit, and none left
        # from an earlier reset to refuse it.
        user.one_time_password_set_at = None
        user.save(update_fields=["password", "must_change_password", "profile_completed", "one_time_password_set_at"])
        passwords.append((user, raw))
    hand_down(exam_year, sorted(passwords, key=lambda entry: (entry[0].org.code, entry[0].username)))
    return len(passwords)


def hand_down(year: ExamYear, passwords: list[tuple[User, str]]) -> int:
    """Add each account's one-time password to the year's sheet of the org above it (the root org
    holds its own): to the sheet's unread entries if it has any (sealed again, still readable
    once), else as a new reading of the sheet. Returns how many sheets were written."""
    by_holder: dict[int, tuple[Org, list[dict]]] = {}
    for user, raw in passwords:
        holder = user.org.parent if user.org.parent_id else user.org
        by_holder.setdefault(holder.pk, (holder, []))[1].append(
            {"username": user.username, "name": user.name, "org": user.org.name, "role": user.get_role_display(),
             "password": raw})
    for holder, entries in by_holder.values():
        # The sheet exists before it is read under its lock: two hand-downs to an org without one
        # (two staff imports, an import and a 新增审核账号) would each find none, and the second
        # would write its passwords over the first's.
        PasswordSheet.objects.get_or_create(exam_year=year, holder=holder)
        sheet = PasswordSheet.objects.select_for_update().get(exam_year=year, holder=holder)
        if sheet.ciphertext:
            entries = json.loads(open_sealed(sheet.ciphertext)) + entries
        sheet.count, sheet.ciphertext = len(entries), seal(json.dumps(entries, ensure_ascii=False))
        sheet.revealed_at = sheet.revealed_by = None
        sheet.save()
    return len(by_holder)


def sheets_for(user):
    """The password sheets this user may read (read or not): a reviewer those of his org; the
    sysadmin those of a root org (whose own reviewers are all reset when the sysadmin opens the
    year, so none of them could read it)."""
    qs = PasswordSheet.objects.select_related("exam_year", "revealed_by", "holder")
    if user.is_reviewer and user.org_id:
        return qs.filter(holder_id=user.org_id)
    if user.role == Role.SYSADMIN:
        return qs.filter(holder__parent__isnull=True)
    return qs.none()


@transaction.atomic
def password_sheet_reveal(*, actor, sheet_id: int, request=None) -> list[dict]:
    """The sheet's passwords, once: the ciphertext is wiped in the same transaction."""
    actor_held(actor)
    # of=("self",): only the sheet is locked (revealed_by is on the nullable side of a join).
    sheet = sheets_for(actor).select_for_update(of=("self",)).filter(pk=sheet_id).first()
    if sheet is None:
        raise PermissionDenied("该密码单不属于您的机构。")
    if not sheet.ciphertext:
        raise ValidationError(f"该密码单已于{timezone.localtime(sheet.revealed_at):%Y-%m-%d %H:%M}"
                              f"由{sheet.revealed_by or '他人'}查看，不能再次显示。如需密码请重置该账号密码。")
    entries = json.loads(open_sealed(sheet.ciphertext))
    sheet.ciphertext = ""
    sheet.revealed_at = timezone.now()
    sheet.revealed_by = actor
    sheet.save(update_fields=["ciphertext", "revealed_at", "revealed_by"])
    record("password_sheet.reveal", actor=actor, obj=sheet, request=request,
           details={"year": sheet.exam_year.year, "count": len(entries)})
    return entries


@transaction.atomic
def exam_year_update(*, actor, exam_year_id: int, expected_version: int | None = None, request=None,
                     **fields) -> ExamYear:
    require_function(actor, MANAGE)
    actor_held(actor)
    year = ExamYear.objects.select_for_update(no_key=True).get(pk=exam_year_id)
    check_version(year, expected_version)
    stored = {k: getattr(year, k) for k in WINDOW_FIELDS}
    values = {k: fields.get(k, stored[k]) for k in WINDOW_FIELDS}
    if errors := (check_windows(values, year=year.year, before=stored) or _project_errors(year, values)
                  or _cutoff_errors(year, values)):
        raise ValidationError(errors)
    changed = _assign(year, {**values, "name": fields.get("name") or year.name})
    year.save()
    record("exam_year.update", actor=actor, obj=year, request=request, details=changed)
    return year


def _cutoff_errors(year: ExamYear, values: dict) -> dict:
    """A new cut-off outside the year before the exam year: for the N年度 exam, education and work years count to
    31 December of N−1, the year of registration (rules file §1.2, six notices); "考试年度的12月31日" is the
    third-party misreading it warns of. The day within N−1 stays the 考区's (the field's help: 一般为…12月31日).
    Only a change is checked: a year stored otherwise may still be renamed."""
    cutoff = values.get("cutoff_date")
    if not cutoff or cutoff == year.cutoff_date or cutoff.year == year.year - 1:
        return {}
    return {"cutoff_date": [f"{year.year}年度的资格计算截止日期应在{year.year - 1}年内（一般为{year.year - 1}年12月31日）："
                            f"学历取得时间和工作年限计算至报名所在年（考试年度的前一年）的年底。"]}


def _project_errors(year: ExamYear, values: dict) -> dict:
    """What the year's new dates `values` would put out of order in a project with dates of its
    own (the others fall back on the year's), as a refusal of the year's form naming the project.
    Only what the change breaks: a project already out of order does not block every save of the year."""
    errors = []
    before = {k: getattr(year, k) for k in WINDOW_FIELDS}
    for project in year.projects.all():
        own = {k: v for k in PROJECT_WINDOW_FIELDS if (v := getattr(project, k)) is not None}
        if not own:
            continue
        known = {m for messages in check_windows(before | own).values() for m in messages}
        errors += [f"考试项目“{project.name}”有自定时间，按本次设置其{message[:-1]}；请一并修改该项目的时间设置。"
                   for messages in check_windows(values | own).values() for message in messages if message not in known]
    return {NON_FIELD_ERRORS: errors} if errors else {}


def _assign(obj, values: dict) -> dict:
    """Set `values` on `obj`; what changed, as the audit entry names it ({field: [before, after]} as text)."""
    changed = {k: [str(getattr(obj, k)), str(v)] for k, v in values.items() if getattr(obj, k) != v}
    for key, value in values.items():
        setattr(obj, key, value)
    return changed


@transaction.atomic
def exam_project_add(*, actor, exam_year_id: int, code: str, name: str, request=None) -> ExamProject:
    require_function(actor, MANAGE)
    actor_held(actor)
    year = ExamYear.objects.get(pk=exam_year_id)
    if year.projects.filter(code=code).exists():
        raise ValidationError({"code": "该项目代码在本年度已存在。"})
    project = ExamProject.objects.create(exam_year=year, code=code, name=name, order=year.projects.count())
    record("exam_project.add", actor=actor, obj=project, request=request, details={"code": code, "name": name})
    return project


@transaction.atomic
def exam_project_update(*, actor, project_id: int, expected_version: int | None = None, request=None,
                        **fields) -> ExamProject:
    """A project's name and its own windows; a blank date falls back to the year's."""
    require_function(actor, MANAGE)
    actor_held(actor)
    # The year's row too: its dates are the blank ones', and a change of the year checks them against the project's.
    project = (ExamProject.objects.select_for_update(of=("self", "exam_year"), no_key=True).select_related("exam_year")
               .get(pk=project_id))
    check_version(project, expected_version)
    values = {k: fields.get(k, getattr(project, k)) for k in PROJECT_WINDOW_FIELDS}
    year = project.exam_year
    # The order rules and the year's range apply to the dates in force: the project's own over the year's.
    in_force = {k: v if v is not None else getattr(year, k) for k, v in values.items()}
    before = year.windows(project)
    if errors := check_windows(in_force, year=year.year, before={k: getattr(before, k) for k in in_force}):
        raise ValidationError(errors)
    changed = _assign(project, {**values, "name": fields.get("name") or project.name})
    project.save()
    record("exam_project.update", actor=actor, obj=project, request=request,
           details={"year": year.year, "code": project.code, **changed})
    return project


# ---------------------------------------------------------------- dictionaries

ENTRY_MODELS = {
    "level": (ExamLevel, "报考级别"),
    "qualification": (Qualification, "拟申报资格"),
    "category": (PracticeCategory, "执业类别"),
    "scope": (PracticeScope, "执业注册范围"),
    "specialty": (Specialty, "申报专业"),
    "entry": (DictEntry, "其他字典"),
}


@transaction.atomic
def catalogue_import(*, actor, exam_year_id: int, filename: str, content: bytes,
                     request=None) -> importers.ImportResult:
    """Import the year's catalogue from a file: all rows or none."""
    require_function(actor, MANAGE)
    actor_held(actor)
    year = ExamYear.objects.select_for_update(no_key=True).get(pk=exam_year_id)
    try:
        rows = importers.read_table(filename, content)
    except importers.CatalogueFileError as exc:
        result = importers.ImportResult(errors=[str(exc)])
    else:
        result = importers.import_rows(year, rows)
    details = {"file": filename[:100], "rows": result.rows, "errors": len(result.errors)}
    if result.ok:
        details.update(created=result.created, updated=result.updated, disabled=result.disabled)
    record("catalogue.import", actor=actor, obj=year, request=request, details=details,
           outcome=Outcome.SUCCESS if result.ok else Outcome.FAILURE)
    return result


@transaction.atomic
def catalogue_entry_update(*, actor, kind: str, entry_id: int, name: str, code: str, order: int, enabled: bool,
                           expected_version: int | None = None, request=None):
    require_function(actor, MANAGE)
    actor_held(actor)
    model, _label = ENTRY_MODELS[kind]
    entry = model.objects.select_for_update().get(pk=entry_id)
    check_version(entry, expected_version)
    before = {"name": entry.name, "code": entry.code, "order": entry.order, "enabled": entry.enabled}
    entry.name, entry.code, entry.order, entry.enabled = name, code, order, enabled
    entry.save(update_fields=["name", "code", "order", "enabled", "version"])
    after = {"name": name, "code": code, "order": order, "enabled": enabled}
    record("catalogue.entry_update", actor=actor, obj=entry, request=request,
           details={k: [before[k], after[k]] for k in after if before[k] != after[k]})
    return entry


# ---------------------------------------------------------------- notices

# How long after a notice was created the same notice sent again by its author is taken as a resend
# of the first (a double click, a retried request, two tabs), not as a second notice.
ANNOUNCEMENT_RESEND_WINDOW = datetime.timedelta(minutes=2)


@transaction.atomic
def announcement_save(*, actor, announcement_id: int | None = None, expected_version: int | None = None, title: str,
                      body: str, kind: str, audience: str, pinned: bool = False, exam_year=None,
                      request=None) -> Announcement:
    require_function(actor, MANAGE)
    actor_held(actor)
    # A title or a body of zero-width spaces showed an empty notice on every candidate's home page.
    title, body = clean_text(title), clean_text(body, multiline=True)
    if not title or not body:
        raise ValidationError({name: f"请填写“{Announcement._meta.get_field(name).verbose_name}”。"
                               for name, text in (("title", title), ("body", body)) if not text})
    if announcement_id is None:
        # Two identical posts of 新增 made two notices (only the page's script held the second back):
        # the author's creations take turns, and one identical in every field to a notice he created
        # moments ago is that notice, answered as saved again and not created twice (race probe).
        locks.hold(f"announcement.create:{actor.pk}")
        twin = Announcement.objects.filter(
            created_by=actor, created_at__gte=timezone.now() - ANNOUNCEMENT_RESEND_WINDOW, title=title, body=body,
            kind=kind, audience=audience, pinned=pinned, exam_year=exam_year).order_by("-pk").first()
        if twin is not None:
            return twin
        announcement = Announcement(created_by=actor)
        event = "announcement.create"
    else:
        announcement = Announcement.objects.select_for_update().get(pk=announcement_id)
        check_version(announcement, expected_version)
        event = "announcement.update"
    announcement.title, announcement.body, announcement.kind = title, body, kind
    announcement.audience, announcement.pinned, announcement.exam_year = audience, pinned, exam_year
    announcement.save()
    record(event, actor=actor, obj=announcement, request=request, details={"title": title})
    return announcement


@transaction.atomic
def announcement_publish(*, actor, announcement_id: int, publish: bool = True, expected_version: int | None = None,
                         request=None) -> Announcement:
    require_function(actor, MANAGE)
    actor_held(actor)
    announcement = Announcement.objects.select_for_update().get(pk=announcement_id)
    check_version(announcement, expected_version)
    announcement.published_at = timezone.now() if publish else None
    announcement.save(update_fields=["published_at", "updated_at", "version"])
    record("announcement.publish" if publish else "announcement.withdraw", actor=actor, obj=announcement,
           request=request, details={"title": announcement.title})
    return announcement


def published_for(user):
    """Published notices this user may read (candidates: not the reviewers-only ones): those of the
    current year and those of no year; an earlier year's notice (its dates, its window) is history."""
    qs = Announcement.objects.filter(Q(exam_year=None) | Q(exam_year__is_current=True), published_at__isnull=False)
    if getattr(user, "is_candidate", False):
        return qs.exclude(audience=Announcement.Audience.REVIEWERS)
    if getattr(user, "is_authenticated", False):
        return qs.exclude(audience=Announcement.Audience.CANDIDATES) if user.is_reviewer else qs
    return qs.none()


# ---------------------------------------------------------------- 资格规则 (eligibility rules)

RULE_VALUES = {
    "kind": set(EligibilityRule.Kind.values),
    "education": {"", "中专", "大专", "本科", "硕士", "博士"},
    "counted_from": {"", "none", "work", "appointment", "qualification", "registration",
                     "qualification_or_registration", "training_certificate", "training_start"},
}
RULE_REQUIREMENTS = {"规培", "基层", "一线"}


# A rules sheet names its columns by field name or by these Chinese names (the export's).
RULE_LABELS = {column: EligibilityRule._meta.get_field(column).verbose_name for column in EligibilityRule.COLUMNS}


def _rule_errors(line: int, row: dict) -> tuple[list[str], dict]:
    """A row of the rules sheet checked, as the model's values; its errors named by line and column."""
    errors, values = [], {}
    for column, label in RULE_LABELS.items():
        value = (row.get(column, row.get(label, "")) or "").strip()
        if column in RULE_VALUES and value not in RULE_VALUES[column]:
            errors.append(f"第{line}行“{label}”：{value or '（空）'}不是可用的值")
        values[column] = value
    try:
        values["min_years"] = int(values["min_years"])
        if not 0 <= values["min_years"] <= 50:
            raise ValueError
    except ValueError:
        errors.append(f"第{line}行“年限”应为0到50的整数")
    flag = {"1": True, "是": True, "true": True, "0": False, "否": False, "false": False, "": True}
    if values["confirmed"].lower() not in flag:
        errors.append(f"第{line}行“已确认”应为1或0")
    values["confirmed"] = flag.get(values["confirmed"].lower(), False)
    unknown = set(filter(None, values["requires"].split("+"))) - RULE_REQUIREMENTS
    if unknown:
        errors.append(f"第{line}行“附加条件”：{'、'.join(sorted(unknown))}不是可用的条件（规培、基层、一线）")
    if not values["qualification"] or not values["note"]:
        errors.append(f"第{line}行须填写“拟申报资格”和“说明”")
    if values["kind"] == EligibilityRule.Kind.ROUTE and not values["education"]:
        errors.append(f"第{line}行：报考条件须填写“学历”")
    # A route asking for years must say where they count from (none: it asks for no years).
    if (values["kind"] == EligibilityRule.Kind.ROUTE and isinstance(values["min_years"], int)
            and values["min_years"] > 0 and values["counted_from"] in ("", "none")):
        errors.append(f"第{line}行：年限大于0时须填写起算（不能为空或none）")
    return errors, values


def eligibility_rules_file(exam_year: ExamYear) -> bytes:
    """The year's rules in the import format (UTF-8 CSV with the columns' Chinese names), its cells
    guarded as every CSV we write (a note typed by the 考区 could read as a formula)."""
    return sheets.template_csv(list(RULE_LABELS.values()), [
        [int(v) if isinstance(v, bool) else v for v in rule.as_row().values()]
        for rule in EligibilityRule.objects.filter(exam_year=exam_year)])


@transaction.atomic
def eligibility_rules_import(*, actor, exam_year_id: int, filename: str, content: bytes,
                             request=None) -> importers.ImportResult:
    """Replace the year's 资格规则 with a sheet's rows: all of them, or none when one is wrong."""
    require_function(actor, MANAGE)
    actor_held(actor)
    year = ExamYear.objects.select_for_update(no_key=True).get(pk=exam_year_id)
    result = importers.ImportResult()
    try:
        rows = importers.read_table(filename, content, columns=[*RULE_LABELS, *RULE_LABELS.values()], required=())
    except importers.CatalogueFileError as exc:
        rows, result.errors = [], [str(exc)]
    checked = []
    for line, row in enumerate(rows, start=2):
        errors, values = _rule_errors(line, row)
        result.errors += errors
        checked.append(values)
    if not rows and not result.errors:
        result.errors.append("文件中没有规则。")
    result.rows = len(rows)
    if result.ok:
        result.disabled = EligibilityRule.objects.filter(exam_year=year).delete()[0]
        EligibilityRule.objects.bulk_create(EligibilityRule(exam_year=year, order=i, **values)
                                            for i, values in enumerate(checked))
        result.created = len(checked)
    record("eligibility_rules.import", actor=actor, obj=year, request=request,
           details={"file": filename[:100], "rows": result.rows, "errors": len(result.errors)},
           outcome=Outcome.SUCCESS if result.ok else Outcome.FAILURE)
    return result
