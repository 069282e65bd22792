"""The staff payment pages: the approval queue, one claim, claims entered for advisors,
batches, finance's paid file, and budgets with time to pay."""

import datetime
import io
from decimal import Decimal
from unittest import mock

import tablib
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from advisors.models import Advisor
from payments import services
from payments.models import CentralBudget, Claim, ClaimEvent, PaymentBatch
from projects.models import Project
from tests.base import BaseTestCase
from tests.factories import AdvisorFactory, ProjectFactory, example_rate_card, make_claim, mark_paid

TODAY = timezone.localdate()
# make_claim's date: 1 May 2026, in the tax year 6 April 2026 to 5 April 2027.
CLAIM_DAY = datetime.date(2026, 5, 1)


class StaffPaymentsTestCase(BaseTestCase):
    """Sam (PIE team) approves and builds batches; Fay (finance) approves batches and pays."""

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.staff_sam)

    def messages_of(self, response) -> list[str]:
        return [str(m) for m in response.context["messages"]]

    def approved_batch(self, *claims) -> PaymentBatch:
        for claim in claims:
            services.claim_approve(claim=claim, by=self.staff_sam)
        batch = services.batch_build(by=self.staff_sam, claim_ids=[c.pk for c in claims])
        return services.batch_approve(batch=batch, by=self.finance_fay)


# --- Access -------------------------------------------------------------------------------


class AccessTest(StaffPaymentsTestCase):
    def urls(self) -> list[str]:
        claim = make_claim(self.alice)
        batch = self.approved_batch(make_claim(self.bob))
        return [
            reverse("payments:claims"),
            reverse("payments:claim", args=[claim.pk]),
            reverse("payments:claim-new"),
            reverse("payments:batches"),
            reverse("payments:batch", args=[batch.pk]),
            reverse("payments:batch-export", args=[batch.pk]),
            reverse("payments:paid-import"),
            reverse("payments:budgets"),
        ]

    def test_only_the_pie_team_and_finance_open_the_payment_pages(self) -> None:
        urls = self.urls()
        self.client.logout()
        for url in urls:
            with self.subTest(url=url, who="anonymous"):
                response = self.client.get(url)
                self.assertRedirects(
                    response, f"{reverse('login')}?next={url}", fetch_redirect_response=False
                )
        for user in (
            self.advisor_alice,
            self.researcher_rita,
            self.manager_mo,
            self.outsider_carol,
        ):
            self.client.force_login(user)
            for url in urls:
                with self.subTest(url=url, who=user.username):
                    self.assertEqual(self.client.get(url).status_code, 403)
        for user in (self.staff_sam, self.finance_fay):
            self.client.force_login(user)
            for url in urls:
                with self.subTest(url=url, who=user.username):
                    self.assertEqual(self.client.get(url).status_code, 200)

    def test_actions_are_refused_to_other_roles_and_change_nothing(self) -> None:
        claim = make_claim(self.alice)
        make_claim(self.bob, status="approved")
        for user in (self.advisor_alice, self.researcher_rita, self.manager_mo):
            self.client.force_login(user)
            with self.subTest(who=user.username):
                self.assertEqual(
                    self.client.post(
                        reverse("payments:claims"), {"claims": [claim.pk]}
                    ).status_code,
                    403,
                )
                self.assertEqual(
                    self.client.post(
                        reverse("payments:claim", args=[claim.pk]), {"approve": "1"}
                    ).status_code,
                    403,
                )
                self.assertEqual(
                    self.client.post(reverse("payments:batches"), {"build": "1"}).status_code, 403
                )
        claim.refresh_from_db()
        self.assertEqual(claim.status, "submitted")
        self.assertFalse(PaymentBatch.objects.exists())


# --- The approval queue ---------------------------------------------------------------------


