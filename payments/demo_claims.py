"""Demo money: claims in every state, two batches (one paid), budgets near and over warning levels.

Runs after the meetings demo, whose attendance already made submitted time claims.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from advisors.models import Advisor
from ascru_pie.models import User
from projects.models import Project

from . import services
from .models import CentralBudget, Claim, PaymentBatch


def seed(*, stdout) -> None:
    if PaymentBatch.objects.exists():
        stdout.write(f"Payments: already seeded ({Claim.objects.count()} claims).")
        return
    coordinator = User.objects.get(username="coordinator")
    finance = User.objects.get(username="finance")
    today = timezone.localdate()
    advisors = list(Advisor.objects.active().order_by("pk")[:8])
    ada = Advisor.objects.get(user__username="advisor")
    services.bank_details_set(
        advisor=ada, account_name="A Advisor", sort_code="12-34-56", account_number="12345678"
    )
    ada.annual_limit = Decimal("1500.00")
    ada.save(update_fields=["annual_limit"])

    # Expenses of several kinds, some for projects.
    projects = list(Project.objects.order_by("pk")[:3])
    for i, advisor in enumerate(advisors):
        services.claim_expense_submit(
            advisor=advisor,
            by=coordinator if i % 2 else advisor.user or coordinator,
            expense_type=list(Claim.ExpenseType.values)[i % 5],
            activity_date=today - datetime.timedelta(days=10 + 5 * i),
            amount=Decimal("12.40") + i * Decimal("7.15"),
            description=["Train fare", "Carer cover", "Lunch", "Broadband allowance", "Taxi"][
                i % 5
            ],
            project=projects[i % 3] if i % 2 else None,
        )
    # Approve most of the older time claims from attendance; reject one; cancel one.
    submitted = list(
        Claim.objects.filter(status=Claim.Status.SUBMITTED).order_by("activity_date", "pk")
    )
    for claim in submitted[: len(submitted) * 2 // 3]:
        # A claim the coordinator entered for an advisor is approved by someone else.
        approver = finance if claim.approval_refused_for(coordinator) else coordinator
        services.claim_approve(claim=claim, by=approver)
    if len(submitted) > 3:
        services.claim_reject(
            claim=submitted[-1],
            by=coordinator,
            reason="This duplicates claim for the same train journey.",
        )
        services.claim_cancel(
            claim=submitted[-2], by=coordinator, reason="Entered twice by mistake"
        )
    # Batch one: built, approved by finance and paid. Batch two: built, waiting for approval.
    approved = list(Claim.objects.filter(status=Claim.Status.APPROVED).order_by("activity_date"))
    first = services.batch_build(
        by=coordinator, claim_ids=[c.pk for c in approved[: len(approved) // 2]]
    )
    services.batch_approve(batch=first, by=finance)
    # Paid between 12 and 40 days after the activity, for the timeliness figures.
    paid = {
        claim.pk: min(today, claim.activity_date + datetime.timedelta(days=12 + (claim.pk % 29)))
        for claim in first.claims.all()
    }
    if paid:
        # A paid date cannot be before the batch was approved: in the demo's history, the
        # batch was built and approved on the day of the first payment.
        back_then = timezone.make_aware(
            datetime.datetime.combine(min(paid.values()), datetime.time(9, 0))
        )
        PaymentBatch.objects.filter(pk=first.pk).update(created_at=back_then, approved_at=back_then)
        first.refresh_from_db()
    for claim_id, paid_on in paid.items():
        services.batch_mark_paid(batch=first, paid_on=paid_on, by=finance, claim_ids=[claim_id])
    services.batch_build(
        by=coordinator,
        claim_ids=[c.pk for c in approved[len(approved) // 2 : len(approved) * 3 // 4]],
    )
    # Budgets: one project (with an approved plan) over its PIE budget, one nearly spent.
    budgeted = list(Project.objects.filter(pie_budget__isnull=False).order_by("pk")[:2])
    for project, share in zip(budgeted, (Decimal("1.10"), Decimal("0.85")), strict=False):
        committed = sum(
            (c.amount for c in Claim.objects.filter(project=project, status__in=Claim.COMMITTED)),
            Decimal("0"),
        )
        gap = (project.pie_budget * share - committed).quantize(Decimal("0.01"))
        if gap > 0:
            claim, _ = services.claim_expense_submit(
                advisor=advisors[0],
                by=coordinator,
                expense_type=Claim.ExpenseType.OTHER,
                project=project,
                activity_date=today - datetime.timedelta(days=40),
                amount=gap,
                description="Venue hire, BSL interpreters and travel for the co-analysis workshop",
            )
            services.claim_approve(claim=claim, by=finance)
    year_start = datetime.date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    for category, amount in [
        ("pieg", "2400.00"),
        ("management", "600.00"),
        ("training", "1500.00"),
        ("support", "3000.00"),
    ]:
        CentralBudget.objects.get_or_create(
            year_starting=year_start, category=category, defaults={"amount": Decimal(amount)}
        )
    stdout.write(
        f"Payments: {Claim.objects.count()} claims, {PaymentBatch.objects.count()} batches "
        f"({PaymentBatch.objects.filter(status='paid').count()} paid)."
    )
