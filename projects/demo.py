"""Demo projects: plans in every workflow state, opportunities with interest, outputs."""

import datetime
from decimal import Decimal

from django.utils import timezone

from advisors.models import Advisor
from ascru_pie.models import User

from . import services
from .models import (
    ExpressionOfInterest,
    Opportunity,
    Output,
    PIEPlan,
    PlannedActivity,
    Project,
    ProjectAdvisor,
    ProjectMembership,
)

# title, summary, confidential, the plan's journey
PROJECTS = [
    (
        "Care at home after hospital",
        "How people manage when they come home from hospital with care.",
        False,
        "approved",
    ),
    (
        "Unpaid carers and breaks",
        "What helps unpaid carers take a break.",
        False,
        "approved_with_new_version",
    ),
    (
        "Technology in care homes",
        "Which digital tools help residents and staff.",
        False,
        "submitted",
    ),
    ("Paying for care", "How people plan and pay for their care.", True, "changes_requested"),
    ("Social care workforce wellbeing", "The wellbeing of care workers.", False, "resubmitted"),
    (
        "Living well with dementia at home",
        "Support that lets people with dementia stay at home.",
        False,
        "draft",
    ),
    ("Personal assistants", "People who employ their own personal assistants.", False, "none"),
    ("Housing with care", "Extra-care housing and what residents value.", False, "approved"),
]

ACTIVITIES = [
    dict(
        stage="identifying",
        activity_type=PlannedActivity.Type.WORKSHOP,
        description="Priority-setting workshop",
        advisors=6,
        sessions=1,
        hours_per_session=Decimal("4"),
        mode=PlannedActivity.Mode.IN_PERSON,
        expenses_per_advisor=Decimal("20.00"),
        support_cost_per_session=Decimal("150.00"),
        support_description="BSL interpreter",
        anticipated_impact="Research questions reflect what matters to people who draw on care.",
    ),
    dict(
        stage="design",
        activity_type=PlannedActivity.Type.ADVISORY_GROUP,
        description="Advisory group on the topic guide",
        advisors=4,
        sessions=3,
        hours_per_session=Decimal("2.5"),
        mode=PlannedActivity.Mode.ONLINE,
        anticipated_impact="Interview questions are clear and respectful.",
    ),
    dict(
        stage="analysis",
        activity_type=PlannedActivity.Type.CO_ANALYSIS,
        description="Co-analysis sessions",
        advisors=3,
        sessions=2,
        hours_per_session=Decimal("3"),
        mode=PlannedActivity.Mode.HYBRID,
        enhanced_support_cost=Decimal("250.00"),
        support_description="Accessible taxi for one advisor",
        anticipated_impact="Findings are interpreted with lived experience.",
    ),
    dict(
        stage="dissemination",
        activity_type=PlannedActivity.Type.CO_PRESENTATION,
        description="Co-present at a conference",
        advisors=2,
        sessions=1,
        hours_per_session=Decimal("6"),
        mode=PlannedActivity.Mode.IN_PERSON,
        expenses_per_advisor=Decimal("85.00"),
        anticipated_impact="Practitioners hear directly from people with lived experience.",
    ),
]


def _walk(plan: PIEPlan, journey: str, researcher: User, coordinator: User) -> None:
    services.plan_update(
        plan=plan,
        by=researcher,
        recognition="Advisors are offered co-authorship of the summary report.",
        support_and_training="An induction session and a named contact in the team.",
        activities=ACTIVITIES,
    )
    if journey == "draft":
        return
    plan = services.plan_submit(plan=plan, by=researcher)
    if journey == "submitted":
        return
    plan = services.plan_request_changes(
        plan=plan,
        by=coordinator,
        comments={
            "design": "Could one of the sessions be in person for advisors who do not use video calls?",
            "support": "Please say who will be the advisors' named contact.",
        },
    )
    if journey == "changes_requested":
        return
    plan = services.plan_submit(plan=plan, by=researcher)
    if journey == "resubmitted":
        return
    plan = services.plan_approve(plan=plan, by=coordinator)
    if journey == "approved_with_new_version":
        services.plan_new_version(plan=plan, by=researcher)


