"""The coordinator's call/post list: inviting people who prefer phone or post puts them on it
(once, however often the reminder task runs), and each call or letter is ticked off with who
did it, when and what came of it."""

from unittest import mock

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from advisors.models import Advisor, ContactMethod
from ascru_pie.roles import Role
from meetings.models import Invitation, Meeting
from reminders.models import Delivery
from reminders.tasks import reminders_run
from tests.base import BaseTestCase
from tests.factories import AdvisorFactory, invite, make_meeting


class CallListTestCase(BaseTestCase):
    """Sam invites Alice (email), Bob (phone) and Pat (post) to the Spring PIEG."""

    def setUp(self) -> None:
        super().setUp()
        Advisor.objects.filter(pk=self.bob.pk).update(
            contact_method=ContactMethod.PHONE, phone="01234 567890"
        )
        self.bob.refresh_from_db()
        self.pat = AdvisorFactory(
            first_name="Pat",
            last_name="Post",
            contact_method=ContactMethod.POST,
            address="1 High Street\nCanterbury",
        )
        self.meeting = make_meeting(title="Spring PIEG")
        self.client.force_login(self.staff_sam)

    def invite_through_the_page(self, *advisors):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(
                reverse("reminders:meeting-invite", args=[self.meeting.pk]),
                {"who": "chosen", "advisors": [a.pk for a in advisors]},
                follow=True,
            )

    def run_reminders(self) -> None:
        with mock.patch("reminders.tasks.delivery_send.delay"):
            with self.captureOnCommitCallbacks(execute=True):
                reminders_run()

    def listed(self) -> list[tuple[str, str, str]]:
        return sorted(
            (d.advisor.full_name, d.channel, d.recipient)
            for d in Delivery.objects.filter(kind="invite").select_related("advisor")
        )


class InvitationsOnTheListTest(CallListTestCase):
    def test_inviting_puts_phone_and_post_invitees_on_the_list_at_once(self) -> None:
        self.invite_through_the_page(self.alice, self.bob, self.pat)

        self.assertEqual(
            self.listed(),
            [
                ("Bob Brown", "call", "01234 567890"),
                ("Pat Post", "post", "1 High Street\nCanterbury"),
            ],
        )
        self.assertEqual([m.to for m in mail.outbox], [[self.alice.email]])
        response = self.client.get(reverse("reminders:log"))
        day = timezone.localtime(self.meeting.starts_at).strftime("%A %-d %B %Y")
        self.assertContains(
            response,
            f"Phone Bob Brown on 01234 567890 to invite them to Spring PIEG on {day}",
        )
        self.assertContains(response, f"Write to Pat Post to invite them to Spring PIEG on {day}")

    def test_running_the_reminder_task_twice_lists_nobody_twice(self) -> None:
        self.invite_through_the_page(self.alice, self.bob, self.pat)
        self.run_reminders()
        self.run_reminders()
        self.assertEqual(Delivery.objects.filter(kind="invite").count(), 2)

    def test_an_invitation_made_in_the_admin_is_listed_by_the_next_run_once(self) -> None:
        invite(self.meeting, self.bob, self.alice, rsvp=Invitation.RSVP.PENDING)
        self.assertEqual(self.listed(), [])
        self.run_reminders()
        self.run_reminders()
        self.assertEqual(self.listed(), [("Bob Brown", "call", "01234 567890")])

    def test_inviting_again_lists_nobody_again(self) -> None:
        self.invite_through_the_page(self.bob)
        self.invite_through_the_page(self.bob, self.pat)
        self.assertEqual(len(self.listed()), 2)

    def test_paused_and_left_advisors_are_never_listed(self) -> None:
        paused = AdvisorFactory(contact_method=ContactMethod.PHONE, status=Advisor.Status.PAUSED)
        left = AdvisorFactory(contact_method=ContactMethod.POST, status=Advisor.Status.LEFT)
        invite(self.meeting, paused, left, rsvp=Invitation.RSVP.PENDING)
        self.run_reminders()
        self.assertEqual(self.listed(), [])

    def test_past_and_cancelled_meetings_are_not_listed(self) -> None:
        past = make_meeting(days=-3)
        cancelled = make_meeting(status=Meeting.Status.CANCELLED)
        invite(past, self.bob)
        invite(cancelled, self.pat)
        self.run_reminders()
        self.assertEqual(self.listed(), [])

    def test_the_reminder_run_does_not_grow_queries_with_invitations_already_listed(
        self,
    ) -> None:
        self.invite_through_the_page(self.bob, self.pat)
        self.run_reminders()
        # In a savepoint: one query per rule (two for meeting reminders; the digest's team
        # who have not had today's, then its three counts and two for budgets). Nothing is
        # new, so no consent or key check and no insert.
        with self.assertNumQueries(17):
            self.run_reminders()
        for n in range(5):
            # A day apart, so that no invitation clashes with another.
            self.meeting = make_meeting(days=10 + n)
            self.invite_through_the_page(self.bob, self.pat)
        self.assertEqual(Delivery.objects.filter(kind="invite").count(), 12)
        self.run_reminders()
        with self.assertNumQueries(17):
            self.run_reminders()


