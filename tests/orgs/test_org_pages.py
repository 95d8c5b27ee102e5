"""组织机构管理: list, add, edit (and move), delete with reasons, batch enable/disable, admins."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from prereg.accounts.models import Role
from prereg.audit.models import AuditEvent
from prereg.orgs.models import Org, UnitRequest
from tests.factories import TEST_PASSWORD, ApplicationFactory, UnitRequestFactory, UserFactory


def test_the_org_list_shows_the_subtree_only(client, reviewer_fuzhou):
    client.force_login(reviewer_fuzhou)
    html = client.get(reverse("backoffice:orgs")).content.decode()
    assert "连江县医院" in html and "福州市鼓楼区卫生健康局" in html
    assert "安溪县医院" not in html and "泉州市卫生健康委员会" not in html


def test_the_org_list_searches_by_name_and_filters_by_level(client, reviewer_fuzhou):
    client.force_login(reviewer_fuzhou)
    html = client.get(reverse("backoffice:orgs"), {"q": "连江县医"}).content.decode()
    assert "连江县医院" in html and "连江县中医院" not in html
    html = client.get(reverse("backoffice:orgs"), {"level": "point"}).content.decode()
    assert "鼓楼区卫健局" in html and "连江县妇幼保健院" not in html


def test_the_org_list_pages_keep_its_filters(client, reviewer_fuzhou, monkeypatch):
    monkeypatch.setattr("prereg.backoffice.views.orgs.PAGE_SIZE", 2)
    client.force_login(reviewer_fuzhou)
    response = client.get(reverse("backoffice:orgs"), {"level": "unit", "page": 2})
    html = response.content.decode()
    pages = response.context["page"].paginator.num_pages
    assert pages > 2 and f"第 2 / {pages} 页" in html
    assert 'href="?level=unit&amp;page=1"' in html and 'href="?level=unit&amp;page=3"' in html


def test_the_org_list_refuses_post_and_the_unit_role(client, reviewer_fuzhou, reviewer_lianjiang_hospital):
    client.force_login(reviewer_fuzhou)
    assert client.post(reverse("backoffice:orgs")).status_code == 405
    client.force_login(reviewer_lianjiang_hospital)
    assert client.get(reverse("backoffice:orgs")).status_code == 403


def test_a_point_adds_a_unit_without_review_right_below_itself(client, reviewer_gulou_bureau, tree):
    client.force_login(reviewer_gulou_bureau)
    response = client.post(reverse("backoffice:orgs_add"), {
        "parent": tree["350102"].pk, "name": "福州市鼓楼区温泉街道社区卫生服务中心",
        # Tampered: a 报名点 may not add a reviewing org nor give review right.
        "is_point": "on", "has_review_right": "on",
    })
    assert response.status_code == 302
    org = Org.objects.get(name="福州市鼓楼区温泉街道社区卫生服务中心")
    assert org.parent == tree["350102"] and org.is_unit and not org.has_review_right
    assert not (org.is_point or org.is_site or org.is_district)
    assert org.code == "35010202" and org.region_code == "350102"
    assert org.path.startswith(tree["350102"].path)
    assert AuditEvent.objects.filter(event="org.create", object_id=str(org.pk)).exists()


def test_only_the_district_adds_a_reviewing_org(client, reviewer_province, tree):
    client.force_login(reviewer_province)
    response = client.post(reverse("backoffice:orgs_add"), {
        "parent": tree["350100"].pk, "code": "35010090", "name": "福州高新技术产业开发区社会事业局", "is_point": "on",
    })
    assert response.status_code == 302
    org = Org.objects.get(code="35010090")
    assert org.is_point and not org.is_unit


def test_adding_keeps_the_input_and_says_what_is_wrong(client, reviewer_gulou_bureau, tree):
    client.force_login(reviewer_gulou_bureau)
    response = client.post(reverse("backoffice:orgs_add"), {
        "parent": tree["350102"].pk, "name": "福州市鼓楼区洪山社区卫生服务中心", "region_code": "35x",
        "contact_name": "王五"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "地区代码为6位数字" in html and 'value="王五"' in html
    response = client.post(reverse("backoffice:orgs_add"), {
        "parent": tree["350102"].pk, "name": "福州市鼓楼区洪山社区卫生服务中心"})
    assert "已存在同名机构" in response.content.decode()


def test_a_point_cannot_add_below_an_org_outside_its_subtree(client, reviewer_gulou_bureau, tree):
    client.force_login(reviewer_gulou_bureau)
    response = client.post(reverse("backoffice:orgs_add"), {"parent": tree["350524"].pk, "name": "安溪县某某诊所"})
    assert response.status_code == 200
    assert not Org.objects.filter(name="安溪县某某诊所").exists()


def test_editing_an_org_records_before_and_after(client, reviewer_fuzhou, tree):
    client.force_login(reviewer_fuzhou)
    org = tree["35012206"]
    response = client.post(reverse("backoffice:orgs_edit", args=[org.pk]), {
        "parent": org.parent_id, "code": org.code, "name": org.name, "short_name": "连江中医院",
        "region_code": org.region_code, "is_unit": "on", "version": org.version})
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.short_name == "连江中医院" and "lianjiangzhongyiyuan" in org.pinyin
    event = AuditEvent.objects.get(event="org.update")
    assert event.details["changes"]["short_name"] == ["", "连江中医院"]


def test_moving_an_org_re_parents_its_whole_subtree(client, reviewer_province, tree):
    client.force_login(reviewer_province)
    lianjiang = tree["350122"]
    child_ids = list(lianjiang.children.values_list("pk", flat=True))
    response = client.post(reverse("backoffice:orgs_edit", args=[lianjiang.pk]), {
        "parent": tree["350500"].pk, "code": lianjiang.code, "name": lianjiang.name, "short_name": "连江县卫健局",
        "region_code": "350122", "is_point": "on", "is_unit": "on", "version": lianjiang.version})
    assert response.status_code == 302
    lianjiang.refresh_from_db()
    assert lianjiang.path.startswith(tree["350500"].path) and lianjiang.depth == 2
    moved = Org.objects.filter(pk__in=child_ids)
    assert all(o.path.startswith(lianjiang.path) and o.depth == 3 for o in moved)
    assert set(Org.objects.subtree_of(tree["350500"]).values_list("pk", flat=True)) >= set(child_ids)
    assert not Org.objects.subtree_of(tree["350100"]).filter(pk__in=child_ids).exists()


def test_an_org_cannot_move_below_its_own_descendant(client, reviewer_province, tree):
    client.force_login(reviewer_province)
    fuzhou = tree["350100"]
    client.post(reverse("backoffice:orgs_edit", args=[fuzhou.pk]), {
        "parent": tree["350122"].pk, "code": fuzhou.code, "name": fuzhou.name, "is_site": "on",
        "version": fuzhou.version})
    fuzhou.refresh_from_db()
    assert fuzhou.parent == tree["350000"]


def test_deleting_is_refused_with_the_reasons_while_anything_refers_to_the_org(client, reviewer_fuzhou, tree):
    client.force_login(reviewer_fuzhou)
    UserFactory(role=Role.UNIT, org=tree["35012205"])
    UnitRequestFactory(region_code="350122", resolved_org=tree["35012205"], status=UnitRequest.Status.POINTED)
    response = client.post(reverse("backoffice:orgs_delete", args=[tree["35012205"].pk]), {"version": 0}, follow=True)
    html = response.content.decode()
    assert "不能删除" in html and "1个用户账号" in html and "单位添加申请" in html
    assert Org.objects.filter(pk=tree["35012205"].pk).exists()
    response = client.post(reverse("backoffice:orgs_delete", args=[tree["350122"].pk]), {"version": 0}, follow=True)
    assert "6个下级机构" in response.content.decode()


def test_deleting_is_refused_while_an_application_names_the_org_in_its_chain(client, reviewer_fuzhou, tree, year):
    ApplicationFactory(exam_year=year, point_org=tree["35012204"])
    client.force_login(reviewer_fuzhou)
    client.post(reverse("backoffice:orgs_delete", args=[tree["35012204"].pk]), {"version": 0})
    assert Org.objects.filter(pk=tree["35012204"].pk).exists()


def test_an_unreferenced_org_is_deleted_and_audited(client, reviewer_fuzhou, tree):
    client.force_login(reviewer_fuzhou)
    pk = tree["35012204"].pk
    response = client.post(reverse("backoffice:orgs_delete", args=[pk]), {"version": 0})
    assert response.status_code == 302
    assert not Org.objects.filter(pk=pk).exists()
    assert AuditEvent.objects.filter(event="org.delete", object_id=str(pk)).exists()


def test_delete_needs_post(client, reviewer_fuzhou, tree):
    client.force_login(reviewer_fuzhou)
    assert client.get(reverse("backoffice:orgs_delete", args=[tree["35012204"].pk])).status_code == 405


def test_batch_disable_and_enable(client, reviewer_fuzhou, tree):
    client.force_login(reviewer_fuzhou)
    ids = [tree["35012201"].pk, tree["35012202"].pk]
    assert client.post(reverse("backoffice:orgs_toggle"), {"ids": ids, "action": "disable"}).status_code == 302
    assert Org.objects.filter(pk__in=ids, enabled=False).count() == 2
    assert AuditEvent.objects.filter(event="org.disable").count() == 2
    client.post(reverse("backoffice:orgs_toggle"), {"ids": ids, "action": "enable"})
    assert Org.objects.filter(pk__in=ids, enabled=True).count() == 2


def test_users_of_a_disabled_org_cannot_log_in_and_lose_their_sessions(client, reviewer_fuzhou, tree):
    hospital_user = UserFactory(username="lj-hospital", role=Role.UNIT, org=tree["35012205"])
    other = type(client)()
    other.force_login(hospital_user)
    assert other.get(reverse("backoffice:dashboard")).status_code == 200
    client.force_login(reviewer_fuzhou)
    client.post(reverse("backoffice:orgs_toggle"), {"ids": [tree["35012205"].pk], "action": "disable"})
    assert other.get(reverse("backoffice:dashboard")).status_code == 302
    response = other.post(reverse("accounts:login"), {"username": "lj-hospital", "password": TEST_PASSWORD})
    # Said once the password is right (and to no one else): not a wrong password, which counts to the lockout.
    assert response.status_code == 200 and "您所在的机构（连江县医院）已被禁用" in response.content.decode()
    assert other.get(reverse("backoffice:dashboard")).status_code == 302
    wrong = other.post(reverse("accounts:login"), {"username": "lj-hospital", "password": "wrong"})
    assert "账号或密码错误" in wrong.content.decode() and "已被禁用" not in wrong.content.decode()
    assert AuditEvent.objects.filter(event="auth.login_refused", object_id=str(hospital_user.pk)).exists()


def test_the_detail_page_shows_the_org_administrators(client, reviewer_fuzhou, tree):
    UserFactory(username="35012205", name="林涛", role=Role.UNIT, org=tree["35012205"])
    client.force_login(reviewer_fuzhou)
    html = client.get(reverse("backoffice:orgs_detail", args=[tree["35012205"].pk])).content.decode()
    assert "林涛" in html and "重置密码" in html


def test_resetting_an_org_admin_shows_a_one_time_password_once(client, reviewer_fuzhou, tree):
    admin = UserFactory(username="35012205", role=Role.UNIT, org=tree["35012205"])
    client.force_login(reviewer_fuzhou)
    url = reverse("backoffice:orgs_admin_reset", args=[tree["35012205"].pk, admin.pk])
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    admin.refresh_from_db()
    assert admin.must_change_password
    password = response.context["password"]
    assert escape(password) in response.content.decode() and password != "123456"
    assert admin.check_password(password)
    assert admin.password_history.count() == 1
    event = AuditEvent.objects.get(event="account.password_reset")
    assert password not in str(event.details)
    assert client.get(url).status_code == 405


def test_resetting_an_admin_of_another_org_through_this_org_is_refused(client, reviewer_fuzhou, tree):
    admin = UserFactory(role=Role.UNIT, org=tree["35012205"])
    client.force_login(reviewer_fuzhou)
    response = client.post(reverse("backoffice:orgs_admin_reset", args=[tree["35012201"].pk, admin.pk]), follow=True)
    assert response.status_code == 403


@pytest.mark.parametrize("url_name", ["backoffice:orgs_edit", "backoffice:orgs_detail"])
def test_org_pages_answer_404_out_of_scope(client, reviewer_gulou_bureau, tree, url_name):
    client.force_login(reviewer_gulou_bureau)
    assert client.get(reverse(url_name, args=[tree["35052401"].pk])).status_code == 404


def test_an_org_with_applications_waiting_for_it_is_not_disabled(client, reviewer_fuzhou, tree, year):
    from tests.factories import submitted

    waiting = submitted(tree, year, unit_code="35012205").waiting_org
    assert waiting.is_within(tree["350100"]) and waiting != tree["350100"]
    client.force_login(reviewer_fuzhou)
    html = client.post(reverse("backoffice:orgs_toggle"), {"ids": [waiting.pk], "action": "disable"},
                       follow=True).content.decode()
    assert f"“{waiting.name}”有1份报名信息待其审核" in html
    assert Org.objects.get(pk=waiting.pk).enabled


def test_the_org_list_and_the_parent_choices_are_in_the_order_of_the_codes(client, reviewer_province, tree):
    # 宁德 (350900) was created after 福州 (350100) here; a tree imported in another order gives
    # their paths (ids) any order: swap them to be sure the list does not follow the paths.
    Org.objects.filter(pk=tree["350100"].pk).update(path=f"{tree['350000'].path}999999/")
    client.force_login(reviewer_province)
    listed = [org.code for org in client.get(reverse("backoffice:orgs")).context["page"]]
    assert listed == sorted(listed) and listed[:3] == ["350000", "35000001", "35000002"]
    html = client.get(reverse("backoffice:orgs"), {"level": "site"}).content.decode()
    assert html.index("福州市卫生健康委员会") < html.index("宁德市卫生健康委员会")
    form = client.get(reverse("backoffice:orgs_edit", args=[tree["35052401"].pk])).context["form"]
    offered = [org.code for org in form.fields["parent"].queryset]
    assert offered == sorted(offered)


def test_batch_disable_locks_its_orgs_in_the_order_a_submission_locks_them(tree, reviewer_fuzhou):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from prereg.orgs.services import org_set_enabled

    ids = [tree["35012202"].pk, tree["35012201"].pk]
    with CaptureQueriesContext(connection) as queries:
        org_set_enabled(actor=reviewer_fuzhou, org_ids=ids, enabled=False)
    locking = [q["sql"] for q in queries.captured_queries if '"orgs_org"."id" IN' in q["sql"]][0]
    assert 'ORDER BY "orgs_org"."id" ASC' in locking
