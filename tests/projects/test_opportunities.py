"""Opportunities: researchers post them, advisors answer them, the PIE team selects."""

import datetime

from django.urls import reverse
from django.utils import timezone

from advisors.models import LivedExperience
from projects.models import ExpressionOfInterest, Opportunity, ProjectAdvisor
from tests.base import BaseTestCase
from tests.factories import (
    AdvisorFactory,
    InterestFactory,
    OpportunityFactory,
    ProjectFactory,
    add_member,
)

TODAY = timezone.localdate


def opportunity_post(**overrides) -> dict:
    data = {
        "role": "Advisory group member",
        "description": "Help us shape the interview questions.",
        "starts_on": str(TODAY() + datetime.timedelta(days=30)),
        "ends_on": str(TODAY() + datetime.timedelta(days=90)),
        "time_commitment": "Three 2-hour online meetings",
        "payment": "Paid at NIHR rates",
        "access_information": "Step-free venue.",
        "closing_date": str(TODAY() + datetime.timedelta(days=14)),
        "places": "2",
    }
    return {**data, **overrides}


class OpportunityTestCase(BaseTestCase):
    """Rita researches "Home care study"; "Secret other study" is not hers."""

    def setUp(self) -> None:
        super().setUp()
        self.project = ProjectFactory(title="Home care study")
        add_member(self.project, self.researcher_rita)
        self.other = ProjectFactory(title="Secret other study")
        self.opportunity = OpportunityFactory(
            project=self.project, role="Interview advisor", posted_by=self.researcher_rita
        )


# --- Posting an opportunity ---------------------------------------------------------------


class OpportunityCreateTest(OpportunityTestCase):
    def url(self, project) -> str:
        return reverse("projects:opportunity-create", args=[project.pk])

    def test_researcher_posts_an_opportunity_for_her_project(self) -> None:
        self.client.force_login(self.researcher_rita)
        self.assertEqual(self.client.get(self.url(self.project)).status_code, 200)
        response = self.client.post(
            self.url(self.project), opportunity_post(role="Topic guide reviewer")
        )
        self.assertRedirects(
            response,
            reverse("projects:detail", args=[self.project.pk]),
            fetch_redirect_response=False,
        )
        opportunity = Opportunity.objects.get(role="Topic guide reviewer")
        self.assertEqual(opportunity.project, self.project)
        self.assertEqual(opportunity.posted_by, self.researcher_rita)
        self.assertEqual(opportunity.status, Opportunity.Status.OPEN)
        self.assertEqual(opportunity.places, 2)

    def test_pie_team_may_post_for_any_project(self) -> None:
        self.client.force_login(self.staff_sam)
        response = self.client.post(self.url(self.other), opportunity_post(role="Workshop advisor"))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Opportunity.objects.get(role="Workshop advisor").project, self.other)

    def test_researcher_on_another_project_gets_404(self) -> None:
        self.client.force_login(self.researcher_rita)
        self.assertEqual(self.client.get(self.url(self.other)).status_code, 404)
        response = self.client.post(self.url(self.other), opportunity_post(role="Sneaky"))
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Opportunity.objects.filter(role="Sneaky").exists())

    def test_closing_date_in_the_past_is_refused(self) -> None:
        self.client.force_login(self.researcher_rita)
        yesterday = TODAY() - datetime.timedelta(days=1)
        response = self.client.post(
            self.url(self.project), opportunity_post(closing_date=str(yesterday))
        )
        self.assertContains(
            response, "The closing date must be today or in the future.", status_code=400
        )
        self.assertContains(response, 'href="#id_closing_date"', status_code=400)
        self.assertEqual(Opportunity.objects.count(), 1)

    def test_end_before_start_is_refused(self) -> None:
        self.client.force_login(self.researcher_rita)
        data = opportunity_post(
            starts_on=str(TODAY() + datetime.timedelta(days=60)),
            ends_on=str(TODAY() + datetime.timedelta(days=50)),
        )
        response = self.client.post(self.url(self.project), data)
        self.assertContains(
            response, "The end date must be the same as or after the start date.", status_code=400
        )

    def test_missing_fields_get_plain_english_messages(self) -> None:
        self.client.force_login(self.researcher_rita)
        response = self.client.post(self.url(self.project), {})
        for message in (
            "Say what the opportunity involves.",
            "Enter the closing date for expressions of interest.",
        ):
            self.assertContains(response, message, status_code=400)


