"""Security probe F3: 国网名单核对 told any 报名点 or 考点 whether an ID number it typed into a roster
had an account here (有账号，未填报 / 无账号) or had applied elsewhere in the province (范围外1行),
and sent an SMS to some of them. A line of no draft in the org's subtree now reads alike whatever the
number: one wording, no account, no SMS, and the outside count follows from the roster's cells."""

import pytest
from django.urls import reverse

from prereg.applications.models import Application, State
from prereg.notify.models import RosterReminder, SmsMessage
from prereg.reconcile import services
from prereg.reconcile.models import ListKind, RosterRow
from tests.factories import CandidateFactory
from tests.reconcile.helpers import (
    HEADER_2020,
    anxi_application,
    csv_bytes,
    line_2020,
    person,
    upload_and_import,
)

CASES = ["no account", "account, no application", "draft of a unit elsewhere", "draft of no unit",
         "submitted elsewhere", "approved elsewhere"]


def number_of(case, tree, year) -> str:
    """An ID number in the situation `case`, none of which the 考点 of 泉州 may learn."""
    if case == "no account":
        return person(40)
    if case == "account, no application":
        return CandidateFactory(id_number=person(41), username=person(41)).id_number
    if case == "draft of a unit elsewhere":
        return anxi_application(tree, year, "某草", state=State.DRAFT, unit="35010201").id_number
    if case == "draft of no unit":
        draft = anxi_application(tree, year, "某无", state=State.DRAFT)
        Application.objects.filter(pk=draft.pk).update(unit=None)
        return draft.id_number
    if case == "submitted elsewhere":
        return anxi_application(tree, year, "某福", unit="35010201").id_number
    return anxi_application(tree, year, "某准", state=State.APPROVED, stage="", unit="35010201").id_number


def one_line(actor, number, site="泉州市卫计委"):
    result = upload_and_import(actor, csv_bytes(HEADER_2020, [line_2020(None, name="某甲", id_number=number,
                                                                          site=site, phone="13900000099")]))
    assert result.ok, result.upload.errors
    return result.upload


def account_cell(client, actor) -> str:
    client.force_login(actor)
    html = client.get(reverse("backoffice:reconcile_list") + "?list=national").content.decode()
    table = html[html.index('id="reconcile-list"'):html.index("</table>")]
    assert "有账号" not in table and "无账号" not in table
    assert 'name="ids"' not in table  # nothing to choose for a reminder
    return table


@pytest.mark.parametrize("site", ["泉州市卫计委", "", "福州市卫计委"])
def test_a_one_line_roster_reads_alike_whatever_the_number(client, tree, year, reviewer_quanzhou, site):
    seen = {}
    for case in CASES:
        upload = one_line(reviewer_quanzhou, number_of(case, tree, year), site=site)
        row = RosterRow.objects.filter(upload=upload).first()
        facts = (upload.outside_rows, upload.counts,
                 row and (row.kind, row.candidate_id, row.application_id, row.unit_id))
        if row is not None:
            assert "不在本机构范围" in account_cell(client, reviewer_quanzhou)
        seen[case] = facts
    assert len(set(map(repr, seen.values()))) == 1, seen
    # The count outside follows from the roster's 考点 column alone.
    assert seen["no account"][0] == (1 if site == "福州市卫计委" else 0)


@pytest.mark.parametrize("case", CASES)
def test_no_sms_goes_to_a_number_of_no_draft_here(tree, year, reviewer_quanzhou, case):
    upload = one_line(reviewer_quanzhou, number_of(case, tree, year))
    row = RosterRow.objects.get(upload=upload)
    result = services.roster_remind(actor=reviewer_quanzhou, kind=ListKind.ONLY_NATIONAL, keys=[row.pk])
    assert result == {"sent": 0, "skipped": [f"第{row.pk}条：不在名单中，或不在本机构范围"]}
    assert not SmsMessage.objects.exists() and not RosterReminder.objects.exists()


def test_a_draft_of_a_unit_in_the_subtree_is_shown_and_reminded(client, tree, year, reviewer_quanzhou):
    draft = anxi_application(tree, year, "吴草", state=State.DRAFT)
    upload = one_line(reviewer_quanzhou, draft.id_number, site="福州市卫计委")  # the draft's unit decides
    row = RosterRow.objects.select_related("unit").get(upload=upload)
    assert (upload.outside_rows, row.kind, row.application_id, row.candidate_id, row.unit.name) == (
        0, "national", draft.pk, draft.candidate_id, "安溪县医院")
    client.force_login(reviewer_quanzhou)
    html = client.get(reverse("backoffice:reconcile_list") + "?list=national").content.decode()
    assert "有账号，草稿未提交" in html and f'name="ids" value="{row.pk}"' in html
    result = services.roster_remind(actor=reviewer_quanzhou, kind=ListKind.ONLY_NATIONAL, keys=[row.pk])
    assert result["sent"] == 1
    assert SmsMessage.objects.get(purpose="reminder").phone == draft.candidate.phone


def test_a_registration_point_learns_nothing_of_a_number_drafted_in_a_sibling_county(
        client, tree, year, reviewer_anxi_bureau):
    # 连江's draft is the 考点's to see, not 安溪's: to 安溪 it reads as a number of no account.
    sibling = anxi_application(tree, year, "某连", state=State.DRAFT, unit="35012205")
    nobody = person(42)
    facts = []
    for number in (sibling.id_number, nobody):
        upload = one_line(reviewer_anxi_bureau, number)
        row = RosterRow.objects.get(upload=upload)
        facts.append((upload.outside_rows, upload.counts, row.candidate_id, row.application_id, row.unit_id))
    assert facts[0] == facts[1] and facts[0][2:] == (None, None, None)
