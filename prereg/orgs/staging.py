"""Uploaded sheets kept between an import's preview and its confirmation.

The preview checks the file and shows what it would do; the confirmation applies that same
file (its hash is checked again). The file waits in the private file storage under staging/,
named by a random token the session holds; it is removed once the confirmation's transaction
commits and at most a day later.
"""

import datetime
import re
import secrets
from functools import partial

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

PREFIX = "staging"
KEEP = datetime.timedelta(days=1)


def keep(session, key: str, filename: str, content: bytes, digest: str, **extra) -> None:
    """Hold a previewed file for its confirmation: stored here, named in the session under `key`."""
    _sweep()
    name = secrets.token_hex(16) + (".xlsx" if filename.lower().endswith(".xlsx") else ".csv")
    default_storage.save(f"{PREFIX}/{name}", ContentFile(content))
    session[key] = {"file": name, "filename": filename, "digest": digest, **extra}


def take(session, key: str, digest: str):
    """The held file the confirmation names by its digest: (what `keep` stored, content), or (None, None)
    when the preview expired, was applied, or another preview replaced it. Either way it is released.

    Call it inside the transaction that applies the file: the file is deleted once that commits
    (transaction.on_commit), so a confirmation that fails before (a dropped connection: a 503, and the
    session, which is not saved on a 5xx, still names the file) can be retried, and one that committed
    cannot be repeated. Outside a transaction nothing tells whether the import will commit: the file
    is left to the sweep (a day), the session no longer naming it once this response is saved."""
    staged = session.pop(key, None)
    # The name is checked before it reaches the storage: only a name `keep` could have made.
    if not staged or not re.fullmatch(r"[0-9a-f]{32}\.(csv|xlsx)", staged["file"] or ""):
        return None, None
    path, content = f"{PREFIX}/{staged['file']}", None
    if digest == staged["digest"] and default_storage.exists(path):
        with default_storage.open(path, "rb") as fh:
            content = fh.read()
    if content is None:
        default_storage.delete(path)
    elif transaction.get_connection().in_atomic_block:
        transaction.on_commit(partial(default_storage.delete, path))
    return (staged, content) if content is not None else (None, None)


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
