"""Reports in a real browser: the manager reads the key figures and asks for an annual report,
Ada asks for her certificate of involvement, and the coordinator checks the reminders log.

Nothing is patched: the test settings never run tasks in-process, so the report is enqueued
(to an in-memory broker, or CI's Redis) and normally stays queued; on Redis a worker started
by a worker test at the same moment may pick it up. Either way the row appears, in words.
Every page must pass axe-core (WCAG 2.2 AA) with zero violations.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from ascru_pie.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_no_axe_violations, h1, login

pytestmark = pytest.mark.django_db(transaction=True)

# Where a report can be up to straight after asking: not made yet, being made, or made.
ON_ITS_WAY = re.compile(r"Queued|Being made|Ready")


def _open_every_details(page) -> None:
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")


def test_manager_reads_the_figures_and_asks_for_an_annual_report(page, live_server, demo_users):
    from reports.models import ReportRequest

    login(page, live_server, "manager", DEMO_PASSWORD)
    response = page.goto(f"{live_server.url}/reports/")
    assert response.status == 200
    assert h1(page) == "Reports and key figures"
    year = timezone.localdate().year
    assert page.get_by_role("heading", name=f"Key figures for {year}").is_visible()
    for name in (
        "Equality monitoring summary (totals only)",
        "The PIE impact database",
        "Advisor feedback results",
    ):
        assert page.get_by_role("link", name=name, exact=True).is_visible()
    assert page.get_by_text("No reports have been asked for yet.").is_visible()
    assert_no_axe_violations(page, "reports-dashboard")
    # The tables behind the charts and the equality totals, opened.
    _open_every_details(page)
    assert page.get_by_role("table", name="Actual impacts recorded, by research stage").is_visible()
    assert_no_axe_violations(page, "reports-dashboard-tables-open")

    # A project report without a project: the error summary, then the error at the field.
    page.get_by_label("Project PIE report: one project's plan, spending and impact").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Ask for the report").click()
    assert (
        page.get_by_role("alert")
        .get_by_text("Choose the project for a project report.")
        .is_visible()
    )
    assert ReportRequest.objects.count() == 0
    assert_no_axe_violations(page, "reports-dashboard-error")

    page.get_by_label("Annual PIE report: the whole unit, for one year").check()
    page.get_by_label("Year (for an annual report)").select_option(str(year))
    with page.expect_navigation():
        page.get_by_role("button", name="Ask for the report").click()
    assert page.url == f"{live_server.url}/reports/"
    assert "Annual PIE report asked for" in page.get_by_role("status").inner_text()
    report = ReportRequest.objects.get()
    assert (report.kind, report.year, report.requested_by.username) == ("annual", year, "manager")
    row = page.locator(f"#request-{report.pk}")
    assert row.get_by_role("rowheader", name="Annual PIE report").is_visible()
    assert ON_ITS_WAY.search(row.inner_text()), row.inner_text()
    assert_no_axe_violations(page, "reports-dashboard-requested")


def test_the_list_of_reports_updates_by_itself_when_a_report_is_ready(
    page, live_server, demo_users
):
    from django.core.files.base import ContentFile

    from reports.models import ReportRequest

    report = ReportRequest.objects.create(
        kind="annual", year=2025, requested_by=demo_users["manager"]
    )
    login(page, live_server, "manager", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/reports/")
    row = page.locator(f"#request-{report.pk}")
    assert "Queued" in row.inner_text()
    assert page.locator("#request-list[hx-trigger]").count() == 1

    # The worker finishes it: within a poll or two the row says so, and polling stops.
    report.file.save("annual.pdf", ContentFile(b"%PDF-1.4 annual"), save=False)
    report.status = ReportRequest.Status.DONE
    report.save()
    row.get_by_role("link", name="Download the PDF").wait_for(timeout=10_000)
    assert "Ready." in row.inner_text()
    assert page.locator("#request-list[hx-trigger]").count() == 0
    assert page.locator("#report-requests[aria-live=polite] #request-list").count() == 1
    assert_no_axe_violations(page, "reports-dashboard-list-updated")


def test_advisor_asks_for_a_certificate_of_involvement(page, live_server, register):
    from advisors.models import Advisor
    from ascru_pie.lib.dates import tax_year
    from meetings.models import Attendance
    from reports.models import ReportRequest
    from tests.factories import MeetingFactory

    # A certificate needs some involvement (tests/reports/test_certificate_refusal.py).
    Attendance.objects.create(
        meeting=MeetingFactory(),
        advisor=Advisor.objects.get(user__username="advisor"),
        status=Attendance.Status.ATTENDED,
    )
    login(page, live_server, "advisor", DEMO_PASSWORD)
    response = page.goto(f"{live_server.url}/portal/documents/")
    assert response.status == 200
    assert h1(page) == "Your documents"
    assert page.get_by_role("group", name="Which tax year?").is_visible()
    first = tax_year(timezone.localdate())[0].year
    assert page.get_by_label(f"6 April {first} to 5 April {first + 1}").is_checked()
    assert page.get_by_text("You have not asked for any documents yet.").is_visible()
    assert_no_axe_violations(page, "portal-documents")

    with page.expect_navigation():
        page.get_by_role("button", name="Ask for a certificate").click()
    assert page.url == f"{live_server.url}/portal/documents/"
    assert (
        "We are making your certificate of involvement" in page.get_by_role("status").inner_text()
    )
    report = ReportRequest.objects.get()
    assert (report.kind, report.advisor.user.username) == ("certificate", "advisor")
    row = page.locator(f"#request-{report.pk}")
    assert row.get_by_role("rowheader", name="Certificate of involvement").is_visible()
    assert ON_ITS_WAY.search(row.inner_text()), row.inner_text()
    assert_no_axe_violations(page, "portal-documents-requested")


def test_coordinator_checks_the_reminders_log(page, live_server, register):
    from advisors.models import Advisor
    from reminders.models import Delivery

    advisors = list(Advisor.objects.active().order_by("last_name")[:2])
    Delivery.objects.create(
        key="test:failed",
        kind="meeting-7d",
        object_label="Spring PIEG",
        advisor=advisors[0],
        recipient="nobody@example.org",
        status=Delivery.Status.FAILED,
        attempts=4,
        error="SMTPRecipientsRefused: no such mailbox",
        template="reminder-meeting",
    )
    Delivery.objects.create(
        key="test:call",
        kind="rsvp-chase",
        object_label="Spring PIEG",
        advisor=advisors[1],
        recipient="01234 567890",
        channel=Delivery.Channel.CALL,
        status=Delivery.Status.LISTED,
        template="reminder-rsvp",
    )
    login(page, live_server, "coordinator", DEMO_PASSWORD)
    response = page.goto(f"{live_server.url}/staff/reminders/")
    assert response.status == 200
    assert h1(page) == "Reminders"
    assert page.get_by_text("Failed: SMTPRecipientsRefused: no such mailbox").is_visible()
    assert (
        page.get_by_role("table", name="To call")
        .get_by_role("cell", name="01234 567890")
        .is_visible()
    )
    assert_no_axe_violations(page, "staff-reminders")

    page.get_by_label("Status", exact=True).select_option(label="Failed")
    with page.expect_navigation():
        page.get_by_role("button", name="Show reminders").click()
    assert "status=failed" in page.url
    assert page.get_by_text("Failed: SMTPRecipientsRefused: no such mailbox").is_visible()
    assert_no_axe_violations(page, "staff-reminders-failed")
