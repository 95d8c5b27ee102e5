import datetime
import io
import logging
import re
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from prereg.applications.models import ApplicationImage, ReviewAction, Stage, State
from prereg.exports.models import ExportJob, ExportStatus
from tests.factories import ExportJobFactory, make_application, spread


@pytest.fixture
def quanzhou(client, reviewer_quanzhou):
    client.force_login(reviewer_quanzhou)
    return client


def test_the_exports_page_shows_the_filter_of_the_list_the_user_came_from(quanzhou, tree, year):
    response = quanzhou.get(reverse("backoffice:exports") + "?state=returned&q=李娜")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="李娜"' in html
    assert re.search(r'<option value="returned" selected>', html)
    assert "默认<strong>脱敏</strong>导出" in html  # masked unless he asks (issue 16)
    assert "style=" not in html and "<script>" not in html


def test_a_bad_filter_link_shows_the_error_at_the_field_and_keeps_the_rest(quanzhou, tree, year):
    response = quanzhou.get(reverse("backoffice:exports") + "?submitted_from=2026-02-01&submitted_to=2026-01-01&q=x")
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in response.content.decode()


def test_creating_an_export_redirects_and_the_job_appears_with_a_download(quanzhou, tree, year, reviewer_quanzhou):
    make_application(tree, year, "35052401", State.RETURNED)
    response = quanzhou.post(reverse("backoffice:export_create"), {
        "kind": "applications", "format": "xlsx", "columns": "roster", "state": "returned"})
    assert response.status_code == 302
    job = ExportJob.objects.get(owner=reviewer_quanzhou)
    assert job.status == ExportStatus.DONE and job.filters == {"state": "returned"} and job.row_count == 1
    page = quanzhou.get(reverse("backoffice:exports")).content.decode()
    assert reverse("backoffice:export_download", args=[job.pk]) in page
    assert "状态：已退回" in page


def test_a_site_asks_for_full_numbers_on_one_export_and_a_unit_cannot(client, quanzhou, tree, year,
                                                                      reviewer_quanzhou, reviewer_anxi_hospital):
    application = make_application(tree, year, "35052401", State.RETURNED)
    assert 'name="full_numbers"' in quanzhou.get(reverse("backoffice:exports")).content.decode()
    form = {"kind": "applications", "format": "csv", "columns": "roster"}
    quanzhou.post(reverse("backoffice:export_create"), form)
    quanzhou.post(reverse("backoffice:export_create"), {**form, "full_numbers": "on"})
    masked, full = ExportJob.objects.filter(owner=reviewer_quanzhou).order_by("pk")
    assert (masked.full_numbers, full.full_numbers) == (False, True)
    with default_storage.open(full.file.name, "rb") as fh:
        assert application.id_number in fh.read().decode("utf-8-sig")
    client.force_login(reviewer_anxi_hospital)
    assert 'name="full_numbers"' not in client.get(reverse("backoffice:exports")).content.decode()
    client.post(reverse("backoffice:export_create"), {**form, "full_numbers": "on"})
    assert not ExportJob.objects.get(owner=reviewer_anxi_hospital).full_numbers


def test_an_invalid_export_form_is_shown_again_with_what_was_typed(quanzhou, tree, year):
    response = quanzhou.post(reverse("backoffice:export_create"), {
        "kind": "applications", "format": "doc", "columns": "roster", "q": "王强"})
    assert response.status_code == 400
    assert 'value="王强"' in response.content.decode()
    assert not ExportJob.objects.exists()


def test_an_expired_job_offers_no_download_before_the_purge_removes_it(quanzhou, tree, year, reviewer_quanzhou):
    """The job row said 已完成 … 下载 until a worker's purge ran, and the link then said 已过期 (data probe)."""
    make_application(tree, year, "35052401")
    quanzhou.post(reverse("backoffice:export_create"), {"kind": "applications", "format": "csv", "columns": "roster"})
    job = ExportJob.objects.get(owner=reviewer_quanzhou)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    html = quanzhou.get(reverse("backoffice:export_status", args=[job.pk])).content.decode()
    assert reverse("backoffice:export_download", args=[job.pk]) not in html
    assert "已过期" in html and "已完成" not in html
    assert "删除" in html  # the owner may still clear it away


