import csv
import datetime
import io
import re
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from prereg.accounts.models import Role
from prereg.applications.models import Application, Stage, State
from prereg.audit.models import AuditEvent
from prereg.core.masking import mask_id_number, mask_phone
from prereg.exports import runner, services
from prereg.exports.models import ColumnSet, ExportFormat, ExportJob, ExportStatus
from tests.factories import ExportJobFactory, UserFactory, WorkRowFactory, make_application, spread

REVIEWERS = ["reviewer_province", "reviewer_fuzhou", "reviewer_quanzhou", "reviewer_anxi_bureau",
             "reviewer_gulou_bureau", "reviewer_anxi_hospital", "reviewer_lianjiang_hospital"]


def read_csv(job) -> list[dict]:
    with default_storage.open(job.file.name, "rb") as fh:
        text = fh.read().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def export(user, **kwargs) -> ExportJob:
    kwargs.setdefault("kind", "applications")
    kwargs.setdefault("format", "csv")
    job = services.export_request(actor=user, **kwargs)
    job.refresh_from_db()
    return job


@pytest.mark.parametrize("who", REVIEWERS)
def test_each_role_exports_exactly_the_applications_it_can_see(request, who, tree, year):
    # Unit reviewers exist before submission, so the unit reviews its own (as routing says).
    user = request.getfixturevalue(who)
    request.getfixturevalue("reviewer_anxi_hospital")
    request.getfixturevalue("reviewer_lianjiang_hospital")
    spread(tree, year)
    job = export(user)
    assert job.status == ExportStatus.DONE, job.error
    exported = {row["报名号"] for row in read_csv(job)}
    expected = set(Application.objects.visible_to(user).values_list("number", flat=True))
    assert expected, "the spread must give every role something to export"
    assert exported == expected
    assert job.row_count == len(expected)


def test_the_sysadmin_exports_no_application(tree, year, sysadmin):
    """三员分立: the sysadmin runs the system, not candidates' data (issue 16)."""
    spread(tree, year)
    job = export(sysadmin)
    assert job.status == ExportStatus.DONE and read_csv(job) == [] and job.row_count == 0


def test_xlsx_export_has_the_roster_columns_and_the_scoped_rows(tree, year, reviewer_quanzhou):
    spread(tree, year)
    job = export(reviewer_quanzhou, format="xlsx")
    with default_storage.open(job.file.name, "rb") as fh:
        rows = xlsx_cells(fh.read())
    assert rows[0][:4] == ["序号", "报名号", "姓名", "性别"]
    numbers = {r[1] for r in rows[1:]}
    assert numbers == set(Application.objects.visible_to(reviewer_quanzhou).values_list("number", flat=True))
    assert job.file.name.startswith("exports/")
    assert job.file_name.endswith(".xlsx") and "花名册" in job.file_name


def test_a_candidate_or_the_auditor_cannot_export(candidate, auditor):
    for user in (candidate, auditor):
        with pytest.raises(PermissionDenied):
            export(user)


def test_every_role_gets_masked_numbers_by_default(
        tree, year, reviewer_province, reviewer_quanzhou, reviewer_anxi_bureau, reviewer_anxi_hospital):
    """Issue 16: exports for 考点 and 考区 carried full ID numbers and phones by default."""
    application = make_application(tree, year, "35052401")
    for user in (reviewer_province, reviewer_quanzhou, reviewer_anxi_bureau, reviewer_anxi_hospital):
        row = read_csv(export(user))[0]
        assert row["证件编号"] == mask_id_number(application.id_number) != application.id_number
        assert row["手机号码"] == mask_phone(application.phone) != application.phone


def test_district_and_site_get_full_numbers_when_they_ask_and_it_is_audited_as_such(
        tree, year, reviewer_province, reviewer_quanzhou, reviewer_anxi_bureau, reviewer_anxi_hospital):
    application = make_application(tree, year, "35052401")
    for user in (reviewer_province, reviewer_quanzhou):
        job = export(user, full_numbers=True)
        row = read_csv(job)[0]
        assert (row["证件编号"], row["手机号码"]) == (application.id_number, application.phone)
        assert AuditEvent.objects.get(event="export.requested", object_id=str(job.pk)).details["full_numbers"] is True
    for user in (reviewer_anxi_bureau, reviewer_anxi_hospital):
        with pytest.raises(PermissionDenied):
            export(user, full_numbers=True)
    assert ExportJob.objects.filter(full_numbers=True).count() == 2


