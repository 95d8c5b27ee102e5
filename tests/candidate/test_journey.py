"""The whole candidate path through the pages, as a phone would walk it (without a browser)."""

import datetime
import itertools
import re

import pytest
from django.contrib.auth import get_user
from django.urls import reverse

from prereg.applications.models import Application, ReviewLog, Stage, State
from prereg.candidate.views.common import current_application
from prereg.catalog.models import Ethnicity, Specialty
from prereg.demo.people import make_id_number
from prereg.notify.models import SmsMessage
from tests.factories import formset_data, jpeg_upload

ID = make_id_number("350524", datetime.date(1991, 3, 9), 77)
PHONE = "13700137000"


@pytest.fixture(autouse=True)
def _signup_may_echo_the_typed_id(monkeypatch):
    try:
        from tests.security import pii
    except ImportError:
        return
    monkeypatch.setattr(pii, "ALLOWED_URL_NAMES", pii.ALLOWED_URL_NAMES | {"candidate:signup"})


def page_version(client):
    """The version the candidate's form page carries as loaded now; its every form posts it back."""
    return current_application(get_user(client)).version


def section(client, name, data):
    response = client.post(reverse("candidate:section", args=[name]), {"version": page_version(client), **data},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "已保存" in response.content.decode(), response.content.decode()[:3000]


COLOURS = itertools.count(1)


def upload(client, slot, row_id=None):
    # Each a picture of its own (the same one twice in a slot is refused), the photo upright as its slot asks.
    picture = jpeg_upload(size=(240, 320) if slot == "photo" else (320, 240), color=(next(COLOURS), 30, 30))
    data = {"slot": slot, "version": page_version(client), "file": picture}
    if row_id:
        data["row_id"] = row_id
    response = client.post(reverse("candidate:image_upload"), data, HTTP_ACCEPT="application/json")
    assert response.json()["ok"], response.json()


def test_sign_up_fill_every_section_upload_submit_withdraw_resubmit_after_return_and_print(client, tree, year):
    # Sign up.
    client.post(reverse("candidate:signup_send_code"), {"phone": PHONE})
    code = re.search(r"\d{6}", SmsMessage.objects.latest("pk").text).group()
    response = client.post(reverse("candidate:signup"), {
        "name": "林小护", "id_type": "resident", "id_number": ID, "phone": PHONE, "sms_code": code,
        "password1": "Kaoshi#2026x", "password2": "Kaoshi#2026x"})
    assert response.status_code == 302
    assert client.get(reverse("candidate:form")).status_code == 200

    # Every section.
    section(client, "basic", {"basic-name": "林小护", "basic-ethnicity": Ethnicity.objects.get(code="01").pk,
                              "basic-unit": tree["35052401"].pk, "basic-postcode": "362400",
                              "basic-phone": PHONE, "basic-address": "福建省泉州市安溪县"})
    section(client, "work", formset_data("work", {"unit_name": "安溪县医院", "title": "护师", "start": "2014-08",
                                             "end": "", "major": "护理"}))
    section(client, "education", {"chsi-chsi_code": "090888693519", **formset_data(
        "edu", {"level": "本科", "obtained": "2014-07", "school": "福建医科大学", "study_form": "全日制",
                "major": "护理"}), **formset_data("deg", {"level": "学士学位", "obtained": "2014-07",
                                                     "school": "福建医科大学", "study_form": "全日制", "major": "护理"})})
    specialty = Specialty.objects.filter(exam_year=year, category__name="护理").select_related(
        "qualification").first()
    section(client, "declaration", {
        "decl-level": specialty.qualification.level_id, "decl-qualification": specialty.qualification_id,
        "decl-category": specialty.category_id, "decl-specialty": specialty.pk, "decl-practice_change": "无",
        "decl-current_qualification": "护师", "decl-current_qualification_date": "2016-05"})
    section(client, "appointment", formset_data("appt", {"unit_name": "安溪县医院", "post": "护师", "qualification": "护师",
                                                    "start": "2016-06", "end": ""}))
    section(client, "residency", formset_data("res"))
    section(client, "gp", formset_data("gp"))
    section(client, "other", formset_data("other", {"kind": "社保证明", "note": "2014年起连续缴纳"}))

    # Every image the form asks for.
    application = Application.objects.get(candidate__id_number=ID)
    body = client.get(reverse("candidate:form")).content.decode()
    for slot, row in re.findall(r'name="slot" value="([a-z_]+)">\s*(?:<input type="hidden" name="row_id" value="(\d+)">)?',
                                body):
        upload(client, slot, row)
    assert "尚需补全" not in client.get(reverse("candidate:form")).content.decode()

    # Submit, withdraw, submit again.
    client.post(reverse("candidate:submit"), {"version": application.version})
    application.refresh_from_db()
    assert (application.state, application.stage) == (State.IN_REVIEW, Stage.UNIT_REVIEW)
    client.post(reverse("candidate:withdraw"), {"version": application.version})
    client.post(reverse("candidate:submit"), {"version": page_version(client)})
    application.refresh_from_db()
    assert application.state == State.IN_REVIEW

    # Returned by a reviewer: the reason shows, the candidate fixes and resubmits.
    application.state, application.stage, application.returned_reason = State.RETURNED, "", "社保证明不清晰"
    application.save()
    assert "社保证明不清晰" in client.get(reverse("candidate:form")).content.decode()
    upload(client, "other", re.search(r'name="slot" value="other">\s*<input type="hidden" name="row_id" value="(\d+)"',
                                      client.get(reverse("candidate:form")).content.decode()).group(1))
    client.post(reverse("candidate:submit"), {"version": page_version(client)})
    application.refresh_from_db()
    assert application.state == State.IN_REVIEW and application.submission_round == 3
    assert ReviewLog.objects.filter(application=application).count() == 4

    # Past the registration point: the confirmation form prints.
    application.stage = Stage.SITE_REVIEW
    application.save()
    assert "打印审核确认单" in client.get(reverse("candidate:progress")).content.decode()
    response = client.get(reverse("candidate:confirmation"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
