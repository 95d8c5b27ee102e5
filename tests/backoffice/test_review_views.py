"""The reviewer's pages: every view's happy path, wrong method, wrong role, out of scope."""

import datetime
import re
from urllib.parse import urlencode

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from prereg.accounts import permissions
from prereg.accounts.models import RolePermission
from prereg.applications import services
from prereg.applications.models import Application, FieldCheck, ForwardBatch, ReviewLog, Stage, State
from prereg.applications.selectors import applications_for
from prereg.backoffice.views import review as review_views
from prereg.catalog.models import Specialty
from prereg.notify.models import Notice, SmsMessage
from prereg.orgs import services as org_services
from prereg.orgs.models import CrossReviewAssignment, Org
from tests.factories import UserFactory, approve, make_application, submitted, tick_all


@pytest.fixture
def app(tree, year, reviewer_anxi_hospital):
    return submitted(tree, year, name="李娜")


def client_for(client, user):
    client.force_login(user)
    return client


# 待审信息 ---------------------------------------------------------------------------------------

def test_pending_lists_the_applications_at_my_stage_with_an_open_link(client, app, reviewer_anxi_hospital):
    response = client_for(client, reviewer_anxi_hospital).get(reverse("backoffice:pending"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "李娜" in body and reverse("backoffice:review", args=[app.pk]) in body
    assert f'data-href="{reverse("backoffice:review", args=[app.pk])}?back=' in body  # the list kept (round 7 B)
    # ID numbers are masked in lists.
    assert app.id_number not in body


def test_pending_does_not_show_applications_of_another_stage_or_chain(client, app, reviewer_anxi_bureau,
                                                                      reviewer_fuzhou):
    for reviewer in (reviewer_anxi_bureau, reviewer_fuzhou):
        client.force_login(reviewer)
        assert "李娜" not in client.get(reverse("backoffice:pending")).content.decode()


def test_pending_refuses_post_candidates_and_the_sysadmin(client, app, reviewer_anxi_hospital, candidate,
                                                          sysadmin):
    assert client_for(client, reviewer_anxi_hospital).post(reverse("backoffice:pending")).status_code == 405
    for user in (candidate, sysadmin):
        client.force_login(user)
        assert client.get(reverse("backoffice:pending")).status_code == 403


def test_pending_filters_by_name_and_specialty_and_sorts(client, tree, year, reviewer_anxi_hospital):
    specialty = Specialty.objects.filter(exam_year=year).first()
    submitted(tree, year, name="张三", specialty=specialty)
    submitted(tree, year, name="王五")
    client.force_login(reviewer_anxi_hospital)
    body = client.get(reverse("backoffice:pending"), {"q": "张三"}).content.decode()
    assert "张三" in body and "王五" not in body
    body = client.get(reverse("backoffice:pending"), {"specialty": specialty.pk}).content.decode()
    assert "张三" in body and "王五" not in body
    body = client.get(reverse("backoffice:pending"), {"sort": "-name"}).content.decode()
    assert body.index("王五") < body.index("张三")
    assert client.get(reverse("backoffice:pending"), {"sort": "nonsense", "page": "x"}).status_code == 200


@pytest.mark.parametrize("params", [{}, {"sort": "-name"}, {"specialty": "first"}, {"q": "李娜"},
                                    {"submitted_from": "2000-01-01", "unit": "own", "org_q": "安溪县医院"}])
def test_pending_page_issues_the_same_few_queries_for_3_and_for_30_applications(client, tree, year, params,
                                                                              reviewer_anxi_hospital,
                                                                              monkeypatch):
    # The permission table's in-process copy is refreshed every 2 s; hold it, so that the
    # slow fixture between the two pages cannot add a cache read to one count only.
    monkeypatch.setattr(permissions, "LOCAL_SECONDS", 3600.0)
    specialty = Specialty.objects.filter(exam_year=year).order_by("pk").first()
    if params.get("specialty"):
        params = {**params, "specialty": specialty.pk}
    if params.get("unit"):
        params = {**params, "unit": reviewer_anxi_hospital.org_id}
    client.force_login(reviewer_anxi_hospital)
    url = reverse("backoffice:pending")

    def page():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, params)
        assert response.status_code == 200 and not response.context["form"].errors
        return response, len(captured.captured_queries)

    for _ in range(3):
        submitted(tree, year, specialty=specialty)
    page()  # warms the session and the permission table
    response, three = page()
    assert response.context["page"].paginator.count == 3
    for _ in range(27):
        submitted(tree, year, specialty=specialty)
    response, thirty = page()
    assert response.context["page"].paginator.count == 30
    assert len(response.context["page"].object_list) == 20
    assert thirty == three <= 10


def test_pending_selects_offer_the_current_years_dictionaries_with_the_choice_kept(client, tree, year,
                                                                                  reviewer_anxi_hospital):
    specialty = Specialty.objects.filter(exam_year=year).order_by("name").last()
    submitted(tree, year, name="张三", specialty=specialty)
    client.force_login(reviewer_anxi_hospital)
    body = client.get(reverse("backoffice:pending"), {"specialty": specialty.pk}).content.decode()
    # Each offered with its 拟申报资格: a name both catalogues hold is told apart.
    assert f'<option value="{specialty.pk}" selected>{specialty.name}（{specialty.qualification.name}）</option>' in body
    names = [f"{name}（{qualification}）" for name, qualification in Specialty.objects.filter(exam_year=year)
             .order_by("name", "qualification__name").values_list("name", "qualification__name")]
    select = body[body.index('<select name="specialty" id="id_specialty"'):]
    select = select[:select.index("</select>")]
    assert [name for name in names if f">{name}</option>" in select] == names
    assert select.index(f">{names[0]}</option>") < select.index(f">{names[-1]}</option>")


def test_pending_refuses_a_specialty_of_no_current_dictionary_at_the_field(client, tree, year,
                                                                         reviewer_anxi_hospital):
    submitted(tree, year, name="张三")
    client.force_login(reviewer_anxi_hospital)
    response = client.get(reverse("backoffice:pending"), {"specialty": 999999})
    assert response.status_code == 200
    assert "请从列表中重新选择" in response.content.decode()


def test_pending_finds_by_application_number_and_the_filter_by_id_number(client, tree, year,
                                                                        reviewer_anxi_hospital):
    zhang = submitted(tree, year, name="张三")
    submitted(tree, year, name="王五")
    client.force_login(reviewer_anxi_hospital)
    body = client.get(reverse("backoffice:pending"), {"q": zhang.number}).content.decode()
    assert "张三" in body and "王五" not in body
    # By ID number through the selector itself: the page echoes the search, which the PII scan of
    # every test response would (rightly) report.
    found = applications_for(reviewer_anxi_hospital, {"q": zhang.id_number.lower(), "waiting": True})
    assert list(found.values_list("name", flat=True)) == ["张三"]


def test_pending_search_box_finds_a_part_of_a_name_but_only_a_whole_number(client, tree, year,
                                                                         reviewer_anxi_hospital):
    zhang = submitted(tree, year, name="张三丰")
    submitted(tree, year, name="王五")
    client.force_login(reviewer_anxi_hospital)
    body = client.get(reverse("backoffice:pending"), {"q": "三丰"}).content.decode()
    assert "张三丰" in body and "王五" not in body
    body = client.get(reverse("backoffice:pending"), {"q": zhang.number[:-1]}).content.decode()
    assert "张三丰" not in body and "没有待审的报名信息" in body
    assert "姓名含所填文字，或证件编号、报名号与所填完全一致" in body  # the box says what it finds


def test_pending_filters_by_a_unit_of_the_subtree_and_the_units_below_it(client, tree, year, reviewer_quanzhou):
    make_application(tree, year, "35052401", State.IN_REVIEW, Stage.SITE_REVIEW, name="张三")
    client.force_login(reviewer_quanzhou)
    bureau = tree["350524"]  # the hospital's 报名点, a level above it
    body = client.get(reverse("backoffice:pending"), {"unit": bureau.pk, "org_q": bureau.name}).content.decode()
    assert "张三" in body
    other = Org(code="35050099", name="泉州某医院", parent=tree["350500"], is_unit=True)
    other.save()
    body = client.get(reverse("backoffice:pending"), {"unit": other.pk, "org_q": other.name}).content.decode()
    assert "张三" not in body and "没有待审的报名信息" in body
    outside = tree["35010201"]  # another 考点's unit: refused at the field, the rest of the filter kept
    response = client.get(reverse("backoffice:pending"), {"unit": outside.pk, "org_q": outside.name, "q": "张"})
    assert "所选单位不在您的管辖范围内" in response.content.decode()
    assert [row.name for row in response.context["page"].object_list] == ["张三"]


def test_pending_filters_by_local_submission_day(client, tree, year, reviewer_anxi_hospital):
    app = submitted(tree, year, name="张三")
    day = timezone.localdate(app.submitted_at)
    client.force_login(reviewer_anxi_hospital)
    on_the_day = {"submitted_from": day.isoformat(), "submitted_to": day.isoformat()}
    assert "张三" in client.get(reverse("backoffice:pending"), on_the_day).content.decode()
    day_before = (day - datetime.timedelta(days=1)).isoformat()
    body = client.get(reverse("backoffice:pending"), {"submitted_to": day_before}).content.decode()
    assert "张三" not in body and "没有待审的报名信息" in body


def test_pending_sort_links_keep_the_filter_and_flip_the_current_column(client, tree, year,
                                                                      reviewer_anxi_hospital):
    submitted(tree, year, name="张三")
    client.force_login(reviewer_anxi_hospital)
    body = client.get(reverse("backoffice:pending"), {"q": "张三", "sort": "name"}).content.decode()
    assert '<a href="?q=%E5%BC%A0%E4%B8%89&amp;sort=-name" class="sort active">姓名 ▲</a>' in body
    # The pagination keeps the sort; the sort links replace it.
    assert "sort=name&amp;sort" not in body
    assert '<a href="?q=%E5%BC%A0%E4%B8%89&amp;sort=number" class="sort">报名号</a>' in body


@pytest.mark.parametrize("deep_offset", [200, 0])  # 0: every page takes the deep-page path
def test_pending_page_past_the_end_shows_the_last_page(client, tree, year, reviewer_anxi_hospital, deep_offset,
                                                       monkeypatch):
    monkeypatch.setattr(review_views, "DEEP_OFFSET", deep_offset)
    for i in range(22):
        submitted(tree, year, name=f"考生{i:02d}")
    client.force_login(reviewer_anxi_hospital)
    for number in (2, 9):
        response = client.get(reverse("backoffice:pending"), {"page": number, "sort": "-name"})
        page = response.context["page"]
        assert page.number == 2 and page.paginator.count == 22
        assert [row.name for row in page.object_list] == ["考生01", "考生00"]
        assert "第 2 / 2 页，共 22 条" in response.content.decode()
        row = page.object_list[0]
        # The list as asked for carried along: the review screen returns to it (round 7 B).
        listed = f"{reverse('backoffice:pending')}?page={number}&sort=-name"
        assert row.open_url == f"{reverse('backoffice:review', args=[row.pk])}?{urlencode({'back': listed})}"


# The review screen --------------------------------------------------------------------------------

def test_review_screen_shows_each_camera_field_with_its_typed_values_and_approve_disabled(
        client, app, reviewer_anxi_hospital):
    body = client_for(client, reviewer_anxi_hospital).get(reverse("backoffice:review", args=[app.pk])).content.decode()
    assert "证件（身份证正反面）" in body and "<mark>福建医科大学</mark>" in body
    assert 'value="approve" disabled' in body
    assert "资格审核要点" in body and "审核日志" in body


def test_review_screen_is_not_found_outside_my_chain_and_forbidden_to_candidates(client, app, reviewer_fuzhou,
                                                                                 candidate):
    client.force_login(reviewer_fuzhou)
    assert client.get(reverse("backoffice:review", args=[app.pk])).status_code == 404
    client.force_login(candidate)
    assert client.get(reverse("backoffice:review", args=[app.pk])).status_code == 403


def test_a_later_stage_sees_the_application_read_only(client, app, reviewer_anxi_bureau):
    body = client_for(client, reviewer_anxi_bureau).get(reverse("backoffice:review", args=[app.pk])).content.decode()
    assert 'name="decision"' not in body and 'name="consistent"' not in body


def test_ticking_a_field_by_htmx_returns_the_field_and_the_decision_state(client, app, reviewer_anxi_hospital):
    client.force_login(reviewer_anxi_hospital)
    response = client.post(reverse("backoffice:review_check", args=[app.pk]),
                           {"field": "id_card", "consistent": "0", "version": app.version}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-consistent="no"' in body and 'hx-swap-oob="true"' in body
    assert "以下信息与原件不一致：证件（身份证正反面）" in body
    assert FieldCheck.objects.get(application=app, field="id_card").consistent is False


def test_ticking_is_refused_to_other_stages_and_unknown_fields(client, app, reviewer_anxi_bureau,
                                                               reviewer_anxi_hospital):
    client.force_login(reviewer_anxi_bureau)
    assert client.post(reverse("backoffice:review_check", args=[app.pk]),
                       {"field": "id_card", "consistent": "1", "version": app.version}).status_code == 403
    client.force_login(reviewer_anxi_hospital)
    client.post(reverse("backoffice:review_check", args=[app.pk]),
                {"field": "state", "consistent": "1", "version": app.version})
    assert not FieldCheck.objects.exists()
    assert client.get(reverse("backoffice:review_check", args=[app.pk])).status_code == 405


def test_a_tick_after_a_colleague_approved_says_already_handled_with_the_way_back(client, app, tree,
                                                                                 reviewer_anxi_hospital):
    colleague = UserFactory(role=reviewer_anxi_hospital.role, org=reviewer_anxi_hospital.org)
    version = Application.objects.get(pk=app.pk).version
    approve(app, reviewer_anxi_hospital)
    client.force_login(colleague)
    response = client.post(reverse("backoffice:review_check", args=[app.pk]),
                           {"field": "id_card", "consistent": "1", "version": version}, follow=True)
    body = response.content.decode()
    assert response.status_code == 200 and "已被他人处理" in body and "返回待审信息" in body
    # By htmx the browser is sent to the screen as it now stands, not given a stale field.
    response = client.post(reverse("backoffice:review_check", args=[app.pk]),
                           {"field": "id_card", "consistent": "1", "version": version}, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("backoffice:review", args=[app.pk])


@pytest.mark.parametrize("posted", [{}, {"version": ""}, {"version": "abc"}, {"version": "²"}],
                         ids=["missing", "empty", "garbled", "a digit int() does not read"])
def test_a_tick_without_a_readable_version_is_refused_as_from_a_stale_page(client, app, reviewer_anxi_hospital,
                                                                            posted):
    """Every review screen carries its version: a tick without one is no page of ours as it is now."""
    client.force_login(reviewer_anxi_hospital)
    response = client.post(reverse("backoffice:review_check", args=[app.pk]),
                           {"field": "id_card", "consistent": "1", **posted}, follow=True)
    assert response.status_code == 200 and "已被他人处理" in response.content.decode()
    response = client.post(reverse("backoffice:review_check", args=[app.pk]),
                           {"field": "id_card", "consistent": "1", **posted}, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("backoffice:review", args=[app.pk])
    assert not FieldCheck.objects.exists()


def test_a_decision_without_a_version_is_refused_as_from_a_stale_page(client, app, reviewer_anxi_hospital):
    tick_all(app, reviewer_anxi_hospital)
    client.force_login(reviewer_anxi_hospital)
    response = client.post(reverse("backoffice:review_decide", args=[app.pk]), {"decision": "approve"}, follow=True)
    assert response.status_code == 200 and "已被他人处理" in response.content.decode()
    assert Application.objects.get(pk=app.pk).stage == Stage.UNIT_REVIEW


def test_approve_through_the_page_moves_it_to_the_next_stage(client, app, reviewer_anxi_hospital):
    tick_all(app, reviewer_anxi_hospital)
    client.force_login(reviewer_anxi_hospital)
    body = client.get(reverse("backoffice:review", args=[app.pk])).content.decode()
    assert 'value="approve" disabled' not in body
    response = client.post(reverse("backoffice:review_decide", args=[app.pk]),
                           {"decision": "approve", "version": app.version, "opinion": "", "national_done": "1"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.stage == Stage.POINT_CONFIRM and app.national_marks == {"unit": True}
    assert ReviewLog.objects.get(application=app, action="approve").opinion == "同意"


def test_a_stale_decision_gets_already_handled_and_changes_nothing(client, app, reviewer_anxi_hospital):
    stale = app.version
    approve(app, reviewer_anxi_hospital)
    client.force_login(reviewer_anxi_hospital)
    response = client.post(reverse("backoffice:review_decide", args=[app.pk]),
                           {"decision": "reject", "version": stale, "reason": "x", "to": "candidate"}, follow=True)
    assert "已被他人处理，当前状态：审核中（报名点确认）" in response.content.decode()
    assert Application.objects.get(pk=app.pk).state == State.IN_REVIEW


def test_reject_without_a_reason_keeps_what_was_typed_and_says_why(client, app, reviewer_anxi_hospital):
    client.force_login(reviewer_anxi_hospital)
    response = client.post(reverse("backoffice:review_decide", args=[app.pk]),
                           {"decision": "reject", "version": app.version, "reason": "", "to": "candidate",
                            "opinion": "我的意见"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "不同意时必须填写不通过原因" in body and "我的意见" in body
    assert Application.objects.get(pk=app.pk).state == State.IN_REVIEW


def test_return_to_candidate_through_the_page_sends_the_sms(client, app, reviewer_anxi_hospital):
    client.force_login(reviewer_anxi_hospital)
    body = client.post(reverse("backoffice:review_decide", args=[app.pk]),
                       {"decision": "reject", "version": app.version, "reason": "学历证书不清晰", "to": "candidate"},
                       follow=True).content.decode()
    assert Application.objects.get(pk=app.pk).state == State.RETURNED
    assert "学历证书不清晰" in SmsMessage.objects.get(purpose="returned").text
    assert "已将李娜的报名信息退回考生。" in body  # to whom it went (the review probe)


def test_return_to_the_previous_stage_says_to_which_org(client, app, reviewer_anxi_hospital, reviewer_anxi_bureau):
    approve(app, reviewer_anxi_hospital)
    app.refresh_from_db()
    client.force_login(reviewer_anxi_bureau)
    body = client.post(reverse("backoffice:review_decide", args=[app.pk]),
                       {"decision": "reject", "version": app.version, "reason": "请重新核对学历证书", "to": "previous"},
                       follow=True).content.decode()
    assert f"已将李娜的报名信息退回单位审查（{reviewer_anxi_hospital.org.name}）。" in body
    # 已审信息 names the act and its stage apart (it read 不同意（退回上一环节）（报名点确认）).
    reviewed = client.get(reverse("backoffice:reviewed")).content.decode()
    assert "不同意（退回上一环节） · 报名点确认" in reviewed and "国网已办" in reviewed


def test_forged_decisions_for_a_skipped_stage_or_foreign_application_change_nothing(
        client, app, reviewer_quanzhou, reviewer_province, reviewer_fuzhou):
    for reviewer, status in ((reviewer_quanzhou, 403), (reviewer_province, 403), (reviewer_fuzhou, 404)):
        client.force_login(reviewer)
        response = client.post(reverse("backoffice:review_decide", args=[app.pk]),
                               {"decision": "approve", "version": app.version})
        assert response.status_code == status
    assert ReviewLog.objects.filter(application=app).count() == 1
    client.force_login(reviewer_quanzhou)
    assert client.get(reverse("backoffice:review_decide", args=[app.pk])).status_code == 405


# 已审信息 and 撤办 -----------------------------------------------------------------------------------

def test_reviewed_shows_my_decisions_with_recall_only_while_allowed(client, app, reviewer_anxi_hospital,
                                                                    reviewer_anxi_bureau):
    approve(app, reviewer_anxi_hospital)
    client.force_login(reviewer_anxi_hospital)
    recall_url = reverse("backoffice:review_recall", args=[app.pk])
    body = client.get(reverse("backoffice:reviewed")).content.decode()
    assert "李娜" in body and recall_url in body
    approve(app, reviewer_anxi_bureau)
    body = client.get(reverse("backoffice:reviewed")).content.decode()
    assert "李娜" in body and recall_url not in body
    # A post carrying the version it has now (no page shows the button): the workflow refuses it.
    response = client.post(recall_url, {"version": Application.objects.get(pk=app.pk).version}, follow=True)
    assert "无法撤办" in response.content.decode()
    assert Application.objects.get(pk=app.pk).stage == Stage.SITE_REVIEW


def test_recall_through_the_page_brings_it_back_to_pending(client, app, reviewer_anxi_hospital, candidate):
    approve(app, reviewer_anxi_hospital)
    client.force_login(reviewer_anxi_hospital)
    assert client.get(reverse("backoffice:review_recall", args=[app.pk])).status_code == 405
    version = Application.objects.get(pk=app.pk).version
    client.post(reverse("backoffice:review_recall", args=[app.pk]), {"version": version})
    assert Application.objects.get(pk=app.pk).stage == Stage.UNIT_REVIEW
    client.force_login(candidate)
    assert client.post(reverse("backoffice:review_recall", args=[app.pk]), {"version": version + 1}).status_code == 403


def test_a_recall_from_a_page_loaded_before_a_colleagues_recall_and_approval_is_refused(
        client, app, reviewer_anxi_hospital):
    approve(app, reviewer_anxi_hospital)
    client.force_login(reviewer_anxi_hospital)
    old_page = client.get(reverse("backoffice:reviewed")).content.decode()
    version = re.search(r'name="version" value="(\d+)"', old_page).group(1)
    colleague = UserFactory(role=reviewer_anxi_hospital.role, org=reviewer_anxi_hospital.org)
    services.application_recall(actor=colleague, application_id=app.pk, expected_version=int(version))
    approve(app, colleague)  # the colleague's decision, which the old page never showed
    logs = ReviewLog.objects.filter(application=app).count()
    body = client.post(reverse("backoffice:review_recall", args=[app.pk]), {"version": version},
                       follow=True).content.decode()
    assert "已被他人处理" in body
    assert Application.objects.get(pk=app.pk).stage == Stage.POINT_CONFIRM
    assert ReviewLog.objects.filter(application=app).count() == logs


def test_a_recall_without_a_version_is_refused_as_from_a_stale_page(client, app, reviewer_anxi_hospital):
    approve(app, reviewer_anxi_hospital)
    client.force_login(reviewer_anxi_hospital)
    review_page = client.get(reverse("backoffice:review", args=[app.pk])).content.decode()
    recall_form = review_page.split('/recall/"')[1].split("</form>")[0]
    assert f'name="version" value="{Application.objects.get(pk=app.pk).version}"' in recall_form
    for data in ({}, {"version": ""}, {"version": "²"}):
        body = client.post(reverse("backoffice:review_recall", args=[app.pk]), data, follow=True).content.decode()
        assert "已被他人处理" in body
    assert Application.objects.get(pk=app.pk).stage == Stage.POINT_CONFIRM


def test_the_print_button_shows_only_once_the_point_has_confirmed(client, app, reviewer_anxi_hospital,
                                                                  reviewer_anxi_bureau):
    approve(app, reviewer_anxi_hospital)
    client.force_login(reviewer_anxi_hospital)
    print_url = reverse("backoffice:print_confirmation", args=[app.pk])
    for page in (reverse("backoffice:reviewed"), reverse("backoffice:review", args=[app.pk])):
        assert print_url not in client.get(page).content.decode()  # at the 报名点: its print is refused
    assert client.get(print_url).status_code == 403
    approve(app, reviewer_anxi_bureau)
    for page in (reverse("backoffice:reviewed"), reverse("backoffice:review", args=[app.pk])):
        assert print_url in client.get(page).content.decode()
    assert client.get(print_url).status_code == 200


def test_without_the_print_function_no_print_button_shows_and_printing_is_refused(
        client, app, reviewer_anxi_hospital, reviewer_anxi_bureau):
    approve(app, reviewer_anxi_hospital)
    approve(app, reviewer_anxi_bureau)
    RolePermission.objects.create(role=reviewer_anxi_bureau.role, function="print_confirmation", allowed=False)
    permissions.invalidate_cache()
    client.force_login(reviewer_anxi_bureau)
    print_url = reverse("backoffice:print_confirmation", args=[app.pk])
    for page in (reverse("backoffice:reviewed"), reverse("backoffice:review", args=[app.pk])):
        assert print_url not in client.get(page).content.decode()
    assert client.get(print_url).status_code == 403


def test_reviewed_is_empty_for_an_org_that_decided_nothing(client, app, reviewer_fuzhou):
    client.force_login(reviewer_fuzhou)
    assert "李娜" not in client.get(reverse("backoffice:reviewed")).content.decode()


# 批量提交, 汇总提交 ----------------------------------------------------------------------------------

@pytest.fixture
def at_site(app, reviewer_anxi_hospital, reviewer_anxi_bureau):
    approve(app, reviewer_anxi_hospital)
    approve(app, reviewer_anxi_bureau)
    return Application.objects.get(pk=app.pk)


def test_batch_approve_leaves_unticked_applications_with_their_reason(client, at_site, reviewer_quanzhou):
    client.force_login(reviewer_quanzhou)
    body = client.post(reverse("backoffice:batch_approve"), {"items": [f"{at_site.pk}:{at_site.version}"]},
                       follow=True).content.decode()
    assert "未提交" in body and "尚未核对" in body
    at_site.refresh_from_db()
    assert not at_site.awaiting_forward and at_site.stage == Stage.SITE_REVIEW


def test_a_batch_item_without_a_version_is_refused_as_from_a_stale_page(client, at_site, reviewer_quanzhou):
    tick_all(at_site, reviewer_quanzhou)
    client.force_login(reviewer_quanzhou)
    for item in (f"{at_site.pk}:", f"{at_site.pk}", f"{at_site.pk}:abc"):
        body = client.post(reverse("backoffice:batch_approve"), {"items": [item]}, follow=True).content.decode()
        assert f"“{at_site.name}（报名号{at_site.number}）”未提交：已被他人处理" in body
    assert Application.objects.get(pk=at_site.pk).stage == Stage.SITE_REVIEW


def test_a_batch_item_whose_id_is_not_a_plain_number_is_refused_by_name(client, at_site, reviewer_quanzhou):
    tick_all(at_site, reviewer_quanzhou)
    client.force_login(reviewer_quanzhou)
    # "²" and "١" pass str.isdigit() and are no id: int() refused the first with a 500, read the second as 1.
    items = ["²:3", "١:3", "abc:3", f"{at_site.pk}:{at_site.version}"]
    response = client.post(reverse("backoffice:batch_approve"), {"items": items}, follow=True)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("“所选的一条报名信息”未提交：报名信息不存在。") == 3
    assert "已批量同意1条报名信息" in body
    assert Application.objects.get(pk=at_site.pk).awaiting_forward
    body = client.post(reverse("backoffice:batch_approve"), {"items": ["²:3"]}, follow=True).content.decode()
    assert "“所选的一条报名信息”未提交：报名信息不存在。" in body


def test_batch_approve_at_the_site_then_summary_submit_forwards_as_one_batch(client, at_site, reviewer_quanzhou):
    tick_all(at_site, reviewer_quanzhou)
    client.force_login(reviewer_quanzhou)
    assert 'name="items"' in client.get(reverse("backoffice:pending")).content.decode()
    client.post(reverse("backoffice:batch_approve"), {"items": [f"{at_site.pk}:{at_site.version}"]})
    at_site.refresh_from_db()
    assert at_site.awaiting_forward and at_site.stage == Stage.SITE_REVIEW
    body = client.get(reverse("backoffice:forward")).content.decode()
    assert "待汇总提交 1 条" in body
    # A post that does not carry what its page counted is refused, as a stale page is.
    refused = client.post(reverse("backoffice:forward"), {"stage": "site"}, follow=True).content.decode()
    assert "打开本页后待汇总提交的报名信息有变化" in refused and not ForwardBatch.objects.exists()
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', body).group(1)
    client.post(reverse("backoffice:forward"), {"stage": "site", "digest": digest})
    at_site.refresh_from_db()
    assert at_site.stage == Stage.DISTRICT_RECHECK
    assert ForwardBatch.objects.get().count == 1


def test_batch_and_forward_are_refused_to_points_and_units(client, at_site, reviewer_anxi_bureau):
    client.force_login(reviewer_anxi_bureau)
    assert client.post(reverse("backoffice:batch_approve"), {"items": [f"{at_site.pk}:{at_site.version}"]}
                       ).status_code == 403
    assert client.get(reverse("backoffice:forward")).status_code == 403


def test_forward_refuses_a_stage_the_org_does_not_hold(client, at_site, reviewer_quanzhou):
    client.force_login(reviewer_quanzhou)
    assert client.post(reverse("backoffice:forward"), {"stage": "district"}).status_code == 403
    assert client.put(reverse("backoffice:forward")).status_code == 405


def test_the_forward_page_offers_the_stages_the_act_accepts(client, at_site, reviewer_quanzhou, reviewer_province,
                                                           reviewer_anxi_bureau):
    assert services.forwarding_stages(reviewer_quanzhou) == [Stage.SITE_REVIEW]
    assert services.forwarding_stages(reviewer_anxi_bureau) == []
    # The province is its own 考点 as well; an account of a 考点's rank there forwards that stage only.
    assert services.forwarding_stages(reviewer_province) == [Stage.SITE_REVIEW, Stage.DISTRICT_RECHECK]
    site_rank = UserFactory(role="site", org=reviewer_province.org)
    assert services.forwarding_stages(site_rank) == [Stage.SITE_REVIEW]
    client.force_login(site_rank)
    body = client.get(reverse("backoffice:forward")).content.decode()
    assert f"{Stage.SITE_REVIEW.label} · 待汇总提交" in body and f"{Stage.DISTRICT_RECHECK.label} · 待汇总" not in body
    assert client.post(reverse("backoffice:forward"), {"stage": Stage.DISTRICT_RECHECK}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.summary_submit(actor=site_rank, stage=Stage.DISTRICT_RECHECK)


# 分配交叉审核 ---------------------------------------------------------------------------------------

def test_cross_review_assignment_through_the_page(client, tree, year, reviewer_fuzhou):
    UserFactory(role="point", org=tree["350122"])  # the target's reviewer account, as a target needs
    client.force_login(reviewer_fuzhou)
    assert client.get(reverse("backoffice:cross_review")).status_code == 200
    response = client.post(reverse("backoffice:cross_review"),
                           {"stage": "point", "source": tree["350102"].pk, "target": tree["350122"].pk})
    assert response.status_code == 302
    assignment = CrossReviewAssignment.objects.get(active=True)
    client.post(reverse("backoffice:cross_review_revoke", args=[assignment.pk]))
    assert not CrossReviewAssignment.objects.filter(active=True).exists()


def test_cross_review_refuses_orgs_outside_the_subtree_and_lower_roles(client, tree, year, reviewer_fuzhou,
                                                                       reviewer_gulou_bureau):
    client.force_login(reviewer_fuzhou)
    response = client.post(reverse("backoffice:cross_review"),
                           {"stage": "point", "source": tree["350524"].pk, "target": tree["350122"].pk})
    assert response.status_code == 400
    client.force_login(reviewer_gulou_bureau)
    assert client.get(reverse("backoffice:cross_review")).status_code == 403
    assert not CrossReviewAssignment.objects.exists()


def test_pending_shows_cross_reviewed_applications_to_the_assigned_org(client, tree, year, reviewer_fuzhou):
    reviewer = UserFactory(role="point", org=tree["350122"])  # before the assignment, as a target needs one
    org_services.cross_review_assign(actor=reviewer_fuzhou, exam_year=year, stage="unit",
                                     source_id=tree["350102"].pk, target_id=tree["350122"].pk)
    submitted(tree, year, unit_code="35010201", name="赵六")
    client.force_login(reviewer)
    body = client.get(reverse("backoffice:pending")).content.decode()
    assert "赵六" in body and "交叉审核" in body


def test_pending_marks_a_stage_taken_over_from_an_org_below(client, tree, year, reviewer_quanzhou,
                                                          reviewer_anxi_hospital, reviewer_anxi_bureau):
    # The 报名点 takes its hospital's 单位审查: the unit is in its subtree, yet it acts by the assignment.
    hospital, point = tree["35052401"], tree["350524"]
    own = submitted(tree, year, unit_code="35052401", name="钱七")
    org_services.cross_review_assign(actor=reviewer_quanzhou, exam_year=year, stage="unit", source_id=hospital.pk,
                                     target_id=point.pk)
    taken = submitted(tree, year, unit_code="35052401", name="赵六")
    assert (own.waiting_org, taken.waiting_org) == (hospital, point)
    approve(own, reviewer_anxi_hospital)  # at the 报名点's own stage now
    client.force_login(reviewer_anxi_bureau)
    rows = re.findall(r"<tr.*?</tr>", client.get(reverse("backoffice:pending")).content.decode(), re.S)
    assert {name: "交叉审核" in row for row in rows for name in ("赵六", "钱七") if name in row} == {
        "赵六": True, "钱七": False}
    # The review screen's 审核流程 marks the stage taken by the assignment, as the queue does.
    chain = client.get(reverse("backoffice:review", args=[taken.pk])).content.decode()
    chain = chain[chain.index('<ol class="chain">'):chain.index("</ol>", chain.index('<ol class="chain">'))]
    steps = re.findall(r"<li.*?</li>", chain, re.S)
    assert ["交叉审核" in step for step in steps] == [True, False, False, False]
    assert "交叉审核" not in client.get(reverse("backoffice:review", args=[own.pk])).content.decode().split(
        '<ol class="chain">')[1].split("</ol>")[0]


# Reviewer edit ------------------------------------------------------------------------------------

def test_reviewer_edit_records_before_and_after(client, app, reviewer_anxi_hospital):
    client.force_login(reviewer_anxi_hospital)
    url = reverse("backoffice:review_edit", args=[app.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"version": app.version, "name": "李娜娜", "current_qualification_date": "2016-10-01"})
    assert response.status_code == 302
    assert ReviewLog.objects.get(application=app, action="edit").details["changes"] == {"name": ["李娜", "李娜娜"]}


def test_a_reviewer_correction_refreshes_the_stored_verdict(client, app, reviewer_anxi_hospital):
    # Lists, their 资格初审 filter, exports and statistics read the stored verdict, not the live one.
    from prereg.applications import eligibility

    client.force_login(reviewer_anxi_hospital)
    Application.objects.filter(pk=app.pk).update(verdict="eligible", verdict_text="由修改前的信息得出")
    response = client.post(reverse("backoffice:review_edit", args=[app.pk]),
                           {"version": app.version, "name": "李娜", "current_qualification_date": "2026-11"})
    assert response.status_code == 302
    after = Application.objects.get(pk=app.pk)
    live = eligibility.verdict_of(after)
    assert (after.verdict, after.verdict_text) == (live.result, live.text) != ("eligible", "由修改前的信息得出")
    log = ReviewLog.objects.get(application=app, action="edit")
    assert log.details["verdict"] == live.result


def test_a_reviewer_corrects_the_registration_date_from_the_certificate(client, app, reviewer_anxi_hospital):
    client.force_login(reviewer_anxi_hospital)
    assert "执业注册年月" in client.get(reverse("backoffice:review_edit", args=[app.pk])).content.decode()
    response = client.post(reverse("backoffice:review_edit", args=[app.pk]),
                           {"version": app.version, "name": "李娜", "current_qualification_date": "2016-10",
                            "practice_registered": "2018-05"})
    assert response.status_code == 302
    assert Application.objects.get(pk=app.pk).practice_registered == datetime.date(2018, 5, 1)
    changes = ReviewLog.objects.get(application=app, action="edit").details["changes"]
    assert list(changes) == ["practice_registered"]


def test_reviewer_edit_refuses_a_bad_date_without_losing_input(client, app, reviewer_anxi_hospital):
    client.force_login(reviewer_anxi_hospital)
    response = client.post(reverse("backoffice:review_edit", args=[app.pk]),
                           {"version": app.version, "name": "李娜娜", "current_qualification_date": "2016-13-45"})
    assert response.status_code == 400
    assert "李娜娜" in response.content.decode()
    assert Application.objects.get(pk=app.pk).name == "李娜"


def test_reviewer_edit_is_forbidden_to_other_stages(client, app, reviewer_anxi_bureau):
    client.force_login(reviewer_anxi_bureau)
    assert client.get(reverse("backoffice:review_edit", args=[app.pk])).status_code == 403


# Notices ------------------------------------------------------------------------------------------

def test_returned_application_notice_pops_up_and_stays_in_the_list_until_read(
        client, app, reviewer_anxi_hospital, reviewer_anxi_bureau):
    approve(app, reviewer_anxi_hospital)
    app.refresh_from_db()
    services.application_reject(actor=reviewer_anxi_bureau, application_id=app.pk, expected_version=app.version,
                                reason="学历不符", to="candidate")
    client.force_login(reviewer_anxi_hospital)
    body = client.get(reverse("backoffice:pending")).content.decode()
    assert 'id="notice-popup"' in body and "已退回考生" in body
    notice = Notice.objects.get(user=reviewer_anxi_hospital)
    assert "学历不符" in client.get(reverse("backoffice:notices")).content.decode()
    client.post(reverse("backoffice:notice_read", args=[notice.pk]))
    assert 'id="notice-popup"' not in client.get(reverse("backoffice:pending")).content.decode()


def test_a_notice_of_someone_else_cannot_be_marked_read(client, reviewer_anxi_hospital, reviewer_fuzhou):
    notice = Notice.objects.create(user=reviewer_fuzhou, title="x")
    client.force_login(reviewer_anxi_hospital)
    assert client.post(reverse("backoffice:notice_read", args=[notice.pk])).status_code == 404
    assert client.get(reverse("backoffice:notice_read", args=[notice.pk])).status_code == 405
    notice.refresh_from_db()
    assert notice.read_at is None


def test_month_values_show_as_typed_on_the_review_screen_and_the_correction_form(client, app, reviewer_anxi_hospital):
    client.force_login(reviewer_anxi_hospital)
    body = client.get(reverse("backoffice:review", args=[app.pk])).content.decode()
    assert "2016-10" in body and "2016-10-01" not in body and "2012-07-01" not in body
    edit = client.get(reverse("backoffice:review_edit", args=[app.pk])).content.decode()
    assert 'value="2016-10"' in edit and "2016-10-01" not in edit


def test_the_review_screen_counts_the_years_as_the_candidates_form_does(client, app, reviewer_anxi_hospital):
    """One counting function: 2016-10 to the cut-off, the start month counted (12年5月 was 12年4个月 here)."""
    client.force_login(reviewer_anxi_hospital)
    body = client.get(reverse("backoffice:review", args=[app.pk])).content.decode()
    expected = Application.objects.get(pk=app.pk).qualification_duration
    cutoff = app.exam_year.cutoff_date
    months = (cutoff.year - 2016) * 12 + (cutoff.month - 10) + 1
    assert expected == f"{months // 12}年{months % 12}月" and f"<dd>{expected} " in body


def test_opening_the_review_screen_is_audited_as_each_image_is(client, app, reviewer_anxi_hospital):
    """Security probe: the screen shows the full ID number, phone and birth date, and its reading was
    not in the log while each image's was."""
    from prereg.audit.models import AuditEvent

    client.force_login(reviewer_anxi_hospital)
    assert client.get(reverse("backoffice:review", args=[app.pk])).status_code == 200
    entry = AuditEvent.objects.get(event="application.view")
    assert entry.actor == reviewer_anxi_hospital and entry.object_id == str(app.pk)