class ClaimQueueTest(StaffPaymentsTestCase):
    def test_lists_submitted_claims_oldest_first_with_what_the_approver_needs(self) -> None:
        first = make_claim(self.alice, amount="40.00")
        second = make_claim(self.bob, amount="12.35")
        Claim.objects.filter(pk=first.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=3)
        )
        make_claim(self.alice, status="approved")  # not waiting: not listed
        response = self.client.get(reverse("payments:claims"))
        self.assertEqual([c.pk for c in response.context["claims"]], [first.pk, second.pk])
        self.assertContains(response, "Alice Ashby")
        self.assertContains(response, "Expenses: travel")
        self.assertContains(response, "£40.00")
        self.assertContains(response, f'href="{reverse("payments:claim", args=[first.pk])}"')
        self.assertEqual(response.context["claims"][0].days_waiting, 3)
        for name in ("payments:batches", "payments:budgets", "payments:claim-new"):
            self.assertContains(response, f'href="{reverse(name)}"')

    # make_claim's claims are expenses: here they count towards the limit too.
    @override_settings(ANNUAL_LIMIT_COUNTS="all")
    def test_shows_the_annual_limit_warning_worded_as_the_service_words_it(self) -> None:
        Advisor.objects.filter(pk=self.alice.pk).update(annual_limit=Decimal("50.00"))
        paid = make_claim(self.alice, amount="30.00")
        mark_paid(paid, paid_on=TODAY)
        waiting = make_claim(self.alice, amount="25.00")  # 30 + 25 = 55, over 50
        small = make_claim(self.bob, amount="5.00")  # Bob has no limit
        # A claim in the next tax year starts a new total: 25 alone is within the limit.
        next_year = make_claim(self.alice, amount="25.00")
        Claim.objects.filter(pk=next_year.pk).update(activity_date=datetime.date(2027, 4, 6))
        rejected = make_claim(self.alice, status="rejected", amount="500.00")  # does not count
        self.assertTrue(rejected.pk)

        response = self.client.get(reverse("payments:claims"))
        shown = {c.pk: c.limit_warning for c in response.context["claims"]}
        for claim in Claim.objects.filter(
            pk__in=[waiting.pk, small.pk, next_year.pk]
        ).select_related("advisor"):
            with self.subTest(claim=claim.pk):
                expected = services.annual_limit_warning(
                    advisor=claim.advisor,
                    on=claim.activity_date,
                    amount=claim.amount,
                    exclude=claim,
                )
                self.assertEqual(shown[claim.pk], expected)
        self.assertIn(
            "This would take Alice Ashby’s payments and expenses in the tax year 6 April 2026 "
            "to 5 April 2027 to £55.00, over their limit of £50.00.",
            shown[waiting.pk],
        )
        self.assertEqual(shown[next_year.pk], "")
        self.assertContains(response, "over their limit of £50.00")

    def test_approves_the_ticked_claims_together(self) -> None:
        a, b, c = make_claim(self.alice), make_claim(self.bob), make_claim(self.bob)
        response = self.client.post(
            reverse("payments:claims"), {"claims": [a.pk, b.pk]}, follow=True
        )
        self.assertRedirects(response, reverse("payments:claims"))
        self.assertIn("2 claims approved.", self.messages_of(response))
        statuses = dict(Claim.objects.values_list("pk", "status"))
        self.assertEqual(
            (statuses[a.pk], statuses[b.pk], statuses[c.pk]), ("approved", "approved", "submitted")
        )
        self.assertEqual(
            ClaimEvent.objects.filter(to_status="approved", by=self.staff_sam).count(), 2
        )

    def test_approving_with_nothing_ticked_says_so(self) -> None:
        make_claim(self.alice)
        response = self.client.post(reverse("payments:claims"), {})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Choose at least one claim to approve.", status_code=400)
        self.assertContains(response, 'href="#id_claims_0"', status_code=400)

    def test_a_claim_rejected_meanwhile_stops_the_whole_approval(self) -> None:
        a, b = make_claim(self.alice), make_claim(self.bob)
        services.claim_reject(claim=b, by=self.finance_fay, reason="Duplicate")  # while Sam looked
        response = self.client.post(reverse("payments:claims"), {"claims": [a.pk, b.pk]})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "has changed since the page was loaded", status_code=400)
        self.assertEqual(Claim.objects.get(pk=a.pk).status, "submitted")

    def test_a_service_refusal_rolls_back_every_approval(self) -> None:
        a, b = make_claim(self.alice), make_claim(self.bob)
        real = services.claim_approve

        def refuse_bob(*, claim, by):
            if claim.pk == b.pk:
                raise ValidationError("A claim that is rejected cannot become approved.")
            return real(claim=claim, by=by)

        with mock.patch("payments.services.claims.claim_approve", side_effect=refuse_bob):
            response = self.client.post(
                reverse("payments:claims"), {"claims": [a.pk, b.pk]}, follow=True
            )
        self.assertIn(
            "No claims were approved: A claim that is rejected cannot become approved.",
            self.messages_of(response),
        )
        self.assertEqual(Claim.objects.get(pk=a.pk).status, "submitted")
        self.assertFalse(ClaimEvent.objects.filter(to_status="approved").exists())

    def test_lists_claims_at_risk_of_missing_the_payment_target(self) -> None:
        overdue = make_claim(self.alice, status="approved")
        Claim.objects.filter(pk=overdue.pk).update(
            activity_date=TODAY - datetime.timedelta(days=40)
        )
        soon = make_claim(self.bob)
        Claim.objects.filter(pk=soon.pk).update(activity_date=TODAY - datetime.timedelta(days=23))
        recent = make_claim(self.bob)
        Claim.objects.filter(pk=recent.pk).update(activity_date=TODAY - datetime.timedelta(days=2))
        response = self.client.get(reverse("payments:claims"))
        self.assertContains(response, "Claims at risk of missing the payment target")
        self.assertEqual([c.pk for c in response.context["at_risk"]], [overdue.pk, soon.pk])
        self.assertContains(response, "Overdue by 12 days")
        self.assertContains(response, "Due in 5 days")

    # make_claim's claims are expenses: here they count towards the limit, so each is warned.
    @override_settings(ANNUAL_LIMIT_COUNTS="all")
    def test_the_number_of_queries_does_not_grow_with_the_claims(self) -> None:
        def claims(n: int) -> None:
            Claim.objects.all().delete()
            for i in range(n):
                advisor = AdvisorFactory(annual_limit=Decimal("100.00"))
                make_claim(advisor, amount="60.00")
                make_claim(advisor, status="approved", amount="50.00")
                at_risk = make_claim(advisor, status="approved")
                Claim.objects.filter(pk=at_risk.pk).update(
                    activity_date=TODAY - datetime.timedelta(days=30 + i)
                )

        url = reverse("payments:claims")
        self.client.get(url)  # warm the session
        for n in (2, 10):
            ClaimEvent.objects.all().delete()
            claims(n)
            with self.subTest(claims=n):
                # 1 session, 2 user, 3 the user's roles, 4 counts by state (and at risk),
                # 5 the pager's count, 6 a page of submitted claims with advisors, 7 tax-year
                # totals of those advisors (one aggregate), 8 the oldest claims at risk with
                # advisors (and how many in all), 9 projects for the filter
                with self.assertNumQueries(9):
                    response = self.client.get(url)
                self.assertEqual(len(response.context["claims"]), n)
                self.assertTrue(all(c.limit_warning for c in response.context["claims"]))


