"""The PIE team's meeting pages: the list, the roster and its CSV, inviting, the agenda, cancelling."""

import csv
import datetime
import io

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from advisors.models import Advisor, ContactMethod, EqualityMonitoring
from ascru_pie.roles import Role
from meetings.models import AgendaItem, Attendance, Invitation, Meeting
from meetings.views.staff import MEETINGS_PER_PAGE
from projects.models import ProjectAdvisor
from tests.base import BaseTestCase
from tests.factories import AdvisorFactory, ProjectFactory, invite, make_meeting


def propose(meeting: Meeting, by, title: str, order: int = 0) -> AgendaItem:
    return AgendaItem.objects.create(meeting=meeting, proposed_by=by, title=title, order=order)


def emailed(address: str) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if address in m.to]


class StaffMeetingTestCase(BaseTestCase):
    """Sam runs the "Spring PIEG" next week. Alice needs a wheelchair-accessible taxi;
    Bob prefers phone calls."""

    def setUp(self) -> None:
        super().setUp()
        Advisor.objects.filter(pk=self.alice.pk).update(
            support_needs="Wheelchair user; needs an accessible taxi.", enhanced_support=True
        )
        Advisor.objects.filter(pk=self.bob.pk).update(
            contact_method=ContactMethod.PHONE, phone="07700 900123"
        )
        self.alice.refresh_from_db()
        self.bob.refresh_from_db()
        self.meeting = make_meeting(title="Spring PIEG", agenda_days=2)
        self.client.force_login(self.staff_sam)

    def messages_of(self, response) -> list[str]:
        return [str(m) for m in response.context["messages"]]


# --- Access -------------------------------------------------------------------------------


class AccessTest(StaffMeetingTestCase):
    def urls(self) -> list[tuple[str, str]]:
        pk = self.meeting.pk
        return [
            ("get", reverse("meetings:list")),
            ("get", reverse("meetings:detail", args=[pk])),
            ("get", reverse("meetings:roster-csv", args=[pk])),
            ("get", reverse("reminders:meeting-invite", args=[pk])),
            ("get", reverse("meetings:agenda", args=[pk])),
            ("post", reverse("reminders:meeting-cancel", args=[pk])),
        ]

    def test_only_the_pie_team_gets_in(self) -> None:
        for role in (Role.ADVISOR, Role.RESEARCHER, Role.MANAGER, Role.FINANCE):
            self.client.force_login(self.persona(role))
            for method, url in self.urls():
                with self.subTest(role=str(role), url=url):
                    self.assertEqual(getattr(self.client, method)(url).status_code, 403)
        self.client.force_login(self.outsider_carol)
        for method, url in self.urls():
            with self.subTest(role="none", url=url):
                self.assertEqual(getattr(self.client, method)(url).status_code, 403)
        self.meeting.refresh_from_db()
        self.assertEqual(self.meeting.status, Meeting.Status.SCHEDULED)

    def test_anonymous_visitors_are_sent_to_login(self) -> None:
        self.client.logout()
        for method, url in self.urls():
            with self.subTest(url=url):
                response = getattr(self.client, method)(url)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response.url.startswith(reverse("login")))

    def test_sam_opens_every_page(self) -> None:
        for _method, url in self.urls()[:-1]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_cancel_is_post_only(self) -> None:
        response = self.client.get(reverse("reminders:meeting-cancel", args=[self.meeting.pk]))
        self.assertEqual(response.status_code, 405)

    def test_a_meeting_that_does_not_exist_is_404(self) -> None:
        self.assertEqual(
            self.client.get(reverse("meetings:detail", args=[999999])).status_code, 404
        )


# --- The list -----------------------------------------------------------------------------


