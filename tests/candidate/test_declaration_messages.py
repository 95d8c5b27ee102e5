"""A message that weighs one field against another is not said of a value that failed its own check.

Input probe: 现有资格取得年月 typed 2016-13 was told 请按“年-月”填写 and also 请填写“现有资格取得年月”, as if
left blank; a 现有资格 not in the list was told 现有资格为“无”时不填…, though 无 was not chosen.
"""

import datetime

import pytest
from django.contrib.auth import get_user
from django.urls import reverse

from prereg.applications.carryover import start_application
from prereg.candidate.views.common import current_application
from prereg.catalog.models import Ethnicity

NEXT_YEAR = f"{datetime.date.today().year + 1}-01"
FILL_IN_DATE = "请填写“现有资格取得年月”"
NOT_WITH_NONE = "现有资格为“无”时不填"


@pytest.fixture
def app(client, year, tree, candidate):
    client.force_login(candidate)
    return start_application(candidate=candidate, exam_year=year)


def post(client, section, payload):
    """A section saved as its page posts it (htmx), with the version the page was loaded with."""
    version = current_application(get_user(client)).version
    return client.post(reverse("candidate:section", args=[section]), {"version": version, **payload},
                       HTTP_HX_REQUEST="true").content.decode()


@pytest.mark.parametrize(("typed", "own_message"), [
    ("2016-13", "请按“年-月”填写"),
    ("二〇一六年十月", "请按“年-月”填写"),
    (NEXT_YEAR, "日期不能晚于今天"),
])
def test_a_date_that_fails_its_own_check_is_told_that_alone(client, app, typed, own_message):
    body = post(client, "declaration", {"decl-current_qualification": "护师",
                                        "decl-current_qualification_date": typed})
    assert own_message in body
    assert FILL_IN_DATE not in body and NOT_WITH_NONE not in body
    assert f'value="{typed}"' in body  # what was typed stays for correcting


def test_a_current_qualification_not_in_the_list_is_not_told_it_was_none(client, app):
    body = post(client, "declaration", {"decl-current_qualification": "不存在的资格",
                                        "decl-current_qualification_date": "2016-10"})
    assert "所选的值“不存在的资格”无效" in body
    assert NOT_WITH_NONE not in body and FILL_IN_DATE not in body
    app.refresh_from_db()
    assert app.current_qualification_date is None  # nothing of the section was saved


def test_the_cross_field_messages_still_speak_of_values_that_passed(client, app):
    body = post(client, "declaration", {"decl-current_qualification": "护师", "decl-current_qualification_date": ""})
    assert FILL_IN_DATE in body
    body = post(client, "declaration", {"decl-current_qualification": "无",
                                        "decl-current_qualification_date": "2016-10"})
    assert NOT_WITH_NONE in body


def test_a_code_too_long_for_a_changed_phone_is_told_its_length_not_to_fetch_one(client, app, tree):
    payload = {"basic-name": "曹操", "basic-ethnicity": Ethnicity.objects.get(code="01").pk,
               "basic-unit": tree["35052401"].pk, "basic-postcode": "350000", "basic-phone": "13900001111",
               "basic-address": "福建省福州市鼓楼区", "basic-sms_code": "1234567"}
    body = post(client, "basic", payload)
    assert "最多填写6个字（现为7个）" in body
    assert "请获取并填写短信验证码" not in body
    payload["basic-sms_code"] = ""
    assert "请获取并填写短信验证码" in post(client, "basic", payload)