# --- One claim ------------------------------------------------------------------------------


class ClaimDetailTest(StaffPaymentsTestCase):
    def test_shows_the_computation_rates_receipt_and_history(self) -> None:
        example_rate_card()
        claim, _ = services.claim_time_log(
            advisor=self.alice,
            by=self.staff_sam,
            activity="document_review",
            activity_date=CLAIM_DAY,
            hours=Decimal("2"),
            description="Read the protocol",
        )
        services.claim_approve(claim=claim, by=self.finance_fay)
        response = self.client.get(reverse("payments:claim", args=[claim.pk]))
        self.assertContains(response, "2 h × £27.50/h = £55.00")
        self.assertContains(response, "£27.50 an hour")
        self.assertContains(response, "2025-12-16")  # the rate row in force on the day
        self.assertContains(response, "No receipt")
        self.assertContains(response, "Submitted → Approved")
        self.assertContains(response, "Fay")
        self.assertContains(response, "Status: Approved")

    def test_links_to_the_receipt(self) -> None:
        claim, _ = services.claim_expense_submit(
            advisor=self.alice,
            by=self.advisor_alice,
            expense_type="travel",
            activity_date=CLAIM_DAY,
            amount=Decimal("4.50"),
            description="Bus",
            receipt=SimpleUploadedFile(
                "bus.pdf", b"%PDF-1.4 ticket", content_type="application/pdf"
            ),
        )
        response = self.client.get(reverse("payments:claim", args=[claim.pk]))
        self.assertContains(response, f'href="{reverse("payments:receipt", args=[claim.pk])}"')

    def test_approve(self) -> None:
        claim = make_claim(self.alice)
        response = self.client.post(
            reverse("payments:claim", args=[claim.pk]), {"approve": "1"}, follow=True
        )
        self.assertRedirects(response, reverse("payments:claim", args=[claim.pk]))
        claim.refresh_from_db()
        self.assertEqual((claim.status, claim.approved_by), ("approved", self.staff_sam))
        self.assertContains(response, "Submitted → Approved")

    def test_reject_needs_a_reason_which_the_advisor_then_sees(self) -> None:
        claim = make_claim(self.alice)
        url = reverse("payments:claim", args=[claim.pk])
        response = self.client.post(url, {"reject": "1", "reason": "  "})
        self.assertContains(response, "Give a reason: the advisor will see it.", status_code=400)
        claim.refresh_from_db()
        self.assertEqual(claim.status, "submitted")

        self.client.post(url, {"reject": "1", "reason": "No receipt for the taxi"})
        claim.refresh_from_db()
        self.assertEqual(
            (claim.status, claim.rejection_reason), ("rejected", "No receipt for the taxi")
        )
        self.assertEqual(claim.events.last().note, "No receipt for the taxi")
        self.client.force_login(self.advisor_alice)
        self.assertContains(self.client.get(reverse("payments:portal")), "No receipt for the taxi")

    def test_a_paid_claim_is_corrected_by_a_reversing_claim(self) -> None:
        claim = make_claim(self.alice)
        mark_paid(claim)
        url = reverse("payments:claim", args=[claim.pk])
        page = self.client.get(url)
        self.assertContains(page, "Reverse this claim")
        self.assertNotContains(page, "Approve this claim")

        response = self.client.post(url, {"reverse": "1", "reason": ""})
        self.assertContains(response, "Say why the claim is being corrected.", status_code=400)
        self.assertFalse(Claim.objects.filter(reverses=claim).exists())

        response = self.client.post(url, {"reverse": "1", "reason": "Wrong fare"}, follow=True)
        reversal = Claim.objects.get(reverses=claim)
        self.assertRedirects(response, reverse("payments:claim", args=[reversal.pk]))
        self.assertEqual((reversal.amount, reversal.status), (Decimal("-40.00"), "submitted"))
        self.assertTrue(
            self.messages_of(response)[0].startswith(
                f"Correcting claim #{reversal.pk} created for minus £40.00."
            )
        )
        claim.refresh_from_db()
        self.assertEqual((claim.status, claim.amount), ("paid", Decimal("40.00")))
        # Once reversed, it cannot be reversed again from the page.
        self.assertNotContains(self.client.get(url), "Reverse this claim")

    def test_actions_the_state_does_not_allow_change_nothing(self) -> None:
        claim = make_claim(self.alice)
        mark_paid(claim)
        url = reverse("payments:claim", args=[claim.pk])
        for data in ({"approve": "1"}, {"reject": "1", "reason": "Late"}):
            with self.subTest(data=data):
                response = self.client.post(url, data, follow=True)
                verb = "approved" if "approve" in data else "rejected"
                self.assertIn(
                    f"This claim is paid, so it cannot be {verb} now. Nothing was changed.",
                    self.messages_of(response),
                )
        submitted = make_claim(self.bob)
        response = self.client.post(
            reverse("payments:claim", args=[submitted.pk]),
            {"reverse": "1", "reason": "x"},
            follow=True,
        )
        self.assertIn("cannot be reversed now", self.messages_of(response)[0])
        self.assertEqual(Claim.objects.get(pk=claim.pk).events.count(), 0)
        self.assertFalse(Claim.objects.filter(reverses__isnull=False).exists())

    def test_a_service_refusal_is_shown_and_nothing_changes(self) -> None:
        claim = make_claim(self.alice)
        with mock.patch.object(
            services, "claim_approve", side_effect=ValidationError("Someone got there first.")
        ):
            response = self.client.post(
                reverse("payments:claim", args=[claim.pk]), {"approve": "1"}, follow=True
            )
        self.assertIn("Nothing was changed: Someone got there first.", self.messages_of(response))
        self.assertEqual(Claim.objects.get(pk=claim.pk).status, "submitted")

    @override_settings(ANNUAL_LIMIT_COUNTS="all")
    def test_the_approver_sees_the_annual_limit_warning(self) -> None:
        Advisor.objects.filter(pk=self.alice.pk).update(annual_limit=Decimal("30.00"))
        claim = make_claim(self.alice, amount="40.00")
        response = self.client.get(reverse("payments:claim", args=[claim.pk]))
        self.assertContains(response, "Annual limit warning:")
        self.assertContains(response, "Alice Ashby’s payments and expenses")
        self.assertContains(response, "over their limit of £30.00")


