"""The demo SMS outbox tells a message waiting for its next try from one given up (probe G): 失败
only once notify.tasks has stopped trying (next_try_at empty, an error kept)."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from prereg.notify.models import SmsMessage


def statuses(client) -> dict[str, str]:
    html = client.get(reverse("backoffice:sms_outbox")).content.decode()
    rows = re.findall(r"<td>(【[^<]*)</td>\s*<td>(.*?)</td></tr>", html, re.S)
    return {text: re.sub(r"<[^>]+>|\{#.*?#\}", "", status).strip() for text, status in rows}


def test_the_outbox_says_retrying_while_a_refused_message_waits_and_failed_once_given_up(
        client, sysadmin, settings):
    settings.DEMO_MODE = True
    later = timezone.now() + datetime.timedelta(minutes=5)
    common = {"phone": "13900000001", "purpose": "reminder", "backend": "gateway"}
    SmsMessage.objects.create(text="【测试】重试", error="网关超时", attempts=2, next_try_at=later, **common)
    SmsMessage.objects.create(text="【测试】放弃", error="网关超时", attempts=5, next_try_at=None, **common)
    SmsMessage.objects.create(text="【测试】已发", delivered=True, attempts=2, **common)
    SmsMessage.objects.create(text="【测试】排队", attempts=0, next_try_at=timezone.now(), **common)
    client.force_login(sysadmin)
    assert statuses(client) == {"【测试】重试": "重试中（第2次）", "【测试】放弃": "失败", "【测试】已发": "已发送",
                                "【测试】排队": "待发送"}
