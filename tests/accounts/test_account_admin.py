"""用户管理, 配置角色权限, 考生信息管理 and the SMS outbox."""

import re
from html import unescape

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils.html import escape

from prereg.accounts import permissions
from prereg.accounts.models import Role, RolePermission, User
from prereg.applications.models import Application, State
from prereg.applications.selectors import candidates_visible_to
from prereg.audit.models import AuditEvent
from prereg.notify.models import SmsMessage
from tests.factories import TEST_PASSWORD, UserFactory, submitted

# --- 新增审核账号 ---------------------------------------------------------------------------------


def test_the_district_creates_a_reviewer_account_with_a_one_time_password(client, reviewer_province, tree):
    client.force_login(reviewer_province)
    response = client.post(reverse("backoffice:accounts_add"), {
        "org": tree["35012205"].pk, "role": Role.UNIT, "username": "35012205-2", "name": "林二"}, follow=True)
    assert response.status_code == 200
    user = User.objects.get(username="35012205-2")
    password = response.context["password"]
    assert escape(password) in response.content.decode()
    assert user.check_password(password) and user.must_change_password and not user.profile_completed
    assert user.org == tree["35012205"] and user.created_by == reviewer_province
    assert AuditEvent.objects.filter(event="account.create", object_id=str(user.pk)).exists()


def test_the_first_login_of_a_created_account_asks_for_profile_and_password(client, reviewer_province, tree):
    client.force_login(reviewer_province)
    response = client.post(reverse("backoffice:accounts_add"), {
        "org": tree["350102"].pk, "role": Role.POINT, "username": "gulou-2"}, follow=True)
    password = response.context["password"]
    other = type(client)()
    other.post(reverse("accounts:login"), {"username": "gulou-2", "password": password})
    assert other.get(reverse("backoffice:dashboard"))["Location"] == reverse("accounts:first_login")


@pytest.mark.parametrize(("org_code", "role", "message"), [
    ("35012201", Role.UNIT, "没有单位审查权限"),
    ("35012205", Role.POINT, "不是报名点"),
])
def test_an_account_must_fit_its_org(client, reviewer_province, tree, org_code, role, message):
    from django.core.exceptions import ValidationError

    from prereg.accounts.services import account_create

    with pytest.raises(ValidationError, match=message):
        account_create(actor=reviewer_province, org=tree[org_code], role=role, username="x-new")
    client.force_login(reviewer_province)
    response = client.post(reverse("backoffice:accounts_add"), {"org": tree[org_code].pk, "role": role,
                                                                "username": "x-new"}, follow=True)
    assert response.status_code == 200
    assert not User.objects.filter(username="x-new").exists()


def test_a_district_cannot_create_a_district_account_nor_a_site_any(client, reviewer_province, reviewer_fuzhou, tree):
    client.force_login(reviewer_province)
    response = client.post(reverse("backoffice:accounts_add"), {"org": tree["350000"].pk, "role": Role.DISTRICT,
                                                                "username": "d2"}, follow=True)
    assert response.status_code == 200 and not User.objects.filter(username="d2").exists()
    client.force_login(reviewer_fuzhou)
    assert client.get(reverse("backoffice:accounts_add")).status_code == 403


def test_a_taken_username_is_refused_and_the_input_kept(client, reviewer_province, tree):
    client.force_login(reviewer_province)
    UserFactory(username="taken")
    response = client.post(reverse("backoffice:accounts_add"), {
        "org": tree["350102"].pk, "role": Role.POINT, "username": "taken", "name": "张三"}, follow=True)
    html = response.content.decode()
    assert "已被使用" in html and 'value="张三"' in html


# --- 用户管理: list, reset, enable/disable ------------------------------------------------------


def test_the_account_list_shows_the_subtree_only(client, reviewer_fuzhou, reviewer_lianjiang_hospital,
                                                 reviewer_anxi_hospital):
    client.force_login(reviewer_fuzhou)
    html = client.get(reverse("backoffice:accounts")).content.decode()
    assert reviewer_lianjiang_hospital.username in html
    assert reviewer_anxi_hospital.username not in html


