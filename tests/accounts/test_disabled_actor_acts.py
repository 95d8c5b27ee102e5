"""账户管理, the 考区's years, catalogue, notices and permissions, the imports, exports and reminders of
an account disabled meanwhile.

Each holds the acting account (accounts.services.actor_held), as the org acts do
(tests/orgs/test_disabled_actor_races.py): an account disabled while its page was open is refused its
next act, though the object the caller holds still says active, and the act changes nothing.
"""

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import PermissionDenied

from prereg.accounts import services as accounts
from prereg.accounts.models import PasswordHistory, Role, RolePermission, User
from prereg.applications.models import State
from prereg.audit.models import AuditEvent, Outcome
from prereg.catalog import services as catalog
from prereg.catalog import staff_import
from prereg.catalog.models import (
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
from prereg.catalog.secretbox import seal
from prereg.exports import services as exports
from prereg.exports.models import ExportJob
from prereg.notify.models import Reminder, RosterReminder, SmsMessage
from prereg.orgs import importer as org_importer
from prereg.orgs.models import Org
from prereg.reconcile import services as reconcile
from prereg.reconcile.models import MissingApplication, RosterMapping, RosterRow, RosterUpload
from tests.accounts.test_staff_import import account as staff_row
from tests.accounts.test_staff_import import sheet as staff_sheet
from tests.catalog.test_import import GOOD as CATALOGUE
from tests.catalog.test_year_open import end_year
from tests.factories import ExportJobFactory, PasswordSheetFactory, make_application, windows
from tests.orgs.test_import import row as org_row
from tests.orgs.test_import import sheet as org_sheet
from tests.reconcile.helpers import (
    HEADER_2020,
    anxi_application,
    csv_bytes,
    every_kind,
    line_2020,
    proposed_columns,
    upload_and_import,
)

# Every table an act below writes (the audit log apart: checked by its actor).
WRITTEN = [User, PasswordHistory, RolePermission, AccessAttempt, Org, ExamYear, ExamProject, ExamLevel,
           Qualification, PracticeCategory, PracticeScope, Specialty, DictEntry, EligibilityRule, Announcement,
           PasswordSheet, ExportJob, SmsMessage, Reminder, RosterReminder, RosterUpload, RosterMapping, RosterRow,
           MissingApplication]


def _state() -> dict:
    """The rows of every table the acts write, and the files they store."""
    state = {model._meta.label: list(model.objects.order_by("pk").values()) for model in WRITTEN}
    media = Path(settings.MEDIA_ROOT)
    state["files"] = sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())
    return state


def _last_event() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _disable(user) -> None:
    """Disabled in the database, as the sysadmin's 禁用 leaves it; the object the caller holds still says active."""
    User.objects.filter(pk=user.pk).update(is_active=False, disabled_by_role=Role.SYSADMIN)


@pytest.fixture
def people(tree, year, reviewer_province, reviewer_fuzhou, reviewer_quanzhou, reviewer_lianjiang_hospital):
    """The 考区 (the years, catalogue, notices, permissions, imports and exports), 福州's 考点 over 连江县医院's
    account (账户管理), 泉州's 考点 (its reminders and 国网 roster)."""
    return SimpleNamespace(tree=tree, year=year, province=reviewer_province, fuzhou=reviewer_fuzhou,
                           quanzhou=reviewer_quanzhou, hospital=reviewer_lianjiang_hospital)


# Each act's setup: (people) -> (the acting account, the act's arguments but the actor). What an act needs
# that another account or an earlier act makes is made here, the actor still active.

def _unlock(p):
    AccessAttempt.objects.create(username=p.hospital.username, ip_address="10.0.0.1", user_agent="test",
                                 http_accept="", path_info="/accounts/login/", get_data="", post_data="",
                                 failures_since_start=settings.AXES_FAILURE_LIMIT)
    assert accounts.login_locked(p.hospital.username)
    return p.fuzhou, {"user_ids": [p.hospital.pk]}


def _year_open(p):
    end_year(p.year)
    return p.province, {"year": p.year.year + 1, **windows(p.year.year + 1)}


def _sheet_reveal(p):
    entries = [{"username": p.fuzhou.username, "name": p.fuzhou.name, "org": p.fuzhou.org.name, "role": "考点",
                "password": "Yici#mima2026"}]
    sheet = PasswordSheetFactory(exam_year=p.year, holder=p.tree["350000"],
                                 ciphertext=seal(json.dumps(entries, ensure_ascii=False)))
    return p.province, {"sheet_id": sheet.pk}


def _project_update(p):
    project = ExamProject.objects.create(exam_year=p.year, code="CZJ", name="初中级卫生专业技术资格考试")
    return p.province, {"project_id": project.pk, "expected_version": project.version, "name": "初中级考试"}


def _entry_update(p):
    entry = DictEntry.objects.filter(exam_year=p.year).first()
    return p.province, {"kind": "entry", "entry_id": entry.pk, "name": "改过的条目", "code": "", "order": 1,
                        "enabled": True, "expected_version": entry.version}


def _announcement_publish(p):
    notice = Announcement.objects.create(title="通知", body="正文", created_by=p.province)
    return p.province, {"announcement_id": notice.pk, "expected_version": notice.version}


def _reminder_send(p):
    returned = make_application(p.tree, p.year, "35052401", State.RETURNED, name="退回者")
    return p.quanzhou, {"application_ids": [returned.pk]}


