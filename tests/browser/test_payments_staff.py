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
    assert_no_axe_violations(finance, "staff-payments-batch-confirm-paid")
    with finance.expect_navigation():
        finance.get_by_role("button", name="Yes, mark 3 claims paid (£85.00)").click()
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


def tab_to(page, locator, presses: int = 80) -> None:
    """Press Tab until `locator` has the focus, as a keyboard user would (no clicks)."""
    for _ in range(presses):
        if locator.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {locator}")


def test_keyboard_only_budget_warning_batch_and_paid_with_the_total(
    page, new_page, live_server, claims
):
    """The coordinator approves a claim past a budget (warned, then confirms), builds a batch,
    sees who has no bank details, and it is marked paid after a confirmation with the total:
    keyboard only."""
    from advisors.models import Advisor
    from payments.models import Claim, PaymentBatch
    from projects.models import Project

    over = Project.objects.get(title="Carers study")
    bob = Advisor.objects.get(first_name="Bob")
    extra = Claim.objects.create(
        advisor=bob,
        kind="expense",
        expense_type="carer",
        description="Carer for the afternoon",
        activity_date=timezone.localdate() - datetime.timedelta(days=1),
        amount=Decimal("15.00"),
        status="submitted",
        project=over,
    )
    login(page, live_server, "coordinator", DEMO_PASSWORD)

    # 1. Approve Bob's claim from its page: the budget warning asks first.
    page.goto(f"{live_server.url}/staff/payments/claims/{extra.pk}/")
    approve = page.get_by_role("button", name="Approve this claim")
    tab_to(page, approve)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    warning = page.locator("#budget-warning")
    assert "Approving this claim takes a budget past 100%" in warning.inner_text()
    assert "Carers study: £25.00 of £20.00 is already committed" in warning.inner_text()
    assert_no_axe_violations(page, "staff-payments-claim-budget-warning")
    extra.refresh_from_db()
    assert extra.status == "submitted"
    tab_to(page, page.get_by_role("button", name="Approve anyway, over budget"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"Claim #{extra.pk} approved" in page.get_by_role("status").inner_text()
    extra.refresh_from_db()
    assert extra.status == "approved"

    # 2. Build a batch: the payees with no bank details are listed before approval.
    page.goto(f"{live_server.url}/staff/payments/batches/")
    tab_to(page, page.get_by_role("button", name="Build a batch from all approved claims"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    batch = PaymentBatch.objects.get()
    missing = page.locator("#missing-bank")
    assert "no bank details" in missing.inner_text()
    assert "Bob Brown" in missing.inner_text()
    assert "Check before approving the batch" in missing.inner_text()
    assert_no_axe_violations(page, "staff-payments-batch-missing-bank")

    # 3. Finance approves it (the builder cannot), by keyboard too.
    finance = new_page()
    login(finance, live_server, "finance", DEMO_PASSWORD)
    finance.goto(f"{live_server.url}/staff/payments/batches/{batch.pk}/")
    tab_to(finance, finance.get_by_role("button", name="Approve this batch for payment"))
    with finance.expect_navigation():
        finance.keyboard.press("Enter")
    assert "Check before exporting the batch" in finance.locator("#missing-bank").inner_text()

    # 4. The coordinator marks the whole batch paid, after a confirmation with the total.
    page.reload()
    assert "Approved for payment" in page.locator("#batch-status").inner_text()
    date_box = page.get_by_label("Date paid")
    tab_to(page, date_box)
    assert date_box.input_value() == timezone.localdate().isoformat()
    tab_to(page, page.get_by_role("button", name="Mark the whole batch paid"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    confirm = page.locator("#confirm-paid")
    total = f"£{batch.total:,.2f}"
    n = batch.claims.count()
    assert f"This marks {n} claims, {total} in all" in confirm.inner_text()
    assert_no_axe_violations(page, "staff-payments-batch-confirm-paid-keyboard")
    assert not Claim.objects.filter(status="paid").exists()
    tab_to(page, page.get_by_role("button", name=f"Yes, mark {n} claims paid ({total})"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"{n} claims marked paid" in page.get_by_role("status").inner_text()
    batch.refresh_from_db()
    assert batch.status == "paid"
    assert "Status: Paid" in page.locator("#batch-status").inner_text()