class MeetingListTest(StaffMeetingTestCase):
    url = reverse("meetings:list")

    def test_upcoming_meetings_with_answers_counted(self) -> None:
        carol = AdvisorFactory()
        invite(self.meeting, self.alice, rsvp=Invitation.RSVP.YES)
        invite(self.meeting, self.bob, rsvp=Invitation.RSVP.MAYBE)
        invite(self.meeting, carol, rsvp=Invitation.RSVP.NO)
        make_meeting(
            title="Last month's PIEG", starts_at=timezone.now() - datetime.timedelta(days=30)
        )

        response = self.client.get(self.url)

        self.assertEqual(response.status_code, 200)
        self.assertEqual([m.title for m in response.context["meetings"]], ["Spring PIEG"])
        row = response.context["meetings"][0]
        self.assertEqual((row.n_invited, row.n_yes, row.n_maybe, row.n_no), (3, 1, 1, 1))
        self.assertContains(response, reverse("meetings:detail", args=[self.meeting.pk]))
        self.assertContains(response, "Scheduled")
        self.assertContains(response, reverse("admin:meetings_meeting_add"))
        self.assertContains(response, 'for="id_type"')
        self.assertNotContains(response, "Last month&#x27;s PIEG")

    def test_filters_past_type_and_project(self) -> None:
        project = ProjectFactory(title="Home care study")
        last_month = timezone.now() - datetime.timedelta(days=30)
        make_meeting(title="Old PIEG", starts_at=last_month)
        make_meeting(
            title="Old workshop", type=Meeting.Type.WORKSHOP, starts_at=last_month, project=project
        )
        make_meeting(
            title="Older workshop",
            type=Meeting.Type.WORKSHOP,
            starts_at=last_month - datetime.timedelta(days=7),
        )

        response = self.client.get(self.url, {"when": "past"})
        self.assertEqual(
            [m.title for m in response.context["meetings"]],
            ["Old PIEG", "Old workshop", "Older workshop"],
        )
        self.assertContains(response, "Took place: attendance not recorded yet")

        response = self.client.get(self.url, {"when": "past", "type": "workshop"})
        self.assertEqual(
            [m.title for m in response.context["meetings"]], ["Old workshop", "Older workshop"]
        )

        response = self.client.get(
            self.url, {"when": "past", "type": "workshop", "project": project.pk}
        )
        self.assertEqual([m.title for m in response.context["meetings"]], ["Old workshop"])

    def test_an_unknown_filter_value_is_reported_and_left_out(self) -> None:
        response = self.client.get(self.url, {"type": "picnic"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "There is a problem")
        self.assertEqual([m.title for m in response.context["meetings"]], ["Spring PIEG"])

    def test_share_of_management_meetings_with_an_advisor_present(self) -> None:
        week = datetime.timedelta(days=7)
        held = [
            make_meeting(
                title=f"Management {n}",
                type=Meeting.Type.MANAGEMENT,
                starts_at=timezone.now() - n * week,
            )
            for n in (1, 2, 3)
        ]
        Attendance.objects.create(
            meeting=held[0], advisor=self.alice, status=Attendance.Status.ATTENDED
        )
        Attendance.objects.create(
            meeting=held[1], advisor=self.bob, status=Attendance.Status.ABSENT
        )

        response = self.client.get(self.url)

        self.assertContains(response, "1 of 3 management meetings (33%) had an advisor present.")

    def test_no_management_meetings_yet(self) -> None:
        self.assertContains(self.client.get(self.url), "No management meetings have been held yet")

    def _meetings_with_invitees(self, n: int) -> None:
        for i in range(n):
            meeting = make_meeting(title=f"Meeting {i}", project=ProjectFactory())
            invite(meeting, self.alice, rsvp=Invitation.RSVP.YES)
            invite(meeting, self.bob, rsvp=Invitation.RSVP.NO)

    def test_query_count_does_not_grow_with_meetings(self) -> None:
        # session, user, the user's groups (role check), how many meetings, the page of them
        # with their counts and projects, the projects for the filter, management meetings
        # held, those with an advisor.
        self._meetings_with_invitees(2)
        with self.assertNumQueries(8):
            self.assertEqual(len(self.client.get(self.url).context["meetings"]), 3)
        self._meetings_with_invitees(MEETINGS_PER_PAGE + 5)
        with self.assertNumQueries(8):
            self.assertEqual(len(self.client.get(self.url).context["meetings"]), MEETINGS_PER_PAGE)

    def test_past_meetings_come_a_page_at_a_time_page_2_has_the_older_ones(self) -> None:
        for n in range(MEETINGS_PER_PAGE + 1):
            meeting = make_meeting(title=f"Past {n}", days=-1 - n)
            invite(meeting, self.alice, rsvp=Invitation.RSVP.YES)
        first = self.client.get(self.url, {"when": "past"})
        self.assertEqual(first.context["meetings"][0].title, "Past 0")
        self.assertEqual(first.context["meetings"][0].n_yes, 1)
        self.assertContains(first, 'aria-label="Pages of meetings"')
        self.assertContains(first, f"({MEETINGS_PER_PAGE + 1}; 1 to {MEETINGS_PER_PAGE} shown)")
        second = self.client.get(self.url, {"when": "past", "page": 2})
        self.assertEqual(
            [m.title for m in second.context["meetings"]], [f"Past {MEETINGS_PER_PAGE}"]
        )
        # The filter is kept in the page links.
        self.assertContains(first, "?when=past&amp;page=2")


# --- One meeting and its roster -----------------------------------------------------------


class MeetingDetailTest(StaffMeetingTestCase):
    def url(self, meeting: Meeting | None = None) -> str:
        return reverse("meetings:detail", args=[(meeting or self.meeting).pk])

    def test_roster_shows_answers_this_meetings_needs_and_standing_needs(self) -> None:
        invite(
            self.meeting, self.alice, rsvp=Invitation.RSVP.YES, needs="Large-print papers by post"
        )
        invite(self.meeting, self.bob, rsvp=Invitation.RSVP.MAYBE)

        response = self.client.get(self.url())

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h1>Spring PIEG</h1>", html=True)
        self.assertContains(response, "Yes, coming")
        self.assertContains(response, "Maybe")
        self.assertContains(response, "Large-print papers by post")
        self.assertContains(response, "Wheelchair user; needs an accessible taxi.")
        self.assertContains(response, "Yes, enhanced support")
        self.assertContains(response, "Phone: 07700 900123")
        self.assertContains(
            response, "2 invited: 1 coming, 1 maybe, 0 cannot come, 0 not answered yet."
        )

    def test_links_to_everything_about_the_meeting(self) -> None:
        response = self.client.get(self.url())
        pk = self.meeting.pk
        # Recording attendance pays for it, so that page lives in payments.
        names = (
            "meetings:roster-csv",
            "reminders:meeting-invite",
            "meetings:agenda",
            "payments:attendance",
            "meetings:ics",
            "reminders:meeting-cancel",
        )
        for name in names:
            with self.subTest(name=name):
                self.assertContains(response, reverse(name, args=[pk]))
        self.assertContains(response, reverse("admin:meetings_meeting_change", args=[pk]))
        self.assertContains(response, "Cancel this meeting</button>")

    def test_a_cancelled_meeting_has_no_cancel_button(self) -> None:
        Meeting.objects.filter(pk=self.meeting.pk).update(
            status=Meeting.Status.CANCELLED,
            cancelled_at=timezone.now(),
            cancellation_notified_at=timezone.now(),
        )
        response = self.client.get(self.url())
        self.assertContains(response, "This meeting was cancelled")
        self.assertNotContains(
            response, reverse("reminders:meeting-cancel", args=[self.meeting.pk])
        )
        self.assertNotContains(
            response, reverse("reminders:meeting-invite", args=[self.meeting.pk])
        )

    def test_query_count_does_not_grow_with_invitees(self) -> None:
        # session, user, the user's groups (role check), the meeting with its project,
        # the invitations with their advisors, the reminder log summary.
        for _ in range(2):
            invite(self.meeting, AdvisorFactory(), rsvp=Invitation.RSVP.PENDING)
        with self.assertNumQueries(6):
            self.assertEqual(len(self.client.get(self.url()).context["invitations"]), 2)
        for _ in range(8):
            invite(self.meeting, AdvisorFactory(), rsvp=Invitation.RSVP.PENDING)
        with self.assertNumQueries(6):
            self.assertEqual(len(self.client.get(self.url()).context["invitations"]), 10)


class RosterCsvTest(StaffMeetingTestCase):
    def rows(self, response) -> list[list[str]]:
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))

    def test_csv_has_contact_details_answers_and_needs(self) -> None:
        invite(self.meeting, self.alice, rsvp=Invitation.RSVP.YES, needs="Large-print papers")
        invite(self.meeting, self.bob, rsvp=Invitation.RSVP.NO)

        response = self.client.get(reverse("meetings:roster-csv", args=[self.meeting.pk]))

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn("attachment;", response["Content-Disposition"])
        self.assertEqual(
            self.rows(response),
            [
                [
                    "Name",
                    "Email",
                    "Phone",
                    "Preferred contact",
                    "Answer",
                    "Needs for this meeting",
                    "Standing support needs",
                    "Enhanced support",
                ],
                [
                    "Alice Ashby",
                    self.alice.email,
                    "",
                    "Email",
                    "Yes, coming",
                    "Large-print papers",
                    "Wheelchair user; needs an accessible taxi.",
                    "Yes",
                ],
                [
                    "Bob Brown",
                    self.bob.email,
                    "07700 900123",
                    "Phone",
                    "No, cannot come",
                    "",
                    "",
                    "No",
                ],
            ],
        )

    def test_csv_never_holds_equality_data(self) -> None:
        EqualityMonitoring.objects.create(
            advisor=self.alice,
            ethnicity=EqualityMonitoring.Ethnicity.ASIAN,
            sex=EqualityMonitoring.Sex.FEMALE,
        )
        invite(self.meeting, self.alice, rsvp=Invitation.RSVP.PENDING)
        content = self.client.get(
            reverse("meetings:roster-csv", args=[self.meeting.pk])
        ).content.decode()
        self.assertNotIn("Asian", content)
        self.assertNotIn("Female", content)

    def test_a_value_a_spreadsheet_would_run_as_a_formula_is_quoted(self) -> None:
        invite(
            self.meeting,
            self.alice,
            rsvp=Invitation.RSVP.PENDING,
            needs='=HYPERLINK("http://evil.example")',
        )
        rows = self.rows(self.client.get(reverse("meetings:roster-csv", args=[self.meeting.pk])))
        self.assertEqual(rows[1][5], '\'=HYPERLINK("http://evil.example")')

    def test_query_count_does_not_grow_with_invitees(self) -> None:
        # session, user, the user's groups, the meeting, the invitations with their advisors.
        for _ in range(2):
            invite(self.meeting, AdvisorFactory(), rsvp=Invitation.RSVP.PENDING)
        with self.assertNumQueries(5):
            self.client.get(reverse("meetings:roster-csv", args=[self.meeting.pk]))
        for _ in range(8):
            invite(self.meeting, AdvisorFactory(), rsvp=Invitation.RSVP.PENDING)
        with self.assertNumQueries(5):
            self.client.get(reverse("meetings:roster-csv", args=[self.meeting.pk]))