# --- The advisor portal -------------------------------------------------------------------


class PortalOpportunityListTest(OpportunityTestCase):
    url = reverse("projects:portal-opportunities")

    def test_advisor_sees_open_ones_only(self) -> None:
        OpportunityFactory(
            role="Closed by the team", status=Opportunity.Status.CLOSED, posted_by=self.staff_sam
        )
        OpportunityFactory(
            role="Past its closing date",
            closing_date=TODAY() - datetime.timedelta(days=1),
            posted_by=self.staff_sam,
        )
        OpportunityFactory(role="Closes today", closing_date=TODAY(), posted_by=self.staff_sam)
        self.client.force_login(self.advisor_alice)
        response = self.client.get(self.url)
        self.assertContains(response, "Interview advisor")
        self.assertContains(response, "Home care study")
        self.assertContains(response, "Three 2-hour online meetings")
        self.assertContains(response, "Paid at NIHR rates")
        self.assertContains(response, "Closes today")
        self.assertNotContains(response, "Closed by the team")
        self.assertNotContains(response, "Past its closing date")

    def test_marks_what_the_advisor_said_in_plain_words(self) -> None:
        chosen = OpportunityFactory(role="Chosen role", posted_by=self.staff_sam)
        passed_over = OpportunityFactory(role="Passed-over role", posted_by=self.staff_sam)
        InterestFactory(opportunity=self.opportunity, advisor=self.alice)
        InterestFactory(
            opportunity=chosen, advisor=self.alice, status=ExpressionOfInterest.Status.SELECTED
        )
        InterestFactory(
            opportunity=passed_over,
            advisor=self.alice,
            status=ExpressionOfInterest.Status.NOT_SELECTED,
        )
        # Bob's answers are his own business.
        InterestFactory(
            opportunity=OpportunityFactory(role="Bob's role", posted_by=self.staff_sam),
            advisor=self.bob,
        )
        self.client.force_login(self.advisor_alice)
        response = self.client.get(self.url)
        self.assertContains(response, "You said you are interested", count=1)
        self.assertContains(response, "You have been selected", count=1)
        self.assertContains(response, "Not selected this time", count=1)

    def test_closed_opportunities_the_advisor_answered_are_listed_apart(self) -> None:
        closed = OpportunityFactory(
            role="Finished role", status=Opportunity.Status.CLOSED, posted_by=self.staff_sam
        )
        InterestFactory(
            opportunity=closed, advisor=self.alice, status=ExpressionOfInterest.Status.SELECTED
        )
        self.client.force_login(self.advisor_alice)
        response = self.client.get(self.url)
        self.assertContains(response, "Closed opportunities you answered")
        self.assertContains(response, "Finished role")
        self.client.force_login(self.advisor_bob)
        self.assertNotContains(self.client.get(self.url), "Finished role")

    def test_query_count_does_not_grow_with_opportunities(self) -> None:
        self.client.force_login(self.advisor_alice)
        InterestFactory(opportunity=self.opportunity, advisor=self.alice)
        # session, user, user's groups (role check), advisor record,
        # the advisor's interests (with opportunity and project), open opportunities (with project)
        with self.assertNumQueries(6):
            self.client.get(self.url)
        for _ in range(5):
            opportunity = OpportunityFactory(posted_by=self.staff_sam)
            InterestFactory(opportunity=opportunity, advisor=self.alice)
        with self.assertNumQueries(6):
            response = self.client.get(self.url)
        self.assertContains(response, "You said you are interested", count=6)

    def test_researchers_cannot_use_the_portal(self) -> None:
        self.client.force_login(self.researcher_rita)
        self.assertEqual(self.client.get(self.url).status_code, 403)


