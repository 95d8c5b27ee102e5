"""A section save never writes over a submission: it runs on the locked row, for an editable state only."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from prereg.applications import services as workflow_services
from prereg.applications.models import Application, ReviewAction, ReviewLog, Stage, State
from prereg.audit.models import AuditEvent
from prereg.catalog.models import Ethnicity
from tests.factories import complete_application


@pytest.fixture
def ready(client, year, tree, candidate):
    client.force_login(candidate)
    return complete_application(candidate, year, tree)


def basic_payload(application, **extra):
    return {"version": application.version, "basic-name": "曹操改名", "basic-ethnicity": Ethnicity.objects.get(code="01").pk,
            "basic-unit": application.unit_id, "basic-postcode": "350001", "basic-phone": application.phone,
            "basic-address": "福建省福州市鼓楼区", **extra}


def test_a_save_from_a_page_loaded_before_submitting_does_not_undo_the_submission(client, ready):
    page_version = ready.version
    assert client.post(reverse("candidate:submit"), {"version": page_version}).status_code == 302

    response = client.post(reverse("candidate:section", args=["basic"]), basic_payload(ready),
                           HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "已提交审核，当前不能修改" in response.content.decode()
    ready.refresh_from_db()
    assert (ready.state, ready.stage) == (State.IN_REVIEW, Stage.UNIT_REVIEW)
    assert ready.version == 1 and ready.waiting_org_id == ready.unit_review_org_id
    assert ready.name != "曹操改名" and ready.postcode == "350000"
    assert ReviewLog.objects.filter(application=ready).count() == 1


def test_a_locked_field_cannot_change_after_submission(client, ready):
    client.post(reverse("candidate:submit"), {"version": ready.version})
    last = AuditEvent.objects.latest("pk").pk
    payload = {"version": 0, "chsi-chsi_code": "123456789012",
               "edu-TOTAL_FORMS": "0", "edu-INITIAL_FORMS": "0", "deg-TOTAL_FORMS": "0", "deg-INITIAL_FORMS": "0"}

    response = client.post(reverse("candidate:section", args=["education"]), payload, HTTP_HX_REQUEST="true")

    assert "已提交审核，当前不能修改" in response.content.decode()
    ready.refresh_from_db()
    assert ready.chsi_code == "090888693519" and ready.state == State.IN_REVIEW
    assert not AuditEvent.objects.filter(pk__gt=last, event="application.section_save").exists()


def test_the_chsi_code_is_saved_in_the_sections_transaction_and_audited(client, ready):
    payload = {"version": ready.version, "chsi-chsi_code": "123456789012",
               "edu-TOTAL_FORMS": "0", "edu-INITIAL_FORMS": "0", "deg-TOTAL_FORMS": "0", "deg-INITIAL_FORMS": "0"}
    client.post(reverse("candidate:section", args=["education"]), payload, HTTP_HX_REQUEST="true")
    ready.refresh_from_db()
    assert ready.chsi_code == "123456789012"
    event = AuditEvent.objects.filter(event="application.section_save").latest("pk")
    assert "chsi_code" in event.details["changed"]


def test_a_save_from_a_page_older_than_a_submit_and_withdraw_is_refused_without_losing_what_was_typed(
        client, ready):
    client.post(reverse("candidate:submit"), {"version": ready.version})
    client.post(reverse("candidate:withdraw"), {"version": ready.version + 1})
    ready.refresh_from_db()
    assert ready.state == State.DRAFT and ready.version == 2

    body = client.post(reverse("candidate:section", args=["basic"]), basic_payload(ready, version=0),
                       HTTP_HX_REQUEST="true").content.decode()

    assert "请刷新页面后再修改" in body and 'value="曹操改名"' in body
    assert Application.objects.get(pk=ready.pk).name != "曹操改名"


def test_a_section_save_writes_only_its_own_columns(client, ready):
    """Two tabs: 申报信息 saved from a page loaded before 基本信息 changed keeps the new name."""
    client.post(reverse("candidate:section", args=["basic"]), basic_payload(ready), HTTP_HX_REQUEST="true")
    assert Application.objects.get(pk=ready.pk).name == "曹操改名"
    stale = Application.objects.get(pk=ready.pk)
    stale.name = "旧名"  # what the other tab's copy held
    workflow_services.application_section_save(actor=ready.candidate, application_id=ready.pk, section="declaration",
                                      values={"practice_change": "无"})
    assert Application.objects.get(pk=ready.pk).name == "曹操改名"
    assert ReviewLog.objects.filter(application=ready, action=ReviewAction.SUBMIT).count() == 0


def test_an_upload_that_finishes_after_a_submit_is_refused_on_the_locked_row(client, ready):
    """The page's copy (still a draft) reaches the write after another tab submitted."""
    from prereg.applications import images
    from prereg.applications.models import ApplicationImage
    from tests.factories import jpeg_upload

    stale = Application.objects.get(pk=ready.pk)
    client.post(reverse("candidate:submit"), {"version": ready.version})
    before = ApplicationImage.objects.filter(application=ready).count()
    with pytest.raises(ValidationError, match="审核中"):
        images.images_add(actor=ready.candidate, application=stale, slot="photo",
                          uploads=[jpeg_upload(size=(240, 320))])  # upright, as the photo slot asks
    assert ApplicationImage.objects.filter(application=ready).count() == before


