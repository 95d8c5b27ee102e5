"""A section's save whose answer was lost on a slow network (the page timed out, the server had saved it) is
tapped again with the token the page gave that attempt: it goes through instead of being refused as saved
from another page, and nothing saved elsewhere since is undone by it (the compare-and-set still holds)."""

import pytest
from django.urls import reverse

from prereg.applications import services as workflow_services
from prereg.applications.models import Application, WorkRow
from prereg.audit.models import AuditEvent
from tests.factories import complete_application, formset_data

from .test_one_writer import basic_payload

TOKEN = "0123456789abcdef0123456789abcdef"
OTHER_TOKEN = "fedcba9876543210fedcba9876543210"


@pytest.fixture
def ready(client, year, tree, candidate):
    client.force_login(candidate)
    return complete_application(candidate, year, tree)


def _save(client, application, shown, address, token=TOKEN):
    return client.post(reverse("candidate:section", args=["basic"]),
                       basic_payload(application, section_version=shown, save_token=token,
                                     **{"basic-address": address}),
                       HTTP_HX_REQUEST="true").content.decode()


def test_a_save_tapped_again_after_its_answer_was_lost_goes_through(client, ready):
    shown = ready.section_versions.get("basic", 0)
    _save(client, ready, shown, "第一次点保存的地址")  # saved; its answer never reached the phone
    assert Application.objects.get(pk=ready.pk).address == "第一次点保存的地址"

    body = _save(client, ready, shown, "再点保存时改过的地址")  # the same page, the same attempt

    assert "已保存" in body and "已在其他页面或设备上保存过" not in body
    application = Application.objects.get(pk=ready.pk)
    assert application.address == "再点保存时改过的地址" and application.section_versions["basic"] == shown + 2
    assert f'name="section_version" value="{shown + 2}"' in body  # the page goes on from there
    # A third tap of a page whose answers were lost twice is that attempt's too.
    assert "已保存" in _save(client, ready, shown, "第三次")
    assert Application.objects.get(pk=ready.pk).address == "第三次"


def test_a_stale_save_with_another_token_is_still_refused(client, ready):
    shown = ready.section_versions.get("basic", 0)
    _save(client, ready, shown, "这个标签页的地址")

    body = _save(client, ready, shown, "另一个标签页的地址", token=OTHER_TOKEN)  # another tab, drawn alike

    assert "已在其他页面或设备上保存过" in body
    assert Application.objects.get(pk=ready.pk).address == "这个标签页的地址"


def test_a_retry_after_the_section_was_saved_elsewhere_is_refused(client, ready, candidate):
    shown = ready.section_versions.get("basic", 0)
    _save(client, ready, shown, "答复丢失的地址")
    # Another device saves the section meanwhile (its own session, its own page).
    workflow_services.application_section_save(actor=candidate, application_id=ready.pk, section="basic",
                                               section_version=shown + 1, values={"address": "另一台设备的地址"})

    body = _save(client, ready, shown, "再点保存的地址")

    assert "已在其他页面或设备上保存过" in body
    assert Application.objects.get(pk=ready.pk).address == "另一台设备的地址"


def test_a_token_of_another_page_of_the_section_is_not_taken_for_its_retry(client, ready):
    shown = ready.section_versions.get("basic", 0)
    _save(client, ready, shown, "第一页的地址")
    assert "已保存" in _save(client, ready, shown + 1, "第二页的地址", token=OTHER_TOKEN)

    # The first attempt's token, from a page drawn before the second save: stale, refused.
    body = _save(client, ready, shown, "第一页再点保存")

    assert "已在其他页面或设备上保存过" in body
    assert Application.objects.get(pk=ready.pk).address == "第二页的地址"


def test_a_retry_that_adds_a_row_does_not_add_it_twice(client, ready):
    # The new row is posted again without an id: saved again, it was a second copy of the row.
    row = WorkRow.objects.filter(application=ready).first()
    count = WorkRow.objects.filter(application=ready).count()
    shown = ready.section_versions.get("work", 0)
    data = {"version": ready.version, "section_version": shown, "save_token": TOKEN,
            **formset_data("work", {"id": row.pk, "unit_name": row.unit_name, "start": "2012-08"},
                           {"unit_name": "新增的单位", "start": "2016-08"}, initial=1)}
    url = reverse("candidate:section", args=["work"])
    assert "已保存" in client.post(url, data, HTTP_HX_REQUEST="true").content.decode()  # its answer lost
    assert WorkRow.objects.filter(application=ready).count() == count + 1

    body = client.post(url, data, HTTP_HX_REQUEST="true").content.decode()

    assert WorkRow.objects.filter(application=ready).count() == count + 1
    assert "刚才的保存已经完成" in body and "请刷新页面核对本部分" in body
    assert 'value="新增的单位"' in body  # what is typed stays on the page


def test_a_retry_that_only_changes_rows_goes_through(client, ready):
    row = WorkRow.objects.filter(application=ready).first()
    shown = ready.section_versions.get("work", 0)
    url = reverse("candidate:section", args=["work"])

    def data(unit):
        return {"version": ready.version, "section_version": shown, "save_token": TOKEN,
                **formset_data("work", {"id": row.pk, "unit_name": unit, "start": "2012-08"}, initial=1)}

    assert "已保存" in client.post(url, data("第一次"), HTTP_HX_REQUEST="true").content.decode()
    assert "已保存" in client.post(url, data("再点保存"), HTTP_HX_REQUEST="true").content.decode()
    assert WorkRow.objects.get(pk=row.pk).unit_name == "再点保存"


def test_a_stale_page_that_posts_what_is_stored_is_told_it_is_saved(client, ready):
    # A save that committed but whose answer failed (a 503 drawn after the commit: the races probe), or a page
    # reloaded with its form data, posts again without the attempt's token: the page shows what is stored, so
    # it is saved, not "未保存" (nothing is written again, nothing audited twice).
    shown = ready.section_versions.get("basic", 0)
    _save(client, ready, shown, "已经保存的地址")
    events = AuditEvent.objects.filter(event="application.section_save").count()

    body = _save(client, ready, shown, "已经保存的地址", token=OTHER_TOKEN)

    assert "已保存" in body and "已在其他页面或设备上保存过" not in body
    application = Application.objects.get(pk=ready.pk)
    assert application.section_versions["basic"] == shown + 1
    assert AuditEvent.objects.filter(event="application.section_save").count() == events
    assert f'name="section_version" value="{shown + 1}"' in body  # the page goes on from the stored saves
    # One value the stored section does not have, and the stale page is refused as before.
    assert "已在其他页面或设备上保存过" in _save(client, ready, shown, "另一个地址", token="ab" * 16)
    assert Application.objects.get(pk=ready.pk).address == "已经保存的地址"

