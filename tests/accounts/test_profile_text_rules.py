"""A reviewer's 姓名, 职务 and 科室 (个人信息, 用户管理 编辑, 完善个人信息 at the first login) are read by the rule the
candidate's and the org's forms read text by: a control character refused at its field with what was typed
kept, zero-width and direction characters (U+202E shows what follows reversed) dropped, and the name stored
as clean_person_name makes it (one 间隔号 without spaces around it), as 新增账号 stores it (hostile-input probe:
"张\\u200b\\u202e三" and "阿依古丽 · 买买提" were stored as typed; 职务 "\\x01" and 科室 "\\x7f" too)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from prereg.accounts import services
from prereg.accounts.models import Role, User
from prereg.audit.models import AuditEvent
from tests.factories import UserFactory

CONTROL = "不能包含控制字符（不可见的特殊字符），请删除后重新填写。"
PHONE = "13800001234"


@pytest.fixture
def reviewer(reviewer_anxi_bureau):
    reviewer_anxi_bureau.name, reviewer_anxi_bureau.phone = "王五", PHONE
    reviewer_anxi_bureau.title, reviewer_anxi_bureau.department = "科员", "医政科"
    reviewer_anxi_bureau.save()
    return reviewer_anxi_bureau


def own(user, **extra):
    return {"name": user.name, "title": user.title, "department": user.department, "phone": user.phone,
            "version": user.version, **extra}


def stored(user):
    fresh = User.objects.get(pk=user.pk)
    return fresh.name, fresh.title, fresh.department, fresh.version


@pytest.mark.parametrize(("field", "typed"), [("title", "科长\x01"), ("department", "医政\x7f科"),
                                              ("title", "科\x1f长"), ("name", "张\x01三")])
def test_a_control_character_in_the_profile_is_refused_at_its_field(client, reviewer, field, typed):
    client.force_login(reviewer)
    before = stored(reviewer)
    response = client.post(reverse("accounts:profile"), own(reviewer, **{field: typed}, phone="138 0000 1234"))
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [CONTROL]
    assert 'value="138 0000 1234"' in response.content.decode()  # what was typed stays
    assert stored(reviewer) == before
    assert not AuditEvent.objects.filter(event="account.profile_update").exists()


def test_the_profile_is_stored_without_invisible_characters_and_with_one_middle_dot(client, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("accounts:profile"), own(
        reviewer, name="阿依古丽 · 买买提\u200b", title=" 副\u202e科长\u2066 ", department="医政\u200b  科"))
    assert response.status_code == 302
    assert stored(reviewer) == ("阿依古丽·买买提", "副科长", "医政 科", 1)
    changes = AuditEvent.objects.get(event="account.profile_update").details["changes"]
    assert changes["name"] == ["王五", "阿依古丽·买买提"]


def test_a_name_with_a_direction_override_is_stored_without_it(client, reviewer):
    client.force_login(reviewer)
    assert client.post(reverse("accounts:profile"), own(reviewer, name="张\u200b\u202e三")).status_code == 302
    assert stored(reviewer)[0] == "张三"


def test_a_title_of_invisible_characters_alone_is_asked_for(client, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("accounts:profile"), own(reviewer, title="\u200b\u202e"))
    assert response.status_code == 400 and response.context["form"].errors["title"]
    assert stored(reviewer)[1] == "科员"


@pytest.fixture
def superior(client, reviewer_quanzhou):
    client.force_login(reviewer_quanzhou)
    return client


def test_a_superiors_correction_stores_the_name_as_the_new_account_form_does(superior, reviewer):
    url = reverse("backoffice:accounts_edit", args=[reviewer.pk])
    response = superior.post(url, {"name": "张\u200b\u202e三", "phone": PHONE, "version": 0})
    assert response.status_code == 302 and stored(reviewer)[0] == "张三"
    response = superior.post(url, {"name": "阿依古丽 · 买买提", "phone": PHONE, "version": 1})
    assert response.status_code == 302 and stored(reviewer)[0] == "阿依古丽·买买提"


def test_a_superiors_correction_with_a_control_character_is_refused_at_the_name(superior, reviewer):
    url = reverse("backoffice:accounts_edit", args=[reviewer.pk])
    response = superior.post(url, {"name": "张\x1f三", "phone": "13900002222", "version": 0})
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == [CONTROL]
    assert 'value="13900002222"' in response.content.decode()
    assert stored(reviewer) == ("王五", "科员", "医政科", 0)


def test_the_service_keeps_the_cleaned_values_whoever_calls_it(reviewer):
    with pytest.raises(ValidationError) as error:
        services.account_update(actor=reviewer, user_id=reviewer.pk, expected_version=0, name="王五",
                                phone=PHONE, title="科长\x01", department="医政\x7f科")
    assert error.value.message_dict == {"title": [CONTROL], "department": [CONTROL]}
    services.account_update(actor=reviewer, user_id=reviewer.pk, expected_version=0, name="许\u200b文华",
                            phone=PHONE, title="科长\u202e", department="医政科")
    assert stored(reviewer) == ("许文华", "科长", "医政科", 1)


@pytest.fixture
def newcomer(tree):
    return UserFactory(role=Role.UNIT, org=tree["35012205"], phone="13800007777", profile_completed=False)


def first_login(user, **extra):
    return {"profile-name": "林一", "profile-title": "科员", "profile-department": "医务科",
            "profile-phone": "13800007777", "profile-version": user.version, **extra}


@pytest.mark.parametrize("field", ["title", "department"])
def test_the_first_login_refuses_a_control_character_at_its_field(client, newcomer, field):
    client.force_login(newcomer)
    response = client.post(reverse("accounts:first_login"), first_login(newcomer, **{f"profile-{field}": "科\x01"}))
    assert response.status_code == 400
    assert response.context["profile_form"].errors[field] == [CONTROL]
    assert 'value="林一"' in response.content.decode()
    assert not User.objects.get(pk=newcomer.pk).profile_completed


def test_the_first_login_stores_the_profile_without_invisible_characters(client, newcomer):
    client.force_login(newcomer)
    response = client.post(reverse("accounts:first_login"), first_login(
        newcomer, **{"profile-name": "林\u202e一", "profile-title": "科\u200b员", "profile-department": " 医务\u2067科 "}))
    assert response.status_code == 302
    fresh = User.objects.get(pk=newcomer.pk)
    assert (fresh.name, fresh.title, fresh.department, fresh.profile_completed) == ("林一", "科员", "医务科", True)


def test_the_first_login_service_reads_the_title_and_department_by_the_same_rule(newcomer):
    with pytest.raises(ValidationError) as error:
        services.user_complete_profile(user=newcomer, expected_version=newcomer.version, name="林一", title="科\x01员",
                                       department="医务科", phone="13800007777")
    assert error.value.message_dict == {"title": [CONTROL]}
    services.user_complete_profile(user=newcomer, expected_version=newcomer.version, name="林一", title="科员\u200b",
                                   department="医务\u202e科", phone="13800007777")
    fresh = User.objects.get(pk=newcomer.pk)
    assert (fresh.title, fresh.department) == ("科员", "医务科")


def test_a_new_account_reads_its_name_by_the_same_rule(client, reviewer_province, tree):
    client.force_login(reviewer_province)
    data = {"org": tree["35052401"].pk, "role": Role.UNIT, "username": "35052401-9", "phone": "13900009999"}
    response = client.post(reverse("backoffice:accounts_add"), {**data, "name": "张\x1f三"}, follow=True)
    assert response.context["form"].errors == {"name": [CONTROL]}
    assert 'value="13900009999"' in response.content.decode()
    assert not User.objects.filter(username="35052401-9").exists()
    response = client.post(reverse("backoffice:accounts_add"), {**data, "name": "阿依古丽 · 买买提\u202e"}, follow=True)
    assert response.status_code == 200 and "一次性密码" in response.content.decode()
    assert User.objects.get(username="35052401-9").name == "阿依古丽·买买提"