def test_staff_mobiles_are_masked_in_the_account_lists(client, reviewer_province, tree):
    """Issue 16: 用户管理 listed staff mobiles in full (the org page's admin list too)."""
    clerk = UserFactory(role=Role.UNIT, org=tree["35012205"], phone="13905910001")
    client.force_login(reviewer_province)
    for url in (reverse("backoffice:accounts"), reverse("backoffice:orgs_detail", args=[tree["35012205"].pk])):
        html = client.get(url).content.decode()
        assert clerk.username in html and "139****0001" in html and "13905910001" not in html, url


def test_the_district_resets_a_lower_account_of_its_own_org(client, reviewer_province, tree):
    clerk = UserFactory(role=Role.SITE, org=tree["350000"])
    client.force_login(reviewer_province)
    assert client.post(reverse("backoffice:accounts_reset", args=[clerk.pk]), follow=True).status_code == 200


def test_a_refresh_after_a_reset_shows_no_password_and_makes_no_second_one(client, reviewer_province, tree):
    """Reviewer probe: the password was rendered by the POST, so a refresh (resubmit) made a second
    one and the first, already passed on, no longer worked. The POST redirects to a page that shows
    it once; opened again, it says so and nothing is reset."""
    clerk = UserFactory(role=Role.SITE, org=tree["350000"])
    client.force_login(reviewer_province)
    response = client.post(reverse("backoffice:accounts_reset", args=[clerk.pk]))
    assert response.status_code == 302 and response.url == reverse("backoffice:password_shown")
    page = client.get(response.url)
    password = unescape(re.search(r'class="password-once">([^<]+)<', page.content.decode()).group(1))
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]
    again = client.get(response.url, follow=True).content.decode()
    assert password not in again and "一次性密码只显示一次" in again
    clerk.refresh_from_db()
    assert clerk.check_password(password)
    assert AuditEvent.objects.filter(event="account.password_reset", object_id=str(clerk.pk)).count() == 1


def test_a_reset_ends_the_sessions_of_the_account(client, reviewer_fuzhou, reviewer_lianjiang_hospital):
    other = type(client)()
    other.force_login(reviewer_lianjiang_hospital)
    assert other.get(reverse("backoffice:dashboard")).status_code == 200
    client.force_login(reviewer_fuzhou)
    response = client.post(reverse("backoffice:accounts_reset", args=[reviewer_lianjiang_hospital.pk]), follow=True)
    assert response.status_code == 200
    assert other.get(reverse("backoffice:dashboard")).status_code == 302
    reviewer_lianjiang_hospital.refresh_from_db()
    assert reviewer_lianjiang_hospital.password_history.count() == 1


def test_disabling_an_account_ends_its_sessions_and_login(client, reviewer_fuzhou, reviewer_lianjiang_hospital):
    other = type(client)()
    other.force_login(reviewer_lianjiang_hospital)
    client.force_login(reviewer_fuzhou)
    response = client.post(reverse("backoffice:accounts_toggle"),
                           {"ids": [reviewer_lianjiang_hospital.pk], "action": "disable"})
    assert response.status_code == 302
    reviewer_lianjiang_hospital.refresh_from_db()
    assert not reviewer_lianjiang_hospital.is_active
    assert other.get(reverse("backoffice:dashboard")).status_code == 302
    assert AuditEvent.objects.filter(event="account.disable").count() == 1
    client.post(reverse("backoffice:accounts_toggle"), {"ids": [reviewer_lianjiang_hospital.pk], "action": "enable"})
    reviewer_lianjiang_hospital.refresh_from_db()
    assert reviewer_lianjiang_hospital.is_active


