"""Fifty copies of one form sent at the same moment make one claim (or one change of bank
details, one email); fifty batches built at the same moment get fifty references.

PostgreSQL only (real row locks and a real unique index under concurrent inserts). Each test
opens the form once, as a browser would, then sends what that page sends from 50 threads
released together; each thread has its own database connection.
"""

import datetime
import threading
from collections import Counter
from decimal import Decimal

from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client, TransactionTestCase, skipUnlessDBFeature
from django.urls import reverse
from django.utils import timezone

from ascru_pie.roles import Role
from payments import services
from payments.models import BankDetailsChange, Claim, ClaimEvent, PaymentBatch
from tests.base import ensure_roles, key_of, make_user
from tests.factories import AdvisorFactory, example_rate_card, make_claim

N = 50
EXPENSE = reverse("payments:portal-expense")
TIME = reverse("payments:portal-time")
PREFERENCES = reverse("payments:portal-preferences")
CLAIM_NEW = reverse("payments:claim-new")
BATCHES = reverse("payments:batches")
PORTAL = reverse("payments:portal")


def at_once(n: int, send) -> list:
    """Run `send(i)` in n threads released together; their results (or exceptions)."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = send(i)
        except Exception as exc:  # collected and asserted by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def same_browser(client: Client) -> Client:
    """Another connection from the same browser: the same session cookie."""
    copy = Client()
    name = settings.SESSION_COOKIE_NAME
    copy.cookies[name] = client.cookies[name].value
    return copy


# One class, so the test runner keeps these on one worker: 50 connections at a time, not 100.
@skipUnlessDBFeature("has_select_for_update", "has_select_for_update_skip_locked")
class ConcurrentSubmissionsTest(TransactionTestCase):
    def setUp(self) -> None:
        ensure_roles()
        example_rate_card()
        self.advisor_alice = make_user("alice", Role.ADVISOR)
        self.alice = AdvisorFactory(user=self.advisor_alice, first_name="Alice", last_name="Ashby")
        self.staff_sam = make_user("sam", Role.PIE_TEAM, is_staff=True)
        self.day = (timezone.localdate() - datetime.timedelta(days=3)).isoformat()

    def assert_all_told_we_have_it(self, results: list, text: str = "") -> None:
        self.assertEqual([r for r in results if isinstance(r, Exception)], [])
        if not text:
            self.assertEqual(Counter(r.status_code for r in results), {302: N})
            return
        # Followed to the page they land on: each sending is told the normal outcome.
        self.assertEqual(Counter(tuple(r.redirect_chain) for r in results), {((PORTAL, 302),): N})
        for response in results:
            self.assertContains(response, text)

    def test_fifty_copies_of_alices_expense_form_make_one_claim(self) -> None:
        alice = browser(self.advisor_alice)
        data = {
            "submission_key": key_of(alice.get(EXPENSE)),
            "expense_type": "travel",
            "activity_date": self.day,
            "amount": "4.50",
            "description": "Bus fare",
            "meeting": "",
        }
        results = at_once(N, lambda i: same_browser(alice).post(EXPENSE, data, follow=True))
        self.assert_all_told_we_have_it(results, "We have your claim for £4.50 (Bus fare)")
        self.assertEqual(Claim.objects.count(), 1)
        self.assertEqual(ClaimEvent.objects.count(), 1)

    def test_fifty_submit_anyway_clicks_after_the_limit_warning_make_one_claim(self) -> None:
        self.alice.annual_limit = Decimal("10.00")
        self.alice.save()
        alice = browser(self.advisor_alice)
        data = {
            "submission_key": key_of(alice.get(TIME)),
            "activity": "document_review",
            "activity_date": self.day,
            "hours": "2",
            "description": "Read the draft survey",
            "project": "",
        }
        warned = alice.post(TIME, data)
        self.assertContains(warned, "over your limit of £10.00")
        # The "Submit anyway" button sends the same form, with the same key.
        self.assertEqual(key_of(warned), data["submission_key"])
        self.assertFalse(Claim.objects.exists())
        confirmed = {**data, "confirm_over_limit": "1"}
        results = at_once(N, lambda i: same_browser(alice).post(TIME, confirmed, follow=True))
        self.assert_all_told_we_have_it(results, "We have logged 2 hours of document review")
        self.assertEqual(Claim.objects.count(), 1)
        self.assertEqual(ClaimEvent.objects.count(), 1)

    def test_fifty_copies_of_a_claim_sam_enters_for_alice_make_one_claim(self) -> None:
        sam = browser(self.staff_sam)
        data = {
            "submission_key": key_of(sam.get(CLAIM_NEW)),
            "kind": "expense",
            "advisor": self.alice.pk,
            "expense_type": "travel",
            "activity_date": self.day,
            "amount": "23.40",
            "description": "Train, by phone",
        }
        results = at_once(N, lambda i: same_browser(sam).post(CLAIM_NEW, data))
        self.assert_all_told_we_have_it(results)
        claim = Claim.objects.get()
        self.assertEqual(
            {r["Location"] for r in results}, {reverse("payments:claim", args=[claim.pk])}
        )
        self.assertEqual(ClaimEvent.objects.count(), 1)

    def test_fifty_copies_of_alices_bank_details_form_write_once_and_email_once(self) -> None:
        alice = browser(self.advisor_alice)
        data = {
            "submission_key": key_of(alice.get(PREFERENCES)),
            "payment_preference": "bank",
            "annual_limit": "",
            "account_name": "A Ashby",
            "sort_code": "40-11-62",
            "account_number": "31926819",
        }
        results = at_once(N, lambda i: same_browser(alice).post(PREFERENCES, data, follow=True))
        self.assertEqual([r for r in results if isinstance(r, Exception)], [])
        for response in results:
            self.assertContains(
                response, "Your payment preferences and bank details have been saved."
            )
        self.assertEqual(BankDetailsChange.objects.count(), 1)
        self.assertEqual(len(mail.outbox), 1)

    def test_fifty_batches_built_at_once_from_different_claims_get_fifty_references(self) -> None:
        self.claims = [make_claim(AdvisorFactory(), status="approved") for _ in range(N)]
        results = at_once(
            N,
            lambda i: services.batch_build(by=self.staff_sam, claim_ids=[self.claims[i].pk]),
        )
        self.assertEqual([r for r in results if isinstance(r, Exception)], [])
        references = sorted(PaymentBatch.objects.values_list("reference", flat=True))
        prefix = f"PIE-{timezone.localdate():%Y%m%d}-"
        self.assertEqual(references, [f"{prefix}{n:02d}" for n in range(1, N + 1)])

    def test_fifty_build_clicks_at_once_never_fail_and_batch_each_claim_once(self) -> None:
        for _ in range(N):
            make_claim(AdvisorFactory(), status="approved")
        sam = browser(self.staff_sam)
        results = at_once(N, lambda i: same_browser(sam).post(BATCHES, {"build": "1"}))
        self.assertEqual([r for r in results if isinstance(r, Exception)], [])
        self.assertEqual({r.status_code for r in results}, {302})
        self.assertFalse(Claim.objects.filter(batch__isnull=True).exists())
        batches = PaymentBatch.objects.all()
        self.assertEqual(sum(b.claims.count() for b in batches), N)
        self.assertEqual(len({b.reference for b in batches}), len(batches))