def test_every_export_is_audited_with_its_filter_and_row_count(tree, year, reviewer_quanzhou):
    spread(tree, year)
    job = export(reviewer_quanzhou, filters={"state": "returned"})
    finished = AuditEvent.objects.get(event="export.finished", object_id=str(job.pk))
    assert finished.actor_id == reviewer_quanzhou.pk
    assert finished.details["filters"] == {"state": "returned"}
    assert finished.details["rows"] == job.row_count == 1
    assert AuditEvent.objects.filter(event="export.requested", object_id=str(job.pk)).exists()


def test_filters_narrow_the_scope_and_never_widen_it(tree, year, reviewer_quanzhou, reviewer_province):
    spread(tree, year)
    old = make_application(tree, year, "35052401", State.APPROVED, days_ago=10, name="张三丰")
    visible = Application.objects.visible_to(reviewer_quanzhou)
    cases = [
        ({"state": "approved"}, visible.filter(state=State.APPROVED)),
        ({"stage": "site", "state": "in_review"}, visible.filter(stage=Stage.SITE_REVIEW, state=State.IN_REVIEW)),
        ({"q": "张三丰"}, visible.filter(pk=old.pk)),
        ({"q": old.id_number}, visible.filter(pk=old.pk)),
        ({"submitted_to": (timezone.localdate() - datetime.timedelta(days=5)).isoformat()}, visible.filter(pk=old.pk)),
        ({"unit": tree["35052401"].pk}, visible.filter(unit=tree["35052401"])),
    ]
    for filters, expected in cases:
        rows = read_csv(export(reviewer_quanzhou, filters=filters))
        assert {r["报名号"] for r in rows} == set(expected.values_list("number", flat=True)), filters
    # A unit of another city names nothing in a 泉州 reviewer's scope.
    assert read_csv(export(reviewer_quanzhou, filters={"unit": tree["35010201"].pk})) == []
    # An explicit selection cannot reach outside the scope either.
    fuzhou = Application.objects.filter(unit=tree["35010201"]).values_list("pk", flat=True)
    assert read_csv(export(reviewer_quanzhou, filters={"ids": list(fuzhou)})) == []


def test_full_and_eligibility_sets_flatten_the_child_rows(tree, year, reviewer_province):
    make_application(tree, year, "35052401", children=True)
    full = read_csv(export(reviewer_province, columns=ColumnSet.FULL))[0]
    assert full["学历"].splitlines() == ["本科 2012-07 福建医科大学 全日制 护理学",
                                        "硕士研究生 2015-07 厦门大学 全日制 护理学"]
    assert full["工作情况"] == "安溪县医院 护师 2012-08 - 至今 护理"
    assert full["当前审核机构"] == "安溪县卫生健康局"  # no unit reviewer: the point reviews
    eligibility = read_csv(export(reviewer_province, columns=ColumnSet.ELIGIBILITY))[0]
    assert eligibility["参评学历"] == "本科 福建医科大学"  # the first education row is the 参评 one
    assert eligibility["学历取得时间"] == "2012-07"
    assert eligibility["学历专业"] == "护理学"


def test_a_formula_typed_by_a_candidate_stays_text(tree, year, reviewer_province):
    make_application(tree, year, "35052401", name="=HYPERLINK(\"http://x\")")
    row = read_csv(export(reviewer_province))[0]
    assert row["姓名"].startswith("'=")


def test_the_download_is_the_owners_only_and_is_audited(client, tree, year, reviewer_quanzhou, reviewer_fuzhou):
    spread(tree, year)
    job = export(reviewer_quanzhou)
    url = reverse("backoffice:export_download", args=[job.pk])
    client.force_login(reviewer_fuzhou)
    assert client.get(url).status_code == 404
    client.force_login(reviewer_quanzhou)
    response = client.get(url)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0].startswith("序号,报名号")
    assert AuditEvent.objects.filter(event="export.download", object_id=str(job.pk),
                                     actor_id=reviewer_quanzhou.pk).count() == 1


