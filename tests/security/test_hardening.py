"""Production hardening: headers, check --deploy, error pages without traces but with an id."""

import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "0",
    "HTTPS": "1",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "AUDIT_HMAC_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "prereg.wjw.fujian.gov.cn",
    "CSRF_TRUSTED_ORIGINS": "https://prereg.wjw.fujian.gov.cn",
}


def _production(*args, **extra):
    env = {**os.environ, **PRODUCTION_ENV, **extra}
    # A production process has neither pytest's marker nor the browser tests' async escape hatch.
    for name in ("PYTEST_VERSION", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"):
        env.pop(name, None)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_the_production_environment():
    result = _production("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_make_cookies_https_only_and_send_hsts():
    code = ("from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SESSION_COOKIE_HTTPONLY, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000, s.DEBUG)")
    result = _production("shell", "-c", code)
    assert result.stdout.split()[-6:] == ["True", "True", "True", "True", "True", "False"], result.stderr


def test_hsts_asks_for_the_browsers_preload_lists_only_when_the_operator_says_so():
    # Security probe: the preload flag was always sent; an intranet name is never on the lists, and leaving
    # them takes months. The deploy check stays clean either way.
    code = "from django.conf import settings as s; print(s.SECURE_HSTS_PRELOAD, s.SECURE_HSTS_INCLUDE_SUBDOMAINS)"
    assert _production("shell", "-c", code).stdout.split()[-2:] == ["False", "True"]
    assert _production("shell", "-c", code, HSTS_PRELOAD="1").stdout.split()[-2:] == ["True", "True"]
    result = _production("check", "--deploy", "--fail-level", "WARNING", HSTS_PRELOAD="1")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_page_carries_the_security_headers(client, db):
    response = client.get(reverse("accounts:login"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "http" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert len(response["X-Request-ID"]) == 12


def test_pages_of_a_logged_in_user_are_not_stored_by_any_cache(client, candidate):
    client.force_login(candidate)
    response = client.get(reverse("core:home"), follow=True)
    assert response["Cache-Control"] == "no-store"


@override_settings(ROOT_URLCONF="tests.security.urls_raise")
def test_a_server_error_shows_no_trace_and_logs_the_request_id_it_shows(candidate, caplog):
    client = Client(raise_request_exception=False)
    client.force_login(candidate)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    request_id = response["X-Request-ID"]
    assert f"错误编号：{request_id}" in html and "系统繁忙" in html
    for secret in ("Traceback", "RuntimeError", "hunter2", "boom"):
        assert secret not in html
    [error] = [r for r in caplog.records if r.name == "django.request" and r.levelno == logging.ERROR]
    assert error.request_id == request_id
    assert error.exc_info and error.exc_info[0] is RuntimeError  # the trace goes to the log only


@pytest.mark.parametrize(("path", "status", "text"), [("/no-such-page/", 404, "页面不存在")])
def test_client_errors_show_a_chinese_page_without_detail(client, candidate, path, status, text):
    client.force_login(candidate)
    response = client.get(path)
    assert response.status_code == status and text in response.content.decode()
    assert "Traceback" not in response.content.decode() and "Using the URLconf" not in response.content.decode()


def test_a_refusal_is_one_log_line_without_a_traceback(client, tree, year, caplog, reviewer_anxi_bureau):
    # The review probe found about 100 ordinary 403s logged as full tracebacks, burying the 5xx.
    client.force_login(reviewer_anxi_bureau)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(reverse("backoffice:audit")).status_code == 403
    [refusal] = [r for r in caplog.records if r.name == "django.request"]
    assert refusal.status_code == 403 and refusal.exc_info is None
