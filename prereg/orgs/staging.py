"""Uploaded sheets kept between an import's preview and its confirmation.

The preview checks the file and shows what it would do; the confirmation applies that same
file (its hash is checked again). The file waits in the private file storage under staging/,
named by a random token the session holds; it is removed when applied and at most a day later.
"""

import datetime
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

PREFIX = "staging"
KEEP = datetime.timedelta(days=1)


def keep(session, key: str, filename: str, content: bytes, digest: str, **extra) -> None:
    """Hold a previewed file for its confirmation: stored here, named in the session under `key`."""
    suffix = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
    session[key] = {"file": put(content, suffix), "filename": filename, "digest": digest, **extra}


def take(session, key: str, digest: str):
    """The held file the confirmation names by its digest: (what `keep` stored, content), or (None, None)
    when the preview expired, was applied, or another preview replaced it. Either way it is released."""
    staged = session.pop(key, None)
    content = get(staged["file"]) if staged and digest == staged["digest"] else None
    if staged:
        drop(staged["file"])
    return (staged, content) if content is not None else (None, None)


def put(content: bytes, suffix: str) -> str:
    _sweep()
    token = secrets.token_hex(16)
    default_storage.save(f"{PREFIX}/{token}{suffix}", ContentFile(content))
    return f"{token}{suffix}"


def get(name: str) -> bytes | None:
    if not _valid(name) or not default_storage.exists(f"{PREFIX}/{name}"):
        return None
    with default_storage.open(f"{PREFIX}/{name}", "rb") as fh:
        return fh.read()


def drop(name: str) -> None:
    if _valid(name):
        default_storage.delete(f"{PREFIX}/{name}")


def _valid(name: str) -> bool:
    token, _, suffix = (name or "").partition(".")
    return len(token) == 32 and all(c in "0123456789abcdef" for c in token) and suffix in ("csv", "xlsx")


def _sweep() -> None:
    try:
        _dirs, files = default_storage.listdir(PREFIX)
    except (FileNotFoundError, NotImplementedError):
        return
    limit = timezone.now() - KEEP
    for name in files:
        try:
            if default_storage.get_modified_time(f"{PREFIX}/{name}") < limit:
                default_storage.delete(f"{PREFIX}/{name}")
        except (FileNotFoundError, NotImplementedError):
            continue
