"""单位添加申请: the registration points of the area see open requests and resolve them."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from prereg.accounts.models import Role
from prereg.notify.models import SmsMessage
from prereg.orgs.models import Org, UnitRequest
from prereg.orgs.services import unit_request_create


@pytest.fixture
def lianjiang_request(candidate, tree):
    return unit_request_create(actor=candidate, full_name="连江县琯头镇卫生院", region_code="350122",
                               phone="13905910000")


def test_a_request_needs_a_full_name_and_a_valid_phone(candidate, tree):
    with pytest.raises(ValidationError):
        unit_request_create(actor=candidate, full_name="卫生院", region_code="350122", phone="13905910000")
    with pytest.raises(ValidationError):
        unit_request_create(actor=candidate, full_name="连江县琯头镇卫生院", region_code="350122", phone="12345")


def test_requests_are_seen_by_the_orgs_of_their_area_only(lianjiang_request, tree, reviewer_fuzhou,
                                                         reviewer_gulou_bureau, reviewer_anxi_bureau,
                                                         reviewer_province):
    from tests.factories import UserFactory

    lianjiang_point = UserFactory(role=Role.POINT, org=tree["350122"])
    assert UnitRequest.objects.visible_to(lianjiang_point).count() == 1
    assert UnitRequest.objects.visible_to(reviewer_fuzhou).count() == 1  # 350100 covers 3501xx
    assert UnitRequest.objects.visible_to(reviewer_province).count() == 1
    assert UnitRequest.objects.visible_to(reviewer_gulou_bureau).count() == 0
    assert UnitRequest.objects.visible_to(reviewer_anxi_bureau).count() == 0


def test_a_request_names_its_region_as_people_say_it(client, lianjiang_request, reviewer_fuzhou):
    from prereg.catalog.loaders import load_national

    load_national()
    client.force_login(reviewer_fuzhou)
    assert "福州市连江县" in client.get(reverse("backoffice:unit_requests")).content.decode()
    page = client.get(reverse("backoffice:unit_request_resolve", args=[lianjiang_request.pk])).content.decode()
    assert "（福州市连江县，" in page and "地区 350122" not in page


def test_the_list_shows_open_requests_of_the_area(client, lianjiang_request, reviewer_fuzhou, reviewer_anxi_bureau):
    client.force_login(reviewer_fuzhou)
    assert "连江县琯头镇卫生院" in client.get(reverse("backoffice:unit_requests")).content.decode()
    client.force_login(reviewer_anxi_bureau)
    assert "连江县琯头镇卫生院" not in client.get(reverse("backoffice:unit_requests")).content.decode()
    assert client.get(reverse("backoffice:unit_request_resolve", args=[lianjiang_request.pk])).status_code == 404


def test_resolving_by_adding_the_unit_creates_it_without_review_right_and_sends_an_sms(
        client, lianjiang_request, tree, django_capture_on_commit_callbacks):
    from tests.factories import UserFactory

    point = UserFactory(role=Role.POINT, org=tree["350122"])
    client.force_login(point)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("backoffice:unit_request_resolve", args=[lianjiang_request.pk]), {
            "mode": "add", "parent": tree["350122"].pk, "name": "连江县琯头镇卫生院"})
    assert response.status_code == 302
    org = Org.objects.get(name="连江县琯头镇卫生院")
    assert org.parent == tree["350122"] and org.is_unit and not org.has_review_right and org.region_code == "350122"
    lianjiang_request.refresh_from_db()
    assert lianjiang_request.status == "added" and lianjiang_request.resolved_org == org
    sms = SmsMessage.objects.get(purpose="unit_request")
    assert sms.phone == "13905910000" and "连江县琯头镇卫生院" in sms.text and sms.delivered


def test_resolving_by_pointing_to_an_existing_unit(client, candidate, tree, reviewer_fuzhou):
    unit_request = unit_request_create(actor=candidate, full_name="连江县人民医院", region_code="350122",
                                       phone="13905910001")
    client.force_login(reviewer_fuzhou)
    page = client.get(reverse("backoffice:unit_request_resolve", args=[unit_request.pk]), {"q": "连江县医"})
    assert "连江县医院" in page.content.decode()
    response = client.post(reverse("backoffice:unit_request_resolve", args=[unit_request.pk]),
                           {"mode": "point", "org": tree["35012205"].pk})
    assert response.status_code == 302
    unit_request.refresh_from_db()
    assert unit_request.status == "pointed" and unit_request.resolved_org == tree["35012205"]
    assert "连江县医院" in SmsMessage.objects.get(phone="13905910001").text
    # A resolved request cannot be resolved twice.
    again = client.post(reverse("backoffice:unit_request_resolve", args=[unit_request.pk]),
                        {"mode": "point", "org": tree["35012206"].pk})
    assert again.status_code == 302
    unit_request.refresh_from_db()
    assert unit_request.resolved_org == tree["35012205"]


def test_pointing_without_choosing_says_so(client, lianjiang_request, reviewer_fuzhou):
    client.force_login(reviewer_fuzhou)
    response = client.post(reverse("backoffice:unit_request_resolve", args=[lianjiang_request.pk]), {"mode": "point"})
    assert response.status_code == 200 and "请从搜索结果中选择" in response.content.decode()


def test_a_unit_reviewer_cannot_resolve_requests(client, lianjiang_request, reviewer_lianjiang_hospital):
    client.force_login(reviewer_lianjiang_hospital)
    assert client.get(reverse("backoffice:unit_requests")).status_code == 403
    assert client.post(reverse("backoffice:unit_request_resolve", args=[lianjiang_request.pk]),
                       {"mode": "point"}).status_code == 403


def test_the_request_list_refuses_post(client, reviewer_fuzhou):
    client.force_login(reviewer_fuzhou)
    assert client.post(reverse("backoffice:unit_requests")).status_code == 405