def test_a_running_job_row_polls_and_a_finished_one_stops(quanzhou, reviewer_quanzhou):
    job = ExportJobFactory(owner=reviewer_quanzhou, running=True, progress=42)
    html = quanzhou.get(reverse("backoffice:export_status", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in html and '<progress max="100" value="42"' in html
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.FAILED, error="x")
    html = quanzhou.get(reverse("backoffice:export_status", args=[job.pk])).content.decode()
    assert "hx-trigger" not in html


def test_a_job_no_worker_has_taken_for_minutes_says_the_service_may_not_be_running(quanzhou, reviewer_quanzhou):
    # With the task workers stopped the row showed 排队中 0% and nothing else (races probe).
    job = ExportJobFactory(owner=reviewer_quanzhou, queued=True)
    hint = "后台导出服务可能未在运行"
    assert hint not in quanzhou.get(reverse("backoffice:export_status", args=[job.pk])).content.decode()
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - ExportJob.QUEUED_LONG)
    html = quanzhou.get(reverse("backoffice:export_status", args=[job.pk])).content.decode()
    assert hint in html and 'hx-trigger="every 2s"' in html  # still watched: a worker started takes it


def test_another_users_job_status_is_not_found(client, reviewer_fuzhou, reviewer_quanzhou):
    job = ExportJobFactory(owner=reviewer_quanzhou, queued=True)
    client.force_login(reviewer_fuzhou)
    assert client.get(reverse("backoffice:export_status", args=[job.pk])).status_code == 404
    assert client.post(reverse("backoffice:export_delete", args=[job.pk])).status_code == 404


def test_the_owner_deletes_a_finished_job_and_its_file(quanzhou, tree, year, reviewer_quanzhou):
    make_application(tree, year, "35052401")
    quanzhou.post(reverse("backoffice:export_create"), {"kind": "applications", "format": "csv", "columns": "roster"})
    job = ExportJob.objects.get(owner=reviewer_quanzhou)
    name = job.file.name
    assert quanzhou.post(reverse("backoffice:export_delete", args=[job.pk])).status_code == 302
    assert not ExportJob.objects.filter(pk=job.pk).exists()
    assert not default_storage.exists(name)


@pytest.mark.parametrize("name, method", [("exports", "post"), ("export_create", "get")])
def test_wrong_method_is_refused(quanzhou, name, method):
    assert getattr(quanzhou, method)(reverse(f"backoffice:{name}")).status_code == 405


@pytest.mark.parametrize("who", ["candidate", "auditor"])
def test_roles_without_the_export_function_are_refused(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("backoffice:exports")).status_code == 403
    assert client.post(reverse("backoffice:export_create"), {"kind": "applications"}).status_code == 403


def _image(application, slot, row_id=None, data=b"\xff\xd8jpegdata"):
    image = ApplicationImage(application=application, slot=slot, row_id=row_id, sha256="0" * 64, size=len(data),
                             width=10, height=10, content_type="image/jpeg", uploaded_by=application.candidate)
    image.file.save("x.jpg", ContentFile(data), save=False)
    image.save()
    return image


def test_one_applications_images_zip_has_a_folder_for_the_candidate_and_names_by_field(quanzhou, tree, year,
                                                                                        reviewer_quanzhou):
    application = make_application(tree, year, "35052401", name="李娜")
    _image(application, "id_front")
    _image(application, "education", row_id=900)
    _image(application, "education", row_id=901)
    _image(application, "education", row_id=901, data=b"second page")
    response = quanzhou.post(reverse("backoffice:export_application_images", args=[application.pk]))
    assert response.status_code == 302
    job = ExportJob.objects.get(owner=reviewer_quanzhou)
    assert job.status == ExportStatus.DONE, job.error
    with default_storage.open(job.file.name, "rb") as fh, zipfile.ZipFile(io.BytesIO(fh.read())) as archive:
        names = sorted(archive.namelist())
        assert archive.read(f"{application.number}_李娜/学历证书2-2.jpg") == b"second page"
    assert names == sorted([f"{application.number}_李娜/身份证正面.jpg", f"{application.number}_李娜/学历证书1.jpg",
                            f"{application.number}_李娜/学历证书2.jpg", f"{application.number}_李娜/学历证书2-2.jpg"])
    assert "李娜" in job.file_name