# Each demo opportunity says what the role is, so the portal's list is not four of the same:
# (role, description, time commitment, places, closing in days from today).
OPPORTUNITIES = [
    (
        "Reviewer of the draft interview questions",
        "Read our draft interview questions for '{title}' and tell us what to change, "
        "so they make sense to people who use care.",
        "One 2-hour online meeting, plus an hour of reading",
        3,
        14,
    ),
    (
        "Co-analyst for the interview findings",
        "Work with the researchers on '{title}' to make sense of what people told us in "
        "interviews, and check we have not missed what matters to them.",
        "Three 2-hour workshops over two months",
        2,
        -3,
    ),
    (
        "Advisory group member, four meetings a year",
        "Join the advisory group for '{title}' and help shape the study from start to end.",
        "Four 2-hour online meetings a year, plus reading",
        4,
        21,
    ),
    (
        "Co-presenter of the findings at a conference",
        "Present the findings of '{title}' with a researcher at a care conference; we "
        "prepare the talk together.",
        "Two preparation meetings and one conference day",
        1,
        35,
    ),
]


def seed(*, stdout) -> None:
    researcher = User.objects.get(username="researcher")
    coordinator = User.objects.get(username="coordinator")
    advisors = list(Advisor.objects.active().order_by("pk")[:12])
    today = timezone.localdate()
    for i, (title, summary, confidential, journey) in enumerate(PROJECTS):
        project, _ = Project.objects.update_or_create(
            title=title,
            defaults={
                "summary": summary,
                "confidential": confidential,
                "status": Project.Status.ACTIVE,
                "start_date": datetime.date(2025, 1 + i, 1),
                "end_date": datetime.date(2027, 1 + i, 1),
            },
        )
        # The demo researcher is on most projects; one is someone else's.
        if i != 6:
            ProjectMembership.objects.get_or_create(
                project=project, user=researcher, defaults={"role": "lead"}
            )
        if not project.plans.exists() and journey != "none":
            plan = services.plan_start(project=project, by=researcher) if i != 6 else None
            if plan:
                _walk(plan, journey, researcher, coordinator)
        for advisor in advisors[i : i + 2]:
            ProjectAdvisor.objects.get_or_create(
                project=project,
                advisor=advisor,
                role="Project advisory group member",
                defaults={"assigned_on": today - datetime.timedelta(days=30 * (i + 1))},
            )
        if i < len(OPPORTUNITIES):
            role, description, commitment, places, closes_in = OPPORTUNITIES[i]
            opportunity, _ = Opportunity.objects.get_or_create(
                project=project,
                role=role,
                defaults={
                    "description": description.format(title=title),
                    "starts_on": today + datetime.timedelta(days=30),
                    "ends_on": today + datetime.timedelta(days=300),
                    "time_commitment": commitment,
                    "payment": "Paid for your time at NIHR rates; travel and support costs covered",
                    "access_information": "Meetings on Zoom with captions. Papers in large print on request.",
                    # One has closed with people interested: it waits for the coordinator.
                    "closing_date": today + datetime.timedelta(days=closes_in),
                    "places": places,
                    "posted_by": researcher,
                },
            )
            for advisor in advisors[i * 2 : i * 2 + 3]:
                ExpressionOfInterest.objects.get_or_create(
                    opportunity=opportunity,
                    advisor=advisor,
                    defaults={
                        "note": "I have experience of this and would like to help.",
                        "support_needed": "Papers a week ahead" if advisor.pk % 2 else "",
                    },
                )
        if journey.startswith("approved"):
            output, _ = Output.objects.get_or_create(
                project=project,
                title=f"{title}: summary for the public",
                defaults={
                    "kind": Output.Kind.REPORT,
                    "published_on": datetime.date(2026, 3, 1 + i),
                },
            )
            services.output_credit_set(
                output=output, credits={a.pk: "co_author" for a in advisors[i : i + 2]}
            )
    stdout.write(
        f"Projects: {Project.objects.count()}, plans: {PIEPlan.objects.count()}, "
        f"opportunities: {Opportunity.objects.count()}."
    )