def test_the_last_reviewer_account_of_a_unit_applications_wait_for_is_not_disabled(client, tree, year, reviewer_fuzhou,
                                                                                   reviewer_lianjiang_hospital):
    waiting = submitted(tree, year, "35012205")
    assert waiting.waiting_org == reviewer_lianjiang_hospital.org
    client.force_login(reviewer_fuzhou)
    html = client.post(reverse("backoffice:accounts_toggle"), {"ids": [reviewer_lianjiang_hospital.pk],
                                                               "action": "disable"}, follow=True).content.decode()
    assert "有1份报名信息待其审核（当前或后续审核环节），禁用后该机构将没有可用的审核账号" in html
    reviewer_lianjiang_hospital.refresh_from_db()
    assert reviewer_lianjiang_hospital.is_active and not AuditEvent.objects.filter(event="account.disable").exists()
    # With a colleague still active, it may go; so may the colleague once nothing waits.
    colleague = UserFactory(org=reviewer_lianjiang_hospital.org, role=Role.UNIT)
    client.post(reverse("backoffice:accounts_toggle"), {"ids": [reviewer_lianjiang_hospital.pk], "action": "disable"})
    reviewer_lianjiang_hospital.refresh_from_db()
    assert not reviewer_lianjiang_hospital.is_active
    Application.objects.filter(pk=waiting.pk).update(state=State.APPROVED, stage="", waiting_org=None)
    client.post(reverse("backoffice:accounts_toggle"), {"ids": [colleague.pk], "action": "disable"})
    colleague.refresh_from_db()
    assert not colleague.is_active


def test_account_acts_need_post(client, reviewer_fuzhou, reviewer_lianjiang_hospital):
    client.force_login(reviewer_fuzhou)
    assert client.get(reverse("backoffice:accounts_reset", args=[reviewer_lianjiang_hospital.pk])).status_code == 405
    assert client.get(reverse("backoffice:accounts_toggle")).status_code == 405


def test_a_unit_reviewer_cannot_reset_or_disable(client, reviewer_lianjiang_hospital, tree):
    target = UserFactory(role=Role.UNIT, org=tree["35012205"])
    client.force_login(reviewer_lianjiang_hospital)
    assert client.post(reverse("backoffice:accounts_reset", args=[target.pk]), follow=True).status_code == 403
    assert client.post(reverse("backoffice:accounts_toggle"), {"ids": [target.pk], "action": "disable"}).status_code == 403


# --- 配置角色权限 -----------------------------------------------------------------------------------


def grid_post(overrides=None):
    """The form as the page renders it: every cell at its current value, with some changed."""
    data = {}
    for code, *_ in permissions.FUNCTIONS:
        for role in Role.values:
            if permissions.role_has_function(role, code):
                data[f"{code}:{role}"] = "on"
    data["shown"] = " ".join(data)  # the cells ticked when the page was loaded
    for key, on in (overrides or {}).items():
        if on:
            data[key] = "on"
        else:
            data.pop(key, None)
    return data


def test_the_district_gives_the_unit_role_add_unit_and_it_is_logged(client, reviewer_province,
                                                                    reviewer_lianjiang_hospital):
    client.force_login(reviewer_province)
    assert "配置角色权限" in client.get(reverse("backoffice:role_permissions")).content.decode()
    response = client.post(reverse("backoffice:role_permissions"), grid_post({"add_unit:unit": True}))
    assert response.status_code == 302
    assert RolePermission.objects.get(role=Role.UNIT, function="add_unit").allowed
    event = AuditEvent.objects.get(event="permission.change")
    assert event.details == {"role": "unit", "function": "add_unit", "before": False, "after": True, "default": False}
    client.force_login(reviewer_lianjiang_hospital)
    assert client.get(reverse("backoffice:orgs_add")).status_code == 200
    # Back to the default: the override row goes away.
    client.force_login(reviewer_province)
    client.post(reverse("backoffice:role_permissions"), grid_post({"add_unit:unit": False}))
    assert not RolePermission.objects.exists()
    client.force_login(reviewer_lianjiang_hospital)
    assert client.get(reverse("backoffice:orgs_add")).status_code == 403


def test_saving_the_unchanged_grid_changes_nothing(client, sysadmin):
    client.force_login(sysadmin)
    client.post(reverse("backoffice:role_permissions"), grid_post())
    assert not RolePermission.objects.exists()
    assert not AuditEvent.objects.filter(event="permission.change").exists()


def test_the_audit_log_cell_cannot_be_given_to_the_sysadmin(client, sysadmin):
    client.force_login(sysadmin)
    client.post(reverse("backoffice:role_permissions"), grid_post({"read_audit_log:sysadmin": True}))
    assert not permissions.role_has_function(Role.SYSADMIN, "read_audit_log")


