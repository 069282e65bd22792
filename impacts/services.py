"""Recording impact, searching it, GRIPP2 summaries, and advisor feedback surveys."""

import datetime
import random
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from advisors.models import Advisor
from ascru_pie.celery import enqueue_on_commit
from ascru_pie.models import User
from ascru_pie.roles import Role
from meetings.models import Meeting
from projects.models import PIEPlan, PlannedActivity, Project

from .models import (
    SEARCH_CONFIG,
    AdvisorReflection,
    GrippSummary,
    ImpactRecord,
    Survey,
    SurveyReceipt,
    SurveyResponse,
)
from .tasks import survey_responses_shuffle as survey_responses_shuffle_task

# Shuffles survey answers: from the operating system's randomness, so the order cannot be
# worked out again from a seed.
_random = random.SystemRandom()


def _require_can_record(project: Project, user: User) -> None:
    if user.has_role(Role.PIE_TEAM):
        return
    if user.has_role(Role.RESEARCHER) and project.is_member(user):
        return
    raise PermissionDenied(
        "Only the project's researchers and the PIE team can record its impacts."
    )


def impact_record(
    *, project: Project, by: User, data: dict, contributors=(), standards=()
) -> ImpactRecord:
    """Record an impact (anticipated or actual) with its contributors and UK Standards."""
    _require_can_record(project, by)
    with transaction.atomic():
        impact = ImpactRecord(project=project, recorded_by=by, **data)
        if impact.planned_activity_id and impact.planned_activity.plan.project_id != project.pk:
            raise ValidationError("That planned activity belongs to another project.")
        if impact.meeting_id and impact.meeting.project_id not in (None, project.pk):
            raise ValidationError("That meeting belongs to another project.")
        impact.full_clean()
        impact.save()
        impact.contributors.set(contributors)
        impact.standards.set(standards)
    return impact


def reflection_set(*, impact: ImpactRecord, advisor: Advisor, text: str) -> AdvisorReflection:
    """An advisor adds (or changes) their reflection on an impact they contributed to."""
    if not impact.contributors.filter(pk=advisor.pk).exists():
        raise PermissionDenied("You can only reflect on impacts you contributed to.")
    if not text.strip():
        raise ValidationError("Write your reflection, or leave the page without saving.")
    reflection, _ = AdvisorReflection.objects.update_or_create(
        impact=impact, advisor=advisor, defaults={"text": text.strip()}
    )
    return reflection


def impact_search(*, user: User, q: str = "", filters: dict | None = None) -> QuerySet:
    """Impacts this person may see, matching words in what changed and evidence, and filters,
    in research stage order (ImpactStage), newest first within a stage.

    PostgreSQL full-text search (ranked, with stemming) on the stored, GIN-indexed
    ImpactRecord.search_vector when on PostgreSQL; a simple case-insensitive match on every
    word elsewhere. No join can repeat an impact (filters through related rows are
    subqueries), so there is no DISTINCT: a page of results reads a page of rows.
    """
    qs = ImpactRecord.objects.visible_to(user).defer("search_vector")
    filters = filters or {}
    for field in ("stage", "category", "extent", "kind", "direction"):
        if filters.get(field):
            qs = qs.filter(**{field: filters[field]})
    if filters.get("project"):
        qs = qs.filter(project_id=filters["project"])
    if filters.get("year"):
        qs = qs.filter(recorded_on__year=filters["year"])
    if filters.get("standard"):
        qs = qs.filter(
            Exists(
                ImpactRecord.standards.through.objects.filter(
                    impactrecord_id=OuterRef("pk"), standard__code=filters["standard"]
                )
            )
        )
    q = (q or "").strip()
    if q and connection.vendor == "postgresql":
        query = SearchQuery(q, config=SEARCH_CONFIG, search_type="websearch")
        return (
            qs.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            # In stage order, the best matches first within each stage.
            .by_stage("-rank", "-recorded_on", "-pk")
            .select_related("project", "recorded_by")
            .prefetch_related("standards", "contributors")
        )
    for word in q.split():
        qs = qs.filter(Q(what_changed__icontains=word) | Q(evidence_text__icontains=word))
    return (
        qs.by_stage()
        .select_related("project", "recorded_by")
        .prefetch_related("standards", "contributors")
    )


