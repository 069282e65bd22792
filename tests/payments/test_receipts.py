"""Receipts: only real PDF, JPEG or PNG files of a sensible size are kept, judged by their
content and not just their name; only the advisor who claimed, the PIE team and finance
can download one.
"""

import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from payments import services
from payments.models import Claim
from tests.base import BaseTestCase, stored_files
from tests.factories import expense_data, make_claim

NOW = datetime.datetime(2026, 5, 20, 12, 0, tzinfo=ZoneInfo("Europe/London"))
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
PDF = b"%PDF-1.4\n% a receipt\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 32

EXPENSE = reverse("payments:portal-expense")
REFUSED = "The receipt must be a PDF, JPEG or PNG file. This file is not one of those."


@time_machine.travel(NOW, tick=False)
class ReceiptUploadTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.advisor_alice)
        self.files_before = stored_files()

    def assert_refused(self, name: str, content: bytes, message: str = REFUSED) -> None:
        response = self.client.post(
            EXPENSE, expense_data(receipt=SimpleUploadedFile(name, content))
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.context["form"].errors["receipt"], [message])
        # The error summary links to the receipt field.
        self.assertContains(
            response, f'<a href="#id_receipt">{message}</a>', status_code=400, html=True
        )
        self.assertFalse(Claim.objects.exists())
        self.assertEqual(stored_files(), self.files_before)

    def test_real_pdf_jpeg_and_png_receipts_are_kept(self) -> None:
        for name, content in (("a.pdf", PDF), ("b.jpg", JPEG), ("c.JPEG", JPEG), ("d.png", PNG)):
            with self.subTest(name=name):
                # A different journey each time: the same claim sent twice is refused.
                response = self.client.post(
                    EXPENSE,
                    {
                        **expense_data(receipt=SimpleUploadedFile(name, content)),
                        "description": f"Train, ticket {name}",
                    },
                )
                self.assertEqual(response.status_code, 302)
                claim = Claim.objects.latest("pk")
                self.assertEqual(claim.status, "submitted")
                with claim.receipt.open("rb") as handle:
                    self.assertEqual(handle.read(), content)
        self.assertEqual(Claim.objects.count(), 4)

    def test_a_program_is_refused(self) -> None:
        self.assert_refused("receipt.exe", EXE)

    def test_a_text_file_renamed_pdf_is_refused(self) -> None:
        self.assert_refused("receipt.pdf", b"This is just text pretending to be a PDF.")

    def test_a_jpeg_named_pdf_is_refused(self) -> None:
        self.assert_refused("receipt.pdf", JPEG)

    def test_a_pdf_named_png_is_refused(self) -> None:
        self.assert_refused("receipt.png", PDF)

    def test_a_file_without_an_extension_is_refused(self) -> None:
        self.assert_refused("receipt", PNG)

    def test_when_another_answer_is_wrong_she_is_asked_to_choose_the_receipt_again(self) -> None:
        data = {**expense_data(receipt=SimpleUploadedFile("ticket.png", PNG)), "amount": ""}
        response = self.client.post(EXPENSE, data)
        self.assertContains(response, "Please choose your receipt again", status_code=400)
        self.assertEqual(stored_files(), self.files_before)

    @override_settings(RECEIPT_MAX_BYTES=100)
    def test_a_file_that_is_too_large_is_refused(self) -> None:
        response = self.client.post(
            EXPENSE, expense_data(receipt=SimpleUploadedFile("big.png", PNG + b"\x00" * 200))
        )
        self.assertEqual(response.status_code, 400)
        [error] = response.context["form"].errors["receipt"]
        self.assertIn("the largest we accept is", error)
        self.assertFalse(Claim.objects.exists())
        self.assertEqual(stored_files(), self.files_before)

    def test_the_help_text_gives_the_largest_size(self) -> None:
        self.assertContains(
            self.client.get(EXPENSE), "If you have a receipt, add it: PDF, JPEG or PNG, up to 5 MB"
        )
        for size, words in ((int(2.5 * 1024 * 1024), "2.5 MB"), (500 * 1024, "500 KB")):
            with self.subTest(size=size), override_settings(RECEIPT_MAX_BYTES=size):
                self.assertContains(self.client.get(EXPENSE), f"PNG, up to {words}.")


@time_machine.travel(NOW, tick=False)
class ReceiptDownloadTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.claim, _ = services.claim_expense_submit(
            advisor=self.alice,
            by=self.advisor_alice,
            expense_type="travel",
            activity_date=datetime.date(2026, 5, 12),
            amount=Decimal("23.40"),
            description="Train",
            receipt=SimpleUploadedFile("ticket.pdf", PDF),
        )
        self.url = reverse("payments:receipt", args=[self.claim.pk])

    def download(self, user):
        self.client.force_login(user)
        return self.client.get(self.url)

    def test_alice_downloads_her_own_receipt_as_an_attachment(self) -> None:
        response = self.download(self.advisor_alice)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Disposition"].startswith("attachment;"))
        self.assertIn(".pdf", response["Content-Disposition"])
        self.assertEqual(b"".join(response.streaming_content), PDF)

    def test_who_can_download_a_receipt(self) -> None:
        expected = [
            (self.advisor_alice, 200),
            (self.staff_sam, 200),
            (self.finance_fay, 200),
            (self.advisor_bob, 404),  # another advisor's receipt: as if it did not exist
            (self.researcher_rita, 403),
            (self.manager_mo, 403),
            (self.outsider_carol, 403),
        ]
        for user, status in expected:
            with self.subTest(user=user.username):
                response = self.download(user)
                self.assertEqual(response.status_code, status)
                if status == 200:
                    self.assertEqual(b"".join(response.streaming_content), PDF)
                # No response.close(): it sends request_finished, which closes the database
                # connection in the middle of the test's transaction on PostgreSQL.

    def test_anonymous_visitors_are_sent_to_log_in(self) -> None:
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("login")))

    def test_a_claim_without_a_receipt_is_404(self) -> None:
        claim = make_claim(self.alice)
        self.client.force_login(self.staff_sam)
        self.assertEqual(
            self.client.get(reverse("payments:receipt", args=[claim.pk])).status_code, 404
        )
        self.assertEqual(
            self.client.get(reverse("payments:receipt", args=[999999])).status_code, 404
        )

    def test_a_missing_file_is_404(self) -> None:
        Path(settings.PRIVATE_MEDIA_ROOT, self.claim.receipt.name).unlink()
        self.assertEqual(self.download(self.finance_fay).status_code, 404)
