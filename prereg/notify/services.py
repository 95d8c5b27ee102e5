"""Acts on in-app notices (审核通知): the reviewer reads his own."""

from django.db import transaction
from django.utils import timezone

from .models import Notice


@transaction.atomic
def notice_mark_read(*, actor, notice_id: int | None = None) -> int:
    """Mark one notice (or all, when `notice_id` is None) of the actor as read."""
    notices = Notice.objects.filter(user=actor, read_at__isnull=True)
    if notice_id is not None:
        notices = notices.filter(pk=notice_id)
    return notices.update(read_at=timezone.now())
