import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from projects import services
from projects.models import ExpressionOfInterest, Opportunity
from tests.base import BaseTestCase
from tests.factories import ProjectFactory


class InterestExpressTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.opportunity = Opportunity.objects.create(
            project=ProjectFactory(),
            role="Adviser",
            description="x",
            time_commitment="x",
            payment="x",
            closing_date=timezone.localdate() + datetime.timedelta(days=5),
            posted_by=self.staff_sam,
        )

    def test_a_decision_is_not_undone_by_expressing_interest_again(self) -> None:
        interest = services.interest_express(opportunity=self.opportunity, advisor=self.alice)
        services.interest_select(
            opportunity=self.opportunity,
            selected_ids=[interest.pk],
            by=self.staff_sam,
            before_closing_ok=True,
        )
        with self.assertRaisesMessage(ValidationError, "already made a decision"):
            services.interest_express(
                opportunity=self.opportunity, advisor=self.alice, note="again"
            )
        interest.refresh_from_db()
        self.assertEqual(interest.status, ExpressionOfInterest.Status.SELECTED)

    def test_only_assigned_advisors_can_be_credited(self) -> None:
        from projects.models import Output

        output = Output.objects.create(project=self.opportunity.project, kind="paper", title="T")
        with self.assertRaisesMessage(ValidationError, "Only advisors assigned to this project"):
            services.output_credit_set(output=output, credits={self.bob.pk: "co_author"})
        self.assertFalse(output.credits.exists())