def test_images_of_an_application_out_of_scope_are_not_found(client, tree, year, reviewer_fuzhou):
    application = make_application(tree, year, "35052401")
    client.force_login(reviewer_fuzhou)
    response = client.post(reverse("backoffice:export_application_images", args=[application.pk]))
    assert response.status_code == 404
    assert not ExportJob.objects.exists()


def test_batch_confirmation_forms_merge_only_those_past_the_registration_point(tree, year, reviewer_quanzhou):
    pypdf = pytest.importorskip("pypdf")
    from prereg.exports import services

    make_application(tree, year, "35052401", State.APPROVED)
    make_application(tree, year, "35052401", State.IN_REVIEW, Stage.SITE_REVIEW)
    make_application(tree, year, "35052401", State.IN_REVIEW, Stage.POINT_CONFIRM)  # not yet printable
    job = services.export_request(actor=reviewer_quanzhou, kind="confirmations")
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE, job.error
    assert job.row_count == 2
    with default_storage.open(job.file.name, "rb") as fh:
        reader = pypdf.PdfReader(io.BytesIO(fh.read()))
    assert len(reader.pages) >= 2


def test_a_merged_forms_qr_code_is_a_link_to_the_host_the_export_was_asked_from(quanzhou, tree, year,
                                                                                   reviewer_quanzhou, settings):
    """The worker has no request: the QR codes of a merged file held a bare path a phone could not
    open, where the single form's holds the whole link."""
    pypdf = pytest.importorskip("pypdf")
    qrcode = pytest.importorskip("qrcode")
    from prereg.applications.pdf import verify_path
    from tests.applications.test_pdf import _qr_matrix

    settings.ALLOWED_HOSTS = ["prereg.example.cn"]
    application = make_application(tree, year, "35052401", State.APPROVED)
    response = quanzhou.post(reverse("backoffice:export_create"), {"kind": "confirmations", "format": "xlsx", "columns": "roster"},
                             secure=True, HTTP_HOST="prereg.example.cn")
    assert response.status_code == 302, response.content.decode()[:3000]
    job = ExportJob.objects.get(owner=reviewer_quanzhou)
    assert job.status == ExportStatus.DONE, job.error
    with default_storage.open(job.file.name, "rb") as fh:
        page = pypdf.PdfReader(io.BytesIO(fh.read())).pages[0]
    qr = qrcode.QRCode(border=1, error_correction=qrcode.constants.ERROR_CORRECT_M, mask_pattern=0)
    qr.add_data(f"https://prereg.example.cn{verify_path(application)}")
    qr.make(fit=True)
    expected = [list(row) for row in qr.get_matrix()]
    assert _qr_matrix(page, len(expected)) == expected


def test_a_job_that_cannot_be_made_as_asked_tells_its_owner_and_logs_no_error(tree, year, reviewer_quanzhou, caplog):
    # Security probe: nothing printable was logged at ERROR with a traceback, as a fault the operator must look at.
    from prereg.exports import services

    make_application(tree, year, "35052401", State.IN_REVIEW, Stage.POINT_CONFIRM)  # not yet printable
    with caplog.at_level(logging.INFO, logger="prereg.exports.runner"):
        job = services.export_request(actor=reviewer_quanzhou, kind="confirmations")
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and job.error == "所选范围内没有可打印确认单的报名信息（须报名点审核通过）。"
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("refused" in r.getMessage() for r in caplog.records)


