"""Report requests: queued, built by a worker (WeasyPrint), downloaded when done; retry on failure."""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Prefetch
from django.utils import timezone

from advisors.models import Advisor
from ascru_pie.celery import enqueue_on_commit
from ascru_pie.contact import unit_contact
from ascru_pie.models import User
from ascru_pie.roles import Role
from ascru_pie.templatetags.words import plural_text
from impacts.models import AdvisorReflection, GrippSummary, ImpactRecord, Standard
from meetings.models import Attendance, Meeting
from payments.selectors import project_budgets, tax_year_statement
from projects.models import Output, OutputCredit, PIEPlan
from projects.services import plan_budget_for

from .figures import PRESENT, Period, annual_evidence, key_figures
from .models import PeriodKind, ReportExample, ReportRequest, StandardNarrative
from .tasks import report_build as report_build_task
from .words import worker_lost_words

ADVISOR_KINDS = {ReportRequest.Kind.STATEMENT, ReportRequest.Kind.CERTIFICATE}


def report_request(
    *,
    kind: str,
    by: User,
    year: int | None = None,
    period_kind: str = PeriodKind.CALENDAR,
    project=None,
    advisor: Advisor | None = None,
    letter_text: str = "",
    referee: "Referee | None" = None,
) -> ReportRequest:
    """Queue a report. The PIE team and the manager may ask for any; an advisor only for their own
    statement or certificate. The worker is asked after commit."""

    if by.has_role(Role.PIE_TEAM, Role.MANAGER):
        pass
    elif (
        by.has_role(Role.ADVISOR)
        and kind in ADVISOR_KINDS
        and advisor is not None
        and advisor.user_id == by.pk
    ):
        pass
    else:
        raise PermissionDenied("You cannot ask for this report.")
    if kind == ReportRequest.Kind.PROJECT and project is None:
        raise ValidationError("Choose the project for a project report.")
    if kind in (*ADVISOR_KINDS, ReportRequest.Kind.REFERENCE) and advisor is None:
        raise ValidationError("Choose the advisor for this document.")
    if kind == ReportRequest.Kind.REFERENCE and not letter_text.strip():
        raise ValidationError("Write the reference letter first.")
    if kind == ReportRequest.Kind.REFERENCE:
        reference_check(letter_text=letter_text)
    if kind == ReportRequest.Kind.CERTIFICATE:
        certificate_check(advisor=advisor)
    this_year = timezone.localdate().year
    if year is not None and not 2000 <= year <= this_year + 1:
        raise ValidationError(f"Choose a year between 2000 and {this_year + 1}.")
    request = ReportRequest.objects.create(
        kind=kind,
        requested_by=by,
        year=year or this_year,
        period_kind=period_kind if kind == ReportRequest.Kind.ANNUAL else PeriodKind.CALENDAR,
        project=project,
        advisor=advisor,
        letter_text=letter_text,
        **(referee.as_fields() if referee and kind == ReportRequest.Kind.REFERENCE else {}),
        task_due_at=timezone.now(),
    )
    _send_to_worker([request.pk])
    return request


def report_retry(*, request: ReportRequest, by: User) -> ReportRequest:
    """Queue a failed report again (same request, so the page keeps one row)."""

    updated = ReportRequest.objects.filter(
        pk=request.pk, status=ReportRequest.Status.FAILED
    ).update(
        status=ReportRequest.Status.QUEUED,
        error="",
        started_at=None,
        finished_at=None,
        attempts=0,
        task_due_at=timezone.now(),
    )
    if updated:
        _send_to_worker([request.pk])
    request.refresh_from_db()
    return request


def _send_to_worker(request_ids: list[int]) -> None:
    """Enqueue report_build for each after commit; what the broker does not take is marked
    as having no task, and the sweeper sends it when the broker is back."""
    enqueue_on_commit(
        report_build_task,
        request_ids,
        unsent=lambda ids: ReportRequest.objects.filter(pk__in=ids).update(task_due_at=None),
    )


# The most requests one sweep sends; the next sweep sends the rest.
SWEEP_BATCH = 500


