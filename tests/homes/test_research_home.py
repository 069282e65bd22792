"""The researcher's home, /research/: what needs doing on their projects.

Rita researches "Home care study" (changes asked for, a budget of £1,000, a meeting last week
with nothing recorded since, an opportunity that closed with two people interested).
"Secret other study" is not hers. Sam (PIE team) sees every project, a page at a time.
"""

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import PIEPlan, Project, ReviewComment
from tests.base import BaseTestCase
from tests.factories import (
    AdvisorFactory,
    InterestFactory,
    OpportunityFactory,
    PlanFactory,
    ProjectFactory,
    add_member,
    make_claim,
    make_impact,
    make_meeting,
)

URL = "/research/"
LAST_WEEK = timezone.localdate() - datetime.timedelta(days=7)


def a_project(title: str, member=None, *, by=None) -> Project:
    """A project with a plan sent back with a comment, a held meeting and an opportunity that
    has closed with two people interested."""
    project = ProjectFactory(title=title)
    if member:
        add_member(project, member)
    plan = PlanFactory(project=project, status=PIEPlan.Status.CHANGES_REQUESTED)
    ReviewComment.objects.create(
        plan=plan, section="general", comment=f"Add a training session ({title})", by=by
    )
    make_meeting(days=-7, project=project, title=f"Advisory group for {title}")
    opportunity = OpportunityFactory(
        project=project, role=f"Interview advisor for {title}", posted_by=by, closing_date=LAST_WEEK
    )
    for _ in range(2):
        InterestFactory(opportunity=opportunity, advisor=AdvisorFactory())
    return project


class ResearchHomeTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.project = a_project("Home care study", self.researcher_rita, by=self.staff_sam)
        Project.objects.filter(pk=self.project.pk).update(pie_budget=Decimal("1000.00"))
        make_claim(self.alice, status="approved", amount="850.00", project=self.project)
        self.other = a_project("Secret other study", by=self.staff_sam)

    def test_the_name_and_address_stay_where_home_urls_and_navigation_expect(self) -> None:
        self.assertEqual(reverse("research-home"), URL)
        self.assertEqual(self.researcher_rita.home_url, URL)
        self.client.force_login(self.researcher_rita)
        self.assertRedirects(self.client.get("/"), URL)
        self.assertContains(self.client.get(URL), f'href="{URL}"')

    def test_rita_sees_her_projects_with_plan_comments_budget_and_what_to_do(self) -> None:
        self.client.force_login(self.researcher_rita)
        response = self.client.get(URL)
        self.assertContains(response, "Home care study")
        self.assertContains(response, "Version 1: Changes requested")
        self.assertContains(response, "Add a training session (Home care study)")
        self.assertContains(response, "£1,000.00")
        self.assertContains(response, "£850.00 committed (85%)")
        self.assertContains(
            response, "Record what changed after “Advisory group for Home care study”"
        )
        self.assertContains(response, "Interview advisor for Home care study")
        self.assertContains(response, "2 people interested")
        self.assertContains(
            response,
            '<span class="badge text-bg-light status-badge" id="n-follow-up">1</span>',
            html=True,
        )
        self.assertContains(
            response,
            '<span class="badge text-bg-light status-badge" id="n-awaiting">1</span>',
            html=True,
        )
        # Researchers do not choose who takes part: no link to the selection page.
        self.assertNotContains(response, "Choose advisors for")
        self.assertNotContains(response, "Secret other study")

    def test_an_impact_recorded_after_the_meeting_takes_it_off_the_list(self) -> None:
        make_impact(self.project, self.researcher_rita, recorded_on=timezone.localdate())
        self.client.force_login(self.researcher_rita)
        response = self.client.get(URL)
        self.assertEqual(response.context["n_follow_up"], 0)
        self.assertContains(response, "Nothing to record")

    def test_a_selection_takes_the_opportunity_off_the_list(self) -> None:
        interest = self.project.opportunities.get().interests.first()
        interest.status = "selected"
        interest.save()
        self.client.force_login(self.researcher_rita)
        self.assertEqual(self.client.get(URL).context["n_awaiting"], 0)

    def test_the_pie_team_sees_every_project_and_can_choose_advisors(self) -> None:
        self.client.force_login(self.staff_sam)
        response = self.client.get(URL)
        self.assertContains(response, "Home care study")
        self.assertContains(response, "Secret other study")
        self.assertContains(response, "Choose advisors for “Interview advisor for Home care study”")
        self.assertEqual(response.context["n_awaiting"], 2)
        self.assertEqual(response.context["n_follow_up"], 2)

    def test_the_pie_team_sees_their_own_projects_first_and_the_rest_a_page_at_a_time(
        self,
    ) -> None:
        for n in range(25):
            ProjectFactory(title=f"Another study {n:02d}")
        mine = ProjectFactory(title="Zebra study")
        add_member(mine, self.staff_sam)
        self.client.force_login(self.staff_sam)
        response = self.client.get(URL)
        rows = response.context["rows"]
        self.assertEqual(len(rows), 20)
        self.assertEqual((rows[0].project, rows[0].mine), (mine, True))
        self.assertContains(response, "You work on this")
        self.assertContains(response, "Projects 1 to 20 of 28.")
        self.assertContains(response, 'aria-label="Pages of projects"')
        self.assertEqual(len(self.client.get(URL + "?page=2").context["rows"]), 8)

    def test_who_may_open_it(self) -> None:
        for user, status in [
            (self.researcher_rita, 200),
            (self.staff_sam, 200),
            (self.advisor_alice, 403),
            (self.manager_mo, 403),
            (self.finance_fay, 403),
            (self.outsider_carol, 403),
        ]:
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(URL).status_code, status)
        self.client.logout()
        self.assertEqual(self.client.get(URL).status_code, 302)

    def test_queries_stay_the_same_as_projects_grow(self) -> None:
        for user in (self.researcher_rita, self.staff_sam):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                with CaptureQueriesContext(connection) as small:
                    self.client.get(URL)
                for n in range(6):
                    project = a_project(f"More {user.username} {n}", user, by=self.staff_sam)
                    make_claim(AdvisorFactory(), status="approved", project=project)
                with CaptureQueriesContext(connection) as large:
                    response = self.client.get(URL)
                self.assertGreaterEqual(len(response.context["rows"]), 7)
                # session, user, groups, the page's count and projects, their plans and
                # comments (prefetch), budgets (claims summed), the meetings to follow up and
                # their count, the opportunities awaiting selection and their count.
                self.assertEqual(len(large.captured_queries), len(small.captured_queries))
                self.assertLessEqual(len(large.captured_queries), 12)
