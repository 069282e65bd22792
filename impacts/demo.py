"""Demo impact database: ~60 records across stages and categories, GRIPP2 summaries, survey responses."""

import datetime
import random

from django.utils import timezone

from advisors.models import Advisor
from ascru_pie.models import User
from projects.models import Project

from . import services
from .models import ImpactRecord, ImpactStage, Standard, Survey, SurveyReceipt, SurveyResponse

CHANGES = {
    "question": [
        "Advisors asked us to focus on respite for carers of people with dementia, which became our main question.",
        "The priority list was reordered after advisors described the cost of care at home.",
    ],
    "design": [
        "Interviews moved from video calls to phone or in person, because many participants do not use video.",
        "We added a carers' arm to the study after advisors' feedback.",
    ],
    "recruitment": [
        "The participant information sheet was rewritten in plain English and an easy-read version added.",
        "Advisors suggested recruiting through carers' centres; recruitment doubled.",
    ],
    "tools": [
        "Interview questions were reworded so they do not assume people have family nearby.",
        "A question about paying for care was made optional after advisors said it felt intrusive.",
    ],
    "analysis": [
        "In the co-analysis workshop advisors named a theme the team had missed: feeling rushed by carers.",
        "Advisors challenged an interpretation about 'choice' that did not match their experience.",
    ],
    "outputs": [
        "The summary report was co-written with two advisors and tested with a carers' group.",
        "An advisor co-presented the findings at the national conference.",
    ],
    "policy": [
        "Findings were cited in the local authority's new home-care commissioning framework.",
        "The Department's briefing included advisors' quotes about hospital discharge.",
    ],
    "advisor_development": [
        "Two advisors completed research methods training and now lead a reading group.",
        "An advisor said the experience gave them confidence to join a local board.",
    ],
    "researcher_learning": [
        "The team learnt to send papers a week ahead in large print as standard.",
        "Researchers now budget for carer cover in every involvement plan.",
    ],
}
STAGE_FOR = {
    "question": "identifying",
    "design": "design",
    "recruitment": "conduct",
    "tools": "conduct",
    "analysis": "analysis",
    "outputs": "dissemination",
    "policy": "beyond",
    "advisor_development": "dissemination",
    "researcher_learning": "design",
}


def seed(*, stdout) -> None:
    if ImpactRecord.objects.exists():
        stdout.write(f"Impacts: already seeded ({ImpactRecord.objects.count()} records).")
        return
    rng = random.Random(7)
    researcher = User.objects.get(username="researcher")
    coordinator = User.objects.get(username="coordinator")
    projects = list(Project.objects.order_by("pk"))
    standards = list(Standard.objects.all())
    advisors = list(Advisor.objects.active().order_by("pk")[:12])
    ada = Advisor.objects.get(user__username="advisor")
    today = timezone.localdate()
    n = 0
    while n < 60:
        category = list(CHANGES)[n % len(CHANGES)]
        project = projects[n % len(projects)]
        by = researcher if project.is_member(researcher) else coordinator
        kind = ImpactRecord.Kind.ANTICIPATED if n % 6 == 5 else ImpactRecord.Kind.ACTUAL
        impact = services.impact_record(
            project=project,
            by=by,
            data={
                "stage": STAGE_FOR[category]
                if STAGE_FOR[category] in ImpactStage.values
                else "design",
                "kind": kind,
                "category": category,
                "what_changed": CHANGES[category][n % 2],
                "extent": ["minor", "moderate", "major"][n % 3],
                "direction": "negative" if n % 13 == 0 else "positive",
                "evidence_text": "Minutes of the advisory group; the revised document."
                if n % 2
                else "",
                "recorded_on": today - datetime.timedelta(days=5 * n + 3),
            },
            contributors=rng.sample(advisors, k=2) + ([ada] if n % 4 == 0 else []),
            standards=rng.sample(standards, k=2),
        )
        if n % 8 == 0:
            services.reflection_set(
                impact=impact,
                advisor=ada,
                text="It was good to see our suggestion taken up so quickly.",
            )
        n += 1
    for project in projects[:3]:
        services.gripp_save(
            project=project, by=coordinator, data=services.gripp_prefill(project=project)
        )
    annual, _ = Survey.objects.get_or_create(
        title=f"Annual experience survey {today.year}",
        kind=Survey.Kind.ANNUAL,
        defaults={
            "opens_on": today - datetime.timedelta(days=20),
            "closes_on": today + datetime.timedelta(days=40),
        },
    )
    for i, advisor in enumerate(advisors[1:11]):
        SurveyReceipt.objects.get_or_create(survey=annual, advisor=advisor)
        anonymous = i % 3 == 0
        SurveyResponse.objects.create(
            survey=annual,
            advisor=None if anonymous else advisor,
            felt_valued=4 + i % 2,
            had_support=3 + i % 3,
            paid_on_time=3 + i % 3,
            take_part_again=["yes", "yes", "not_sure"][i % 3],
            works_well="Friendly meetings and papers in good time." if i % 2 else "",
            does_not_work="Online meetings are hard to follow without captions."
            if i % 4 == 0
            else "",
            # Anonymous answers keep no date (see SurveyResponse).
            submitted_on=None if anonymous else today - datetime.timedelta(days=i),
        )
    # Stored in a random order, as real answers are after the nightly rewrite.
    services.survey_responses_shuffle(survey=annual)
    stdout.write(
        f"Impacts: {ImpactRecord.objects.count()} records, {SurveyResponse.objects.count()} survey responses."
    )
