"""The audit log's 详情, on the page and in its CSV, reads in Chinese (reviewer-journey probe F2): it showed
from=['in_review', 'point']；to=['in_review', 'unit'], known_account=True, slot=id_front, q=李娜；found=1,
attempts_cleared=1, and the CSV's 对象类型 applications.Application beside raw JSON."""

import csv
import io

import pytest
from django.urls import reverse

from prereg.accounts.models import Role
from prereg.applications import services
from prereg.applications.models import EducationRow, ImageSlot, State
from prereg.audit.details import details_text
from prereg.audit.models import AuditEvent
from prereg.orgs.stages import Stage
from tests.factories import (
    ApplicationImageFactory,
    CandidateFactory,
    UserFactory,
    make_application,
    submitted,
)

# What the probe read, none of which an auditor should see in a 详情 or an 对象类型.
RAW = ["in_review", "'point'", "'unit'", "from=", "to=", "known_account", "True", "slot", "id_front", "q=",
       "found", "attempts_cleared", "changes", "applications.Application", "{", "[", "#hmac:"]


@pytest.fixture
def journey(client, tree, year, reviewer_anxi_bureau, reviewer_anxi_hospital):
    """The six acts of the probe, each done the way a user does it."""
    for code, role in (("350500", Role.SITE), ("350000", Role.DISTRICT)):
        UserFactory(role=role, org=tree[code])
    # 报名点 returns an application to the 单位 (退回上一环节).
    at_point = make_application(tree, year, "35052401", State.IN_REVIEW, Stage.POINT_CONFIRM)
    services.application_reject(actor=reviewer_anxi_bureau, application_id=at_point.pk,
                                expected_version=at_point.version, reason="学历证书不清晰", to="previous")
    # A wrong password at a candidate's account, which the 单位 then unlocks.
    li_na = CandidateFactory(name="李娜")
    make_application(tree, year, "35052401", candidate=li_na, name="李娜")
    client.post(reverse("accounts:login"), {"username": li_na.username, "password": "wrong"})
    client.force_login(reviewer_anxi_hospital)
    client.get(reverse("backoffice:candidates"), {"q": "李娜"})
    client.post(reverse("backoffice:candidate_unlock", args=[li_na.pk]))
    # The 单位 opens an ID card image and corrects a name and a school.
    corrected = submitted(tree, year)
    image = ApplicationImageFactory(application=corrected, slot=ImageSlot.ID_FRONT)
    client.get(reverse("files:image", args=[image.pk]))
    school = EducationRow.objects.get(application=corrected)
    services.application_edit(actor=reviewer_anxi_hospital, application_id=corrected.pk,
                              expected_version=corrected.version,
                              changes={"name": "李敏", f"education:{school.pk}.school": "厦门大学"})
    return {"school": school}


EXPECTED = {
    "application.reject_previous": ["原状态：审核中（报名点确认）", "新状态：审核中（单位审查）", "意见：学历证书不清晰"],
    "auth.login_failed": ["已知账号：是"],
    "account.candidate_search": ["查询：李娜；查到人数：1"],
    "account.unlock": ["清除登录失败次数：1"],
    "image.view": ["图片：身份证正面"],
    "application.edit.values": ["姓名：李娜 → 李敏", "学校：福建医科大学 → 厦门大学"],
}


def test_the_log_page_shows_each_entrys_details_in_chinese(client, auditor, journey):
    client.force_login(auditor)
    for event, texts in EXPECTED.items():
        body = client.get(reverse("backoffice:audit"), {"event": event}).content.decode()
        rows = body.split("<tbody>")[1].split("</tbody>")[0]
        assert event in rows  # the code stays beside the name: the manual has users search by it
        details = [cell for cell in rows.split("<td>") if any(text in cell for text in texts)]
        assert details, (event, rows)
        for text in texts:
            assert text in details[0], (event, details[0])
        for raw in RAW:
            assert raw not in details[0], (event, raw, details[0])


