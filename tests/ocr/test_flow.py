"""The reading in the application's life: after an upload, on the candidate's form, on the review
screen, in 进度跟踪; with the engine missing or failing, everything works as before."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from prereg.applications.models import Application, ApplicationImage, EducationRow, FieldCheck, ImageSlot
from prereg.ocr import documents
from prereg.ocr import engine as engine_module
from prereg.ocr.engine import Line
from prereg.ocr.models import ImageReading, ReadingStatus
from prereg.ocr.services import flag_counts, read_image, results_for, with_readings
from tests.factories import formset_data, jpeg_upload, submitted

from .helpers import page_lines


class FakeEngine:
    """Answers the page set in `PAGES` for the next read (an engine behind the same interface)."""

    name = "fake"
    PAGES: list = []

    def read(self, image_bytes):
        rows = self.PAGES.pop(0) if self.PAGES else []
        return [Line(t, tuple((b[k], b[k + 1]) for k in range(0, 8, 2)), s, tuple(tuple(map(tuple, c)) for c in a))
                for t, b, s, a in page_lines(rows)]


class BrokenEngine:
    name = "broken"

    def read(self, image_bytes):
        raise RuntimeError("onnx session crashed")


def stored_image(application, slot, sha_digit, row_id=None, width=1200, height=800):
    """An uploaded image as the upload leaves it, without the upload (no reading asked for)."""
    return ApplicationImage.objects.create(
        application=application, slot=slot, row_id=row_id, file=jpeg_upload(), sha256=sha_digit * 64, size=10,
        width=width, height=height, content_type="image/jpeg", uploaded_by=application.candidate)


def read_now(settings, image, page):
    """The worker reads `image` now, FakeEngine answering `page`."""
    FakeEngine.PAGES = [page]
    settings.OCR_ENGINE = "tests.ocr.test_flow.FakeEngine"
    engine_module._load.cache_clear()
    try:
        read_image(image.pk)
    finally:
        engine_module._load.cache_clear()


@pytest.fixture
def queued(settings):
    """An "ocr" queue whose tasks are kept, not run: a worker that has not read them yet."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend",
                                  "QUEUES": ["default", "exports", "ocr"]}}
    return settings


@pytest.fixture
def ocr_on(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                                  "QUEUES": ["default", "exports", "ocr"]}}
    settings.OCR_ENGINE = "tests.ocr.test_flow.FakeEngine"
    engine_module._load.cache_clear()
    yield settings
    engine_module._load.cache_clear()
    FakeEngine.PAGES = []


DIPLOMA = [["毕业证书"], ["学生 李娜，性别 女，一九九〇年三月七日生，于二〇〇八年九月至"],
           ["二〇一二年七月在本校 护理学 专业 四 年制本科学习，修完教学计划规定的"], ["全部课程，成绩合格，准予毕业。"],
           ["校名：厦门大学"], ["证书编号：103921201205001234", "二〇一二年七月一日"]]


@pytest.fixture
def upload(client, django_capture_on_commit_callbacks):
    def post(application, slot, row_id=None):
        data = {"slot": slot, "version": application.version,
                "file": jpeg_upload(size=(240, 320)) if slot == "photo" else jpeg_upload()}
        if row_id:
            data["row_id"] = row_id
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("candidate:image_upload"), data, HTTP_ACCEPT="application/json")
    return post


@pytest.fixture
def draft(tree, year, candidate):
    from tests.factories import ApplicationFactory, EducationRowFactory

    application = ApplicationFactory(candidate=candidate, exam_year=year, unit=tree["35052401"], name="李娜")
    EducationRowFactory(application=application)  # 福建医科大学 护理学 2012-07
    return application


