"""draft → submitted → changes requested → resubmitted → approved, each step by the right role only."""

from decimal import Decimal

from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from projects import services
from projects.models import PIEPlan, PlanEvent
from tests.base import BaseTestCase, make_user
from tests.factories import ActivityFactory, ProjectFactory, add_member, example_rate_card


class PlanWorkflowTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        example_rate_card()
        self.project = ProjectFactory(title="Home care study")
        add_member(self.project, self.researcher_rita)
        self.other_researcher = make_user("oscar", "researcher")
        self.plan = services.plan_start(project=self.project, by=self.researcher_rita)
        ActivityFactory(plan=self.plan, hours_per_session=Decimal("2"), advisors=2, sessions=1)

    def submit(self) -> PIEPlan:
        with self.captureOnCommitCallbacks(execute=True):
            return services.plan_submit(plan=self.plan, by=self.researcher_rita)

    def test_the_whole_journey_with_emails_to_the_other_side(self) -> None:
        plan = self.submit()
        self.assertEqual(plan.status, "submitted")
        self.assertEqual(plan.budget_total, Decimal("110.00"))  # 2 h x £27.50 x 2 advisors
        self.assertEqual(mail.outbox[-1].to, ["sam@example.org"])
        with self.captureOnCommitCallbacks(execute=True):
            plan = services.plan_request_changes(
                plan=plan, by=self.staff_sam, comments={"design": "More sessions, please."}
            )
        self.assertEqual(plan.status, "changes_requested")
        self.assertEqual(mail.outbox[-1].to, ["rita@example.org"])
        self.assertIn("More sessions, please.", mail.outbox[-1].body)
        with self.captureOnCommitCallbacks(execute=True):
            plan = services.plan_submit(plan=plan, by=self.researcher_rita)
        self.assertEqual(plan.status, "resubmitted")
        self.assertIn("resubmitted", mail.outbox[-1].subject)
        with self.captureOnCommitCallbacks(execute=True):
            plan = services.plan_approve(plan=plan, by=self.staff_sam)
        self.assertEqual(plan.status, "approved")
        self.project.refresh_from_db()
        self.assertEqual(self.project.pie_budget, Decimal("110.00"))
        self.assertEqual(mail.outbox[-1].to, ["rita@example.org"])
        self.assertEqual(len(mail.outbox), 4)
        self.assertEqual(
            list(PlanEvent.objects.filter(plan=plan).values_list("to_status", flat=True)),
            ["draft", "submitted", "changes_requested", "resubmitted", "approved"],
        )

    def test_only_the_projects_researchers_edit_and_submit(self) -> None:
        for user in (self.other_researcher, self.staff_sam):
            with self.subTest(user=user.username):
                with self.assertRaises(PermissionDenied):
                    services.plan_submit(plan=self.plan, by=user)
                with self.assertRaises(PermissionDenied):
                    services.plan_update(
                        plan=self.plan,
                        by=user,
                        recognition="",
                        support_and_training="",
                        activities=[],
                    )
        self.plan.refresh_from_db()
        self.assertEqual(self.plan.status, "draft")

    def test_only_the_pie_team_approves_or_requests_changes(self) -> None:
        self.submit()
        for user in (self.researcher_rita, self.manager_mo, self.finance_fay):
            with self.subTest(user=user.username):
                with self.assertRaises(PermissionDenied):
                    services.plan_approve(plan=self.plan, by=user)
                with self.assertRaises(PermissionDenied):
                    services.plan_request_changes(
                        plan=self.plan, by=user, comments={"general": "x"}
                    )
        self.plan.refresh_from_db()
        self.assertEqual(self.plan.status, "submitted")

    def test_illegal_transitions_are_refused_with_a_reason(self) -> None:
        with self.assertRaisesMessage(
            ValidationError, "Only a submitted plan can be approved; this one is draft."
        ):
            services.plan_approve(plan=self.plan, by=self.staff_sam)
        with self.assertRaisesMessage(
            ValidationError, "Changes can only be requested on a submitted plan"
        ):
            services.plan_request_changes(
                plan=self.plan, by=self.staff_sam, comments={"general": "x"}
            )
        self.submit()
        with self.assertRaisesMessage(ValidationError, "cannot be edited"):
            services.plan_update(
                plan=self.plan,
                by=self.researcher_rita,
                recognition="",
                support_and_training="",
                activities=[],
            )
        with self.assertRaisesMessage(ValidationError, "Write at least one comment"):
            services.plan_request_changes(
                plan=self.plan, by=self.staff_sam, comments={"general": "  "}
            )

    def test_approving_twice_does_nothing_more(self) -> None:
        self.submit()
        with self.captureOnCommitCallbacks(execute=True):
            services.plan_approve(plan=self.plan, by=self.staff_sam)
        sent = len(mail.outbox)
        events = PlanEvent.objects.count()
        with self.captureOnCommitCallbacks(execute=True):
            again = services.plan_approve(plan=self.plan, by=self.staff_sam)
        self.assertEqual(again.status, "approved")
        self.assertEqual((len(mail.outbox), PlanEvent.objects.count()), (sent, events))

    def test_an_empty_plan_cannot_be_submitted(self) -> None:
        self.plan.activities.all().delete()
        with self.assertRaisesMessage(ValidationError, "Add at least one planned activity"):
            services.plan_submit(plan=self.plan, by=self.researcher_rita)

    def test_a_new_version_leaves_the_approved_one_unchanged(self) -> None:
        self.submit()
        approved = services.plan_approve(plan=self.plan, by=self.staff_sam)
        new = services.plan_new_version(plan=approved, by=self.researcher_rita)
        self.assertEqual((new.version, new.status, new.based_on), (2, "draft", approved))
        self.assertEqual(new.activities.count(), 1)
        services.plan_update(
            plan=new,
            by=self.researcher_rita,
            recognition="Co-authorship on the main paper",
            support_and_training="",
            activities=[
                {
                    "stage": "analysis",
                    "activity_type": "co_analysis",
                    "advisors": 3,
                    "sessions": 2,
                    "hours_per_session": Decimal("3"),
                    "anticipated_impact": "Advisors interpret findings.",
                }
            ],
        )
        approved.refresh_from_db()
        self.assertEqual(approved.status, "approved")
        self.assertEqual(approved.recognition, "")
        self.assertEqual(list(approved.activities.values_list("stage", flat=True)), ["design"])
        self.assertEqual(approved.budget_total, Decimal("110.00"))
        # Asking again returns the open version rather than a third one.
        self.assertEqual(services.plan_new_version(plan=approved, by=self.researcher_rita), new)
        new.refresh_from_db()
        changes = services.plan_diff(old=approved, new=new)
        self.assertIn(("added", "Recognition plans: Co-authorship on the main paper"), changes)
        self.assertTrue(
            any(kind == "removed" and line.startswith("Design:") for kind, line in changes)
        )

    def test_approving_a_new_version_supersedes_the_old_and_updates_the_budget(self) -> None:
        self.submit()
        v1 = services.plan_approve(plan=self.plan, by=self.staff_sam)
        v2 = services.plan_new_version(plan=v1, by=self.researcher_rita)
        ActivityFactory(plan=v2, hours_per_session=Decimal("1"), advisors=1)
        services.plan_submit(plan=v2, by=self.researcher_rita)
        services.plan_approve(plan=v2, by=self.staff_sam)
        v1.refresh_from_db()
        self.project.refresh_from_db()
        self.assertEqual(v1.status, "superseded")
        self.assertEqual(self.project.pie_budget, Decimal("137.50"))
