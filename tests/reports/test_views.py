"""Asking for reports, their status, downloads and retries; advisors' own documents; reference
letters; and the PIE team's reminders log.

Who may open a report request: the PIE team any; the Unit Manager the unit's reports and their
own requests, never an advisor's statement, certificate or reference (404); an advisor only
their own statement or certificate (anyone else's is 404).
"""

from unittest import mock

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ascru_pie.lib.dates import tax_year
from ascru_pie.roles import Role
from meetings.models import Attendance
from reports.models import ReportRequest
from tests.base import BaseTestCase, make_user
from tests.factories import MeetingFactory, ProjectFactory, make_report

Kind, Status = ReportRequest.Kind, ReportRequest.Status
DELAY = "reports.tasks.report_build.delay"


class ReportTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.tax_year_start = tax_year(timezone.localdate())[0].year

    def certificate(self, advisor, *, status=Status.DONE, **extra) -> ReportRequest:
        return make_report(
            advisor.user, kind=Kind.CERTIFICATE, advisor=advisor, status=status, **extra
        )


# --- Asking for a report (manager and PIE team) ---------------------------------------------------


class RequestCreateTest(ReportTestCase):
    url = "/reports/requests/"

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.manager_mo)

    def test_an_annual_report_is_queued_and_one_task_is_enqueued_after_commit(self) -> None:
        with mock.patch(DELAY) as delay, self.captureOnCommitCallbacks(execute=True) as callbacks:
            response = self.client.post(self.url, {"kind": "annual", "year": "2025"})
        self.assertRedirects(response, reverse("reports:home"), fetch_redirect_response=False)
        report = ReportRequest.objects.get()
        self.assertEqual(
            (report.kind, report.year, report.requested_by, report.status),
            (Kind.ANNUAL, 2025, self.manager_mo, Status.QUEUED),
        )
        self.assertEqual(len(callbacks), 1)
        delay.assert_called_once_with(report.pk)

    def test_nothing_is_enqueued_before_the_commit(self) -> None:
        with mock.patch(DELAY) as delay, self.captureOnCommitCallbacks(execute=False):
            self.client.post(self.url, {"kind": "annual", "year": "2025"})
            delay.assert_not_called()

    def test_the_message_says_it_is_on_its_way(self) -> None:
        with mock.patch(DELAY):
            response = self.client.post(self.url, {"kind": "annual", "year": "2025"}, follow=True)
        self.assertContains(
            response, "Annual PIE report asked for (1 January 2025 to 31 December 2025)."
        )
        self.assertContains(response, "Queued: it will be made in a moment")

    def test_a_project_report_is_for_the_chosen_project(self) -> None:
        project = ProjectFactory(title="Care at home")
        with mock.patch(DELAY) as delay, self.captureOnCommitCallbacks(execute=True):
            self.client.post(self.url, {"kind": "project", "year": "2026", "project": project.pk})
        report = ReportRequest.objects.get()
        self.assertEqual((report.kind, report.project), (Kind.PROJECT, project))
        delay.assert_called_once_with(report.pk)

    def test_an_annual_report_ignores_a_project_chosen_by_mistake(self) -> None:
        with mock.patch(DELAY):
            self.client.post(
                self.url, {"kind": "annual", "year": "2026", "project": ProjectFactory().pk}
            )
        self.assertIsNone(ReportRequest.objects.get().project)

    def test_a_project_report_needs_a_project(self) -> None:
        with mock.patch(DELAY) as delay, self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url, {"kind": "project", "year": "2026"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "There is a problem", status_code=400)
        self.assertContains(
            response,
            '<a href="#id_project">Choose the project for a project report.</a>',
            status_code=400,
        )
        self.assertFalse(ReportRequest.objects.exists())
        # The year form on this page still goes to the dashboard, not to this POST-only address.
        self.assertContains(response, 'method="get" action="/reports/"', status_code=400)
        delay.assert_not_called()

    def test_a_year_not_offered_is_refused(self) -> None:
        with mock.patch(DELAY):
            response = self.client.post(self.url, {"kind": "annual", "year": "1990"})
        self.assertContains(response, "Choose a year from the list.", status_code=400)
        self.assertFalse(ReportRequest.objects.exists())

    def test_a_rule_the_service_refuses_is_shown_as_a_message(self) -> None:
        with mock.patch(
            "reports.services.report_request", side_effect=ValidationError("Not this year.")
        ):
            response = self.client.post(self.url, {"kind": "annual", "year": "2026"}, follow=True)
        self.assertContains(response, "Problem:")
        self.assertContains(response, "Not this year.")

    def test_the_pie_team_can_ask_too(self) -> None:
        self.client.force_login(self.staff_sam)
        with mock.patch(DELAY):
            self.client.post(self.url, {"kind": "annual", "year": "2026"})
        self.assertEqual(ReportRequest.objects.get().requested_by, self.staff_sam)

    def test_other_roles_get_403_and_nothing_is_asked_for(self) -> None:
        for user in (
            self.advisor_alice,
            self.researcher_rita,
            self.finance_fay,
            self.outsider_carol,
        ):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.post(self.url, {"kind": "annual", "year": "2026"})
                self.assertEqual(response.status_code, 403)
        self.assertFalse(ReportRequest.objects.exists())

    def test_get_is_not_allowed(self) -> None:
        self.assertEqual(self.client.get(self.url).status_code, 405)