def test_an_image_is_compared_with_its_own_tables_row_when_another_table_has_a_row_of_the_same_id(settings, draft):
    """Each row table numbers its rows on its own: a diploma in the row of 学历 id N is compared with that
    row, not with the 聘任 row that also has id N."""
    from prereg.applications.models import AppointmentRow

    education = EducationRow.objects.get(application=draft)
    AppointmentRow.objects.create(pk=education.pk, application=draft, unit_name="安溪县医院", post="护师",
                                  qualification="护师", start=datetime.date(2013, 1, 1), order=0)
    read_now(settings, stored_image(draft, "education", "7", row_id=education.pk), DIPLOMA)
    [result] = results_for(draft).values()
    assert result.flags == ["school"]  # 厦门大学 on the photo against the typed 福建医科大学


def _writes(queries) -> list[str]:
    """The captured queries that change rows."""
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_an_upload_is_read_in_the_background_and_the_candidate_is_warned(client, upload, ocr_on, draft, candidate):
    client.force_login(candidate)
    row = EducationRow.objects.get(application=draft)
    FakeEngine.PAGES = [DIPLOMA]
    answer = upload(draft, "education", row.pk).json()
    assert answer["ok"]
    reading = ImageReading.objects.get(image__application=draft)
    assert reading.status == ReadingStatus.DONE and reading.kind == "diploma" and reading.engine == "fake"
    assert reading.flagged and reading.flags == ["school"]
    # The form shows the warning beside the slot; a warning, not a refusal.
    page = client.get(reverse("candidate:form")).content.decode()
    assert "照片中的学校（厦门大学）与填写的学校（福建医科大学）不一致，请核对。" in page
    assert page.index("照片中的学校") > page.index(f'id="img-education-{row.pk}"')
    # The candidate corrects the typed school: the warning goes without reading the photo again, and
    # the stored flag that 进度跟踪 counts goes with the save.
    edu = {"id": row.pk, "level": "本科", "obtained": "2012-07", "school": "厦门大学", "study_form": "全日制", "major": "护理学"}
    payload = {"version": draft.version, "chsi-chsi_code": "无", **formset_data("edu", edu, initial=1),
               **formset_data("deg")}
    saved = client.post(reverse("candidate:section", args=["education"]), payload, HTTP_HX_REQUEST="true")
    assert EducationRow.objects.get(pk=row.pk).school == "厦门大学"
    assert "照片中的学校" not in saved.content.decode()
    reading.refresh_from_db()
    assert not reading.flagged and reading.flags == []
    page = client.get(reverse("candidate:form")).content.decode()
    assert "照片中的学校" not in page


def test_without_an_ocr_worker_the_upload_is_as_before(client, upload, draft, candidate):
    # The suite's task backend has no "ocr" queue: nothing is read, nothing fails.
    client.force_login(candidate)
    row = EducationRow.objects.get(application=draft)
    assert upload(draft, "education", row.pk).json()["ok"]
    assert ApplicationImage.objects.filter(application=draft).count() == 1
    assert not ImageReading.objects.exists()


@pytest.mark.parametrize("engine", ["tests.ocr.test_flow.BrokenEngine", "prereg.ocr.nowhere.Engine", ""])
def test_a_missing_or_failing_engine_stores_unread_and_the_upload_succeeds(client, upload, ocr_on, draft, candidate, engine):
    ocr_on.OCR_ENGINE = engine
    client.force_login(candidate)
    row = EducationRow.objects.get(application=draft)
    assert upload(draft, "education", row.pk).json()["ok"]
    reading = ImageReading.objects.get(image__application=draft)
    assert reading.status == ReadingStatus.FAILED and not reading.flagged


def test_photos_of_slots_with_nothing_to_read_are_not_read(client, upload, ocr_on, draft, candidate):
    client.force_login(candidate)
    assert upload(draft, "photo").json()["ok"]
    assert not ImageReading.objects.exists()


@pytest.fixture
def in_review(tree, year, ocr_on, reviewer_anxi_hospital):
    application = submitted(tree, year, name="李娜")  # 福建医科大学 护理学 2012-07, 现有资格 护师 2016-10
    row = EducationRow.objects.get(application=application)
    title = [["专业技术资格证书"], ["姓名", "李娜"], ["资格名称", "护师"], ["批准日期", "2016年10月15日"]]
    for slot, row_id, page in (("education", row.pk, DIPLOMA), ("current_qualification", None, title)):
        FakeEngine.PAGES = [page]
        read_image(stored_image(application, slot, "1", row_id).pk)
    return application


