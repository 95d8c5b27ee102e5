"""Dates and numbers a filter cannot hold are refused at their field, never a server error.

A hostile-input probe met 500 pages: 待审信息 and 已审信息 with ?submitted_to=9999-12-31 (the day after
it overflows) or ?submitted_from=0001-01-01 (on SQLite, shifted to UTC), the audit log and its CSV
with ?date_from=0001-01-01 or ?date_to=9999-12-31; and 考生信息导出 queued a job for those dates or for
ids=99999999999999999999 that the worker then failed (生成失败). Every filter's dates now take one
range (core.forms.FilterDateField); a list shows the message at the field and the rest of its filter,
an export is refused before a job is queued.
"""

import datetime
import re

import pytest
from django.urls import reverse

from prereg.exports.models import ExportJob
from prereg.notify.models import SmsMessage
from tests import captcha
from tests.factories import CandidateFactory, approve, submitted

OUT_OF_RANGE = "日期超出范围"
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _errors(response) -> list[str]:
    return re.findall(r'<div class="error" role="alert">([^<]+)<', response.content.decode())


@pytest.fixture
def hospital(client, tree, year, reviewer_anxi_hospital):
    submitted(tree, year, name="李娜")  # waiting for the hospital (待审信息)
    approve(submitted(tree, year, name="王芳"), reviewer_anxi_hospital)  # handled by it (已审信息)
    client.force_login(reviewer_anxi_hospital)
    return client


DATES_OUT_OF_RANGE = [{"submitted_to": "9999-12-31"}, {"submitted_from": "0001-01-01"},
                      {"submitted_from": "1999-12-31"}, {"submitted_to": "2100-01-01"}]


@pytest.mark.parametrize("query", DATES_OUT_OF_RANGE)
def test_the_queue_with_a_date_out_of_range_says_so_at_the_field_and_lists_without_it(hospital, query):
    response = hospital.get(reverse("backoffice:pending"), {**query, "q": "李"})
    assert response.status_code == 200
    assert any(OUT_OF_RANGE in error for error in _errors(response))
    assert "李娜" in response.content.decode()  # the rest of the filter still applies


@pytest.mark.parametrize("query", DATES_OUT_OF_RANGE)
def test_the_reviewed_list_with_a_date_out_of_range_lists_without_it(hospital, query):
    """已审信息 has no date fields of its own (a link may still carry them): the day is left out."""
    response = hospital.get(reverse("backoffice:reviewed"), {**query, "q": "王"})
    assert response.status_code == 200 and "王芳" in response.content.decode()
    assert "submitted" not in response.context["export_url"]


def test_the_range_holds_its_first_and_last_days_and_a_full_width_date(hospital):
    response = hospital.get(reverse("backoffice:pending"),
                            {"submitted_from": "2000-01-01", "submitted_to": "2099-12-31"})
    assert response.status_code == 200 and not _errors(response) and "李娜" in response.content.decode()
    today = datetime.date.today().isoformat()
    response = hospital.get(reverse("backoffice:pending"), {"submitted_from": today.translate(FULL_WIDTH)})
    assert not _errors(response) and "李娜" in response.content.decode()


def test_a_date_that_is_no_date_is_asked_again_in_chinese(hospital):
    response = hospital.get(reverse("backoffice:pending"), {"submitted_from": "2024-13-45"})
    assert response.status_code == 200 and _errors(response) == ["请输入正确的日期，例如 2024-01-31。"]


@pytest.mark.parametrize("query", [{"date_from": "0001-01-01"}, {"date_to": "9999-12-31"}])
def test_the_audit_log_and_its_csv_refuse_a_date_out_of_range(client, auditor, query):
    client.force_login(auditor)
    response = client.get(reverse("backoffice:audit"), query)
    assert response.status_code == 200
    assert any(OUT_OF_RANGE in error for error in _errors(response))
    response = client.get(reverse("backoffice:audit_export"), query)
    assert response.status_code == 200
    b"".join(response.streaming_content)  # the rows are read as the file is sent


@pytest.fixture
def quanzhou(client, tree, year, reviewer_quanzhou):
    client.force_login(reviewer_quanzhou)
    return client


EXPORT = {"kind": "applications", "format": "csv", "columns": "roster"}


@pytest.mark.parametrize(("posted", "said"), [
    ({"submitted_to": "9999-12-31"}, OUT_OF_RANGE),
    ({"submitted_from": "0001-01-01"}, OUT_OF_RANGE),
    ({"ids": "99999999999999999999"}, "选择的报名信息有误"),
    ({"ids": "1,2,abc"}, "选择的报名信息有误"),
])
def test_an_export_with_a_parameter_the_filter_refuses_is_refused_before_a_job_is_queued(quanzhou, posted, said):
    response = quanzhou.post(reverse("backoffice:export_create"), {**EXPORT, **posted})
    assert response.status_code == 400
    assert said in response.content.decode()
    assert not ExportJob.objects.exists()


def test_an_export_of_a_list_link_with_a_date_out_of_range_shows_the_error_at_the_field(quanzhou):
    response = quanzhou.get(reverse("backoffice:exports"), {"submitted_to": "9999-12-31"})
    assert response.status_code == 200
    assert any(OUT_OF_RANGE in error for error in _errors(response))


def test_the_password_recovery_code_typed_in_full_width_digits_is_read(client, db):
    """找回密码's SMS code as the ID number that names the account: full-width digits (a Chinese input
    method's 全角 mode) are read, not refused as 验证码为6位数字."""
    user = CandidateFactory(phone="15005000498")
    client.post(reverse("accounts:password_forgot"), {"identifier": user.id_number, **captcha.solved()})
    code = re.search(r"验证码(\d{6})", SmsMessage.objects.filter(phone=user.phone).latest("pk").text).group(1)
    password = "Xinmima#2027"  # noqa: S105
    response = client.post(reverse("accounts:password_forgot_reset"), {
        "code": code.translate(FULL_WIDTH), "new_password1": password, "new_password2": password})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(password)
