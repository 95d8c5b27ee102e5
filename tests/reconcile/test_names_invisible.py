"""国网名单核对 compares names as the form stores them: without the invisible characters a name is
stored without (core.validators.strip_invisible), which a roster's cell may hold (pasted from a web
page or a chat into the sheet before it was exported). A 李同 with a zero-width space inside was 姓名不一致."""

import pytest

from prereg.reconcile.columns import normalise_name
from prereg.reconcile.models import ListKind, RosterRow
from prereg.reconcile.selectors import list_queryset
from tests.reconcile.helpers import (
    HEADER_2020,
    anxi_application,
    csv_bytes,
    line_2020,
    person,
    upload_and_import,
)


@pytest.mark.parametrize("cell", ["李\u200b同", "\ufeff李同", "李\u200d同\u200e", "\u202e李同\u202c", "李\u2060 同"])
def test_a_roster_name_with_invisible_characters_is_the_forms_name(cell):
    assert normalise_name(cell) == normalise_name("李同") == "李同"


def test_invisible_characters_do_not_hide_a_middle_dot_or_join_two_different_names():
    assert normalise_name("阿依古丽\u200b.\u200b买买提") == "阿依古丽·买买提"
    assert normalise_name("李\u200b同") != normalise_name("李童")


def test_a_roster_line_whose_name_holds_a_zero_width_space_matches_its_application(tree, year, reviewer_quanzhou):
    application = anxi_application(tree, year, "李同")
    result = upload_and_import(reviewer_quanzhou, csv_bytes(HEADER_2020, [line_2020(application, name="李\u200b同")]))
    assert result.ok, result.upload.errors
    row = RosterRow.objects.get(upload=result.upload)
    assert row.application_id == application.pk
    assert not row.name_differs


def test_a_list_searched_with_another_middle_dot_finds_the_name_on_either_side(tree, year, reviewer_quanzhou):
    # 只在国网 holds the roster's line as the 国网 wrote it; 只在省网 our application, stored with ·.
    ours = anxi_application(tree, year, "阿依古丽·买买提")
    theirs = line_2020(ours, name="热依拉.买买提", id_number=person(90))
    result = upload_and_import(reviewer_quanzhou, csv_bytes(HEADER_2020, [theirs]))
    assert result.ok, result.upload.errors
    for kind, typed, found in ((ListKind.ONLY_PROVINCIAL, "阿依古丽.买买提", "阿依古丽·买买提"),
                               (ListKind.ONLY_PROVINCIAL, "阿依古丽 ・ 买买提", "阿依古丽·买买提"),
                               (ListKind.ONLY_NATIONAL, "热依拉.买买提", "热依拉.买买提")):
        rows = list_queryset(result.upload, kind, {"q": typed})
        names = [row.application.name if kind == ListKind.ONLY_PROVINCIAL else row.name for row in rows]
        assert names == [found], (kind, typed)
