"""单位添加申请: the registration points of the area see open requests and resolve them."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from prereg.accounts.models import Role
from prereg.notify.models import SmsMessage
from prereg.orgs import services
from prereg.orgs.models import Org, UnitRequest
from prereg.orgs.services import unit_request_create


@pytest.fixture
def lianjiang_request(candidate, tree):
    return unit_request_create(actor=candidate, full_name="连江县琯头镇卫生院", region_code="350122")


def test_a_request_needs_a_full_name(candidate, tree):
    with pytest.raises(ValidationError):
        unit_request_create(actor=candidate, full_name="卫生院", region_code="350122")


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
    assert sms.phone == lianjiang_request.requested_by.phone and "连江县琯头镇卫生院" in sms.text and sms.delivered


def test_resolving_by_pointing_to_an_existing_unit(client, candidate, tree, reviewer_fuzhou):
    unit_request = unit_request_create(actor=candidate, full_name="连江县人民医院", region_code="350122")
    client.force_login(reviewer_fuzhou)
    page = client.get(reverse("backoffice:unit_request_resolve", args=[unit_request.pk]), {"q": "连江县医"})
    assert "连江县医院" in page.content.decode()
    response = client.post(reverse("backoffice:unit_request_resolve", args=[unit_request.pk]),
                           {"mode": "point", "org": tree["35012205"].pk})
    assert response.status_code == 302
    unit_request.refresh_from_db()
    assert unit_request.status == "pointed" and unit_request.resolved_org == tree["35012205"]
    assert "连江县医院" in SmsMessage.objects.get(phone=candidate.phone).text
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


def test_a_hospital_that_is_a_registration_point_for_its_staff_sees_no_requests(client, tree):
    from tests.factories import UnitRequestFactory, UserFactory

    requests = [UnitRequestFactory(region_code=region) for region in ("350100", "350102", "350122", "350104")]
    first_hospital = UserFactory(role=Role.POINT, org=tree["35010001"])  # 福州市第一医院 (350100)
    provincial = UserFactory(role=Role.POINT, org=tree["35000001"])  # 福建省立医院 (350102), 金山医院 below
    for user in (first_hospital, provincial):
        assert not UnitRequest.objects.visible_to(user).exists()
        client.force_login(user)
        assert client.get(reverse("backoffice:unit_request_resolve", args=[requests[2].pk])).status_code == 404
    # The bureaus keep their county's, the 考点 its city's.
    lianjiang = UserFactory(role=Role.POINT, org=tree["350122"])  # a bureau that is a unit for its own staff
    gulou = UserFactory(role=Role.POINT, org=tree["350102"])
    assert list(UnitRequest.objects.visible_to(lianjiang)) == [requests[2]]
    assert list(UnitRequest.objects.visible_to(gulou)) == [requests[1]]
    fuzhou = UserFactory(role=Role.SITE, org=tree["350100"])
    assert set(UnitRequest.objects.visible_to(fuzhou)) == set(requests)


def test_a_request_is_filed_below_a_bureau_not_below_a_hospital_registration_point(client, lianjiang_request, tree,
                                                                                  reviewer_fuzhou):
    client.force_login(reviewer_fuzhou)
    url = reverse("backoffice:unit_request_resolve", args=[lianjiang_request.pk])
    offered = set(client.get(url).context["add_form"].fields["parent"].queryset.values_list("code", flat=True))
    assert "35010001" not in offered and {"350102", "350122"} <= offered
    with pytest.raises(ValidationError) as refused:
        services.unit_request_resolve_add(actor=reviewer_fuzhou, unit_request=lianjiang_request,
                                          parent=tree["35010001"], name="连江县琯头镇卫生院")
    assert "区县卫生健康局" in refused.value.message_dict["parent"][0]
    assert not Org.objects.filter(name="连江县琯头镇卫生院").exists()


def test_a_request_is_refused_with_a_reason_the_candidate_is_told_by_sms(client, lianjiang_request, reviewer_fuzhou,
                                                                        settings):
    from prereg.audit.models import AuditEvent

    client.force_login(reviewer_fuzhou)
    url = reverse("backoffice:unit_request_resolve", args=[lianjiang_request.pk])
    response = client.post(url, {"mode": "refuse", "reason": "  "})
    assert response.status_code == 200 and response.context["refuse_form"].errors["reason"]
    with pytest.raises(ValidationError) as refused:
        services.unit_request_refuse(actor=reviewer_fuzhou, unit_request=lianjiang_request, reason=" ")
    assert refused.value.message_dict["reason"] == ["请填写不予添加的原因（将短信告知考生）。"]
    lianjiang_request.refresh_from_db()
    assert lianjiang_request.status == "open" and not SmsMessage.objects.exists()
    response = client.post(url, {"mode": "refuse", "reason": "单位库中已有该单位，请搜索“琯头镇”。"})
    assert response.status_code == 302
    lianjiang_request.refresh_from_db()
    assert lianjiang_request.status == "refused" and lianjiang_request.get_status_display() == "不予添加"
    assert lianjiang_request.refuse_reason == "单位库中已有该单位，请搜索“琯头镇”。"
    assert lianjiang_request.resolved_by == reviewer_fuzhou and lianjiang_request.resolved_org is None
    sms = SmsMessage.objects.get(purpose="unit_request")
    assert sms.phone == lianjiang_request.requested_by.phone and sms.text.startswith(f"【{settings.SITE_NAME}】您")
    assert "申请添加的单位未予添加" in sms.text and "琯头镇卫生院" not in sms.text.split("原因")[0]
    assert "原因：单位库中已有该单位，请搜索“琯头镇”。" in sms.text
    event = AuditEvent.objects.get(event="org.unit_request_resolve")
    assert event.details["status"] == "refused" and event.details["reason"] == lianjiang_request.refuse_reason
    listed = client.get(reverse("backoffice:unit_requests"), {"status": "refused"}).content.decode()
    assert "连江县琯头镇卫生院" in listed and "单位库中已有该单位" in listed
    with pytest.raises(ValidationError, match="该申请已处理"):
        services.unit_request_refuse(actor=reviewer_fuzhou, unit_request=lianjiang_request, reason="重复")


def test_a_candidate_cannot_file_the_same_open_request_twice(client, candidate, lianjiang_request, tree, year,
                                                             reviewer_fuzhou):
    from prereg.applications.carryover import start_application

    start_application(candidate=candidate, exam_year=year)
    with pytest.raises(ValidationError) as refused:
        unit_request_create(actor=candidate, full_name=" 连江县琯头镇卫生院 ", region_code="350122")
    assert "您已申请添加“连江县琯头镇卫生院”，报名点尚在处理，请勿重复申请" in refused.value.message_dict["full_name"][0]
    assert UnitRequest.objects.count() == 1
    client.force_login(candidate)
    page = client.post(reverse("candidate:unit_request"), {"full_name": "连江县琯头镇卫生院", "region_code": "350122"})
    assert page.status_code == 200 and "请勿重复申请" in str(page.context["form"].errors["full_name"])
    # Another unit, another candidate, or the same one once the first is answered: taken.
    unit_request_create(actor=candidate, full_name="连江县敖江镇卫生院", region_code="350122")
    from tests.factories import CandidateFactory

    unit_request_create(actor=CandidateFactory(), full_name="连江县琯头镇卫生院", region_code="350122")
    services.unit_request_refuse(actor=reviewer_fuzhou, unit_request=lianjiang_request, reason="名称不完整")
    unit_request_create(actor=candidate, full_name="连江县琯头镇卫生院", region_code="350122")
    assert UnitRequest.objects.count() == 4


def test_every_result_sms_is_signed_with_the_site_name(client, candidate, lianjiang_request, tree, reviewer_fuzhou,
                                                       settings):
    services.unit_request_resolve_add(actor=reviewer_fuzhou, unit_request=lianjiang_request, parent=tree["350122"],
                                      name="连江县琯头镇卫生院")
    pointed = unit_request_create(actor=candidate, full_name="连江县人民医院", region_code="350122")
    services.unit_request_resolve_existing(actor=reviewer_fuzhou, unit_request=pointed, org=tree["35012205"])
    texts = list(SmsMessage.objects.filter(purpose="unit_request").values_list("text", flat=True))
    assert len(texts) == 2 and all(text.startswith(f"【{settings.SITE_NAME}】您") for text in texts)


# --- The answer goes to the requester's own phone (security probe) -----------------------------

PHISHING = "【福建省卫健委】您的医师资格已被注销，请登录 http://evil.example 重新认证"


def _filed_on_the_page(client, candidate, year, **data):
    from prereg.applications.carryover import start_application

    start_application(candidate=candidate, exam_year=year)
    client.force_login(candidate)
    response = client.post(reverse("candidate:unit_request"), {"region_code": "350122", **data})
    assert response.status_code == 302
    return UnitRequest.objects.get(requested_by=candidate)


@pytest.mark.parametrize("resolve", ["refuse", "point", "add"])
def test_the_answer_goes_to_the_requesters_account_phone_and_repeats_nothing_he_typed(
        client, candidate, tree, year, reviewer_fuzhou, settings, resolve):
    """A candidate typed a phishing text as the unit's name and any number as 联系电话: when the
    报名点 refused (or pointed to a unit), that number was sent an SMS repeating the text under the
    official signature. The answer now goes to the number his account was signed up with, and says
    what the 报名点 decided, not what he typed."""
    unit_request = _filed_on_the_page(client, candidate, year, full_name=PHISHING, phone="13700000001")
    if resolve == "refuse":
        services.unit_request_refuse(actor=reviewer_fuzhou, unit_request=unit_request, reason="名称不是单位")
    elif resolve == "point":
        services.unit_request_resolve_existing(actor=reviewer_fuzhou, unit_request=unit_request,
                                               org=tree["35012205"])
    else:
        services.unit_request_resolve_add(actor=reviewer_fuzhou, unit_request=unit_request, parent=tree["350122"],
                                          name="连江县琯头镇卫生院")
    assert not SmsMessage.objects.filter(phone="13700000001").exists()
    sms = SmsMessage.objects.get(purpose="unit_request")
    assert sms.phone == candidate.phone and sms.text.startswith(f"【{settings.SITE_NAME}】")
    assert "evil" not in sms.text and "注销" not in sms.text and "申请添加的单位" in sms.text
    expected = {"refuse": "未予添加，原因：名称不是单位。", "point": "单位库中已有，名称为“连江县医院”",
                "add": "已加入单位库，名称为“连江县琯头镇卫生院”"}[resolve]
    assert expected in sms.text


def test_the_form_asks_for_no_phone_and_says_where_the_answer_goes(client, candidate, tree, year):
    _filed_on_the_page(client, candidate, year, full_name="连江县琯头镇卫生院")
    page = client.get(reverse("candidate:unit_request")).content.decode()
    assert 'name="phone"' not in page
    assert f"{candidate.phone[:3]}****{candidate.phone[-4:]}" in page and "短信" in page


def test_only_a_candidate_files_a_unit_request(tree, reviewer_lianjiang_hospital, reviewer_fuzhou):
    from django.core.exceptions import PermissionDenied

    for actor in (reviewer_lianjiang_hospital, reviewer_fuzhou):
        with pytest.raises(PermissionDenied):
            unit_request_create(actor=actor, full_name="连江县琯头镇卫生院", region_code="350122")
    assert not UnitRequest.objects.exists()


def test_a_requester_without_a_phone_files_and_is_answered_without_an_sms(client, tree, year, reviewer_fuzhou):
    from tests.factories import CandidateFactory

    candidate = CandidateFactory(phone="")
    unit_request = _filed_on_the_page(client, candidate, year, full_name="连江县琯头镇卫生院")
    assert "未登记手机号码，处理结果不会短信通知" in client.get(reverse("candidate:unit_request")).content.decode()
    services.unit_request_refuse(actor=reviewer_fuzhou, unit_request=unit_request, reason="重复申请")
    unit_request.refresh_from_db()
    assert unit_request.status == "refused" and not SmsMessage.objects.exists()