def test_files_expire_and_are_removed(client, settings, tree, year, reviewer_quanzhou):
    settings.EXPORT_TTL_HOURS = 2
    make_application(tree, year, "35052401")
    job = export(reviewer_quanzhou)
    assert job.expires_at - job.finished_at == datetime.timedelta(hours=2)
    name = job.file.name
    assert default_storage.exists(name)
    assert runner.purge_expired() == 0
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    client.force_login(reviewer_quanzhou)
    response = client.get(reverse("backoffice:export_download", args=[job.pk]))
    assert response.status_code == 302  # refused with a message, even before the sweep
    call_command("purge_exports", stdout=io.StringIO())
    job.refresh_from_db()
    assert job.status == ExportStatus.EXPIRED and not job.file
    assert not default_storage.exists(name)
    assert AuditEvent.objects.filter(event="export.expired").exists()


def test_a_user_may_have_only_a_few_jobs_running_but_others_are_not_held_up(tree, year, reviewer_quanzhou,
                                                                            reviewer_fuzhou):
    for _ in range(services.MAX_ACTIVE_JOBS):
        ExportJobFactory(owner=reviewer_quanzhou, running=True)
    with pytest.raises(ValidationError):
        export(reviewer_quanzhou)
    assert export(reviewer_fuzhou).status == ExportStatus.DONE


def test_a_job_whose_owner_lost_the_right_fails_without_a_file(tree, year, reviewer_quanzhou):
    make_application(tree, year, "35052401")
    job = ExportJobFactory(owner=reviewer_quanzhou, queued=True)
    reviewer_quanzhou.is_active = False
    reviewer_quanzhou.save()
    runner.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and not job.file
    assert AuditEvent.objects.filter(event="export.failed", object_id=str(job.pk)).exists()


def test_a_job_runs_once_even_if_the_task_is_delivered_twice(tree, year, reviewer_quanzhou):
    make_application(tree, year, "35052401")
    job = export(reviewer_quanzhou)
    runner.run_job(job.pk)
    assert AuditEvent.objects.filter(event="export.finished", object_id=str(job.pk)).count() == 1


def test_another_role_than_staff_cannot_use_the_row_of_someone_else(tree, year):
    other = UserFactory(role=Role.SITE, org=tree["350500"])
    owner = UserFactory(role=Role.SITE, org=tree["350500"])
    make_application(tree, year, "35052401")
    job = export(owner)
    with pytest.raises(Exception) as excinfo:
        services.export_download(actor=other, job_id=job.pk)
    assert excinfo.typename == "Http404"


