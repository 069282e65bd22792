"""The Unit Manager's dashboard: key figures, charts with tables, and the list of reports
asked for, which polls (htmx) only while a report is queued or being made."""

import datetime
import re
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ascru_pie.roles import Role
from impacts.models import ImpactRecord, Survey, SurveyResponse
from meetings.models import Attendance, Meeting
from payments.models import Claim
from projects.models import Project
from reports.models import ReportRequest
from tests.base import BaseTestCase, make_user
from tests.factories import AdvisorFactory, MeetingFactory, ProjectFactory, make_report, mark_paid

POLLING = 'hx-trigger="every 2s"'


class DashboardAccessTest(BaseTestCase):
    def test_the_manager_and_the_pie_team_can_open_it(self) -> None:
        for user in (self.manager_mo, self.staff_sam):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(reverse("reports:home")).status_code, 200)

    def test_everyone_else_gets_403(self) -> None:
        for user in (
            self.advisor_alice,
            self.researcher_rita,
            self.finance_fay,
            self.outsider_carol,
        ):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(reverse("reports:home")).status_code, 403)
                self.assertEqual(
                    self.client.get(reverse("reports:home") + "?partial=1").status_code, 403
                )

    def test_anonymous_visitors_are_sent_to_login(self) -> None:
        response = self.client.get(reverse("reports:home"))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response.url.startswith(reverse("login")))

    def test_the_old_links_are_kept(self) -> None:
        self.client.force_login(self.manager_mo)
        response = self.client.get(reverse("reports:home"))
        for name in ("advisors:equality-summary", "impacts:search", "impacts:feedback"):
            self.assertContains(response, f'href="{reverse(name)}"')


