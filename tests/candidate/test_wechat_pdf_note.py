"""打印审核确认单 opens a PDF in a new tab; WeChat's Android browser commonly shows neither (phone-journey
probe): there the link is followed by how to open the page in the system browser."""

import pytest
from django.urls import reverse

from prereg.applications.models import Stage
from tests.factories import submitted

WECHAT_UA = ("Mozilla/5.0 (Linux; Android 12; V2055A Build/SP1A.210812.003; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 XWEB/5023 MMWEBSDK/20230405 "
             "MicroMessenger/8.0.35.2360(0x2800235B) WeChat/arm64 Weixin NetType/4G Language/zh_CN ABI/arm64")
ANDROID_UA = ("Mozilla/5.0 (Linux; Android 12; V2055A) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/120.0.0.0 Mobile Safari/537.36")
OPEN_IN_BROWSER = "点右上角“…”选择“在浏览器打开”"


@pytest.fixture
def printable(client, year, tree, candidate):
    application = submitted(tree, year, candidate=candidate)
    application.stage = Stage.SITE_REVIEW  # past the 报名点: printable
    application.save()
    client.force_login(candidate)
    return application


def _confirmation_link_and_after(body):
    """The 打印审核确认单 link and what follows it in its block."""
    at = body.index(f'href="{reverse("candidate:confirmation")}"')
    return body[at:at + 600]


def test_in_wechat_the_confirmation_link_says_to_open_the_page_in_the_system_browser(client, printable):
    progress = reverse("candidate:progress")
    assert OPEN_IN_BROWSER in _confirmation_link_and_after(client.get(progress, HTTP_USER_AGENT=WECHAT_UA).content.decode())
    assert OPEN_IN_BROWSER not in client.get(progress, HTTP_USER_AGENT=ANDROID_UA).content.decode()


def test_in_wechat_the_home_pages_confirmation_link_says_so_too(client, printable):
    # Where 进度跟踪 is withdrawn (配置角色权限), the home page offers the PDF itself.
    from prereg.accounts import permissions
    from prereg.accounts.models import Role, RolePermission

    RolePermission.objects.create(role=Role.CANDIDATE, function="track_progress", allowed=False)
    permissions.invalidate_cache()
    home = reverse("candidate:home")
    assert OPEN_IN_BROWSER in _confirmation_link_and_after(client.get(home, HTTP_USER_AGENT=WECHAT_UA).content.decode())
    assert OPEN_IN_BROWSER not in client.get(home, HTTP_USER_AGENT=ANDROID_UA).content.decode()
