"""Long lists of claims come a page at a time, with counts and totals over all of them: the
claims queue (by state, project and advisor), the batch page, the budgets page, the advisor's
own payments and the admin's claims. Each page's queries stay the same as the claims grow."""

import csv
import datetime
import io
from decimal import Decimal
from unittest import mock

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from payments import services
from payments.models import Claim, ClaimEvent, PaymentBatch
from projects.models import Project
from tests.base import BaseTestCase
from tests.factories import AdvisorFactory, ProjectFactory, make_claim

TODAY = timezone.localdate()
QUEUE = reverse("payments:claims")


def submitted_in_order(advisor, n: int, *, days_ago: int = 10) -> list[Claim]:
    """n submitted claims, each sent a minute after the one before."""
    claims = []
    for i in range(n):
        claim = make_claim(advisor, amount=f"{10 + i}.00")
        Claim.objects.filter(pk=claim.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=days_ago, minutes=-i)
        )
        claims.append(claim)
    return claims


def queries_of(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(captured.captured_queries)


@mock.patch("payments.views.claims.QUEUE_PER_PAGE", 3)
class ClaimQueuePagesTest(BaseTestCase):
    """Sam approves a page of claims at a time; Fay (finance) sees the same queue."""

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.staff_sam)

    def test_page_two_shows_the_next_oldest_claims(self) -> None:
        claims = submitted_in_order(self.alice, 7)
        first = self.client.get(QUEUE)
        second = self.client.get(QUEUE, {"page": 2})
        self.assertEqual([c.pk for c in first.context["claims"]], [c.pk for c in claims[:3]])
        self.assertEqual([c.pk for c in second.context["claims"]], [c.pk for c in claims[3:6]])
        self.assertContains(first, 'aria-label="Pages of claims"')
        self.assertContains(first, "7 claims waiting, £91.00 in all, 3 on this page (1 to 3)")
        self.assertContains(second, "4 to 6")

    def test_approving_the_ticked_claims_on_page_two_comes_back_to_page_two(self) -> None:
        claims = submitted_in_order(self.alice, 7)
        ticked = [claims[3].pk, claims[4].pk]
        response = self.client.post(f"{QUEUE}?page=2", {"claims": ticked}, follow=True)
        self.assertRedirects(response, f"{QUEUE}?page=2")
        self.assertIn("2 claims approved.", [str(m) for m in response.context["messages"]])
        approved = set(Claim.objects.filter(status="approved").values_list("pk", flat=True))
        self.assertEqual(approved, set(ticked))

    def test_sending_the_same_approval_twice_approves_once(self) -> None:
        claims = submitted_in_order(self.alice, 4)
        ticked = {"claims": [claims[0].pk]}
        self.client.post(QUEUE, ticked)
        again = self.client.post(QUEUE, ticked)
        self.assertContains(again, "has changed since the page was loaded", status_code=400)
        self.assertEqual(ClaimEvent.objects.filter(to_status="approved").count(), 1)

    def test_counts_each_state_still_on_its_way_and_lists_any_state(self) -> None:
        submitted_in_order(self.alice, 2)
        approved = make_claim(self.bob, status="approved")
        rejected = make_claim(self.bob, status="rejected")
        response = self.client.get(QUEUE)
        self.assertContains(response, "Submitted (2)")
        self.assertContains(response, "Approved (1)")
        self.assertContains(response, "In a payment batch (0)")
        self.assertEqual(
            [c.pk for c in self.client.get(QUEUE, {"status": "approved"}).context["claims"]],
            [approved.pk],
        )
        finished = self.client.get(QUEUE, {"status": "rejected"})
        self.assertEqual([c.pk for c in finished.context["claims"]], [rejected.pk])
        # Only submitted claims can be ticked.
        self.assertNotContains(finished, 'name="claims"')
        # An unknown state is the approval queue.
        self.assertEqual(self.client.get(QUEUE, {"status": "nonsense"}).status_code, 200)

    def test_filters_by_project_and_by_advisor_name(self) -> None:
        project = ProjectFactory(title="Carers at home")
        on_project = make_claim(self.alice, project=project)
        alices = make_claim(self.alice)
        bobs = make_claim(self.bob)
        shown = self.client.get(QUEUE, {"project": project.pk})
        self.assertEqual([c.pk for c in shown.context["claims"]], [on_project.pk])
        self.assertContains(shown, "Submitted (1)")
        by_name = self.client.get(QUEUE, {"advisor": "ash"})
        self.assertEqual({c.pk for c in by_name.context["claims"]}, {on_project.pk, alices.pk})
        both = self.client.get(QUEUE, {"advisor": "Bob Brown"})
        self.assertEqual([c.pk for c in both.context["claims"]], [bobs.pk])
        # The pager and the state links keep the filter.
        self.assertContains(by_name, "advisor=ash")

    def test_the_whole_at_risk_list_is_a_state_of_the_queue(self) -> None:
        for days in (40, 35, 30, 25):
            claim = make_claim(self.alice, status="approved")
            Claim.objects.filter(pk=claim.pk).update(
                activity_date=TODAY - datetime.timedelta(days=days)
            )
        with mock.patch("payments.selectors.AT_RISK_SHOWN", 2):
            summary = self.client.get(QUEUE)
        self.assertEqual(len(summary.context["at_risk"]), 2)
        self.assertContains(summary, "4 claims at risk or overdue, £160.00 in all.")
        self.assertContains(summary, "See all 4 claims at risk or overdue")
        whole = self.client.get(QUEUE, {"status": "at_risk", "page": 2})
        self.assertEqual(len(whole.context["claims"]), 1)
        self.assertContains(whole, "Due in 3 days")

    # make_claim's claims are expenses: here they count towards the limit, so each is warned.
    @override_settings(ANNUAL_LIMIT_COUNTS="all")
    def test_the_queries_are_the_same_for_one_page_or_many(self) -> None:
        self.client.get(QUEUE)  # warm the session
        submitted_in_order(AdvisorFactory(annual_limit=Decimal("100.00")), 2)
        small = queries_of(self.client, QUEUE)
        for _ in range(4):
            submitted_in_order(AdvisorFactory(annual_limit=Decimal("100.00")), 5)
        # 1 session, 2 user, 3 roles, 4 counts by state, 5 the pager's count, 6 the page of
        # claims, 7 tax-year totals, 8 the oldest at risk with their count and total, 9
        # projects for the filter
        with self.assertNumQueries(9):
            response = self.client.get(QUEUE, {"page": 2})
        self.assertEqual(small, 9)
        self.assertEqual(response.context["page"].paginator.num_pages, 8)