@pytest.mark.django_db(transaction=True)
def test_two_users_exporting_at_once_both_finish(postgres_only, tree, year, reviewer_quanzhou, reviewer_fuzhou):
    import threading

    from django.db import connection

    make_application(tree, year, "35052401")
    make_application(tree, year, "35010201")
    jobs = [ExportJobFactory(owner=user, queued=True, format=ExportFormat.XLSX)
            for user in (reviewer_quanzhou, reviewer_fuzhou)]
    errors = []

    def work(job_id):
        try:
            runner.run_job(job_id)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(job.pk,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert [ExportJob.objects.get(pk=j.pk).status for j in jobs] == [ExportStatus.DONE, ExportStatus.DONE]
    assert [ExportJob.objects.get(pk=j.pk).row_count for j in jobs] == [1, 1]


def test_child_rows_stay_with_their_application_across_chunks(monkeypatch, tree, year, reviewer_quanzhou):
    # Child rows are read once per table for the whole scope and handed out chunk by chunk.
    from prereg.exports import columns

    monkeypatch.setattr(columns, "CHUNK", 2)
    apps = []
    for i in range(5):
        apps.append(make_application(tree, year, "35010201" if i == 2 else "35052401", name=f"考生{i}",
                                     children=True))
        WorkRowFactory(application=apps[-1], unit_name=f"第{i}单位", title="主管护师", start=datetime.date(2020, 1, 1),
                       major="护理", order=1)
    rows = read_csv(export(reviewer_quanzhou, columns=ColumnSet.FULL))
    assert [r["姓名"] for r in rows] == ["考生0", "考生1", "考生3", "考生4"]  # 考生2 is in 福州
    for row in rows:
        i = row["姓名"][-1]
        assert row["工作情况"].splitlines()[1] == f"第{i}单位 主管护师 2020-01 - 至今 护理"
        assert len(row["学历"].splitlines()) == 2
    assert "第2单位" not in str(rows)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_progress_moves_with_the_rows_written_and_ends_at_100(monkeypatch, tree, year, reviewer_quanzhou, fmt):
    from prereg.exports import columns

    monkeypatch.setattr(columns, "CHUNK", 2)
    for _ in range(6):
        make_application(tree, year, "35052401")
    seen = []
    original = runner._Progress.__call__

    def spy(self, *args):
        original(self, *args)
        seen.append(self.last)

    monkeypatch.setattr(runner._Progress, "__call__", spy)
    job = export(reviewer_quanzhou, format=fmt)
    assert seen == [33, 66, 99]
    assert (job.progress, job.row_count) == (100, 6)


def test_jobs_a_restarted_worker_lost_fail_and_free_their_owners_places(client, tree, year, reviewer_quanzhou):
    make_application(tree, year, "35052401")
    long_ago = timezone.now() - runner.stale_after() - datetime.timedelta(minutes=1)
    lost = [ExportJobFactory(owner=reviewer_quanzhou, running=True, started_at=long_ago)
            for _ in range(services.MAX_ACTIVE_JOBS - 1)]
    never_taken = ExportJobFactory(owner=reviewer_quanzhou, queued=True)
    ExportJob.objects.filter(pk=never_taken.pk).update(created_at=long_ago)
    working = ExportJobFactory(owner=reviewer_quanzhou, running=True, started_at=timezone.now())
    client.force_login(reviewer_quanzhou)
    html = client.get(reverse("backoffice:exports")).content.decode()
    assert html.count("生成中断") == len(lost) + 1  # shown as failed, no longer polled
    for job in [*lost, never_taken]:
        job.refresh_from_db()
        assert job.status == ExportStatus.FAILED and job.error == runner.STALE_MESSAGE
    working.refresh_from_db()
    assert working.status == ExportStatus.RUNNING  # a job still within its time is left alone
    assert export(reviewer_quanzhou).status == ExportStatus.DONE  # the lost ones hold no place
    event = AuditEvent.objects.get(event="export.abandoned")
    assert sorted(event.details["jobs"]) == sorted(job.pk for job in [*lost, never_taken])


def test_a_queued_job_failed_as_lost_is_not_taken_later(tree, year, reviewer_quanzhou):
    make_application(tree, year, "35052401")
    job = ExportJobFactory(owner=reviewer_quanzhou, queued=True)
    ExportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - runner.stale_after() - datetime.timedelta(minutes=1))
    assert runner.abandon_stale() == 1
    runner.run_job(job.pk)  # the task delivered at last: the job is not taken any more
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and not job.file


@pytest.mark.django_db(transaction=True)
def test_no_read_stays_open_between_chunks_so_other_connections_write_while_an_export_runs(
        monkeypatch, tree, year, reviewer_quanzhou):
    # A cursor kept open across chunks made SQLite refuse the job's progress once its heartbeat
    # thread had written ("database is locked"): each chunk is read whole instead.
    import threading

    from django.db import connection

    from prereg.exports import columns

    monkeypatch.setattr(columns, "CHUNK", 2)
    apps = [make_application(tree, year, "35052401", children=True) for _ in range(6)]
    job = ExportJobFactory(owner=reviewer_quanzhou, queued=True, format=ExportFormat.CSV, columns=ColumnSet.FULL)
    errors = []
    original = runner._Progress.__call__

    def write_elsewhere():
        try:
            # A candidate saving and the heartbeat, each on its own connection.
            Application.objects.filter(pk=apps[-1].pk).update(postcode="350001")
            ExportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    def progress_then_others_write(self, *args):
        original(self, *args)
        thread = threading.Thread(target=write_elsewhere)
        thread.start()
        thread.join(10)

    monkeypatch.setattr(runner._Progress, "__call__", progress_then_others_write)
    runner.run_job(job.pk)
    job.refresh_from_db()
    assert not errors
    assert (job.status, job.row_count) == (ExportStatus.DONE, 6), job.error


