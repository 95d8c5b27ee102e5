"""The child-row cells kept beside each application (applications.rowtext) are never older than the rows."""

import csv
import datetime
import io
import threading
import time

import pytest
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from prereg.applications import rowtext
from prereg.applications.carryover import start_application
from prereg.applications.models import Application, EducationRow, OtherRow, RowText, TrainingRow, WorkRow
from prereg.exports import services
from prereg.exports.columns import iter_rows
from prereg.exports.models import ColumnSet, ExportStatus
from tests.candidate.factories import complete_application
from tests.candidate.test_form import post, rows
from tests.factories import CandidateFactory


@pytest.fixture
def app(client, year, tree, candidate):
    client.force_login(candidate)
    return start_application(candidate=candidate, exam_year=year)


def kept(application):
    text = RowText.objects.filter(pk=application.pk).first()
    return text and {cell: getattr(text, cell) for cell in rowtext.CELLS if getattr(text, cell)}


def test_a_candidates_section_save_keeps_the_cells_of_his_rows(client, app):
    work = [{"unit_name": "安溪县医院", "title": "医师", "start": "2015-08", "end": "2018-07", "major": "内科"},
            {"unit_name": "福建省立医院", "title": "主治医师", "start": "2018-08", "end": "", "major": ""}]
    post(client, "work", rows("work", *work))
    assert kept(app) == {"work": "2015.08-2018.07 安溪县医院 医师 内科\n2018.08-至今 福建省立医院 主治医师"}

    edu = {"level": "本科", "obtained": "2015-07", "school": "福建医科大学", "study_form": "全日制", "major": "临床医学"}
    deg = {"level": "学士学位", "obtained": "2015-07", "school": "福建医科大学", "study_form": "全日制", "major": "临床医学"}
    post(client, "education", {"chsi-chsi_code": "090888693519", **rows("edu", edu), **rows("deg", deg)})
    assert kept(app) == {"work": "2015.08-2018.07 安溪县医院 医师 内科\n2018.08-至今 福建省立医院 主治医师",
                         "education": "本科 福建医科大学 临床医学 全日制 2015.07",
                         "degree": "学士学位 福建医科大学 临床医学 全日制 2015.07"}

    # Removing a row through the form keeps the cells of what is left.
    first = WorkRow.objects.get(application=app, order=0)
    second = WorkRow.objects.get(application=app, order=1)
    payload = rows("work", {**work[0], "id": first.pk, "DELETE": "on"}, {**work[1], "id": second.pk}, initial=2)
    post(client, "work", payload)
    assert kept(app)["work"] == "2018.08-至今 福建省立医院 主治医师"


def test_any_other_change_to_a_row_drops_the_cells(app):
    row = WorkRow.objects.create(application=app, unit_name="甲", start=datetime.date(2015, 1, 1))
    assert not kept(app)
    rowtext.refresh(app)
    assert kept(app) == {"work": "2015.01-至今 甲"}
    row.title = "医师"
    row.save()
    assert not kept(app)

    rowtext.refresh(app)
    other = OtherRow.objects.create(application=app, kind="论文", note="一篇")
    assert not kept(app)
    rowtext.refresh(app)
    assert kept(app) == {"work": "2015.01-至今 甲 医师", "other": "论文 一篇"}
    other.delete()
    assert not kept(app)
    # A queryset's delete goes through the same signals.
    rowtext.refresh(app)
    WorkRow.objects.filter(application=app).delete()
    assert not kept(app)


def test_fill_missing_keeps_the_cells_of_exactly_what_has_none(year, tree):
    apps = [complete_application(CandidateFactory(), year, tree) for _ in range(3)]
    TrainingRow.objects.create(application=apps[2], kind="residency", certificate_no="R-01", specialty="内科",
                               start=datetime.date(2013, 9, 1), end=datetime.date(2016, 8, 31), base="省立医院",
                               issued=datetime.date(2016, 9, 1))
    RowText.objects.create(application=apps[0], work="kept before")
    assert rowtext.fill_missing(Application.objects.all(), batch=1) == 2
    assert kept(apps[0]) == {"work": "kept before"}  # left alone: it had cells
    assert kept(apps[1]) == {"work": "2012.08-至今 安溪县医院 医师 临床医学",
                             "education": "本科 福建医科大学 临床医学 全日制 2012.07",
                             "appointment": "2016.12-至今 安溪县医院 医师 医师"}
    assert kept(apps[2])["residency"] == "R-01 内科 省立医院 2013.09-2016.08"
    assert rowtext.fill_missing(Application.objects.all()) == 0


