"""An approved plan's budget stays what was approved; only drafts are re-priced live.

Rita's plan has undated activities (each with all its sessions on one day), so they are
priced on the pricing day. It is submitted and approved on 1 December 2025, before the
example rates rise 10% on 16 December.
"""

import datetime
import re
from decimal import Decimal

import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from projects import services
from projects.models import PIEPlan
from rates.models import RateCard
from tests.base import BaseTestCase
from tests.factories import ActivityFactory, ProjectFactory, add_member, example_rate_card

BEFORE_THE_RISE = datetime.datetime(2025, 12, 1, 10, 0, tzinfo=datetime.UTC)
AFTER_THE_RISE = datetime.datetime(2026, 1, 10, 10, 0, tzinfo=datetime.UTC)


def budget_total_shown(html: str) -> str:
    match = re.search(r'id="budget-total">([^<]+)<', html)
    assert match, "no budget total on the page"
    return match.group(1)


class ApprovedBudgetTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        example_rate_card()
        self.project = ProjectFactory(title="Home care study")
        add_member(self.project, self.researcher_rita)
        with time_machine.travel(BEFORE_THE_RISE, tick=False):
            self.plan = services.plan_start(project=self.project, by=self.researcher_rita)
            # 4 advisors x 3 sessions x 2.5 h at £25/h = £750.00 (+10% after the rise: £825.00).
            ActivityFactory(
                plan=self.plan,
                advisors=4,
                sessions=3,
                frequency="same_day",
                hours_per_session=Decimal("2.5"),
            )
            # 3 advisors x 2 sessions x a half day (4 h), £90.00 (£99.00 after) = £540.00 (£594.00),
            # plus £180 support per session and £250 enhanced support = £610.00.
            ActivityFactory(
                plan=self.plan,
                stage="conduct",
                activity_type="workshop",
                advisors=3,
                sessions=2,
                frequency="same_day",
                hours_per_session=Decimal("4"),
                support_cost_per_session=Decimal("180.00"),
                enhanced_support_cost=Decimal("250.00"),
            )
            services.plan_submit(plan=self.plan, by=self.researcher_rita)
        self.plan_url = reverse("projects:plan", args=[self.project.pk])
        self.review_url = reverse("projects:plan-review", args=[self.project.pk])

    def _approve_before_the_rise(self) -> None:
        with time_machine.travel(BEFORE_THE_RISE, tick=False):
            self.client.force_login(self.staff_sam)
            response = self.client.post(
                self.review_url, {"approve": "1", "budget_total": "1900.00"}
            )
            self.assertRedirects(response, self.plan_url)

    def test_after_a_rate_rise_the_approved_plan_still_shows_the_approved_budget(self) -> None:
        self._approve_before_the_rise()
        self.plan.refresh_from_db()
        self.assertEqual(self.plan.budget_total, Decimal("1900.00"))
        with time_machine.travel(AFTER_THE_RISE, tick=False):
            self.client.force_login(self.researcher_rita)
            page = self.client.get(self.plan_url)
            # Re-priced today it would be £825.00 + £1,204.00 = £2,029.00.
            self.assertEqual(budget_total_shown(page.content.decode()), "£1,900.00")
            self.assertContains(page, "The budget as approved on 1 December 2025")
            self.assertContains(page, "Cost £750.00")
            self.assertNotContains(page, "£2,029.00")
            version = self.client.get(reverse("projects:plan-version", args=[self.project.pk, 1]))
            self.assertEqual(budget_total_shown(version.content.decode()), "£1,900.00")
            detail = self.client.get(reverse("projects:detail", args=[self.project.pk]))
            self.assertContains(detail, "£1,900.00 (from the approved plan)")

    def test_a_corrected_rate_card_row_does_not_change_an_approved_budget(self) -> None:
        self._approve_before_the_rise()
        RateCard.objects.filter(effective_from="2025-04-01").update(hourly_rate=Decimal("30.00"))
        self.client.force_login(self.researcher_rita)
        self.assertEqual(
            budget_total_shown(self.client.get(self.plan_url).content.decode()), "£1,900.00"
        )

    def test_the_new_draft_is_priced_live_and_the_superseded_version_keeps_its_budget(
        self,
    ) -> None:
        self._approve_before_the_rise()
        with time_machine.travel(AFTER_THE_RISE, tick=False):
            self.client.force_login(self.researcher_rita)
            self.client.post(reverse("projects:plan-start", args=[self.project.pk]))
            draft = self.client.get(self.plan_url)
            self.assertEqual(budget_total_shown(draft.content.decode()), "£2,029.00")
            v2 = self.project.plans.get(version=2)
            services.plan_submit(plan=v2, by=self.researcher_rita)
            services.plan_approve(plan=v2, by=self.staff_sam)
        with time_machine.travel(AFTER_THE_RISE + datetime.timedelta(days=400), tick=False):
            # v1 is superseded; both show what they were approved at.
            self.client.force_login(self.researcher_rita)
            v1_page = self.client.get(reverse("projects:plan-version", args=[self.project.pk, 1]))
            v2_page = self.client.get(reverse("projects:plan-version", args=[self.project.pk, 2]))
        self.assertEqual(self.project.plans.get(version=1).status, PIEPlan.Status.SUPERSEDED)
        self.assertEqual(budget_total_shown(v1_page.content.decode()), "£1,900.00")
        self.assertEqual(budget_total_shown(v2_page.content.decode()), "£2,029.00")

    def test_the_reviewer_sees_the_budget_as_of_the_submission_day(self) -> None:
        with time_machine.travel(AFTER_THE_RISE, tick=False):
            self.client.force_login(self.staff_sam)
            page = self.client.get(self.review_url)
        self.assertContains(page, "Budget: <strong>£1,900.00</strong>")
        self.assertContains(
            page, '<input type="hidden" name="budget_total" value="1900.00">', html=True
        )

    def test_a_rate_change_while_the_reviewer_reads_refuses_approval_and_keeps_the_comments(
        self,
    ) -> None:
        self.client.force_login(self.staff_sam)
        with time_machine.travel(BEFORE_THE_RISE, tick=False):
            self.client.get(self.review_url)
            # Meanwhile the coordinator corrects the card: meetings were £26/h from April.
            RateCard.objects.filter(activity="meeting", effective_from="2025-04-01").update(
                hourly_rate=Decimal("26.00")
            )
            response = self.client.post(
                self.review_url,
                {"approve": "1", "budget_total": "1900.00", "general": "Lovely plan, thank you."},
            )
            self.assertContains(
                response,
                "The budget has changed since you opened this page (the rate card was updated): "
                "it is now £1,930.00, not £1,900.00.",
                status_code=400,
            )
            self.assertContains(response, "Lovely plan, thank you.", status_code=400)
            self.plan.refresh_from_db()
            self.assertEqual(self.plan.status, PIEPlan.Status.SUBMITTED)
            # The page now carries the new figure, so approving again approves it.
            self.assertContains(
                response,
                '<input type="hidden" name="budget_total" value="1930.00">',
                html=True,
                status_code=400,
            )
            with self.captureOnCommitCallbacks(execute=True):
                self.client.post(
                    self.review_url,
                    {
                        "approve": "1",
                        "budget_total": "1930.00",
                        "general": "Lovely plan, thank you.",
                    },
                )
        self.plan.refresh_from_db()
        self.assertEqual(
            (self.plan.status, self.plan.budget_total),
            (PIEPlan.Status.APPROVED, Decimal("1930.00")),
        )
        self.assertEqual(
            self.plan.approved_budget["totals"],
            {"time": "1320.00", "expenses": "0.00", "support": "610.00"},
        )
        self.assertEqual(timezone.localtime(self.plan.decided_at).date(), BEFORE_THE_RISE.date())
        # The comment typed with the approval is kept on the plan and sent to Rita.
        self.assertEqual(
            list(self.plan.comments.values_list("section", "comment")),
            [("general", "Lovely plan, thank you.")],
        )
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["rita@example.org"])
        self.assertIn("Lovely plan, thank you.", mail.outbox[0].body)


class ApprovedBeforeBudgetsWereStoredTest(BaseTestCase):
    def test_a_version_approved_without_a_stored_budget_says_what_was_approved(self) -> None:
        example_rate_card()
        project = ProjectFactory(title="Old study")
        add_member(project, self.researcher_rita)
        plan = services.plan_start(project=project, by=self.researcher_rita)
        ActivityFactory(plan=plan)  # 2 advisors x 2 h at £27.50 = £110.00
        services.plan_submit(plan=plan, by=self.researcher_rita)
        services.plan_approve(plan=plan, by=self.staff_sam)
        # As a version approved before this change: a total but no stored breakdown, and a
        # rate card corrected since.
        PIEPlan.objects.filter(pk=plan.pk).update(approved_budget=None)
        RateCard.objects.filter(effective_from="2025-12-16").update(hourly_rate=Decimal("30.00"))
        self.client.force_login(self.researcher_rita)
        response = self.client.get(reverse("projects:plan", args=[project.pk]))
        self.assertContains(
            response,
            "This version was approved at £110.00. The breakdown here is worked out again from "
            "today&#x27;s rate card and comes to £120.00.",
        )