# --- 配置角色权限: 重新编辑填报信息 withdrawn from candidates ------------------------------------

def withdraw_editing():
    from prereg.accounts import permissions
    from prereg.accounts.models import Role, RolePermission

    RolePermission.objects.create(role=Role.CANDIDATE, function="edit_own_application", allowed=False)
    permissions.invalidate_cache()


def test_where_editing_again_is_withdrawn_a_never_submitted_draft_is_still_filled_in_and_submitted(client, ready):
    withdraw_editing()
    body = client.get(reverse("candidate:form")).content.decode()
    assert "保存基本信息" in body and "重新编辑填报信息" not in body
    client.post(reverse("candidate:section", args=["basic"]), basic_payload(ready), HTTP_HX_REQUEST="true")
    ready.refresh_from_db()
    assert ready.name == "曹操改名"
    client.post(reverse("candidate:submit"), {"version": ready.version})
    ready.refresh_from_db()
    assert ready.state == State.IN_REVIEW


def test_where_editing_again_is_withdrawn_a_withdrawn_form_is_not_edited_but_can_be_submitted_again(client, ready):
    from tests.factories import jpeg_upload

    client.post(reverse("candidate:submit"), {"version": ready.version})
    client.post(reverse("candidate:withdraw"), {"version": ready.version + 1})
    withdraw_editing()
    ready.refresh_from_db()
    body = client.get(reverse("candidate:form")).content.decode()
    assert "“重新编辑填报信息”功能已关闭" in body and "保存基本信息" not in body
    assert reverse("candidate:submit") in body  # handed in again as it is
    answer = client.post(reverse("candidate:section", args=["basic"]), basic_payload(ready),
                         HTTP_HX_REQUEST="true").content.decode()
    assert "“重新编辑填报信息”功能已关闭" in answer
    answer = client.post(reverse("candidate:image_upload"), {"version": ready.version, "slot": "category",
                                                             "file": jpeg_upload()}, HTTP_ACCEPT="application/json")
    assert answer.status_code == 400 and "重新编辑填报信息" in answer.json()["message"]
    answer = client.post(reverse("candidate:phone_send_code"), {"basic-phone": "13900001111"}, HTTP_HX_REQUEST="true")
    assert "重新编辑填报信息" in answer.content.decode()
    ready.refresh_from_db()
    assert ready.name != "曹操改名" and ready.version == 2
    client.post(reverse("candidate:submit"), {"version": ready.version})
    ready.refresh_from_db()
    assert (ready.state, ready.submission_round) == (State.IN_REVIEW, 2)


