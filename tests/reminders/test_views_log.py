"""The PIE team's reminders log: deliveries, today's call/post list, advisors not seen for a while."""

import datetime

from django.utils import timezone

from advisors.models import ContactMethod
from reminders.models import Delivery
from tests.base import BaseTestCase


def _delivery(
    n: int,
    *,
    advisor=None,
    user=None,
    channel=Delivery.Channel.EMAIL,
    status=Delivery.Status.SENT,
    kind="meeting-7d",
    **extra,
) -> Delivery:
    return Delivery.objects.create(
        key=f"test:{n}",
        kind=kind,
        object_label=extra.pop("object_label", "Spring PIEG"),
        advisor=advisor,
        user=user,
        channel=channel,
        status=status,
        template="reminder-meeting",
        recipient=extra.pop("recipient", "someone@example.org"),
        **extra,
    )


class RemindersLogTest(BaseTestCase):
    url = "/staff/reminders/"

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.staff_sam)

    def test_a_failed_reminder_is_listed_with_its_error(self) -> None:
        _delivery(
            1,
            advisor=self.alice,
            status=Delivery.Status.FAILED,
            error="SMTPRecipientsRefused: no such mailbox",
        )
        _delivery(2, advisor=self.bob, sent_at=timezone.now())
        response = self.client.get(self.url)
        self.assertContains(response, "Failed: SMTPRecipientsRefused: no such mailbox")
        self.assertContains(response, "Meeting reminder, 7 days before")
        self.assertContains(response, "Alice Ashby")
        self.assertContains(response, "Email")

    def test_the_log_can_show_failed_reminders_only(self) -> None:
        _delivery(1, advisor=self.alice, status=Delivery.Status.FAILED, error="boom")
        _delivery(2, advisor=self.bob, sent_at=timezone.now())
        response = self.client.get(self.url, {"status": "failed"})
        self.assertEqual([d.advisor for d in response.context["page"]], [self.alice])

    def test_an_unknown_filter_is_an_error_and_shows_everything(self) -> None:
        _delivery(1, advisor=self.alice)
        response = self.client.get(self.url, {"status": "lost"})
        self.assertContains(response, "Choose what to show from the list.")
        self.assertEqual(len(response.context["page"].object_list), 1)

    def test_the_call_and_post_lists_show_everything_not_ticked_off(self) -> None:
        caller = self.alice
        caller.contact_method = ContactMethod.PHONE
        caller.save()
        _delivery(
            1,
            advisor=caller,
            channel=Delivery.Channel.CALL,
            status=Delivery.Status.LISTED,
            recipient="01234 567890",
            kind="rsvp-chase",
        )
        _delivery(
            2,
            advisor=self.bob,
            channel=Delivery.Channel.POST,
            status=Delivery.Status.LISTED,
            recipient="1 High Street\nCanterbury",
            kind="checkin",
            object_label="We miss you",
        )
        old = _delivery(
            3,
            advisor=self.bob,
            channel=Delivery.Channel.CALL,
            status=Delivery.Status.LISTED,
            recipient="09999 999999",
        )
        # An old call not done yet stays on the list until someone ticks it off.
        Delivery.objects.filter(pk=old.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=30)
        )
        done = _delivery(
            4,
            advisor=self.bob,
            channel=Delivery.Channel.CALL,
            status=Delivery.Status.LISTED,
            recipient="07777 777777",
        )
        Delivery.objects.filter(pk=done.pk).update(
            done_at=timezone.now(), done_by=self.staff_sam, outcome="Said yes"
        )
        response = self.client.get(self.url)
        lists = {channel: items for channel, items, *_ in response.context["contact_lists"]}
        self.assertEqual([d.recipient for d, _ in lists["call"]], ["01234 567890", "09999 999999"])
        self.assertEqual([d.recipient for d, _ in lists["post"]], ["1 High Street\nCanterbury"])
        self.assertContains(response, "1 High Street<br>Canterbury")
        self.assertContains(
            response, "Phone Alice Ashby on 01234 567890: asked to answer an invitation"
        )
        self.assertContains(response, "Write to Bob Brown: check-in after a long time")
        # Ticked off: in the "Done" table with who and what came of it, not on the list.
        self.assertEqual([d.pk for d in response.context["done"]], [done.pk])
        self.assertContains(response, "Said yes")

    def test_advisors_with_no_involvement_for_90_days_are_listed(self) -> None:
        response = self.client.get(self.url)
        self.assertEqual(
            [a.full_name for a in response.context["inactive"]], ["Alice Ashby", "Bob Brown"]
        )
        self.assertContains(response, "Advisors with no involvement for 90 days")

    def test_fifty_reminders_a_page(self) -> None:
        for n in range(55):
            _delivery(n, advisor=self.alice)
        first = self.client.get(self.url)
        self.assertEqual(len(first.context["page"].object_list), 50)
        self.assertContains(first, "(page 1 of 2)")
        second = self.client.get(self.url, {"page": "2", "status": "sent"})
        self.assertEqual(len(second.context["page"].object_list), 5)
        self.assertContains(second, 'href="?page=1&amp;status=sent"')

    def test_only_the_pie_team_may_see_it(self) -> None:
        for user in (self.manager_mo, self.advisor_alice, self.researcher_rita, self.finance_fay):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_query_count_does_not_grow_with_reminders(self) -> None:
        # session, user, the user's groups (role check), the count and the page of reminders
        # with their advisors and users, the open call/post list (ranked, then loaded), the calls and letters
        # ticked off lately, the inactive advisors.
        for n in range(3):
            _delivery(n, advisor=self.alice)
            _delivery(
                100 + n,
                advisor=self.bob,
                channel=Delivery.Channel.CALL,
                status=Delivery.Status.LISTED,
            )
        with self.assertNumQueries(10):
            self.client.get(self.url)
        for n in range(3, 20):
            _delivery(
                n,
                user=self.staff_sam,
                kind="pie-digest",
                status=Delivery.Status.FAILED,
                error="boom",
            )
            _delivery(
                100 + n,
                advisor=self.bob,
                channel=Delivery.Channel.POST,
                status=Delivery.Status.LISTED,
            )
        with self.assertNumQueries(10):
            self.assertEqual(len(self.client.get(self.url).context["page"].object_list), 40)