def refresh_search_vectors(queryset: QuerySet | None = None) -> int:
    """Rebuild the stored search vectors of `queryset` (every impact if None) in one UPDATE.
    PostgreSQL's trigger keeps them current on every write, bulk_create and update()
    included; call this after a load with triggers off or a change to the searched fields.
    Returns how many were rebuilt (0 on SQLite, which has no vectors)."""
    if queryset is None:
        queryset = ImpactRecord.objects.all()
    return queryset.refresh_search_vectors()


@dataclass
class AnticipatedStatus:
    activity: PlannedActivity
    actual_count: int


def _actual_impacts_of_activity():
    """Actual impacts recorded against the outer planned activity in any version of its plan:
    a new version's copy keeps the activity's key, so impacts recorded earlier still count."""
    return ImpactRecord.objects.filter(
        kind=ImpactRecord.Kind.ACTUAL,
        project_id=OuterRef("plan__project_id"),
        planned_activity__key=OuterRef("key"),
    )


def plan_anticipated_status(*, plan: PIEPlan) -> list[AnticipatedStatus]:
    """For each planned activity: has an actual impact been recorded against it (in this or an
    earlier version of the plan)? One query."""
    counts = (
        _actual_impacts_of_activity().order_by().values("kind").annotate(n=Count("pk")).values("n")
    )
    activities = plan.activities.annotate(
        actual_count=Coalesce(Subquery(counts, output_field=IntegerField()), 0)
    )
    return [AnticipatedStatus(a, a.actual_count) for a in activities]


def projects_needing_follow_up(*, today: datetime.date | None = None) -> list[dict]:
    """Projects with a held project meeting, or a planned activity now past, but no actual impact since.

    Returns [{"project", "since", "reason"}], oldest first.
    """
    today = today or timezone.localdate()
    later_actual = ImpactRecord.objects.filter(
        project=OuterRef("project"),
        kind=ImpactRecord.Kind.ACTUAL,
        recorded_on__gte=OuterRef("starts_at__date"),
    )
    meetings = (
        Meeting.objects.filter(project__isnull=False, ends_at__date__lt=today)
        .exclude(status=Meeting.Status.CANCELLED)
        .annotate(has_impact=Exists(later_actual))
        .filter(has_impact=False)
        .select_related("project")
        .order_by("starts_at")
    )
    found: dict[int, dict] = {}
    for meeting in meetings:
        found.setdefault(
            meeting.project_id,
            {
                "project": meeting.project,
                "since": timezone.localtime(meeting.starts_at).date(),
                "reason": f"No impact recorded since “{meeting.title}”",
            },
        )
    activities = (
        PlannedActivity.objects.filter(plan__status=PIEPlan.Status.APPROVED, planned_date__lt=today)
        .filter(~Exists(_actual_impacts_of_activity()))
        .select_related("plan__project")
        .order_by("planned_date")
    )
    for activity in activities:
        found.setdefault(
            activity.plan.project_id,
            {
                "project": activity.plan.project,
                "since": activity.planned_date,
                "reason": f"No impact recorded for the planned {activity.get_activity_type_display().lower()}",
            },
        )
    return sorted(found.values(), key=lambda row: row["since"])


def gripp_prefill(*, project: Project) -> dict:
    """Counts and records from the project to start its GRIPP2 summary from."""
    impacts = list(project.impacts.filter(kind=ImpactRecord.Kind.ACTUAL).order_by("recorded_on"))
    approved = project.plans.filter(status=PIEPlan.Status.APPROVED).first()
    activities = list(approved.activities.all()) if approved else []
    advisors = Advisor.objects.filter(project_assignments__project=project).distinct().count()
    meetings = project.meetings.exclude(status=Meeting.Status.CANCELLED).count()
    stages = sorted({i.get_stage_display() for i in impacts})
    return {
        "aim": f"To involve Public Advisors in “{project.title}” at each stage of the research.",
        "methods": (
            f"{advisors} Public Advisor{'s' if advisors != 1 else ''} took part in {meetings} meeting"
            f"{'s' if meetings != 1 else ''}. Planned activities: "
            + (
                "; ".join(
                    f"{a.get_activity_type_display()} ({a.get_stage_display().lower()})"
                    for a in activities
                )
                or "none recorded"
            )
            + "."
        ),
        "results": "\n".join(f"- {i.get_stage_display()}: {i.what_changed}" for i in impacts)
        or "No impacts recorded yet.",
        "outcomes": f"{len(impacts)} actual impact{'s' if len(impacts) != 1 else ''} recorded"
        + (f", at these stages: {', '.join(stages)}." if stages else "."),
        "reflections": "",
    }