# --- Entering a claim for an advisor --------------------------------------------------------


class ClaimNewTest(StaffPaymentsTestCase):
    url = reverse("payments:claim-new")

    def expense(self, **overrides) -> dict:
        return {
            "kind": "expense",
            "advisor": self.alice.pk,
            "expense_type": "travel",
            "activity_date": "2026-05-01",
            "amount": "23.40",
            "description": "Train to Canterbury",
            **overrides,
        }

    def test_an_expense_taken_by_phone(self) -> None:
        response = self.client.post(self.url, self.expense(), follow=True)
        claim = Claim.objects.get()
        self.assertRedirects(response, reverse("payments:claim", args=[claim.pk]))
        self.assertEqual(
            (claim.advisor, claim.kind, claim.amount, claim.status, claim.created_by),
            (self.alice, "expense", Decimal("23.40"), "submitted", self.staff_sam),
        )
        self.assertEqual(claim.events.get().note, "Entered by staff")
        self.assertIn(
            f"Claim #{claim.pk} entered for Alice Ashby: £23.40. It is waiting for approval.",
            self.messages_of(response),
        )

    def test_an_expense_with_a_scanned_receipt(self) -> None:
        receipt = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 scan", content_type="application/pdf")
        self.client.post(self.url, self.expense(receipt=receipt))
        self.assertTrue(Claim.objects.get().receipt.name.endswith(".pdf"))

    def test_a_receipt_that_is_not_a_pdf_or_image_is_refused(self) -> None:
        receipt = SimpleUploadedFile("scan.pdf", b"MZ not a pdf", content_type="application/pdf")
        response = self.client.post(self.url, self.expense(receipt=receipt))
        self.assertContains(response, "must be a PDF, JPEG or PNG", status_code=400)
        self.assertFalse(Claim.objects.exists())

    def test_time_at_the_rate_in_force_that_day(self) -> None:
        example_rate_card()
        data = {
            "kind": "time",
            "advisor": self.bob.pk,
            "activity": "document_review",
            "activity_date": "2026-05-01",
            "hours": "1.5",
            "description": "Reviewed the leaflet",
        }
        self.client.post(self.url, data)
        claim = Claim.objects.get()
        self.assertEqual(
            (claim.kind, claim.hours, claim.amount, claim.created_by),
            ("time", Decimal("1.5"), Decimal("41.25"), self.staff_sam),
        )

    @override_settings(ANNUAL_LIMIT_COUNTS="all")
    def test_the_annual_limit_warning_is_shown_after_saving(self) -> None:
        Advisor.objects.filter(pk=self.alice.pk).update(annual_limit=Decimal("20.00"))
        response = self.client.post(self.url, self.expense(), follow=True)
        self.assertTrue(Claim.objects.exists())
        self.assertTrue(
            any(
                "Alice Ashby’s payments and expenses" in m and "over their limit of £20.00" in m
                for m in self.messages_of(response)
            )
        )

    def test_only_active_advisors_and_no_future_dates(self) -> None:
        left = AdvisorFactory(status=Advisor.Status.LEFT)
        response = self.client.post(self.url, self.expense(advisor=left.pk))
        self.assertContains(
            response, "Choose an advisor from the list (not one who has left).", status_code=400
        )
        tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
        response = self.client.post(self.url, self.expense(activity_date=tomorrow))
        self.assertContains(response, "cannot be in the future", status_code=400)
        self.assertFalse(Claim.objects.exists())

    def test_the_page_offers_both_kinds(self) -> None:
        self.assertContains(self.client.get(self.url), "Type of expense")
        response = self.client.get(self.url + "?kind=time")
        self.assertContains(response, "Hours")
        self.assertContains(response, "Enter an expense claim instead")