@mock.patch("payments.views.batches.BATCH_PER_PAGE", 3)
class BatchPagesTest(BaseTestCase):
    """Fay pays a batch of more claims than one page holds."""

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.finance_fay)
        claims = [
            make_claim(AdvisorFactory(last_name=f"Payee {i:02}"), amount="10.00") for i in range(7)
        ]
        for claim in claims:
            services.claim_approve(claim=claim, by=self.staff_sam)
        batch = services.batch_build(by=self.staff_sam, claim_ids=[c.pk for c in claims])
        self.batch = services.batch_approve(batch=batch, by=self.finance_fay)
        self.claims = claims
        self.url = reverse("payments:batch", args=[self.batch.pk])

    def test_page_two_shows_the_next_payees_and_the_totals_cover_the_whole_batch(self) -> None:
        first = self.client.get(self.url)
        second = self.client.get(self.url, {"page": 2})
        self.assertEqual([c.pk for c in first.context["claims"]], [c.pk for c in self.claims[:3]])
        self.assertEqual([c.pk for c in second.context["claims"]], [c.pk for c in self.claims[3:6]])
        self.assertEqual(first.context["unpaid_total"], Decimal("70.00"))
        self.assertContains(first, "£70.00 for 7 claims")
        self.assertContains(first, "(7 claims, £70.00; you will be asked to confirm)")
        self.assertContains(first, 'aria-label="Pages of claims"')

    def test_marking_the_whole_batch_paid_pays_claims_on_every_page(self) -> None:
        confirm = self.client.post(self.url, {"mark_paid": "1", "paid_on": TODAY.isoformat()})
        self.assertContains(confirm, "Yes, mark 7 claims paid (£70.00)")
        self.client.post(
            self.url, {"mark_paid": "1", "paid_on": TODAY.isoformat(), "confirm_paid": "1"}
        )
        self.assertEqual(self.batch.claims.filter(status="paid").count(), 7)

    def test_the_export_has_every_claim_of_the_batch(self) -> None:
        response = self.client.get(reverse("payments:batch-export", args=[self.batch.pk]))
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        self.assertEqual(len(rows), 1 + 7)

    def test_the_queries_are_the_same_for_one_page_or_many(self) -> None:
        small = PaymentBatch.objects.create(reference="SMALL", created_by=self.staff_sam)
        Claim.objects.filter(pk=self.claims[0].pk).update(batch=small)
        self.client.get(self.url)  # warm the session
        small_url = reverse("payments:batch", args=[small.pk])
        self.assertEqual(queries_of(self.client, small_url), 8)
        with self.assertNumQueries(8):
            self.client.get(self.url, {"page": 2})