def test_the_full_record_reads_the_rows_of_an_application_whose_cells_are_gone(year, tree):
    application = complete_application(CandidateFactory(), year, tree)
    rowtext.fill_missing(Application.objects.all())
    before = list(iter_rows(Application.objects.all(), ColumnSet.FULL, full_numbers=True))
    # A row changed after the fill (a candidate saving while the export runs): its cells are
    # dropped, and the export reads the rows instead of writing the cells empty.
    EducationRow.objects.filter(application=application).update(school="厦门大学")
    EducationRow.objects.get(application=application).save()
    assert not kept(application)
    row = next(iter_rows(Application.objects.all(), ColumnSet.FULL, full_numbers=True))
    assert row[23] == "本科 厦门大学 临床医学 全日制 2012.07"
    assert before[0][23] == "本科 福建医科大学 临床医学 全日制 2012.07"
    assert row[22] == before[0][22] == "2012.08-至今 安溪县医院 医师 临床医学"


def test_a_full_record_export_fills_and_shows_the_child_rows(year, tree, reviewer_province, candidate):
    application = complete_application(candidate, year, tree)
    Application.objects.filter(pk=application.pk).update(state="approved", submission_round=1)
    from prereg.orgs.routing import resolve_chain

    chain = resolve_chain(application.unit, exam_year=year)
    Application.objects.filter(pk=application.pk).update(**chain.as_fields())
    assert not kept(application)
    job = services.export_request(actor=reviewer_province, kind="applications", format="csv",
                                  columns=ColumnSet.FULL)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    with default_storage.open(job.file.name, "rb") as fh:
        (row,) = list(csv.DictReader(io.StringIO(fh.read().decode("utf-8-sig"))))
    assert row["工作情况"] == "2012.08-至今 安溪县医院 医师 临床医学"
    assert row["现有资格聘任情况"] == "2016.12-至今 安溪县医院 医师 医师"
    assert kept(application)["education"] == row["学历"] == "本科 福建医科大学 临床医学 全日制 2012.07"


def test_the_section_view_is_where_the_cells_come_from(client, app):
    # Not the page load: only a save of rows writes them.
    client.get(reverse("candidate:form"))
    assert not kept(app)


@pytest.mark.django_db(transaction=True)
def test_a_fill_racing_a_candidates_save_keeps_his_new_rows_not_the_old(postgres_only, year, tree):
    application = complete_application(CandidateFactory(), year, tree)
    saved, release, errors = threading.Event(), threading.Event(), []

    def candidate():
        try:
            with transaction.atomic():
                row = WorkRow.objects.get(application=application)
                row.unit_name = "福建省立医院"
                row.save()  # not committed yet when the export's fill starts
                saved.set()
                release.wait(10)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    def export():
        try:
            saved.wait(10)
            rowtext.fill_missing(Application.objects.filter(pk=application.pk))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=candidate), threading.Thread(target=export)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    # The fill waits on the application row the candidate's save locked …
    assert threads[1].is_alive()
    release.set()
    for thread in threads:
        thread.join(10)
    assert not errors
    # … and then reads his committed rows: what it keeps is never the rows as they were.
    assert kept(application)["work"] == "2012.08-至今 福建省立医院 医师 临床医学"


def section_save_queries(client, n):
    work = [{"unit_name": f"单位{i}", "title": "医师", "start": "2015-08", "end": "", "major": ""} for i in range(n)]
    with CaptureQueriesContext(connection) as queries:
        post(client, "work", rows("work", *work))
    return len(queries)


def test_keeping_the_cells_costs_a_section_save_the_same_with_1_and_with_5_rows(client, app):
    # The rows a section save writes are kept once at its end, not invalidated one by one.
    section_save_queries(client, 1)  # warm: first-use caches
    WorkRow.objects.filter(application=app).delete()
    one = section_save_queries(client, 1)
    WorkRow.objects.filter(application=app).delete()
    five = section_save_queries(client, 5)
    assert five - one == 4, (one, five)  # only the four more INSERTs of the rows themselves
    assert kept(app)["work"].count("\n") == 4
