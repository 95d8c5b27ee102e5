"""While the database cannot be reached, pages answer 503 with Retry-After and a Chinese page."""

import logging

import pytest
from django.db import OperationalError, connection
from django.test import Client, override_settings
from django.urls import reverse

from prereg.core.views import RETRY_AFTER_SECONDS


def database_down(execute, sql, params, many, context):
    raise OperationalError("server closed the connection unexpectedly")


def assert_busy_page(response):
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    html = response.content.decode()
    assert "系统繁忙，请稍后再试" in html and f"错误编号：{response['X-Request-ID']}" in html
    for detail in ("Traceback", "OperationalError", "Connection refused", "10.0.0.5", "server closed"):
        assert detail not in html


@override_settings(ROOT_URLCONF="tests.core.urls_outage")
def test_a_database_error_in_a_view_answers_503_with_retry_after_and_the_chinese_page(candidate, caplog):
    client = Client(raise_request_exception=False)
    client.force_login(candidate)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/outage/")
    assert_busy_page(response)
    [error] = [r for r in caplog.records if r.name == "django.request"]
    assert error.exc_info[0] is OperationalError  # the cause goes to the log only


@override_settings(ROOT_URLCONF="tests.core.urls_outage")
def test_the_drivers_own_unwrapped_error_answers_503_too(candidate):
    client = Client(raise_request_exception=False)
    client.force_login(candidate)
    assert_busy_page(client.get("/driver-outage/"))


@override_settings(ROOT_URLCONF="tests.core.urls_outage")
def test_a_session_save_that_met_the_database_gone_answers_503_not_400(candidate):
    client = Client(raise_request_exception=False)
    client.force_login(candidate)
    assert_busy_page(client.get("/session-outage/"))


@pytest.mark.parametrize("page", ["core:home", "backoffice:dashboard", "core:healthz"])
def test_with_the_database_down_every_page_answers_503_rendered_without_a_query(candidate, page):
    # The signed-in user's session and user are looked up by middleware before any view: the
    # error is raised there, and the busy page itself must not need the database.
    client = Client(raise_request_exception=False)
    client.force_login(candidate)
    with connection.execute_wrapper(database_down):
        response = client.get(reverse(page))
    assert_busy_page(response)


def test_other_server_errors_still_answer_500(candidate):
    client = Client(raise_request_exception=False)
    client.force_login(candidate)
    with override_settings(ROOT_URLCONF="tests.security.urls_raise"):
        response = client.get("/boom/")
    assert response.status_code == 500 and "Retry-After" not in response


# Redis on a port nothing listens on: the cache of a production setting, gone.
REDIS_GONE = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": "redis://127.0.0.1:9/0"},
              "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "gone"}}


@pytest.mark.parametrize("page", ["accounts:login", "core:healthz"])
def test_with_redis_gone_pages_answer_503_and_the_health_check_fails(db, page):
    """Faults probe: with Redis down every page was a 500 (the sign-in page reads the permission table
    through the cache) and /healthz still said ok, so no balancer or monitor saw the outage."""
    client = Client(raise_request_exception=False)
    with override_settings(CACHES=REDIS_GONE):
        assert_busy_page(client.get(reverse(page)))


def test_a_request_waiting_too_long_for_a_row_lock_gives_up(postgres_only, db):
    """Faults probe: a row lock held for long (a stuck psql session) held every request needing it
    until the server's timeout. Each connection has a lock_timeout: PostgreSQL then raises an
    OperationalError, which pages answer as a busy moment (503, the tests above)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "20s"
