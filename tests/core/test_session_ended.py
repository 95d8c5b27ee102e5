"""A page left open past the end of its session, or posted with a form token no longer valid (the
user signed in again in another window): the page is told in Chinese, and nothing typed is replaced."""

from django.test import Client
from django.urls import reverse

from prereg.core.login_required import SESSION_ENDED
from prereg.core.views import PAGE_EXPIRED


def test_an_htmx_save_after_the_session_ended_is_answered_with_a_message_not_the_login_page(client, db):
    response = client.post(reverse("candidate:section", args=["work"]), {"work-0-title": "护士"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == SESSION_ENDED
    assert "<form" not in response.content.decode()


def test_a_photo_upload_after_the_session_ended_gets_the_message_as_its_json_answer(client, db):
    response = client.post(reverse("candidate:form"), {}, headers={"Accept": "application/json"})
    assert response.status_code == 401 and response.json() == {"ok": False, "message": SESSION_ENDED}


def test_a_plain_post_after_the_session_ended_logs_in_and_returns_to_the_page_it_came_from(client, db):
    response = client.post(reverse("candidate:section", args=["work"]), {"work-0-title": "护士"},
                           headers={"Referer": "http://testserver/candidate/form/"})
    assert response.status_code == 302
    assert response.url == reverse("accounts:login") + "?next=/candidate/form/"
    # Not from another host, and not to the address that takes posts only.
    response = client.post(reverse("candidate:section", args=["work"]), {},
                           headers={"Referer": "https://elsewhere.example/candidate/form/"})
    assert response.url == reverse("accounts:login") + "?next=/"


def test_a_page_opened_after_the_session_ended_still_goes_to_the_login_and_back(client, db):
    response = client.get(reverse("candidate:form"))
    assert response.status_code == 302 and response.url == reverse("accounts:login") + "?next=/candidate/form/"


def test_a_post_with_a_token_no_longer_valid_is_told_the_page_expired(candidate):
    client = Client(enforce_csrf_checks=True)
    client.force_login(candidate)
    url = reverse("candidate:section", args=["work"])
    response = client.post(url, {"work-0-title": "护士"}, headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/plain") and PAGE_EXPIRED in response.content.decode()
    response = client.post(url, {}, headers={"Accept": "application/json"})
    assert response.status_code == 403 and response.json()["message"] == PAGE_EXPIRED
    response = client.post(url, {"work-0-title": "护士"})
    html = response.content.decode()
    assert response.status_code == 403 and "页面已过期" in html and PAGE_EXPIRED in html
    assert "DEBUG" not in html and "CSRF验证失败" not in html


def test_a_post_only_address_opened_directly_answers_a_page_in_chinese(client, candidate):
    client.force_login(candidate)
    response = client.get(reverse("candidate:section", args=["work"]))
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert "该地址只用于提交表单" in response.content.decode()
    assert response["Content-Security-Policy"]


def test_a_session_in_steady_use_ends_its_lifetime_after_sign_in(client, reviewer_anxi_bureau, settings, monkeypatch):
    """Security probe F4: the idle timeout alone let a session in use live for ever. It ends
    SESSION_ABSOLUTE_SECONDS after sign-in, audited as a logout, however busy it was."""
    import time

    from prereg.audit.models import AuditEvent

    settings.SESSION_ABSOLUTE_SECONDS = 3600
    client.force_login(reviewer_anxi_bureau)
    start = time.time()
    monkeypatch.setattr(time, "time", lambda: start)
    assert client.get(reverse("accounts:profile")).status_code == 200
    monkeypatch.setattr(time, "time", lambda: start + 3599)
    assert client.get(reverse("accounts:profile")).status_code == 200
    monkeypatch.setattr(time, "time", lambda: start + 3601)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert AuditEvent.objects.filter(event="auth.logout", actor=reviewer_anxi_bureau).exists()
    response = client.post(reverse("accounts:profile"), {}, headers={"HX-Request": "true"})
    assert response.status_code == 401 and response.content.decode() == SESSION_ENDED
    # Signed in again, the new session has its own lifetime.
    client.force_login(reviewer_anxi_bureau)
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_signing_in_again_in_the_same_browser_starts_the_lifetime_again(client, reviewer_anxi_bureau, settings,
                                                                         monkeypatch):
    """Django keeps a session's data when the same user signs in again: the first sign-in's stamp
    stayed, and a reviewer who signed in again at hour 11 was signed out an hour later."""
    import time

    settings.SESSION_ABSOLUTE_SECONDS = 3600
    start = time.time()
    monkeypatch.setattr(time, "time", lambda: start)
    client.force_login(reviewer_anxi_bureau)
    assert client.get(reverse("accounts:profile")).status_code == 200
    monkeypatch.setattr(time, "time", lambda: start + 3000)
    client.force_login(reviewer_anxi_bureau)
    monkeypatch.setattr(time, "time", lambda: start + 3700)
    assert client.get(reverse("accounts:profile")).status_code == 200
