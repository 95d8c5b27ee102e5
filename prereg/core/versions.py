"""The version of an application a posting page was loaded with: one reading for both audiences."""

# No application has it (Application.version counts up from 0), so a service's version check
# refuses it exactly as it refuses a page loaded before someone else's change.
STALE_VERSION = -1


def posted_version(value: str | None) -> int:
    """The version a page posted: its hidden "version" field, or the part after ":" of a batch item.

    Every page that changes an application carries the version it was loaded with, and every change
    compares it with the row's. A post without one, or with one that is not a number, comes from no
    page of ours as it is now: it reads as STALE_VERSION and is refused as a stale page, never
    let through unchecked.
    """
    try:
        return int(value)
    except (TypeError, ValueError):  # missing, garbled, or longer than int() reads
        return STALE_VERSION