def test_the_site_cannot_configure_roles(client, reviewer_fuzhou):
    client.force_login(reviewer_fuzhou)
    assert client.post(reverse("backoffice:role_permissions"), grid_post({"add_unit:unit": True})).status_code == 403
    assert not RolePermission.objects.exists()


# --- 考生信息管理 -----------------------------------------------------------------------------------


@pytest.fixture
def lianjiang_candidate(tree, year):
    from tests.factories import ApplicationFactory, CandidateFactory

    candidate = CandidateFactory(name="陈静", phone="15005000407")
    ApplicationFactory(candidate=candidate, exam_year=year, unit=tree["35012205"], unit_review_org=tree["35012205"],
                       point_org=tree["350122"], site_org=tree["350100"], district_org=tree["350000"])
    return candidate


def test_a_reviewer_finds_a_candidate_of_his_chain_only(client, lianjiang_candidate, reviewer_lianjiang_hospital,
                                                        reviewer_fuzhou, reviewer_anxi_bureau, reviewer_gulou_bureau):
    for reviewer, found in [(reviewer_lianjiang_hospital, True), (reviewer_fuzhou, True),
                            (reviewer_anxi_bureau, False), (reviewer_gulou_bureau, False)]:
        client.force_login(reviewer)
        html = client.get(reverse("backoffice:candidates"), {"q": lianjiang_candidate.id_number}).content.decode()
        assert ("陈静" in html) is found, reviewer
        status = client.get(reverse("backoffice:candidate_detail", args=[lianjiang_candidate.pk])).status_code
        assert status == (200 if found else 404)


def test_only_a_current_year_application_or_draft_gives_a_hold_over_the_candidates_account(
        client, tree, year, reviewer_lianjiang_hospital, reviewer_fuzhou):
    """Issue 16: a unit could reset the password and change the phone of anyone who ever chose it."""
    from prereg.applications.models import State
    from tests.factories import ApplicationFactory, CandidateFactory, ExamYearFactory

    last_year = ExamYearFactory(year=year.year - 1, is_current=False)
    lianjiang, anxi = tree["35012205"], tree["35052401"]
    chain = {"unit_review_org": lianjiang, "point_org": tree["350122"], "site_org": tree["350100"],
             "district_org": tree["350000"]}
    former = CandidateFactory(name="往年考生")  # chose 连江县医院 last year, another unit this year
    ApplicationFactory(candidate=former, exam_year=last_year, unit=lianjiang, state=State.APPROVED, submission_round=1,
                       **chain)
    ApplicationFactory(candidate=former, exam_year=year, unit=anxi, state=State.DRAFT)
    old_only = CandidateFactory(name="只有往年")
    ApplicationFactory(candidate=old_only, exam_year=last_year, unit=lianjiang, state=State.DRAFT)
    drafting = CandidateFactory(name="本年草稿")  # this year's draft chose the unit: no chain yet
    ApplicationFactory(candidate=drafting, exam_year=year, unit=lianjiang, state=State.DRAFT)
    for reviewer in (reviewer_lianjiang_hospital, reviewer_fuzhou):
        client.force_login(reviewer)
        for candidate, managed in ((former, False), (old_only, False), (drafting, True)):
            status = client.get(reverse("backoffice:candidate_detail", args=[candidate.pk])).status_code
            assert status == (200 if managed else 404), (reviewer, candidate.name)
            before = User.objects.get(pk=candidate.pk).phone
            client.post(reverse("backoffice:candidate_phone", args=[candidate.pk]), {"phone": "13700002222"})
            corrected = managed and reviewer.role != Role.UNIT  # the 单位 does not correct phones
            assert (User.objects.get(pk=candidate.pk).phone == "13700002222") is corrected
            if corrected:
                User.objects.filter(pk=candidate.pk).update(phone=before)
    # The 福州 reviewer (考点) manages the same draft through the unit below it.
    assert candidates_visible_to(reviewer_fuzhou).filter(pk=drafting.pk).exists()


