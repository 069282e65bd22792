"""The advisor's home (/portal/): what is coming up and waiting, their payments, opportunities,
"you said, we did", the library; answering an invitation from the home; past meetings say
whether they came; Left and Paused advisors."""

import datetime

from django.urls import reverse
from django.utils import timezone

from advisors.models import Advisor
from homes.models import Resource
from meetings.models import Attendance, Invitation, Meeting
from payments.models import Claim
from tests.base import BaseTestCase
from tests.factories import (
    OpportunityFactory,
    ProjectFactory,
    invite,
    make_claim,
    make_impact,
    make_meeting,
    make_survey,
    mark_paid,
)

HOME = reverse("portal-home")
# The query budget of the home (see PortalHomeQueryBudgetTest for the list).
QUERIES = 11


class PortalHomeAccessTest(BaseTestCase):
    def test_anonymous_visitors_are_sent_to_sign_in(self) -> None:
        response = self.client.get(HOME)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response.url.startswith(reverse("login")))

    def test_other_roles_are_refused(self) -> None:
        for user in (
            self.staff_sam,
            self.researcher_rita,
            self.manager_mo,
            self.finance_fay,
            self.outsider_carol,
        ):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(HOME).status_code, 403)


class PortalHomeContentTest(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.advisor_alice)

    def test_alice_sees_her_next_meeting_with_her_answer_and_the_support_arranged(self) -> None:
        meeting = make_meeting(
            days=5, title="Spring PIEG", step_free_access=True, hearing_loop=True
        )
        invite(meeting, self.alice, needs="A taxi from the station")
        response = self.client.get(HOME)
        self.assertContains(response, "Spring PIEG")
        self.assertContains(response, "You said yes, you will come")
        self.assertContains(response, "At the meeting: Step-free access, Hearing loop.")
        self.assertContains(response, "You told us you need: A taxi from the station")

    def test_alice_does_not_see_bobs_things(self) -> None:
        invite(make_meeting(days=5, title="Bob's only meeting"), self.bob)
        make_claim(self.bob, amount="77.70")
        project = ProjectFactory()
        make_impact(project, self.staff_sam, self.bob, what_changed="Bob's change")
        response = self.client.get(HOME)
        self.assertNotContains(response, "Bob's only meeting")
        self.assertNotContains(response, "£77.70")
        self.assertNotContains(response, "Bob's change")
        self.assertContains(response, "You have no meetings coming up")
        self.assertContains(response, "You have no payments yet")

    def test_what_is_waiting_invitation_agenda_survey_and_a_claim_to_make(self) -> None:
        to_answer = make_meeting(days=10, agenda_days=3, title="Autumn PIEG")
        invite(to_answer, self.alice, rsvp=Invitation.RSVP.PENDING)
        came = make_meeting(days=-7, title="Summer workshop")
        invite(came, self.alice)
        Attendance.objects.create(meeting=came, advisor=self.alice, status="attended")
        make_survey(title="Annual experience survey 2026")
        response = self.client.get(HOME)
        self.assertContains(response, "Can you come? Please tell us")
        self.assertContains(response, 'name="rsvp" value="yes"')
        self.assertContains(response, "propose something to talk about at Autumn PIEG")
        self.assertContains(response, "Annual experience survey 2026")
        self.assertContains(response, "You came to Summer workshop")
        self.assertNotContains(response, "Nothing is waiting for you")

    def test_a_meeting_already_claimed_for_is_not_offered_again(self) -> None:
        came = make_meeting(days=-7, title="Summer workshop")
        invite(came, self.alice)
        Attendance.objects.create(meeting=came, advisor=self.alice, status="attended")
        make_claim(self.alice, meeting=came)
        response = self.client.get(HOME)
        self.assertNotContains(response, "You came to Summer workshop")
        self.assertContains(response, "Nothing is waiting for you right now")

    def test_payments_say_where_each_is_up_to_in_words(self) -> None:
        make_claim(self.alice, amount="12.40")
        make_claim(self.alice, status="approved", amount="1234.50")
        paid = make_claim(self.alice, status="approved", amount="8.00")
        mark_paid(paid, paid_on=datetime.date(2026, 6, 3))
        response = self.client.get(HOME)
        self.assertContains(response, "£12.40")
        self.assertContains(response, "£1,234.50")
        self.assertContains(response, "Submitted: waiting for the PIE team to check it")
        self.assertContains(response, "Approved: it will be paid in the next payment run")
        self.assertContains(response, "Paid on")
        self.assertContains(response, "3 June 2026")
        self.assertNotContains(response, "2026-06-03")

    def test_a_rejection_reason_ending_in_a_full_stop_gets_no_second_one(self) -> None:
        make_claim(self.alice, status="rejected", rejection_reason="We did not book that journey.")
        make_claim(self.alice, status="rejected", rejection_reason="No receipt")
        response = self.client.get(HOME)
        self.assertContains(response, "Rejected: We did not book that journey.")
        self.assertNotContains(response, "journey..")
        self.assertContains(response, "Rejected: No receipt.")

    def test_a_claim_past_the_date_we_aim_to_pay_by_says_so_plainly(self) -> None:
        today = timezone.localdate()
        claim = make_claim(self.alice)
        Claim.objects.filter(pk=claim.pk).update(activity_date=today - datetime.timedelta(days=200))
        response = self.client.get(HOME)
        self.assertContains(
            response, "This is later than we aim to pay, and we are sorting it out."
        )
        self.assertNotContains(response, "We aim to pay by")

    def test_a_claim_before_the_date_we_aim_to_pay_by_says_when(self) -> None:
        claim = make_claim(self.alice)
        Claim.objects.filter(pk=claim.pk).update(activity_date=timezone.localdate())
        claim.refresh_from_db()
        response = self.client.get(HOME)
        self.assertContains(response, f"{claim.expected_words}.")
        self.assertContains(response, "We aim to pay by")
        self.assertNotContains(response, "later than we aim to pay")

    def test_open_opportunities_count_and_a_few_titles(self) -> None:
        for role in ("Interview panel member", "Survey tester", "Film advisor", "Late one"):
            OpportunityFactory(role=role, posted_by=self.staff_sam)
        response = self.client.get(HOME)
        self.assertContains(response, "4 opportunities are open now.")
        self.assertContains(response, "Interview panel member")
        self.assertNotContains(response, "Late one")

    def test_you_said_we_did_shows_the_latest_change_she_helped_make(self) -> None:
        project = ProjectFactory(title="Carers at home")
        make_impact(project, self.staff_sam, self.alice, what_changed="Older change")
        make_impact(
            project,
            self.staff_sam,
            self.alice,
            what_changed="Questions reworded after your comments",
            recorded_on=datetime.date(2026, 7, 1),
        )
        response = self.client.get(HOME)
        self.assertContains(response, "Questions reworded after your comments")
        self.assertNotContains(response, "Older change")
        self.assertContains(response, reverse("reports:portal"))

    def test_library_shows_a_few_resources(self) -> None:
        Resource.objects.create(title="How payments work", link="https://example.org/pay")
        Resource.objects.create(
            title="Hidden draft", link="https://example.org/draft", shown_to_advisors=False
        )
        response = self.client.get(HOME)
        self.assertContains(response, "How payments work")
        self.assertNotContains(response, "Hidden draft")
        self.assertContains(response, reverse("portal-resources"))

    def test_headings_are_in_order(self) -> None:
        make_meeting(days=3)
        response = self.client.get(HOME)
        html = response.content.decode()
        levels = [
            int(html[i + 2])
            for i in range(len(html))
            if html.startswith("<h", i) and html[i + 2 : i + 3].isdigit()
        ]
        self.assertEqual(levels[0], 1)
        for before, after in zip(levels, levels[1:], strict=False):
            self.assertLessEqual(after, before + 1, levels)