class DashboardFiguresTest(BaseTestCase):
    """This year: a management meeting Alice attended for two hours, a PIEG meeting nobody
    came to, a £12.50 claim paid 14 days after the work, and one actual impact at design."""

    def setUp(self) -> None:
        super().setUp()
        self.year = timezone.localdate().year
        start = timezone.make_aware(datetime.datetime(self.year, 3, 10, 10, 0))
        management = MeetingFactory(
            type=Meeting.Type.MANAGEMENT,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
        )
        MeetingFactory(
            type=Meeting.Type.PIEG,
            starts_at=start + datetime.timedelta(days=7),
            ends_at=start + datetime.timedelta(days=7, hours=2),
        )
        Attendance.objects.create(
            meeting=management, advisor=self.alice, status=Attendance.Status.ATTENDED
        )
        project = ProjectFactory(title="Care at home")
        Project.objects.filter(pk=project.pk).update(pie_budget=Decimal("1000.00"))
        claim = Claim.objects.create(
            advisor=self.alice,
            kind=Claim.Kind.EXPENSE,
            expense_type=Claim.ExpenseType.TRAVEL,
            description="Bus",
            activity_date=datetime.date(self.year, 3, 10),
            amount=Decimal("12.50"),
            project=project,
            status=Claim.Status.APPROVED,
        )
        mark_paid(claim, paid_on=datetime.date(self.year, 3, 24))
        ImpactRecord.objects.create(
            project=project,
            stage="design",
            category="tools",
            what_changed="Questions reworded",
            recorded_by=self.researcher_rita,
            recorded_on=datetime.date(self.year, 6, 1),
        )
        self.client.force_login(self.manager_mo)

    def _figure(self, response, name: str) -> str:
        match = re.search(
            rf'<dd id="figure-{name}">(.*?)</dd>', response.content.decode(), re.DOTALL
        )
        self.assertIsNotNone(match, name)
        return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())

    def test_the_key_figures_for_this_year_are_shown(self) -> None:
        response = self.client.get(reverse("reports:home"))
        self.assertContains(response, f"Key figures for {self.year}")
        self.assertEqual(self._figure(response, "advisors-active"), "2 active today")
        self.assertTrue(self._figure(response, "advisors-involved").startswith("1 "))
        self.assertTrue(self._figure(response, "hours").startswith("2 hours"))
        self.assertTrue(self._figure(response, "meetings").startswith("2 "))
        self.assertEqual(self._figure(response, "management"), "1 of 1 (100%)")
        self.assertTrue(self._figure(response, "budget").startswith("£1,000.00"))
        self.assertTrue(self._figure(response, "committed").startswith("£12.50"))
        self.assertTrue(self._figure(response, "paid").startswith("£12.50"))
        self.assertIn(
            "14 days median; 9 in 10 were paid within 14 days (1 claim paid",
            self._figure(response, "days-to-pay"),
        )
        self.assertTrue(self._figure(response, "impacts").startswith("1 "))
        self.assertEqual(self._figure(response, "feedback"), "None yet")
        # The project's budget row says how much is used.
        self.assertContains(response, '<th scope="row" class="fw-normal">Care at home</th>')

    def test_each_chart_has_its_own_ids_and_is_followed_by_a_table(self) -> None:
        html = self.client.get(reverse("reports:home")).content.decode()
        for chart in ("chart-hours", "chart-days-to-pay", "chart-impacts"):
            with self.subTest(chart=chart):
                self.assertIn(f'aria-labelledby="{chart}-title {chart}-desc"', html)
                section = html[html.index(f'id="{chart}-heading"') :]
                section = section[: section.index("</section>")]
                self.assertLess(section.index("</svg>"), section.index("<details"))
                self.assertIn("<table", section)
        self.assertNotIn('id="t"', html)
        self.assertIn(f'March {self.year}</th><td class="text-end">2 hours', html)

    def test_another_year_can_be_chosen(self) -> None:
        response = self.client.get(reverse("reports:home"), {"year": self.year - 1})
        self.assertContains(response, f"Key figures for {self.year - 1}")
        self.assertTrue(self._figure(response, "advisors-involved").startswith("0 "))
        self.assertEqual(self._figure(response, "management"), "None held")
        self.assertEqual(
            self._figure(response, "days-to-pay"), f"No claims paid in {self.year - 1}"
        )

    def test_a_year_not_in_the_list_is_an_error_and_shows_this_year(self) -> None:
        response = self.client.get(reverse("reports:home"), {"year": "1999"})
        self.assertContains(response, "There is a problem")
        self.assertContains(response, "Choose a year from the list.")
        self.assertContains(response, f"Key figures for {self.year}")

    def test_feedback_from_fewer_than_five_people_is_not_shown(self) -> None:
        today = timezone.localdate()
        survey = Survey.objects.create(
            title="Annual survey", kind="annual", opens_on=today, closes_on=today
        )
        for _ in range(2):
            SurveyResponse.objects.create(
                survey=survey,
                felt_valued=5,
                had_support=4,
                take_part_again="yes",
                submitted_on=today,
            )
        response = self.client.get(reverse("reports:home"))
        self.assertEqual(self._figure(response, "feedback"), "2 too few to show results")
        self.assertContains(response, "With fewer than 5 answers the")
        self.assertNotContains(response, "out of 5")

    def test_feedback_from_five_people_shows_the_averages(self) -> None:
        today = timezone.localdate()
        survey = Survey.objects.create(
            title="Annual survey", kind="annual", opens_on=today, closes_on=today
        )
        for felt in (5, 4, 4, 4, 4):
            SurveyResponse.objects.create(
                survey=survey,
                felt_valued=felt,
                had_support=3,
                take_part_again="yes",
                submitted_on=today,
            )
        response = self.client.get(reverse("reports:home"))
        self.assertEqual(self._figure(response, "feedback"), "5 felt valued: 4.2 out of 5")
        self.assertContains(response, "3.0 out of 5")
        self.assertContains(response, "5 of 5 said yes")

    def test_equality_totals_are_suppressed_and_link_to_the_full_summary(self) -> None:
        response = self.client.get(reverse("reports:home"))
        self.assertContains(response, "fewer than 5")
        self.assertContains(response, f'href="{reverse("advisors:equality-summary")}"')


class RequestListTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.manager_mo)
        self.url = reverse("reports:home")

    def test_the_list_polls_while_a_report_is_queued(self) -> None:
        make_report(self.manager_mo)
        response = self.client.get(self.url)
        self.assertContains(response, POLLING)
        self.assertContains(response, 'hx-get="/reports/?partial=1&amp;seen=')
        self.assertContains(response, "Queued: it will be made in a moment")
        self.assertContains(response, 'id="report-requests" aria-live="polite"')

    def test_the_list_polls_while_a_report_is_being_made(self) -> None:
        make_report(self.manager_mo, status=ReportRequest.Status.RUNNING)
        response = self.client.get(self.url)
        self.assertContains(response, POLLING)
        self.assertContains(response, "Being made")

    def test_polling_stops_when_everything_is_ready_or_failed(self) -> None:
        done = make_report(self.manager_mo, status=ReportRequest.Status.DONE)
        make_report(self.manager_mo, status=ReportRequest.Status.FAILED, error="OSError: disk full")
        response = self.client.get(self.url)
        self.assertNotContains(response, POLLING)
        self.assertNotContains(response, "hx-get")
        self.assertContains(response, f'href="{reverse("reports:download", args=[done.pk])}"')
        self.assertContains(response, "Ready.")

    def test_a_failed_report_shows_the_reason_and_a_try_again_button(self) -> None:
        failed = make_report(
            self.manager_mo, status=ReportRequest.Status.FAILED, error="OSError: disk full"
        )
        response = self.client.get(self.url)
        self.assertContains(response, "Failed: OSError: disk full")
        self.assertContains(response, f'action="{reverse("reports:retry", args=[failed.pk])}"')
        self.assertContains(response, "Try again")

    def test_the_partial_is_only_the_list(self) -> None:
        make_report(self.manager_mo)
        response = self.client.get(self.url, {"partial": "1"})
        self.assertTemplateUsed(response, "reports/_request_list.html")
        self.assertTemplateNotUsed(response, "reports/dashboard.html")
        self.assertTrue(response.content.decode().lstrip().startswith('<div id="request-list"'))
        self.assertContains(response, POLLING)

    def test_the_partial_stops_polling_once_the_report_is_ready(self) -> None:
        report = make_report(self.manager_mo)
        ReportRequest.objects.filter(pk=report.pk).update(status=ReportRequest.Status.DONE)
        response = self.client.get(self.url, {"partial": "1", "seen": "something-older"})
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, POLLING)
        self.assertContains(response, "Ready.")

    def test_a_poll_that_finds_nothing_changed_gets_204(self) -> None:
        # htmx does not swap a 204, so screen readers are not read the same list again.
        make_report(self.manager_mo)
        seen = self.client.get(self.url, {"partial": "1"}).context["state"]
        response = self.client.get(self.url, {"partial": "1", "seen": seen})
        self.assertEqual(response.status_code, 204)

    def test_the_manager_sees_only_their_own_reports(self) -> None:
        other_manager = make_user("max", Role.MANAGER)
        make_report(other_manager, year=2024)
        make_report(self.manager_mo, year=2025)
        rows = self.client.get(self.url).context["rows"]
        self.assertEqual([r.year for r in rows], [2025])

    def test_the_pie_team_sees_every_staff_report_but_not_advisors_own_documents(self) -> None:
        annual = make_report(self.manager_mo)
        reference = make_report(
            self.staff_sam, kind=ReportRequest.Kind.REFERENCE, advisor=self.bob, letter_text="Dear"
        )
        make_report(self.advisor_alice, kind=ReportRequest.Kind.CERTIFICATE, advisor=self.alice)
        self.client.force_login(self.staff_sam)
        response = self.client.get(self.url)
        self.assertEqual({r.pk for r in response.context["rows"]}, {annual.pk, reference.pk})
        # Someone else's request says who asked for it.
        self.assertContains(response, ", by Mo")

    def test_query_count_does_not_grow_with_reports(self) -> None:
        # The partial: session, user, the user's groups (role check), the requests with their
        # projects, advisors and requesters.
        for _ in range(2):
            make_report(self.manager_mo, kind=ReportRequest.Kind.PROJECT, project=ProjectFactory())
        with self.assertNumQueries(4):
            self.assertEqual(len(self.client.get(self.url, {"partial": "1"}).context["rows"]), 2)
        for _ in range(6):
            make_report(self.manager_mo, kind=ReportRequest.Kind.PROJECT, project=ProjectFactory())
        with self.assertNumQueries(4):
            self.assertEqual(len(self.client.get(self.url, {"partial": "1"}).context["rows"]), 8)

    def test_query_count_of_the_whole_page_does_not_grow_with_reports(self) -> None:
        # key_figures runs a fixed number of queries (see reports/figures.py); the list adds one.
        # The figures are kept for a few minutes: each count here works them out afresh.
        make_report(self.manager_mo, kind=ReportRequest.Kind.PROJECT, project=ProjectFactory())
        cache.clear()
        with CaptureQueriesContext(connection) as few:
            self.client.get(self.url)
        for _ in range(7):
            make_report(
                self.manager_mo,
                kind=ReportRequest.Kind.PROJECT,
                project=ProjectFactory(),
                status=ReportRequest.Status.FAILED,
                error="boom",
            )
        AdvisorFactory.create_batch(3)
        cache.clear()
        with self.assertNumQueries(len(few.captured_queries)):
            self.assertEqual(len(self.client.get(self.url).context["rows"]), 8)