def xlsx_cells(content: bytes) -> list[list[str]]:
    """Rows of the first sheet's text (inline strings, as constant_memory writes them)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
        shared = []
        if "xl/sharedStrings.xml" in archive.namelist():
            shared = re.findall(r"<t[^>]*>(.*?)</t>", archive.read("xl/sharedStrings.xml").decode(), re.S)
    rows = []
    for row_xml in re.findall(r"<row[^>]*>(.*?)</row>", xml, re.S):
        cells = []
        for attrs, body in re.findall(r"<c([^>]*)>(.*?)</c>", row_xml, re.S):
            text = re.search(r"<t[^>]*>(.*?)</t>", body, re.S)
            value = re.search(r"<v>(.*?)</v>", body, re.S)
            if text:
                cells.append(text.group(1))
            elif value and 't="s"' in attrs:
                cells.append(shared[int(value.group(1))])
            elif value:
                cells.append(value.group(1))
        rows.append(cells)
    return rows


@pytest.mark.django_db(transaction=True)
def test_requests_at_once_stay_within_the_limit(postgres_only, settings, tree, year, reviewer_quanzhou):
    # The probe's eight parallel posts queued four jobs: each counted the others before they were written.
    from prereg.exports.models import ExportKind
    from tests.concurrency import at_once

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend",
                                  "QUEUES": ["default", "exports", "ocr"]}}
    outcomes = at_once(*[lambda: services.export_request(actor=reviewer_quanzhou, kind=ExportKind.APPLICATIONS)] * 6)
    assert ExportJob.objects.filter(owner=reviewer_quanzhou).count() == services.MAX_ACTIVE_JOBS
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 6 - services.MAX_ACTIVE_JOBS


def test_the_temporary_files_of_exports_killed_mid_way_are_removed(tree, year, reviewer_quanzhou, tmp_path,
                                                                  settings, monkeypatch):
    # The probe killed the worker mid-export and found a 3 MB partial CSV of the full record in /tmp.
    import tempfile
    from pathlib import Path

    tmp_path = Path(tempfile.gettempdir())  # the test's own (conftest)
    killed = ExportJobFactory(owner=reviewer_quanzhou, running=True)
    running = ExportJobFactory(owner=reviewer_quanzhou, running=True)
    ExportJob.objects.filter(pk=killed.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(minutes=5))
    for job in (killed, running):
        (tmp_path / f"{runner.TMP_PREFIX}{job.pk}-x1y2.csv").write_text("姓名,证件号码\n")
    (tmp_path / "someone-else.csv").write_text("")
    runner.abandon_stale()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"{runner.TMP_PREFIX}{running.pk}-x1y2.csv", "someone-else.csv"])


def test_a_file_cut_by_a_full_disk_is_removed_and_the_job_fails(monkeypatch, tree, year, reviewer_quanzhou):
    """Faults probe: the storage's save, cut by a full disk, left the part written (names, addresses)
    under exports/, named by no job and never purged; each retry left one more."""
    import errno

    from django.core.files.base import ContentFile

    make_application(tree, year, "35052401")
    real_save = default_storage.save
    cut = []

    def full_disk(name, content, **kwargs):
        cut.append(real_save(name, ContentFile("序号,姓名,联系地址\n1,李娜,".encode())))  # the part written
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(default_storage, "save", full_disk)
    job = export(reviewer_quanzhou, format="csv")
    assert job.status == ExportStatus.FAILED and job.error == "生成失败，请稍后重试或联系管理员。"
    assert cut and not default_storage.exists(cut[0])
