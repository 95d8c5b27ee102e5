"""已审信息 with nothing to list says why: nothing handled yet, or nothing matching the query (the
reviewer-flow probe saw "还没有本机构办理过" under a 状态 filter for an org that had handled some)."""

from django.urls import reverse

from tests.factories import approve, submitted

NONE_HANDLED = "还没有本机构办理过的报名信息。"
NONE_MATCHING = "没有符合查询条件的报名信息。"


def test_a_filter_matching_nothing_says_so_and_offers_to_clear_it(client, tree, year, reviewer_anxi_hospital):
    approve(submitted(tree, year, name="李娜"), reviewer_anxi_hospital)
    client.force_login(reviewer_anxi_hospital)
    body = client.get(reverse("backoffice:reviewed"), {"state": "returned"}).content.decode()
    assert NONE_MATCHING in body and NONE_HANDLED not in body
    assert f'<a href="{reverse("backoffice:reviewed")}">清除查询条件</a>' in body
    assert "李娜" in client.get(reverse("backoffice:reviewed")).content.decode()


def test_without_a_filter_an_org_that_handled_nothing_is_told_so(client, tree, year, reviewer_anxi_hospital):
    submitted(tree, year, name="李娜")
    client.force_login(reviewer_anxi_hospital)
    body = client.get(reverse("backoffice:reviewed"), {"q": ""}).content.decode()
    assert NONE_HANDLED in body and NONE_MATCHING not in body
