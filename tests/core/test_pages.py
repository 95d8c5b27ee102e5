"""The base UI: main pages render in Chinese, load nothing from another host, need a login."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from prereg.accounts.models import Role
from tests.factories import UserFactory

# Nothing the page loads or posts to may be remote (the system runs on an intranet); a plain link
# the reader follows (the 国网, www.21wecan.com, where candidates must register too) is allowed.
REMOTE = re.compile(r"""(?:src|action|<link[^>]*\bhref)\s*=\s*["'](?:https?:)?//""", re.I)


def assert_local_only(html: str):
    assert not REMOTE.search(html), REMOTE.search(html).group(0)


def test_login_page_renders_in_chinese_without_remote_assets(client, db):  # it reads 注册 in 配置角色权限
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "用户登录" in html and "福建省卫生专业技术资格考试预报名系统" in html
    assert "htmx-2.min.js" in html
    assert_local_only(html)
    assert "default-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("role", [Role.DISTRICT, Role.SITE, Role.POINT, Role.UNIT, Role.SYSADMIN, Role.AUDITOR])
def test_back_office_home_renders_for_every_staff_role(client, tree, role):
    org = None if role in (Role.SYSADMIN, Role.AUDITOR) else tree["350102"]
    user = UserFactory(role=role, org=org)
    client.force_login(user)
    response = client.get(reverse("core:home"), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "工作台" in html
    assert_local_only(html)
    assert response["Cache-Control"] == "no-store"


def test_candidate_home_renders(client, candidate, year):
    client.force_login(candidate)
    response = client.get(reverse("core:home"), follow=True)
    assert response.status_code == 200
    assert "考生首页" in response.content.decode()
    assert_local_only(response.content.decode())


def test_candidate_cannot_enter_the_back_office(client, candidate):
    client.force_login(candidate)
    response = client.get(reverse("backoffice:dashboard"))
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


def test_a_refused_page_is_audited_with_who_asked_for_what(client, candidate):
    from prereg.audit.models import AuditEvent, Outcome

    client.force_login(candidate)
    assert client.get(reverse("backoffice:dashboard")).status_code == 403
    event = AuditEvent.objects.get(event="access.denied")
    assert (event.actor_id, event.outcome) == (candidate.pk, Outcome.DENIED)
    assert event.details["path"] == reverse("backoffice:dashboard") and event.details["method"] == "GET"


def test_unknown_page_gives_the_chinese_404(client, candidate):
    client.force_login(candidate)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


# The explicit allow-list of pages an anonymous visitor may open: each carries @login_not_required.
PUBLIC_VIEWS = {
    "accounts:login",
    "accounts:logout",
    "accounts:password_forgot",
    "accounts:password_forgot_reset",
    "candidate:signup",
    "candidate:signup_send_code",
    "captcha-image",  # the 图形验证码 picture of the sign-up and 找回密码 pages
    "captcha-refresh",  # its 看不清，换一张 (a new picture, for script requests only)
    "core:healthz",
}


def test_every_url_requires_login_except_the_allow_list(client, db):
    """Walks the resolver and calls each view anonymously (path converters get sample values)."""
    for route, pattern in _walk(get_resolver().url_patterns):
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", "1", route)
        response = client.get(path)
        name = pattern.name
        full_name = next((n for n in PUBLIC_VIEWS if n.rpartition(":")[2] == str(name)), None)
        if full_name:
            assert response.status_code != 302 or "/accounts/login/" not in response.get("Location", "")
        else:
            assert response.status_code == 302, (path, response.status_code)
            assert response["Location"].startswith(reverse("accounts:login")), path
