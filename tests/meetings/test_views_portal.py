"""Meetings in the advisor portal: the list, one meeting, answering, proposing agenda items,
and the calendar file and papers that the PIE team and invitees can download."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from ascru_pie.lib.dates import deadline_words, time_words, when_words
from meetings.models import AgendaItem, Invitation, Meeting
from meetings.views.portal import PAST_PER_PAGE
from tests.base import BaseTestCase
from tests.factories import add_paper, invite, make_meeting

LONDON = ZoneInfo("Europe/London")


class PortalMeetingTestCase(BaseTestCase):
    """Alice is invited to the "Spring PIEG"; Bob is invited to "Bob's workshop" only."""

    def setUp(self) -> None:
        super().setUp()
        self.meeting = make_meeting(
            title="Spring PIEG",
            mode=Meeting.Mode.BOTH,
            location="Room 2, Cornwallis Building",
            joining_details="Join on Teams: https://teams.example.org/pieg",
            step_free_access=True,
            hearing_loop=True,
            accessibility_notes="Breaks every hour.",
            preparation_hours=Decimal("1.50"),
            agenda_deadline=timezone.now() + datetime.timedelta(days=3),
        )
        (self.invitation,) = invite(self.meeting, self.alice, rsvp=Invitation.RSVP.PENDING)
        self.bobs_meeting = make_meeting(
            title="Bob's workshop", agenda_deadline=timezone.now() + datetime.timedelta(days=3)
        )
        (self.bobs_invitation,) = invite(self.bobs_meeting, self.bob, rsvp=Invitation.RSVP.PENDING)


# --- dates and times in words ----------------------------------------------------------------


class WhenWordsTest(BaseTestCase):
    def test_a_meeting_reads_as_day_date_and_times(self) -> None:
        start = datetime.datetime(2026, 3, 3, 10, 30, tzinfo=LONDON)
        meeting = Meeting(starts_at=start, ends_at=start + datetime.timedelta(hours=2))
        self.assertEqual(when_words(meeting), "Tuesday 3 March 2026, 10:30am to 12:30pm")

    def test_whole_hours_midday_and_british_summer_time(self) -> None:
        # 09:00 UTC in July is 10am in London.
        start = datetime.datetime(2026, 7, 1, 9, 0, tzinfo=datetime.UTC)
        meeting = Meeting(starts_at=start, ends_at=start + datetime.timedelta(hours=2))
        self.assertEqual(when_words(meeting), "Wednesday 1 July 2026, 10am to midday")
        self.assertEqual(
            time_words(datetime.datetime(2026, 7, 1, 23, 0, tzinfo=datetime.UTC)),
            "midnight",
        )


# --- the list --------------------------------------------------------------------------------


class PortalListTest(PortalMeetingTestCase):
    url = reverse("meetings:portal-list")

    def test_alice_sees_her_meetings_coming_up_and_past_with_her_answers(self) -> None:
        last_month = make_meeting(title="Winter PIEG", days=-30)
        invite(last_month, self.alice, rsvp=Invitation.RSVP.YES)
        self.client.force_login(self.advisor_alice)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual([i.meeting for i in response.context["coming_up"]], [self.meeting])
        self.assertEqual([i.meeting for i in response.context["past"]], [last_month])
        self.assertContains(response, when_words(self.meeting))
        self.assertContains(response, "Online and in person")
        self.assertContains(response, "You have not answered yet")
        self.assertContains(response, "We have not recorded who came yet.")
        self.assertContains(response, reverse("meetings:portal-detail", args=[self.meeting.pk]))
        self.assertNotContains(response, "Bob&#x27;s workshop")

    def test_a_cancelled_meeting_stays_in_coming_up_marked_cancelled_in_words(self) -> None:
        Meeting.objects.filter(pk=self.meeting.pk).update(status=Meeting.Status.CANCELLED)
        self.client.force_login(self.advisor_alice)
        response = self.client.get(self.url)
        self.assertEqual([i.meeting for i in response.context["coming_up"]], [self.meeting])
        self.assertContains(response, "This meeting has been cancelled and will not take place.")

    def test_coming_up_is_soonest_first_and_past_is_most_recent_first(self) -> None:
        later = make_meeting(title="Later", days=20)
        long_ago = make_meeting(title="Long ago", days=-60)
        recent = make_meeting(title="Recent", days=-2)
        invite(later, self.alice, rsvp=Invitation.RSVP.PENDING)
        invite(long_ago, self.alice, rsvp=Invitation.RSVP.PENDING)
        invite(recent, self.alice, rsvp=Invitation.RSVP.PENDING)
        self.client.force_login(self.advisor_alice)
        response = self.client.get(self.url)
        self.assertEqual(
            [i.meeting.title for i in response.context["coming_up"]], ["Spring PIEG", "Later"]
        )
        self.assertEqual(
            [i.meeting.title for i in response.context["past"]], ["Recent", "Long ago"]
        )

    def test_query_count_does_not_grow_with_invitations(self) -> None:
        self.client.force_login(self.advisor_alice)
        invite(make_meeting(title="Past one", days=-10), self.alice, rsvp=Invitation.RSVP.PENDING)
        # session, user, user's groups (role check), meetings coming up, how many past,
        # the page of past ones with their meetings, attendance at those
        with self.assertNumQueries(7):
            response = self.client.get(self.url)
        self.assertEqual(len(response.context["coming_up"]) + len(response.context["past"]), 2)
        for n in range(3 * PAST_PER_PAGE):
            invite(
                make_meeting(title=f"Future {n}", days=10 + n),
                self.alice,
                rsvp=Invitation.RSVP.PENDING,
            )
            invite(
                make_meeting(title=f"Past {n}", days=-20 - n),
                self.alice,
                rsvp=Invitation.RSVP.PENDING,
            )
        with self.assertNumQueries(7):
            response = self.client.get(self.url)
        self.assertEqual(len(response.context["coming_up"]), 1 + 3 * PAST_PER_PAGE)
        self.assertEqual(len(response.context["past"]), PAST_PER_PAGE)

    def test_past_meetings_come_a_page_at_a_time_the_latest_first(self) -> None:
        for n in range(PAST_PER_PAGE + 2):
            invite(make_meeting(title=f"Past {n}", days=-2 - n), self.alice)
        self.client.force_login(self.advisor_alice)
        first = self.client.get(self.url)
        self.assertEqual(
            [i.meeting.title for i in first.context["past"]],
            [f"Past {n}" for n in range(PAST_PER_PAGE)],
        )
        self.assertContains(first, 'aria-label="Pages of past meetings"')
        self.assertContains(first, f"Your {PAST_PER_PAGE + 2} past meetings, the most recent")
        second = self.client.get(self.url, {"page": 2})
        self.assertEqual(
            [i.meeting.title for i in second.context["past"]],
            [f"Past {PAST_PER_PAGE}", f"Past {PAST_PER_PAGE + 1}"],
        )
        # What is coming up stays at the top of every page.
        self.assertEqual([i.meeting for i in second.context["coming_up"]], [self.meeting])

    def test_only_advisors_use_the_portal(self) -> None:
        self.assertRedirects(self.client.get(self.url), f"{reverse('login')}?next={self.url}")
        for user in (self.staff_sam, self.researcher_rita, self.outsider_carol):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url).status_code, 403)


# --- one meeting, and answering it -------------------------------------------------------------


class PortalDetailTest(PortalMeetingTestCase):
    def url(self, meeting: Meeting | None = None) -> str:
        return reverse("meetings:portal-detail", args=[(meeting or self.meeting).pk])

    def test_shows_when_where_access_preparation_papers_and_calendar_link(self) -> None:
        paper = add_paper(self.meeting, "Agenda pack")
        self.client.force_login(self.advisor_alice)
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, when_words(self.meeting))
        self.assertContains(response, "Room 2, Cornwallis Building")
        self.assertContains(response, 'href="https://teams.example.org/pieg"')
        self.assertContains(response, "<li>Step-free access</li>", html=True)
        self.assertContains(response, "<li>Hearing loop</li>", html=True)
        self.assertContains(response, "Breaks every hour.")
        self.assertContains(response, "1.5 hours. We pay you for this time")
        self.assertContains(response, reverse("meetings:paper", args=[paper.pk]))
        self.assertContains(response, reverse("meetings:ics", args=[self.meeting.pk]))
        self.assertContains(response, "Add to my calendar")
        # The answer choices are yes, no and maybe: "not answered yet" is not an answer.
        self.assertContains(response, 'type="radio"', count=3)
        self.assertNotContains(response, 'value="pending"')
        self.assertContains(response, 'name="answer"')

    def test_bob_gets_404_on_a_meeting_he_is_not_invited_to(self) -> None:
        self.client.force_login(self.advisor_bob)
        self.assertEqual(self.client.get(self.url()).status_code, 404)
        response = self.client.post(self.url(), {"rsvp": "no", "needs": "", "answer": "1"})
        self.assertEqual(response.status_code, 404)
        self.invitation.refresh_from_db()
        self.assertEqual(self.invitation.rsvp, Invitation.RSVP.PENDING)
        self.assertFalse(Invitation.objects.filter(meeting=self.meeting, advisor=self.bob).exists())

    def test_alice_answers_yes_with_what_she_needs(self) -> None:
        # Bob is invited too: Alice's answer must change her invitation only.
        (bobs,) = invite(self.meeting, self.bob, rsvp=Invitation.RSVP.PENDING)
        self.client.force_login(self.advisor_alice)
        response = self.client.post(
            self.url(), {"rsvp": "yes", "needs": "Large-print papers", "answer": "1"}, follow=True
        )
        self.assertRedirects(response, self.url())
        self.assertContains(response, "Thank you, we have your answer.")
        self.assertContains(response, "You said yes, you will come")
        self.invitation.refresh_from_db()
        self.assertEqual(self.invitation.rsvp, Invitation.RSVP.YES)
        self.assertEqual(self.invitation.needs, "Large-print papers")
        self.assertIsNotNone(self.invitation.responded_at)
        bobs.refresh_from_db()
        self.assertEqual(
            (bobs.rsvp, bobs.needs, bobs.responded_at), (Invitation.RSVP.PENDING, "", None)
        )
        self.bobs_invitation.refresh_from_db()
        self.assertEqual(self.bobs_invitation.rsvp, Invitation.RSVP.PENDING)

    def test_bob_answering_his_own_meeting_changes_only_his_invitation(self) -> None:
        self.client.force_login(self.advisor_bob)
        response = self.client.post(
            self.url(self.bobs_meeting), {"rsvp": "no", "needs": "", "answer": "1"}
        )
        self.assertRedirects(response, self.url(self.bobs_meeting))
        self.bobs_invitation.refresh_from_db()
        self.assertEqual(self.bobs_invitation.rsvp, Invitation.RSVP.NO)
        self.invitation.refresh_from_db()
        self.assertEqual(self.invitation.rsvp, Invitation.RSVP.PENDING)

    def test_the_form_shows_the_answer_already_given(self) -> None:
        Invitation.objects.filter(pk=self.invitation.pk).update(
            rsvp=Invitation.RSVP.MAYBE, needs="A taxi"
        )
        self.client.force_login(self.advisor_alice)
        response = self.client.get(self.url())
        self.assertEqual(
            response.context["rsvp_form"].initial, {"rsvp": "maybe", "needs": "A taxi"}
        )
        self.assertContains(response, "Change my answer")

    def test_no_answer_chosen_is_an_error_and_nothing_changes(self) -> None:
        self.client.force_login(self.advisor_alice)
        for data in (
            {"needs": "A taxi", "answer": "1"},
            {"rsvp": "pending", "needs": "", "answer": "1"},
        ):
            with self.subTest(data=data):
                response = self.client.post(self.url(), data)
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, "There is a problem", status_code=400)
                self.assertContains(
                    response, "Choose whether you can come: yes, no or maybe.", status_code=400
                )
                self.assertContains(response, 'href="#id_rsvp_0"', status_code=400)
                self.assertTrue(response.context["error_form"])
        self.invitation.refresh_from_db()
        self.assertEqual(
            (self.invitation.rsvp, self.invitation.needs), (Invitation.RSVP.PENDING, "")
        )

    def test_a_cancelled_meeting_says_so_and_has_no_answer_form(self) -> None:
        Meeting.objects.filter(pk=self.meeting.pk).update(status=Meeting.Status.CANCELLED)
        self.client.force_login(self.advisor_alice)
        response = self.client.get(self.url())
        self.assertContains(response, "This meeting has been cancelled")
        self.assertNotContains(response, 'type="radio"')
        self.assertNotContains(response, 'name="answer"')
        self.assertNotContains(response, "Propose an item for the agenda")
        # A stale form sent anyway is refused, with the reason.
        response = self.client.post(self.url(), {"rsvp": "yes", "needs": "", "answer": "1"})
        self.assertContains(response, "This meeting has been cancelled.", status_code=400)
        self.invitation.refresh_from_db()
        self.assertEqual(self.invitation.rsvp, Invitation.RSVP.PENDING)

    def test_published_agenda_lists_accepted_items_in_order(self) -> None:
        def item(title, status, order):
            return AgendaItem.objects.create(
                meeting=self.meeting,
                title=title,
                status=status,
                order=order,
                proposed_by=self.staff_sam,
            )

        item("Second item", AgendaItem.Status.ACCEPTED, 2)
        item("First item", AgendaItem.Status.ACCEPTED, 1)
        item("Not this one", AgendaItem.Status.DECLINED, 3)
        item("Nor this one", AgendaItem.Status.PROPOSED, 0)
        self.client.force_login(self.advisor_alice)
        response = self.client.get(self.url())
        self.assertEqual(response.context["agenda"], [])
        self.assertContains(response, "The agenda has not been published yet.")
        Meeting.objects.filter(pk=self.meeting.pk).update(agenda_published_at=timezone.now())
        response = self.client.get(self.url())
        self.assertEqual(
            [i.title for i in response.context["agenda"]], ["First item", "Second item"]
        )
        self.assertNotContains(response, "Not this one")
        self.assertNotContains(response, "Nor this one")

    def test_alice_sees_what_happened_to_her_proposals_and_why(self) -> None:
        for title, status, reason in [
            ("Travel costs", AgendaItem.Status.PROPOSED, ""),
            ("Parking", AgendaItem.Status.DEFERRED, "We will discuss it in June."),
            ("Catering", AgendaItem.Status.DECLINED, "This is for the building manager."),
        ]:
            AgendaItem.objects.create(
                meeting=self.meeting,
                title=title,
                status=status,
                reason=reason,
                proposed_by=self.advisor_alice,
            )
        AgendaItem.objects.create(
            meeting=self.meeting, title="Bob's idea", proposed_by=self.advisor_bob
        )
        self.client.force_login(self.advisor_alice)
        response = self.client.get(self.url())
        self.assertContains(response, "Your proposals")
        self.assertEqual(
            [i.title for i in response.context["proposals"]],
            ["Travel costs", "Parking", "Catering"],
        )
        self.assertContains(response, "Waiting for the PIE team to decide")
        self.assertContains(response, "Moved to a later meeting")
        self.assertContains(response, "Reason: We will discuss it in June.")
        self.assertContains(response, "Not accepted")
        self.assertContains(response, "Reason: This is for the building manager.")
        self.assertNotContains(response, "Bob&#x27;s idea")

    def test_minutes_are_shown_once_published(self) -> None:
        Meeting.objects.filter(pk=self.meeting.pk).update(minutes="We agreed to meet in June.")
        self.client.force_login(self.advisor_alice)
        self.assertNotContains(self.client.get(self.url()), "We agreed to meet in June.")
        Meeting.objects.filter(pk=self.meeting.pk).update(minutes_published=True)
        self.assertContains(
            self.client.get(self.url()), "<p>We agreed to meet in June.</p>", html=True
        )

    def test_query_count_does_not_grow_with_papers_and_proposals(self) -> None:
        Meeting.objects.filter(pk=self.meeting.pk).update(agenda_published_at=timezone.now())
        self.client.force_login(self.advisor_alice)
        # session, user, user's groups (role check), invitation with meeting,
        # Alice's proposals, the published agenda, papers
        with self.assertNumQueries(7):
            self.client.get(self.url())
        for n in range(4):
            add_paper(self.meeting, f"Paper {n}")
            AgendaItem.objects.create(
                meeting=self.meeting,
                title=f"Item {n}",
                proposed_by=self.advisor_alice,
                status=AgendaItem.Status.ACCEPTED,
            )
        with self.assertNumQueries(7):
            self.client.get(self.url())

    def test_only_advisors_use_the_portal(self) -> None:
        self.assertRedirects(self.client.get(self.url()), f"{reverse('login')}?next={self.url()}")
        self.client.force_login(self.staff_sam)
        self.assertEqual(self.client.get(self.url()).status_code, 403)


# --- proposing an agenda item ------------------------------------------------------------------


class AgendaProposeTest(PortalMeetingTestCase):
    def url(self, meeting: Meeting | None = None) -> str:
        return reverse("meetings:portal-propose", args=[(meeting or self.meeting).pk])

    def proposal(self, **overrides) -> dict:
        return {
            "title": "Travel costs",
            "description": "Taxis are hard to book.",
            "speaker": "Me",
            **overrides,
        }

    def test_alice_proposes_an_item_before_the_deadline(self) -> None:
        self.client.force_login(self.advisor_alice)
        response = self.client.post(self.url(), self.proposal(), follow=True)
        self.assertRedirects(response, reverse("meetings:portal-detail", args=[self.meeting.pk]))
        self.assertContains(response, "We have your proposal “Travel costs”.")
        item = AgendaItem.objects.get()
        self.assertEqual(
            (
                item.meeting,
                item.proposed_by,
                item.title,
                item.description,
                item.speaker,
                item.status,
            ),
            (
                self.meeting,
                self.advisor_alice,
                "Travel costs",
                "Taxis are hard to book.",
                "Me",
                "proposed",
            ),
        )
        self.assertContains(response, "Waiting for the PIE team to decide")

    def test_proposals_after_the_deadline_are_refused_with_the_deadline_and_nothing_is_saved(
        self,
    ) -> None:
        deadline = timezone.now() - datetime.timedelta(hours=1)
        Meeting.objects.filter(pk=self.meeting.pk).update(agenda_deadline=deadline)
        self.client.force_login(self.advisor_alice)
        response = self.client.post(self.url(), self.proposal())
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "There is a problem", status_code=400)
        self.assertContains(
            response,
            f"The deadline for agenda proposals was {deadline_words(deadline)}.",
            status_code=400,
        )
        self.assertTrue(response["Content-Type"].startswith("text/html"))
        self.assertFalse(AgendaItem.objects.exists())

    def test_bob_cannot_propose_for_a_meeting_he_is_not_invited_to(self) -> None:
        self.client.force_login(self.advisor_bob)
        self.assertEqual(self.client.post(self.url(), self.proposal()).status_code, 404)
        self.assertFalse(AgendaItem.objects.exists())

    def test_a_title_is_needed(self) -> None:
        self.client.force_login(self.advisor_alice)
        response = self.client.post(self.url(), self.proposal(title=" "))
        self.assertContains(
            response, "Enter a short title for the item you would like to add.", status_code=400
        )
        self.assertContains(response, 'href="#id_title"', status_code=400)
        self.assertFalse(AgendaItem.objects.exists())

    def test_post_only_and_advisors_only(self) -> None:
        self.assertRedirects(
            self.client.post(self.url(), self.proposal()), f"{reverse('login')}?next={self.url()}"
        )
        self.client.force_login(self.advisor_alice)
        self.assertEqual(self.client.get(self.url()).status_code, 405)
        self.client.force_login(self.staff_sam)
        self.assertEqual(self.client.post(self.url(), self.proposal()).status_code, 403)
        self.assertFalse(AgendaItem.objects.exists())


# --- calendar file -----------------------------------------------------------------------------


class MeetingIcsTest(PortalMeetingTestCase):
    def url(self, meeting: Meeting | None = None) -> str:
        return reverse("meetings:ics", args=[(meeting or self.meeting).pk])

    def test_alice_downloads_the_calendar_file_of_her_meeting(self) -> None:
        self.client.force_login(self.advisor_alice)
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("text/calendar"))
        self.assertEqual(
            response["Content-Disposition"], f'attachment; filename="meeting-{self.meeting.pk}.ics"'
        )
        body = response.content.decode()
        self.assertIn("SUMMARY:Spring PIEG", body)
        self.assertIn("DTSTART", body)

    def test_the_pie_team_downloads_any_meeting(self) -> None:
        self.client.force_login(self.staff_sam)
        self.assertEqual(self.client.get(self.url(self.bobs_meeting)).status_code, 200)

    def test_others_cannot(self) -> None:
        self.assertRedirects(self.client.get(self.url()), f"{reverse('login')}?next={self.url()}")
        self.client.force_login(self.advisor_bob)
        self.assertEqual(self.client.get(self.url()).status_code, 404)
        self.client.force_login(self.researcher_rita)
        self.assertEqual(self.client.get(self.url()).status_code, 403)


# --- papers ------------------------------------------------------------------------------------


class PaperDownloadTest(PortalMeetingTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.paper = add_paper(self.meeting)
        self.url = reverse("meetings:paper", args=[self.paper.pk])

    def test_alice_downloads_a_paper_of_her_meeting(self) -> None:
        self.client.force_login(self.advisor_alice)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Disposition"].startswith("attachment;"))
        self.assertEqual(b"".join(response.streaming_content), b"%PDF-1.4 meeting papers")

    def test_the_pie_team_downloads_any_paper(self) -> None:
        self.client.force_login(self.staff_sam)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(b"".join(response.streaming_content))

    def test_papers_are_404_for_advisors_not_invited(self) -> None:
        self.client.force_login(self.advisor_bob)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        missing = reverse("meetings:paper", args=[self.paper.pk + 1000])
        self.assertEqual(self.client.get(missing).status_code, 404)

    def test_other_roles_and_anonymous_cannot(self) -> None:
        self.assertRedirects(self.client.get(self.url), f"{reverse('login')}?next={self.url}")
        self.client.force_login(self.researcher_rita)
        self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_a_paper_whose_file_is_missing_is_404_not_an_error(self) -> None:
        self.paper.file.storage.delete(self.paper.file.name)
        self.client.force_login(self.advisor_alice)
        self.assertEqual(self.client.get(self.url).status_code, 404)
