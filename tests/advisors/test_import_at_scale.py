"""The register import at database speed (issue 16): a constant number of queries whatever
the file's size, a preview of counts and the first rows, large files imported by a task with
a progress page, all or nothing, and the same history and admin log as a row-by-row save."""

from unittest import mock

from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advisors import imports
from advisors.audit import advisor_history
from advisors.imports import import_register_file
from advisors.models import Advisor, ImportJob
from advisors.tasks import import_job_run_task
from tests.base import BaseTestCase
from tests.factories import AdvisorFactory

HEADER = "email,first_name,last_name,status,joined_on,pieg_member,lived_experience,topics\n"


def register(n: int, *, start: int = 0, topics: str = "Dementia") -> bytes:
    rows = "".join(
        f"p{i}@example.org,Pat{i},Lee{i},active,03/04/2025,yes,unpaid_carer,{topics}\n"
        for i in range(start, start + n)
    )
    return (HEADER + rows).encode()


class ImportQueriesTest(BaseTestCase):
    def count(self, data: bytes) -> int:
        """The import's queries. SQLite takes at most 999 values a statement, so there Django
        splits each bulk INSERT and UPDATE into batches of a few dozen rows: those are left out
        on SQLite (on PostgreSQL one statement carries 1,000 rows, and every query counts)."""
        with CaptureQueriesContext(connection) as queries:
            result = import_register_file(data, filename="r.csv", user=self.staff_sam)
        self.assertEqual(result.problems, [])
        if connection.vendor == "postgresql":
            return len(queries)
        return sum(1 for q in queries if not q["sql"].startswith(("INSERT", "UPDATE")))

    def test_a_file_of_1000_new_advisors_takes_as_many_queries_as_one_of_100(self) -> None:
        # The first import also looks up the admin log's content type (cached after).
        self.count(register(1, start=5000))
        small = self.count(register(100))
        large = self.count(register(1000, start=100))
        self.assertEqual(small, large)
        self.assertLessEqual(large, 30)
        self.assertEqual(Advisor.objects.filter(email__startswith="p").count(), 1101)

    def test_changing_1000_advisors_takes_as_many_queries_as_changing_100(self) -> None:
        import_register_file(register(1100), filename="r.csv", user=self.staff_sam)
        small = self.count(register(100, topics="Care homes"))
        large = self.count(register(1000, start=100, topics="Care homes"))
        self.assertEqual(small, large)
        self.assertEqual(
            Advisor.objects.filter(email__startswith="p", topics__name="Care homes").count(), 1100
        )

    def test_a_check_of_a_file_writes_nothing_and_takes_a_few_queries(self) -> None:
        before = (Advisor.objects.count(), Advisor.history.count())
        with CaptureQueriesContext(connection) as queries:
            result = import_register_file(
                register(500), filename="r.csv", user=self.staff_sam, dry_run=True
            )
        self.assertEqual((result.new, result.updated, result.skipped), (500, 0, 0))
        self.assertLessEqual(len(queries), 12)
        self.assertEqual((Advisor.objects.count(), Advisor.history.count()), before)


class ImportAuditTest(BaseTestCase):
    def test_an_import_writes_the_history_and_admin_log_a_save_would(self) -> None:
        import_register_file(register(2), filename="r.csv", user=self.staff_sam)
        pat = Advisor.objects.get(email="p0@example.org")
        self.assertEqual(list(pat.topics.values_list("name", flat=True)), ["Dementia"])
        self.assertEqual(
            list(pat.history.order_by("history_id").values_list("history_type", flat=True)),
            ["+", "~"],
        )
        self.assertEqual(pat.history.first().history_user, self.staff_sam)
        self.assertTrue(
            LogEntry.objects.filter(object_id=str(pat.pk), user=self.staff_sam).exists()
        )
        # A second file changes her topics: the history page says old → new.
        import_register_file(
            register(1, topics="Care homes"), filename="r.csv", user=self.staff_sam
        )
        entries = advisor_history(advisor=pat, viewer=self.staff_sam, where="test")
        changes = [c for e in entries for c in e.changes if c[0] == "Topics of interest"]
        self.assertIn(("Topics of interest", "Dementia", "Care homes"), changes)

    def test_importing_the_same_file_again_changes_nothing_and_writes_no_history(self) -> None:
        import_register_file(register(3), filename="r.csv", user=self.staff_sam)
        history = Advisor.history.count()
        result = import_register_file(register(3), filename="r.csv", user=self.staff_sam)
        self.assertEqual((result.new, result.updated, result.skipped), (0, 0, 3))
        self.assertEqual(Advisor.history.count(), history)

    def test_the_same_person_twice_in_a_file_is_refused_naming_both_rows(self) -> None:
        data = register(3) + b"P1@Example.org,Pat,Again,active,,no,,\n"
        result = import_register_file(data, filename="r.csv", user=self.staff_sam)
        self.assertEqual(
            result.problems,
            [
                "Row 5: it is the same advisor as row 3 (p1@example.org). A file can hold each "
                "advisor once: merge the two rows."
            ],
        )
        self.assertFalse(Advisor.objects.filter(email__startswith="p").exists())

    def test_a_failure_while_writing_changes_nothing(self) -> None:
        before = (Advisor.objects.count(), Advisor.history.count(), LogEntry.objects.count())
        data = register(5) + f"{self.alice.email},Alice,Ashby,left,,no,,\n".encode()
        with mock.patch(
            "advisors.resources.services.advisor_login_follow_status",
            side_effect=RuntimeError("disk full"),
        ):
            result = import_register_file(data, filename="r.csv", user=self.staff_sam)
        self.assertFalse(result.ok)
        self.assertIn("a problem on our side", " ".join(result.problems))
        after = (Advisor.objects.count(), Advisor.history.count(), LogEntry.objects.count())
        self.assertEqual(after, before)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.status, Advisor.Status.ACTIVE)


class AdminImportTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.staff_sam)

    def preview(self, data: bytes):
        return self.client.post(
            reverse("admin:advisors_advisor_import"),
            {"format": "0", "resource": "0", "import_file": SimpleUploadedFile("big.csv", data)},
        )

    def confirm(self, preview):
        return self.client.post(
            reverse("admin:advisors_advisor_process_import"),
            {**preview.context["confirm_form"].initial, "resource": "0"},
        )


class PreviewTest(AdminImportTestCase):
    def test_the_preview_gives_counts_and_only_the_first_50_rows(self) -> None:
        AdvisorFactory(email="p0@example.org", first_name="Pat0", last_name="Lee0")
        response = self.preview(register(120))
        self.assertContains(response, "Nothing has been saved yet.")
        self.assertContains(response, "New advisors: 119")
        self.assertContains(response, "Advisors changed: 1")
        self.assertContains(response, "The first 50 of 120 rows")
        self.assertContains(response, "p49@example.org")
        self.assertNotContains(response, "p50@example.org")
        self.assertFalse(Advisor.objects.filter(email="p1@example.org").exists())


class BackgroundImportTest(AdminImportTestCase):
    def test_a_large_file_is_imported_by_a_task_and_the_page_says_when_it_is_done(self) -> None:
        preview = self.preview(register(30))
        with (
            mock.patch.object(imports, "BACKGROUND_ROWS", 10),
            mock.patch.object(import_job_run_task, "delay") as delay,
            self.captureOnCommitCallbacks(execute=True),
        ):
            response = self.confirm(preview)
        job = ImportJob.objects.get()
        self.assertRedirects(response, reverse("admin:advisors_advisor_import_job", args=[job.pk]))
        delay.assert_called_once_with(job.pk)
        self.assertFalse(Advisor.objects.filter(email__startswith="p").exists())

        page = self.client.get(reverse("admin:advisors_advisor_import_job", args=[job.pk]))
        self.assertContains(page, '<meta http-equiv="refresh" content="3">', html=False)
        self.assertContains(page, "Waiting to start")

        import_job_run_task(job.pk)
        job.refresh_from_db()
        self.assertEqual((job.status, job.rows_done, job.rows_new), ("done", 30, 30))
        self.assertEqual(bytes(job.data), b"", "the file is not kept once imported")
        self.assertEqual(Advisor.objects.filter(email__startswith="p").count(), 30)

        page = self.client.get(reverse("admin:advisors_advisor_import_job", args=[job.pk]))
        self.assertContains(page, 'role="status"')
        self.assertContains(page, "All 30 rows of big.csv were imported: 30 new advisors")
        self.assertNotContains(page, 'http-equiv="refresh"')

    def test_running_the_task_twice_imports_once(self) -> None:
        job = ImportJob.objects.create(
            data=register(20), filename="big.csv", created_by=self.staff_sam, rows_total=20
        )
        import_job_run_task(job.pk)
        history = Advisor.history.count()
        import_job_run_task(job.pk)
        self.assertEqual(Advisor.objects.filter(email__startswith="p").count(), 20)
        self.assertEqual(Advisor.history.count(), history)

    def test_a_file_that_fails_in_the_background_imports_nothing_and_says_why(self) -> None:
        data = register(20) + b"bad@example.org,Bad,Date,active,31/02/2025,no,,\n"
        job = ImportJob.objects.create(
            data=data, filename="big.csv", created_by=self.staff_sam, rows_total=21
        )
        import_job_run_task(job.pk)
        job.refresh_from_db()
        self.assertEqual(job.status, ImportJob.Status.FAILED)
        self.assertFalse(Advisor.objects.filter(email__startswith="p").exists())
        page = self.client.get(reverse("admin:advisors_advisor_import_job", args=[job.pk]))
        self.assertContains(page, "Nothing was imported")
        self.assertContains(page, "Row 22, column “joined_on”")


class ChangelistQueriesTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.staff_sam)

    def queries(self) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(reverse("admin:advisors_advisor_changelist"))
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def test_the_register_takes_the_same_queries_for_5_or_150_advisors(self) -> None:
        AdvisorFactory.create_batch(5)
        small = self.queries()
        AdvisorFactory.create_batch(145)
        self.assertEqual(self.queries(), small)
        self.assertLessEqual(small, 12)
