"""Accounts kept up to date (issue 17.5): a reviewer edits his own 姓名, 职务, 科室 and phone (the
new phone confirmed by SMS) from his name in the top bar; a superior corrects an account holder's
name and phone; one service, locked, versioned, scoped, audited."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from prereg.accounts import services
from prereg.accounts.models import Role, User
from prereg.audit.models import AuditEvent
from prereg.notify.models import SmsCode, SmsMessage
from tests.factories import UserFactory

NEW = "13900002222"


def sent_code(phone=NEW):
    return re.search(r"\d{6}", SmsMessage.objects.filter(phone=phone).latest("pk").text).group()


def form(user, **extra):
    return {"name": user.name or "王五", "title": "科长", "department": "医政科", "phone": user.phone or "13800001234",
            "version": user.version, **extra}


@pytest.fixture
def reviewer(reviewer_anxi_bureau):
    reviewer_anxi_bureau.phone = "13800001234"
    reviewer_anxi_bureau.save()
    return reviewer_anxi_bureau


def test_the_name_in_the_top_bar_opens_the_profile_for_staff_only(client, reviewer, candidate):
    client.force_login(reviewer)
    html = client.get(reverse("backoffice:dashboard")).content.decode()
    assert f'<a class="who" href="{reverse("accounts:profile")}"' in html
    client.force_login(candidate)
    assert client.get(reverse("accounts:profile")).status_code == 403


def test_a_reviewer_changes_his_name_post_and_department(client, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("accounts:profile"), form(reviewer, name="许文华"))
    assert response.status_code == 302
    reviewer.refresh_from_db()
    assert (reviewer.name, reviewer.title, reviewer.department, reviewer.version) == ("许文华", "科长", "医政科", 1)
    event = AuditEvent.objects.filter(event="account.profile_update").get()
    assert event.actor_id == reviewer.pk and event.details["changes"]["title"][1] == "科长"


def test_a_new_phone_needs_the_code_sent_to_it(client, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("accounts:profile"), form(reviewer, phone=NEW, name="许文华"))
    assert response.status_code == 400 and "请获取并填写发送到新号码的短信验证码" in response.content.decode()
    reviewer.refresh_from_db()
    assert reviewer.phone == "13800001234" and reviewer.name != "许文华"  # nothing saved, the input kept:
    assert 'value="许文华"' in response.content.decode()
    response = client.post(reverse("accounts:profile"), form(reviewer, phone=NEW, send_code="1"))
    assert "验证码已发送至139****2222" in response.content.decode()
    assert SmsCode.objects.get(phone=NEW).purpose == services.STAFF_PHONE_PURPOSE
    response = client.post(reverse("accounts:profile"), form(reviewer, phone=NEW, sms_code="000000"))
    assert response.status_code == 400 and "验证码错误" in response.content.decode()
    response = client.post(reverse("accounts:profile"), form(reviewer, phone=NEW, sms_code=sent_code()))
    assert response.status_code == 302
    reviewer.refresh_from_db()
    assert reviewer.phone == NEW
    event = AuditEvent.objects.filter(event="account.profile_update").latest("pk")
    assert NEW not in str(event.details) and "139****2222" in str(event.details)  # kept masked


def test_a_page_loaded_before_another_change_does_not_overwrite_it(client, reviewer):
    client.force_login(reviewer)
    stale = form(reviewer, name="旧页面")
    services.account_update(actor=reviewer, user_id=reviewer.pk, expected_version=0, name="新名字",
                            phone=reviewer.phone, title="科员", department="人事科")
    response = client.post(reverse("accounts:profile"), stale)
    assert response.status_code == 409 and "请刷新页面" in response.content.decode()
    reviewer.refresh_from_db()
    assert reviewer.name == "新名字"


def test_a_superior_corrects_an_account_holders_name_and_phone(client, reviewer_quanzhou, reviewer):
    client.force_login(reviewer_quanzhou)
    old_name = reviewer.name
    assert reverse("backoffice:accounts_edit", args=[reviewer.pk]) in client.get(
        reverse("backoffice:accounts")).content.decode()
    response = client.post(reverse("backoffice:accounts_edit", args=[reviewer.pk]),
                           {"name": "陈新", "phone": NEW, "version": reviewer.version})
    assert response.status_code == 302
    reviewer.refresh_from_db()
    assert (reviewer.name, reviewer.phone, reviewer.version) == ("陈新", NEW, 1)  # no SMS: the superior vouches
    event = AuditEvent.objects.get(event="account.update")
    assert event.actor_id == reviewer_quanzhou.pk and event.object_id == str(reviewer.pk)
    assert event.details["changes"]["name"] == [old_name, "陈新"]
    # A bad phone is said at its field and nothing is lost.
    response = client.post(reverse("backoffice:accounts_edit", args=[reviewer.pk]),
                           {"name": "陈新二", "phone": "123", "version": reviewer.version})
    assert response.status_code == 400 and "请输入11位手机号码" in response.content.decode()
    assert 'value="陈新二"' in response.content.decode()


def test_a_superior_refused_password_resets_may_not_give_the_holder_a_new_phone(client, reviewer_quanzhou, reviewer):
    """Security probe: a 考点 whose 重置审核账户密码 the 考区 withdrew set the holder's phone to his own
    number and took the account through 找回密码. The phone is shown, not editable; a post is refused
    at the field (the name still corrected on a later post); the service refuses it too."""
    from prereg.accounts.models import RolePermission
    from prereg.accounts.permissions import invalidate_cache

    RolePermission.objects.create(role=Role.SITE, function="reset_reviewer_password", allowed=False)
    invalidate_cache()
    client.force_login(reviewer_quanzhou)
    url = reverse("backoffice:accounts_edit", args=[reviewer.pk])
    page = client.get(url).content.decode()
    assert re.search(r'<input[^>]*name="phone"[^>]*disabled', page) and "重置审核账户密码" in page
    response = client.post(url, {"name": "陈新", "phone": NEW, "version": reviewer.version})
    holder = User.objects.get(pk=reviewer.pk)
    assert holder.phone != NEW and holder.name == "陈新"  # the disabled field keeps the stored number
    with pytest.raises(ValidationError) as error:
        services.account_update(actor=reviewer_quanzhou, user_id=reviewer.pk, expected_version=holder.version,
                                name=holder.name, phone=NEW)
    assert error.value.message_dict["phone"] == [services.PHONE_NEEDS_RESET_MESSAGE]
    assert User.objects.get(pk=reviewer.pk).phone != NEW
    assert response.status_code == 302


def test_a_superior_edits_only_accounts_he_administers(client, reviewer_quanzhou, reviewer_gulou_bureau,
                                                      reviewer_province, reviewer_anxi_hospital):
    client.force_login(reviewer_quanzhou)
    # Another city's account, and his superior's: not found.
    for other in (reviewer_gulou_bureau, reviewer_province):
        assert client.get(reverse("backoffice:accounts_edit", args=[other.pk])).status_code == 404
        with pytest.raises(Http404):
            services.account_update(actor=reviewer_quanzhou, user_id=other.pk, expected_version=0, name="某",
                                    phone=NEW)
    # A unit reviewer administers no one (no 用户管理).
    client.force_login(reviewer_anxi_hospital)
    assert client.get(reverse("backoffice:accounts_edit", args=[reviewer_quanzhou.pk])).status_code == 403


def test_the_service_refuses_a_blank_name_and_changes_nothing(reviewer):
    with pytest.raises(ValidationError) as error:
        services.account_update(actor=reviewer, user_id=reviewer.pk, expected_version=0, name=" ",
                                phone=reviewer.phone, title="科长", department="医政科")
    assert "name" in error.value.message_dict
    assert User.objects.get(pk=reviewer.pk).version == 0 and not AuditEvent.objects.filter(
        event="account.profile_update").exists()


def test_a_superiors_phone_change_is_told_to_the_old_number(client, reviewer_quanzhou, reviewer,
                                                           django_capture_on_commit_callbacks):
    """Security probe S2: a superior's unverified phone change, then 找回密码 to the new number,
    took the account over; the holder is now told at the old number."""
    client.force_login(reviewer_quanzhou)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("backoffice:accounts_edit", args=[reviewer.pk]),
                               {"name": reviewer.name, "phone": NEW, "version": reviewer.version})
    assert response.status_code == 302
    told = SmsMessage.objects.get(phone="13800001234", purpose=services.STAFF_PHONE_CHANGED_PURPOSE)
    assert reviewer_quanzhou.org.name in told.text and "139****2222" in told.text and NEW not in told.text
    assert "如非本人申请，请立即联系上级管理员" in told.text and reviewer.username in told.text
    # A change of the name alone, and the holder's own verified change, tell no one.
    client.post(reverse("backoffice:accounts_edit", args=[reviewer.pk]),
                {"name": "陈新", "phone": NEW, "version": reviewer.version + 1})
    holder = User.objects.get(pk=reviewer.pk)
    assert (holder.name, holder.version) == ("陈新", 2)
    services.profile_send_code(user=holder, phone="13800001234")
    services.account_update(actor=holder, user_id=holder.pk, expected_version=2, name="陈新", phone="13800001234",
                            title="科长", department="医政科", sms_code=sent_code("13800001234"))
    assert User.objects.get(pk=reviewer.pk).phone == "13800001234"
    assert SmsMessage.objects.filter(purpose=services.STAFF_PHONE_CHANGED_PURPOSE).count() == 1



@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://x\")", "<b>王</b>", "张三1", "李①"])
def test_a_reviewers_name_follows_the_one_name_rule(client, reviewer_quanzhou, reviewer_province, reviewer, tree, name):
    # A reviewer's name goes into SMS, sheets and the audit log as a candidate's does: the same rule.
    with pytest.raises(ValidationError) as error:
        services.account_update(actor=reviewer, user_id=reviewer.pk, expected_version=0, name=name,
                                phone=reviewer.phone, title="科长", department="医政科")
    assert error.value.message_dict["name"] == ["姓名只能包含文字，少数民族或外文姓名的各部分之间可用“·”或空格分隔。"]
    client.force_login(reviewer_quanzhou)
    response = client.post(reverse("backoffice:accounts_edit", args=[reviewer.pk]),
                           {"name": name, "phone": NEW, "version": reviewer.version})
    assert response.status_code == 400 and "姓名只能包含文字" in response.content.decode()
    with pytest.raises(ValidationError) as error:
        services.account_create(actor=reviewer_province, org=tree["35052401"], role=Role.UNIT, username="x-new",
                                name=name)
    assert "name" in error.value.message_dict and not User.objects.filter(username="x-new").exists()
    assert User.objects.get(pk=reviewer.pk).version == 0
    # A minority or foreign name passes, its parts joined as the ID prints them.
    services.account_update(actor=reviewer, user_id=reviewer.pk, expected_version=0, name="阿依古丽·买买提",
                            phone=reviewer.phone, title="科长", department="医政科")


def test_the_first_login_profile_follows_the_name_rule_too(client, tree):
    # The verification probe: 完善信息 at the first login (every reviewer at a new year) took "张三123 <b>x".
    newcomer = UserFactory(role=Role.UNIT, org=tree["35012205"], profile_completed=False)
    client.force_login(newcomer)
    response = client.post(reverse("accounts:first_login"), {
        "profile-name": "张三123 <b>x", "profile-title": "科长", "profile-department": "医务科",
        "profile-phone": "13900000077", "profile-version": newcomer.version})
    assert response.status_code == 400 and "姓名只能包含文字" in response.content.decode()
    newcomer.refresh_from_db()
    assert not newcomer.profile_completed and newcomer.name != "张三123 <b>x"
    with pytest.raises(ValidationError):
        services.user_complete_profile(user=newcomer, expected_version=newcomer.version, name="李四<i>", title="科长",
                                       department="医务科", phone="13900000077")


def test_a_disabled_reviewers_pending_act_is_told_the_account_is_disabled(client, reviewer):
    client.force_login(reviewer)
    User.objects.filter(pk=reviewer.pk).update(is_active=False)
    response = client.post(reverse("backoffice:dashboard"), HTTP_HX_REQUEST="true")
    assert response.status_code == 401 and "账号已被禁用" in response.content.decode()
