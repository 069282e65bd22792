"""Every uploaded file is private: stored outside MEDIA_ROOT, served only after an access check.

Training certificates (the advisor's own; the PIE team any) and meeting papers (the PIE team
and the meeting's invitees). Everyone else gets 404 (another advisor) or 403 (another role).
"""

import importlib
from html.parser import HTMLParser
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ascru_pie.lib.storage import files_move
from meetings.models import MeetingPaper
from tests.base import BaseTestCase, make_user
from tests.factories import (
    TrainingFactory,
    add_paper,
    alice_claim,
    done_annual,
    impact_with_evidence,
    invite,
    make_meeting,
    rita_project,
)


def _files_under(root) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()]


class _FormValues(HTMLParser):
    """The values a browser would send from the page's main form (admin change forms)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("file", "submit", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value") or "")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data) -> None:
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_values(html: str) -> dict:
    parser = _FormValues()
    parser.feed(html)
    parser.data.pop("csrfmiddlewaretoken", None)
    return {k: v if len(v) > 1 else (v[0] if v else "") for k, v in parser.data.items()}


class TrainingCertificateDownloadTest(BaseTestCase):
    def setUp(self) -> None:
        self.training = TrainingFactory(advisor=self.alice)
        self.url = reverse("advisors:training-certificate", args=[self.training.pk])

    def test_the_certificate_is_stored_privately_and_not_in_the_public_media_folder(self):
        path = Path(self.training.certificate.path)
        self.assertTrue(path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve()))
        self.assertEqual(_files_under(settings.MEDIA_ROOT), [])
        with self.assertRaises(ValueError):
            self.training.certificate.url  # noqa: B018 (a private file has no URL of its own)

    def test_alice_downloads_her_own_certificate_as_an_attachment(self):
        self.client.force_login(self.advisor_alice)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(b"".join(response.streaming_content), b"%PDF-1.4 certificate")
        self.assertRegex(
            response["Content-Disposition"], r'^attachment; filename="certificate.*\.pdf"$'
        )

    def test_bob_cannot_download_alices_certificate(self):
        self.client.force_login(self.advisor_bob)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_the_pie_team_downloads_any_advisors_certificate(self):
        self.client.force_login(self.staff_sam)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(b"".join(response.streaming_content), b"%PDF-1.4 certificate")

    def test_other_roles_are_refused_and_anonymous_visitors_sent_to_sign_in(self):
        for user in (self.researcher_rita, self.finance_fay, self.manager_mo, self.outsider_carol):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url).status_code, 403)
        self.client.logout()
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response.url.startswith(reverse("login")))

    def test_a_missing_file_is_404_not_an_error(self):
        Path(self.training.certificate.path).unlink()
        self.client.force_login(self.advisor_alice)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_the_advisor_admin_links_to_the_checked_download_not_to_the_file(self):
        self.client.force_login(self.staff_sam)
        response = self.client.get(reverse("admin:advisors_advisor_change", args=[self.alice.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f'href="{self.url}"')
        self.assertNotContains(response, settings.MEDIA_URL + "training-certificates")


class MeetingPaperDownloadTest(BaseTestCase):
    def setUp(self) -> None:
        self.meeting = make_meeting(title="Alice's PIEG")
        invite(self.meeting, self.alice)
        self.paper = add_paper(self.meeting)
        self.url = reverse("meetings:paper", args=[self.paper.pk])

    def test_an_invitee_downloads_the_paper_as_an_attachment(self):
        self.client.force_login(self.advisor_alice)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(b"".join(response.streaming_content), b"%PDF-1.4 meeting papers")
        self.assertRegex(response["Content-Disposition"], r'^attachment; filename="papers.*\.pdf"$')

    def test_an_advisor_who_is_not_invited_gets_404(self):
        self.client.force_login(self.advisor_bob)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_the_pie_team_downloads_it(self):
        self.client.force_login(self.staff_sam)
        self.assertEqual(self.client.get(self.url).status_code, 200)

    def test_other_roles_are_refused(self):
        for user in (self.researcher_rita, self.finance_fay, self.manager_mo, self.outsider_carol):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_a_paper_uploaded_in_the_admin_is_stored_privately(self):
        self.client.force_login(self.staff_sam)
        change = reverse("admin:meetings_meeting_change", args=[self.meeting.pk])
        page = self.client.get(change)
        self.assertContains(page, f'href="{self.url}"')
        data = form_values(page.content.decode())
        data["papers-1-title"] = "Easy read summary"
        data["papers-1-file"] = SimpleUploadedFile("easy-read.pdf", b"%PDF-1.4 easy read")
        response = self.client.post(change, data)
        self.assertEqual(
            response.status_code,
            302,
            getattr(response, "context", None)
            and [f.errors for f in response.context["inline_admin_formsets"]],
        )
        paper = MeetingPaper.objects.get(title="Easy read summary")
        self.assertTrue(
            Path(paper.file.path).is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve())
        )
        self.assertEqual(Path(paper.file.path).read_bytes(), b"%PDF-1.4 easy read")
        self.assertEqual(_files_under(settings.MEDIA_ROOT), [])

    def test_nothing_is_served_from_the_public_media_url(self):
        self.client.force_login(self.staff_sam)
        response = self.client.get("/" + settings.MEDIA_URL.strip("/") + "/" + self.paper.file.name)
        self.assertEqual(response.status_code, 404)


class AdminLinksPrivateFilesToTheirDownloadViewsTest(BaseTestCase):
    """A private file has no URL, so every admin page that shows one links to its download."""

    def setUp(self) -> None:
        self.client.force_login(
            make_user("root", is_staff=True, is_superuser=True)  # every admin page
        )

    def _assert_links(self, admin_url: str, download_url: str) -> None:
        response = self.client.get(admin_url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f'href="{download_url}"')
        self.assertNotContains(response, f'href="{settings.MEDIA_URL}')
        self.assertNotContains(response, f'href="/{settings.MEDIA_URL}')

    def test_a_claims_receipt(self):
        pk = alice_claim(self)["pk"]
        self._assert_links(
            reverse("admin:payments_claim_change", args=[pk]),
            reverse("payments:receipt", args=[pk]),
        )

    def test_a_reports_pdf(self):
        pk = done_annual(self)["pk"]
        self._assert_links(
            reverse("admin:reports_reportrequest_change", args=[pk]),
            reverse("reports:download", args=[pk]),
        )

    def test_an_impacts_evidence(self):
        project = rita_project(self)["pk"]
        pk = impact_with_evidence(self, project)
        self._assert_links(
            reverse("admin:impacts_impactrecord_change", args=[pk]),
            reverse("impacts:evidence", args=[project, pk]),
        )


class MoveToPrivateStorageTest(BaseTestCase):
    """The migrations move files uploaded before this change; running them twice is safe."""

    def setUp(self) -> None:
        self.public, self.private = Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT)

    def _put(self, root: Path, name: str, data: bytes) -> Path:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.addCleanup(path.unlink, missing_ok=True)
        return path

    def test_files_move_from_public_to_private_once(self):
        old = self._put(self.public, "meeting-papers/2024/old.pdf", b"old paper")
        moved = files_move(
            names=["meeting-papers/2024/old.pdf", ""], source=self.public, target=self.private
        )
        self.assertEqual(moved, 1)
        self.assertFalse(old.exists())
        self.assertEqual((self.private / "meeting-papers/2024/old.pdf").read_bytes(), b"old paper")
        self.addCleanup((self.private / "meeting-papers/2024/old.pdf").unlink, missing_ok=True)
        again = files_move(
            names=["meeting-papers/2024/old.pdf"], source=self.public, target=self.private
        )
        self.assertEqual(again, 0)
        self.assertEqual((self.private / "meeting-papers/2024/old.pdf").read_bytes(), b"old paper")

    def test_a_different_file_already_in_private_storage_is_never_overwritten(self):
        self._put(self.public, "meeting-papers/2024/clash.pdf", b"public copy")
        self._put(self.private, "meeting-papers/2024/clash.pdf", b"private copy")
        files_move(names=["meeting-papers/2024/clash.pdf"], source=self.public, target=self.private)
        self.assertEqual(
            (self.private / "meeting-papers/2024/clash.pdf").read_bytes(), b"private copy"
        )
        self.assertEqual(
            (self.public / "meeting-papers/2024/clash.pdf").read_bytes(), b"public copy"
        )

    def test_names_that_climb_out_of_the_folder_are_ignored(self):
        outside = self._put(self.public.parent, "outside.txt", b"x")
        moved = files_move(names=["../outside.txt"], source=self.public, target=self.private)
        self.assertEqual(moved, 0)
        self.assertTrue(outside.exists())

    def test_the_migrations_move_existing_certificates_and_papers(self):
        training = TrainingFactory(advisor=self.alice)
        paper = add_paper(make_meeting())
        for field in (training.certificate, paper.file):
            private = Path(field.path)
            public = self.public / field.name
            public.parent.mkdir(parents=True, exist_ok=True)
            private.rename(public)  # as if uploaded before the change
        for module in (
            "advisors.migrations.0005_training_certificate_private",
            "meetings.migrations.0003_meetingpaper_file_private",
        ):
            migration = importlib.import_module(module)
            migration.to_private(apps, None)
            migration.to_private(apps, None)  # twice: nothing changes
        self.assertEqual(_files_under(self.public), [])
        self.assertEqual(Path(training.certificate.path).read_bytes(), b"%PDF-1.4 certificate")
        self.assertEqual(Path(paper.file.path).read_bytes(), b"%PDF-1.4 meeting papers")
