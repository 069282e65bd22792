"""Demo annual-report evidence: a narrative and one chosen example per UK Standard, as the
PIE team would write them, so the demo report shows what a finished one looks like.
Idempotent: a standard that already has an example or a narrative is left alone."""

from impacts.models import AdvisorReflection, ImpactRecord, Standard
from projects.models import Output

from .figures import CO_CREDITS, Period
from .models import ReportExample, StandardNarrative
from .services import report_example_add, standard_narrative_save

NARRATIVES = {
    "inclusive_opportunities": "We advertised advisor roles through carers' groups and local "
    "charities, and offered paid time, travel and carer costs from the first meeting.",
    "working_together": "Advisors and researchers agreed the aims of each project together "
    "and met at every stage, from the first questions to the findings.",
    "support_and_learning": "New advisors had an introduction to research and a named contact "
    "in the PIE team; support budgets covered the costs of taking part.",
    "communications": "We shared plain summaries of our findings with advisors before "
    "publication, and advisors co-presented them.",
    "impact": "Advisors' suggestions changed how questions were asked and which findings we "
    "shared first.",
    "governance": "Public Advisors sit on the Management Group and help decide the unit's "
    "priorities.",
}


def seed(*, stdout, by, period: Period) -> None:
    span = (period.start, period.end)
    chosen = ReportExample.objects.for_period(year=period.year, period_kind=period.kind)
    narratives = StandardNarrative.objects.for_period(year=period.year, period_kind=period.kind)
    impacts = ImpactRecord.objects.filter(
        kind=ImpactRecord.Kind.ACTUAL, recorded_on__range=span, project__confidential=False
    ).prefetch_related("standards")
    added = 0
    for standard in Standard.objects.order_by("order"):
        if not narratives.filter(standard=standard).exists() and standard.code in NARRATIVES:
            standard_narrative_save(
                period=period, standard=standard, by=by, text=NARRATIVES[standard.code]
            )
        if chosen.filter(standard=standard).exists():
            continue
        used = set(chosen.exclude(impact=None).values_list("impact", flat=True))
        record = next(
            (i for i in impacts if standard in i.standards.all() and i.pk not in used), None
        )
        source = f"impact:{record.pk}" if record else ""
        if standard.code == "communications":
            output = Output.objects.filter(
                published_on__range=span,
                project__confidential=False,
                credits__credit__in=CO_CREDITS,
            ).first()
            source = f"output:{output.pk}" if output else source
        if source:
            report_example_add(period=period, standard=standard, by=by, source=source)
            added += 1
    reflection = AdvisorReflection.objects.filter(
        impact__recorded_on__range=span, impact__project__confidential=False
    ).first()
    if reflection and not chosen.exclude(reflection=None).exists():
        report_example_add(
            period=period,
            standard=Standard.objects.get(code="impact"),
            by=by,
            source=f"reflection:{reflection.pk}",
        )
        added += 1
    stdout.write(f"Annual report examples chosen for the demo: {added}.")
