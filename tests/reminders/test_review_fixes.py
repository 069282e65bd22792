"""Issue 14 review: cancelling reaches people who are not emailed; the call list leaves out
cancelled meetings and Paused or Left advisors; failed emails can be tried again or ticked off;
a phoned-in answer ticks off its call; an advisor cannot change an answer once a meeting is
over; the admin's invitation rows; the repeat-invite message."""

from unittest import mock

from django.urls import reverse
from django.utils import timezone

from advisors.models import Advisor, ContactMethod
from homes.queue import Counts
from meetings.admin import InvitationInlineForm
from meetings.models import Invitation, Meeting
from reminders.models import Delivery
from reminders.services import deliveries_sweep
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


class NoEmailTestCase(CallListTestCase):
    """Bob (phone) and Pat (post) have no email address; Alice has one."""

    def setUp(self) -> None:
        super().setUp()
        Advisor.objects.filter(pk__in=[self.bob.pk, self.pat.pk]).update(email="")
        self.bob.refresh_from_db()
        self.pat.refresh_from_db()

    def cancel_through_the_page(self):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(
                reverse("reminders:meeting-cancel", args=[self.meeting.pk]), follow=True
            )

    def log(self) -> str:
        return self.client.get(reverse("reminders:log")).content.decode()


class CancelReachesEveryoneTest(NoEmailTestCase):
    def test_cancelling_lists_those_not_emailed_and_drops_their_invitation_calls(self) -> None:
        self.invite_through_the_page(self.alice, self.bob, self.pat)
        self.assertIn("to invite them to Spring PIEG", self.log())

        response = self.cancel_through_the_page()

        self.assertContains(response, "1 invitee told by email")
        self.assertContains(response, "Bob Brown, Pat Post")
        log, done = self.log().split('id="done-heading"')
        self.assertNotIn("to invite them to Spring PIEG", log)
        self.assertIn("Phone Bob Brown on 01234 567890 to tell them Spring PIEG", log)
        self.assertIn("Write to Pat Post to tell them Spring PIEG", log)
        self.assertIn("Not needed: the meeting was cancelled.", done)
        queue = Counts(now=timezone.now())
        self.assertEqual((queue.deliveries["to_call"], queue.deliveries["to_post"]), (1, 1))

    def test_a_second_cancel_lists_no_one_twice(self) -> None:
        self.invite_through_the_page(self.bob)
        self.cancel_through_the_page()
        response = self.cancel_through_the_page()
        self.assertContains(response, "already cancelled")
        self.assertEqual(Delivery.objects.filter(kind="cancelled").count(), 1)

    def test_invitees_who_said_no_are_not_phoned(self) -> None:
        self.invite_through_the_page(self.bob)
        Invitation.objects.filter(advisor=self.bob).update(rsvp=Invitation.RSVP.NO)
        self.cancel_through_the_page()
        self.assertFalse(Delivery.objects.filter(kind="cancelled").exists())

    def test_an_invitation_call_for_a_meeting_cancelled_in_the_admin_is_not_listed(self) -> None:
        self.invite_through_the_page(self.bob)
        Meeting.objects.filter(pk=self.meeting.pk).update(status=Meeting.Status.CANCELLED)
        self.assertNotIn("to invite them", self.log())
        self.assertEqual(Delivery.objects.to_contact().count(), 0)


class PausedAndLeftOffTheListTest(NoEmailTestCase):
    def test_calls_for_paused_or_left_advisors_are_not_listed_or_counted(self) -> None:
        self.invite_through_the_page(self.bob, self.pat)
        Advisor.objects.filter(pk=self.bob.pk).update(status=Advisor.Status.PAUSED)
        Advisor.objects.filter(pk=self.pat.pk).update(status=Advisor.Status.LEFT)
        log = self.log()
        self.assertNotIn("Phone Bob Brown", log)
        self.assertNotIn("Write to Pat Post", log)
        queue = Counts(now=timezone.now())
        self.assertEqual((queue.deliveries["to_call"], queue.deliveries["to_post"]), (0, 0))


class PhonedAnswerTicksOffTheCallTest(NoEmailTestCase):
    def test_recording_a_phoned_answer_ticks_off_the_invitation_call(self) -> None:
        self.invite_through_the_page(self.bob)
        invitation = Invitation.objects.get(advisor=self.bob)
        response = self.client.post(
            reverse("reminders:rsvp-record", args=[self.meeting.pk, invitation.pk]),
            {"rsvp": "yes", "how": "phone"},
        )
        self.assertEqual(response.status_code, 302)
        call = Delivery.objects.get(kind="invite", advisor=self.bob)
        self.assertIsNotNone(call.done_at)
        self.assertEqual(call.done_by, self.staff_sam)
        self.assertEqual(call.outcome, "Answered: Yes, coming (by phone)")
        self.assertNotIn("Phone Bob Brown", self.log().split('id="done-heading"')[0])


class RepeatInviteTest(NoEmailTestCase):
    def test_a_repeat_invite_says_nobody_new_was_invited(self) -> None:
        self.invite_through_the_page(self.alice)
        response = self.invite_through_the_page(self.alice)
        self.assertContains(
            response, "Nobody new was invited: everyone ticked was already invited."
        )
        self.assertNotContains(response, "0 advisors invited")


