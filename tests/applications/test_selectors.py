"""The one selector of the back-office lists and the fetch-and-authorize helper (prereg.applications.selectors)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from prereg.applications.models import Stage, State
from prereg.applications.selectors import applications_for, get_application_for
from prereg.orgs.models import Org
from tests.factories import make_application


def names(queryset):
    return sorted(queryset.values_list("name", flat=True))


@pytest.fixture
def waiting_at_quanzhou(tree, year):
    return [make_application(tree, year, "35052401", State.IN_REVIEW, Stage.SITE_REVIEW, name=name)
            for name in ("王小明", "小王", "李四")]


def test_the_search_box_finds_a_part_of_a_name_or_a_whole_id_number_or_application_number(
        waiting_at_quanzhou, reviewer_quanzhou):
    wang, _xiaowang, li = waiting_at_quanzhou
    assert names(applications_for(reviewer_quanzhou, {"q": " 王 "})) == ["小王", "王小明"]
    assert names(applications_for(reviewer_quanzhou, {"q": li.id_number.lower()})) == ["李四"]
    assert names(applications_for(reviewer_quanzhou, {"q": wang.number})) == ["王小明"]
    assert not applications_for(reviewer_quanzhou, {"q": li.id_number[:-1]}).exists()
    assert not applications_for(reviewer_quanzhou, {"q": wang.number[1:]}).exists()


def test_the_queue_is_what_waits_for_the_org_and_nothing_for_an_inactive_or_orgless_user(
        tree, year, waiting_at_quanzhou, reviewer_quanzhou, sysadmin, candidate):
    make_application(tree, year, "35052401", State.IN_REVIEW, Stage.POINT_CONFIRM, name="王五")
    assert names(applications_for(reviewer_quanzhou, {"waiting": True})) == ["小王", "李四", "王小明"]
    assert "王五" in names(applications_for(reviewer_quanzhou))
    for user in (sysadmin, candidate):
        assert not applications_for(user, {"waiting": True}).exists()
        assert not applications_for(user, {"decided": True}).exists()
    reviewer_quanzhou.is_active = False
    assert not applications_for(reviewer_quanzhou, {"waiting": True}).exists()


def test_a_unit_means_that_org_and_every_unit_below_it(tree, year, waiting_at_quanzhou, reviewer_quanzhou):
    assert len(applications_for(reviewer_quanzhou, {"unit": tree["350524"].pk})) == 3
    assert len(applications_for(reviewer_quanzhou, {"unit": tree["35052401"].pk})) == 3
    sibling = Org(code="35050099", name="泉州某医院", parent=tree["350500"], is_unit=True)
    sibling.save()
    assert not applications_for(reviewer_quanzhou, {"unit": sibling.pk}).exists()
    assert not applications_for(reviewer_quanzhou, {"unit": 999999}).exists()


def test_no_filter_reaches_beyond_what_the_user_may_see(tree, year, waiting_at_quanzhou, reviewer_fuzhou):
    ids = [a.pk for a in waiting_at_quanzhou]
    for filters in ({"ids": ids}, {"q": "王"}, {"unit": tree["35052401"].pk}, {"waiting": True}, {}):
        assert not applications_for(reviewer_fuzhou, filters).filter(pk__in=ids).exists()


def test_fetch_and_authorize_answers_404_out_of_scope_and_403_when_not_his_decision(
        waiting_at_quanzhou, reviewer_quanzhou, reviewer_fuzhou, reviewer_anxi_bureau):
    application = waiting_at_quanzhou[0]
    assert get_application_for(reviewer_quanzhou, application.pk, for_decision=True) == application
    assert get_application_for(reviewer_anxi_bureau, application.pk) == application  # an earlier stage reads it
    with pytest.raises(PermissionDenied):
        get_application_for(reviewer_anxi_bureau, application.pk, for_decision=True)
    with pytest.raises(Http404):
        get_application_for(reviewer_fuzhou, application.pk)