# --- Status ---------------------------------------------------------------------------------------


class RequestStatusTest(ReportTestCase):
    def url(self, report: ReportRequest) -> str:
        return reverse("reports:status", args=[report.pk])

    def test_a_finished_report_gives_its_download_link(self) -> None:
        report = make_report(self.manager_mo, status=Status.DONE)
        self.client.force_login(self.manager_mo)
        self.assertEqual(
            self.client.get(self.url(report)).json(),
            {
                "status": "done",
                "status_words": "Ready",
                "error": "",
                "download_url": reverse("reports:download", args=[report.pk]),
            },
        )

    def test_a_failed_report_gives_the_reason_to_staff(self) -> None:
        report = make_report(self.manager_mo, status=Status.FAILED, error="OSError: disk full")
        self.client.force_login(self.staff_sam)
        data = self.client.get(self.url(report)).json()
        self.assertEqual(
            (data["status"], data["error"], data["download_url"]),
            ("failed", "OSError: disk full", None),
        )

    def test_an_advisor_gets_plain_words_not_the_technical_reason(self) -> None:
        report = self.certificate(self.alice, status=Status.FAILED, error="OSError: disk full")
        self.client.force_login(self.advisor_alice)
        data = self.client.get(self.url(report)).json()
        self.assertNotIn("OSError", data["error"])
        self.assertIn("Please try again", data["error"])

    def test_an_advisor_sees_their_own_and_not_anyone_elses(self) -> None:
        alices, bobs = self.certificate(self.alice), self.certificate(self.bob)
        annual = make_report(self.manager_mo)
        self.client.force_login(self.advisor_alice)
        self.assertEqual(self.client.get(self.url(alices)).status_code, 200)
        self.assertEqual(self.client.get(self.url(bobs)).status_code, 404)
        self.assertEqual(self.client.get(self.url(annual)).status_code, 404)

    def test_the_manager_does_not_see_advisors_personal_documents(self) -> None:
        self.client.force_login(self.manager_mo)
        self.assertEqual(self.client.get(self.url(self.certificate(self.alice))).status_code, 404)
        # The unit's reports, whoever asked for them, are the manager's to see.
        self.assertEqual(self.client.get(self.url(make_report(self.staff_sam))).status_code, 200)

    def test_other_roles_get_403(self) -> None:
        report = make_report(self.manager_mo)
        for user in (self.researcher_rita, self.finance_fay, self.outsider_carol):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url(report)).status_code, 403)


# --- Download -------------------------------------------------------------------------------------