def test_the_csv_shows_the_same_details_and_object_names(client, auditor, journey):
    client.force_login(auditor)
    text = b"".join(client.get(reverse("backoffice:audit_export")).streaming_content).decode("utf-8-sig")
    header, *rows = csv.reader(io.StringIO(text))
    kind, details, event = header.index("对象类型"), header.index("详情"), header.index("事件")
    by_event = {row[event]: row for row in rows}
    for name, texts in EXPECTED.items():
        row = by_event[name]
        for expected in texts:
            assert expected in row[details], (name, row[details])
        for raw in RAW:
            assert raw not in row[details], (name, raw, row[details])
    assert by_event["application.reject_previous"][kind] == "报名信息"
    assert by_event["image.view"][kind] == "证件图片"
    assert "applications.Application" not in {row[kind] for row in rows}


def test_a_correction_of_a_personal_number_stays_masked_with_its_hash_as_stored(tree, year, reviewer_anxi_hospital):
    from prereg.backoffice.views.audit import entry_details
    from prereg.core.validators import id_check_char

    for code, role in (("350524", Role.POINT), ("350500", Role.SITE), ("350000", Role.DISTRICT)):
        UserFactory(role=role, org=tree[code])
    application = submitted(tree, year)
    old, new = application.id_number, "35052419850315002" + id_check_char("35052419850315002")
    services.application_edit(actor=reviewer_anxi_hospital, application_id=application.pk,
                              expected_version=application.version, changes={"id_number": new})
    entry = AuditEvent.objects.get(event="application.edit.values")
    before, after = entry.details["changes"]["id_number"]
    assert f"证件编号：{before} → {after}" in entry_details(entry) and "#hmac:" in before
    assert old not in entry_details(entry) and new not in entry_details(entry)


def test_values_read_by_their_kind_and_an_unknown_key_as_itself():
    entry = AuditEvent(event="test.event", object_type="", details={
        "full_numbers": False, "levels": ["报名点", "考点"], "jobs": [], "opens": "2027-11-28", "parent": None,
        "note_from_a_future_version": 3})
    assert details_text(entry) == (
        "完整证件号码和手机号码：否；机构级别：报名点、考点；导出任务编号：（无）；opens：2027年11月28日；"
        "上级机构代码：（空）；note_from_a_future_version：3")
    # A code a domain app names is given to the reader; one it does not name is shown as it is.
    staged = AuditEvent(event="cross_review.assign", details={"stage": "site", "source": "350100"})
    assert details_text(staged, {"stage": dict(Stage.choices)}) == "审核环节：考点审核；被审机构：350100"
    assert details_text(staged) == "审核环节：site；被审机构：350100"


def test_every_details_key_the_code_records_has_a_chinese_name():
    """A key recorded in a literal details dict (record(…, details={…})) is named in KEY_LABELS."""
    import ast
    import pathlib

    from prereg.audit.details import KEY_LABELS

    keys = set()
    for path in pathlib.Path("prereg").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "record":
                for keyword in node.keywords:
                    if keyword.arg == "details" and isinstance(keyword.value, ast.Dict):
                        keys |= {k.value for k in keyword.value.keys if isinstance(k, ast.Constant)}
    assert len(keys) > 60 and keys - set(KEY_LABELS) == set()


def test_an_export_of_the_log_reads_its_filters_by_the_log_forms_names(client, auditor):
    client.force_login(auditor)
    client.get(reverse("backoffice:audit_export"))
    client.get(reverse("backoffice:audit_export"), {"event": "auth.", "outcome": "failure"})
    body = client.get(reverse("backoffice:audit"), {"event": "audit.export"}).content.decode()
    # The order of the keys is the database's (PostgreSQL's jsonb keeps shorter keys first).
    assert "筛选条件：全部" in body and "筛选条件：事件：auth.，结果：失败" in body and "行数：" in body
