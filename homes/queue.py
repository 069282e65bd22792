"""The coordinator's work queue: what is waiting to be done, how many, and where to do it.

One function per item, each returning a `QueueItem` (a plain-English label, a count and the
page where the work is done). Counts come from one aggregate query per model (`Counts`), so
the home page makes the same number of queries however much data there is; an item only
reads the counts of its own model, and only the items the person may act on are computed.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlencode

from django.db.models import Count, Exists, Min, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from advisors.models import Application
from ascru_pie.models import User
from ascru_pie.roles import Role
from meetings.models import Attendance, Invitation, Meeting
from payments.models import BankDetailsChange, Claim, PaymentBatch
from payments.selectors import budget_alerts_cached
from privacy.models import SubjectAccessRequest
from projects.models import PIEPlan
from reminders.models import Delivery

# Applications nobody has decided on yet.
APPLICATIONS_TO_REVIEW = [Application.Status.RECEIVED, Application.Status.SHORTLISTED]
# Subject access copies not yet ready to send: still being made, or failed and to be retried.
SUBJECT_ACCESS_WAITING = [
    SubjectAccessRequest.Status.QUEUED,
    SubjectAccessRequest.Status.BUILDING,
    SubjectAccessRequest.Status.FAILED,
]
# How many plans the queue names one by one (the rest are on the projects page).
PLANS_NAMED = 5


@dataclass(frozen=True)
class QueueItem:
    """One kind of work: `label` says what it is, `count` how many, `url` where to do it."""

    label: str
    count: int
    url: str
    # A few of the waiting things by name, each with its own link (text, url).
    named: list[tuple[str, str]] = field(default_factory=list)


def _filtered(url_name: str, **query: str) -> str:
    return f"{reverse(url_name)}?{urlencode(query)}" if query else reverse(url_name)


def _among(queryset) -> Q:
    """Rows of `queryset`, as a filter for a count in a one-query aggregate."""
    return Q(pk__in=queryset.values("pk"))


def _conditions(queryset):
    """The WHERE of `queryset` as a filter for a count over the same table in one aggregate.

    Only for conditions on the model's own columns (no joins), which is what the claim
    filters used here are; anything with a join would need `_among` instead."""
    query = queryset.query
    if sum(1 for alias in query.alias_map if query.alias_refcount[alias]) != 1:
        raise ValueError("Only filters on the model's own columns can be reused as conditions.")
    return query.where


class Counts:
    """The counts the queue needs, one aggregate query per model, made when first read."""

    def __init__(self, *, now: datetime.datetime) -> None:
        self.now = now
        self.today = timezone.localdate(now)

    @cached_property
    def applications(self) -> dict:
        return Application.objects.aggregate(
            to_review=Count("pk", filter=Q(status__in=APPLICATIONS_TO_REVIEW))
        )

    @cached_property
    def plans_in_review(self) -> list[PIEPlan]:
        # Plans in review are few at any time (one per project at most): listed, not counted.
        return list(
            PIEPlan.objects.filter(status__in=PIEPlan.IN_REVIEW)
            .select_related("project")
            .order_by("submitted_at", "pk")
        )

    @cached_property
    def meetings(self) -> dict:
        # Held (not cancelled) meetings that invited someone and have no attendance confirmed.
        confirmed = Attendance.objects.filter(meeting=OuterRef("pk"), confirmed_at__isnull=False)
        invited = Invitation.objects.filter(meeting=OuterRef("pk"))
        return (
            Meeting.objects.filter(ends_at__lt=self.now)
            .exclude(status=Meeting.Status.CANCELLED)
            .filter(Exists(invited), ~Exists(confirmed))
            .aggregate(n=Count("pk"), first=Min("pk"))
        )

    @cached_property
    def claims(self) -> dict:
        # One pass over the claims not yet paid (an index finds them, not the years of paid
        # ones), each count with payments' own conditions rather than "pk in (a subquery)".
        return Claim.objects.filter(status__in=Claim.UNPAID).aggregate(
            submitted=Count("pk", filter=_conditions(Claim.objects.submitted())),
            at_risk=Count("pk", filter=_conditions(Claim.objects.at_risk(today=self.today))),
            ready_to_batch=Count("pk", filter=_conditions(Claim.objects.ready_to_batch())),
        )

    @cached_property
    def batches(self) -> dict:
        approved = Q(status=PaymentBatch.Status.APPROVED)
        return PaymentBatch.objects.aggregate(
            to_approve=Count("pk", filter=Q(status=PaymentBatch.Status.BUILT)),
            to_export=Count("pk", filter=approved & Q(exported_at__isnull=True)),
            to_mark_paid=Count("pk", filter=approved & Q(exported_at__isnull=False)),
        )

    @cached_property
    def budgets(self) -> dict:
        # Project budgets and this year's central budgets at 80% or more (payments.selectors),
        # up to five minutes old.
        alerts = budget_alerts_cached(today=self.today)
        return {
            "over": sum(1 for a in alerts if a.status.warning == "over"),
            "near": sum(1 for a in alerts if a.status.warning == "near"),
        }

    @cached_property
    def deliveries(self) -> dict:
        # Calls and letters still to do, and failed emails not yet tried again or dealt with
        # (reminders.models.DeliveryQuerySet.to_contact / failed_open), in one query.
        to_contact = _among(Delivery.objects.to_contact())
        return Delivery.objects.aggregate(
            failed=Count("pk", filter=_among(Delivery.objects.failed_open())),
            to_call=Count("pk", filter=to_contact & Q(channel=Delivery.Channel.CALL)),
            to_post=Count("pk", filter=to_contact & Q(channel=Delivery.Channel.POST)),
        )

    @cached_property
    def bank_details(self) -> dict:
        return BankDetailsChange.objects.filter(status=BankDetailsChange.Status.PENDING).aggregate(
            n=Count("pk"), advisor=Min("advisor_id")
        )

    @cached_property
    def subject_access(self) -> dict:
        return SubjectAccessRequest.objects.aggregate(
            waiting=Count("pk", filter=Q(status__in=SUBJECT_ACCESS_WAITING))
        )


# --- The items, in the order a coordinator's day runs -----------------------------------------


def applications_to_review(counts: Counts) -> QueueItem:
    return QueueItem(
        "Applications to review",
        counts.applications["to_review"],
        _filtered(
            "admin:advisors_application_changelist", status__in=",".join(APPLICATIONS_TO_REVIEW)
        ),
    )


def plans_to_review(counts: Counts) -> QueueItem:
    plans = counts.plans_in_review
    return QueueItem(
        "PIE plans to review",
        len(plans),
        reverse("projects:home"),
        named=[
            (
                f"{plan.project.title} (version {plan.version})",
                reverse("projects:plan-review", args=[plan.project_id]),
            )
            for plan in plans[:PLANS_NAMED]
        ],
    )


def meetings_needing_attendance(counts: Counts) -> QueueItem:
    n = counts.meetings["n"]
    # One meeting: straight to its attendance page; more: the list of past meetings.
    url = (
        reverse("payments:attendance", args=[counts.meetings["first"]])
        if n == 1
        else _filtered("meetings:list", when="past")
    )
    return QueueItem("Meetings that happened, with attendance not yet recorded", n, url)


def claims_to_approve(counts: Counts) -> QueueItem:
    return QueueItem("Claims to approve", counts.claims["submitted"], reverse("payments:claims"))


def claims_at_risk(counts: Counts) -> QueueItem:
    return QueueItem(
        "Claims close to or past the date we aim to pay by",
        counts.claims["at_risk"],
        reverse("payments:claims") + "#risk-heading",
    )


def claims_to_batch(counts: Counts) -> QueueItem:
    return QueueItem(
        "Approved claims to put in a payment batch",
        counts.claims["ready_to_batch"],
        reverse("payments:batches") + "#build-heading",
    )


def batches_to_approve(counts: Counts) -> QueueItem:
    return QueueItem(
        "Payment batches to approve",
        counts.batches["to_approve"],
        reverse("payments:batches") + "#batches-heading",
    )


def batches_to_export(counts: Counts) -> QueueItem:
    return QueueItem(
        "Approved payment batches to send to the finance system",
        counts.batches["to_export"],
        reverse("payments:batches") + "#batches-heading",
    )


def batches_to_mark_paid(counts: Counts) -> QueueItem:
    return QueueItem(
        "Payment batches sent to finance, to mark as paid",
        counts.batches["to_mark_paid"],
        reverse("payments:batches") + "#batches-heading",
    )


def budgets_over(counts: Counts) -> QueueItem:
    return QueueItem(
        "Budgets fully spent (100% or more)", counts.budgets["over"], reverse("payments:budgets")
    )


def budgets_nearly_spent(counts: Counts) -> QueueItem:
    return QueueItem(
        "Budgets nearly spent (80% or more)", counts.budgets["near"], reverse("payments:budgets")
    )


def reminders_failed(counts: Counts) -> QueueItem:
    return QueueItem(
        "Reminders that could not be sent",
        counts.deliveries["failed"],
        _filtered("reminders:log", status=Delivery.Status.FAILED) + "#log-heading",
    )


def people_to_call(counts: Counts) -> QueueItem:
    return QueueItem(
        "People to phone", counts.deliveries["to_call"], reverse("reminders:log") + "#call-heading"
    )


def people_to_write_to(counts: Counts) -> QueueItem:
    return QueueItem(
        "People to write to by post",
        counts.deliveries["to_post"],
        reverse("reminders:log") + "#post-heading",
    )


def bank_details_to_confirm(counts: Counts) -> QueueItem:
    n = counts.bank_details["n"]
    # One change: straight to that advisor's bank details; more: the list of changes.
    url = (
        reverse("payments:bank-details", args=[counts.bank_details["advisor"]])
        if n == 1
        else _filtered(
            "admin:payments_bankdetailschange_changelist",
            status__exact=BankDetailsChange.Status.PENDING,
        )
    )
    return QueueItem("New bank details to confirm", n, url)


def subject_access_waiting(counts: Counts) -> QueueItem:
    return QueueItem(
        "Requests for a copy of someone's records, not ready yet",
        counts.subject_access["waiting"],
        reverse("privacy:sar-list"),
    )


PIE_TEAM = frozenset({Role.PIE_TEAM})
PAYMENTS = frozenset({Role.PIE_TEAM, Role.FINANCE})
FINANCE = frozenset({Role.FINANCE})

# Each item and the roles that may act on it (superusers see every item).
ITEMS: list[tuple[Callable[[Counts], QueueItem], frozenset]] = [
    (applications_to_review, PIE_TEAM),
    (plans_to_review, PIE_TEAM),
    (meetings_needing_attendance, PIE_TEAM),
    (claims_to_approve, PAYMENTS),
    (claims_at_risk, PAYMENTS),
    (claims_to_batch, PAYMENTS),
    (batches_to_approve, PAYMENTS),
    (batches_to_export, PAYMENTS),
    (batches_to_mark_paid, PAYMENTS),
    (bank_details_to_confirm, FINANCE),
    (budgets_over, PIE_TEAM),
    (budgets_nearly_spent, PIE_TEAM),
    (reminders_failed, PIE_TEAM),
    (people_to_call, PIE_TEAM),
    (people_to_write_to, PIE_TEAM),
    (subject_access_waiting, PIE_TEAM),
]


def work_queue(*, user: User, now: datetime.datetime | None = None) -> list[QueueItem]:
    """The items `user` may act on, those with something waiting first (otherwise in order)."""
    counts = Counts(now=now or timezone.now())
    items = [item(counts) for item, roles in ITEMS if user.has_role(*roles)]
    return sorted(items, key=lambda item: item.count == 0)