def gripp_save(*, project: Project, by: User, data: dict) -> GrippSummary:
    _require_can_record(project, by)
    summary, _ = GrippSummary.objects.update_or_create(
        project=project, defaults={**data, "updated_by": by}
    )
    return summary


def survey_respond(
    *, survey: Survey, advisor: Advisor, answers: dict, anonymous: bool
) -> SurveyResponse:
    """Save an advisor's answers once. Anonymous answers keep no link to the advisor at all.

    The receipt (who has answered) and the answers are written in two transactions, so they
    never share a PostgreSQL transaction id, and after the answer is saved the survey's
    answers are queued to be rewritten in a random order (`survey_responses_shuffle`). Call
    it outside a transaction, as the views do, or the two writes become one.
    """
    today = timezone.localdate()
    if not survey.opens_on <= today <= survey.closes_on:
        raise ValidationError("This survey is not open at the moment.")
    response = SurveyResponse(
        survey=survey,
        advisor=None if anonymous else advisor,
        submitted_on=None if anonymous else today,
        **answers,
    )
    # Check the answers before the receipt is written, so a receipt never stands for nothing.
    response.full_clean()
    with transaction.atomic():
        _, first_time = SurveyReceipt.objects.get_or_create(survey=survey, advisor=advisor)
    if not first_time:
        raise ValidationError("You have already answered this survey. Thank you!")
    try:
        with transaction.atomic():
            response.save(force_insert=True)
    except Exception:
        # Not answered after all: let them try again.
        SurveyReceipt.objects.filter(survey=survey, advisor=advisor).delete()
        raise
    # With the broker down the nightly rewrite does it instead (nothing to mark as unsent).
    enqueue_on_commit(survey_responses_shuffle_task, [survey.pk], unsent=lambda ids: None)
    return response


def survey_responses_shuffle(*, survey: Survey) -> int:
    """Rewrite every answer to `survey` in a random order with new random ids; the answers
    themselves do not change. Returns how many were rewritten; safe to run twice or at once.

    Deleting and inserting again (not updating in place) gives each row a new place in the
    table and the same transaction id as all the others, so the order and the transaction in
    which someone answered can no longer be matched to their receipt.
    """
    fields = [f.attname for f in SurveyResponse._meta.concrete_fields if f.name != "id"]
    with transaction.atomic():
        # One rewrite of a survey at a time: two would each delete and insert the same rows.
        Survey.objects.select_for_update().filter(pk=survey.pk).first()
        rows = list(SurveyResponse.objects.filter(survey=survey).values("id", *fields))
        _random.shuffle(rows)
        deleted, _ = SurveyResponse.objects.filter(pk__in=[r["id"] for r in rows]).delete()
        if deleted != len(rows):
            raise RuntimeError("Survey answers changed during the rewrite; try again.")
        SurveyResponse.objects.bulk_create(
            SurveyResponse(**{name: row[name] for name in fields}) for row in rows
        )
    return len(rows)


def survey_responses_shuffle_recent(*, today: datetime.date | None = None) -> int:
    """Rewrite the answers of every survey open today or closed in the past week (nightly, and
    so after a survey closes). Returns how many answers were rewritten."""
    today = today or timezone.localdate()
    recent = Survey.objects.filter(
        opens_on__lte=today, closes_on__gte=today - datetime.timedelta(days=7)
    )
    return sum(survey_responses_shuffle(survey=survey) for survey in recent)


def survey_results(*, surveys: QuerySet | None = None) -> dict:
    """Averages and counts across responses (for the PIE team and the manager)."""
    responses = (
        SurveyResponse.objects.all()
        if surveys is None
        else SurveyResponse.objects.filter(survey__in=surveys)
    )
    agg = responses.aggregate(
        n=Count("pk"),
        felt_valued=Avg("felt_valued"),
        had_support=Avg("had_support"),
        paid_on_time=Avg("paid_on_time"),
        again_yes=Count("pk", filter=Q(take_part_again=SurveyResponse.Again.YES)),
    )
    return agg
