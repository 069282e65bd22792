"""The coordinator's day, keyboard only (issue 14), in one walk from the staff home's work
queue: accept a phone-only applicant in the admin, invite them and others to a meeting in one
go, see them on the call list and tick the call off, give them a login once they have an
email address, record the answer they phoned in, record who came to last week's meeting,
approve claims (one takes a nearly spent budget past 100%: warned, then confirmed), build a
batch and mark it paid after a confirmation that shows the total.

Tab, Shift+Tab, Enter, Space, the arrow keys and typing only: no clicks. Every page visited
has the axe-core scan (our pages must pass; Django's own admin pages are scanned and
reported, as elsewhere), form controls at 3:1 against their background, and reflow at 320 px.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from ascru_pie.demo import DEMO_PASSWORD
from tests.browser.conftest import (
    VIEWPORT,
    admin_axe_report,
    assert_controls_contrast,
    assert_no_axe_violations,
    assert_reflows,
    h1,
    login,
)

pytestmark = pytest.mark.django_db(transaction=True)

COMING = "Summer PIEG"
HELD = "Spring PIEG"
EMAIL = "pat.phone@example.net"
MAX_TABS = 200


@pytest.fixture
def day(lookups, demo_users):
    """Pat Phone's application (no email, prefers phone); Grace, an advisor with email; a
    meeting in ten days; a meeting last week that Grace and Alan said yes to; and two
    submitted claims, one of which takes the nearly spent Carers study past its budget."""
    from advisors.models import Application, ContactMethod
    from payments.models import Claim
    from projects.models import Project
    from tests.factories import (
        AdvisorFactory,
        ApplicationFactory,
        ProjectFactory,
        example_rate_card,
        invite,
        make_meeting,
    )

    example_rate_card()
    application = ApplicationFactory(
        first_name="Pat",
        last_name="Phone",
        email="",
        phone="01632 960 111",
        contact_method=ContactMethod.PHONE,
        status=Application.Status.RECEIVED,
    )
    grace = AdvisorFactory(first_name="Grace", last_name="Hopper")
    alan = AdvisorFactory(first_name="Alan", last_name="Turing")
    coming = make_meeting(days=10, title=COMING)
    held = make_meeting(days=-7, title=HELD)
    invite(held, grace, alan)

    carers, care = ProjectFactory(title="Carers study"), ProjectFactory(title="Home care study")
    Project.objects.filter(pk=carers.pk).update(pie_budget=Decimal("50.00"))
    Project.objects.filter(pk=care.pk).update(pie_budget=Decimal("500.00"))
    today = timezone.localdate()

    def claim(advisor, amount: str, status: str, project, what: str) -> Claim:
        return Claim.objects.create(
            advisor=advisor,
            kind="expense",
            expense_type="travel",
            description=what,
            activity_date=today - datetime.timedelta(days=3),
            amount=Decimal(amount),
            status=status,
            project=project,
        )

    claim(alan, "45.00", "approved", carers, "Earlier train fares")
    over = claim(grace, "12.40", "submitted", carers, "Bus to the carers workshop")
    fine = claim(alan, "20.00", "submitted", care, "Taxi to the care home")
    return {
        "application": application,
        "grace": grace,
        "alan": alan,
        "coming": coming,
        "held": held,
        "over": over,
        "fine": fine,
    }


def tab_to(page, locator, presses: int = MAX_TABS, *, back: bool = False) -> None:
    """Press Tab (Shift+Tab with back=True) until `locator` has the focus, as a keyboard user
    would; fail after `presses` presses, listing what got the focus on the way."""
    seen = []
    for _ in range(presses):
        if locator.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
        seen.append(
            page.evaluate(
                "() => { const el = document.activeElement; return el.tagName + ' ' +"
                " (el.textContent || el.name || el.id || '').replace(/\\s+/g, ' ').trim()"
                ".slice(0, 40); }"
            )
        )
    pytest.fail(f"Tab never reached {locator}; focused in turn: {seen[-25:]}", pytrace=False)


def follow(page, locator) -> None:
    """Tab to a link or button and press Enter, waiting for the next page."""
    tab_to(page, locator)
    with page.expect_navigation():
        page.keyboard.press("Enter")


# What the checks found on the way: the walk goes on to the end, then fails listing them all.
PROBLEMS: list[str] = []


def checks(page, name: str, *, admin: bool = False, reload: bool = True) -> None:
    """Axe (reported only for Django's admin), form-control contrast, and reflow at 320 px;
    then back to the desktop width, with the focus back at the top of the page. A failed
    check is kept for the end of the test, so one run lists every page's problems.

    Django's admin data tables (the change list, tabular inlines) may scroll sideways inside
    their own box at 320 px: WCAG 1.4.10 excepts data tables, whose meaning is their two
    dimensions. The page itself must still not scroll sideways; our own pages get no
    exception (their tables stack, see .table-stack in app.css)."""
    steps = [
        lambda: admin_axe_report(page, name) if admin else assert_no_axe_violations(page, name),
        lambda: assert_controls_contrast(page, name),
        lambda: assert_reflows(page, name, width=320, reload=reload, inner_scroll=admin),
    ]
    for step in steps:
        try:
            step()
        except pytest.fail.Exception as failed:
            PROBLEMS.append(str(failed))
    page.set_viewport_size(VIEWPORT)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")


def home(page) -> None:
    """Back to the staff home by the header's link."""
    follow(page, page.get_by_role("link", name="Staff dashboard", exact=True))
    assert h1(page)


def queue_link(page, label: str):
    return page.get_by_role("region", name="Waiting for you").get_by_role(
        "link", name=label, exact=True
    )


def test_coordinators_day_keyboard_only(page, new_page, live_server, day):
    from django.core import mail

    from advisors.models import Advisor, Application
    from meetings.models import Attendance, Invitation
    from payments.models import Claim, PaymentBatch
    from reminders.models import Delivery

    PROBLEMS.clear()
    login(page, live_server, "coordinator", DEMO_PASSWORD)
    assert page.url == f"{live_server.url}/staff/"
    checks(page, "day-coordinator-home")

    # 1. Review an application: accept Pat, who has no email, with the admin's action.
    follow(page, queue_link(page, "Applications to review"))
    assert "/admin/advisors/application/" in page.url
    checks(page, "day-coordinator-applications", admin=True)
    application = day["application"]
    tab_to(page, page.locator(f"input[name=_selected_action][value='{application.pk}']"))
    page.keyboard.press("Space")
    tab_to(page, page.locator("select[name=action]"), back=True)
    # Typing on a select chooses the option that starts with it.
    page.keyboard.type("Accept")
    assert page.locator("select[name=action]").input_value() == "accept"
    follow(page, page.get_by_role("button", name="Go", exact=True))
    assert (
        "Pat Phone is now on the register; they have no email address"
        in page.locator(".messagelist").inner_text()
    )
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED
    pat = Advisor.objects.get(pk=application.advisor_id)
    assert (pat.email, pat.contact_method) == ("", "phone")
    checks(page, "day-coordinator-application-accepted", admin=True)

    # 2. Invite Pat and Grace to the coming meeting, in one go.
    coming = day["coming"]
    page.goto(f"{live_server.url}/staff/meetings/{coming.pk}/")
    assert h1(page) == COMING
    checks(page, "day-coordinator-meeting")
    follow(page, page.get_by_role("link", name="Invite advisors").first)
    assert h1(page) == f"Invite advisors: {COMING}"
    checks(page, "day-coordinator-invite")
    tab_to(page, page.get_by_label("Advisors I choose below"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_label("Pat Phone (Phone)"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_label("Grace Hopper (Email)"))
    page.keyboard.press("Space")
    follow(page, page.get_by_role("button", name="Invite", exact=True))
    assert page.url == f"{live_server.url}/staff/meetings/{coming.pk}/"
    status = " ".join(page.get_by_role("status").all_inner_texts())
    assert "2 advisors invited." in status
    assert "Pat Phone" in status and "list of people to call or write to" in status
    checks(page, "day-coordinator-invited")

    # 3. Pat is on the call list, from the work queue; she phones and ticks the call off.
    home(page)
    follow(page, queue_link(page, "People to phone"))
    assert h1(page) == "Reminders"
    calls = page.locator("table[aria-labelledby='call-heading']")
    assert f"Phone Pat Phone on 01632 960 111 to invite them to {COMING}" in calls.inner_text()
    checks(page, "day-coordinator-call-list")
    tab_to(page, page.get_by_label("What came of it (optional): Pat Phone"))
    page.keyboard.type("Yes, coming; gave her email address")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Call to Pat Phone ticked off." in page.get_by_role("status").inner_text()
    call = Delivery.objects.get(kind="invite", advisor=pat)
    assert call.done_at is not None and call.done_by.username == "coordinator"
    checks(page, "day-coordinator-call-done")

    # 4. Pat gave an email address on the phone: record it, give her a login, send it.
    change = f"{live_server.url}/admin/advisors/advisor/{pat.pk}/change/"
    page.goto(change)
    assert page.get_by_text("Pat Phone has no email address, so we cannot send them").is_visible()
    checks(page, "day-coordinator-advisor-no-email", admin=True)
    tab_to(page, page.locator("#id_email"))
    page.keyboard.type(EMAIL)
    follow(page, page.get_by_role("button", name="Save and continue editing"))
    assert page.url == change
    # Accepting the application already made her a login (with no password and no email):
    # the advisor's page offers "Send the invitation", as the accept message says ("again"
    # only once one was sent).
    follow(page, page.get_by_role("link", name="Send the invitation", exact=True))
    assert page.url.endswith(f"/admin/advisors/advisor/{pat.pk}/invite/")
    checks(page, "day-coordinator-advisor-invite", admin=True)
    mail.outbox.clear()
    follow(page, page.get_by_role("button", name="Send the invitation", exact=True))
    assert page.url == change
    assert page.get_by_text(f"an email to {EMAIL} with a link to set their password").is_visible()
    pat.refresh_from_db()
    assert pat.email == EMAIL and pat.user.email == EMAIL
    assert [m.to for m in mail.outbox] == [[EMAIL]]
    checks(page, "day-coordinator-advisor-login-sent", admin=True)

    # 5. Record the answer she phoned in, on the meeting's page.
    page.goto(f"{live_server.url}/staff/meetings/{coming.pk}/")
    tab_to(page, page.get_by_label("Answer (Pat Phone)"))
    page.keyboard.press("y")  # "Yes, coming"
    assert page.get_by_label("Told us (Pat Phone)").input_value() == "phone"
    follow(page, page.get_by_role("button", name="Save answer for Pat Phone"))
    assert "Answer saved for Pat Phone: Yes, coming (told us by phone)." in (
        page.get_by_role("status").inner_text()
    )
    invitation = Invitation.objects.get(meeting=coming, advisor=pat)
    assert (invitation.rsvp, invitation.answered_how) == ("yes", "phone")
    checks(page, "day-coordinator-answer-recorded")

    # 6. Last week's meeting: record who came, from the work queue.
    held = day["held"]
    home(page)
    follow(page, queue_link(page, "Meetings that happened, with attendance not yet recorded"))
    assert h1(page) == f"Record attendance: {HELD}"
    checks(page, "day-coordinator-attendance")
    # Grace came; Alan said yes but did not come.
    alan_status = page.get_by_role("row", name="Alan Turing").locator("select").first
    tab_to(page, alan_status)
    page.keyboard.type("Absent")
    assert alan_status.input_value() == "absent"
    follow(page, page.get_by_role("button", name="Confirm attendance"))
    came = Attendance.objects.filter(meeting=held).values_list("advisor__first_name", "status")
    assert set(came) == {("Grace", "attended"), ("Alan", "absent")}
    checks(page, "day-coordinator-attendance-recorded")

    # 7. Approve claims: the bus fare takes the Carers study past 100%, so she is asked first.
    home(page)
    follow(page, queue_link(page, "Claims to approve"))
    assert h1(page) == "Claims waiting for approval"
    checks(page, "day-coordinator-claims")
    over, fine = day["over"], day["fine"]
    for claim in (over, fine):
        tab_to(page, page.get_by_label(f"Approve claim #{claim.pk},"))
        page.keyboard.press("Space")
    follow(page, page.get_by_role("button", name="Approve the ticked claims"))
    warning = page.locator("#budget-warning")
    assert "past 100%" in warning.inner_text()
    assert "Carers study" in warning.inner_text()
    assert Claim.objects.get(pk=over.pk).status == Claim.Status.SUBMITTED
    checks(page, "day-coordinator-claims-budget-warning", reload=False)
    follow(page, page.get_by_role("button", name="Approve anyway, over budget"))
    assert "approved" in page.get_by_role("status").inner_text()
    assert set(
        Claim.objects.filter(pk__in=[over.pk, fine.pk]).values_list("status", flat=True)
    ) == {"approved"}
    checks(page, "day-coordinator-claims-approved")

    # 8. Build a batch from the approved claims, from the work queue.
    home(page)
    follow(page, queue_link(page, "Approved claims to put in a payment batch"))
    checks(page, "day-coordinator-batches")
    follow(page, page.get_by_role("button", name="Build a batch from all approved claims"))
    batch = PaymentBatch.objects.get()
    # The browser keeps the queue link's #build-heading through the redirect.
    assert page.url.split("#")[0] == f"{live_server.url}/staff/payments/batches/{batch.pk}/"
    checks(page, "day-coordinator-batch-built")

    # Finance approves it (the builder cannot), by keyboard too.
    finance = new_page()
    login(finance, live_server, "finance", DEMO_PASSWORD)
    finance.goto(f"{live_server.url}/staff/payments/batches/{batch.pk}/")
    follow(finance, finance.get_by_role("button", name="Approve this batch for payment"))
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.APPROVED

    # 9. Mark it paid: a confirmation first, with the number of claims and the total.
    page.reload()
    checks(page, "day-coordinator-batch-approved")
    follow(page, page.get_by_role("button", name="Mark the whole batch paid"))
    n, total = batch.claims.count(), f"£{batch.total:,.2f}"
    assert f"This marks {n} claims, {total} in all" in page.locator("#confirm-paid").inner_text()
    assert not Claim.objects.filter(status="paid").exists()
    checks(page, "day-coordinator-batch-confirm-paid", reload=False)
    follow(page, page.get_by_role("button", name=f"Yes, mark {n} claims paid ({total})"))
    assert f"{n} claims marked paid" in page.get_by_role("status").inner_text()
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.PAID
    checks(page, "day-coordinator-batch-paid")

    if PROBLEMS:
        pytest.fail("\n\n".join(PROBLEMS), pytrace=False)
