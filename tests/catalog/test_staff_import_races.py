"""A reviewer-account import whose new login name is taken after its preview (by another import
confirmed at the same moment, or an account added by hand): the sheet is refused whole with a
message naming the login name, never a server error, and nothing of it stays."""

import pytest

from prereg.accounts.models import User
from prereg.audit.models import AuditEvent
from prereg.catalog import staff_import
from prereg.catalog.models import PasswordSheet
from tests.accounts.test_staff_import import account, sheet
from tests.applications.test_one_writer_races import done, paused_after, started
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def current_year(year):
    year.is_current = True
    year.save()
    return year


def _refused(plan, username):
    assert not plan.ok
    assert plan.errors == [f"登录名 {username} 刚被其他账号使用，整份文件未导入；请修改后重新上传并预览。"]


def test_two_imports_of_one_new_login_name_at_once_the_later_is_refused_whole(
        postgres_only, reviewer_province, reviewer_anxi_bureau, current_year, monkeypatch):
    first_sheet = sheet(account("35020001", "350200", "考点", "洪雅"))
    # The later sheet also renames an account: that too is undone with the sheet.
    second_sheet = sheet(account("35020001", "350200", "考点", "林峰"),
                         account(reviewer_anxi_bureau.username, "350524", "报名点", "陈静"))
    handed_down, go_on = paused_after(monkeypatch, staff_import, "hand_down")
    outcomes = {}
    first = started(outcomes, "first", lambda: staff_import.staff_import(
        actor=reviewer_province, filename="a.csv", content=first_sheet))
    assert handed_down.wait(10)
    second = started(outcomes, "second", lambda: staff_import.staff_import(
        actor=reviewer_province, filename="b.csv", content=second_sheet))
    second.join(1)
    assert second.is_alive()  # its insert waits for the first's new account
    go_on.set()
    first.join(10)
    second.join(10)
    assert done(outcomes["first"]) and outcomes["first"].ok, outcomes
    assert done(outcomes["second"]), outcomes["second"]
    _refused(outcomes["second"], "35020001")
    assert User.objects.get(username="35020001").name == "洪雅"
    assert User.objects.get(pk=reviewer_anxi_bureau.pk).name == reviewer_anxi_bureau.name
    assert list(AuditEvent.objects.filter(event="account.import").values_list("outcome", flat=True)
                .order_by("pk")) == ["success", "failure"]


def test_a_login_name_taken_after_the_plan_refuses_the_sheet_whole(
        reviewer_province, reviewer_anxi_bureau, current_year, monkeypatch):
    planned = staff_import.plan_staff_import

    def plan_then_taken(**kwargs):
        plan = planned(**kwargs)
        UserFactory(username="35020001")  # added by hand by someone else meanwhile
        return plan

    monkeypatch.setattr(staff_import, "plan_staff_import", plan_then_taken)
    plan = staff_import.staff_import(actor=reviewer_province, filename="a.csv", content=sheet(
        account(reviewer_anxi_bureau.username, "350524", "报名点", "陈静"),
        account("35020001", "350200", "考点", "洪雅")))
    _refused(plan, "35020001")
    assert User.objects.get(pk=reviewer_anxi_bureau.pk).name == reviewer_anxi_bureau.name
    assert User.objects.get(username="35020001").name != "洪雅"
    assert not PasswordSheet.objects.exists()
    event = AuditEvent.objects.get(event="account.import")
    assert event.outcome == "failure" and event.details["first_errors"] == plan.errors