class RequestDownloadTest(ReportTestCase):
    def url(self, report: ReportRequest) -> str:
        return reverse("reports:download", args=[report.pk])

    def test_an_advisor_downloads_their_own_certificate_as_a_pdf_attachment(self) -> None:
        report = self.certificate(self.alice)
        self.client.force_login(self.advisor_alice)
        response = self.client.get(self.url(report))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(
            response["Content-Disposition"],
            f'attachment; filename="certificate-2026-advisor-{self.alice.pk}.pdf"',
        )
        self.assertEqual(b"".join(response.streaming_content), b"%PDF-1.4 the report")

    def test_an_advisor_gets_404_for_another_advisors_statement_or_certificate(self) -> None:
        statement = make_report(
            self.advisor_bob, kind=Kind.STATEMENT, advisor=self.bob, status=Status.DONE
        )
        certificate = self.certificate(self.bob)
        self.client.force_login(self.advisor_alice)
        for report in (statement, certificate):
            with self.subTest(kind=report.kind):
                self.assertEqual(self.client.get(self.url(report)).status_code, 404)

    def test_an_advisor_gets_404_for_a_staff_report(self) -> None:
        self.client.force_login(self.advisor_alice)
        self.assertEqual(
            self.client.get(self.url(make_report(self.manager_mo, status=Status.DONE))).status_code,
            404,
        )

    def test_the_pie_team_may_download_an_advisors_statement(self) -> None:
        statement = make_report(
            self.advisor_bob, kind=Kind.STATEMENT, advisor=self.bob, status=Status.DONE
        )
        self.client.force_login(self.staff_sam)
        self.assertEqual(self.client.get(self.url(statement)).status_code, 200)

    def test_the_manager_may_not_download_an_advisors_personal_documents(self) -> None:
        statement = make_report(
            self.advisor_bob, kind=Kind.STATEMENT, advisor=self.bob, status=Status.DONE
        )
        reference = make_report(
            self.staff_sam,
            kind=Kind.REFERENCE,
            advisor=self.bob,
            letter_text="Dear",
            status=Status.DONE,
        )
        self.client.force_login(self.manager_mo)
        for report in (statement, self.certificate(self.alice), reference):
            with self.subTest(kind=report.kind):
                self.assertEqual(self.client.get(self.url(report)).status_code, 404)

    def test_the_manager_may_download_any_staff_report(self) -> None:
        project_report = make_report(
            self.staff_sam, kind=Kind.PROJECT, project=ProjectFactory(), status=Status.DONE
        )
        self.client.force_login(self.manager_mo)
        response = self.client.get(self.url(project_report))
        self.assertEqual(response.status_code, 200)
        self.assertIn(
            f"project-2026-project-{project_report.project_id}.pdf", response["Content-Disposition"]
        )

    def test_a_report_that_is_not_ready_is_404(self) -> None:
        self.client.force_login(self.manager_mo)
        for status in (Status.QUEUED, Status.RUNNING, Status.FAILED):
            with self.subTest(status=status):
                self.assertEqual(
                    self.client.get(
                        self.url(make_report(self.manager_mo, status=status))
                    ).status_code,
                    404,
                )

    def test_a_missing_file_is_404(self) -> None:
        report = make_report(self.manager_mo, status=Status.DONE)
        report.file.delete(save=False)
        ReportRequest.objects.filter(pk=report.pk).update(file="reports/2026/gone.pdf")
        self.client.force_login(self.manager_mo)
        self.assertEqual(self.client.get(self.url(report)).status_code, 404)


# --- Retry ----------------------------------------------------------------------------------------


