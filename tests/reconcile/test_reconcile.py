"""国网名单核对: the lists, the scope, all or nothing, replacing, the remembered mapping, the reminders'
limit, the review screen and the 汇总提交 warning (the export of a list: test_reconcile_export_job)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from prereg.accounts.models import Role
from prereg.applications.models import Stage, State
from prereg.audit.models import AuditEvent
from prereg.notify.models import Reminder, RosterReminder, SmsMessage
from prereg.reconcile import services
from prereg.reconcile.models import (
    ListKind,
    MissingApplication,
    RosterMapping,
    RosterRow,
    RosterUpload,
    UploadStatus,
)
from prereg.reconcile.selectors import list_queryset
from tests.exports.test_reminders import a_day_later
from tests.factories import UserFactory
from tests.reconcile.helpers import (
    HEADER_2020,
    HEADER_2021,
    anxi_application,
    as_2021,
    csv_bytes,
    line_2020,
    person,
    proposed_columns,
    upload_and_import,
)


def names(upload, kind):
    rows = list_queryset(upload, kind)
    if kind == ListKind.ONLY_PROVINCIAL:
        return sorted(m.application.name for m in rows)
    return sorted(r.name for r in rows)


def test_each_kind_of_difference_lands_in_its_list(imported):
    apps, upload = imported
    assert names(upload, ListKind.ONLY_NATIONAL) == sorted(["吴草", "何号", "施国"])
    assert names(upload, ListKind.ONLY_PROVINCIAL) == ["周省"]
    assert names(upload, ListKind.DIFFERENT) == sorted(["王级", "陈专", "林明"])
    assert names(upload, ListKind.UNCONFIRMED) == ["黄待"]
    assert names(upload, ListKind.CONSISTENT) == ["李同"]
    different = {r.name: r.differences for r in RosterRow.objects.filter(upload=upload, kind="both")}
    assert different["王级"] == ["报考级别"] and different["陈专"] == ["报考专业"] and different["林明"] == ["姓名"]
    assert upload.counts == {"national": 3, "provincial": 1, "different": 3, "unconfirmed": 1, "consistent": 1}


def test_the_only_national_row_of_a_draft_here_names_its_unit(imported):
    _apps, upload = imported
    rows = {r.name: r for r in RosterRow.objects.filter(upload=upload, kind="national").select_related("unit")}
    assert rows["吴草"].unit.name == "安溪县医院" and rows["吴草"].candidate_id
    # An account with no application this year reads as no account at all (security probe F3).
    assert (rows["何号"].candidate_id, rows["何号"].unit) == (rows["施国"].candidate_id, rows["施国"].unit) == (None, None)


def test_rows_outside_the_scope_are_counted_not_shown(imported):
    _apps, upload = imported
    assert upload.total_rows == 10 and upload.outside_rows == 2
    assert not RosterRow.objects.filter(upload=upload, name__in=["郑福", "赵外"]).exists()
    assert "郑福" not in names(upload, ListKind.ONLY_PROVINCIAL)  # the 福州 application is not 泉州's to miss


def test_a_registration_point_reconciles_its_own_subtree_only(roster, tree, year, reviewer_anxi_bureau):
    apps, rows = roster
    anxi_application(tree, year, "泉外", unit="35052401")  # in 安溪, missing from the roster
    result = upload_and_import(reviewer_anxi_bureau, csv_bytes(HEADER_2020, rows))
    assert result.ok
    assert sorted(names(result.upload, ListKind.ONLY_PROVINCIAL)) == ["周省", "泉外"]
    assert result.upload.outside_rows == 2


def test_the_application_is_matched_whatever_the_case_and_spaces_of_its_id_number(tree, year, reviewer_quanzhou):
    number = next(n for n in (person(i) for i in range(40)) if n.endswith("X"))
    app = anxi_application(tree, year, "李同", id_number=number)
    spaced = f"{number[:4]} {number[4:10]} {number[10:].lower()}"
    result = upload_and_import(reviewer_quanzhou, csv_bytes(HEADER_2020, [line_2020(app, id_number=spaced)]))
    assert result.ok, result.upload.errors
    row = RosterRow.objects.get(upload=result.upload)
    assert row.id_number == number and row.application_id == app.pk  # uppercase X, as the form stores it


def test_one_bad_row_imports_nothing_and_lists_each_reason(roster, reviewer_quanzhou):
    apps, rows = roster
    good = upload_and_import(reviewer_quanzhou, csv_bytes(HEADER_2020, rows)).upload
    bad = [*rows, line_2020(apps["same"]), line_2020(None, name="", id_number="12#"),
           line_2020(None, name="错号", id_number="3505241990010150", phone="123")]
    result = upload_and_import(reviewer_quanzhou, csv_bytes(HEADER_2020, bad))
    assert not result.ok
    reasons = dict(result.upload.errors)
    assert reasons[12] == "证件号码与第2行重复"
    assert "证件号码格式不正确" in reasons[13] and "姓名为空" in reasons[13]
    assert reasons[14] == "手机号格式不正确"
    assert result.upload.status == UploadStatus.PENDING
    # Nothing half-imported: the roster in force is the good one, whole.
    good.refresh_from_db()
    assert good.status == UploadStatus.DONE and RosterRow.objects.filter(upload=good).count() == 8
    assert not RosterRow.objects.filter(upload=result.upload).exists()
    assert AuditEvent.objects.filter(event="reconcile.roster_imported", outcome="failure").count() == 1


def test_a_reupload_replaces_the_previous_roster_of_the_org_and_year(roster, reviewer_quanzhou, reviewer_province):
    apps, rows = roster
    first = upload_and_import(reviewer_quanzhou, csv_bytes(HEADER_2020, rows)).upload
    province = upload_and_import(reviewer_province, csv_bytes(HEADER_2020, rows[:1])).upload
    second = upload_and_import(reviewer_quanzhou, csv_bytes(HEADER_2020, rows[:2])).upload
    first.refresh_from_db()
    province.refresh_from_db()
    assert first.status == UploadStatus.REPLACED and not RosterRow.objects.filter(upload=first).exists()
    assert not MissingApplication.objects.filter(upload=first).exists()
    assert second.status == UploadStatus.DONE and RosterRow.objects.filter(upload=second).count() == 2
    assert province.status == UploadStatus.DONE  # another org's roster stays
    assert RosterUpload.objects.filter(org=reviewer_quanzhou.org, status=UploadStatus.DONE).count() == 1


def test_the_confirmed_mapping_is_proposed_for_the_next_upload(tree, year, reviewer_quanzhou):
    header = ["名字X", "号码Y", "手机号"]  # headers no synonym knows
    upload = services.roster_upload(actor=reviewer_quanzhou, file_name="a.csv",
                                    content=csv_bytes(header, [["李同", person(1), ""]]))
    assert "name" not in upload.mapping and upload.mapping["phone"] == "手机号"
    result = services.roster_import(actor=reviewer_quanzhou, upload_id=upload.pk,
                                    chosen={"name": "0", "id_number": "1", "phone": "2"})
    assert result.ok, result.upload.errors
    assert RosterMapping.objects.get(org=reviewer_quanzhou.org).mapping == {
        "name": "名字X", "id_number": "号码Y", "phone": "手机号"}
    again = services.roster_upload(actor=reviewer_quanzhou, file_name="b.csv",
                                   content=csv_bytes(["手机号", "号码Y", "名字X"], [["", person(2), "王二"]]))
    assert again.mapping == {"name": "名字X", "id_number": "号码Y", "phone": "手机号"}


def test_the_next_years_headers_import_the_same(roster, reviewer_quanzhou):
    apps, rows = roster
    upload = upload_and_import(reviewer_quanzhou, csv_bytes(HEADER_2021, as_2021(rows), "gb18030")).upload
    assert upload.counts == {"national": 3, "provincial": 1, "different": 3, "unconfirmed": 1, "consistent": 1}


def test_a_required_column_must_be_chosen(roster, reviewer_quanzhou):
    apps, rows = roster
    upload = services.roster_upload(actor=reviewer_quanzhou, file_name="a.csv", content=csv_bytes(HEADER_2020, rows))
    with pytest.raises(Exception) as info:
        services.roster_import(actor=reviewer_quanzhou, upload_id=upload.pk, chosen={"name": "1"})
    assert "证件号码" in str(info.value)


# --- pages ----------------------------------------------------------------------------------------


def test_the_pages_upload_confirm_and_list(client, roster, reviewer_quanzhou):
    apps, rows = roster
    client.force_login(reviewer_quanzhou)
    response = client.post(reverse("backoffice:reconcile"), {"file": SimpleUploadedFile("国网.txt", b"x")})
    assert response.status_code == 400 and "只支持 .xlsx、.xls 或 .csv 文件" in response.content.decode()
    response = client.post(reverse("backoffice:reconcile"),
                           {"file": SimpleUploadedFile("国网.csv", csv_bytes(HEADER_2020, rows))})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "证件号码" in page and 'selected' in page
    upload = RosterUpload.objects.get(org=reviewer_quanzhou.org, status=UploadStatus.PENDING)
    response = client.post(response.url, {**proposed_columns(upload), "upload": upload.pk})
    assert response.status_code == 302
    for kind, shown in [("national", "施国"), ("provincial", "周省"), ("different", "林明"), ("unconfirmed", "黄待"),
                        ("consistent", "李同")]:
        html = client.get(reverse("backoffice:reconcile_list"), {"list": kind}).content.decode()
        assert shown in html, kind
        assert "郑福" not in html and "赵外" not in html
    html = client.get(reverse("backoffice:reconcile_list"), {"list": "different", "diff": "name"}).content.decode()
    assert "林明" in html and "王级" not in html


def test_a_unit_reviewer_has_no_reconciliation(client, reviewer_anxi_hospital):
    client.force_login(reviewer_anxi_hospital)
    assert client.get(reverse("backoffice:reconcile")).status_code == 403


def test_lists_are_per_org_so_another_site_sees_none_of_them(client, imported, reviewer_fuzhou):
    client.force_login(reviewer_fuzhou)
    response = client.get(reverse("backoffice:reconcile_list"), {"list": "national"})
    assert response.status_code == 302  # 福州 has uploaded nothing: its own page, no 泉州 rows


def test_another_orgs_pending_upload_is_not_found(client, roster, reviewer_quanzhou, reviewer_fuzhou):
    apps, rows = roster
    upload = services.roster_upload(actor=reviewer_quanzhou, file_name="a.csv", content=csv_bytes(HEADER_2020, rows))
    client.force_login(reviewer_fuzhou)
    response = client.get(reverse("backoffice:reconcile_mapping"))
    assert response.status_code == 302  # 福州's own (none), never 泉州's
    response = client.post(reverse("backoffice:reconcile_mapping"), {"upload": upload.pk, "name": "1", "id_number": "2"})
    assert response.status_code == 302
    upload.refresh_from_db()
    assert upload.status == UploadStatus.PENDING


def test_remind_is_post_only(client, imported, reviewer_quanzhou):
    client.force_login(reviewer_quanzhou)
    assert client.get(reverse("backoffice:reconcile_remind")).status_code == 405


# --- reminders ------------------------------------------------------------------------------------


def _remind(actor, upload, kind, **names_):
    keys = [item.pk for item in list_queryset(upload, kind)
            if (item.application.name if kind == "provincial" else item.name) in names_.get("only", [])]
    return services.roster_remind(actor=actor, kind=kind, keys=keys)


def test_reminders_go_to_the_account_of_a_draft_here_only(imported, reviewer_quanzhou):
    apps, upload = imported
    result = _remind(reviewer_quanzhou, upload, "national", only=["吴草", "何号", "施国"])
    assert result["sent"] == 1 and len(result["skipped"]) == 2  # no draft here: not reminded (F3)
    phones = set(SmsMessage.objects.filter(purpose="reminder").values_list("phone", flat=True))
    assert phones == {apps["draft"].phone}  # the draft's (the account's) phone, not the roster's 13900000002
    assert Reminder.objects.filter(application=apps["draft"], kind="draft").count() == 1
    assert not RosterReminder.objects.exists()
    assert AuditEvent.objects.filter(event="reconcile.reminder_sent").count() == 1
    text = SmsMessage.objects.get(phone=apps["draft"].phone).text
    assert "吴草" in text and "省网" in text


def test_a_candidate_gets_at_most_two_reminders_a_year_counting_those_of_the_reminder_page(
        imported, reviewer_quanzhou, reviewer_anxi_bureau, client):
    apps, upload = imported
    # One from 提醒考生 (prereg.exports) for the draft, then ours.
    client.force_login(reviewer_anxi_bureau)
    client.post(reverse("backoffice:reminders"), {"ids": [apps["draft"].pk]})
    assert Reminder.objects.filter(application=apps["draft"]).count() == 1
    for _ in range(3):
        a_day_later()  # one a day at most (notify.reminders.REMINDER_GAP)
        _remind(reviewer_quanzhou, upload, "national", only=["吴草"])
        _remind(reviewer_quanzhou, upload, "provincial", only=["周省"])
    a_day_later()
    assert Reminder.objects.filter(candidate=apps["draft"].candidate).count() == 2
    assert Reminder.objects.filter(candidate=apps["provincial"].candidate).count() == 2
    # And 提醒考生 now refuses the draft's third.
    client.post(reverse("backoffice:reminders"), {"ids": [apps["draft"].pk]})
    assert Reminder.objects.filter(candidate=apps["draft"].candidate).count() == 2


def test_only_the_one_sided_lists_remind(imported, reviewer_quanzhou):
    _apps, upload = imported
    with pytest.raises(Exception, match="不发送提醒"):
        services.roster_remind(actor=reviewer_quanzhou, kind="different", keys=[1])


def test_the_district_may_not_remind_by_default(imported, reviewer_province):
    _apps, upload = imported
    with pytest.raises(PermissionDenied):
        services.roster_remind(actor=reviewer_province, kind="national", keys=[1])


def test_the_reminder_page_through_the_view(client, imported, reviewer_quanzhou):
    _apps, upload = imported
    row = RosterRow.objects.get(upload=upload, name="吴草")
    client.force_login(reviewer_quanzhou)
    response = client.post(reverse("backoffice:reconcile_remind"), {"list": "national", "ids": [row.pk]})
    assert response.status_code == 302
    html = client.get(response.url).content.decode()
    assert "已发送提醒短信 1 条" in html and "1/2" in html


# --- the review screen and 汇总提交 -----------------------------------------------------------------


def test_the_review_screen_shows_the_national_status_from_the_latest_roster(client, imported, reviewer_anxi_bureau):
    apps, upload = imported
    client.force_login(reviewer_anxi_bureau)
    html = client.get(reverse("backoffice:review", args=[apps["level"].pk])).content.decode()
    assert 'data-national="信息不一致"' in html and "报考级别" in html and "泉州市卫生健康委员会" in html
    html = client.get(reverse("backoffice:review", args=[apps["provincial"].pk])).content.decode()
    assert 'data-national="国网名单中没有（只在省网）"' in html
    html = client.get(reverse("backoffice:review", args=[apps["same"].pk])).content.decode()
    assert 'data-national="一致"' in html


def test_forwarding_warns_of_applications_the_roster_lacks(client, roster, tree, year, reviewer_quanzhou):
    apps, rows = roster
    waiting = [anxi_application(tree, year, name, stage=Stage.SITE_REVIEW, awaiting_forward=True)
               for name in ("待转甲", "待转乙")]
    client.force_login(reviewer_quanzhou)
    html = client.get(reverse("backoffice:forward")).content.decode()
    assert "尚无国网名单可核对" in html
    upload_and_import(reviewer_quanzhou, csv_bytes(HEADER_2020, [*rows, line_2020(waiting[0])]))
    html = client.get(reverse("backoffice:forward")).content.decode()
    assert "其中<strong>1</strong>条报名信息不在国网名单中" in html and "待转乙" in html
    assert "按泉州市卫生健康委员会" in html and "?list=provincial" in html  # its own roster: its own list
    assert "其中1条不在国网名单中" in html  # the confirm question says it too


def test_an_upload_needs_a_reviewer_of_an_org(sysadmin):
    with pytest.raises(PermissionDenied):
        services.roster_upload(actor=sysadmin, file_name="a.csv", content=csv_bytes(HEADER_2020, []))


def test_a_district_reviewer_without_the_function_is_refused(tree, year):
    unit = UserFactory(username="u1", role=Role.UNIT, org=tree["35052401"])
    with pytest.raises(PermissionDenied):
        services.roster_upload(actor=unit, file_name="a.csv", content=csv_bytes(HEADER_2020, []))


def test_state_returned_counts_as_on_the_provincial_side(tree, year, reviewer_quanzhou):
    app = anxi_application(tree, year, "退回", state=State.RETURNED)
    result = upload_and_import(reviewer_quanzhou, csv_bytes(HEADER_2020, [line_2020(app)]))
    assert result.upload.counts["consistent"] == 1


def test_the_demo_roster_of_quanzhou_shows_each_kind(db, tmp_path, monkeypatch):
    monkeypatch.setattr("prereg.demo.people.PASSWORD_FILE", tmp_path / "pw.txt")
    call_command("seed_demo", quiet_accounts=True)
    upload = RosterUpload.objects.get(org__code="350500", status=UploadStatus.DONE)
    assert all(upload.counts[k] >= 1 for k in ListKind.values), upload.counts
    assert upload.outside_rows == 1
    call_command("seed_demo", quiet_accounts=True)
    assert RosterUpload.objects.filter(org__code="350500").count() == 1


def test_a_reminder_chosen_on_a_roster_since_replaced_is_refused(client, roster, reviewer_quanzhou):
    apps, rows = roster
    first = upload_and_import(reviewer_quanzhou, csv_bytes(HEADER_2020, rows)).upload
    row = RosterRow.objects.get(upload=first, name="施国")
    upload_and_import(reviewer_quanzhou, csv_bytes(HEADER_2020, rows))
    client.force_login(reviewer_quanzhou)
    response = client.post(reverse("backoffice:reconcile_remind"), {"list": "national", "ids": [row.pk],
                                                                   "upload": first.pk}, follow=True)
    assert "国网名单已重新上传" in response.content.decode()
    assert not SmsMessage.objects.exists()
