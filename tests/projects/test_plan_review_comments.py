"""Reviewing a plan never loses what the reviewer typed: on a refusal the comments come back."""

from django.urls import reverse

from projects import services
from projects.models import PIEPlan, ReviewComment
from rates.models import RateCard
from tests.base import BaseTestCase
from tests.factories import ActivityFactory, ProjectFactory, add_member, example_rate_card

TYPED = {
    "general": "Thank you, a thoughtful plan.",
    "design": "Could one session be in person?",
}


class ReviewCommentsTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        example_rate_card()
        self.project = ProjectFactory(title="Home care study")
        add_member(self.project, self.researcher_rita)
        self.plan = services.plan_start(project=self.project, by=self.researcher_rita)
        ActivityFactory(plan=self.plan)
        services.plan_submit(plan=self.plan, by=self.researcher_rita)
        self.url = reverse("projects:plan-review", args=[self.project.pk])
        self.client.force_login(self.staff_sam)

    def assert_typed_text_is_back(self, response, status_code: int) -> None:
        for text in TYPED.values():
            self.assertContains(response, text, status_code=status_code)
        self.assertEqual(response.context["form"]["design"].value(), TYPED["design"])

    def test_approving_keeps_the_comments_with_the_approval(self) -> None:
        response = self.client.post(self.url, {"approve": "1", **TYPED}, follow=True)
        self.assertContains(response, "Plan version 1 approved")
        self.assertContains(response, "Comments from the PIE team")
        self.assertContains(response, "Could one session be in person?")
        self.assertEqual(
            set(self.plan.comments.values_list("section", "comment")), set(TYPED.items())
        )

    def test_an_approval_refused_for_a_missing_rate_keeps_the_comments(self) -> None:
        RateCard.objects.all().delete()
        response = self.client.post(self.url, {"approve": "1", **TYPED})
        self.assertContains(
            response, "There is no rate for advisory group meeting", status_code=400
        )
        self.assert_typed_text_is_back(response, 400)
        self.plan.refresh_from_db()
        self.assertEqual(self.plan.status, PIEPlan.Status.SUBMITTED)
        self.assertFalse(ReviewComment.objects.exists())

    def test_asking_for_changes_without_a_comment_is_refused_plainly(self) -> None:
        response = self.client.post(self.url, {"request_changes": "1", "general": "   "})
        self.assertContains(
            response, "Write at least one comment so the researchers know", status_code=400
        )

    def test_a_plan_decided_meanwhile_in_another_tab_keeps_the_comments_unsent(self) -> None:
        for decision in ("request_changes", "approve"):
            with self.subTest(decision=decision):
                # Someone else approved it while Sam was typing.
                if self.plan.status != PIEPlan.Status.APPROVED:
                    services.plan_approve(plan=self.plan, by=self.staff_sam)
                    self.plan.refresh_from_db()
                response = self.client.post(self.url, {decision: "1", **TYPED})
                self.assertContains(
                    response,
                    "This plan is no longer waiting for review (it is now approved), so nothing "
                    "was sent. Your comments are still below if you need them.",
                    status_code=409,
                )
                self.assert_typed_text_is_back(response, 409)
                self.assertNotContains(response, "Approve this plan", status_code=409)
                self.assertFalse(ReviewComment.objects.exists())
