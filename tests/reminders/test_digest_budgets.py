"""The PIE team's daily digest lists budgets at 80% or more, and over 100%, committed."""

import datetime
from decimal import Decimal
from unittest import mock

import time_machine
from django.core import mail

from payments.models import CentralBudget
from reminders.models import Delivery
from reminders.tasks import delivery_send, reminders_run
from tests.base import BaseTestCase
from tests.factories import ProjectFactory, make_claim

NOW = datetime.datetime(2026, 6, 1, 9, 5, tzinfo=datetime.UTC)


@time_machine.travel(NOW, tick=False)
class DigestBudgetsTest(BaseTestCase):
    """Home care study has spent £850 of £1,000; Care homes study £1,200 of £1,000; the
    central PIEG budget is £100 with £90 of PIEG claims; Small study £100 of £1,000."""

    def setUp(self) -> None:
        super().setUp()
        for title, spent in [
            ("Home care study", "850.00"),
            ("Care homes study", "1200.00"),
            ("Small study", "100.00"),
        ]:
            project = ProjectFactory(title=title, pie_budget=Decimal("1000.00"))
            make_claim(self.alice, "approved", spent, project=project)
        CentralBudget.objects.create(
            year_starting=datetime.date(2026, 4, 1),
            category=CentralBudget.Category.SUPPORT,
            amount=Decimal("100.00"),
        )
        make_claim(self.bob, "approved", "90.00")

    def digest(self) -> str:
        with mock.patch("reminders.tasks.delivery_send.delay") as delay:
            with self.captureOnCommitCallbacks(execute=True):
                reminders_run()
        for call in delay.call_args_list:
            delivery_send(call.args[0])
        Delivery.objects.get(kind="pie-digest", user=self.staff_sam)
        (message,) = [m for m in mail.outbox if m.to == [self.staff_sam.email]]
        return message.body

    def test_the_digest_lists_budgets_over_80_and_over_100_percent(self) -> None:
        body = self.digest()
        self.assertIn(
            "Over budget (100% or more committed):\n- Care homes study: 120% committed", body
        )
        self.assertIn("Nearly spent (80% or more committed):", body)
        self.assertIn("- Support for advisors: 90% committed", body)
        self.assertIn("- Home care study: 85% committed", body)
        self.assertNotIn("Small study", body)
        html = mail.outbox[-1].alternatives[0][0]
        self.assertIn("<li>Care homes study: 120% committed</li>", html)

    def test_a_budget_alone_is_enough_for_a_digest(self) -> None:
        # Nothing else is waiting: no claims waiting too long, none at risk, no plans.
        self.assertIn("Care homes study", self.digest())