def test_the_review_screen_shows_the_disagreement_first_with_its_box_and_never_ticks(
        client, in_review, reviewer_anxi_hospital):
    client.force_login(reviewer_anxi_hospital)
    body = client.get(reverse("backoffice:review", args=[in_review.pk])).content.decode()
    items = [body.index(f'id="field-{key}"') for key in ("education" + str(
        EducationRow.objects.get(application=in_review).pk), "id_card", "current_qualification")]
    assert items[0] < items[1] and items[0] < items[2]  # the disagreeing item first, then the form's order
    assert "机器识别：有不一致" in body and "机器识别：未见不一致" in body
    assert '<mark class="ocr-photo">厦门大学</mark>' in body
    assert '<polygon points="' in body and 'class="bad"><title>校名：厦门大学</title>' in body
    assert 'viewBox="0 0 1200 800"' in body
    assert not FieldCheck.objects.filter(application=in_review).exists()


def test_the_review_screen_links_the_ocr_stylesheet_once_however_many_items_were_read(
        client, in_review, reviewer_anxi_hospital):
    client.force_login(reviewer_anxi_hospital)
    body = client.get(reverse("backoffice:review", args=[in_review.pk])).content.decode()
    assert body.count("data-ocr-item=") == 2
    assert len(re.findall(r'<link rel="stylesheet" href="[^"]*/ocr[^"/]*\.css"', body)) == 1
    # The item a tick swaps in (htmx) is styled by the page's link, and brings none of its own.
    key = f"education:{EducationRow.objects.get(application=in_review).pk}"
    item = client.post(reverse("backoffice:review_check", args=[in_review.pk]),
                       {"field": key, "consistent": "1", "version": in_review.version}, HTTP_HX_REQUEST="true")
    assert "data-ocr-item=" in item.content.decode() and "ocr.css" not in item.content.decode()


