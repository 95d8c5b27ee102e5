"""Acts on in-app notices (审核通知): the apps send them, the reviewer reads his own."""

from django.db import transaction
from django.utils import timezone

from .models import Notice


def notice_send(*, recipients, title: str, body: str = "", link: str = "") -> list[Notice]:
    """One in-app notice to each of the recipients (users), listed in his 审核通知.

    The caller says who and what, and passes the link already reversed: notify knows no app above it."""
    return Notice.objects.bulk_create(Notice(user=user, title=title, body=body, link=link) for user in recipients)


@transaction.atomic
def notice_mark_read(*, actor, notice_id: int | None = None) -> int:
    """Mark one notice (or all, when `notice_id` is None) of the actor as read."""
    notices = Notice.objects.filter(user=actor, read_at__isnull=True)
    if notice_id is not None:
        notices = notices.filter(pk=notice_id)
    return notices.update(read_at=timezone.now())