def test_each_act_of_candidate_management_is_audited(client, lianjiang_candidate, reviewer_lianjiang_hospital):
    client.force_login(reviewer_lianjiang_hospital)
    client.get(reverse("backoffice:candidates"), {"q": lianjiang_candidate.id_number})
    client.get(reverse("backoffice:candidate_detail", args=[lianjiang_candidate.pk]))
    client.post(reverse("backoffice:candidate_unlock", args=[lianjiang_candidate.pk]))
    client.post(reverse("backoffice:candidate_reset", args=[lianjiang_candidate.pk]))
    events = list(AuditEvent.objects.filter(actor=reviewer_lianjiang_hospital).values_list("event", flat=True))
    assert [e for e in events if e.startswith("account.")] == [
        "account.candidate_search", "account.candidate_view", "account.unlock", "account.candidate_password_reset"]
    search = AuditEvent.objects.get(event="account.candidate_search")
    assert search.details["found"] == 1 and lianjiang_candidate.id_number not in str(search.details)


def test_a_reviewer_unlocks_a_locked_candidate(client, lianjiang_candidate, reviewer_lianjiang_hospital):
    anonymous = type(client)()
    for _ in range(5):
        anonymous.post(reverse("accounts:login"), {"username": lianjiang_candidate.username, "password": "wrong"})
    locked = anonymous.post(reverse("accounts:login"), {"username": lianjiang_candidate.username,
                                                        "password": TEST_PASSWORD})
    assert locked.status_code == 403
    client.force_login(reviewer_lianjiang_hospital)
    detail = client.get(reverse("backoffice:candidate_detail", args=[lianjiang_candidate.pk])).content.decode()
    assert "已锁定" in detail
    assert client.post(reverse("backoffice:candidate_unlock", args=[lianjiang_candidate.pk])).status_code == 302
    assert AuditEvent.objects.filter(event="account.unlock", object_id=str(lianjiang_candidate.pk)).exists()
    response = anonymous.post(reverse("accounts:login"), {"username": lianjiang_candidate.username,
                                                          "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_a_reviewer_resets_a_candidate_password_sent_by_sms(client, lianjiang_candidate, reviewer_fuzhou,
                                                           django_capture_on_commit_callbacks):
    client.force_login(reviewer_fuzhou)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("backoffice:candidate_reset", args=[lianjiang_candidate.pk]), follow=True)
    sms = SmsMessage.objects.get(phone="15005000407", purpose="password_reset")
    password = sms.text.split("重置为")[1].split("，")[0]
    assert password not in response.content.decode()
    lianjiang_candidate.refresh_from_db()
    assert lianjiang_candidate.check_password(password) and lianjiang_candidate.must_change_password
    assert lianjiang_candidate.password_history.count() == 1
    assert AuditEvent.objects.filter(event="account.candidate_password_reset").exists()


def test_a_reviewer_corrects_a_candidate_phone(client, lianjiang_candidate, reviewer_fuzhou):
    client.force_login(reviewer_fuzhou)
    url = reverse("backoffice:candidate_phone", args=[lianjiang_candidate.pk])
    response = client.post(url, {"phone": "1380000"})
    assert response.status_code == 200 and 'value="1380000"' in response.content.decode()
    assert client.post(url, {"phone": "138 0000 9999"}).status_code == 302
    lianjiang_candidate.refresh_from_db()
    assert lianjiang_candidate.phone == "13800009999"
    event = AuditEvent.objects.get(event="account.candidate_phone_change")
    assert event.details == {"before": "150****0407", "after": "138****9999"}
    # The old number is told (the security probe: a change made unasked led to the account's takeover).
    from prereg.notify.models import SmsMessage

    told = SmsMessage.objects.get(phone="15005000407", purpose="phone_changed")
    assert "138****9999" in told.text and "如非本人申请" in told.text


def test_a_unit_does_not_correct_a_candidate_phone_and_sees_it_masked(client, lianjiang_candidate,
                                                                      reviewer_lianjiang_hospital):
    """Security probe: a 单位 reviewer corrected a candidate's phone to his own and reset the password to it,
    taking the account over; the correction is the 报名点's and above's, and the account page masks the phone."""
    client.force_login(reviewer_lianjiang_hospital)
    page = client.get(reverse("backoffice:candidate_detail", args=[lianjiang_candidate.pk])).content.decode()
    assert "150****0407" in page and "15005000407" not in page
    assert "到报名点办理" in page and reverse("backoffice:candidate_phone", args=[lianjiang_candidate.pk]) not in page
    response = client.post(reverse("backoffice:candidate_phone", args=[lianjiang_candidate.pk]), {"phone": "13800009999"})
    assert response.status_code == 403
    lianjiang_candidate.refresh_from_db()
    assert lianjiang_candidate.phone == "15005000407"
    assert not AuditEvent.objects.filter(event="account.candidate_phone_change").exists()