def test_the_tick_stays_the_reviewers_and_the_item_keeps_its_reading(client, in_review, reviewer_anxi_hospital):
    client.force_login(reviewer_anxi_hospital)
    key = f"education:{EducationRow.objects.get(application=in_review).pk}"
    response = client.post(reverse("backoffice:review_check", args=[in_review.pk]),
                           {"field": key, "consistent": "1", "version": in_review.version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "机器识别：有不一致" in response.content.decode()
    assert FieldCheck.objects.get(application=in_review, field=key).consistent is True


def test_statistics_count_the_flags_by_item(client, in_review, reviewer_anxi_hospital):
    client.force_login(reviewer_anxi_hospital)
    body = client.get(reverse("backoffice:stats")).content.decode()
    assert 'data-ocr-slot="education"' in body and "学校 1" in body
    assert 'data-ocr-slot="current_qualification"' in body


def test_statistics_name_each_item_as_the_form_and_the_review_screen_do_in_the_forms_order(draft):
    """进度跟踪 says the model's name of each 📷 slot (ImageSlot's label), not wording of its own."""
    for n, slot in enumerate(reversed(documents.SLOT_KINDS)):
        image = stored_image(draft, slot, str(n % 10))
        ImageReading.objects.create(image=image, application=draft, slot=slot, sha256=image.sha256,
                                    status=ReadingStatus.DONE)
    counts = flag_counts(Application.objects.filter(pk=draft.pk))
    assert [(r["slot"], r["label"]) for r in counts] == [(s.value, s.label) for s in documents.SLOT_KINDS]
    assert ImageSlot.CATEGORY.label in [r["label"] for r in counts]


def test_a_reading_of_a_replaced_image_goes_with_it(in_review):
    image = ApplicationImage.objects.filter(application=in_review, slot="education").first()
    image.delete()
    assert not ImageReading.objects.filter(image_id=image.pk).exists()


def test_the_typed_values_of_now_decide_not_those_when_read(in_review):
    from prereg.applications import review

    EducationRow.objects.filter(application=in_review).update(school="厦门大学", obtained=datetime.date(2012, 7, 1))
    in_review.refresh_from_db()
    items = with_readings(in_review, review.check_fields(in_review))
    assert not any(f.ocr.flagged for f in items if f.ocr)


def test_ocr_read_reads_the_images_that_have_no_reading(in_review, ocr_on):
    from django.core.management import call_command

    image = stored_image(in_review, "id_front", "2")
    FakeEngine.PAGES = [[["姓名", "李娜"]]]
    call_command("ocr_read", "--missing")
    assert ImageReading.objects.get(image=image).status == ReadingStatus.DONE
    assert ImageReading.objects.filter(application=in_review).count() == 3


def test_with_the_engine_missing_the_review_screen_says_unread_and_works(client, ocr_on, in_review,
                                                                          reviewer_anxi_hospital):
    ocr_on.OCR_ENGINE = ""
    image = stored_image(in_review, "id_front", "3", width=64, height=48)
    assert read_image(image.pk).status == ReadingStatus.FAILED
    client.force_login(reviewer_anxi_hospital)
    body = client.get(reverse("backoffice:review", args=[in_review.pk])).content.decode()
    assert 'data-ocr="unread"' in body and "机器识别：未能识别" in body
    assert "未能识别。</p>" in body and 'name="consistent"' in body  # the reviewer ticks as before


def test_the_slot_asks_again_while_its_image_is_read_and_then_shows_the_warning(
        client, queued, upload, draft, candidate):
    """The upload answers before the worker reads: the slot says so and asks for itself again a few
    seconds later (htmx), so the warning comes without a reload; once read, it stops asking."""
    client.force_login(candidate)
    row = EducationRow.objects.get(application=draft)
    answer = upload(draft, "education", row.pk).json()
    assert answer["ok"] and "data-ocr-pending" in answer["html"]
    url = reverse("candidate:image_slot") + f"?slot=education&row_id={row.pk}"
    assert f'hx-get="{url.replace("&", "&amp;")}"' in answer["html"]
    assert "data-ocr-pending" in client.get(url).content.decode()  # still waiting

    image = ApplicationImage.objects.get(application=draft)
    read_now(queued, image, DIPLOMA)
    html = client.get(url).content.decode()
    assert "照片中的学校（厦门大学）与填写的学校（福建医科大学）不一致，请核对。" in html
    assert "data-ocr-pending" not in html
    # A reading the worker never did is not waited for forever.
    ImageReading.objects.all().delete()
    assert "data-ocr-pending" in client.get(url).content.decode()
    ApplicationImage.objects.filter(pk=image.pk).update(uploaded_at=image.uploaded_at - datetime.timedelta(hours=1))
    assert "data-ocr-pending" not in client.get(url).content.decode()
    assert client.get(reverse("candidate:image_slot") + "?slot=nothing").status_code == 404


def test_showing_a_reading_writes_nothing(client, in_review, reviewer_anxi_hospital):
    """The review screen, the candidate's form and 进度跟踪 compare or count when shown; none of them
    stores anything, not even a flag the typed values of now have made stale."""
    EducationRow.objects.filter(application=in_review).update(school="厦门大学")  # the stored flag is stale now
    pages = [(reviewer_anxi_hospital, reverse("backoffice:review", args=[in_review.pk])),
             (reviewer_anxi_hospital, reverse("backoffice:stats")),
             (in_review.candidate, reverse("candidate:form"))]
    for user, url in pages:
        client.force_login(user)
        client.get(reverse("accounts:password_change"))  # the session's first write, before counting
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url).content.decode()
        assert "照片中的学校" not in body and "机器识别：有不一致" not in body
        # The review screen's reading is audited (application.view): that entry is the only write.
        writes = [sql for sql in _writes(queries) if "audit_auditevent" not in sql]
        assert not writes, (url, writes)


def test_a_reviewers_correction_stores_the_flags_again(client, in_review, reviewer_anxi_hospital):
    """What 进度跟踪 counts follows each write of typed values: the reading itself, a section saved (see
    the upload's test above) and a reviewer's correction."""
    reading = ImageReading.objects.get(application=in_review, slot="education")
    assert reading.flagged and reading.flags == ["school"]
    row = EducationRow.objects.get(application=in_review)
    client.force_login(reviewer_anxi_hospital)
    response = client.post(reverse("backoffice:review_edit", args=[in_review.pk]),
                           {"version": in_review.version, f"education:{row.pk}.school": "厦门大学"})
    assert response.status_code == 302
    reading.refresh_from_db()
    assert not reading.flagged and reading.flags == []
    body = client.get(reverse("backoffice:stats")).content.decode()
    assert "学校 1" not in body


def test_the_form_asks_for_the_awaited_readings_once_however_many_slots_wait(client, queued, draft, candidate):
    """Each slot with a photo uploaded just now says 正在识别; the page finds them all in one query."""
    from prereg.applications import images
    from tests.factories import EducationRowFactory

    client.force_login(candidate)

    def add(slot, row_id=None):
        images.images_add(actor=candidate, application=draft, slot=slot, row_id=row_id, uploads=[jpeg_upload()])

    def form_page():
        with CaptureQueriesContext(connection) as queries:
            body = client.get(reverse("candidate:form")).content.decode()
        return len(queries), body.count("data-ocr-pending")

    rows = [EducationRow.objects.get(application=draft), EducationRowFactory(application=draft, order=1),
            EducationRowFactory(application=draft, order=2)]
    add("education", rows[0].pk)
    client.get(reverse("candidate:form"))  # warm: the session's first write, first-use caches
    one = form_page()
    for row in rows[1:]:
        add("education", row.pk)
    add("id_front")
    add("id_back")
    five = form_page()
    assert (one[1], five[1]) == (1, 5)
    assert one[0] == five[0], (one, five)


def test_a_worker_taking_every_queue_runs_an_export_before_the_photos_queued_ahead_of_it(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default", "exports", "ocr"]}}
    from django_tasks_db.models import DBTaskResult

    from prereg.exports.tasks import run_export
    from prereg.ocr.tasks import read_image_task

    for image_id in range(3):
        read_image_task.using(queue_name="ocr").enqueue(image_id)
    run_export.enqueue(1)
    assert DBTaskResult.objects.ready().first().task_path == "prereg.exports.tasks.run_export"


class DeletingEngine:
    """The candidate replaces the photo while the worker reads it."""

    name = "deleting"

    def read(self, image_bytes):
        ApplicationImage.objects.filter(application__name="李娜").delete()
        return []


def test_an_image_deleted_while_it_is_read_ends_the_task_quietly(tree, year, settings):
    # The probe saw an IntegrityError (the reading's foreign key) and a failed task at each
    # quick replacement during the rush; the image is gone, as when it is missing at the start.
    application = submitted(tree, year, name="李娜")
    image = stored_image(application, "id_front", "4")
    assert read_image(image.pk, engine=DeletingEngine()) is None
    assert not ImageReading.objects.exists()


def test_the_review_screen_names_the_picture_each_reading_is_of(client, in_review, reviewer_anxi_hospital):
    """An item of several pictures: each note says which (the thumbnails' 第N张图片), not the same
    sentence three times (photo probe)."""
    first, second, third = (stored_image(in_review, "current_qualification", digit) for digit in "234")
    FakeEngine.PAGES = [[["x"]]]  # nearly no text: a blank page, not what the item asks for
    read_image(first.pk)
    FakeEngine.PAGES = [[["y"]]]
    read_image(third.pk)
    client.force_login(reviewer_anxi_hospital)
    body = client.get(reverse("backoffice:review", args=[in_review.pk])).content.decode()
    assert "⚠ 第2张图片：图片中几乎没有文字（空白或无法辨认），与此项要求的材料不符" in body
    assert "⚠ 第4张图片：图片中几乎没有文字（空白或无法辨认），与此项要求的材料不符" in body
    assert body.count("图片中几乎没有文字") == 2 and second.pk not in results_for(in_review)  # the 3rd: not read
