"""Readable by a low-vision advisor who zooms to 200% and uses a keyboard (issue 14,
"Readable and consistent"), in a real browser on the full demo data (`seed_demo`):

- every portal page the demo advisor can reach reflows: no sideways scrolling at 320 CSS px
  (WCAG 1.4.10) nor at 1280 px zoomed to 200% (640 CSS px at twice the pixel density), and no
  table hiding columns in a box that scrolls sideways;
- every form control on the main forms has an edge at 3:1 against what is behind it
  (WCAG 1.4.11), and keyboard focus is visible (2.4.7).

The portal pages are found by following the links from the advisor's home, as she would; a
check below makes sure every portal URL pattern was among them.
"""

from __future__ import annotations

import io
import re
from importlib import import_module
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.test.utils import override_settings
from django.urls import get_resolver

from ascru_pie.demo import DEMO_PASSWORD
from homes.management.commands.seed_demo import SEEDERS
from tests.browser.conftest import (
    assert_controls_contrast,
    assert_focus_visible,
    assert_reflows,
    login,
)

pytestmark = pytest.mark.django_db(transaction=True)

# Portal links that are files (PDFs, receipts, shared resources), not pages.
NOT_PAGES = re.compile(r"/certificate/|/receipt|/download|/resources/\d+/|\.pdf$|/documents/\d+")
# Portal URL patterns the demo advisor has no link to in the demo data, and why.
NO_DEMO_LINK = {
    "portal/payments/bank-details/<int:pk>/confirm/": "reached from an email only",
    "portal/profile/training/<int:pk>/certificate/": "a PDF, not a page",
    "portal/resources/<int:pk>/": "a shared file or link, not a page",
    "portal/meetings/<int:pk>/propose/": "takes the agenda form on the meeting page (POST only)",
}


@pytest.fixture
def demo(lookups, demo_users):
    """Everything `manage.py seed_demo` loads (it refuses to run without DEBUG)."""
    # A transactional test flushes the database afterwards, taking the data migrations' rows
    # with it: put the Standards for Public Involvement back (lookups does the advisors' ones).
    import_module("impacts.migrations.0002_standards").forwards(apps, None)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        for name in SEEDERS:
            import_module(name).seed(stdout=io.StringIO())
    return demo_users


def _portal_patterns() -> list[str]:
    def walk(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    return sorted({p for p in walk(get_resolver()) if p.startswith("portal/")})


def _matches(pattern: str, path: str) -> bool:
    regex = re.sub(
        r"<int:\w+>", r"\\d+", re.escape(pattern).replace(r"\<", "<").replace(r"\>", ">")
    )
    regex = re.sub(r"<(?:str:)?\w+>", r"[^/]+", regex)
    return re.fullmatch("/" + regex, path) is not None


def _portal_pages(page, live_server) -> list[str]:
    """Every page under /portal/ reachable by links from the advisor's home."""
    patterns = _portal_patterns()
    seen, queue, pages, per_pattern = set(), ["/portal/"], [], {}
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        # Two of each kind of page (e.g. two meetings) are enough, and keep the test quick.
        kind = next((p for p in patterns if _matches(p, path.split("?")[0])), path)
        if per_pattern.get(kind, 0) >= 2:
            continue
        per_pattern[kind] = per_pattern.get(kind, 0) + 1
        response = page.goto(f"{live_server.url}{path}")
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        assert response.status == 200, f"{path}: {response.status}"
        pages.append(path)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)"):
            link = urlsplit(href)
            if link.netloc != urlsplit(live_server.url).netloc:
                continue
            if link.path.startswith("/portal/") and not NOT_PAGES.search(link.path):
                queue.append(link.path + (f"?{link.query}" if link.query else ""))
    return pages


def _failure(check, *args, **kwargs) -> str | None:
    try:
        check(*args, **kwargs)
    except pytest.fail.Exception as failed:
        return str(failed)
    return None


def test_every_portal_page_reflows_at_320px_and_at_200_percent_zoom(new_page, live_server, demo):
    narrow = new_page(viewport={"width": 320, "height": 640})
    login(narrow, live_server, "advisor", DEMO_PASSWORD)
    pages = _portal_pages(narrow, live_server)

    missed = [
        p
        for p in _portal_patterns()
        if p not in NO_DEMO_LINK and not any(_matches(p, path.split("?")[0]) for path in pages)
    ]
    assert not missed, (
        f"portal pages the crawl never reached (add a demo link or say why): {missed}"
    )

    zoomed = new_page(viewport={"width": 640, "height": 900}, device_scale_factor=2)
    login(zoomed, live_server, "advisor", DEMO_PASSWORD)
    failures = []
    for path in pages:
        name = "readable-" + (path.strip("/").replace("/", "-") or "home")
        narrow.goto(f"{live_server.url}{path}")
        failures.append(_failure(assert_reflows, narrow, name, width=320))
        zoomed.goto(f"{live_server.url}{path}")
        failures.append(_failure(assert_reflows, zoomed, f"{name}-zoom200", width=640))
    failures = [f for f in failures if f]
    assert not failures, f"{len(failures)} page(s) do not reflow:\n\n" + "\n\n".join(failures)


# --- form controls at 3:1, focus visible ------------------------------------------------------


def _check_form(page, name: str) -> list[str]:
    return [
        f
        for f in (
            _failure(assert_controls_contrast, page, name),
            _failure(assert_focus_visible, page, name),
        )
        if f
    ]