def test_the_unit_filter_is_searched_within_the_users_own_subtree(quanzhou, tree):
    url = reverse("backoffice:org_search")
    html = quanzhou.get(url, {"org_q": "安溪"}).content.decode()
    assert f'data-org-id="{tree["35052401"].pk}"' in html and tree["35052401"].name in html
    outside = tree["35010201"].name  # a Fuzhou unit: another 考点's subtree
    html = quanzhou.get(url, {"org_q": outside}).content.decode()
    assert "data-org-id" not in html and "您的管辖范围内没有" in html
    assert quanzhou.get(url, {"org_q": " "}).content.decode().strip() == ""


def test_the_province_page_has_a_unit_search_box_not_a_select_of_every_org(client, reviewer_province, tree, year):
    client.force_login(reviewer_province)
    unit = tree["35052401"]
    html = client.get(reverse("backoffice:exports"), {"unit": unit.pk}).content.decode()
    assert "data-org-picker" in html and '<select name="unit"' not in html
    assert f'name="unit" value="{unit.pk}"' in html
    assert f'name="org_q" value="{unit.name}"' in html  # the chosen org is shown by name
    assert tree["35010201"].name not in html  # other orgs are not listed on the page


def test_a_typed_unit_that_was_not_picked_or_is_out_of_scope_is_refused_at_the_field(quanzhou, tree, year):
    url = reverse("backoffice:export_create")
    base = {"kind": "applications", "format": "csv", "columns": "roster", "q": "王"}
    response = quanzhou.post(url, {**base, "unit": "", "org_q": "安溪县"})
    html = response.content.decode()
    assert response.status_code == 400 and "请在搜索结果中点击选择单位" in html
    assert 'name="org_q" value="安溪县"' in html and 'value="王"' in html  # nothing typed is lost
    response = quanzhou.post(url, {**base, "unit": tree["35010201"].pk, "org_q": tree["35010201"].name})
    assert response.status_code == 400 and "所选单位不在您的管辖范围内" in response.content.decode()
    assert not ExportJob.objects.exists()
    response = quanzhou.post(url, {**base, "unit": tree["35052401"].pk, "org_q": tree["35052401"].name})
    assert response.status_code == 302
    assert ExportJob.objects.get().filters["unit"] == tree["35052401"].pk


def _export_of(client, link):
    """Open the export page a list links to and start the export its filter shows (as the browser
    posts that form), then the 报名号 of the rows written."""
    from urllib.parse import parse_qsl, urlsplit

    page = client.get(link)
    assert page.status_code == 200 and not page.context["filter_form"].errors
    shown = dict(parse_qsl(urlsplit(link).query))
    response = client.post(reverse("backoffice:export_create"),
                           {"kind": "applications", "format": "csv", "columns": "roster", **shown})
    assert response.status_code == 302
    job = ExportJob.objects.latest("pk")
    assert job.status == ExportStatus.DONE
    with default_storage.open(job.file.name, "rb") as fh:
        text = fh.read().decode("utf-8-sig")
    return job, set(re.findall(r"(?<!\d)\d{4}\d{8}(?!\d)", text))


def _export_link(html):
    return re.search(r'href="([^"]*)">导出本列表', html).group(1).replace("&amp;", "&")


def test_the_queue_exports_exactly_its_rows_with_the_search_box_and_the_unit_set(quanzhou, tree, year,
                                                                               reviewer_quanzhou):
    spread(tree, year)
    waiting = [make_application(tree, year, "35052401", State.IN_REVIEW, Stage.SITE_REVIEW, name=name)
               for name in ("王小明", "小王", "李四")]
    make_application(tree, year, "35052401", State.IN_REVIEW, Stage.POINT_CONFIRM, name="王五")  # not yet ours
    unit = tree["350524"]
    response = quanzhou.get(reverse("backoffice:pending"), {"q": "王", "unit": unit.pk, "org_q": unit.name})
    listed = {row.number for row in response.context["page"].object_list}
    assert listed == {waiting[0].number, waiting[1].number}  # the name contains 王, waiting for the 考点
    link = _export_link(response.content.decode())
    assert "waiting=on" in link and "q=" in link and f"unit={unit.pk}" in link
    page = quanzhou.get(link).content.decode()
    assert re.search(r'name="waiting"[^>]*checked', page) and f'name="org_q" value="{unit.name}"' in page
    job, exported = _export_of(quanzhou, link)
    assert exported == listed
    assert job.filters == {"unit": unit.pk, "q": "王", "waiting": True, "sort": "submitted"}
    assert "待本机构审核" in quanzhou.get(reverse("backoffice:exports")).content.decode()