# --- Batches --------------------------------------------------------------------------------


class BatchTest(StaffPaymentsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.claims = [
            make_claim(self.alice, status="approved", amount="40.00"),
            make_claim(self.bob, status="approved", amount="12.35"),
        ]
        make_claim(self.bob)  # submitted: stays out of batches

    def test_the_list_shows_what_is_waiting_and_builds_a_batch_once(self) -> None:
        response = self.client.get(reverse("payments:batches"))
        self.assertContains(response, "2 approved claims waiting to be paid, £52.35 in all.")
        response = self.client.post(reverse("payments:batches"), {"build": "1"}, follow=True)
        batch = PaymentBatch.objects.get()
        self.assertRedirects(response, reverse("payments:batch", args=[batch.pk]))
        self.assertEqual(
            (batch.total, batch.created_by, batch.claims.count()),
            (Decimal("52.35"), self.staff_sam, 2),
        )
        # A double click builds nothing more.
        response = self.client.post(reverse("payments:batches"), {"build": "1"}, follow=True)
        self.assertIn(
            "There are no approved claims waiting to be paid.", self.messages_of(response)
        )
        self.assertEqual(PaymentBatch.objects.count(), 1)
        response = self.client.get(reverse("payments:batches"))
        self.assertContains(response, batch.reference)
        self.assertContains(response, "Draft: built, waiting for someone else to approve it")
        self.assertContains(response, "Not approved yet")

    def test_the_builder_cannot_approve_and_someone_else_can(self) -> None:
        batch = services.batch_build(by=self.staff_sam)
        url = reverse("payments:batch", args=[batch.pk])
        page = self.client.get(url)
        self.assertContains(
            page, "You built this batch, so someone else must approve it for payment."
        )
        self.assertNotContains(page, "Approve this batch for payment")
        self.assertContains(page, "can be exported once it has been approved")

        response = self.client.post(url, {"approve": "1"}, follow=True)
        self.assertIn("someone else must approve", self.messages_of(response)[0])
        batch.refresh_from_db()
        self.assertEqual(batch.status, "built")

        self.client.force_login(self.finance_fay)
        self.assertContains(self.client.get(url), "Approve this batch for payment")
        self.client.post(url, {"approve": "1"})
        batch.refresh_from_db()
        self.assertEqual((batch.status, batch.approved_by), ("approved", self.finance_fay))
        self.assertContains(self.client.get(url), "?format=csv")

    def test_marking_the_whole_batch_paid(self) -> None:
        batch = self.approved_batch_of_setup()
        url = reverse("payments:batch", args=[batch.pk])
        paid_on = TODAY  # not before the batch was approved (today)
        # First the page asks, with the number of claims and the total.
        response = self.client.post(url, {"mark_paid": "1", "paid_on": paid_on.isoformat()})
        self.assertContains(response, "Mark the whole batch paid?")
        self.assertContains(response, "Yes, mark 2 claims paid (£52.35)")
        self.assertFalse(Claim.objects.filter(status="paid").exists())
        response = self.client.post(
            url,
            {"mark_paid": "1", "paid_on": paid_on.isoformat(), "confirm_paid": "1"},
            follow=True,
        )
        self.assertIn(f"2 claims marked paid on {paid_on:%d %B %Y}.", self.messages_of(response))
        batch.refresh_from_db()
        self.assertEqual((batch.status, batch.paid_on), ("paid", paid_on))
        self.assertEqual(set(batch.claims.values_list("status", flat=True)), {"paid"})

    def test_marking_the_ticked_claims_paid(self) -> None:
        batch = self.approved_batch_of_setup()
        url = reverse("payments:batch", args=[batch.pk])
        response = self.client.post(url, {"mark_selected": "1", "paid_on": TODAY.isoformat()})
        self.assertContains(response, "Choose at least one claim that was paid.", status_code=400)
        self.client.post(
            url, {"mark_selected": "1", "paid_on": TODAY.isoformat(), "claims": [self.claims[0].pk]}
        )
        statuses = dict(batch.claims.values_list("pk", "status"))
        self.assertEqual(statuses, {self.claims[0].pk: "paid", self.claims[1].pk: "in_batch"})
        batch.refresh_from_db()
        self.assertEqual(batch.status, "approved")

    def test_a_payment_date_in_the_future_is_refused(self) -> None:
        batch = self.approved_batch_of_setup()
        tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
        response = self.client.post(
            reverse("payments:batch", args=[batch.pk]), {"mark_paid": "1", "paid_on": tomorrow}
        )
        self.assertContains(response, "The payment date cannot be in the future.", status_code=400)
        self.assertFalse(Claim.objects.filter(status="paid").exists())

    def test_the_number_of_queries_does_not_grow_with_the_claims(self) -> None:
        for n in (2, 10):
            batch = self.approved_batch(*[make_claim(AdvisorFactory()) for _ in range(n)])
            with self.subTest(claims=n):
                # 1 session, 2 user, 3 the user's roles, 4 the batch with its builder and
                # approver, 5 its figures, 6 the pager's count, 7 a page of its claims with
                # their advisors, 8 payees with no bank details
                with self.assertNumQueries(8):
                    response = self.client.get(reverse("payments:batch", args=[batch.pk]))
                self.assertEqual(len(response.context["claims"]), n)

    def approved_batch_of_setup(self) -> PaymentBatch:
        batch = services.batch_build(by=self.staff_sam)
        return services.batch_approve(batch=batch, by=self.finance_fay)


# --- Finance's paid file --------------------------------------------------------------------


def csv_file(
    rows: list[tuple], name: str = "paid.csv", header=("claim", "paid_on")
) -> SimpleUploadedFile:
    out = io.StringIO()
    out.write(",".join(header) + "\n")
    for row in rows:
        out.write(",".join(str(v) for v in row) + "\n")
    return SimpleUploadedFile(name, out.getvalue().encode(), content_type="text/csv")


class PaidImportTest(StaffPaymentsTestCase):
    url = reverse("payments:paid-import")

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.finance_fay)
        self.claims = [
            make_claim(self.alice, amount="40.00"),
            make_claim(self.bob, amount="12.35"),
            make_claim(self.alice, amount="7.65"),
        ]
        self.batch = self.approved_batch(*self.claims)
        self.paid_on = TODAY  # not before the batch was approved (today)

    def preview(self, upload):
        return self.client.post(self.url, {"preview": "1", "file": upload})

    def confirm(self, response):
        return self.client.post(
            self.url, {"confirm": "1", "token": response.context["token"]}, follow=True
        )

    def test_preview_then_confirm_then_the_same_file_again_changes_nothing(self) -> None:
        rows = [(c.pk, self.paid_on.isoformat()) for c in self.claims]
        preview = self.preview(csv_file(rows))
        self.assertEqual(preview.status_code, 200)
        self.assertContains(preview, "3 claims will be marked paid; 0 are already paid")
        self.assertContains(preview, "Will be marked paid", count=3)
        self.assertContains(preview, "Alice Ashby")
        self.assertContains(preview, "£12.35")
        self.assertContains(preview, "Confirm: mark these claims paid")
        self.assertFalse(Claim.objects.filter(status="paid").exists())  # nothing changes yet

        response = self.confirm(preview)
        self.assertIn("paid.csv: 3 claims marked paid.", self.messages_of(response))
        self.assertEqual(
            set(Claim.objects.values_list("status", "paid_on")), {("paid", self.paid_on)}
        )
        self.batch.refresh_from_db()
        self.assertEqual(self.batch.status, "paid")
        events = ClaimEvent.objects.count()

        again = self.preview(csv_file(rows))
        self.assertContains(again, "Already paid on", count=3)
        self.assertContains(again, "0 claims will be marked paid; 3 are already paid")
        response = self.confirm(again)
        self.assertIn(
            "paid.csv: 0 claims marked paid; 3 were already paid.", self.messages_of(response)
        )
        self.assertEqual(ClaimEvent.objects.count(), events)

    def test_an_excel_file_with_uk_dates(self) -> None:
        data = tablib.Dataset(headers=["Claim", "Paid_on"])
        data.append([self.claims[0].pk, self.paid_on.strftime("%d/%m/%Y")])
        data.append([self.claims[1].pk, self.paid_on])  # a date cell
        upload = SimpleUploadedFile("paid.xlsx", data.export("xlsx"))
        preview = self.preview(upload)
        self.assertContains(preview, "2 claims will be marked paid")
        self.confirm(preview)
        paid = dict(Claim.objects.filter(status="paid").values_list("pk", "paid_on"))
        self.assertEqual(paid, {self.claims[0].pk: self.paid_on, self.claims[1].pk: self.paid_on})

    def test_a_bad_row_is_explained_and_nothing_can_be_confirmed(self) -> None:
        submitted = make_claim(self.bob)
        rows = [
            (self.claims[0].pk, self.paid_on.isoformat()),
            (999999, self.paid_on.isoformat()),
            (submitted.pk, self.paid_on.isoformat()),
            (self.claims[1].pk, "31/02/2026"),
            ("abc", self.paid_on.isoformat()),
            (self.claims[2].pk, (TODAY + datetime.timedelta(days=3)).isoformat()),
            (self.claims[0].pk, self.paid_on.isoformat()),
        ]
        response = self.preview(csv_file(rows))
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "6 rows need correcting", status_code=400)
        for text in (
            "Line 3: there is no claim 999999.",
            f"Line 4: claim {submitted.pk} is submitted, not in a payment batch, so it cannot be marked paid.",
            "Line 5: the date “31/02/2026” is not a date: use YYYY-MM-DD or DD/MM/YYYY.",
            "Line 6: the claim number “abc” is not a number.",
            "is in the future.",
            f"Line 8: claim {self.claims[0].pk} is already on line 2.",
        ):
            with self.subTest(text=text):
                self.assertContains(response, text, status_code=400)
        self.assertNotContains(response, "Confirm: mark these claims paid", status_code=400)
        self.assertEqual(response.context["token"], "")
        self.assertFalse(Claim.objects.filter(status="paid").exists())

    def test_a_file_without_the_columns_or_of_another_type_is_refused(self) -> None:
        response = self.preview(csv_file([(1, "2026-05-01")], header=("id", "date")))
        self.assertContains(
            response, "The file needs columns called “claim” and “paid_on”", status_code=400
        )
        self.assertContains(response, "Columns found: “id”, “date”.", status_code=400)
        response = self.preview(SimpleUploadedFile("paid.txt", b"claim,paid_on\n1,2026-05-01\n"))
        self.assertContains(
            response, "Upload a CSV file (.csv) or an Excel workbook (.xlsx).", status_code=400
        )
        response = self.preview(csv_file([]))
        self.assertContains(
            response, "The file has no rows below its column names.", status_code=400
        )

    def test_a_tampered_preview_changes_nothing(self) -> None:
        response = self.client.post(
            self.url, {"confirm": "1", "token": '[[1, "2026-05-01"]]'}, follow=True
        )
        self.assertIn(
            "The preview has expired or could not be read. Upload the file again; nothing was changed.",
            self.messages_of(response),
        )
        self.assertFalse(Claim.objects.filter(status="paid").exists())

    def test_a_claim_that_changed_after_the_preview_stops_the_whole_file(self) -> None:
        rows = [(c.pk, self.paid_on.isoformat()) for c in self.claims]
        preview = self.preview(csv_file(rows))
        # Meanwhile a claim is taken out of the batch (by hand in the admin, say).
        Claim.objects.filter(pk=self.claims[2].pk).update(status="approved", batch=None)
        response = self.confirm(preview)
        self.assertTrue(self.messages_of(response)[0].startswith("Nothing was imported: claim"))
        self.assertFalse(Claim.objects.filter(status="paid").exists())


