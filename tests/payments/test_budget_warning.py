"""Approving claims that take a project or central budget past 100%: the approver is warned
and asked to confirm (never blocked, never silent), one claim or several at once."""

import datetime
from decimal import Decimal

from django.urls import reverse

from payments.models import CentralBudget, Claim
from payments.selectors import budget_overruns
from projects.models import Project
from tests.base import BaseTestCase
from tests.factories import AdvisorFactory, MeetingFactory, ProjectFactory, make_claim

QUEUE = reverse("payments:claims")


def project_with_budget(budget: str, title: str = "Care at home") -> Project:
    project = ProjectFactory(title=title)
    Project.objects.filter(pk=project.pk).update(pie_budget=Decimal(budget))
    return project


class ApproveOneClaimTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.project = project_with_budget("100.00")
        make_claim(self.alice, "approved", "90.00", project=self.project)
        self.claim = make_claim(self.bob, "submitted", "20.00", project=self.project)
        self.url = reverse("payments:claim", args=[self.claim.pk])

    def test_sam_is_warned_and_approves_only_when_he_confirms(self) -> None:
        self.client.force_login(self.staff_sam)
        response = self.client.post(self.url, {"approve": "1"})
        self.assertContains(response, "Approving this claim takes a budget past 100%")
        self.assertContains(
            response,
            "Care at home: £90.00 of £100.00 is already committed; approving adds £20.00, "
            "making £110.00 (110% of the budget).",
        )
        self.assertContains(response, "Approve anyway, over budget")
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.status, "submitted")

        response = self.client.post(self.url, {"approve": "1", "confirm_budget": "1"})
        self.assertRedirects(response, self.url)
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.status, "approved")

    def test_finance_gets_the_same_warning(self) -> None:
        self.client.force_login(self.finance_fay)
        response = self.client.post(self.url, {"approve": "1"})
        self.assertContains(response, "Approve anyway, over budget")

    def test_within_budget_there_is_no_question(self) -> None:
        Project.objects.filter(pk=self.project.pk).update(pie_budget=Decimal("200.00"))
        self.client.force_login(self.staff_sam)
        response = self.client.post(self.url, {"approve": "1"})
        self.assertRedirects(response, self.url)
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.status, "approved")

    def test_others_cannot_approve_at_all(self) -> None:
        for user in (self.manager_mo, self.researcher_rita, self.advisor_bob):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.post(self.url, {"approve": "1", "confirm_budget": "1"})
                self.assertIn(response.status_code, (403, 404))
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.status, "submitted")


class BulkApprovalTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.staff_sam)
        project = project_with_budget("20.00")
        self.claims = [
            make_claim(self.alice, "submitted", "10.00", project=project),
            make_claim(self.bob, "submitted", "15.00", project=project),
        ]
        self.within = make_claim(self.alice, "submitted", "5.00")

    def test_bulk_approval_past_100_percent_warns_and_approves_none_until_confirmed(self) -> None:
        ids = [c.pk for c in self.claims]
        response = self.client.post(QUEUE, {"claims": ids})
        self.assertContains(response, "Approving these 2 claims (£25.00) takes a budget past 100%")
        self.assertContains(response, "making £25.00 (125% of the budget)")
        self.assertContains(response, "Nothing has been approved yet.")
        self.assertEqual(Claim.objects.filter(status="approved").count(), 0)
        # The confirmation carries the same claims.
        for pk in ids:
            self.assertContains(response, f'<input type="hidden" name="claims" value="{pk}">')

        response = self.client.post(QUEUE, {"claims": ids, "confirm_budget": "1"}, follow=True)
        self.assertRedirects(response, QUEUE)
        self.assertEqual(
            set(Claim.objects.filter(status="approved").values_list("pk", flat=True)), set(ids)
        )
        self.assertEqual(Claim.objects.get(pk=self.within.pk).status, "submitted")

    def test_claims_within_budget_are_approved_at_once(self) -> None:
        response = self.client.post(QUEUE, {"claims": [self.claims[0].pk, self.within.pk]})
        self.assertRedirects(response, QUEUE)
        self.assertEqual(Claim.objects.filter(status="approved").count(), 2)


class BudgetOverrunsTests(BaseTestCase):
    def test_a_central_budget_is_counted_in_the_claims_financial_year(self) -> None:
        CentralBudget.objects.create(
            year_starting=datetime.date(2026, 4, 1), category="pieg", amount=Decimal("30.00")
        )
        claim = make_claim(self.alice, "submitted", "40.00", meeting=MeetingFactory(type="pieg"))
        [overrun] = budget_overruns(claims=[claim])
        self.assertEqual(
            (overrun.name, overrun.committed, overrun.adding, overrun.percent_after),
            ("PIEG meetings (2026 to 2027)", Decimal("0.00"), Decimal("40.00"), 133),
        )

    def test_support_for_advisors_counts_expenses_for_no_project_or_meeting(self) -> None:
        CentralBudget.objects.create(
            year_starting=datetime.date(2026, 4, 1), category="support", amount=Decimal("50.00")
        )
        make_claim(self.alice, "approved", "45.00")
        claim = make_claim(self.bob, "submitted", "10.00")
        [overrun] = budget_overruns(claims=[claim])
        self.assertEqual(overrun.after, Decimal("55.00"))

    def test_committed_claims_add_nothing(self) -> None:
        project = project_with_budget("10.00")
        claim = make_claim(self.alice, "approved", "40.00", project=project)
        self.assertEqual(budget_overruns(claims=[claim]), [])

    def test_queries_do_not_grow_with_the_claims(self) -> None:
        CentralBudget.objects.create(
            year_starting=datetime.date(2026, 4, 1), category="pieg", amount=Decimal("1.00")
        )
        meeting = MeetingFactory(type="pieg")
        for n in (2, 8):
            project = project_with_budget("1.00", title=f"P{n}")
            claims = [
                make_claim(AdvisorFactory(), "submitted", "5.00", project=project, meeting=meeting)
                for _ in range(n)
            ]
            claims = list(Claim.objects.filter(pk__in=[c.pk for c in claims]))
            with self.subTest(claims=n):
                # 1 meetings, 2 projects, 3 the projects again for their sums, 4 the claim sums,
                # 5 the year's central budgets with their sums
                with self.assertNumQueries(5):
                    overruns = budget_overruns(claims=claims)
                self.assertEqual(len(overruns), 2)