def test_where_editing_again_is_withdrawn_the_service_refuses_a_returned_forms_change(ready, candidate):
    workflow_services.application_submit(actor=candidate, application_id=ready.pk)
    Application.objects.filter(pk=ready.pk).update(state=State.RETURNED, stage="")
    withdraw_editing()
    with pytest.raises(ValidationError, match="重新编辑填报信息") as refused:
        workflow_services.application_section_save(actor=candidate, application_id=ready.pk, section="basic",
                                                   values={"postcode": "350002"})
    assert refused.value.code == "function"
    assert Application.objects.get(pk=ready.pk).postcode != "350002"


def _section_version(client, section):
    """The section's saves as the form page shows them (its hidden section_version)."""
    html = client.get(reverse("candidate:form")).content.decode()
    form = html[html.index(f'id="section-{section}"'):]
    return int(form.split('name="section_version" value="', 1)[1].split('"', 1)[0])


def test_a_section_saved_from_another_tab_is_not_undone_by_a_page_drawn_before(client, ready):
    # The probes: a stale tab (or a second device) saving a section silently undid the other's save.
    shown = _section_version(client, "basic")
    saved = client.post(reverse("candidate:section", args=["basic"]),
                        basic_payload(ready, section_version=shown, **{"basic-address": "第一个标签页的地址"}),
                        HTTP_HX_REQUEST="true").content.decode()
    assert "已保存" in saved and _section_version(client, "basic") == shown + 1
    body = client.post(reverse("candidate:section", args=["basic"]),
                       basic_payload(ready, section_version=shown, **{"basic-address": "旧标签页的地址"}),
                       HTTP_HX_REQUEST="true").content.decode()
    assert "已在其他页面或设备上保存过" in body and "旧标签页的地址" in body  # what was typed stays on the page
    assert f'name="section_version" value="{shown}"' in body  # and stays stale: a second tap is refused too
    assert Application.objects.get(pk=ready.pk).address == "第一个标签页的地址"
    # Another section of the old page is its own: it saves.
    payload = {"version": ready.version, "section_version": _section_version(client, "education"),
               "chsi-chsi_code": "123456789012",
               "edu-TOTAL_FORMS": "0", "edu-INITIAL_FORMS": "0", "deg-TOTAL_FORMS": "0", "deg-INITIAL_FORMS": "0"}
    assert "已保存" in client.post(reverse("candidate:section", args=["education"]), payload,
                                  HTTP_HX_REQUEST="true").content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_saves_of_a_section_from_pages_drawn_alike_save_one(postgres_only, year, tree, candidate):
    from tests.concurrency import at_once

    application = complete_application(candidate, year, tree)

    def save(postcode):
        return lambda: workflow_services.application_section_save(
            actor=candidate, application_id=application.pk, section="basic", section_version=0,
            values={"postcode": postcode})

    outcomes = at_once(save("350001"), save("350002"))
    refused = [o for o in outcomes if isinstance(o, workflow_services.StaleSection)]
    assert len(refused) == 1, outcomes
    saved = "350002" if refused[0] is outcomes[0] else "350001"
    application.refresh_from_db()
    assert application.postcode == saved and application.section_versions == {"basic": 1}


def test_a_save_refused_because_the_form_was_submitted_meanwhile_keeps_what_was_typed_on_the_page(client, ready):
    # Submitted from another tab; this tab's save is refused, and its typing stays on the page (read-only), to be
    # copied after a 撤回: a disabled field showed the stored value instead (phone probe).
    client.post(reverse("candidate:submit"), {"version": ready.version})
    body = client.post(reverse("candidate:section", args=["basic"]), basic_payload(ready, **{"basic-address": "泉州新地址"}),
                       HTTP_HX_REQUEST="true").content.decode()
    assert "如需修改请先撤回" in body
    assert re.search(r'<input type="text" name="basic-name" value="曹操改名"[^>]*readonly', body)
    assert re.search(r'<textarea name="basic-address"[^>]*readonly[^>]*>\s*泉州新地址</textarea>', body)
    assert Application.objects.get(pk=ready.pk).address != "泉州新地址"