def _roster(p) -> bytes:
    """A 国网 roster of one 安溪 application, for the 泉州 考点 to upload."""
    return csv_bytes(HEADER_2020, [line_2020(anxi_application(p.tree, p.year, "李同"))])


def _roster_import(p):
    upload = reconcile.roster_upload(actor=p.quanzhou, file_name="roster.csv", content=_roster(p))
    return p.quanzhou, {"upload_id": upload.pk, "chosen": proposed_columns(upload)}


def _roster_remind(p):
    _applications, rows = every_kind(p.tree, p.year)
    upload = upload_and_import(p.quanzhou, csv_bytes(HEADER_2020, rows)).upload
    draft = RosterRow.objects.get(upload=upload, name="吴草")  # only on the 国网 roster, a draft here
    return p.quanzhou, {"kind": "national", "keys": [draft.pk], "expected_upload": upload.pk}


ACTS = {
    "account_reset_password": (accounts.account_reset_password, lambda p: (p.fuzhou, {"user": p.hospital})),
    "account_unlock": (accounts.account_unlock, _unlock),
    "account_set_active": (accounts.account_set_active,
                           lambda p: (p.fuzhou, {"user_ids": [p.hospital.pk], "active": False})),
    "role_permission_set": (accounts.role_permission_set, lambda p: (p.province, {
        "role": Role.POINT, "function": "create_reviewer", "allowed": True})),
    "role_permissions_save": (accounts.role_permissions_save, lambda p: (p.province, {
        "cells": {("create_reviewer", Role.POINT): True}})),
    "account_update of another": (accounts.account_update, lambda p: (p.fuzhou, {
        "user_id": p.hospital.pk, "expected_version": p.hospital.version, "name": "陈新",
        "phone": p.hospital.phone})),
    "account_update of his own": (accounts.account_update, lambda p: (p.province, {
        "user_id": p.province.pk, "expected_version": p.province.version, "name": "林新", "phone": p.province.phone,
        "title": "科员", "department": "人事科"})),
    "exam_year_open": (catalog.exam_year_open, _year_open),
    "password_sheet_reveal": (catalog.password_sheet_reveal, _sheet_reveal),
    "exam_year_update": (catalog.exam_year_update, lambda p: (p.province, {
        "exam_year_id": p.year.pk, "expected_version": p.year.version, "name": "改过的年度"})),
    "exam_project_add": (catalog.exam_project_add, lambda p: (p.province, {
        "exam_year_id": p.year.pk, "code": "09", "name": "高级"})),
    "exam_project_update": (catalog.exam_project_update, _project_update),
    "catalogue_import": (catalog.catalogue_import, lambda p: (p.province, {
        "exam_year_id": p.year.pk, "filename": "c.csv", "content": CATALOGUE.encode()})),
    "catalogue_entry_update": (catalog.catalogue_entry_update, _entry_update),
    "announcement_save": (catalog.announcement_save, lambda p: (p.province, {
        "title": "通知", "body": "正文", "kind": "notice", "audience": "all", "exam_year": p.year})),
    "announcement_publish": (catalog.announcement_publish, _announcement_publish),
    "eligibility_rules_import": (catalog.eligibility_rules_import, lambda p: (p.province, {
        "exam_year_id": p.year.pk, "filename": "r.csv", "content": catalog.eligibility_rules_file(p.year)})),
    "staff_import": (staff_import.staff_import, lambda p: (p.province, {
        "filename": "a.csv", "content": staff_sheet(staff_row("35020001", "350200", "考点", "洪雅", "17700000001"))})),
    "org_import": (org_importer.org_import, lambda p: (p.province, {
        "filename": "orgs.csv", "content": org_sheet(org_row("35012207", "连江县新设诊所", "350122",
                                                             region="350122"))})),
    "export_request": (exports.export_request, lambda p: (p.province, {"kind": "applications", "format": "csv"})),
    "export_delete": (exports.export_delete, lambda p: (p.province, {
        "job_id": ExportJobFactory(owner=p.province, file__data=b"id\n").pk})),
    "reminder_send": (exports.reminder_send, _reminder_send),
    "roster_upload": (reconcile.roster_upload, lambda p: (p.quanzhou, {"file_name": "roster.csv",
                                                                     "content": _roster(p)})),
    "roster_import": (reconcile.roster_import, _roster_import),
    "roster_remind": (reconcile.roster_remind, _roster_remind),
}


@pytest.mark.parametrize("name", ACTS)
def test_an_act_of_a_disabled_account_is_refused_and_changes_nothing(people, name):
    act, setup = ACTS[name]
    actor, kwargs = setup(people)
    _disable(actor)
    before, last_event = _state(), _last_event()
    with pytest.raises(PermissionDenied, match="账号已被禁用"):
        act(actor=actor, **kwargs)
    assert _state() == before
    assert not AuditEvent.objects.filter(pk__gt=last_event, actor=actor).exists()


@pytest.mark.parametrize("name", ACTS)
def test_the_same_act_of_an_active_account_is_done(people, name):
    """The refusal above is the disabled account's: the act itself is one the actor may do, and what
    it changes is in the state compared above."""
    act, setup = ACTS[name]
    actor, kwargs = setup(people)
    before, last_event = _state(), _last_event()
    act(actor=actor, **kwargs)
    assert _state() != before
    assert AuditEvent.objects.filter(pk__gt=last_event, actor=actor, outcome=Outcome.SUCCESS).exists()