@mock.patch("payments.views.budgets.PROJECTS_PER_PAGE", 2)
class BudgetPagesTest(BaseTestCase):
    url = reverse("payments:budgets")

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.staff_sam)

    def project(self, title: str, budget: str | None, committed: str | None = None) -> Project:
        project = ProjectFactory(title=title)
        Project.objects.filter(pk=project.pk).update(pie_budget=Decimal(budget) if budget else None)
        if committed:
            make_claim(self.alice, status="approved", amount=committed, project=project)
        return project

    def test_projects_with_a_budget_or_claims_come_a_page_at_a_time_by_title(self) -> None:
        self.project("A budget", "100.00")
        self.project("B claims only", None, "10.00")
        self.project("C nothing", None)  # no budget, no claims: not listed
        self.project("D over", "10.00", "20.00")
        first = self.client.get(self.url)
        second = self.client.get(self.url, {"page": 2})
        self.assertEqual([r.name for r in first.context["projects"]], ["A budget", "B claims only"])
        self.assertEqual([r.name for r in second.context["projects"]], ["D over"])
        self.assertEqual(second.context["projects"][0].committed, Decimal("20.00"))
        self.assertContains(first, 'aria-label="Pages of project budgets"')

    def test_the_queries_are_the_same_for_one_page_or_many(self) -> None:
        self.project("A", "100.00", "10.00")
        self.client.get(self.url)  # warm the session
        small = queries_of(self.client, self.url)
        for i in range(6):
            self.project(f"More {i}", "100.00", "10.00")
        with self.assertNumQueries(small):
            self.client.get(self.url, {"page": 3})
        self.assertLessEqual(small, 12)


@mock.patch("payments.views.portal.PER_PAGE", 3)
class PortalPagesTest(BaseTestCase):
    """Alice has been an advisor for years: her newest claims first, older ones further on."""

    url = reverse("payments:portal")

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.advisor_alice)

    def test_older_claims_are_on_the_next_pages(self) -> None:
        claims = []
        for days in range(5):
            claim = make_claim(self.alice)
            Claim.objects.filter(pk=claim.pk).update(
                activity_date=TODAY - datetime.timedelta(days=days)
            )
            claims.append(claim)
        first = self.client.get(self.url)
        second = self.client.get(self.url, {"page": 2})
        self.assertEqual([c.pk for c in first.context["claims"]], [c.pk for c in claims[:3]])
        self.assertEqual([c.pk for c in second.context["claims"]], [c.pk for c in claims[3:]])
        self.assertContains(first, "You have 5 claims. This page shows 1 to 3, newest first.")
        self.assertContains(first, 'aria-label="Pages of your claims"')

    def test_the_queries_are_the_same_for_one_page_or_many(self) -> None:
        make_claim(self.alice)
        self.client.get(self.url)  # warm the session
        self.assertEqual(queries_of(self.client, self.url), 7)
        for _ in range(8):
            make_claim(self.alice)
        with self.assertNumQueries(7):
            self.client.get(self.url, {"page": 2})


class AdminClaimsTest(BaseTestCase):
    url = reverse("admin:payments_claim_changelist")

    def test_the_queries_are_the_same_however_many_claims(self) -> None:
        self.client.force_login(self.staff_sam)
        make_claim(self.alice)
        self.client.get(self.url)  # warm the session
        small = queries_of(self.client, self.url)
        for _ in range(30):
            make_claim(AdvisorFactory())
        with self.assertNumQueries(small):
            response = self.client.get(self.url)
        self.assertContains(response, "31 claims")
        self.assertLessEqual(small, 12)
