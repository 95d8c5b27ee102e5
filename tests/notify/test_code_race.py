"""Two codes asked for one phone and purpose at the same moment (获取验证码 tapped twice, two tabs; PostgreSQL,
real transactions): the later spends the earlier, so one code is live, the last one sent (two were)."""

import pytest

from prereg.notify import sms
from prereg.notify.models import SmsCode
from tests.applications.test_one_writer_races import done, started
from tests.exports.test_download_delete_race import paused_once_after

PHONE = "16600000001"
pytestmark = pytest.mark.django_db(transaction=True)


def _live(phone, purpose):
    return list(SmsCode.objects.filter(phone=phone, purpose=purpose, used_at__isnull=True).order_by("pk"))


def test_two_codes_asked_at_once_leave_only_the_later_live(postgres_only, monkeypatch):
    sending, go_on = paused_once_after(monkeypatch, sms, "send_sms")  # the first's code made, not committed
    outcomes = {}
    first = started(outcomes, "first", lambda: sms.send_code(PHONE, "password_reset"))
    assert sending.wait(10)
    second = started(outcomes, "second", lambda: sms.send_code(PHONE, "password_reset"))
    second.join(1)
    assert second.is_alive(), outcomes  # waits for the first to commit before spending what came before
    go_on.set()
    first.join(10)
    second.join(10)
    assert done(outcomes["first"]) and done(outcomes["second"]), outcomes
    codes = list(SmsCode.objects.filter(phone=PHONE, purpose="password_reset").order_by("pk"))
    assert len(codes) == 2 and _live(PHONE, "password_reset") == codes[-1:]


def test_codes_of_other_phones_or_purposes_do_not_wait(postgres_only, monkeypatch):
    sending, go_on = paused_once_after(monkeypatch, sms, "send_sms")
    outcomes = {}
    first = started(outcomes, "first", lambda: sms.send_code(PHONE, "password_reset"))
    assert sending.wait(10)
    others = [started(outcomes, "phone", lambda: sms.send_code("16600000002", "password_reset")),
              started(outcomes, "purpose", lambda: sms.send_code(PHONE, "phone_change"))]
    for other in others:
        other.join(5)
        assert not other.is_alive(), outcomes
    go_on.set()
    first.join(10)
    assert all(done(outcome) for outcome in outcomes.values()), outcomes
    assert len(_live(PHONE, "password_reset")) == len(_live(PHONE, "phone_change")) == 1
