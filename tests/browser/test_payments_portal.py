"""Payments in the advisor portal, in a real browser: Ada claims her train fare with a
photo of the ticket, and gives us her bank details.

Every page must pass axe-core (WCAG 2.2 AA) with zero violations, including error states.
"""

from __future__ import annotations

import base64
import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from ascru_pie.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_no_axe_violations, h1, login

pytestmark = pytest.mark.django_db(transaction=True)

# A real 1 x 1 pixel PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@pytest.fixture
def ada(register):
    """The demo register (Ada Advisor is the "advisor" login) and the example rate card."""
    from advisors.models import Advisor
    from tests.factories import example_rate_card

    example_rate_card()
    return Advisor.objects.get(user__username="advisor")


def test_advisor_claims_an_expense_with_a_receipt_and_saves_bank_details(page, live_server, ada):
    from payments.models import BankDetails

    # 1. Ada opens her payments: nothing claimed yet.
    login(page, live_server, "advisor", DEMO_PASSWORD)
    response = page.goto(f"{live_server.url}/portal/payments/")
    assert response.status == 200
    assert h1(page) == "Your payments"
    assert page.get_by_text("You have no claims yet.").is_visible()
    assert_no_axe_violations(page, "portal-payments-empty")

    # 2. She starts an expense claim.
    with page.expect_navigation():
        page.get_by_role("link", name="Claim expenses").click()
    assert h1(page) == "Claim expenses"
    assert page.get_by_text(
        "If you have a receipt, add it: PDF, JPEG or PNG, up to 5 MB"
    ).is_visible()
    assert_no_axe_violations(page, "portal-expense")

    # Sending with the amount missing and a text file as the receipt: both errors, nothing saved.
    day = timezone.localdate() - datetime.timedelta(days=3)
    page.get_by_label("Travel", exact=True).check()
    page.get_by_label("Date of the expense").fill(day.isoformat())
    page.get_by_label("What was it for?").fill("Train to Canterbury and back")
    page.get_by_label("Receipt (optional, but please add one if you can)").set_input_files(
        files=[{"name": "ticket.pdf", "mimeType": "application/pdf", "buffer": b"not a pdf"}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Send my claim").click()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert page.title().startswith("Error: ")
    assert summary.get_by_role(
        "link", name="Enter how much you spent, for example 12.50."
    ).is_visible()
    assert summary.get_by_role(
        "link", name="The receipt must be a PDF, JPEG or PNG file. This file is not one of those."
    ).is_visible()
    assert_no_axe_violations(page, "portal-expense-error")
    assert not ada.claims.exists()

    # 3. She puts it right: the amount, and a photo of her ticket.
    assert page.get_by_label("Travel", exact=True).is_checked()
    page.get_by_label("How much did you spend? (£)").fill("23.40")
    page.get_by_label("Receipt (optional, but please add one if you can)").set_input_files(
        files=[{"name": "ticket.png", "mimeType": "image/png", "buffer": PNG}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Send my claim").click()
    assert page.url == f"{live_server.url}/portal/payments/"
    assert "We have your claim for £23.40" in page.get_by_role("status").inner_text()
    assert page.get_by_text("Submitted: waiting for the PIE team to check it").is_visible()
    assert page.get_by_role("link", name="Your receipt").is_visible()
    assert_no_axe_violations(page, "portal-payments-claimed")
    claim = ada.claims.get()
    assert (claim.advisor, claim.status, str(claim.amount)) == (ada, "submitted", "23.40")
    with claim.receipt.open("rb") as handle:
        assert handle.read() == PNG

    # 4. She gives us her bank details: afterwards only the last 4 numbers are shown.
    with page.expect_navigation():
        page.get_by_role("link", name="Payment preferences").click()
    assert h1(page) == "Payment preferences"
    assert page.get_by_text("We do not have your bank details yet.").is_visible()
    assert_no_axe_violations(page, "portal-payment-preferences")
    page.get_by_label("Name on the account").fill("A Advisor")
    page.get_by_label("Sort code").fill("40-11-62")
    page.get_by_label("Account number").fill("31926819")
    with page.expect_navigation():
        page.get_by_role("button", name="Save my preferences").click()
    assert "have been saved" in page.get_by_role("status").inner_text()
    assert page.get_by_text("Account ending 6819 (A Advisor)").is_visible()
    content = page.content()
    assert "31926819" not in content and "401162" not in content and "40-11-62" not in content
    assert page.get_by_label("Account number").input_value() == ""
    assert_no_axe_violations(page, "portal-payment-preferences-saved")
    assert BankDetails.objects.get(advisor=ada).account_number_last4 == "6819"


def test_advisor_logs_time_and_reads_her_tax_year_statement(page, live_server, ada):
    from ascru_pie.lib.dates import tax_year
    from rates.pricing import time_amount
    from tests.factories import mark_paid

    # Ada keeps her payments under £10 a year, because of her benefits.
    ada.annual_limit = Decimal("10.00")
    ada.save(update_fields=["annual_limit"])

    # 1. Ada logs two hours of document review; the page says what it comes to.
    login(page, live_server, "advisor", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/portal/payments/time/new/")
    assert h1(page) == "Log time"
    assert_no_axe_violations(page, "portal-time")
    day = timezone.localdate() - datetime.timedelta(days=2)
    page.get_by_label("Document review", exact=True).check()
    page.get_by_label("Date you did it").fill(day.isoformat())
    page.get_by_label("How many hours did it take?").fill("2")
    page.get_by_label("Tell us briefly what you did").fill("Read the draft survey")
    with page.expect_navigation():
        page.get_by_role("button", name="Log my time").click()

    # It would take her over her limit: she is asked first, and nothing is saved yet.
    warning = page.locator("#limit-warning")
    assert warning.is_visible()
    assert "over your limit of £10.00" in warning.inner_text()
    assert_no_axe_violations(page, "portal-time-over-limit")
    assert not ada.claims.exists()
    with page.expect_navigation():
        page.get_by_role("button", name="Submit anyway").click()
    assert page.url == f"{live_server.url}/portal/payments/"
    claim = ada.claims.get()
    expected = time_amount(
        on=day, hours=Decimal("2"), preparation_hours=Decimal("0"), activity="document_review"
    ).amount
    assert claim.amount == expected
    assert f"This comes to £{expected}" in page.get_by_role("status").inner_text()
    assert_no_axe_violations(page, "portal-payments-time-logged")

    # 2. Once it is paid, it is on her statement for this tax year.
    mark_paid(claim, paid_on=timezone.localdate())
    year = tax_year(timezone.localdate())[0].year
    with page.expect_navigation():
        page.get_by_role("link", name=f"Statement for 6 April {year} to 5 April {year + 1}").click()
    assert h1(page) == f"Payments statement: 6 April {year} to 5 April {year + 1}"
    assert page.get_by_text("Read the draft survey").is_visible()
    assert page.get_by_role("button", name="Print this statement").is_visible()
    assert_no_axe_violations(page, "portal-payments-statement")
