"""PIE plan workflow: draft → submitted → changes requested → resubmitted → approved.

Only the project's researchers edit and submit; only the PIE team requests changes or
approves. Each step is recorded (PlanEvent) and emails the other side.
"""

import difflib
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from ascru_pie.lib.dates import hours_number
from ascru_pie.lib.emails import make_message
from ascru_pie.models import User
from ascru_pie.roles import Role
from ascru_pie.templatetags.words import day_text, plural_text, pounds_text

from .budget import Budget, budget_from_snapshot, budget_snapshot, plan_budget
from .models import (
    ExpressionOfInterest,
    Opportunity,
    Output,
    OutputCredit,
    PIEPlan,
    PlanEvent,
    PlannedActivity,
    Project,
    ProjectAdvisor,
    ReviewComment,
    SelectionEvent,
    Stage,
)


def _pie_team_emails() -> list[str]:
    return list(
        User.objects.filter(groups__name=Role.PIE_TEAM, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def _researcher_emails(project: Project) -> list[str]:
    return list(
        project.members.filter(is_active=True).exclude(email="").values_list("email", flat=True)
    )


def _notify(name: str, to: list[str], plan: PIEPlan, **ctx) -> None:
    if to:
        message = make_message(name, to, {"plan": plan, "project": plan.project, **ctx})
        transaction.on_commit(message.send)


def _move(plan: PIEPlan, to_status: str, by: User) -> None:
    PlanEvent.objects.create(plan=plan, from_status=plan.status, to_status=to_status, by=by)
    plan.status = to_status


def _lock(plan: PIEPlan) -> PIEPlan:
    return PIEPlan.objects.select_for_update().select_related("project").get(pk=plan.pk)


def _require_member(plan: PIEPlan, user: User) -> None:
    if not plan.project.is_member(user):
        raise PermissionDenied("Only the project's researchers can change or submit its PIE plan.")


def _require_pie_team(user: User, action: str = "review PIE plans") -> None:
    if not user.has_role(Role.PIE_TEAM):
        raise PermissionDenied(f"Only the PIE team can {action}.")


def plan_budget_for(plan: PIEPlan, *, today: date | None = None) -> Budget:
    """The budget of a plan version as people should see it.

    An approved or superseded version: the budget stored at approval, whatever the rate
    card says now. Any other: priced live (undated sessions on the submission day once
    submitted, so the reviewer sees what approval will store; else on today).
    """
    activities = list(plan.activities.all())
    if plan.is_decided and plan.approved_budget:
        return budget_from_snapshot(plan.approved_budget, activities)
    budget = plan_budget(activities, today=plan.priced_on(today or timezone.localdate()))
    if (
        plan.is_decided
        and plan.budget_total is not None
        and budget.totals.total != plan.budget_total
    ):
        # Approved before budgets were stored in full: say which figure was approved.
        budget.problems.append(
            f"This version was approved at {pounds_text(plan.budget_total)}. The breakdown "
            f"here is worked out again from today's rate card and comes to "
            f"{pounds_text(budget.totals.total)}."
        )
    return budget


def plan_start(*, project: Project, by: User) -> PIEPlan:
    """The plan a researcher should work on: the open version, or a new first draft."""
    with transaction.atomic():
        Project.objects.select_for_update().get(pk=project.pk)
        plan = project.plans.filter(status__in=PIEPlan.OPEN).first()
        if plan:
            return plan
        if project.plans.exists():
            raise ValidationError(
                "This project has an approved plan. Start a new version to change it."
            )
        _require_member(PIEPlan(project=project), by)
        plan = PIEPlan.objects.create(project=project, version=1, created_by=by)
        PlanEvent.objects.create(plan=plan, to_status=plan.status, by=by)
        return plan


def plan_update(
    *, plan: PIEPlan, by: User, recognition: str, support_and_training: str, activities: list[dict]
) -> PIEPlan:
    """Replace the plan's text and activities with what the researcher saved."""
    with transaction.atomic():
        plan = _lock(plan)
        _require_member(plan, by)
        if not plan.is_editable:
            raise ValidationError(
                f"This plan is {plan.get_status_display().lower()} and cannot be edited."
            )
        plan.recognition = recognition
        plan.support_and_training = support_and_training
        plan.full_clean()
        plan.save(update_fields=["recognition", "support_and_training"])
        _activities_replace(plan, activities)
    return plan


def _activities_replace(plan: PIEPlan, activities: list[dict]) -> None:
    """Make the plan's activities exactly `activities`, keeping each one's row (and so its
    key and the impacts recorded against it) when it comes back with its key."""
    existing = {a.key: a for a in plan.activities.all()}
    kept = []
    for order, data in enumerate(activities):
        data = dict(data)
        key = data.pop("key", None)
        # A key that is not one of this plan's activities (or comes twice) starts a new one.
        activity = existing.pop(key, None) if key else None
        if activity is None:
            activity = PlannedActivity(plan=plan, key=uuid.uuid4())
        for name, value in data.items():
            setattr(activity, name, value)
        activity.order = order
        activity.full_clean()
        kept.append(activity)
    PlannedActivity.objects.filter(pk__in=[a.pk for a in existing.values()]).delete()
    for activity in kept:
        activity.save()


def plan_submit(*, plan: PIEPlan, by: User) -> PIEPlan:
    """Send a draft (or a plan with requested changes) to the PIE team for review."""
    with transaction.atomic():
        plan = _lock(plan)
        _require_member(plan, by)
        if plan.in_review:
            return plan
        if not plan.is_editable:
            raise ValidationError(
                f"A plan that is {plan.get_status_display().lower()} cannot be submitted."
            )
        budget = plan_budget_for(plan)
        if not budget.lines:
            raise ValidationError("Add at least one planned activity before submitting.")
        if budget.problems:
            raise ValidationError(budget.problems)
        resubmission = plan.status == PIEPlan.Status.CHANGES_REQUESTED
        _move(plan, PIEPlan.Status.RESUBMITTED if resubmission else PIEPlan.Status.SUBMITTED, by)
        plan.budget_total = budget.totals.total
        plan.submitted_at = timezone.now()
        plan.save(update_fields=["status", "budget_total", "submitted_at"])
        _notify("plan-submitted", _pie_team_emails(), plan, by=by, resubmission=resubmission)
    return plan


def _comments_given(comments: dict[str, str]) -> dict[str, str]:
    sections = dict(ReviewComment.SECTIONS)
    return {
        section: text.strip()
        for section, text in comments.items()
        if section in sections and text and text.strip()
    }


def _comments_create(
    plan: PIEPlan, comments: dict[str, str], *, by: User, at
) -> list[ReviewComment]:
    return [
        ReviewComment.objects.create(plan=plan, section=section, comment=text, by=by, at=at)
        for section, text in comments.items()
    ]


def plan_request_changes(*, plan: PIEPlan, by: User, comments: dict[str, str]) -> PIEPlan:
    """Send the plan back to the researchers with comments per section."""
    _require_pie_team(by)
    comments = _comments_given(comments)
    if not comments:
        raise ValidationError("Write at least one comment so the researchers know what to change.")
    with transaction.atomic():
        plan = _lock(plan)
        if not plan.in_review:
            raise ValidationError(
                f"Changes can only be requested on a submitted plan; this one is {plan.get_status_display().lower()}."
            )
        now = timezone.now()
        created = _comments_create(plan, comments, by=by, at=now)
        _move(plan, PIEPlan.Status.CHANGES_REQUESTED, by)
        plan.decided_at, plan.decided_by = now, by
        plan.save(update_fields=["status", "decided_at", "decided_by"])
        _notify(
            "plan-changes-requested",
            _researcher_emails(plan.project),
            plan,
            by=by,
            comments=created,
        )
    return plan


def plan_approve(
    *,
    plan: PIEPlan,
    by: User,
    comments: dict[str, str] | None = None,
    expected_total: Decimal | None = None,
) -> PIEPlan:
    """Approve: the plan becomes read-only and its budget becomes the project's PIE budget.

    The budget is priced once, here, and stored on the version with its breakdown; the plan
    shows that from now on. `expected_total` is the budget the reviewer saw: if the rate card
    changed since, nothing is approved and they are told the new figure. Any comments typed
    are kept with the approval and emailed. Approving twice does nothing more.
    """
    _require_pie_team(by)
    comments = _comments_given(comments or {})
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=plan.project_id)
        plan = _lock(plan)
        if plan.status == PIEPlan.Status.APPROVED:
            return plan
        if not plan.in_review:
            raise ValidationError(
                f"Only a submitted plan can be approved; this one is {plan.get_status_display().lower()}."
            )
        budget = plan_budget(
            list(plan.activities.all()), today=plan.priced_on(timezone.localdate())
        )
        if budget.problems:
            raise ValidationError(budget.problems)
        if expected_total is not None and budget.totals.total != expected_total:
            raise ValidationError(
                f"The budget has changed since you opened this page (the rate card was updated): "
                f"it is now {pounds_text(budget.totals.total)}, not {pounds_text(expected_total)}. "
                "Check the new budget and approve again. Nothing has been approved."
            )
        for previous in project.plans.filter(status=PIEPlan.Status.APPROVED):
            _move(previous, PIEPlan.Status.SUPERSEDED, by)
            previous.save(update_fields=["status"])
        now = timezone.now()
        created = _comments_create(plan, comments, by=by, at=now)
        _move(plan, PIEPlan.Status.APPROVED, by)
        plan.budget_total = budget.totals.total
        plan.approved_budget = budget_snapshot(budget)
        plan.decided_at, plan.decided_by = now, by
        plan.save(
            update_fields=["status", "budget_total", "approved_budget", "decided_at", "decided_by"]
        )
        project.pie_budget = plan.budget_total
        project.save(update_fields=["pie_budget"])
        _notify("plan-approved", _researcher_emails(project), plan, by=by, comments=created)
    return plan


def plan_new_version(*, plan: PIEPlan, by: User) -> PIEPlan:
    """Start changing an approved plan: a copy as the next version, in draft."""
    with transaction.atomic():
        Project.objects.select_for_update().get(pk=plan.project_id)
        plan = _lock(plan)
        _require_member(plan, by)
        open_plan = plan.project.plans.filter(status__in=PIEPlan.OPEN).first()
        if open_plan:
            return open_plan
        if plan.status != PIEPlan.Status.APPROVED:
            raise ValidationError("Only an approved plan can be the start of a new version.")
        latest = plan.project.plans.order_by("-version").first()
        new = PIEPlan.objects.create(
            project=plan.project,
            version=latest.version + 1,
            based_on=plan,
            created_by=by,
            recognition=plan.recognition,
            support_and_training=plan.support_and_training,
        )
        # Each copy keeps its activity's key: impacts recorded against the approved
        # version's activities still count against the new version's.
        PlannedActivity.objects.bulk_create(
            PlannedActivity(
                plan=new,
                key=a.key,
                order=a.order,
                **{f: getattr(a, f) for f in PlannedActivity.CONTENT_FIELDS},
            )
            for a in plan.activities.all()
        )
        PlanEvent.objects.create(plan=new, to_status=new.status, by=by)
    return new


def _when_words(activity: PlannedActivity) -> str:
    if activity.planned_date is None:
        when = "no date yet"
    else:
        when = f"from {activity.planned_date.day} {activity.planned_date:%B %Y}"
    if activity.sessions > 1:
        when += f", {activity.get_frequency_display().lower()}"
    return when


def _plan_lines(plan: PIEPlan) -> list[str]:
    lines = [
        f"Recognition plans: {plan.recognition}",
        f"Support and training: {plan.support_and_training}",
    ]
    stage_labels = dict(Stage.choices)
    for a in plan.activities.all():
        lines.append(
            f"{stage_labels[a.stage]}: {a.get_activity_type_display()}"
            f"{' – ' + a.description if a.description else ''}; {a.advisors} advisor(s) × {a.sessions} session(s) × "
            f"{hours_number(a.hours_per_session)} h; {a.get_mode_display().lower()}; {_when_words(a)}; expenses £{a.expenses_per_advisor}, "
            f"support £{a.support_cost_per_session}/session + £{a.enhanced_support_cost}; "
            f"impact: {a.anticipated_impact}"
        )
    return lines


def plan_diff(*, old: PIEPlan, new: PIEPlan) -> list[tuple[str, str]]:
    """What changed between two versions, as (kind, line) with kind 'added' or 'removed'."""
    changes = []
    for line in difflib.ndiff(_plan_lines(old), _plan_lines(new)):
        if line.startswith("+ "):
            changes.append(("added", line[2:]))
        elif line.startswith("- "):
            changes.append(("removed", line[2:]))
    return changes


# --- Opportunities and who takes part -----------------------------------------------------


def interest_express(
    *, opportunity: Opportunity, advisor, note: str = "", support_needed: str = ""
) -> ExpressionOfInterest:
    """An advisor says they are interested. Saying it again updates the note, not a new row.

    An advisor who has left the register cannot (Advisor.can_take_part).
    """
    if not advisor.can_take_part:
        raise ValidationError(
            "Your place on the register has ended, so you cannot say you are interested. "
            "Please contact the Involvement Coordinator if you would like to rejoin."
        )
    existing = ExpressionOfInterest.objects.filter(opportunity=opportunity, advisor=advisor).first()
    if existing and existing.status in ExpressionOfInterest.DECIDED:
        raise ValidationError(
            "The Involvement Coordinator has already made a decision about this opportunity."
        )
    if not Opportunity.objects.open().filter(pk=opportunity.pk).exists():
        raise ValidationError(
            "This opportunity has closed, so we cannot take new expressions of interest."
        )
    interest, _ = ExpressionOfInterest.objects.update_or_create(
        opportunity=opportunity,
        advisor=advisor,
        defaults={
            "note": note,
            "support_needed": support_needed,
            "status": ExpressionOfInterest.Status.INTERESTED,
        },
    )
    return interest


def interest_withdraw(*, interest: ExpressionOfInterest) -> ExpressionOfInterest:
    if interest.status == ExpressionOfInterest.Status.SELECTED:
        raise ValidationError(
            "You have already been selected. Please contact the Involvement Coordinator."
        )
    interest.status = ExpressionOfInterest.Status.WITHDRAWN
    interest.save(update_fields=["status"])
    return interest


def interest_told_how(advisor) -> str:
    """Email for those who use it (and have an address); else the coordinator's call/post list."""
    if advisor.contact_method == "email" and advisor.email:
        return ExpressionOfInterest.ToldHow.EMAIL
    if advisor.contact_method == "post" and advisor.address:
        return ExpressionOfInterest.ToldHow.POST
    return ExpressionOfInterest.ToldHow.CALL


@dataclass
class Selection:
    """What interest_select did: who is now selected, who was told no, who must be phoned or
    written to (the rest were emailed)."""

    selected: list[ExpressionOfInterest] = field(default_factory=list)
    not_selected: list[ExpressionOfInterest] = field(default_factory=list)
    # Only those whose outcome changed now: nobody is told the same decision twice.
    emailed: list[ExpressionOfInterest] = field(default_factory=list)
    to_tell_by_hand: list[ExpressionOfInterest] = field(default_factory=list)


class SelectionRefused(ValidationError):
    """The selection cannot be made as ticked: `code` is "over_places" or "early" (it needs a
    decision first), or "selected" (someone ticked has left, or someone selected is unticked)."""


def interest_select(
    *,
    opportunity: Opportunity,
    selected_ids: list[int],
    by: User,
    over_places_reason: str = "",
    before_closing_ok: bool = False,
) -> Selection:
    """The PIE team chooses advisors: they are assigned to the project with the opportunity's role.

    Everyone else who was interested is marked not selected, and the opportunity closes.
    Selecting more people than there are places needs a reason; selecting before the closing
    date needs `before_closing_ok`. Everyone whose outcome changes is told: an email after
    commit for those who use email, the coordinator's call/post list for the others
    (ExpressionOfInterest.objects.to_tell_by_hand()). Each change is audited (SelectionEvent).
    Safe to repeat: nobody is told the same decision twice.
    """
    _require_pie_team(by, "select advisors")
    reason = over_places_reason.strip()
    now = timezone.now()
    result = Selection()
    with transaction.atomic():
        opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
        interests = list(
            ExpressionOfInterest.objects.select_for_update()
            .filter(opportunity=opportunity)
            .exclude(status=ExpressionOfInterest.Status.WITHDRAWN)
            .select_related("advisor")
            .order_by("pk")
        )
        selected = ExpressionOfInterest.Status.SELECTED
        left = [
            i
            for i in interests
            if i.pk in selected_ids and i.status != selected and not i.advisor.can_take_part
        ]
        if left:
            raise SelectionRefused(
                f"{_names(left)} {'has' if len(left) == 1 else 'have'} left the register, so "
                "they cannot be selected. Untick them and "
                "select again.",
                code="selected",
            )
        # Someone already selected who has since left has no tick box: they stay as they are.
        unticked = [
            i
            for i in interests
            if i.status == selected and i.pk not in selected_ids and i.advisor.can_take_part
        ]
        if unticked:
            raise SelectionRefused(
                f"{_names(unticked)} {'is' if len(unticked) == 1 else 'are'} already selected, "
                "and unticking does not take anyone off. To take someone off, undo the "
                "selection (“Undo this selection”, above) and then select again.",
                code="selected",
            )
        chosen_ids = {i.pk for i in interests if i.pk in selected_ids or i.status == selected}
        if len(chosen_ids) > opportunity.places and not reason:
            raise SelectionRefused(
                f"This would select {plural_text(len(chosen_ids), 'person,people')} for "
                f"{plural_text(opportunity.places, 'place')}. To select more people than there "
                "are places, tick “Select more people than there are places” and say why.",
                code="over_places",
            )
        if opportunity.is_open and not before_closing_ok:
            raise SelectionRefused(
                f"The opportunity is open until {day_text(opportunity.closing_date)}, and more "
                "people may still say they are interested. To select now and close it, tick "
                "“Select before the closing date”.",
                code="early",
            )
        for interest in interests:
            to = (
                ExpressionOfInterest.Status.SELECTED
                if interest.pk in chosen_ids
                else ExpressionOfInterest.Status.NOT_SELECTED
            )
            if to == ExpressionOfInterest.Status.SELECTED:
                result.selected.append(interest)
            if interest.status == to:
                continue
            if to == ExpressionOfInterest.Status.NOT_SELECTED:
                result.not_selected.append(interest)
            else:
                _assign(opportunity, interest)
            interest.status = to
            interest.decided_at = now
            interest.told_how = interest_told_how(interest.advisor)
            interest.told_at = None
            note = reason if to == ExpressionOfInterest.Status.SELECTED and reason else ""
            SelectionEvent.objects.create(interest=interest, action=to, note=note, by=by, at=now)
            if interest.told_how == ExpressionOfInterest.ToldHow.EMAIL:
                _tell_by_email(interest, opportunity)
                interest.told_at = now
                result.emailed.append(interest)
            else:
                result.to_tell_by_hand.append(interest)
            interest.save(update_fields=["status", "decided_at", "told_how", "told_at"])
        if opportunity.status != Opportunity.Status.CLOSED:
            opportunity.status = Opportunity.Status.CLOSED
            opportunity.save(update_fields=["status"])
    return result


def _names(interests: list[ExpressionOfInterest]) -> str:
    names = [i.advisor.full_name for i in interests]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _assign(opportunity: Opportunity, interest: ExpressionOfInterest) -> None:
    if opportunity.project_id:
        ProjectAdvisor.objects.get_or_create(
            project_id=opportunity.project_id,
            advisor=interest.advisor,
            role=opportunity.role,
            defaults={"opportunity": opportunity},
        )


def _tell_by_email(interest: ExpressionOfInterest, opportunity: Opportunity) -> None:
    name = (
        "opportunity-selected"
        if interest.status == ExpressionOfInterest.Status.SELECTED
        else "opportunity-not-selected"
    )
    message = make_message(
        name,
        interest.advisor.email,
        {"advisor": interest.advisor, "opportunity": opportunity, "project": opportunity.project},
    )
    transaction.on_commit(message.send)


def selection_undo(*, opportunity: Opportunity, by: User, reason: str) -> int:
    """Undo the selection: everyone decided is back to "interested", and the project roles it
    gave are removed. Audited with the reason. Nobody is emailed now: selecting again tells
    everyone their new outcome. Returns how many people's decisions were undone."""
    _require_pie_team(by, "undo a selection")
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say why the selection is being undone.", code="reason")
    now = timezone.now()
    with transaction.atomic():
        opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
        interests = list(
            ExpressionOfInterest.objects.select_for_update().filter(
                opportunity=opportunity, status__in=ExpressionOfInterest.DECIDED
            )
        )
        selected = [i.advisor_id for i in interests if i.status == "selected"]
        if opportunity.project_id and selected:
            ProjectAdvisor.objects.filter(
                project_id=opportunity.project_id,
                advisor_id__in=selected,
                role=opportunity.role,
                opportunity=opportunity,
            ).delete()
        for interest in interests:
            SelectionEvent.objects.create(
                interest=interest,
                action=SelectionEvent.Action.UNDONE,
                note=f"Was {interest.get_status_display().lower()}. {reason}"[:300],
                by=by,
                at=now,
            )
        ExpressionOfInterest.objects.filter(pk__in=[i.pk for i in interests]).update(
            status=ExpressionOfInterest.Status.INTERESTED,
            decided_at=None,
            told_how="",
            told_at=None,
        )
    return len(interests)


def interest_mark_told(*, interest: ExpressionOfInterest, by: User) -> bool:
    """The coordinator phoned or wrote to the advisor with the decision: tick it off the list.

    Conditional update, so two clicks record one call. Returns whether it was ticked now."""
    _require_pie_team(by, "record that an advisor was told")
    with transaction.atomic():
        now = timezone.now()
        done = (
            ExpressionOfInterest.objects.to_tell_by_hand()
            .filter(pk=interest.pk)
            .update(told_at=now)
        )
        if done:
            SelectionEvent.objects.create(
                interest=interest,
                action=SelectionEvent.Action.TOLD,
                note=interest.get_told_how_display(),
                by=by,
                at=now,
            )
    return bool(done)


def advisor_involvement_last_year(
    *, advisor_ids: list[int], today: date | None = None
) -> dict[int, int]:
    """How many project roles each advisor took on in the last 12 months (to share fairly).

    One query for any number of advisors.
    """
    today = today or timezone.localdate()
    since = today - timedelta(days=365)
    rows = (
        ProjectAdvisor.objects.filter(advisor_id__in=advisor_ids, assigned_on__gte=since)
        .values("advisor_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["advisor_id"]: row["n"] for row in rows}


def output_create(*, output: Output, project: Project, credits: dict[int, str]) -> Output:
    """Save a new output of `project` and its credits together, or neither."""
    with transaction.atomic():
        output.project = project
        output.full_clean()
        output.save()
        output_credit_set(output=output, credits=credits)
    return output


def output_update(*, output: Output, credits: dict[int, str]) -> Output:
    """Save an edited output and its credits together, or neither.

    An unpublished output's credits follow each advisor's current choice of name, and take
    it when the output gets its publication date; a published one keeps the names it was
    published with (an advisor newly credited on it is named as they choose now).
    """
    with transaction.atomic():
        # Published until now? (The form has already put the new date on `output`.)
        was_published = Output.objects.filter(pk=output.pk, published_on__isnull=False).exists()
        output.full_clean()
        output.save()
        output_credit_set(output=output, credits=credits, keep_names=was_published)
    return output


def output_delete(*, output: Output) -> None:
    """Delete an output and its credits (the advisors themselves are kept)."""
    output.delete()


def output_credit_set(
    *, output: Output, credits: dict[int, str], keep_names: bool | None = None
) -> None:
    """Set which advisors are credited on an output, and how (advisor id -> credit).

    Only advisors assigned to the output's project can be credited. Each credit stores the
    name the advisor chose (`named_as`): when it is first given, and again while the output
    is unpublished or is being published now, never once it was published (`keep_names`,
    by default whether it is published).
    """
    if keep_names is None:
        keep_names = output.is_published
    assignments = ProjectAdvisor.objects.filter(
        project_id=output.project_id, advisor_id__in=credits
    ).select_related("advisor")
    advisors = {a.advisor_id: a.advisor for a in assignments}
    # Someone already credited stays creditable after leaving the project.
    credited = OutputCredit.objects.filter(output_id=output.pk, advisor_id__in=credits)
    advisors |= {c.advisor_id: c.advisor for c in credited.select_related("advisor")}
    if set(credits) - set(advisors):
        raise ValidationError(
            "Only advisors assigned to this project can be credited on its outputs."
        )
    with transaction.atomic():
        OutputCredit.objects.filter(output=output).exclude(advisor_id__in=credits).delete()
        existing = {c.advisor_id: c for c in OutputCredit.objects.filter(output=output)}
        for advisor_id, credit in credits.items():
            row = existing.get(advisor_id)
            if row is None:
                row = OutputCredit(output=output, advisor_id=advisor_id)
            changed = row.pk is None or row.credit != credit
            if row.pk is None or not row.named_as or not keep_names:
                named_as = advisors[advisor_id].acknowledged_as()
                changed = changed or row.named_as != named_as
                row.named_as = named_as
            row.credit = credit
            if changed:
                row.full_clean(validate_unique=False, validate_constraints=False)
                row.save()
