"""The audit viewer reads a change as 原值 → 新值 in Chinese (exam-year probe L7): a year's edit showed
form_opens=['2027-11-28', '2026-10-01']."""

import datetime

from django.apps import apps
from django.urls import reverse

from prereg.audit.details import details_text as entry_text
from prereg.audit.models import AuditEvent
from prereg.catalog import services
from tests.factories import make_year


def details_text(object_type, details):
    return entry_text(AuditEvent(event="test.event", object_type=object_type, details=details))


def test_a_change_of_a_years_dates_reads_as_before_and_after_in_chinese():
    assert details_text("catalog.ExamYear", {"form_opens": ["2027-11-28", "2026-10-01"]}) == (
        "省网填报开始：2027年11月28日 → 2026年10月1日")
    assert details_text("catalog.ExamYear", {"unit_review_deadline": ["None", "2028-01-10"]}) == (
        "单位审查截止：（空） → 2028年1月10日")
    # Under "changes", as org.update and account.update keep them; what is no change stays as it was.
    assert details_text("orgs.Org", {"code": "350524", "changes": {"name": ["旧名", "新名"]}}) == (
        "机构代码：350524；规范全称：旧名 → 新名")
    assert details_text("", {"year": 2028, "rows": 3}) == "年度：2028；行数：3"


def test_the_audit_viewer_shows_a_year_edit_without_python_lists(client, reviewer_province, auditor):
    year = make_year(2028, catalogue=False)
    services.exam_year_update(actor=reviewer_province, exam_year_id=year.pk, form_opens=datetime.date(2027, 11, 28))
    client.force_login(auditor)
    body = client.get(reverse("backoffice:audit"), {"event": "exam_year.update"}).content.decode()
    assert "省网填报开始：2027年12月16日 → 2027年11月28日" in body
    assert "[&#x27;" not in body and "form_opens=" not in body


def test_a_details_key_named_like_a_reverse_relation_reads_as_it_is():
    """RosterUpload's `rows` is a reverse relation, which has no verbose name: the log page showing a
    roster upload's entry was a 500 (reviewer probe); it reads as the log names the key."""
    assert details_text("reconcile.RosterUpload", {"file": "名单.xlsx", "rows": 3}) == "文件：名单.xlsx；行数：3"
    for model in apps.get_models():
        label = model._meta.label
        for relation in model._meta.related_objects:
            details_text(label, {relation.name: 1, "changes": {relation.name: [1, 2]}})