# --- Budgets and time to pay ----------------------------------------------------------------


class BudgetsTest(StaffPaymentsTestCase):
    url = reverse("payments:budgets")

    def project(self, title: str, budget: str | None, committed: list[str]) -> Project:
        project = ProjectFactory(title=title)
        Project.objects.filter(pk=project.pk).update(pie_budget=Decimal(budget) if budget else None)
        for amount in committed:
            claim = make_claim(self.alice, status="approved", amount=amount)
            Claim.objects.filter(pk=claim.pk).update(project=project)
        return project

    def test_project_budgets_warn_in_words_at_80_and_100_percent(self) -> None:
        self.project("Within", "100.00", ["79.00"])
        self.project("Nearly", "100.00", ["50.00", "30.00"])
        self.project("Over", "100.00", ["100.00"])
        self.project("No budget", None, ["10.00"])
        self.project("Untouched", None, [])
        response = self.client.get(self.url)
        rows = {r.name: (r.percent, r.words) for r in response.context["projects"]}
        self.assertEqual(
            rows,
            {
                "Within": (79, "Within budget"),
                "Nearly": (80, "Nearly spent: 80% or more"),
                "Over": (100, "Over budget"),
                "No budget": (None, "No budget set"),
            },
        )
        self.assertContains(response, "<strong>Over budget</strong>", html=True)
        self.assertContains(response, "<strong>Nearly spent: 80% or more</strong>", html=True)

    def test_central_budgets_are_for_the_financial_year_from_1_april(self) -> None:
        start = datetime.date(TODAY.year if TODAY.month >= 4 else TODAY.year - 1, 4, 1)
        CentralBudget.objects.create(
            year_starting=start, category="support", amount=Decimal("50.00")
        )
        CentralBudget.objects.create(
            year_starting=start.replace(year=start.year - 1),
            category="training",
            amount=Decimal("10.00"),
        )
        claim = make_claim(self.bob, status="approved", amount="45.00")  # no project: support
        Claim.objects.filter(pk=claim.pk).update(activity_date=start)
        response = self.client.get(self.url)
        self.assertContains(
            response, f"Central budgets, 1 April {start.year} to 31 March {start.year + 1}"
        )
        self.assertEqual(
            [(r.name, r.percent, r.words) for r in response.context["central"]],
            [("Support for advisors", 90, "Nearly spent: 80% or more")],
        )

    def test_days_to_pay_by_month_median_and_90th_percentile(self) -> None:
        month = TODAY.replace(day=1)
        claims = []
        for days in (10, 20, 30, 40):
            claim = make_claim(self.alice)
            mark_paid(claim, paid_on=month)
            Claim.objects.filter(pk=claim.pk).update(
                activity_date=month - datetime.timedelta(days=days)
            )
            claims.append(claim)
        old = make_claim(self.bob)
        mark_paid(old, paid_on=month - datetime.timedelta(days=400))  # more than 12 months ago
        response = self.client.get(self.url)
        self.assertEqual(
            response.context["months"],
            [
                {
                    "month": month,
                    "count": 4,
                    "median": 25.0,
                    "p90": 40.0,
                    "on_target": 2,
                    "share": 50,
                },
            ],
        )
        self.assertContains(response, "within 28 days of the activity")
        self.assertContains(response, "50% of 4 paid claims met it")
        self.assertContains(
            response, f'<th scope="row" class="fw-normal">{month:%B %Y}</th>', html=True
        )

    def test_lists_claims_at_risk_and_overdue(self) -> None:
        overdue = make_claim(self.alice, status="approved")
        Claim.objects.filter(pk=overdue.pk).update(
            activity_date=TODAY - datetime.timedelta(days=30)
        )
        response = self.client.get(self.url)
        self.assertContains(response, "Overdue by 2 days")
        self.assertContains(response, f'href="{reverse("payments:claim", args=[overdue.pk])}"')

    def test_an_empty_page_says_so(self) -> None:
        response = self.client.get(self.url)
        self.assertContains(response, "No project has a PIE budget or claims yet.")
        self.assertContains(response, "No claims have been paid in the last 12 months.")
        self.assertContains(response, "No claims are at risk of missing the payment target.")