# --- Inviting -----------------------------------------------------------------------------


class InviteTest(StaffMeetingTestCase):
    def url(self, meeting: Meeting | None = None) -> str:
        return reverse("reminders:meeting-invite", args=[(meeting or self.meeting).pk])

    def post(self, data: dict, meeting: Meeting | None = None):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(self.url(meeting), data, follow=True)

    def invited(self, meeting: Meeting | None = None) -> set[str]:
        return {
            i.advisor.full_name
            for i in (meeting or self.meeting).invitations.select_related("advisor")
        }

    def test_the_form_offers_chosen_advisors_or_the_pieg(self) -> None:
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "The whole PIEG")
        self.assertContains(response, "Advisors I choose below")
        # A checkbox per active advisor, saying how each prefers to be contacted.
        self.assertContains(response, 'type="checkbox" name="advisors"', count=2)
        self.assertContains(response, "Bob Brown (Phone)")
        # This meeting has no project, so there is no project team to offer.
        self.assertNotContains(response, "The project team")

    def test_inviting_the_pieg_invites_its_active_members_and_emails_those_who_prefer_email(
        self,
    ) -> None:
        Advisor.objects.filter(pk__in=[self.alice.pk, self.bob.pk]).update(pieg_member=True)
        AdvisorFactory(
            first_name="Paula", last_name="Paused", pieg_member=True, status=Advisor.Status.PAUSED
        )
        AdvisorFactory(first_name="Nina", last_name="Nonmember")

        response = self.post({"who": "pieg"})

        self.assertRedirects(response, reverse("meetings:detail", args=[self.meeting.pk]))
        self.assertEqual(self.invited(), {"Alice Ashby", "Bob Brown"})
        self.assertIn("2 advisors invited.", self.messages_of(response))
        # Bob prefers phone calls: he is not emailed, and Sam is told to contact him.
        self.assertEqual(len(emailed(self.alice.email)), 1)
        self.assertEqual(emailed(self.bob.email), [])
        self.assertTrue(
            any(
                "Bob Brown" in m and "list of people to call or write to" in m
                for m in self.messages_of(response)
            )
        )

    def test_inviting_the_project_team(self) -> None:
        project = ProjectFactory(title="Home care study")
        meeting = make_meeting(
            title="Study advisory group", type=Meeting.Type.PROJECT, project=project
        )
        ProjectAdvisor.objects.create(project=project, advisor=self.alice, role="Interview advisor")
        ProjectAdvisor.objects.create(project=project, advisor=self.alice, role="Analysis advisor")
        other = ProjectFactory()
        ProjectAdvisor.objects.create(project=other, advisor=self.bob, role="Interview advisor")

        self.assertContains(
            self.client.get(self.url(meeting)), "The project team of “Home care study”"
        )
        response = self.post({"who": "project"}, meeting)

        self.assertRedirects(response, reverse("meetings:detail", args=[meeting.pk]))
        self.assertEqual(self.invited(meeting), {"Alice Ashby"})
        self.assertIn("1 advisor invited.", self.messages_of(response))

    def test_inviting_one_advisor(self) -> None:
        response = self.post({"who": "chosen", "advisors": [self.alice.pk]})
        self.assertEqual(self.invited(), {"Alice Ashby"})
        self.assertIn("1 advisor invited.", self.messages_of(response))
        invitation = self.meeting.invitations.get()
        self.assertEqual(invitation.invited_by, self.staff_sam)
        self.assertEqual(invitation.rsvp, Invitation.RSVP.PENDING)

    def test_choosing_needs_an_advisor_ticked(self) -> None:
        response = self.client.post(self.url(), {"who": "chosen"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Choose at least one advisor to invite.", status_code=400)
        self.assertFalse(self.meeting.invitations.exists())

    def test_a_paused_advisor_cannot_be_chosen(self) -> None:
        paused = AdvisorFactory(status=Advisor.Status.PAUSED)
        response = self.client.post(self.url(), {"who": "chosen", "advisors": [paused.pk]})
        self.assertContains(response, "Choose active advisors from the list.", status_code=400)
        self.assertFalse(self.meeting.invitations.exists())

    def test_people_already_invited_are_skipped(self) -> None:
        Advisor.objects.filter(pk__in=[self.alice.pk, self.bob.pk]).update(pieg_member=True)
        invite(self.meeting, self.alice, rsvp=Invitation.RSVP.YES, needs="A taxi")

        response = self.post({"who": "pieg"})

        self.assertIn(
            "1 advisor invited. Already invited, so not invited again: Alice Ashby.",
            self.messages_of(response),
        )
        self.assertEqual(self.invited(), {"Alice Ashby", "Bob Brown"})
        alice = self.meeting.invitations.get(advisor=self.alice)
        self.assertEqual((alice.rsvp, alice.needs), (Invitation.RSVP.YES, "A taxi"))
        self.assertEqual(emailed(self.alice.email), [])

    def test_a_clash_is_shown_first_and_invite_anyway_invites(self) -> None:
        other = make_meeting(
            title="Workshop on care homes",
            type=Meeting.Type.WORKSHOP,
            starts_at=self.meeting.starts_at + datetime.timedelta(hours=1),
        )
        invite(other, self.alice, rsvp=Invitation.RSVP.MAYBE)

        response = self.client.post(self.url(), {"who": "chosen", "advisors": [self.alice.pk]})

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Alice Ashby is already invited to")
        self.assertContains(response, "Workshop on care homes</a>\n      at an overlapping time")
        self.assertContains(response, "Invite anyway")
        self.assertFalse(self.meeting.invitations.exists())

        response = self.post({"who": "chosen", "advisors": [self.alice.pk], "confirm": "1"})

        self.assertRedirects(response, reverse("meetings:detail", args=[self.meeting.pk]))
        self.assertEqual(self.invited(), {"Alice Ashby"})

    def test_no_clash_with_a_meeting_they_said_no_to(self) -> None:
        other = make_meeting(title="Workshop", starts_at=self.meeting.starts_at)
        invite(other, self.alice, rsvp=Invitation.RSVP.NO)
        response = self.post({"who": "chosen", "advisors": [self.alice.pk]})
        self.assertRedirects(response, reverse("meetings:detail", args=[self.meeting.pk]))

    def test_no_one_can_be_invited_to_a_cancelled_meeting(self) -> None:
        Meeting.objects.filter(pk=self.meeting.pk).update(status=Meeting.Status.CANCELLED)
        response = self.client.get(self.url())
        self.assertContains(response, "This meeting has been cancelled, so no one can be invited.")
        response = self.client.post(self.url(), {"who": "chosen", "advisors": [self.alice.pk]})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.meeting.invitations.exists())


# --- The agenda ---------------------------------------------------------------------------


class AgendaTest(StaffMeetingTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.transport = propose(self.meeting, self.advisor_alice, "Transport to meetings", order=1)
        self.newsletter = propose(self.meeting, self.advisor_bob, "The newsletter", order=2)

    def url(self) -> str:
        return reverse("meetings:agenda", args=[self.meeting.pk])

    def decisions(self, **rows: tuple[str, str, int]) -> dict:
        data = {"action": "decide"}
        for name, (status, reason, order) in rows.items():
            item = getattr(self, name)
            data |= {
                f"item-{item.pk}-status": status,
                f"item-{item.pk}-reason": reason,
                f"item-{item.pk}-order": order,
            }
        return data

    def test_lists_the_proposed_items(self) -> None:
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Transport to meetings")
        self.assertContains(response, "The newsletter")
        self.assertContains(response, "Not published yet.")
        self.assertContains(response, "Decision on “Transport to meetings”")

    def test_decisions_are_saved_together(self) -> None:
        response = self.client.post(
            self.url(),
            self.decisions(
                transport=("accepted", "", 2),
                newsletter=("deferred", "Next meeting has more time.", 1),
            ),
        )
        self.assertRedirects(response, self.url())
        self.transport.refresh_from_db()
        self.newsletter.refresh_from_db()
        self.assertEqual((self.transport.status, self.transport.order), ("accepted", 2))
        self.assertEqual(
            (self.newsletter.status, self.newsletter.reason, self.newsletter.order),
            ("deferred", "Next meeting has more time.", 1),
        )

    def test_declining_without_a_reason_saves_nothing(self) -> None:
        response = self.client.post(
            self.url(),
            self.decisions(transport=("accepted", "", 1), newsletter=("declined", "  ", 2)),
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Give a reason when deferring or declining", status_code=400)
        self.assertContains(
            response, f'id="id_item-{self.newsletter.pk}-reason_error"', status_code=400
        )
        self.assertContains(response, "Nothing was saved.", status_code=400)
        self.transport.refresh_from_db()
        self.newsletter.refresh_from_db()
        # The valid row was rolled back with the invalid one.
        self.assertEqual(self.transport.status, AgendaItem.Status.PROPOSED)
        self.assertEqual(self.newsletter.status, AgendaItem.Status.PROPOSED)

    def test_an_item_proposed_while_the_page_was_open_is_left_alone(self) -> None:
        late = propose(self.meeting, self.advisor_alice, "A late idea", order=3)
        response = self.client.post(self.url(), self.decisions(transport=("accepted", "", 1)))
        self.assertRedirects(response, self.url())
        late.refresh_from_db()
        self.assertEqual(late.status, AgendaItem.Status.PROPOSED)

    def test_publishing(self) -> None:
        AgendaItem.objects.filter(pk=self.transport.pk).update(status=AgendaItem.Status.ACCEPTED)
        response = self.client.post(self.url(), {"action": "publish"}, follow=True)
        self.meeting.refresh_from_db()
        self.assertIsNotNone(self.meeting.agenda_published_at)
        self.assertContains(response, "The agenda is published")
        self.assertContains(response, "1 item still has no decision.")
        self.assertContains(response, "Published on")

    def test_staff_propose_an_item_before_the_deadline(self) -> None:
        response = self.client.post(
            self.url(),
            {"action": "propose", "title": "Payments update", "description": "", "speaker": "Sam"},
        )
        self.assertRedirects(response, self.url())
        item = self.meeting.agenda_items.get(title="Payments update")
        self.assertEqual((item.proposed_by, item.speaker, item.order), (self.staff_sam, "Sam", 3))

    def test_staff_proposing_after_the_deadline_see_why_not(self) -> None:
        Meeting.objects.filter(pk=self.meeting.pk).update(
            agenda_deadline=timezone.now() - datetime.timedelta(hours=1)
        )
        response = self.client.post(
            self.url(),
            {"action": "propose", "title": "Payments update", "description": "", "speaker": ""},
        )
        self.assertContains(response, "The deadline for agenda proposals was", status_code=400)
        self.assertFalse(self.meeting.agenda_items.filter(title="Payments update").exists())

    def test_a_proposal_needs_a_title(self) -> None:
        response = self.client.post(
            self.url(), {"action": "propose", "title": "", "description": "", "speaker": ""}
        )
        self.assertContains(response, "Enter a title for the item.", status_code=400)


# --- Cancelling ---------------------------------------------------------------------------


class CancelTest(StaffMeetingTestCase):
    def url(self) -> str:
        return reverse("reminders:meeting-cancel", args=[self.meeting.pk])

    def post(self):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(self.url(), follow=True)

    def test_cancelling_tells_invitees_once(self) -> None:
        carol = AdvisorFactory(first_name="Carol", last_name="Cole")
        invite(self.meeting, self.alice, rsvp=Invitation.RSVP.YES)
        invite(self.meeting, self.bob, rsvp=Invitation.RSVP.MAYBE)
        invite(self.meeting, carol, rsvp=Invitation.RSVP.NO)

        response = self.post()

        self.assertRedirects(response, reverse("meetings:detail", args=[self.meeting.pk]))
        self.assertIn("Meeting cancelled; 2 invitees told by email.", self.messages_of(response))
        self.assertEqual(len(emailed(self.alice.email)), 1)
        self.assertEqual(len(emailed(self.bob.email)), 1)
        # Carol had said she could not come.
        self.assertEqual(emailed(carol.email), [])
        self.meeting.refresh_from_db()
        self.assertEqual(self.meeting.status, Meeting.Status.CANCELLED)

        mail.outbox.clear()
        response = self.post()

        self.assertIn(
            "This meeting was already cancelled; no one was told twice.", self.messages_of(response)
        )
        self.assertEqual(mail.outbox, [])

    def test_a_meeting_cancelled_in_the_admin_can_still_have_its_invitees_told(self) -> None:
        invite(self.meeting, self.alice, rsvp=Invitation.RSVP.YES)
        Meeting.objects.filter(pk=self.meeting.pk).update(status=Meeting.Status.CANCELLED)

        detail = self.client.get(reverse("meetings:detail", args=[self.meeting.pk]))
        self.assertContains(detail, "Tell invitees it is cancelled</button>")

        response = self.post()

        self.assertIn("Meeting cancelled; 1 invitee told by email.", self.messages_of(response))
        self.assertEqual(len(emailed(self.alice.email)), 1)
        self.assertNotContains(response, "Tell invitees it is cancelled</button>")


# --- Inviting several chosen advisors at once ----------------------------------------------


class MultiInviteTest(StaffMeetingTestCase):
    """Sam ticks Alice, Bob (phone) and Pat (post) and presses Invite once."""

    def setUp(self) -> None:
        super().setUp()
        self.pat = AdvisorFactory(
            first_name="Pat",
            last_name="Post",
            contact_method=ContactMethod.POST,
            address="1 High Street\nCanterbury",
        )
        self.url = reverse("reminders:meeting-invite", args=[self.meeting.pk])

    def post(self, data: dict):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(self.url, data, follow=True)

    def test_several_chosen_advisors_are_invited_in_one_post(self) -> None:
        response = self.post(
            {"who": "chosen", "advisors": [self.alice.pk, self.bob.pk, self.pat.pk]}
        )

        self.assertRedirects(response, reverse("meetings:detail", args=[self.meeting.pk]))
        self.assertEqual(
            set(self.meeting.invitations.values_list("advisor_id", flat=True)),
            {self.alice.pk, self.bob.pk, self.pat.pk},
        )
        self.assertIn("3 advisors invited.", self.messages_of(response))
        # Only Alice prefers email; Bob and Pat are on the call/post list instead.
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, [self.alice.email])
        self.assertTrue(
            any(
                "Bob Brown, Pat Post" in m and "list of people to call or write to" in m
                for m in self.messages_of(response)
            )
        )

    def test_it_says_who_was_already_invited(self) -> None:
        invite(self.meeting, self.alice)
        invite(self.meeting, self.pat)

        response = self.post(
            {"who": "chosen", "advisors": [self.alice.pk, self.bob.pk, self.pat.pk]}
        )

        self.assertIn(
            "1 advisor invited. Already invited, so not invited again: Alice Ashby, Pat Post.",
            self.messages_of(response),
        )
        self.assertEqual(self.meeting.invitations.count(), 3)

    def test_a_clash_keeps_every_ticked_advisor_for_invite_anyway(self) -> None:
        other = make_meeting(title="Workshop", starts_at=self.meeting.starts_at)
        invite(other, self.alice, rsvp=Invitation.RSVP.YES)

        response = self.client.post(
            self.url, {"who": "chosen", "advisors": [self.alice.pk, self.pat.pk]}
        )

        self.assertContains(response, "Alice Ashby is already invited to")
        self.assertContains(
            response, f'<input type="hidden" name="advisors" value="{self.pat.pk}">'
        )
        self.assertFalse(self.meeting.invitations.exists())
        response = self.post(
            {"who": "chosen", "advisors": [self.alice.pk, self.pat.pk], "confirm": "1"}
        )
        self.assertIn("2 advisors invited.", self.messages_of(response))

    def test_paused_and_left_advisors_are_not_offered(self) -> None:
        AdvisorFactory(first_name="Paula", last_name="Paused", status=Advisor.Status.PAUSED)
        AdvisorFactory(first_name="Len", last_name="Left", status=Advisor.Status.LEFT)
        response = self.client.get(self.url)
        self.assertNotContains(response, "Paula Paused")
        self.assertNotContains(response, "Len Left")
        self.assertContains(response, "Pat Post (Post)")

    def test_query_count_does_not_grow_with_the_advisors_offered(self) -> None:
        # session, user, groups (role check), the meeting, the count of invitations,
        # the active advisors offered.
        with self.assertNumQueries(6):
            self.client.get(self.url)
        for _ in range(10):
            AdvisorFactory()
        with self.assertNumQueries(6):
            response = self.client.get(self.url)
        self.assertContains(response, 'type="checkbox" name="advisors"', count=13)


# --- Answers told by phone, by post or in person --------------------------------------------


class RecordAnswerTest(StaffMeetingTestCase):
    """Bob phones Sam to say he will come."""

    def setUp(self) -> None:
        super().setUp()
        (self.invitation,) = invite(self.meeting, self.bob, rsvp=Invitation.RSVP.PENDING)
        self.url = reverse("reminders:rsvp-record", args=[self.meeting.pk, self.invitation.pk])

    def test_each_invitee_has_a_control_to_record_their_answer(self) -> None:
        response = self.client.get(reverse("meetings:detail", args=[self.meeting.pk]))
        self.assertContains(response, f'action="{self.url}"')
        self.assertContains(response, 'Answer<span class="visually-hidden"> (Bob Brown)')
        self.assertContains(response, '<option value="phone">By phone</option>', html=True)
        self.assertContains(response, '<option value="in_person">In person</option>', html=True)

    def test_the_pie_team_records_a_phoned_in_yes(self) -> None:
        response = self.client.post(self.url, {"rsvp": "yes", "how": "phone"}, follow=True)

        self.assertRedirects(
            response, reverse("meetings:detail", args=[self.meeting.pk]) + "#roster-heading"
        )
        self.invitation.refresh_from_db()
        self.assertEqual(self.invitation.rsvp, Invitation.RSVP.YES)
        self.assertEqual(self.invitation.answered_how, Invitation.AnsweredHow.PHONE)
        self.assertEqual(self.invitation.answered_by, self.staff_sam)
        self.assertIsNotNone(self.invitation.responded_at)
        self.assertIn(
            "Answer saved for Bob Brown: Yes, coming (told us by phone).",
            self.messages_of(response),
        )
        self.assertContains(response, "Told us by phone, entered by Sam")

    def test_needs_already_given_are_kept(self) -> None:
        Invitation.objects.filter(pk=self.invitation.pk).update(needs="A taxi")
        self.client.post(self.url, {"rsvp": "no", "how": "post"})
        self.invitation.refresh_from_db()
        self.assertEqual((self.invitation.rsvp, self.invitation.needs), ("no", "A taxi"))

    def test_an_answer_must_be_chosen(self) -> None:
        response = self.client.post(self.url, {"rsvp": "", "how": "phone"})
        self.assertContains(response, "Choose yes, no or maybe.", status_code=400)
        self.assertContains(response, "The answer for Bob Brown was not saved", status_code=400)
        self.invitation.refresh_from_db()
        self.assertEqual(self.invitation.rsvp, Invitation.RSVP.PENDING)

    def test_no_answer_for_a_cancelled_meeting(self) -> None:
        Meeting.objects.filter(pk=self.meeting.pk).update(status=Meeting.Status.CANCELLED)
        response = self.client.post(self.url, {"rsvp": "yes", "how": "phone"})
        self.assertContains(response, "This meeting has been cancelled.", status_code=400)

    def test_no_answer_for_an_advisor_who_has_left(self) -> None:
        Advisor.objects.filter(pk=self.bob.pk).update(status=Advisor.Status.LEFT)
        response = self.client.post(self.url, {"rsvp": "yes", "how": "phone"})
        self.assertContains(response, "has left the advisor register", status_code=400)

    def test_an_invitation_to_another_meeting_is_404(self) -> None:
        (other,) = invite(make_meeting(title="Other"), self.alice)
        url = reverse("reminders:rsvp-record", args=[self.meeting.pk, other.pk])
        self.assertEqual(self.client.post(url, {"rsvp": "yes", "how": "phone"}).status_code, 404)

    def test_only_the_pie_team_may_record_answers(self) -> None:
        for role in (Role.ADVISOR, Role.RESEARCHER, Role.MANAGER, Role.FINANCE):
            self.client.force_login(self.persona(role))
            with self.subTest(role=str(role)):
                response = self.client.post(self.url, {"rsvp": "yes", "how": "phone"})
                self.assertEqual(response.status_code, 403)
        self.client.logout()
        response = self.client.post(self.url, {"rsvp": "yes", "how": "phone"})
        self.assertEqual(response.status_code, 302)
        self.invitation.refresh_from_db()
        self.assertEqual(self.invitation.rsvp, Invitation.RSVP.PENDING)

    def test_get_is_not_allowed(self) -> None:
        self.assertEqual(self.client.get(self.url).status_code, 405)


# --- The admin: organisers are staff ------------------------------------------------------


class OrganiserTest(StaffMeetingTestCase):
    def test_only_staff_are_offered_as_organisers(self) -> None:
        response = self.client.get(reverse("admin:meetings_meeting_add"))
        self.assertEqual(response.status_code, 200)
        offered = set(
            response.context["adminform"]
            .form.fields["organiser"]
            .queryset.values_list("username", flat=True)
        )
        self.assertIn("sam", offered)
        self.assertIn("fay", offered)
        for username in ("alice", "bob", "rita", "carol"):
            with self.subTest(username=username):
                self.assertNotIn(username, offered)