class TickOffTest(CallListTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.invite_through_the_page(self.bob, self.pat)
        self.call = Delivery.objects.get(kind="invite", advisor=self.bob)
        self.url = reverse("reminders:contact-done", args=[self.call.pk])

    def test_ticking_off_records_who_when_and_what_came_of_it(self) -> None:
        response = self.client.post(self.url, {"outcome": "Said yes"}, follow=True)

        self.assertRedirects(response, reverse("reminders:log") + "#contact-heading")
        self.assertIn(
            "Call to Bob Brown ticked off.", [str(m) for m in response.context["messages"]]
        )
        self.call.refresh_from_db()
        self.assertEqual((self.call.done_by, self.call.outcome), (self.staff_sam, "Said yes"))
        self.assertIsNotNone(self.call.done_at)
        # It leaves the open list and shows under "Done".
        lists = {channel: items for channel, items, *_ in response.context["contact_lists"]}
        self.assertEqual(lists["call"], [])
        self.assertEqual([d.advisor for d, _ in lists["post"]], [self.pat])
        self.assertEqual(response.context["done"], [self.call])
        self.assertContains(response, "Said yes")

    def test_ticking_off_twice_keeps_the_first(self) -> None:
        self.client.post(self.url, {"outcome": "Said yes"})
        first = Delivery.objects.get(pk=self.call.pk).done_at
        response = self.client.post(self.url, {"outcome": "Said no"}, follow=True)
        self.call.refresh_from_db()
        self.assertEqual((self.call.done_at, self.call.outcome), (first, "Said yes"))
        self.assertTrue(any("already ticked off" in str(m) for m in response.context["messages"]))

    def test_the_note_is_optional(self) -> None:
        self.client.post(self.url, {})
        self.call.refresh_from_db()
        self.assertEqual((self.call.done_by, self.call.outcome), (self.staff_sam, ""))

    def test_an_email_reminder_cannot_be_ticked_off(self) -> None:
        email = Delivery.objects.create(key="e", kind="survey", advisor=self.alice, template="x")
        url = reverse("reminders:contact-done", args=[email.pk])
        self.assertEqual(self.client.post(url).status_code, 404)

    def test_only_the_pie_team_may_tick_off(self) -> None:
        for role in (Role.ADVISOR, Role.RESEARCHER, Role.MANAGER, Role.FINANCE):
            self.client.force_login(self.persona(role))
            with self.subTest(role=str(role)):
                self.assertEqual(self.client.post(self.url).status_code, 403)
        self.call.refresh_from_db()
        self.assertIsNone(self.call.done_at)

    def test_query_count_of_the_log_does_not_grow_with_the_list(self) -> None:
        # session, user, groups, the count and page of reminders, the open call/post list
        # (ranked, then the first of each loaded with advisors and meetings), the ticked-off ones with who did them, the failed emails
        # not dealt with, the inactive.
        url = reverse("reminders:log")
        with self.assertNumQueries(10):
            self.client.get(url)
        for n in range(6):
            self.meeting = make_meeting(days=10 + n)
            self.invite_through_the_page(self.bob, self.pat)
        for delivery in Delivery.objects.filter(channel="call")[:3]:
            self.client.post(reverse("reminders:contact-done", args=[delivery.pk]))
        with self.assertNumQueries(10):
            response = self.client.get(url)
        self.assertEqual(len(response.context["done"]), 3)
