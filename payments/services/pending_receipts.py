"""A receipt kept while the advisor decides: after an annual-limit warning (or another
problem with the form) the page comes back, and a browser cannot put a chosen file back in a
form. So the checked upload is kept in private storage, keyed to the form's one-time
submission key in the advisor's own session, and used when they send the form again.

Only the session that uploaded a file can use it (the key alone is not enough). The file is
removed once the claim is made (the claim stores its own copy) or when it is replaced.
"""

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
