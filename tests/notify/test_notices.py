"""In-app notices (审核通知): sent by the apps through notice_send, read by their recipient."""

from prereg.notify.models import Notice
from prereg.notify.services import notice_mark_read, notice_send


def test_notice_send_gives_each_recipient_his_own_notice(reviewer_anxi_hospital, reviewer_anxi_bureau):
    first, second = reviewer_anxi_hospital, reviewer_anxi_bureau
    notice_send(recipients=[first, second], title="张三的报名信息已退回考生", body="原因：照片模糊",
                link="/backoffice/review/7/")
    notices = Notice.objects.order_by("user_id")
    assert [(n.user, n.title, n.body, n.link, n.read_at) for n in notices] == [
        (user, "张三的报名信息已退回考生", "原因：照片模糊", "/backoffice/review/7/", None) for user in (first, second)]


def test_notice_send_to_nobody_sends_nothing(db):
    assert notice_send(recipients=[], title="无人") == []
    assert not Notice.objects.exists()


def test_a_recipient_marks_only_his_own_notices_read(reviewer_anxi_hospital, reviewer_anxi_bureau):
    mine, other = reviewer_anxi_hospital, reviewer_anxi_bureau
    notice_send(recipients=[mine, other], title="通知")
    assert notice_mark_read(actor=mine) == 1
    assert Notice.objects.get(user=other).read_at is None