class AnswerFromTheHomeTest(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.advisor_alice)
        self.meeting = make_meeting(days=10, title="Autumn PIEG")
        [self.invitation] = invite(
            self.meeting, self.alice, rsvp=Invitation.RSVP.PENDING, needs="Large print"
        )

    def _answer(self, rsvp: str):
        url = reverse("meetings:portal-detail", args=[self.meeting.pk])
        return self.client.post(url, {"rsvp": rsvp, "from": "home"}, follow=True)

    def test_answering_from_the_home_records_it_and_says_so_in_plain_english(self) -> None:
        response = self._answer("yes")
        self.assertRedirects(response, HOME)
        self.invitation.refresh_from_db()
        self.assertEqual(self.invitation.rsvp, Invitation.RSVP.YES)
        self.assertIsNotNone(self.invitation.responded_at)
        # The quick answer does not wipe what she told us she needs.
        self.assertEqual(self.invitation.needs, "Large print")
        self.assertContains(
            response, "Thank you, we have your answer. You will come to “Autumn PIEG”"
        )
        self.assertNotContains(response, "Can you come? Please tell us")

    def test_a_paused_advisor_can_still_answer_what_she_was_invited_to(self) -> None:
        Advisor.objects.filter(pk=self.alice.pk).update(status=Advisor.Status.PAUSED)
        response = self._answer("no")
        self.invitation.refresh_from_db()
        self.assertEqual(self.invitation.rsvp, Invitation.RSVP.NO)
        self.assertContains(response, "Your involvement is paused")

    def test_a_left_advisor_cannot_answer(self) -> None:
        Advisor.objects.filter(pk=self.alice.pk).update(status=Advisor.Status.LEFT)
        home = self.client.get(HOME)
        self.assertNotContains(home, 'name="rsvp"')
        self.assertContains(home, "You are no longer on the register")
        response = self._answer("yes")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "you cannot answer invitations", status_code=400)
        self.invitation.refresh_from_db()
        self.assertEqual(self.invitation.rsvp, Invitation.RSVP.PENDING)

    def test_a_left_advisor_cannot_propose_agenda_items(self) -> None:
        Meeting.objects.filter(pk=self.meeting.pk).update(
            agenda_deadline=timezone.now() + datetime.timedelta(days=2)
        )
        Advisor.objects.filter(pk=self.alice.pk).update(status=Advisor.Status.LEFT)
        url = reverse("meetings:portal-propose", args=[self.meeting.pk])
        response = self.client.post(url, {"title": "Taxis", "description": "", "speaker": ""})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.meeting.agenda_items.exists())