def report_requests_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Beat, every 30 seconds: make sure every unfinished request has a live task.

    A request "being made" past its lease lost its worker: it is queued again, or after
    REPORT_MAX_ATTEMPTS starts it is failed with that reason (and can be tried again). Then
    every queued request with no live task (the broker was down, or lost it) is sent again.
    Safe to run twice or overlapping: each change is a conditional UPDATE, rows being sent are
    locked, and report_build only claims a queued request, so a spare task does nothing.
    """
    now = now or timezone.now()
    counts = {"requeued": 0, "failed": 0, "sent": 0}
    expired = ReportRequest.objects.lease_expired(now=now)
    for pk, attempts in expired.values_list("pk", "attempts")[:SWEEP_BATCH]:
        # The attempt number is the lease: a worker that claims it again has a new one.
        same_lease = ReportRequest.objects.filter(
            pk=pk, status=ReportRequest.Status.RUNNING, attempts=attempts
        )
        if attempts >= settings.REPORT_MAX_ATTEMPTS:
            counts["failed"] += same_lease.update(
                status=ReportRequest.Status.FAILED,
                error=worker_lost_words(attempts),
                finished_at=now,
            )
        else:
            counts["requeued"] += same_lease.update(
                status=ReportRequest.Status.QUEUED, started_at=None, task_due_at=None
            )
    with transaction.atomic():
        # skip_locked: an overlapping sweep leaves these to us (PostgreSQL; SQLite serialises).
        due = list(
            ReportRequest.objects.without_task(now=now)
            .select_for_update(skip_locked=True)
            .order_by("created_at", "pk")  # oldest first; pk breaks ties
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        ReportRequest.objects.filter(pk__in=due).update(task_due_at=now)
        _send_to_worker(due)
    counts["sent"] = len(due)
    return counts


def report_build(*, request_id: int) -> str:
    """The worker's job: claim the request, render the PDF, save it; record any failure with its reason.

    Safe to run twice: only a queued request is claimed; a done one is left alone. The claim
    starts a lease (started_at, and the attempt number as its token): if the sweeper has
    given the request to another worker meanwhile, this one's result is thrown away.
    """
    claimed = ReportRequest.objects.filter(
        pk=request_id, status=ReportRequest.Status.QUEUED
    ).update(
        status=ReportRequest.Status.RUNNING,
        started_at=timezone.now(),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return "skipped"
    request = ReportRequest.objects.select_related("project", "advisor", "requested_by").get(
        pk=request_id
    )
    mine = ReportRequest.objects.filter(
        pk=request_id, status=ReportRequest.Status.RUNNING, attempts=request.attempts
    )
    try:
        pdf, pages = render_report(request)
    except Exception as exc:  # the reason is shown to the person who asked, who can retry
        mine.update(
            status=ReportRequest.Status.FAILED,
            error=f"{exc.__class__.__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        return "failed"
    request.file.save(request.filename, ContentFile(pdf), save=False)
    # A conditional UPDATE, not save(): a worker whose lease ran out must not overwrite the
    # row another worker now owns.
    if not mine.update(
        file=request.file.name,
        status=ReportRequest.Status.DONE,
        finished_at=timezone.now(),
        pages=pages,
    ):
        request.file.delete(save=False)
        return "superseded"
    return "done"


def render_report(request: ReportRequest) -> tuple[bytes, int]:
    """PDF bytes and page count for a request (also used by the build_report command)."""
    builders = {
        ReportRequest.Kind.ANNUAL: _annual,
        ReportRequest.Kind.PROJECT: _project,
        ReportRequest.Kind.STATEMENT: _statement,
        ReportRequest.Kind.CERTIFICATE: _certificate,
        ReportRequest.Kind.REFERENCE: _reference,
    }
    # WeasyPrint takes a second to import: only the worker and the build command need it.
    from ascru_pie.lib.pdf import render_pdf

    template, context = builders[request.kind](request)
    return render_pdf(template, {"request": request, "generated": timezone.now(), **context})


def _annual(request: ReportRequest):
    period = Period.of(request.year, request.period_kind)
    figures = key_figures(period)
    return "reports/pdf/annual.html", {
        "f": figures,
        "e": annual_evidence(period, equality=figures.equality),
        "charts": figures.charts(),
        "threshold": settings.EQUALITY_SUPPRESS_BELOW,
    }


def _project(request: ReportRequest):
    project = request.project
    plan = project.plans.filter(status=PIEPlan.Status.APPROVED).first()
    # The budget as approved, never re-priced at today's rates.
    budget = plan_budget_for(plan) if plan else None
    return "reports/pdf/project.html", {
        "project": project,
        "plan": plan,
        "budget": budget,
        "spend": project_budgets(projects=[project])[0],
        "impacts": ImpactRecord.objects.filter(project=project)
        .prefetch_related("contributors")
        .by_stage("recorded_on", "pk"),
        "outputs": project.outputs.prefetch_related(
            Prefetch("credits", queryset=OutputCredit.objects.select_related("advisor"))
        ).order_by("published_on", "title"),
        "gripp": GrippSummary.objects.filter(project=project).first(),
        "meetings": project.meetings.exclude(status=Meeting.Status.CANCELLED).order_by("starts_at"),
    }


def _statement(request: ReportRequest):

    statement = tax_year_statement(
        advisor=request.advisor, year_start=datetime.date(request.year, 4, 6)
    )
    return "reports/pdf/statement.html", {"advisor": request.advisor, "s": statement}


def _attended(advisor: Advisor):
    return (
        Attendance.objects.filter(advisor=advisor, status__in=PRESENT)
        .select_related("meeting", "meeting__project")
        .order_by("meeting__starts_at")
    )


def certificate_check(*, advisor: Advisor | None) -> None:
    """Refuse a certificate that would certify nothing: no meeting attended, no hours given."""
    if advisor is None:
        return
    attended = _attended(advisor)
    hours = sum((a.hours_attended + a.preparation_hours for a in attended), start=Decimal("0"))
    if not attended or not hours:
        raise ValidationError(
            f"We cannot make a certificate of involvement for {advisor.full_name} yet: our "
            "records show no meetings attended and no hours of involvement. A certificate "
            "can be made once they have taken part in a meeting.",
            code="no_involvement",
        )


def _certificate(request: ReportRequest):

    advisor = request.advisor
    certificate_check(advisor=advisor)
    attended = _attended(advisor)
    hours = sum((a.hours_attended + a.preparation_hours for a in attended), start=Decimal("0"))
    return "reports/pdf/certificate.html", {
        "advisor": advisor,
        "attended": attended,
        "hours": hours,
        "projects": sorted({a.meeting.project.title for a in attended if a.meeting.project}),
        "credits": advisor.output_credits.select_related("output"),
        "training": advisor.training.all(),
    }


@dataclass(frozen=True)
class Referee:
    """Who gives a reference: named, with their role and how to reach them, on the letter."""

    name: str
    role: str
    contact: str

    @property
    def contact_lines(self) -> list[str]:
        return [line.strip() for line in self.contact.splitlines() if line.strip()]

    def as_fields(self) -> dict[str, str]:
        return {
            "referee_name": self.name.strip(),
            "referee_role": self.role.strip(),
            "referee_contact": "\n".join(self.contact_lines),
        }


def referee_default(*, user: User | None) -> Referee:
    """The signed-in member of staff, reached at their own email and the unit's phone and address
    (UNIT_CONTACT_*); with nobody signed in (the build command), the unit's contact."""
    contact = unit_contact()
    name = (user.get_full_name() or user.username) if user else ""
    email = user.email if user and user.email else contact.email
    lines = [email, contact.phone, *contact.address]
    return Referee(
        name=name or contact.name[:1].upper() + contact.name[1:],
        role="Public Involvement and Engagement team, ASCRU2 Policy Research Unit",
        contact="\n".join(line for line in lines if line),
    )