class PortalOpportunityDetailTest(OpportunityTestCase):
    def url(self, opportunity=None) -> str:
        return reverse("projects:portal-opportunity", args=[(opportunity or self.opportunity).pk])

    def test_shows_the_opportunity_with_access_information(self) -> None:
        self.client.force_login(self.advisor_alice)
        response = self.client.get(self.url())
        self.assertContains(response, "<h1>Interview advisor</h1>", html=True)
        self.assertContains(response, "Papers in large print on request.")
        self.assertContains(response, "I am interested")
        self.assertNotContains(response, "Withdraw my interest")

    def test_advisor_expresses_interest(self) -> None:
        self.client.force_login(self.advisor_alice)
        response = self.client.post(
            self.url(), {"note": "I care for my dad.", "support_needed": "Large print"}
        )
        self.assertRedirects(response, self.url())
        interest = ExpressionOfInterest.objects.get(
            opportunity=self.opportunity, advisor=self.alice
        )
        self.assertEqual(interest.status, ExpressionOfInterest.Status.INTERESTED)
        self.assertEqual(
            (interest.note, interest.support_needed), ("I care for my dad.", "Large print")
        )
        response = self.client.get(self.url())
        self.assertContains(response, "You said you are interested")
        self.assertContains(response, "Withdraw my interest")

    def test_note_and_support_are_optional(self) -> None:
        self.client.force_login(self.advisor_alice)
        self.client.post(self.url(), {"note": "", "support_needed": ""})
        self.assertTrue(
            ExpressionOfInterest.objects.filter(
                opportunity=self.opportunity, advisor=self.alice
            ).exists()
        )

    def test_expressing_interest_twice_updates_the_one_row(self) -> None:
        self.client.force_login(self.advisor_alice)
        self.client.post(self.url(), {"note": "First thoughts", "support_needed": ""})
        self.client.post(self.url(), {"note": "Second thoughts", "support_needed": "A taxi"})
        interest = ExpressionOfInterest.objects.get(
            opportunity=self.opportunity, advisor=self.alice
        )
        self.assertEqual((interest.note, interest.support_needed), ("Second thoughts", "A taxi"))

    def test_advisor_withdraws_interest(self) -> None:
        interest = InterestFactory(opportunity=self.opportunity, advisor=self.alice)
        self.client.force_login(self.advisor_alice)
        response = self.client.post(self.url(), {"withdraw": "1"}, follow=True)
        self.assertContains(response, "You have withdrawn your interest.")
        self.assertContains(response, "You withdrew your interest")
        interest.refresh_from_db()
        self.assertEqual(interest.status, ExpressionOfInterest.Status.WITHDRAWN)

    def test_withdrawing_after_being_selected_is_refused(self) -> None:
        interest = InterestFactory(
            opportunity=self.opportunity,
            advisor=self.alice,
            status=ExpressionOfInterest.Status.SELECTED,
        )
        self.client.force_login(self.advisor_alice)
        response = self.client.post(self.url(), {"withdraw": "1"}, follow=True)
        self.assertContains(response, "You have already been selected.")
        interest.refresh_from_db()
        self.assertEqual(interest.status, ExpressionOfInterest.Status.SELECTED)

    def test_answering_again_does_not_undo_a_decision(self) -> None:
        interest = InterestFactory(
            opportunity=self.opportunity,
            advisor=self.alice,
            status=ExpressionOfInterest.Status.NOT_SELECTED,
        )
        self.client.force_login(self.advisor_alice)
        response = self.client.get(self.url())
        self.assertNotContains(response, "I am interested")
        response = self.client.post(self.url(), {"note": "Please pick me"}, follow=True)
        self.assertContains(response, "already made a decision")
        interest.refresh_from_db()
        self.assertEqual(interest.status, ExpressionOfInterest.Status.NOT_SELECTED)

    def test_closed_opportunity_is_404_unless_the_advisor_answered_it(self) -> None:
        self.opportunity.status = Opportunity.Status.CLOSED
        self.opportunity.save()
        InterestFactory(
            opportunity=self.opportunity,
            advisor=self.alice,
            status=ExpressionOfInterest.Status.SELECTED,
        )
        self.client.force_login(self.advisor_bob)
        self.assertEqual(self.client.get(self.url()).status_code, 404)
        self.assertEqual(self.client.post(self.url(), {"note": "Hi"}).status_code, 404)
        self.client.force_login(self.advisor_alice)
        response = self.client.get(self.url())
        self.assertContains(response, "You have been selected")
        self.assertContains(response, "This opportunity has closed.")

    def test_past_closing_date_counts_as_closed(self) -> None:
        old = OpportunityFactory(
            closing_date=TODAY() - datetime.timedelta(days=1), posted_by=self.staff_sam
        )
        self.client.force_login(self.advisor_alice)
        self.assertEqual(self.client.get(self.url(old)).status_code, 404)

    def test_interest_in_a_closed_opportunity_is_refused_with_a_clear_error(self) -> None:
        InterestFactory(
            opportunity=self.opportunity,
            advisor=self.alice,
            status=ExpressionOfInterest.Status.WITHDRAWN,
        )
        self.opportunity.closing_date = TODAY() - datetime.timedelta(days=1)
        self.opportunity.save()
        self.client.force_login(self.advisor_alice)
        response = self.client.post(self.url(), {"note": "Changed my mind again"})
        self.assertContains(response, "This opportunity has closed", status_code=400)
        self.assertContains(response, "There is a problem", status_code=400)
        interest = ExpressionOfInterest.objects.get(
            opportunity=self.opportunity, advisor=self.alice
        )
        self.assertEqual(interest.status, ExpressionOfInterest.Status.WITHDRAWN)

    def test_advisor_account_without_a_record_gets_404(self) -> None:
        self.alice.user = None
        self.alice.save()
        self.client.force_login(self.advisor_alice)
        self.assertEqual(self.client.get(self.url()).status_code, 404)


