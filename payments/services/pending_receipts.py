"""A receipt kept while the advisor decides: after an annual-limit warning (or another
problem with the form) the page comes back, and a browser cannot put a chosen file back in a
form. So the checked upload is kept in private storage, keyed to the form's one-time
submission key in the advisor's own session, and used when they send the form again.

Only the session that uploaded a file can use it (the key alone is not enough). The file is
removed once the claim is made (the claim stores its own copy) or when it is replaced. One
the advisor never came back for (they closed the page after the warning) is deleted by the
daily retention run (pending_receipts_sweep, called from privacy.retention) a day later.
"""

import datetime
import os
import uuid
from pathlib import PurePosixPath

from django.core.files import File

from ascru_pie.lib.storage import private_storage

SESSION_KEY = "pending_receipts"
FOLDER = "pending-receipts"


def _entries(session) -> dict:
    return session.get(SESSION_KEY, {})


def pending_receipt_keep(*, session, submission_key: uuid.UUID, upload) -> str:
    """Keep an (already checked) upload for this form; returns the name the advisor gave it."""
    pending_receipt_discard(session=session, submission_key=submission_key)
    name = PurePosixPath(upload.name).name[:100] or "receipt"
    upload.seek(0)
    path = private_storage().save(f"{FOLDER}/{submission_key}/{name}", upload)
    upload.seek(0)
    entries = _entries(session)
    entries[str(submission_key)] = {"path": path, "name": name}
    session[SESSION_KEY] = entries
    return name


def pending_receipt_name(*, session, submission_key: uuid.UUID | None) -> str:
    """The name of the receipt kept for this form, or ""."""
    entry = _entries(session).get(str(submission_key)) if submission_key else None
    return entry["name"] if entry else ""


def pending_receipt_open(*, session, submission_key: uuid.UUID | None) -> File | None:
    """The kept receipt as a file to attach to the claim, or None (also if it has gone)."""
    entry = _entries(session).get(str(submission_key)) if submission_key else None
    if not entry:
        return None
    storage = private_storage()
    if not storage.exists(entry["path"]):
        return None
    return File(storage.open(entry["path"], "rb"), name=entry["name"])


def pending_receipt_discard(*, session, submission_key: uuid.UUID | None) -> None:
    """Forget the receipt kept for this form and delete its file."""
    entries = _entries(session)
    entry = entries.pop(str(submission_key), None) if submission_key else None
    if entry:
        private_storage().delete(entry["path"])
        session[SESSION_KEY] = entries


def pending_receipts_sweep(*, older_than: datetime.datetime, dry_run: bool = False) -> int:
    """Delete kept receipts saved before `older_than` (forms never sent again); return how
    many (with dry_run, how many would be). The folders they were kept in go too."""
    storage = private_storage()
    if not storage.exists(FOLDER):
        return 0
    deleted = 0
    for key in storage.listdir(FOLDER)[0]:
        folder = f"{FOLDER}/{key}"
        names = storage.listdir(folder)[1]
        old = [n for n in names if storage.get_modified_time(f"{folder}/{n}") < older_than]
        deleted += len(old)
        if dry_run:
            continue
        for name in old:
            storage.delete(f"{folder}/{name}")
        if len(old) == len(names):
            # Empty now: the folder named after the form's key goes too (if nothing came since).
            try:
                os.rmdir(storage.path(folder))
            except OSError:
                pass
    return deleted