def test_the_queue_exports_its_rows_in_the_order_it_shows_them(quanzhou, tree, year, reviewer_quanzhou):
    """Reviewer probe F3: 导出本列表 of a list sorted by 姓名 wrote its rows by id; the export keeps the
    list's sort (and says it), as a new filter does."""
    names = ["李四", "赵六", "孙七", "王五", "张三"]  # created in an order no sort gives
    for name in names:
        make_application(tree, year, "35052401", State.IN_REVIEW, Stage.SITE_REVIEW, name=name)
    response = quanzhou.get(reverse("backoffice:pending"), {"sort": "-name"})
    shown = [row.number for row in response.context["page"].object_list]
    assert 'name="sort" value="-name"' in response.content.decode()  # 查询 keeps the order
    link = _export_link(response.content.decode())
    assert "sort=-name" in link
    job, _numbers = _export_of(quanzhou, link)
    with default_storage.open(job.file.name, "rb") as fh:
        written = re.findall(r"(?<!\d)\d{4}\d{8}(?!\d)", fh.read().decode("utf-8-sig"))
    assert written == shown and len(shown) == len(names)
    assert "排序：姓名（倒序）" in quanzhou.get(reverse("backoffice:exports")).content.decode()


def test_the_queue_without_a_filter_exports_only_what_waits_for_the_org(quanzhou, tree, year, reviewer_quanzhou):
    from prereg.applications.models import Application

    spread(tree, year)
    response = quanzhou.get(reverse("backoffice:pending"))
    _job, exported = _export_of(quanzhou, _export_link(response.content.decode()))
    waiting = set(Application.objects.pending_for(reviewer_quanzhou.org).values_list("number", flat=True))
    in_scope = set(Application.objects.visible_to(reviewer_quanzhou).values_list("number", flat=True))
    assert exported == waiting and waiting and in_scope - waiting  # the queue only, not the whole scope
    assert exported == {row.number for row in response.context["page"].object_list}


def test_the_reviewed_list_exports_exactly_its_rows_with_the_search_box_set(quanzhou, tree, year, reviewer_quanzhou):
    from prereg.applications.models import ReviewLog

    apps = spread(tree, year)
    apps += [make_application(tree, year, "35052401", State.RETURNED, name=name) for name in ("王小明", "李四")]
    decided = [a for a in apps if a.site_org_id == reviewer_quanzhou.org_id]
    for application in decided:
        ReviewLog.objects.create(application=application, action=ReviewAction.APPROVE, stage=Stage.SITE_REVIEW,
                                 org=reviewer_quanzhou.org, actor=reviewer_quanzhou)
    response = quanzhou.get(reverse("backoffice:reviewed"), {"q": "王"})
    listed = {row.number for row in response.context["page"]}
    assert listed == {apps[-2].number}
    link = _export_link(response.content.decode())
    assert "decided=on" in link and "q=" in link
    page = quanzhou.get(link).content.decode()
    assert re.search(r'name="decided"[^>]*checked', page)
    _job, exported = _export_of(quanzhou, link)
    assert exported == listed
    response = quanzhou.get(reverse("backoffice:reviewed"), {"state": State.RETURNED})
    _job, exported = _export_of(quanzhou, _export_link(response.content.decode()))
    assert exported == {row.number for row in response.context["page"]} == {
        a.number for a in decided if a.state == State.RETURNED}
    assert "本机构办理过" in quanzhou.get(reverse("backoffice:exports")).content.decode()
