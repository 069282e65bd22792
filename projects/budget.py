"""The PIE budget of a plan: computed from its activities and the rate card, never typed.

time     = pay per session (RateCard.amount_for hours) x advisors x sessions
expenses = expenses per advisor per session x advisors x sessions
support  = support cost per session x sessions + enhanced support cost
Every part is pounds to the penny, so the totals reconcile exactly.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ascru_pie.lib.money import ZERO, to_money
from rates.models import RateCard
from rates.pricing import RateBook

from .models import PlannedActivity, Stage

# Which rate card row pays which kind of planned activity.
RATE_FOR_ACTIVITY = {
    PlannedActivity.Type.ADVISORY_GROUP: RateCard.Activity.MEETING,
    PlannedActivity.Type.WORKSHOP: RateCard.Activity.MEETING,
    PlannedActivity.Type.DOCUMENT_REVIEW: RateCard.Activity.DOCUMENT_REVIEW,
    PlannedActivity.Type.CO_ANALYSIS: RateCard.Activity.OTHER,
    PlannedActivity.Type.CO_PRESENTATION: RateCard.Activity.CO_PRESENTATION,
    PlannedActivity.Type.CO_AUTHORSHIP: RateCard.Activity.DOCUMENT_REVIEW,
    PlannedActivity.Type.TRAINING: RateCard.Activity.TRAINING,
    PlannedActivity.Type.OTHER: RateCard.Activity.OTHER,
}


@dataclass
class Costs:
    time: Decimal = ZERO
    expenses: Decimal = ZERO
    support: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.time + self.expenses + self.support

    def add(self, other: "Costs") -> None:
        self.time += other.time
        self.expenses += other.expenses
        self.support += other.support


@dataclass
class ActivityCost:
    activity: PlannedActivity
    costs: Costs
    rate: RateCard | None
    explanation: str


@dataclass
class Budget:
    lines: list[ActivityCost] = field(default_factory=list)
    by_stage: dict[str, Costs] = field(default_factory=dict)
    totals: Costs = field(default_factory=Costs)
    problems: list[str] = field(default_factory=list)

    def stage_rows(self) -> list[tuple[str, Costs]]:
        return [
            (label, self.by_stage[value])
            for value, label in Stage.choices
            if value in self.by_stage
        ]


def activity_cost(activity: PlannedActivity, *, rates: RateBook, today: date) -> ActivityCost:
    on = activity.planned_date or today
    rate = rates.in_force(RATE_FOR_ACTIVITY[activity.activity_type], on)
    people_sessions = activity.advisors * activity.sessions
    costs = Costs(
        expenses=to_money(activity.expenses_per_advisor * people_sessions),
        support=to_money(
            activity.support_cost_per_session * activity.sessions + activity.enhanced_support_cost
        ),
    )
    if rate is None:
        return ActivityCost(activity, costs, None, "no rate in force on that date")
    per_session, how = rate.amount_for(activity.hours_per_session)
    costs.time = per_session * people_sessions
    explanation = f"{how} per advisor per session × {activity.advisors} advisor(s) × {activity.sessions} session(s)"
    return ActivityCost(activity, costs, rate, explanation)


def plan_budget(
    activities: Iterable[PlannedActivity], *, today: date, rates: RateBook | None = None
) -> Budget:
    rates = rates or RateBook()
    budget = Budget()
    for activity in activities:
        line = activity_cost(activity, rates=rates, today=today)
        budget.lines.append(line)
        budget.by_stage.setdefault(activity.stage, Costs()).add(line.costs)
        budget.totals.add(line.costs)
        if line.rate is None:
            on = activity.planned_date or today
            budget.problems.append(
                f"There is no rate for {activity.get_activity_type_display().lower()} on {on:%d %B %Y}. "
                "Ask the Involvement Coordinator to add one to the rate card."
            )
    return budget