def test_the_main_forms_have_controls_people_can_see_and_a_visible_focus(
    page, new_page, live_server, demo
):
    from advisors.models import Advisor
    from meetings.models import Invitation, Meeting

    failures = []
    page.goto(f"{live_server.url}/accounts/login/")
    failures += _check_form(page, "login")
    page.goto(f"{live_server.url}/apply/")
    failures += _check_form(page, "apply")

    login(page, live_server, "advisor", DEMO_PASSWORD)
    invitation = (
        Invitation.objects.filter(
            advisor__user__username="advisor", meeting__in=Meeting.objects.upcoming()
        )
        .order_by("meeting__starts_at")
        .first()
    )
    assert invitation is not None, "the demo gives Ada an upcoming meeting to answer"
    for name, path in [
        ("profile", "/portal/profile/"),
        ("claim-time", "/portal/payments/time/new/"),
        ("claim-expense", "/portal/payments/expenses/new/"),
        ("rsvp", f"/portal/meetings/{invitation.meeting_id}/"),
    ]:
        assert page.goto(f"{live_server.url}{path}").status == 200, path
        failures += _check_form(page, name)

    staff = new_page()
    login(staff, live_server, "coordinator", DEMO_PASSWORD)
    assert staff.goto(f"{live_server.url}/staff/payments/claims/new/").status == 200
    failures += _check_form(staff, "staff-claim")
    advisor = Advisor.objects.get(user__username="advisor")
    response = staff.goto(f"{live_server.url}/admin/advisors/advisor/{advisor.pk}/change/")
    assert response.status == 200
    # Contrast only: the admin's own focus styles are Django's.
    failures.append(_failure(assert_controls_contrast, staff, "admin-advisor-change"))

    failures = [f for f in failures if f]
    assert not failures, "\n\n".join(failures)


def test_a_form_with_errors_keeps_its_controls_visible(page, live_server, demo):
    # Red edges on fields in error are 3:1 too, and the focus ring shows on the summary's links.
    login(page, live_server, "advisor", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/portal/payments/expenses/new/")
    with page.expect_navigation():
        page.get_by_role("button", name="Send my claim").click()
    assert page.locator("#error-summary").is_visible()
    assert_controls_contrast(page, "claim-expense-errors")
    assert_focus_visible(page, "claim-expense-errors")


# --- the staff header ----------------------------------------------------------------------


def test_the_staff_header_fits_on_one_row_at_1280px(page, live_server, demo):
    login(page, live_server, "coordinator", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/staff/")
    tops = page.eval_on_selector_all(
        ".site-nav .navbar-brand, .site-nav .nav-item",
        "els => els.filter(e => e.getClientRects().length)"
        ".map(e => [e.innerText.trim(), Math.round(e.getBoundingClientRect().top),"
        " Math.round(e.getBoundingClientRect().right)])",
    )
    assert len(tops) >= 8, tops
    first_row = tops[0][1]
    assert all(abs(top - first_row) <= 12 for _, top, _ in tops), f"the header wraps: {tops}"
    assert all(right <= 1280 for *_, right in tops), f"the header is wider than 1280 px: {tops}"
    assert all("\n" not in text for text, *_ in tops), f"a link wraps: {tops}"
    assert_reflows(page, "staff-home-header", width=1280)

    # Signing out is in "Your account", reached by keyboard.
    menu = page.get_by_role("button", name="Your account")
    menu.focus()
    page.keyboard.press("Enter")
    assert page.get_by_text(re.compile(r"^Signed in as ")).is_visible()
    sign_out = page.get_by_role("button", name="Sign out")
    assert sign_out.is_visible()
    with page.expect_navigation():
        sign_out.click()
    assert "/accounts/login/" in page.url or page.url.rstrip("/") == live_server.url


# --- the checks themselves -------------------------------------------------------------------


def test_the_contrast_check_fails_a_pale_border_and_passes_a_dark_one(page):
    page.set_content(
        '<div style="background:#f3f2f1"><label for="a">A</label>'
        '<input id="a" style="border:1px solid #dee2e6;background:#fff">'
        '<label for="b">B</label><input id="b" style="border:1px solid #5f6b73">'
        '<input type="hidden" name="c"><input id="d" disabled style="border:1px solid #eee">'
        "</div>"
    )
    failure = _failure(assert_controls_contrast, page, "pale")
    assert failure is not None and '#a "A"' in failure and '#b "B"' not in failure, failure
    assert "#d" not in failure


def test_the_reflow_check_fails_a_wide_page_and_a_box_that_scrolls_sideways(page):
    # data: pages, because the check reloads the page (set_content would not survive it).
    page.goto('data:text/html,<main><div id="wide" style="width:600px">Wide</div></main>')
    failure = _failure(assert_reflows, page, "wide", width=320, screenshot=False)
    assert failure is not None and "div#wide" in failure, failure

    page.goto(
        'data:text/html,<div id="box" style="overflow-x:auto"><table><tr>'
        '<td style="min-width:900px">x</td></tr></table></div>'
    )
    failure = _failure(assert_reflows, page, "scroller", width=320, screenshot=False)
    assert failure is not None and "scroll sideways" in failure and "div#box" in failure, failure
    assert (
        _failure(assert_reflows, page, "ok", width=320, inner_scroll=True, screenshot=False) is None
    )
