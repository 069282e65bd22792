"""Objects the access matrix points at: Rita's project (she is a member) and one she is not on.

Each returns URL kwargs and caches the object on the test case.
"""

import datetime

from django.utils import timezone

from projects import services
from projects.models import Opportunity
from tests.factories import ActivityFactory, ProjectFactory, add_member, example_rate_card


def rita_project(tc) -> dict:
    if not hasattr(tc, "_rita_project"):
        project = ProjectFactory(title="Rita's study")
        add_member(project, tc.researcher_rita)
        services.plan_start(project=project, by=tc.researcher_rita)
        tc._rita_project = project
    return {"pk": tc._rita_project.pk}


def other_project(tc) -> dict:
    if not hasattr(tc, "_other_project"):
        project = ProjectFactory(title="Someone else's study")
        from tests.factories import PlanFactory

        PlanFactory(project=project)
        tc._other_project = project
    return {"pk": tc._other_project.pk}


def rita_submitted_project(tc) -> dict:
    if not hasattr(tc, "_rita_submitted"):
        from rates.models import RateCard

        if not RateCard.objects.exists():
            example_rate_card()
        project = ProjectFactory(title="Rita's submitted study")
        add_member(project, tc.researcher_rita)
        plan = services.plan_start(project=project, by=tc.researcher_rita)
        ActivityFactory(plan=plan)
        services.plan_submit(plan=plan, by=tc.researcher_rita)
        tc._rita_submitted = project
    return {"pk": tc._rita_submitted.pk}


def rita_opportunity(tc) -> dict:
    if not hasattr(tc, "_rita_opportunity"):
        project_pk = rita_project(tc)["pk"]
        tc._rita_opportunity = Opportunity.objects.create(
            project_id=project_pk,
            role="Interview adviser",
            description="Help shape interviews",
            time_commitment="Two 2-hour meetings",
            payment="NIHR rates",
            posted_by=tc.researcher_rita,
            closing_date=timezone.localdate() + datetime.timedelta(days=30),
        )
    return {"pk": tc._rita_opportunity.pk}
