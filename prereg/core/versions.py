"""The version a page was loaded with, and the compare-and-set every change of a record makes.

Every page that changes a record (an application, an account, an org, a year, a notice…) posts
the version it showed in a hidden "version" field; the service compares it with the locked row's
and counts one up, so a change made from a page loaded before someone else's is refused instead
of silently undoing theirs.
"""

from django.core.exceptions import ValidationError

# No record has it (versions count up from 0), so a service's version check refuses it exactly as
# it refuses a page loaded before someone else's change.
STALE_VERSION = -1
STALE_MESSAGE = "该信息已被修改（可能是其他人或在另一窗口），请刷新页面后重新操作。"


def posted_version(value: str | None) -> int:
    """The version a page posted: its hidden "version" field, or the part after ":" of a batch item.

    A post without one, or with one that is not a number, comes from no page of ours as it is now:
    it reads as STALE_VERSION and is refused as a stale page, never let through unchecked.
    """
    try:
        return int(value)
    except (TypeError, ValueError):  # missing, garbled, or longer than int() reads
        return STALE_VERSION


def check_version(record, expected_version: int | None) -> None:
    """Compare-and-set on `record.version`: refuses (ValidationError, code "stale") a page loaded
    before the record's last change, and counts this one. Call it on the row locked with
    select_for_update, in the transaction that saves it. None: a caller that shows no page."""
    if expected_version is not None and record.version != expected_version:
        raise ValidationError(STALE_MESSAGE, code="stale")
    record.version += 1


def page_version(request, record) -> int:
    """The version a page carries in its hidden field: the one it was loaded with when it is shown
    again with its errors (it stays as stale as it was), else the record's."""
    return posted_version(request.POST.get("version")) if request.method == "POST" else record.version
