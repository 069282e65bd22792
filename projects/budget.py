"""The PIE budget of a plan: computed from its activities and the rate card, never typed.

time     = pay per session (RateCard.amount_for hours) x advisors, for each session
expenses = expenses per advisor per session x advisors x sessions
support  = support cost per session x sessions + enhanced support cost
Every part is pounds to the penny, so the totals reconcile exactly.

Each session is paid at the rate in force on its own day (PlannedActivity.session_dates):
the first on the planned date, the others following at the activity's frequency. An
activity with no planned date starts on the pricing day: today for a draft, the day it was
submitted once it is with the PIE team.

A draft is priced live. Approval stores the budget as priced then (`budget_snapshot`), and
an approved or superseded version is shown from that (`budget_from_snapshot`), so a later
rate change never alters what was approved.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ascru_pie.lib.money import ZERO, to_money
from ascru_pie.templatetags.words import pounds_text
from rates.models import RateCard
from rates.pricing import RateBook, rate_snapshot

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

# The most a money column (max_digits=12, decimal_places=2) holds. A plan whose budget would
# be more is refused with a message, never stored (which would fail or corrupt the column).
MONEY_MAX = Decimal("9999999999.99")


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
    # The rate card rows used, one per distinct rate (a rate change mid-activity gives two).
    rates: list[RateCard]
    explanation: str
    problem: str = ""


@dataclass
class Budget:
    lines: list[ActivityCost] = field(default_factory=list)
    by_stage: dict[str, Costs] = field(default_factory=dict)
    totals: Costs = field(default_factory=Costs)
    problems: list[str] = field(default_factory=list)
    # The day undated activities were priced on.
    priced_on: date | None = None
    # True when read back from what was stored at approval.
    as_approved: bool = False

    def stage_rows(self) -> list[tuple[str, Costs]]:
        return [
            (label, self.by_stage[value])
            for value, label in Stage.choices
            if value in self.by_stage
        ]

    def add(self, line: ActivityCost) -> None:
        self.lines.append(line)
        self.by_stage.setdefault(line.activity.stage, Costs()).add(line.costs)
        self.totals.add(line.costs)


def _sessions_words(n: int) -> str:
    return f"{n} session" if n == 1 else f"{n} sessions"


def activity_cost(activity: PlannedActivity, *, rates: RateBook, today: date) -> ActivityCost:
    """Price one activity, each session at the rate in force on its day."""
    people_sessions = activity.advisors * activity.sessions
    costs = Costs(
        expenses=to_money(activity.expenses_per_advisor * people_sessions),
        support=to_money(
            activity.support_cost_per_session * activity.sessions + activity.enhanced_support_cost
        ),
    )
    activity_rate = RATE_FOR_ACTIVITY[activity.activity_type]
    # Runs of sessions paid at the same rate, in date order: [(rate, first day, sessions)].
    runs: list[tuple[RateCard, date, int]] = []
    for day in activity.session_dates(first=today):
        rate = rates.in_force(activity_rate, day)
        if rate is None:
            problem = (
                f"There is no rate for {activity.get_activity_type_display().lower()} on {day:%d %B %Y}. "
                "Ask the Involvement Coordinator to add one to the rate card."
            )
            return ActivityCost(activity, costs, [], "no rate in force on that date", problem)
        if runs and runs[-1][0].pk == rate.pk:
            runs[-1] = (rate, runs[-1][1], runs[-1][2] + 1)
        else:
            runs.append((rate, day, 1))
    parts = []
    for rate, first_day, n in runs:
        per_session, how = rate.amount_for(activity.hours_per_session)
        costs.time += per_session * activity.advisors * n
        parts.append((first_day, how, n))
    if len(parts) == 1:
        explanation = (
            f"{parts[0][1]} per advisor per session × {activity.advisors} advisor(s) × "
            f"{activity.sessions} session(s)"
        )
    else:
        # Say from when each rate applies, so the researcher sees why the sessions differ.
        explanation = (
            "; ".join(
                f"from {first_day:%d %b %Y}: {how} per advisor per session × {_sessions_words(n)}"
                for first_day, how, n in parts
            )
            + f"; × {activity.advisors} advisor(s)"
        )
    return ActivityCost(activity, costs, [rate for rate, _, _ in runs], explanation)


def plan_budget(
    activities: Iterable[PlannedActivity], *, today: date, rates: RateBook | None = None
) -> Budget:
    """Price `activities` live; `today` is the day undated activities start on."""
    rates = rates or RateBook()
    budget = Budget(priced_on=today)
    for activity in activities:
        line = activity_cost(activity, rates=rates, today=today)
        budget.add(line)
        if line.problem:
            budget.problems.append(line.problem)
    if budget.totals.total > MONEY_MAX:
        budget.problems.append(
            f"This budget would be {pounds_text(budget.totals.total)}, more than a plan can hold "
            f"({pounds_text(MONEY_MAX)}). Check the numbers of advisors, sessions and hours, "
            "and the costs."
        )
    return budget


# --- The budget as approved ----------------------------------------------------------------


def budget_snapshot(budget: Budget) -> dict:
    """The budget as plain JSON, to store on an approved plan version."""

    def money(costs: Costs) -> dict:
        return {
            "time": str(costs.time),
            "expenses": str(costs.expenses),
            "support": str(costs.support),
        }

    return {
        "priced_on": budget.priced_on.isoformat() if budget.priced_on else None,
        "lines": [
            {
                "activity": line.activity.pk,
                "key": str(line.activity.key),
                "stage": line.activity.stage,
                **money(line.costs),
                "explanation": line.explanation,
                "rates": [rate_snapshot(rate) for rate in line.rates],
            }
            for line in budget.lines
        ],
        "totals": money(budget.totals),
    }


def budget_from_snapshot(snapshot: dict, activities: Iterable[PlannedActivity]) -> Budget:
    """The stored budget, with each line on its activity again (an approved plan's activities
    never change, so they are found by id)."""
    by_pk = {a.pk: a for a in activities}
    budget = Budget(
        priced_on=date.fromisoformat(snapshot["priced_on"]) if snapshot.get("priced_on") else None,
        as_approved=True,
    )
    for row in snapshot["lines"]:
        if row["activity"] not in by_pk:
            continue
        costs = Costs(Decimal(row["time"]), Decimal(row["expenses"]), Decimal(row["support"]))
        line = ActivityCost(by_pk[row["activity"]], costs, [], row["explanation"])
        budget.lines.append(line)
        budget.by_stage.setdefault(row["stage"], Costs()).add(costs)
    totals = snapshot["totals"]
    budget.totals = Costs(
        Decimal(totals["time"]), Decimal(totals["expenses"]), Decimal(totals["support"])
    )
    return budget
