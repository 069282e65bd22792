"""The staff payment pages in a real browser: the coordinator approves a claim and builds a
batch; finance approves the batch (the builder cannot) and marks it paid; the budgets page.

Every page must pass axe-core (WCAG 2.2 AA) with zero violations, including the warnings
(annual limit, claims at risk, over budget) that these pages show in words.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from ascru_pie.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_no_axe_violations, h1, login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def claims(demo_users, settings):
    """Alice's £40 train fare waits for approval and takes her over the £50 limit she set
    (expenses count towards it here); Bob's older claim is already approved and overdue; two
    projects are near and over budget."""
    settings.ANNUAL_LIMIT_COUNTS = "all"
    from payments.models import Claim
    from projects.models import Project
    from tests.factories import AdvisorFactory, ProjectFactory

    today = timezone.localdate()
    alice = AdvisorFactory(first_name="Alice", last_name="Ashby", annual_limit=Decimal("50.00"))
    bob = AdvisorFactory(first_name="Bob", last_name="Brown")
    near, over = ProjectFactory(title="Home care study"), ProjectFactory(title="Carers study")
    Project.objects.filter(pk=near.pk).update(pie_budget=Decimal("70.00"))
    Project.objects.filter(pk=over.pk).update(pie_budget=Decimal("20.00"))

    def claim(advisor, amount: str, status: str, days_ago: int, project=None) -> Claim:
        return Claim.objects.create(
            advisor=advisor,
            kind="expense",
            expense_type="travel",
            description="Train fare",
            activity_date=today - datetime.timedelta(days=days_ago),
            amount=Decimal(amount),
            status=status,
            project=project,
        )

    claim(alice, "20.00", "approved", 3, project=near)
    waiting = claim(alice, "40.00", "submitted", 2, project=near)
    claim(bob, "25.00", "approved", 35, project=over)
    return {"waiting": waiting, "users": demo_users}


def test_claim_to_paid_batch_by_two_people(page, new_page, live_server, claims):
    from payments.models import Claim, PaymentBatch

    waiting = claims["waiting"]
    login(page, live_server, "coordinator", DEMO_PASSWORD)

    # 1. The approval queue, with the limit warning and the overdue claim in words.
    response = page.goto(f"{live_server.url}/staff/payments/")
    assert response.status == 200
    assert h1(page) == "Claims waiting for approval"
    assert page.get_by_text("Alice Ashby’s payments and expenses").is_visible()
    assert page.get_by_text("over their limit of £50.00").is_visible()
    assert page.get_by_text("Overdue by 7 days").is_visible()
    assert_no_axe_violations(page, "staff-payments-queue")

    # Approving with nothing ticked explains itself, accessibly.
    with page.expect_navigation():
        page.get_by_role("button", name="Approve the ticked claims").click()
    assert "Choose at least one claim to approve." in page.get_by_role("alert").inner_text()
    assert_no_axe_violations(page, "staff-payments-queue-error")

    page.get_by_label(f"Approve claim #{waiting.pk}, Alice Ashby, £40.00").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Approve the ticked claims").click()
    assert "1 claim approved." in page.get_by_role("status").inner_text()
    assert page.get_by_text("There are no claims waiting for approval.").is_visible()
    waiting.refresh_from_db()
    assert waiting.status == "approved"

    # 2. One claim's page: its history.
    page.goto(f"{live_server.url}/staff/payments/claims/{waiting.pk}/")
    assert h1(page) == f"Claim #{waiting.pk}: Alice Ashby, £40.00"
    assert page.get_by_role("cell", name="Submitted → Approved").is_visible()
    assert_no_axe_violations(page, "staff-payments-claim")

    # 3. Build a batch from the three approved claims.
    with page.expect_navigation():
        page.get_by_role("link", name="Payments", exact=True).first.click()
    with page.expect_navigation():
        page.get_by_role("link", name="Payment batches").first.click()
    assert h1(page) == "Payment batches"
    assert page.get_by_text("3 approved claims waiting to be paid, £85.00 in all.").is_visible()
    assert_no_axe_violations(page, "staff-payments-batches")
    with page.expect_navigation():
        page.get_by_role("button", name="Build a batch from all approved claims").click()
    batch = PaymentBatch.objects.get()
    assert page.url == f"{live_server.url}/staff/payments/batches/{batch.pk}/"
    assert h1(page) == f"Batch {batch.reference}"
    assert page.get_by_text(
        "You built this batch, so someone else must approve it for payment."
    ).is_visible()
    assert page.get_by_role("button", name="Approve this batch for payment").count() == 0
    assert_no_axe_violations(page, "staff-payments-batch-built")

    # 4. Finance approves it and marks it paid.
    finance = new_page()
    login(finance, live_server, "finance", DEMO_PASSWORD)
    finance.goto(f"{live_server.url}/staff/payments/batches/{batch.pk}/")
    assert_no_axe_violations(finance, "staff-payments-batch-to-approve")
    with finance.expect_navigation():
        finance.get_by_role("button", name="Approve this batch for payment").click()
    assert "approved for payment" in finance.get_by_role("status").inner_text()
    assert finance.get_by_role("link", name=f"Download batch {batch.reference} as CSV").is_visible()
    assert_no_axe_violations(finance, "staff-payments-batch-approved")

    finance.get_by_label("Date paid").fill(timezone.localdate().isoformat())
    with finance.expect_navigation():
        finance.get_by_role("button", name="Mark the whole batch paid").click()
    assert "3 claims marked paid" in finance.get_by_role("status").inner_text()
    batch.refresh_from_db()
    assert batch.status == "paid"
    assert set(Claim.objects.values_list("status", flat=True)) == {"paid"}
    assert_no_axe_violations(finance, "staff-payments-batch-paid")

    # 5. Budgets: the warnings are words, and the month's time to pay is shown.
    finance.goto(f"{live_server.url}/staff/payments/budgets/")
    assert h1(finance) == "Budgets and time to pay"
    table = finance.get_by_role("table", name="Each project’s PIE budget against its claims")
    assert table.get_by_role("row", name="Carers study").get_by_text("Over budget").is_visible()
    assert (
        table.get_by_role("row", name="Home care study")
        .get_by_text("Nearly spent: 80% or more")
        .is_visible()
    )
    assert finance.get_by_text("Days from the activity to payment, by month paid").is_visible()
    assert_no_axe_violations(finance, "staff-payments-budgets")


def test_the_paid_import_and_new_claim_pages_are_accessible(page, live_server, claims):
    login(page, live_server, "finance", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/staff/payments/paid-import/")
    assert h1(page) == "Import finance’s paid file"
    assert_no_axe_violations(page, "staff-payments-paid-import")
    page.get_by_label("The paid file (CSV or Excel .xlsx)").set_input_files(
        files=[
            {
                "name": "paid.csv",
                "mimeType": "text/csv",
                "buffer": b"claim,paid_on\n999,2026-05-01\n",
            }
        ]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Check the file").click()
    assert "Line 2: there is no claim 999." in page.get_by_role("alert").inner_text()
    assert page.get_by_role("button", name="Confirm: mark these claims paid").count() == 0
    assert_no_axe_violations(page, "staff-payments-paid-import-errors")

    page.goto(f"{live_server.url}/staff/payments/claims/new/")
    assert_no_axe_violations(page, "staff-payments-claim-new")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the claim").click()
    assert "Choose the advisor the claim is for." in page.get_by_role("alert").inner_text()
    assert_no_axe_violations(page, "staff-payments-claim-new-errors")