# --- Selecting advisors -------------------------------------------------------------------


class OpportunitySelectTest(OpportunityTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.url = reverse("projects:opportunity-select", args=[self.opportunity.pk])
        self.alice.lived_experience.set(
            LivedExperience.objects.filter(code__in=["unpaid_carer", "uses_care"])
        )
        self.alice_interest = InterestFactory(
            opportunity=self.opportunity,
            advisor=self.alice,
            note="I care for my mum.",
            support_needed="Large print",
        )
        self.bob_interest = InterestFactory(
            opportunity=self.opportunity, advisor=self.bob, note="I use home care."
        )

    def test_selection_assigns_the_advisor_with_the_role_and_tells_the_others(self) -> None:
        self.client.force_login(self.staff_sam)
        response = self.client.post(
            self.url, {"selected": [self.alice_interest.pk], "before_closing": "on"}
        )
        self.assertRedirects(response, self.url)
        assignment = ProjectAdvisor.objects.get()
        self.assertEqual((assignment.project, assignment.advisor), (self.project, self.alice))
        self.assertEqual(assignment.role, "Interview advisor")
        self.assertEqual(assignment.opportunity, self.opportunity)
        self.alice_interest.refresh_from_db()
        self.bob_interest.refresh_from_db()
        self.assertEqual(self.alice_interest.status, ExpressionOfInterest.Status.SELECTED)
        self.assertEqual(self.bob_interest.status, ExpressionOfInterest.Status.NOT_SELECTED)

    def test_selecting_twice_does_not_duplicate(self) -> None:
        self.client.force_login(self.staff_sam)
        self.client.post(self.url, {"selected": [self.alice_interest.pk], "before_closing": "on"})
        response = self.client.post(
            self.url, {"selected": [self.alice_interest.pk], "before_closing": "on"}, follow=True
        )
        self.assertContains(response, "Selected: Alice Ashby.")
        self.assertEqual(ProjectAdvisor.objects.filter(advisor=self.alice).count(), 1)

    def test_ticking_nobody_changes_nothing(self) -> None:
        self.client.force_login(self.staff_sam)
        response = self.client.post(self.url, {})
        self.assertContains(response, "Tick at least one person to select.", status_code=400)
        self.assertContains(response, 'href="#id_selected_0"', status_code=400)
        self.assertContains(response, 'id="id_selected_0"', status_code=400)
        self.assertEqual(
            set(self.opportunity.interests.values_list("status", flat=True)),
            {ExpressionOfInterest.Status.INTERESTED},
        )

    def test_an_id_from_another_opportunity_is_refused(self) -> None:
        stranger = InterestFactory(
            advisor=AdvisorFactory(), opportunity=OpportunityFactory(posted_by=self.staff_sam)
        )
        self.client.force_login(self.staff_sam)
        response = self.client.post(self.url, {"selected": [stranger.pk]})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(ProjectAdvisor.objects.exists())

    def test_shows_what_each_person_said_least_involved_first(self) -> None:
        # Alice has had two roles this year; Bob had one, but over a year ago.
        for n in range(2):
            ProjectAdvisor.objects.create(project=self.other, advisor=self.alice, role=f"Role {n}")
        ProjectAdvisor.objects.create(
            project=self.other,
            advisor=self.bob,
            role="Old role",
            assigned_on=TODAY() - datetime.timedelta(days=400),
        )
        InterestFactory(
            opportunity=self.opportunity,
            advisor=AdvisorFactory(first_name="Wendy"),
            status=ExpressionOfInterest.Status.WITHDRAWN,
        )
        self.client.force_login(self.staff_sam)
        response = self.client.get(self.url)
        rows = response.context["interests"]
        self.assertEqual(
            [(i.advisor, i.involvement) for i in rows], [(self.bob, 0), (self.alice, 2)]
        )
        self.assertContains(response, "I am an unpaid carer")
        self.assertContains(response, "I use social care services")
        self.assertContains(response, "I care for my mum.")
        self.assertContains(response, "Large print")
        self.assertContains(response, "<td>2</td>", html=True)
        self.assertNotContains(response, "Wendy")

    def test_query_count_does_not_grow_with_candidates(self) -> None:
        self.client.force_login(self.staff_sam)
        # session, user, user's groups (role check), the opportunity (with project),
        # interests (with advisor), their lived experience (prefetch), involvement counts,
        # the selection's history (with advisor and who)
        with self.assertNumQueries(8):
            self.client.get(self.url)
        experiences = list(LivedExperience.objects.all())
        for _ in range(4):
            advisor = AdvisorFactory()
            advisor.lived_experience.set(experiences[:2])
            ProjectAdvisor.objects.create(project=self.other, advisor=advisor, role="Reviewer")
            InterestFactory(opportunity=self.opportunity, advisor=advisor)
        with self.assertNumQueries(8):
            response = self.client.get(self.url)
        self.assertEqual(len(response.context["interests"]), 6)

    def test_only_the_pie_team_selects(self) -> None:
        for user in (self.researcher_rita, self.advisor_alice, self.manager_mo):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url).status_code, 403)
                self.assertEqual(
                    self.client.post(
                        self.url, {"selected": [self.alice_interest.pk], "before_closing": "on"}
                    ).status_code,
                    403,
                )
        self.assertFalse(ProjectAdvisor.objects.exists())


# --- Who may open which page --------------------------------------------------------------


class OpportunityAccessTest(OpportunityTestCase):
    def test_advisors_cannot_reach_research_pages(self) -> None:
        self.client.force_login(self.advisor_alice)
        for url in (
            reverse("projects:opportunity-create", args=[self.project.pk]),
            reverse("projects:opportunity-select", args=[self.opportunity.pk]),
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 403)

    def test_anonymous_visitors_are_sent_to_login(self) -> None:
        for url in (
            reverse("projects:opportunity-create", args=[self.project.pk]),
            reverse("projects:opportunity-select", args=[self.opportunity.pk]),
            reverse("projects:portal-opportunities"),
            reverse("projects:portal-opportunity", args=[self.opportunity.pk]),
        ):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response.url.startswith(reverse("login")))