class FailedEmailsTest(CallListTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.failed = Delivery.objects.create(
            key="rsvp-chase:test-failed",
            kind="rsvp-chase",
            advisor=self.alice,
            recipient="alice@example.org",
            status=Delivery.Status.FAILED,
            attempts=5,
            error="Mailbox full",
            template="reminder-rsvp-chase",
        )

    def failed_count(self) -> int:
        return Counts(now=timezone.now()).deliveries["failed"]

    def test_the_log_lists_it_with_try_again_and_dealt_with(self) -> None:
        response = self.client.get(reverse("reminders:log"))
        self.assertContains(response, "Mailbox full")
        self.assertContains(response, reverse("reminders:failed-retry", args=[self.failed.pk]))
        self.assertContains(response, reverse("reminders:failed-dealt-with", args=[self.failed.pk]))
        self.assertEqual(self.failed_count(), 1)

    def test_try_again_requeues_once_for_the_sweeper(self) -> None:
        url = reverse("reminders:failed-retry", args=[self.failed.pk])
        response = self.client.post(url, follow=True)
        self.assertContains(response, "will be tried again")
        self.failed.refresh_from_db()
        self.assertEqual(
            (self.failed.status, self.failed.attempts, self.failed.task_due_at),
            (Delivery.Status.PENDING, 0, None),
        )
        self.assertEqual(self.failed_count(), 0)
        response = self.client.post(url, follow=True)
        self.assertContains(response, "already tried again")
        with mock.patch("reminders.tasks.delivery_send.delay") as delay:
            with self.captureOnCommitCallbacks(execute=True):
                self.assertEqual(deliveries_sweep(), 1)
        delay.assert_called_once_with(self.failed.pk)

    def test_dealt_with_ticks_it_off_with_who_and_how(self) -> None:
        url = reverse("reminders:failed-dealt-with", args=[self.failed.pk])
        response = self.client.post(url, {"outcome": "Rang her instead"}, follow=True)
        self.assertContains(response, "ticked off as dealt with")
        self.failed.refresh_from_db()
        self.assertEqual(
            (self.failed.done_by, self.failed.outcome), (self.staff_sam, "Rang her instead")
        )
        self.assertEqual(self.failed_count(), 0)
        self.assertNotContains(
            self.client.get(reverse("reminders:log")),
            reverse("reminders:failed-retry", args=[self.failed.pk]),
        )
        response = self.client.post(url, follow=True)
        self.assertContains(response, "already dealt with")

    def test_only_the_pie_team(self) -> None:
        self.client.force_login(self.advisor_alice)
        for name in ("reminders:failed-retry", "reminders:failed-dealt-with"):
            response = self.client.post(reverse(name, args=[self.failed.pk]))
            self.assertEqual(response.status_code, 403)
        self.failed.refresh_from_db()
        self.assertEqual((self.failed.status, self.failed.done_at), (Delivery.Status.FAILED, None))


class PastMeetingAnswerTest(CallListTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.past = make_meeting(title="Winter PIEG", days=-3)
        (self.invitation,) = invite(self.past, self.alice, rsvp=Invitation.RSVP.YES)

    def test_an_advisor_cannot_change_an_answer_once_the_meeting_is_over(self) -> None:
        self.client.force_login(self.advisor_alice)
        response = self.client.post(
            reverse("meetings:portal-detail", args=[self.past.pk]), {"rsvp": "no", "from": "home"}
        )
        self.assertContains(response, "This meeting is over", status_code=400)
        self.invitation.refresh_from_db()
        self.assertEqual(self.invitation.rsvp, Invitation.RSVP.YES)

    def test_the_pie_team_can_still_record_an_answer_told_late(self) -> None:
        response = self.client.post(
            reverse("reminders:rsvp-record", args=[self.past.pk, self.invitation.pk]),
            {"rsvp": "no", "how": "phone"},
        )
        self.assertEqual(response.status_code, 302)
        self.invitation.refresh_from_db()
        self.assertEqual(self.invitation.rsvp, Invitation.RSVP.NO)


class AdminInvitationRowsTest(CallListTestCase):
    def test_answers_are_read_only_in_the_admin(self) -> None:
        invite(self.meeting, self.alice)
        self.client.force_login(self.staff_sam)
        response = self.client.get(reverse("admin:meetings_meeting_change", args=[self.meeting.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, 'name="invitations-0-rsvp"')

    def test_new_rows_only_for_active_advisors_existing_ones_keep_theirs(self) -> None:
        Advisor.objects.filter(pk=self.bob.pk).update(status=Advisor.Status.PAUSED)
        form = InvitationInlineForm(
            data={"advisor": self.bob.pk, "needs": ""}, instance=Invitation(meeting=self.meeting)
        )
        self.assertFalse(form.is_valid())
        self.assertIn("Only Active advisors", str(form.errors["advisor"]))
        (existing,) = invite(self.meeting, self.bob)
        form = InvitationInlineForm(data={"advisor": self.bob.pk, "needs": ""}, instance=existing)
        self.assertTrue(form.is_valid(), form.errors)
