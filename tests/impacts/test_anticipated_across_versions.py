"""Anticipated-vs-actual impact tracking survives a new version of the PIE plan.

A new version copies the approved plan's activities; each copy keeps its activity's key,
so an actual impact recorded against version 1's activity still counts for version 2's.
"""

import datetime

import time_machine
from django.urls import reverse

from projects import services
from projects.models import PIEPlan
from tests.base import BaseTestCase
from tests.factories import ActivityFactory, ProjectFactory, add_member, example_rate_card


@time_machine.travel(datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC), tick=False)
class AnticipatedAcrossVersionsTest(BaseTestCase):
    """Rita's home care study has an approved plan: interviews (January 2026) and analysis."""

    def setUp(self) -> None:
        super().setUp()
        example_rate_card()
        self.project = ProjectFactory(title="Home care study")
        add_member(self.project, self.researcher_rita)
        plan = services.plan_start(project=self.project, by=self.researcher_rita)
        self.interviews = ActivityFactory(
            plan=plan,
            planned_date=datetime.date(2026, 1, 20),
            anticipated_impact="Advisors shape the interview questions.",
        )
        ActivityFactory(
            plan=plan,
            stage="analysis",
            activity_type="co_analysis",
            planned_date=datetime.date(2026, 2, 20),
            anticipated_impact="Advisors help interpret the themes.",
        )
        services.plan_submit(plan=plan, by=self.researcher_rita)
        services.plan_approve(plan=plan, by=self.staff_sam)
        self.client.force_login(self.researcher_rita)

    def _record_actual_impact_of_the_interviews(self) -> None:
        response = self.client.post(
            reverse("impacts:record", args=[self.project.pk]),
            {
                "kind": "actual",
                "stage": "design",
                "what_changed": "We reworded two questions after the advisory group.",
                "category": "tools",
                "extent": "moderate",
                "direction": "positive",
                "evidence_text": "",
                "evidence_link": "",
                "recorded_on": "2026-01-21",
                "meeting": "",
                "planned_activity": self.interviews.pk,
            },
        )
        self.assertRedirects(response, reverse("impacts:project", args=[self.project.pk]))

    def _approve_version_2_after_editing_it(self) -> None:
        self.client.post(reverse("projects:plan-start", args=[self.project.pk]))
        v2 = self.project.plans.get(version=2)
        # Rita saves v2 through the edit page: the analysis moves to March.
        edit = reverse("projects:plan-edit", args=[self.project.pk])
        data = {"recognition": "", "support_and_training": "", "save": "1"}
        for stage in ("identifying", "design", "conduct", "analysis", "dissemination"):
            ours = list(v2.activities.filter(stage=stage))
            data.update(
                {
                    f"{stage}-TOTAL_FORMS": str(len(ours)),
                    f"{stage}-INITIAL_FORMS": str(len(ours)),
                    f"{stage}-MIN_NUM_FORMS": "0",
                    f"{stage}-MAX_NUM_FORMS": "30",
                }
            )
            for i, a in enumerate(ours):
                data.update(
                    {
                        f"{stage}-{i}-key": str(a.key),
                        f"{stage}-{i}-activity_type": a.activity_type,
                        f"{stage}-{i}-advisors": str(a.advisors),
                        f"{stage}-{i}-sessions": str(a.sessions),
                        f"{stage}-{i}-hours_per_session": str(a.hours_per_session),
                        f"{stage}-{i}-mode": a.mode,
                        f"{stage}-{i}-planned_date": "2026-03-20"
                        if stage == "analysis"
                        else a.planned_date.isoformat(),
                        f"{stage}-{i}-frequency": a.frequency,
                        f"{stage}-{i}-expenses_per_advisor": "0.00",
                        f"{stage}-{i}-support_cost_per_session": "0.00",
                        f"{stage}-{i}-enhanced_support_cost": "0.00",
                        f"{stage}-{i}-anticipated_impact": a.anticipated_impact,
                    }
                )
        self.assertRedirects(self.client.post(edit, data), edit)
        services.plan_submit(plan=v2, by=self.researcher_rita)
        services.plan_approve(plan=v2, by=self.staff_sam)
        self.assertEqual(
            list(self.project.plans.values_list("version", "status")),
            [(2, PIEPlan.Status.APPROVED), (1, PIEPlan.Status.SUPERSEDED)],
        )

    def test_an_impact_recorded_against_version_1_still_counts_for_version_2(self) -> None:
        self._record_actual_impact_of_the_interviews()
        self._approve_version_2_after_editing_it()
        v2_interviews = self.project.plans.get(version=2).activities.get(stage="design")
        self.assertNotEqual(v2_interviews.pk, self.interviews.pk)
        self.assertEqual(v2_interviews.key, self.interviews.key)

        response = self.client.get(reverse("impacts:project", args=[self.project.pk]))
        rows = response.content.decode().split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
        self.assertIn("Advisors shape the interview questions.", rows[0])
        self.assertIn("Actual impact recorded</strong> (1)", rows[0])
        self.assertIn("Advisors help interpret the themes.", rows[1])
        self.assertIn("No actual impact recorded yet", rows[1])

    def test_the_follow_up_list_does_not_ask_again_about_an_activity_already_followed_up(
        self,
    ) -> None:
        self._record_actual_impact_of_the_interviews()
        self._approve_version_2_after_editing_it()
        self.client.force_login(self.staff_sam)
        response = self.client.get(reverse("impacts:follow-up"))
        # The interviews (January) have their impact; the analysis (March) does not yet.
        self.assertContains(response, "Home care study")
        self.assertContains(response, "No impact recorded for the planned co-analysis")
        self.assertNotContains(response, "planned advisory group meeting")
