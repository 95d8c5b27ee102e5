"""The back office's search box reads a typed name as a name is stored (core.validators.clean_person_name):
阿依古丽·买买提 is found when typed with another 间隔号 (. ・ • ‧ ．), with spaces around it, or with an
invisible character pasted along. The input probe: 阿依古丽.买买提 found nothing."""

import pytest
from django.urls import reverse

from prereg.accounts.models import Role
from prereg.applications.candidates import candidate_search
from prereg.applications.models import Stage, State
from prereg.applications.selectors import applications_for
from tests.factories import UserFactory, make_application


def names(queryset):
    return sorted(queryset.values_list("name", flat=True))


@pytest.fixture
def waiting(tree, year):
    return [make_application(tree, year, "35052401", State.IN_REVIEW, Stage.SITE_REVIEW, name=name)
            for name in ("阿依古丽·买买提", "阿依古丽", "王小明")]


@pytest.mark.parametrize("typed", ["阿依古丽.买买提", "阿依古丽・买买提", "阿依古丽•买买提", "阿依古丽‧买买提",
                                   "阿依古丽．买买提", "阿依古丽 · 买买提", "\u200b阿依古丽·买买提\u200e", "古丽.买"])
def test_a_name_typed_with_another_middle_dot_finds_the_stored_one(waiting, reviewer_quanzhou, typed):
    assert names(applications_for(reviewer_quanzhou, {"q": typed})) == ["阿依古丽·买买提"]


def test_an_invisible_character_typed_inside_a_name_does_not_hide_it(waiting, reviewer_quanzhou):
    assert names(applications_for(reviewer_quanzhou, {"q": "王\u200b小明"})) == ["王小明"]
    assert names(applications_for(reviewer_quanzhou, {"q": "阿依\u200d古丽"})) == ["阿依古丽", "阿依古丽·买买提"]


def test_the_id_number_and_the_application_number_are_still_looked_up_whole(waiting, reviewer_quanzhou):
    dotted, _, wang = waiting
    assert names(applications_for(reviewer_quanzhou, {"q": dotted.id_number.lower()})) == ["阿依古丽·买买提"]
    assert names(applications_for(reviewer_quanzhou, {"q": wang.number})) == ["王小明"]
    assert not applications_for(reviewer_quanzhou, {"q": f"{wang.number}.1"}).exists()


def test_invisible_characters_alone_find_no_name(waiting, reviewer_quanzhou):
    assert not applications_for(reviewer_quanzhou, {"q": "\u200b\u200b"}).exists()



def test_candidate_management_finds_a_whole_name_typed_with_another_middle_dot(waiting, reviewer_quanzhou):
    # 考生信息管理 looks a name up whole (not a part of it), as it is stored.
    dotted = waiting[0].candidate
    dotted.name = "阿依古丽·买买提"
    dotted.save(update_fields=["name"])
    for typed in ("阿依古丽.买买提", "阿依古丽 ・ 买买提", "\u200b阿依古丽·买买提"):
        assert candidate_search(actor=reviewer_quanzhou, query=typed) == [dotted], typed
    assert candidate_search(actor=reviewer_quanzhou, query="古丽.买买提") == []


def test_the_account_list_finds_a_reviewer_typed_with_another_middle_dot(client, tree, reviewer_province):
    clerk = UserFactory(role=Role.UNIT, org=tree["35052401"], name="热依拉·买买提")
    client.force_login(reviewer_province)
    html = client.get(reverse("backoffice:accounts"), {"q": "热依拉.买买提"}).content.decode()
    assert clerk.username in html
