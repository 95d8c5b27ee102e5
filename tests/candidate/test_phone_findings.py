"""What a QA probe of the candidate's phone journey found, checked at the server (the browser's side
is in test_phone_findings_browser.py): the window's words once it has closed and one date format,
a cascade re-render that marks fields red before they were reached, the sign-up's 图形验证码 asked
below the button it must precede, and pages sent uncompressed."""

import datetime
import gzip
import http.client
import http.server
import json
import re
import shutil

import pytest
from django.urls import reverse
from django.utils import timezone

from prereg.applications.carryover import start_application
from prereg.catalog import timeline
from prereg.catalog.models import ExamLevel
from tests.test_deploy_configs import NGINX, nginx_directives, shipped_nginx

# --- 4: after the window closes, and one date format -----------------------------------------------


def _window(year, opens_in, closes_in):
    today = timezone.localdate()
    year.form_opens, year.form_closes = today + datetime.timedelta(opens_in), today + datetime.timedelta(closes_in)
    year.save()
    return year.form_closes


def _day(day):
    return f"{day.year}年{day.month}月{day.day}日"


def test_after_the_window_closes_the_home_says_submission_has_ended_and_whom_to_ask(client, year, candidate):
    closes = _window(year, -20, -2)
    client.force_login(candidate)
    start_application(candidate=candidate, exam_year=year)
    body = client.get(reverse("candidate:home")).content.decode()
    assert f"省网填报已于{_day(closes)}截止，不能再提交。" in body
    assert "请联系您所在单位或报名点" in body
    assert "开放后再提交" not in body and "当前不在省网填报时间内" not in body


def test_before_the_window_opens_the_home_still_says_it_opens_later(client, year, candidate):
    _window(year, 3, 20)
    client.force_login(candidate)
    body = client.get(reverse("candidate:home")).content.decode()
    assert "可以先填写保存，开放后再提交。" in body and "不能再提交" not in body


def test_the_headline_prints_dates_as_every_other_line_does():
    year = type("Year", (), {})()
    windows = type("Windows", (), {
        "name": "2027年度", "form_opens": datetime.date(2026, 11, 28), "form_closes": datetime.date(2026, 12, 7),
        "national_opens": datetime.date(2026, 12, 1), "national_closes": datetime.date(2026, 12, 7),
        "confirm_deadline": datetime.date(2027, 1, 5)})()
    year.windows = lambda project=None: windows
    assert timeline.year_status(year, datetime.date(2026, 12, 7)).headline == "省网填报进行中，2026年12月7日截止。"
    assert "2026年11月28日开放" in timeline.year_status(year, datetime.date(2026, 11, 1)).headline
    assert "请在2027年1月5日前" in timeline.year_status(year, datetime.date(2026, 12, 8)).headline


# --- 6: the cascade re-rendered marks nothing red ---------------------------------------------------


def test_a_cascade_rerender_marks_no_field_not_yet_submitted_and_the_scope_asks_for_a_category_first(
        client, year, candidate):
    client.force_login(candidate)
    start_application(candidate=candidate, exam_year=year)
    level = ExamLevel.objects.filter(exam_year=year, enabled=True).first()
    body = client.get(reverse("candidate:cascade"), {"decl-level": level.pk}).content.decode()
    assert "has-error" not in body and 'role="alert"' not in body and "必填" not in body
    assert f'value="{level.pk}" selected' in body  # the choice is kept, and narrows the next select
    assert "（请先选择执业类别）" in body and "该执业类别无需选择" not in body
    # The form page, before any choice, says the same.
    form = client.get(reverse("candidate:form")).content.decode()
    assert "（请先选择执业类别）" in form and "该执业类别无需选择" not in form


# --- 8: the 图形验证码 of sign-up ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_signup_captcha_comes_before_the_sms_code_and_can_be_swapped(client):
    send = reverse("candidate:signup_send_code")
    client.post(send, {"phone": "13800138000"})  # this address has had a code: the next asks for the picture
    html = client.get(reverse("candidate:signup")).content.decode()
    assert html.index('name="phone"') < html.index('name="captcha_1"') < html.index('name="sms_code"')
    assert "发送短信验证码前，请先输入图中的字母" in html and "再次发送" not in html
    refresh = re.search(r'data-captcha-refresh="([^"]+)"', html).group(1)
    assert "看不清，换一张" in html
    # django-simple-captcha's refresh view, open to the anonymous visitor, asked as its documentation shows.
    anonymous = type(client)()
    fresh = json.loads(anonymous.get(refresh, HTTP_X_REQUESTED_WITH="XMLHttpRequest").content)
    key = re.search(r'name="captcha_0" value="(\w+)"', html).group(1)
    assert fresh["key"] != key
    image = anonymous.get(fresh["image_url"])
    assert image.status_code == 200 and image["Content-Type"] == "image/png"

    # A send with scripts: the status under the code row, a new picture in its place above it (out of band).
    answer = client.post(send, {"phone": "13800138001"}, HTTP_HX_REQUEST="true").content.decode()
    status, slot = answer.split('<div id="captcha-slot"')
    assert "请输入图形验证码" in status and 'name="captcha_1"' not in status
    assert 'hx-swap-oob="true"' in slot and 'name="captcha_1"' in slot


# --- 12: pages compressed by nginx ------------------------------------------------------------------


def test_nginx_compresses_the_applications_pages_not_only_static_files():
    conf = (NGINX / "prereg.conf").read_text()
    https = conf[conf.index("listen 443"):]
    server = [(name, args) for name, args in nginx_directives(https)]
    directives = dict(server)
    assert directives.get("gzip") == "on"  # in the server block: every location, the proxied pages too
    assert directives.get("gzip_proxied") == "any"  # a hospital proxy's Via header must not turn it off
    assert 0 < int(directives["gzip_min_length"]) <= 2048
    assert {"application/json", "text/css", "application/javascript"} <= set(directives["gzip_types"].split())
    assert "BREACH" in conf and "CSRF" in conf


@pytest.mark.skipif(not shutil.which("nginx") or not shutil.which("openssl"), reason="nginx or openssl not installed")
def test_behind_the_shipped_nginx_a_form_page_arrives_compressed(tmp_path):
    page = ("<!doctype html><html><body>" + "<div class=field><label>学校</label><input></div>" * 400
            + "</body></html>").encode()

    class Upstream(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802 - the http.server API
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    with shipped_nginx(tmp_path, Upstream) as https_get:
        def get(**headers):
            return https_get("/candidate/form/", **headers)

        # Through a hospital's proxy (Via) as well as directly.
        for extra in ({}, {"Via": "1.1 proxy.hospital.local"}):
            response, body = get(**{"Accept-Encoding": "gzip"}, **extra)
            assert response.status == 200 and response.getheader("Content-Encoding") == "gzip", extra
            assert gzip.decompress(body) == page and len(body) < len(page) / 5
        response, body = get()  # a client that does not ask for it gets the page as it is
        assert response.getheader("Content-Encoding") is None and body == page
