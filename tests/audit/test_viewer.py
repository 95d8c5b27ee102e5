"""The audit viewer: the audit administrator alone reads, filters, pages and exports the log."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from prereg.audit.labels import EVENT_LABELS
from prereg.audit.log import record
from prereg.audit.models import AuditEvent, Outcome
from prereg.audit.verify import verify_chain


@pytest.fixture
def entries(reviewer_anxi_bureau, reviewer_fuzhou, candidate):
    """Four entries; logging in (force_login) adds one more, the newest."""
    record("auth.login", actor=reviewer_anxi_bureau, obj=reviewer_anxi_bureau)
    record("application.approve", actor=reviewer_anxi_bureau, obj=candidate, details={"opinion": "同意"})
    record("auth.login_failed", outcome=Outcome.FAILURE, actor_name="350***")
    record("account.create", actor=reviewer_fuzhou, obj=reviewer_anxi_bureau)
    return AuditEvent.objects.order_by("pk")


def rows_of(response):
    return list(response.context["page"].object_list)


def test_auditor_sees_the_log_newest_first(client, auditor, entries):
    client.force_login(auditor)
    response = client.get(reverse("backoffice:audit"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "审计日志" in html and "application.approve" in html and "安溪县卫生健康局" in html
    assert [e.event for e in rows_of(response)] == [e.event for e in reversed(entries)]
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("params", "events"), [
    ({"event": "auth."}, ["auth.login", "auth.login_failed", "auth.login"]),  # newest: the auditor's own
    ({"actor": "rm350524"}, []),
    ({"actor": "r350524"}, ["application.approve", "auth.login"]),
    ({"org": "福州市"}, ["account.create"]),
    ({"object_type": "accounts.User", "event": "account"}, ["account.create"]),
    ({"outcome": "failure"}, ["auth.login_failed"]),
])
def test_auditor_filters_by_actor_org_event_object_and_outcome(client, auditor, entries, params, events):
    client.force_login(auditor)
    response = client.get(reverse("backoffice:audit"), params)
    assert [e.event for e in rows_of(response)] == events


def test_auditor_filters_by_object_id(client, auditor, entries, candidate):
    client.force_login(auditor)
    response = client.get(reverse("backoffice:audit"), {"object_id": str(candidate.pk),
                                                        "object_type": "accounts.User"})
    assert {e.event for e in rows_of(response)} >= {"application.approve"}
    assert all(e.object_id == str(candidate.pk) for e in rows_of(response))


def test_auditor_filters_by_time(client, auditor, entries):
    today = timezone.localdate()
    client.force_login(auditor)
    assert len(rows_of(client.get(reverse("backoffice:audit"), {"date_from": today, "date_to": today}))) == 5
    tomorrow = today + datetime.timedelta(days=1)
    assert rows_of(client.get(reverse("backoffice:audit"), {"date_from": tomorrow})) == []
    assert rows_of(client.get(reverse("backoffice:audit"), {"date_to": today - datetime.timedelta(days=1)})) == []


def test_a_reversed_date_range_is_explained_and_matches_nothing(client, auditor, entries):
    today = timezone.localdate()
    client.force_login(auditor)
    response = client.get(reverse("backoffice:audit"), {"date_from": today, "date_to": today - datetime.timedelta(1)})
    assert "截止日期不能早于起始日期" in response.content.decode()
    assert rows_of(response) == []


def test_the_log_is_paginated_and_filters_survive_paging(client, auditor, db):
    for i in range(120):
        record("test.bulk", details={"i": i})
    client.force_login(auditor)
    first = client.get(reverse("backoffice:audit"), {"event": "test."})
    assert len(rows_of(first)) == 50 and first.context["page"].paginator.num_pages == 3
    assert "event=test.&amp;page=2" in first.content.decode()
    third = client.get(reverse("backoffice:audit"), {"event": "test.", "page": 3})
    assert [e.details["i"] for e in rows_of(third)] == list(range(19, -1, -1))


@pytest.mark.parametrize("who", ["sysadmin", "reviewer_province", "reviewer_anxi_bureau", "candidate"])
@pytest.mark.parametrize("url_name", ["backoffice:audit", "backoffice:audit_export"])
def test_no_one_but_the_auditor_may_read_the_log(client, request, who, url_name, entries):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(url_name)).status_code == 403


def test_the_sidebar_shows_the_log_to_the_auditor_only(client, auditor, sysadmin):
    client.force_login(auditor)
    assert reverse("backoffice:audit") in client.get(reverse("backoffice:dashboard")).content.decode()
    client.force_login(sysadmin)
    assert reverse("backoffice:audit") not in client.get(reverse("backoffice:dashboard")).content.decode()


@pytest.mark.parametrize("url_name", ["backoffice:audit", "backoffice:audit_export"])
def test_the_viewer_accepts_no_writes(client, auditor, entries, url_name):
    client.force_login(auditor)
    for method in ("post", "put", "delete"):
        assert getattr(client, method)(reverse(url_name)).status_code == 405
    assert AuditEvent.objects.count() == 5  # the four and the auditor's login


def test_export_writes_the_filtered_entries_as_csv_and_is_itself_audited(client, auditor, entries):
    client.force_login(auditor)
    response = client.get(reverse("backoffice:audit_export"), {"event": "auth."})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:6] == ["编号", "时间", "操作人", "所属机构", "客户端地址", "事件"]
    assert [r[5] for r in rows[1:]] == ["auth.login", "auth.login_failed", "auth.login"]
    export = AuditEvent.objects.get(event="audit.export")
    assert export.actor == auditor
    assert export.details == {"filters": {"event": "auth."}, "rows": 3}
    assert verify_chain().ok


def test_the_csv_guards_cells_a_spreadsheet_would_run_as_formulas(client, auditor, db):
    """Issue 16: a sign-in name `=cmd|' /C calc'!A0` survived into the CSV as `=cmd***`."""
    for name in ("=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)"):
        record("auth.login_failed", actor_name=name, details={"username": name})
    record("test.plain", actor_name="王审核", details={"note": "=HYPERLINK()"})
    client.force_login(auditor)
    text = b"".join(client.get(reverse("backoffice:audit_export")).streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert sorted(r[2] for r in rows if r[5] == "auth.login_failed") == sorted(
        ["'=cmd|' /C calc'!A0", "'+1+1", "'-2+3", "'@SUM(A1)"])
    assert "王审核" in [r[2] for r in rows]
    assert all(not cell or cell[0] not in "=+-@" for row in rows for cell in row)


def test_every_event_the_code_records_has_a_chinese_name(client, auditor):
    # The review probe read auth.login, application.approve, accounts.User #2 in the 审计日志.
    import pathlib
    import re

    from prereg.applications.models import ReviewAction
    from prereg.audit.labels import EVENT_LABELS

    source = "".join(path.read_text() for path in pathlib.Path("prereg").rglob("*.py"))
    # record("a.b", …), record("a.b" if … else "c.d", …) and event = "a.b" before a record(event, …)
    code = r'"([a-z_]+(?:\.[a-z_]+)+)"'
    codes = set(re.findall(rf"record\(\s*{code}", source)) | set(re.findall(rf"else {code}", source))
    codes |= set(re.findall(rf"event = {code}", source))
    codes |= {f"application.{action}" for action in ReviewAction.values}
    assert len(codes) > 60 and codes - set(EVENT_LABELS) == set()
    record("auth.login", request=None, actor_name="李审计")
    client.force_login(auditor)
    body = client.get(reverse("backoffice:audit")).content.decode()
    assert "登录" in body and "auth.login" in body  # the name, the code beneath it for the filter


@pytest.mark.parametrize(("text", "events"), [
    ("登录失败", ["auth.login_failed"]),
    ("同意", ["application.approve"]),
    ("新增账号", ["account.create"]),
])
def test_auditor_finds_events_by_their_chinese_name(client, auditor, entries, text, events):
    client.force_login(auditor)
    response = client.get(reverse("backoffice:audit"), {"event": text})
    assert [e.event for e in rows_of(response)] == events
    assert f'<option value="{EVENT_LABELS[events[0]]}">' in response.content.decode()  # suggested as typed


def test_each_entry_names_the_account_by_what_its_holder_cannot_change(client, auditor, reviewer_anxi_bureau,
                                                                       candidate):
    """Security probe: a reviewer renamed himself at 个人信息 and his acts read as another's name. The
    account's number (and a staff account's login name) stands beside the name; a candidate's login
    name is his ID number and stays out."""
    reviewer_anxi_bureau.name = "陈冬梅"
    reviewer_anxi_bureau.save(update_fields=["name"])
    record("application.field_check", actor=reviewer_anxi_bureau, obj=candidate)
    record("application.submit", actor=candidate, obj=candidate)
    client.force_login(auditor)
    body = client.get(reverse("backoffice:audit")).content.decode()
    assert f"陈冬梅<br><small class=\"muted\">{reviewer_anxi_bureau.username}（#{reviewer_anxi_bureau.pk}）" in body
    assert f"#{candidate.pk}</small>" in body and candidate.username not in body
    text = b"".join(client.get(reverse("backoffice:audit_export")).streaming_content).decode("utf-8-sig")
    rows = {r[5]: r for r in csv.reader(io.StringIO(text))}
    assert rows["application.field_check"][-1] == f"{reviewer_anxi_bureau.username}（#{reviewer_anxi_bureau.pk}）"
    assert rows["application.submit"][-1] == f"#{candidate.pk}"
