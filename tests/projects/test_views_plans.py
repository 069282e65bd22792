"""Researcher pages for plans, through the client."""

from decimal import Decimal

from django.urls import reverse

from projects import services
from projects.models import PIEPlan, ProjectAdvisor
from projects.views.plans import PROJECTS_PER_PAGE, SHOWN_ON_PROJECT
from tests.base import BaseTestCase
from tests.factories import (
    ActivityFactory,
    AdvisorFactory,
    InterestFactory,
    OpportunityFactory,
    OutputFactory,
    PlanFactory,
    ProjectFactory,
    add_member,
    example_rate_card,
)


def activity_post(prefix: str, n: int, **forms) -> dict:
    """POST data for one stage's formset with `n` forms given as dicts."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(n),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, form in enumerate(forms.get("forms", [])):
        for k, v in form.items():
            data[f"{prefix}-{i}-{k}"] = v
    return data


def plan_post(design_forms: list[dict] | None = None, **extra) -> dict:
    data = {
        "recognition": "Advisors co-author the summary.",
        "support_and_training": "Induction session.",
    }
    for stage in ("identifying", "design", "conduct", "analysis", "dissemination"):
        forms = design_forms if stage == "design" and design_forms else []
        data.update(activity_post(stage, len(forms), forms=forms))
    data.update(extra)
    return data


GOOD_ACTIVITY = {
    "activity_type": "advisory_group",
    "description": "Shape the topic guide",
    "advisors": "3",
    "sessions": "2",
    "hours_per_session": "2.5",
    "mode": "online",
    "planned_date": "",
    "expenses_per_advisor": "0.00",
    "support_cost_per_session": "0.00",
    "enhanced_support_cost": "0.00",
    "support_description": "",
    "anticipated_impact": "Questions make sense to people who use care.",
}


class PlanViewsTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        example_rate_card()
        self.project = ProjectFactory(title="Home care study")
        add_member(self.project, self.researcher_rita)
        self.other = ProjectFactory(title="Secret other study")

    def test_researcher_starts_edits_and_submits_a_plan(self) -> None:
        self.client.force_login(self.researcher_rita)
        response = self.client.post(reverse("projects:plan-start", args=[self.project.pk]))
        self.assertRedirects(response, reverse("projects:plan-edit", args=[self.project.pk]))
        response = self.client.post(
            reverse("projects:plan-edit", args=[self.project.pk]),
            plan_post([GOOD_ACTIVITY], submit="1"),
            follow=True,
        )
        self.assertContains(response, "sent to the PIE team for review")
        plan = self.project.plans.get()
        self.assertEqual(plan.status, "submitted")
        # 2.5 h x £27.50 = £68.75 x 3 advisors x 2 sessions = £412.50
        self.assertEqual(plan.budget_total, Decimal("412.50"))
        self.assertContains(response, "£412.50")

    def test_bad_activity_input_is_explained_and_nothing_saved(self) -> None:
        plan = services.plan_start(project=self.project, by=self.researcher_rita)
        self.client.force_login(self.researcher_rita)
        bad = {**GOOD_ACTIVITY, "hours_per_session": "30", "anticipated_impact": ""}
        response = self.client.post(
            reverse("projects:plan-edit", args=[self.project.pk]), plan_post([bad])
        )
        self.assertContains(
            response, "Hours per session must be more than 0 and no more than 24.", status_code=400
        )
        self.assertContains(
            response, "Say what this involvement will do for the research.", status_code=400
        )
        self.assertEqual(plan.activities.count(), 0)
        plan.refresh_from_db()
        self.assertEqual(plan.recognition, "")

    def test_live_budget_preview_computes_from_unsaved_input(self) -> None:
        services.plan_start(project=self.project, by=self.researcher_rita)
        self.client.force_login(self.researcher_rita)
        response = self.client.post(
            reverse("projects:plan-budget", args=[self.project.pk]),
            plan_post([GOOD_ACTIVITY]),
            HTTP_HX_REQUEST="true",
        )
        self.assertContains(
            response, '<td class="text-end" id="budget-total">£412.50</td>', html=True
        )
        self.assertEqual(self.project.plans.get().activities.count(), 0)

    def test_researcher_on_another_project_gets_404_everywhere(self) -> None:
        PlanFactory(project=self.other)
        self.client.force_login(self.researcher_rita)
        for name in ("projects:detail", "projects:plan", "projects:plan-edit", "projects:outputs"):
            with self.subTest(url=name):
                self.assertEqual(
                    self.client.get(reverse(name, args=[self.other.pk])).status_code, 404
                )
        self.assertEqual(
            self.client.get(reverse("projects:plan-version", args=[self.other.pk, 1])).status_code,
            404,
        )
        self.assertEqual(
            self.client.post(reverse("projects:plan-submit", args=[self.other.pk])).status_code, 404
        )

    def test_pie_team_reads_any_plan_but_cannot_edit_it(self) -> None:
        services.plan_start(project=self.project, by=self.researcher_rita)
        self.client.force_login(self.staff_sam)
        self.assertEqual(
            self.client.get(reverse("projects:plan", args=[self.project.pk])).status_code, 200
        )
        self.assertEqual(
            self.client.get(reverse("projects:plan-edit", args=[self.project.pk])).status_code, 403
        )

    def test_pie_team_requests_changes_with_comments_then_approves(self) -> None:
        plan = services.plan_start(project=self.project, by=self.researcher_rita)
        ActivityFactory(plan=plan)
        services.plan_submit(plan=plan, by=self.researcher_rita)
        self.client.force_login(self.staff_sam)
        url = reverse("projects:plan-review", args=[self.project.pk])
        self.client.post(url, {"design": "Please add an online option.", "request_changes": "1"})
        plan.refresh_from_db()
        self.assertEqual(plan.status, "changes_requested")
        self.client.force_login(self.researcher_rita)
        response = self.client.get(reverse("projects:plan-edit", args=[self.project.pk]))
        self.assertContains(response, "Please add an online option.")
        services.plan_submit(plan=plan, by=self.researcher_rita)
        self.client.force_login(self.staff_sam)
        self.client.post(url, {"approve": "1"})
        self.client.post(url, {"approve": "1"})
        plan.refresh_from_db()
        self.assertEqual(plan.status, "approved")
        self.assertEqual(plan.events.filter(to_status="approved").count(), 1)

    def test_researchers_cannot_review(self) -> None:
        plan = services.plan_start(project=self.project, by=self.researcher_rita)
        ActivityFactory(plan=plan)
        services.plan_submit(plan=plan, by=self.researcher_rita)
        self.client.force_login(self.researcher_rita)
        response = self.client.post(
            reverse("projects:plan-review", args=[self.project.pk]), {"approve": "1"}
        )
        self.assertEqual(response.status_code, 403)
        plan.refresh_from_db()
        self.assertEqual(plan.status, "submitted")

    def test_old_versions_stay_readable_with_differences(self) -> None:
        plan = services.plan_start(project=self.project, by=self.researcher_rita)
        ActivityFactory(plan=plan, description="First idea")
        services.plan_submit(plan=plan, by=self.researcher_rita)
        services.plan_approve(plan=plan, by=self.staff_sam)
        v2 = services.plan_new_version(plan=plan, by=self.researcher_rita)
        v2.activities.update(description="Better idea")
        self.client.force_login(self.researcher_rita)
        response = self.client.get(reverse("projects:plan-version", args=[self.project.pk, 2]))
        self.assertContains(response, "What changed since version 1")
        self.assertContains(response, "Better idea")
        response = self.client.get(reverse("projects:plan-version", args=[self.project.pk, 1]))
        self.assertContains(response, "First idea")
        self.assertContains(response, "Approved")


class QueryCountTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        example_rate_card()

    def test_plan_page_queries_do_not_grow_with_activities(self) -> None:
        project = ProjectFactory()
        add_member(project, self.researcher_rita)
        plan = PlanFactory(project=project, status=PIEPlan.Status.DRAFT)
        ActivityFactory(plan=plan)
        self.client.force_login(self.researcher_rita)
        url = reverse("projects:plan", args=[project.pk])
        self.client.get(url)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as small:
            self.client.get(url)
        for _ in range(15):
            ActivityFactory(plan=plan)
        with self.assertNumQueries(len(small.captured_queries)):
            self.client.get(url)

    def test_project_list_queries_do_not_grow_with_projects(self) -> None:
        self.client.force_login(self.staff_sam)
        for _ in range(2):
            p = ProjectFactory()
            add_member(p, self.researcher_rita)
            PlanFactory(project=p)
        url = reverse("projects:home")
        # session, user, groups, count (pages), projects, plans (prefetch), memberships + users
        with self.assertNumQueries(7):
            self.client.get(url)
        for _ in range(30):
            p = ProjectFactory()
            add_member(p, self.researcher_rita)
            PlanFactory(project=p)
        with self.assertNumQueries(7):
            self.client.get(url)


class ProjectListPagesTest(BaseTestCase):
    def test_the_pie_team_sees_every_project_a_page_at_a_time_in_title_order(self) -> None:
        for n in range(PROJECTS_PER_PAGE + 2):
            ProjectFactory(title=f"Study {n:02d}")
        self.client.force_login(self.staff_sam)
        url = reverse("projects:home")
        first = self.client.get(url)
        self.assertEqual(len(first.context["projects"]), PROJECTS_PER_PAGE)
        self.assertContains(first, 'aria-label="Pages of projects"')
        self.assertContains(first, f"Projects 1 to {PROJECTS_PER_PAGE} of {PROJECTS_PER_PAGE + 2}.")
        second = self.client.get(url, {"page": 2})
        self.assertEqual(
            [p.title for p in second.context["projects"]],
            [f"Study {PROJECTS_PER_PAGE:02d}", f"Study {PROJECTS_PER_PAGE + 1:02d}"],
        )


class ProjectPageTest(BaseTestCase):
    """Rita's project page lists the first few advisors and opportunities and says how many."""

    def setUp(self) -> None:
        super().setUp()
        self.project = ProjectFactory(title="Home care study")
        add_member(self.project, self.researcher_rita)
        PlanFactory(project=self.project)
        self.url = reverse("projects:detail", args=[self.project.pk])

    def _grow(self, n: int) -> None:
        for _ in range(n):
            advisor = AdvisorFactory()
            ProjectAdvisor.objects.create(project=self.project, advisor=advisor, role="Member")
            opportunity = OpportunityFactory(project=self.project, posted_by=self.researcher_rita)
            InterestFactory(opportunity=opportunity, advisor=advisor)
            OutputFactory(project=self.project)

    def test_queries_stay_the_same_as_the_project_grows(self) -> None:
        self.client.force_login(self.researcher_rita)
        self._grow(2)
        # session, user, groups, the project, Rita's membership (access), the team, the
        # plan's versions, the first opportunities with how many are interested, how many
        # opportunities, how many outputs, the first advisors, how many advisors.
        with self.assertNumQueries(12):
            self.client.get(self.url)
        self._grow(SHOWN_ON_PROJECT + 3)
        with self.assertNumQueries(12):
            response = self.client.get(self.url)
        self.assertEqual(len(response.context["assignments"]), SHOWN_ON_PROJECT)
        self.assertEqual(len(response.context["opportunities"]), SHOWN_ON_PROJECT)
        n = SHOWN_ON_PROJECT + 5
        self.assertContains(response, f"{SHOWN_ON_PROJECT} of {n} advisors are listed here")
        self.assertContains(response, f"The {SHOWN_ON_PROJECT} closing last of {n} opportunities")
        self.assertContains(response, f"{n} outputs recorded.")
        self.assertEqual(response.context["opportunities"][0].n_interested, 1)