def _referee_for(request: ReportRequest) -> Referee:
    if request.referee_name:
        return Referee(
            name=request.referee_name,
            role=request.referee_role,
            contact=request.referee_contact,
        )
    return referee_default(user=request.requested_by if request.requested_by_id else None)


# Text in square brackets is a note in the draft for the writer to replace.
PLACEHOLDER = re.compile(r"\[[^\[\]]*\]")


def reference_check(*, letter_text: str) -> None:
    """Refuse a letter that still has the draft's placeholder notes in it, naming the first."""
    found = PLACEHOLDER.search(letter_text)
    if found:
        raise ValidationError(
            f"The letter still has the placeholder “{found.group(0)}”. Replace it with your "
            "own words (and take out the square brackets) before making the letter."
        )


def _reference(request: ReportRequest):
    reference_check(letter_text=request.letter_text)
    return "reports/pdf/reference.html", {
        "advisor": request.advisor,
        "letter_text": request.letter_text,
        "referee": _referee_for(request),
    }


def _and_list(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    items = [i.strip() for i in items if i and i.strip()]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _sentence(*parts: str) -> str:
    """Parts joined by single spaces, with one full stop at the end."""
    text = " ".join(" ".join(p.split()) for p in parts if p and p.strip())
    return text.rstrip(" .,;") + "."


def reference_draft(*, advisor: Advisor) -> str:
    """A first draft of a reference letter from the advisor's record, for the PIE team to edit.
    The note in square brackets must be replaced before the letter can be made."""

    meetings = Attendance.objects.filter(advisor=advisor, status__in=PRESENT).count()
    roles = sorted({a.role.strip() for a in advisor.project_assignments.all() if a.role.strip()})
    training = [t.course for t in advisor.training.all()]
    lines = [
        "To whom it may concern,",
        "",
        _sentence(
            f"{advisor.full_name} has been a Public Advisor with the ASCRU2 Policy Research Unit",
            f"since {advisor.joined_on:%B %Y}" if advisor.joined_on else "",
        ),
    ]
    if meetings:
        lines.append(
            _sentence(
                f"In that time they have taken part in {plural_text(meetings, 'meeting,meetings')}",
                "of our advisory and management groups",
                f"and have contributed as {_and_list(roles)}" if roles else "",
            )
        )
    elif roles:
        lines.append(_sentence(f"They have contributed to our research as {_and_list(roles)}"))
    if advisor.pieg_member:
        lines.append(
            _sentence(
                f"{advisor.first_name} is a member of our Public Involvement and Engagement "
                "Group (PIEG)"
            )
        )
    if training:
        lines.append(_sentence(f"They have completed training in {_and_list(training)}"))
    lines += [
        "",
        "[Add what they brought to the work, in your own words.]",
        "",
        "Yours faithfully,",
    ]
    return "\n".join(lines)


# --- The annual report's evidence: examples and narratives the PIE team curates ---------------


def _source_text(*, impact=None, reflection=None, output=None) -> str:
    if reflection is not None:
        return reflection.text
    if impact is not None:
        return impact.what_changed
    if output is not None:
        # Advisors are named as they chose in the output's own list, not copied here.
        return f"{output.get_kind_display()}: {output.title}"
    return ""


def report_example_add(
    *,
    period: Period,
    standard: Standard,
    by: User,
    source: str,
    text: str = "",
) -> ReportExample:
    """Choose a record ("impact:12", "reflection:3" or "output:7") as an example for one
    standard; the wording starts as the record's own words unless `text` is given."""
    if not by.has_role(Role.PIE_TEAM):
        raise PermissionDenied("Only the PIE team chooses report examples.")
    kind, _, pk = source.partition(":")
    models_by_kind = {"impact": ImpactRecord, "reflection": AdvisorReflection, "output": Output}
    if kind not in models_by_kind or not pk.isdigit():
        raise ValidationError("Choose a record from the list.")
    record = (
        models_by_kind[kind]
        .objects.filter(pk=int(pk))
        .exclude(
            **{
                "impact": {"project__confidential": True},
                "reflection": {"impact__project__confidential": True},
                "output": {"project__confidential": True},
            }[kind]
        )
        .first()
    )
    if record is None:
        raise ValidationError("Choose a record from the list.")
    sources = {kind: record}
    words = " ".join((text or _source_text(**sources)).split())
    last = (
        ReportExample.objects.for_period(year=period.year, period_kind=period.kind)
        .filter(standard=standard)
        .order_by("-order")
        .values_list("order", flat=True)
        .first()
    )
    example = ReportExample(
        year=period.year,
        period_kind=period.kind,
        standard=standard,
        text=words,
        order=(last or 0) + 1,
        updated_by=by,
        **sources,
    )
    example.full_clean()
    example.save()
    return example


def report_example_update(
    *, example: ReportExample, by: User, text: str, order: int
) -> ReportExample:
    if not by.has_role(Role.PIE_TEAM):
        raise PermissionDenied("Only the PIE team edits report examples.")
    example.text = text.strip()
    example.order = order
    example.updated_by = by
    example.full_clean()
    example.save(update_fields=["text", "order", "updated_by", "updated_at"])
    return example


def report_example_remove(*, example: ReportExample, by: User) -> None:
    if not by.has_role(Role.PIE_TEAM):
        raise PermissionDenied("Only the PIE team removes report examples.")
    example.delete()


def standard_narrative_save(
    *, period: Period, standard: Standard, by: User, text: str
) -> StandardNarrative | None:
    """Write (or, with empty text, remove) the narrative for one standard in one report."""
    if not by.has_role(Role.PIE_TEAM):
        raise PermissionDenied("Only the PIE team writes the narrative.")
    existing = StandardNarrative.objects.for_period(year=period.year, period_kind=period.kind)
    text = text.strip()
    if not text:
        existing.filter(standard=standard).delete()
        return None
    narrative = existing.filter(standard=standard).first() or StandardNarrative(
        year=period.year, period_kind=period.kind, standard=standard
    )
    narrative.text, narrative.updated_by = text, by
    narrative.full_clean()
    narrative.save()
    return narrative