class RequestRetryTest(ReportTestCase):
    def url(self, report: ReportRequest) -> str:
        return reverse("reports:retry", args=[report.pk])

    def test_the_manager_retries_their_failed_report_and_it_is_queued_again(self) -> None:
        report = make_report(self.manager_mo, status=Status.FAILED, error="OSError: disk full")
        self.client.force_login(self.manager_mo)
        with mock.patch(DELAY) as delay, self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url(report))
        self.assertRedirects(response, reverse("reports:home"), fetch_redirect_response=False)
        report.refresh_from_db()
        self.assertEqual((report.status, report.error), (Status.QUEUED, ""))
        delay.assert_called_once_with(report.pk)

    def test_the_pie_team_may_retry_anyones_report(self) -> None:
        report = make_report(self.manager_mo, status=Status.FAILED, error="boom")
        self.client.force_login(self.staff_sam)
        with mock.patch(DELAY) as delay, self.captureOnCommitCallbacks(execute=True):
            self.client.post(self.url(report))
        delay.assert_called_once_with(report.pk)

    def test_another_manager_cannot_retry_it(self) -> None:
        report = make_report(self.manager_mo, status=Status.FAILED, error="boom")
        self.client.force_login(make_user("max", Role.MANAGER))
        with mock.patch(DELAY) as delay:
            self.assertEqual(self.client.post(self.url(report)).status_code, 404)
        delay.assert_not_called()

    def test_an_advisor_retries_their_own_certificate_and_goes_back_to_their_documents(
        self,
    ) -> None:
        report = self.certificate(self.alice, status=Status.FAILED, error="boom")
        self.client.force_login(self.advisor_alice)
        with mock.patch(DELAY) as delay, self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url(report))
        self.assertRedirects(response, reverse("reports:portal"), fetch_redirect_response=False)
        delay.assert_called_once_with(report.pk)

    def test_an_advisor_cannot_retry_another_advisors_document(self) -> None:
        report = self.certificate(self.bob, status=Status.FAILED, error="boom")
        self.client.force_login(self.advisor_alice)
        self.assertEqual(self.client.post(self.url(report)).status_code, 404)

    def test_a_report_that_has_not_failed_is_left_alone(self) -> None:
        report = make_report(self.manager_mo, status=Status.DONE)
        self.client.force_login(self.manager_mo)
        with mock.patch(DELAY) as delay, self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url(report), follow=True)
        self.assertContains(response, "has not failed, so there is nothing to try again")
        delay.assert_not_called()
        report.refresh_from_db()
        self.assertEqual(report.status, Status.DONE)

    def test_get_is_not_allowed(self) -> None:
        report = make_report(self.manager_mo, status=Status.FAILED)
        self.client.force_login(self.manager_mo)
        self.assertEqual(self.client.get(self.url(report)).status_code, 405)


# --- Advisors' own documents ----------------------------------------------------------------------


