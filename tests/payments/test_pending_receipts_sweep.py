"""A receipt kept after a claim warning, for a form the advisor never sent again, does not
stay in private storage forever: the daily retention run deletes it a day later (issue 14)."""

import datetime
import os
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from payments.services import pending_receipt_keep, pending_receipt_open, pending_receipts_sweep
from privacy.records import RetentionRun
from privacy.retention import retention_run
from tests.base import BaseTestCase


def keep(session: dict, *, hours_ago: float) -> Path:
    key = uuid.uuid4()
    upload = SimpleUploadedFile("receipt.pdf", b"%PDF kept receipt", "application/pdf")
    pending_receipt_keep(session=session, submission_key=key, upload=upload)
    path = Path(settings.PRIVATE_MEDIA_ROOT) / session["pending_receipts"][str(key)]["path"]
    then = time.time() - hours_ago * 3600
    os.utime(path, (then, then))
    return path


class PendingReceiptsSweepTests(BaseTestCase):
    def test_the_retention_run_deletes_ones_kept_over_a_day_and_says_so(self) -> None:
        session: dict = {}
        abandoned = keep(session, hours_ago=30)
        recent = keep(session, hours_ago=2)

        self.assertEqual(retention_run(dry_run=True)["pending_receipts_deleted"], 1)
        self.assertTrue(abandoned.exists())

        counts = retention_run()

        self.assertEqual(counts["pending_receipts_deleted"], 1)
        self.assertFalse(abandoned.exists())
        self.assertFalse(abandoned.parent.exists())  # the form's folder goes too
        self.assertTrue(recent.exists())
        self.assertIn(
            "1 receipt kept for a claim that was never sent was deleted",
            RetentionRun.objects.get().summary,
        )
        # A second run finds nothing more to do.
        self.assertEqual(retention_run()["pending_receipts_deleted"], 0)

    def test_a_swept_receipt_is_simply_gone_for_the_form(self) -> None:
        session: dict = {}
        keep(session, hours_ago=25)
        [key] = session["pending_receipts"]
        self.assertEqual(pending_receipts_sweep(older_than=timezone.now()), 1)
        self.assertIsNone(pending_receipt_open(session=session, submission_key=uuid.UUID(key)))

    def test_nothing_kept_is_nothing_to_do(self) -> None:
        cutoff = timezone.now() - datetime.timedelta(days=1)
        self.assertEqual(pending_receipts_sweep(older_than=cutoff), 0)
