"""`manage.py seed_scale --factor N`: the demo plus N units of data, the same every run."""

import datetime
from io import StringIO

from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count
from django.test import TestCase, override_settings

from advisors.models import Advisor
from ascru_pie.models import User
from homes import scale
from impacts.models import ImpactRecord
from meetings.models import Invitation, Meeting
from payments.models import Claim, PaymentBatch
from projects.models import Project
from reminders.models import Delivery

TODAY = datetime.date(2026, 6, 15)


def seed_scale(**options) -> str:
    out = StringIO()
    call_command("seed_scale", factor=1, today=TODAY, skip_demo=True, stdout=out, **options)
    return out.getvalue()


@override_settings(DEBUG=True)
class SeedScaleTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        # Twice from the same demo: the first run is rolled back, the second kept.
        call_command("seed_demo", stdout=StringIO())
        with transaction.atomic():
            seed_scale()
            cls.first_fingerprint = scale.fingerprint()
            transaction.set_rollback(True)
        cls.output = seed_scale()
        cls.fingerprint = scale.fingerprint()

    def test_the_same_factor_and_day_give_the_same_rows(self) -> None:
        self.assertEqual(self.fingerprint, self.first_fingerprint)

    def test_factor_one_is_about_one_unit_on_top_of_the_demo(self) -> None:
        ours = Advisor.objects.filter(email__endswith="@" + scale.EMAIL_DOMAIN)
        self.assertEqual(ours.count(), 50)
        self.assertEqual(Meeting.objects.count(), 10 + 20)
        self.assertEqual(Project.objects.count(), 8 + 5)
        self.assertGreater(Invitation.objects.filter(advisor__in=ours).count(), 600)
        self.assertGreater(Invitation.objects.count(), 900)
        self.assertGreaterEqual(Claim.objects.count(), 2000)
        self.assertEqual(ImpactRecord.objects.count(), 60 + 200)
        self.assertGreater(Delivery.objects.count(), 600)
        self.assertEqual(PaymentBatch.objects.count(), 2 + 52)
        self.assertIn("Scale data is ready", self.output)

    def test_claims_are_in_every_state_and_batched_ones_are_in_a_batch(self) -> None:
        states = set(Claim.objects.values_list("status", flat=True))
        self.assertEqual(states, set(Claim.Status.values))
        self.assertFalse(Claim.objects.filter(status="paid", paid_on=None).exists())
        self.assertTrue(Claim.objects.filter(reverses__isnull=False, amount__lt=0).exists())
        for batch in PaymentBatch.objects.filter(reference__in=self._scale_batches()):
            total = sum(c.amount for c in batch.claims.all())
            self.assertEqual(batch.total, total)

    def _scale_batches(self) -> list[str]:
        return list(
            PaymentBatch.objects.filter(claims__advisor__email__endswith=scale.EMAIL_DOMAIN)
            .values_list("reference", flat=True)
            .distinct()
        )

    def test_the_big_meeting_and_the_big_batch(self) -> None:
        self.assertIn("Big meeting #", self.output)
        meetings = Meeting.objects.annotate(n=Count("invitations"))
        self.assertEqual(meetings.order_by("-n").first().n, 51)  # 50 + N/2, rounded up
        batches = PaymentBatch.objects.annotate(n=Count("claims"))
        self.assertEqual(batches.order_by("-n").first().n, 44)  # 44 N

    def test_the_personas_have_histories_that_grow_with_the_factor(self) -> None:
        ada = Advisor.objects.get(user__username="advisor")
        self.assertGreaterEqual(ada.claims.count(), 2)
        self.assertGreaterEqual(
            ada.invitations.filter(meeting__starts_at__date__gt=TODAY).count(), 3
        )
        self.assertTrue(
            Project.objects.filter(
                memberships__user__username="researcher", title__contains="(1)"
            ).exists()
        )

    def test_a_search_for_carers_finds_a_few_per_cent(self) -> None:
        ours = ImpactRecord.objects.exclude(
            pk__in=ImpactRecord.objects.order_by("pk").values("pk")[:60]
        )
        share = ours.filter(what_changed__icontains="carers").count() / ours.count()
        self.assertGreater(share, 0.005)
        self.assertLess(share, 0.15)

    def test_the_personas_pages_answer(self) -> None:
        for username, url in [
            ("advisor", "/portal/"),
            ("coordinator", "/staff/"),
            ("finance", "/staff/"),
            ("researcher", "/research/"),
            ("manager", "/reports/"),
            ("coordinator", "/reports/"),
            ("coordinator", "/staff/reminders/"),
        ]:
            with self.subTest(username=username, url=url):
                self.client.force_login(User.objects.get(username=username))
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_it_refuses_to_run_twice_or_without_debug(self) -> None:
        with self.assertRaisesMessage(CommandError, "already has scale data"):
            seed_scale()
        with override_settings(DEBUG=False), self.assertRaisesMessage(CommandError, "DEBUG"):
            seed_scale()