class PortalDocumentsTest(ReportTestCase):
    url = "/portal/documents/"

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.advisor_alice)

    def test_the_page_explains_and_offers_this_and_the_two_previous_tax_years(self) -> None:
        response = self.client.get(self.url)
        self.assertContains(response, "Statement of payments for a tax year")
        self.assertContains(response, "Certificate of involvement")
        y = self.tax_year_start
        for start in (y, y - 1, y - 2):
            self.assertContains(response, f"6 April {start} to 5 April {start + 1}")
        self.assertNotContains(response, f"6 April {y - 3} to")

    def test_asking_for_a_statement_queues_it_for_the_chosen_tax_year(self) -> None:
        year = self.tax_year_start - 1
        with mock.patch(DELAY) as delay, self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url, {"document": "statement", "year": str(year)})
        self.assertRedirects(response, self.url, fetch_redirect_response=False)
        report = ReportRequest.objects.get()
        self.assertEqual(
            (report.kind, report.year, report.advisor, report.requested_by),
            (Kind.STATEMENT, year, self.alice, self.advisor_alice),
        )
        delay.assert_called_once_with(report.pk)

    def test_asking_for_a_certificate_queues_it(self) -> None:
        # A certificate needs some involvement (tests/reports/test_certificate_refusal.py).
        Attendance.objects.create(meeting=MeetingFactory(), advisor=self.alice, status="attended")
        with mock.patch(DELAY) as delay, self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url, {"document": "certificate"}, follow=True)
        report = ReportRequest.objects.get()
        self.assertEqual((report.kind, report.advisor), (Kind.CERTIFICATE, self.alice))
        delay.assert_called_once_with(report.pk)
        self.assertContains(response, "We are making your certificate of involvement.")
        self.assertContains(response, "Queued")
        self.assertContains(response, 'hx-trigger="every 2s"')

    def test_a_tax_year_not_offered_is_an_error(self) -> None:
        with mock.patch(DELAY) as delay:
            response = self.client.post(self.url, {"document": "statement", "year": "2001"})
        self.assertContains(response, "Choose a tax year from the list.", status_code=400)
        self.assertContains(response, "There is a problem", status_code=400)
        self.assertFalse(ReportRequest.objects.exists())
        delay.assert_not_called()

    def test_the_list_shows_only_the_advisors_own_documents_in_plain_words(self) -> None:
        ready = self.certificate(self.alice)
        self.certificate(self.alice, status=Status.FAILED, error="TemplateSyntaxError: at line 3")
        self.certificate(self.bob)
        make_report(self.manager_mo, status=Status.DONE)
        response = self.client.get(self.url)
        self.assertEqual(len(response.context["rows"]), 2)
        self.assertContains(response, f'href="{reverse("reports:download", args=[ready.pk])}"')
        self.assertContains(response, "Failed: something went wrong while making it.")
        self.assertNotContains(response, "TemplateSyntaxError")
        self.assertContains(response, "Try again")
        self.assertNotContains(response, 'hx-trigger="every 2s"')

    def test_the_portal_partial_polls_while_a_document_is_being_made(self) -> None:
        self.certificate(self.alice, status=Status.RUNNING)
        response = self.client.get(self.url, {"partial": "1"})
        self.assertTemplateUsed(response, "reports/_request_list.html")
        self.assertContains(response, 'hx-get="/portal/documents/?partial=1&amp;seen=')
        self.assertContains(response, "Being made")

    def test_staff_and_other_roles_get_403(self) -> None:
        for user in (self.staff_sam, self.manager_mo, self.researcher_rita, self.finance_fay):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_an_advisor_account_with_no_advisor_record_gets_404(self) -> None:
        self.client.force_login(make_user("newcomer", Role.ADVISOR))
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_query_count_does_not_grow_with_documents(self) -> None:
        # session, user, the user's groups (role check), the advisor record, the requests.
        for _ in range(2):
            self.certificate(self.alice)
        with self.assertNumQueries(5):
            self.client.get(self.url)
        for _ in range(6):
            self.certificate(self.alice, status=Status.FAILED, error="boom")
        with self.assertNumQueries(5):
            self.assertEqual(len(self.client.get(self.url).context["rows"]), 8)


# --- Reference letters ----------------------------------------------------------------------------


class ReferenceLetterTest(ReportTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.url = reverse("reports:reference", args=[self.alice.pk])
        self.client.force_login(self.staff_sam)

    def test_the_draft_is_prefilled_with_the_advisors_name(self) -> None:
        response = self.client.get(self.url)
        self.assertContains(response, "Reference letter for Alice Ashby")
        self.assertIn(
            "Alice Ashby has been a Public Advisor", response.context["form"].initial["letter_text"]
        )
        self.assertContains(response, "Alice Ashby has been a Public Advisor")
        self.assertContains(response, '<textarea name="letter_text"')

    def test_making_the_letter_queues_it_with_the_edited_text(self) -> None:
        with mock.patch(DELAY) as delay, self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                self.url, {"letter_text": "Alice is wonderful."}, follow=True
            )
        self.assertRedirects(response, reverse("reports:home"))
        report = ReportRequest.objects.get()
        self.assertEqual(
            (report.kind, report.advisor, report.letter_text, report.requested_by),
            (Kind.REFERENCE, self.alice, "Alice is wonderful.", self.staff_sam),
        )
        delay.assert_called_once_with(report.pk)
        self.assertContains(response, "The reference letter for Alice Ashby is being made.")

    def test_an_empty_letter_is_an_error(self) -> None:
        with mock.patch(DELAY) as delay:
            response = self.client.post(self.url, {"letter_text": "  "})
        self.assertContains(response, "Write the reference letter first.", status_code=400)
        self.assertFalse(ReportRequest.objects.exists())
        delay.assert_not_called()

    def test_only_the_pie_team_may_write_one(self) -> None:
        for user in (self.manager_mo, self.advisor_alice, self.researcher_rita, self.finance_fay):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_an_unknown_advisor_is_404(self) -> None:
        self.assertEqual(
            self.client.get(reverse("reports:reference", args=[99999])).status_code, 404
        )


# --- The reminders log ----------------------------------------------------------------------------
