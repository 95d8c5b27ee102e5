"""Applications in any state and stage, with their chain resolved, for export and statistics tests.

Built directly (not through the workflow services): these tests are about what is counted and
exported, and need exact mixes of states, stages and ages.
"""

import datetime
import io
import re
import zipfile

from django.utils import timezone

from prereg.applications.models import Application, EducationRow, Stage, State, WorkRow
from prereg.orgs.routing import resolve_chain
from tests.factories import CandidateFactory


def make_application(tree, year, unit_code, state=State.IN_REVIEW, stage=Stage.UNIT_REVIEW, *,
                     days_ago=0, name=None, rounds=None, children=False, **fields):
    candidate = CandidateFactory()
    unit = tree[unit_code]
    chain = resolve_chain(unit, exam_year=year)
    submitted = state != State.DRAFT or bool(rounds)
    when = timezone.now() - datetime.timedelta(days=days_ago)
    application = Application.objects.create(
        candidate=candidate, exam_year=year, unit=unit, name=name or f"考生{candidate.pk}",
        id_type="resident", id_number=candidate.id_number, phone=candidate.phone,
        state=state, stage=stage if state == State.IN_REVIEW else "",
        submission_round=rounds if rounds is not None else (1 if submitted else 0),
        submitted_at=when if submitted else None,
        **(chain.as_fields() if submitted else {}), **fields)
    if submitted:
        application.number = f"{year.year}{application.pk:08d}"
        application.save(update_fields=["number"])
    if children:
        EducationRow.objects.create(application=application, kind="education", level="本科",
                                    obtained=datetime.date(2012, 7, 1), school="福建医科大学",
                                    study_form="全日制", major="护理学", order=0)
        EducationRow.objects.create(application=application, kind="education", level="硕士研究生",
                                    obtained=datetime.date(2015, 7, 1), school="厦门大学",
                                    study_form="全日制", major="护理学", order=1)
        WorkRow.objects.create(application=application, unit_name=unit.name, title="护师",
                               start=datetime.date(2012, 8, 1), major="护理", order=0)
    return application


def spread(tree, year):
    """One application at each stage, plus returned and approved ones, across three chains."""
    apps = []
    for unit in ("35052401", "35010201", "35012205", "35000001"):
        for stage in Stage.values:
            apps.append(make_application(tree, year, unit, State.IN_REVIEW, stage))
        apps.append(make_application(tree, year, unit, State.RETURNED))
        apps.append(make_application(tree, year, unit, State.APPROVED))
    apps.append(make_application(tree, year, "35052401", State.DRAFT))  # never submitted: nobody's
    return apps


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