class PastMeetingsSayWhetherTheyCameTest(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.advisor_alice)

    def test_past_meetings_say_attended_or_not_not_what_she_answered(self) -> None:
        came = make_meeting(days=-7, title="Came to this")
        missed = make_meeting(days=-14, title="Missed this")
        unrecorded = make_meeting(days=-1, title="Not recorded yet")
        for meeting in (came, missed, unrecorded):
            invite(meeting, self.alice)
        Attendance.objects.create(meeting=came, advisor=self.alice, status="attended")
        Attendance.objects.create(meeting=missed, advisor=self.alice, status="absent")
        response = self.client.get(reverse("meetings:portal-list"))
        self.assertContains(response, "You attended.")
        self.assertContains(response, "Marked as not attended.")
        self.assertContains(response, "We have not recorded who came yet.")
        self.assertNotContains(response, "You said yes")
        detail = self.client.get(reverse("meetings:portal-detail", args=[came.pk]))
        self.assertContains(detail, "You attended.")
        self.assertNotContains(detail, "You said yes")


class PortalHomeQueryBudgetTest(BaseTestCase):
    """The home costs the same number of queries with a little or a lot of data."""

    def _add(self, n: int) -> None:
        project = ProjectFactory()
        for i in range(n):
            meeting = make_meeting(days=3 + i, agenda_days=1)
            invite(meeting, self.alice, rsvp=Invitation.RSVP.PENDING)
            past = make_meeting(days=-2 - i)
            invite(past, self.alice)
            Attendance.objects.create(meeting=past, advisor=self.alice, status="attended")
            make_claim(self.alice)
            OpportunityFactory(posted_by=self.staff_sam, project=project)
            make_survey(title=f"Survey {n}-{i}")
            make_impact(project, self.staff_sam, self.alice)
            Resource.objects.create(title=f"Guide {n}-{i}", link="https://example.org/")

    def test_query_count_is_constant(self) -> None:
        self.client.force_login(self.advisor_alice)
        # 1 session, 2 user, 3 her roles, 4 advisor, 5 next invitations (with meetings),
        # 6 meetings she came to with no expense claim, 7 open surveys she has not answered,
        # 8 recent claims, 9 open opportunities (the count rides on each row), 10 latest
        # impact, 11 library.
        self._add(1)
        with self.assertNumQueries(QUERIES):
            self.assertEqual(self.client.get(HOME).status_code, 200)
        self._add(8)
        with self.assertNumQueries(QUERIES):
            response = self.client.get(HOME)
        self.assertContains(response, "9 opportunities are open now.")