def test_candidate_acts_out_of_scope_are_404_and_change_nothing(client, lianjiang_candidate, reviewer_anxi_bureau):
    client.force_login(reviewer_anxi_bureau)
    before = (lianjiang_candidate.password, lianjiang_candidate.phone)
    for name, data in [("candidate_unlock", {}), ("candidate_reset", {}), ("candidate_phone", {"phone": "13800009999"})]:
        assert client.post(reverse(f"backoffice:{name}", args=[lianjiang_candidate.pk]), data).status_code == 404
    lianjiang_candidate.refresh_from_db()
    assert (lianjiang_candidate.password, lianjiang_candidate.phone) == before
    assert client.get(reverse("backoffice:candidate_reset", args=[lianjiang_candidate.pk])).status_code == 405


# --- 短信发件箱 --------------------------------------------------------------------------------------


def test_the_outbox_is_for_the_sysadmin_in_demo_mode_only(client, sysadmin, reviewer_province):
    SmsMessage.objects.create(phone="13900000000", text="验证码123456", purpose="signup", backend="x")
    client.force_login(sysadmin)
    with override_settings(DEMO_MODE=True):
        assert "验证码123456" in client.get(reverse("backoffice:sms_outbox")).content.decode()
    with override_settings(DEMO_MODE=False):
        assert client.get(reverse("backoffice:sms_outbox")).status_code == 404
    client.force_login(reviewer_province)
    with override_settings(DEMO_MODE=True):
        assert client.get(reverse("backoffice:sms_outbox")).status_code == 403


def test_the_reset_page_says_only_what_the_holder_will_be_asked(client, reviewer_fuzhou, reviewer_lianjiang_hospital,
                                                                tree):
    """QA probe L8: after a reset the page said 完善个人信息, but only the password is asked."""
    client.force_login(reviewer_fuzhou)
    response = client.post(reverse("backoffice:accounts_reset", args=[reviewer_lianjiang_hospital.pk]), follow=True)
    html = response.content.decode()
    assert "须先设置自己的新密码。" in html and "完善个人信息" not in html
    holder = type(client)()
    holder.post(reverse("accounts:login"), {"username": reviewer_lianjiang_hospital.username,
                                            "password": response.context["password"]})
    first = holder.get(reverse("accounts:first_login"))
    assert first.context["password_form"] is not None and first.context["profile_form"] is None
    # An account whose holder never completed his profile is asked both, and the page says so.
    newcomer = UserFactory(role=Role.UNIT, org=tree["35012205"], profile_completed=False)
    html = client.post(reverse("backoffice:accounts_reset", args=[newcomer.pk]), follow=True).content.decode()
    assert "须先设置自己的新密码并完善个人信息。" in html


def test_the_org_of_a_new_account_is_found_by_name_not_picked_from_a_list_of_every_org(client, reviewer_province, tree):
    client.force_login(reviewer_province)
    html = client.get(reverse("backoffice:accounts_add")).content.decode()
    assert 'name="org"' in html and "<select name=\"org\"" not in html and "data-org-picker" in html
    # Refused for another reason, the chosen org comes back by its name.
    UserFactory(username="taken-2")
    html = client.post(reverse("backoffice:accounts_add"), {
        "org": tree["350102"].pk, "role": Role.POINT, "username": "taken-2"}, follow=True).content.decode()
    assert "已被使用" in html and f'value="{tree["350102"].pk}"' in html and tree["350102"].name in html
    # An org that cannot hold reviewer accounts is refused at the field.
    html = client.post(reverse("backoffice:accounts_add"), {
        "org": tree["35012201"].pk, "role": Role.UNIT, "username": "x-3"}, follow=True).content.decode()
    assert "所选机构不能设审核账号" in html and not User.objects.filter(username="x-3").exists()
