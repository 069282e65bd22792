"""Subject access: the PIE team makes, for one advisor, a ZIP with a PDF to read, a JSON of
everything held about them and their files, built by the worker with progress on the page.

Alice and Bob each have a row in every table of the personal-data register, and share a
meeting, an output, an impact and a survey. Alice's ZIP must hold every one of her registered
values and none of Bob's (every text of Bob's carries the mark BOBMARK).
"""

import datetime
import io
import json
import uuid
import zipfile
from decimal import Decimal
from unittest import mock

from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advisors.models import (
    Advisor,
    ApplicationEvent,
    ImportJob,
    LivedExperience,
    Recognition,
    SensitiveDataView,
    Topic,
)
from ascru_pie.lib.crypto import decrypt, encrypt
from ascru_pie.roles import Role
from impacts.models import AdvisorReflection, Standard, SurveyReceipt, SurveyResponse
from meetings.models import Attendance
from payments.models import BankDetails, BankDetailsChange, Claim, ClaimEvent
from privacy.models import SubjectAccessDownload, SubjectAccessRequest
from privacy.register import entries, rows_for
from privacy.sar import subject_access_collect, subject_access_json, subject_access_zip
from privacy.services import subject_access_sweep
from privacy.tasks import subject_access_build
from projects.models import OutputCredit, ProjectAdvisor, SelectionEvent
from reminders.models import Delivery
from reports.models import ReportExample, ReportRequest
from tests.base import BaseTestCase, pdf_text, stored_files
from tests.factories import (
    ApplicationFactory,
    EqualityFactory,
    InterestFactory,
    OpportunityFactory,
    OutputFactory,
    ProjectFactory,
    TrainingFactory,
    invite,
    make_claim,
    make_impact,
    make_meeting,
    make_report,
    make_survey,
)

DELAY = "privacy.tasks.subject_access_build.delay"
Status = SubjectAccessRequest.Status

# Held but not shown (they would let someone sign in as her, or mean nothing to her).
WITHHELD = {
    ("ascru_pie.User", "password"),
    ("account.EmailConfirmation", "key"),
    ("mfa.Authenticator", "data"),
    ("socialaccount.SocialToken", "token"),
    ("socialaccount.SocialToken", "token_secret"),
    ("advisors.Application", "source_hash"),
    # An earlier copy of the same ZIP is listed, not put inside the new one.
    ("privacy.SubjectAccessRequest", "file"),
}

BOB = {
    "mark": "BOBMARK",
    "phone": "07700 900222",
    "postcode": "BB2 2BB",
    "sort_code": "65-43-21",
    "account": "87654321",
}
ALICE = {
    "mark": "ALICEMARK",
    "phone": "07700 900111",
    "postcode": "AA1 1AA",
    "sort_code": "12-34-56",
    "account": "12345678",
}


def seed(tc, advisor: Advisor, who: dict) -> None:
    """Give `advisor` a row in every table of the register; every text holds who["mark"]."""
    mark, user, sam = who["mark"], advisor.user, tc.staff_sam
    for name in ("address", "contact_format_other", "lived_experience_detail", "availability"):
        setattr(advisor, name, f"{mark} {name}")
    advisor.support_needs = f"{mark} needs large print"
    advisor.heard_about = f"{mark} heard at the library"
    advisor.staff_notes = f"{mark} staff note about {advisor.first_name}"
    advisor.phone, advisor.postcode = who["phone"], who["postcode"]
    advisor.annual_limit, advisor.support_budget = Decimal("1000.00"), Decimal("250.50")
    advisor.enhanced_support = advisor.pieg_member = True
    advisor.left_on = datetime.date(2026, 6, 30)
    advisor.save()
    advisor.lived_experience.add(LivedExperience.objects.first())
    advisor.topics.add(Topic.objects.get_or_create(name=f"Topic {advisor.first_name}")[0])
    user.last_name, user.last_login = advisor.last_name, timezone.now()
    user.save()

    application = ApplicationFactory(
        advisor=advisor,
        first_name=advisor.first_name,
        last_name=advisor.last_name,
        email=advisor.email,
        phone=who["phone"],
        staff_notes=f"{mark} application note",
        source_hash="f" * 64,
    )
    ApplicationEvent.objects.create(
        application=application, to_status="accepted", by=sam, note=f"{mark} accepted"
    )
    EqualityFactory(advisor=advisor, age_band="65_74", disability="yes_a_lot", region="london")

    address = EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    EmailConfirmation.objects.create(
        email_address=address, key=f"{mark}-confirm-key", created=timezone.now()
    )
    Authenticator.objects.create(user=user, type="totp", data={"secret": f"{mark}TOTPSECRET"})
    social = SocialAccount.objects.create(
        user=user, provider="openid_connect", uid=f"{mark}-uid", extra_data={"name": mark}
    )
    SocialToken.objects.create(account=social, token=f"{mark}-token", token_secret=f"{mark}-ts")
    LogEntry.objects.create(
        user=sam,
        content_type=ContentType.objects.get_for_model(Advisor),
        object_id=str(advisor.pk),
        object_repr=advisor.full_name,
        action_flag=CHANGE,
        change_message="[]",
    )

    TrainingFactory(
        advisor=advisor,
        course=f"{mark} course",
        provider=f"{mark} provider",
        certificate=ContentFile(f"{mark} certificate".encode(), name="certificate.pdf"),
    )
    Recognition.objects.create(
        advisor=advisor, kind="reference", given_on=datetime.date(2026, 2, 1), note=f"{mark} ref"
    )
    interest = InterestFactory(
        opportunity=tc.opportunity,
        advisor=advisor,
        note=f"{mark} interest",
        support_needed=f"{mark} support",
    )
    SelectionEvent.objects.create(
        interest=interest, action=SelectionEvent.Action.SELECTED, note=f"{mark} why", by=sam
    )
    ProjectAdvisor.objects.create(project=tc.project, advisor=advisor, role=f"{mark} role")
    OutputCredit.objects.create(output=tc.output, advisor=advisor, credit="co_author")
    invite(tc.meeting, advisor, needs=f"{mark} hearing loop")
    Attendance.objects.create(
        meeting=tc.meeting,
        advisor=advisor,
        status="partly",
        minutes_attended=90,
        preparation_hours=Decimal("1.50"),
        confirmed_by=sam,
    )
    reflection = AdvisorReflection.objects.create(
        impact=tc.impact, advisor=advisor, text=f"{mark} reflection"
    )
    ReportExample.objects.create(
        year=2026,
        standard=Standard.objects.order_by("pk").first(),
        reflection=reflection,
        text=f"{mark} example",
    )
    ImportJob.objects.create(
        created_by=sam,
        filename=f"{mark} register.csv",
        problems=f"Row 3: {advisor.email} ({mark}) is in the file twice.",
    )
    SurveyResponse.objects.create(
        survey=tc.survey,
        advisor=advisor,
        felt_valued=4,
        had_support=5,
        take_part_again="yes",
        works_well=f"{mark} works well",
        does_not_work=f"{mark} does not work",
        submitted_on=datetime.date(2026, 5, 2),
    )
    SurveyReceipt.objects.create(survey=tc.anonymous_survey, advisor=advisor)
    Delivery.objects.create(
        key=f"meeting-reminder:{tc.meeting.pk}:{advisor.pk}",
        kind="meeting_reminder",
        meeting=tc.meeting,
        advisor=advisor,
        recipient=advisor.email,
        subject=f"{mark} reminder subject",
        object_label=f"{mark} label",
        template="meeting-reminder",
        context={"note": f"{mark} context"},
        error=f"{mark} error",
    )
    make_report(
        user,
        kind=ReportRequest.Kind.REFERENCE,
        advisor=advisor,
        status=ReportRequest.Status.DONE,
        letter_text=f"{mark} reference letter",
    )
    claim = make_claim(
        advisor,
        "rejected",
        rejection_reason=f"{mark} no receipt date",
        computation=f"{mark} computation",
        receipt=f"{mark} receipt".encode(),
    )
    # make_claim says "Train"; each advisor's own words make Bob's findable.
    Claim.objects.filter(pk=claim.pk).update(description=f"{mark} taxi to the station")
    ClaimEvent.objects.create(
        claim=claim, by=sam, to_status="rejected", new_amount=claim.amount, note=f"{mark} note"
    )
    BankDetails.objects.create(
        advisor=advisor,
        account_name=f"{mark} account",
        sort_code_encrypted=encrypt(who["sort_code"]),
        account_number_encrypted=encrypt(who["account"]),
        account_number_last4=who["account"][-4:],
    )
    BankDetailsChange.objects.create(advisor=advisor, by=user, new_last4=who["account"][-4:])
    # Consent records and the log of views of sensitive data (other parts of issue 13).
    if consent := _model("advisors", "Consent"):
        consent.objects.create(
            advisor=advisor, purpose="contact", given=True, method="portal", note=f"{mark} ok"
        )
    if email_change := _model("ascru_pie", "LoginEmailChange"):
        email_change.objects.create(
            user=user, old_email=user.email, new_email=f"{mark}-new@example.org", requested_by=sam
        )
    if viewed := _model("advisors", "SensitiveDataView"):
        viewed.objects.create(viewer=sam, advisor=advisor, what="bank_details", where="admin")


def _model(app: str, name: str):
    try:
        return apps.get_model(app, name)
    except LookupError:
        return None


class SubjectAccessTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.project = ProjectFactory(title="Care at home study")
        cls.opportunity = OpportunityFactory(project=cls.project, posted_by=cls.researcher_rita)
        cls.output = OutputFactory(project=cls.project, title="What carers told us")
        cls.meeting = make_meeting(days=-3, title="PIEG spring meeting")
        cls.impact = make_impact(cls.project, cls.staff_sam)
        cls.survey = make_survey(title="Spring survey")
        cls.anonymous_survey = make_survey(title="Anonymous survey")
        seed(cls, cls.alice, ALICE)
        seed(cls, cls.bob, BOB)

    def start(self, advisor: Advisor, by=None) -> SubjectAccessRequest:
        """Ask on the advisor's page, as Sam; the task is enqueued after commit (not run)."""
        self.client.force_login(by or self.staff_sam)
        url = reverse("privacy:sar-advisor", args=[advisor.pk])
        with mock.patch(DELAY) as delay, self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(url)
        self.assertRedirects(response, url, fetch_redirect_response=False)
        sar = SubjectAccessRequest.objects.latest("pk")
        delay.assert_called_once_with(sar.pk)
        return sar


class AliceZipTest(SubjectAccessTestCase):
    """Alice's ZIP, asked for on her page and built by the task, read once for every test."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        client = Client()
        client.force_login(cls.staff_sam)
        url = reverse("privacy:sar-advisor", args=[cls.alice.pk])
        with mock.patch(DELAY) as delay, cls.captureOnCommitCallbacks(execute=True):
            client.post(url)
        cls.sar = SubjectAccessRequest.objects.get()
        delay.assert_called_once_with(cls.sar.pk)
        cls.built = subject_access_build(cls.sar.pk)
        # What the ZIP was made from: downloading it then logs a view of her bank details,
        # a row about her that the ZIP (made before) cannot hold.
        cls.held = {
            e.model: set(rows.values_list("pk", flat=True)) for e, rows in rows_for(cls.alice)
        }
        cls.sar.refresh_from_db()
        assert cls.built == "done", (cls.built, cls.sar.error)
        response = client.get(reverse("privacy:sar-download", args=[cls.sar.pk]))
        cls.download = {"status": response.status_code, **response.headers}
        cls.zip_bytes = b"".join(response.streaming_content)
        archive = zipfile.ZipFile(io.BytesIO(cls.zip_bytes))
        stem = f"subject-access-{cls.alice.pk}"
        cls.json_text = archive.read(f"{stem}.json").decode()
        cls.document = json.loads(cls.json_text)
        cls.pdf = pdf_text(archive.read(f"{stem}.pdf"))

    def setUp(self) -> None:
        super().setUp()
        self.archive = zipfile.ZipFile(io.BytesIO(self.zip_bytes))

    def table(self, model: str) -> dict:
        return next(t for t in self.document["tables"] if t["model"] == model)

    def test_the_task_built_it_and_the_page_offers_the_download(self) -> None:
        self.assertEqual(self.built, "done")
        self.sar.refresh_from_db()
        self.assertEqual((self.sar.status, self.sar.progress), (Status.READY, 100))
        self.client.force_login(self.staff_sam)
        response = self.client.get(reverse("privacy:sar-advisor", args=[self.alice.pk]))
        self.assertContains(response, reverse("privacy:sar-download", args=[self.sar.pk]))
        self.assertNotContains(response, "hx-trigger")  # nothing left to wait for

    def test_the_download_is_a_private_uncached_zip_and_is_recorded(self) -> None:
        self.assertEqual(self.download["status"], 200)
        cache = self.download["Cache-Control"]
        self.assertIn("private", cache)
        self.assertIn("no-store", cache)
        self.assertIn("attachment", self.download["Content-Disposition"])
        self.assertEqual(
            list(SubjectAccessDownload.objects.values_list("request", "by")),
            [(self.sar.pk, self.staff_sam.pk)],
        )
        # Her bank details and equality answers were seen: logged like any other view.
        self.assertEqual(
            sorted(
                SensitiveDataView.objects.filter(where__startswith="subject access").values_list(
                    "viewer", "advisor", "what"
                )
            ),
            [
                (self.staff_sam.pk, self.alice.pk, "bank_details"),
                (self.staff_sam.pk, self.alice.pk, "equality"),
            ],
        )

    def test_alice_has_a_row_in_every_table_of_the_register(self) -> None:
        # If this fails, a model was added to the register: give Alice a row in seed().
        empty = [entry.model for entry, rows in rows_for(self.alice) if not rows.exists()]
        self.assertEqual(empty, [])
        self.assertGreaterEqual(len(self.document["tables"]), 27)
        self.assertEqual(
            {t["model"] for t in self.document["tables"]}, {e.model for e in entries()}
        )

    def test_every_registered_value_of_alices_is_in_the_json(self) -> None:
        checked = filled = 0
        for entry, rows in self.rows_held():
            table = self.table(entry.model)
            by_id = {r["id"]: r["values"] for r in table["rows"]}
            self.assertEqual(set(by_id), {str(pk) for pk in rows.values_list("pk", flat=True)})
            for obj in rows:
                values = by_id[str(obj.pk)]
                for name in entry.fields:
                    with self.subTest(model=entry.model, field=name, row=obj.pk):
                        found = self.expect(entry.model, obj, name, values)
                        checked += 1
                        filled += found not in (None, "", [], {})
        expected = sum(rows.count() * len(entry.fields) for entry, rows in self.rows_held())
        self.assertEqual(checked, expected)
        # The seed fills most of them, so the comparison means something.
        self.assertGreater(filled, 150)

    def rows_held(self):
        for entry, rows in rows_for(self.alice):
            yield entry, rows.filter(pk__in=self.held[entry.model])

    def expect(self, model: str, obj, name: str, values: dict):
        """Assert the JSON holds obj.name as a person would expect; return what it holds."""
        field = obj._meta.get_field(name)
        if (model, name) in WITHHELD:
            self.assertIsNone(values[name])
            return "withheld"
        if field.many_to_many:
            self.assertEqual(values[name], [str(t) for t in getattr(obj, name).order_by("pk")])
            return values[name]
        if field.is_relation:
            target = getattr(obj, name)
            wanted = self.alice.full_name if isinstance(target, Advisor) else str(target)
            self.assertIn(wanted, values[name])
            return values[name]
        if isinstance(field, models.FileField):
            stored = getattr(obj, name)
            with stored.open("rb") as fh:
                self.assertEqual(self.archive.read(values[name]), fh.read())
            return values[name]
        raw = getattr(obj, field.attname)
        if name.endswith("_encrypted"):
            self.assertEqual(values[name.removesuffix("_encrypted")], decrypt(raw) if raw else "")
            return raw
        if isinstance(raw, datetime.date | datetime.datetime):
            raw = raw.isoformat()
        elif isinstance(raw, Decimal | uuid.UUID):
            raw = str(raw)
        self.assertEqual(values[name], raw)
        return raw

    def test_none_of_bobs_values_are_anywhere_in_the_zip(self) -> None:
        bob = self.bob
        for text in [BOB["mark"], bob.last_name, bob.email, BOB["phone"], BOB["postcode"]]:
            with self.subTest(text=text):
                self.assertNotIn(text, self.json_text)
                self.assertNotIn(text, self.pdf)
                for name in self.archive.namelist():
                    self.assertNotIn(text.encode(), self.archive.read(name), name)
        for text in [BOB["sort_code"], BOB["account"]]:
            self.assertNotIn(text, self.json_text)

    def test_bobs_own_copy_has_his_marks_and_not_alices(self) -> None:
        # The check above could fail: the same build for Bob finds his values.
        text = subject_access_json(subject_access_collect(advisor=self.bob)).decode()
        self.assertIn(BOB["mark"], text)
        self.assertIn(BOB["sort_code"], text)
        self.assertNotIn(ALICE["mark"], text)

    def test_other_people_are_said_as_someone_else(self) -> None:
        # Sam confirmed her attendance; the ZIP does not name him (nor Bob, at the same meeting).
        attendance = self.table("meetings.Attendance")["rows"][0]
        self.assertEqual(attendance["labels"]["confirmed_by"], "someone else (not included)")
        self.assertNotIn(f'"{self.staff_sam}"', self.json_text)

    def test_bank_details_are_readable_and_secrets_are_not(self) -> None:
        bank = self.table("payments.BankDetails")["rows"][0]["values"]
        self.assertEqual(
            (bank["sort_code"], bank["account_number"]), (ALICE["sort_code"], ALICE["account"])
        )
        self.assertNotIn("sort_code_encrypted", bank)
        self.assertNotIn("ALICEMARKTOTPSECRET", self.json_text)
        self.assertNotIn("ALICEMARK-token", self.json_text)
        self.assertNotIn(self.advisor_alice.password, self.json_text)

    def test_the_json_says_dates_in_iso_and_money_as_text(self) -> None:
        claim = self.table("payments.Claim")["rows"][0]
        self.assertEqual(claim["values"]["amount"], "40.00")
        self.assertEqual(claim["values"]["activity_date"], "2026-05-01")
        self.assertEqual(claim["labels"]["status"], "Rejected")
        self.assertIn("ALICEMARK receipt", self.zip_text(claim["values"]["receipt"]))

    def zip_text(self, path: str) -> str:
        return self.archive.read(path).decode()

    def test_the_pdf_names_her_and_has_a_plain_english_heading_for_each_table(self) -> None:
        self.assertIn("The information we hold about Alice Ashby", self.pdf)
        for heading in [
            "Your record on the register of Public Advisors",
            "Your answers to the equality questions",
            "Meetings you were invited to",
            "Your claims for payment and expenses",
            "Your bank details",
            "Training you completed",
        ]:
            with self.subTest(heading=heading):
                self.assertIn(heading, self.pdf)
        self.assertIn("ALICEMARK taxi to the station", self.pdf)
        self.assertIn(ALICE["sort_code"], self.pdf)


class OtherPeopleTest(SubjectAccessTestCase):
    def test_a_link_to_a_record_about_someone_else_does_not_name_them(self) -> None:
        # Alice's claim wrongly points at Bob's attendance: its words ("Bob Brown at …") stay out.
        claim = make_claim(self.alice, attendance=Attendance.objects.get(advisor=self.bob))
        collected = subject_access_collect(advisor=self.alice)
        claims = next(t for t in collected.tables if t.model == "payments.Claim")
        row = next(r for r in claims.rows if r.id == str(claim.pk))
        self.assertEqual(row.labels["attendance"], "someone else (not included)")
        self.assertNotIn("Brown", subject_access_json(collected).decode())


class ProgressTest(SubjectAccessTestCase):
    def test_the_list_shows_progress_and_polls_until_it_is_ready(self) -> None:
        sar = self.start(self.alice)
        SubjectAccessRequest.objects.filter(pk=sar.pk).update(
            status=Status.BUILDING, progress=40, step="Reading: Your claims for payment"
        )
        url = reverse("privacy:sar-advisor", args=[self.alice.pk])
        response = self.client.get(url, {"partial": 1})
        self.assertContains(response, "40% done")
        self.assertContains(response, "Reading: Your claims for payment")
        self.assertContains(response, 'hx-trigger="every 2s"')
        # Polled again with nothing changed: 204, so the live region is not read out again.
        seen = response.context["state"]
        self.assertEqual(self.client.get(url, {"partial": 1, "seen": seen}).status_code, 204)
        SubjectAccessRequest.objects.filter(pk=sar.pk).update(progress=60)
        self.assertEqual(self.client.get(url, {"partial": 1, "seen": seen}).status_code, 200)

    def test_the_build_writes_its_progress_as_it_goes(self) -> None:
        sar = self.start(self.alice)
        seen = []

        def watching(*, advisor, progress):
            # The real build, reading the row back each time the build reports progress.
            def report(percent: int, step: str) -> None:
                progress(percent, step)
                seen.append(SubjectAccessRequest.objects.values_list("progress", "step").get())

            return subject_access_zip(advisor=advisor, progress=report)

        with mock.patch("privacy.services.subject_access_zip", side_effect=watching):
            self.assertEqual(subject_access_build(sar.pk), "done")
        steps = [step for _, step in seen]
        self.assertIn("Reading: Your claims for payment and expenses", steps)
        self.assertEqual(steps[-2:], ["Making the PDF", "Putting the ZIP together"])
        progress = [p for p, _ in seen]
        self.assertEqual(progress, sorted(progress))
        self.assertLess(progress[-1], 100)
        sar.refresh_from_db()
        self.assertEqual((sar.progress, sar.step), (100, "Ready"))

    def test_asking_twice_while_one_is_being_made_gives_the_same_request(self) -> None:
        sar = self.start(self.alice)
        self.client.force_login(self.staff_sam)
        with mock.patch(DELAY) as delay, self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("privacy:sar-advisor", args=[self.alice.pk]))
        delay.assert_not_called()
        self.assertEqual(list(SubjectAccessRequest.objects.values_list("pk", flat=True)), [sar.pk])


class RetryTest(SubjectAccessTestCase):
    def files(self) -> list:
        return [p for p in stored_files() if "subject-access" in str(p)]

    def test_the_task_run_twice_does_no_harm(self) -> None:
        sar = self.start(self.alice)
        before = set(self.files())
        self.assertEqual(subject_access_build(sar.pk), "done")
        sar.refresh_from_db()
        first = sar.file.read()
        self.assertEqual(subject_access_build(sar.pk), "skipped")
        sar.refresh_from_db()
        self.assertEqual(sar.status, Status.READY)
        self.assertEqual(sar.file.read(), first)
        self.assertEqual(len(set(self.files()) - before), 1)

    def test_a_worker_that_died_is_replaced_and_its_old_file_is_not_kept(self) -> None:
        sar = self.start(self.alice)
        subject_access_build(sar.pk)
        sar.refresh_from_db()
        old = sar.file.name
        # As if a second delivery of the task found it running and the worker died.
        SubjectAccessRequest.objects.filter(pk=sar.pk).update(
            status=Status.BUILDING, started_at=timezone.now() - datetime.timedelta(days=1)
        )
        with mock.patch(DELAY) as delay, self.captureOnCommitCallbacks(execute=True):
            counts = subject_access_sweep()
        self.assertEqual((counts["requeued"], counts["sent"]), (1, 1))
        delay.assert_called_once_with(sar.pk)
        self.assertEqual(subject_access_build(sar.pk), "done")
        sar.refresh_from_db()
        self.assertEqual(sar.status, Status.READY)
        self.assertFalse(sar.file.storage.exists(old) and old != sar.file.name)

    def test_after_two_dead_workers_it_fails_with_the_reason_and_try_again_works(self) -> None:
        sar = self.start(self.alice)
        SubjectAccessRequest.objects.filter(pk=sar.pk).update(
            status=Status.BUILDING,
            attempts=2,
            started_at=timezone.now() - datetime.timedelta(days=1),
        )
        with mock.patch(DELAY), self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(subject_access_sweep()["failed"], 1)
        sar.refresh_from_db()
        self.assertEqual(sar.status, Status.FAILED)
        self.assertIn("stopped before it finished", sar.error)
        page = self.client.get(reverse("privacy:sar-advisor", args=[self.alice.pk]))
        self.assertContains(page, "stopped before it finished")
        with mock.patch(DELAY) as delay, self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("privacy:sar-retry", args=[sar.pk]))
        self.assertEqual(response.status_code, 302)
        delay.assert_called_once_with(sar.pk)
        sar.refresh_from_db()
        self.assertEqual((sar.status, sar.attempts), (Status.QUEUED, 0))

    def test_a_failure_is_recorded_with_its_reason(self) -> None:
        sar = self.start(self.alice)
        with mock.patch("privacy.services.subject_access_zip", side_effect=ValueError("no disk")):
            self.assertEqual(subject_access_build(sar.pk), "failed")
        sar.refresh_from_db()
        self.assertEqual((sar.status, sar.error), (Status.FAILED, "ValueError: no disk"))


class ExpiryTest(SubjectAccessTestCase):
    """A ZIP holds bank details and equality answers: it is deleted 30 days after it is made."""

    def ready(self, days_ago: int) -> SubjectAccessRequest:
        sar = SubjectAccessRequest(advisor=self.alice, requested_by=self.staff_sam)
        sar.file.save("copy.zip", ContentFile(b"PK zip"), save=False)
        sar.status, sar.finished_at = Status.READY, timezone.now() - datetime.timedelta(days_ago)
        sar.save()
        return sar

    def test_the_sweep_deletes_a_zip_made_over_30_days_ago_and_keeps_a_newer_one(self) -> None:
        old, recent = self.ready(days_ago=31), self.ready(days_ago=29)
        storage, old_name = old.file.storage, old.file.name
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(subject_access_sweep()["deleted"], 1)
        old.refresh_from_db()
        recent.refresh_from_db()
        self.assertEqual((old.file.name, old.status), ("", Status.READY))
        self.assertFalse(storage.exists(old_name))
        self.assertTrue(storage.exists(recent.file.name))
        self.client.force_login(self.staff_sam)
        download = reverse("privacy:sar-download", args=[old.pk])
        self.assertEqual(self.client.get(download).status_code, 404)
        page = self.client.get(reverse("privacy:sar-advisor", args=[self.alice.pk]))
        self.assertContains(page, "Deleted after 30 days")
        self.assertNotContains(page, download)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(subject_access_sweep()["deleted"], 0)  # safe to run twice


class PermissionsTest(SubjectAccessTestCase):
    """Only the PIE team: other roles get 403 on the pages and 404 on a request."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.sar = SubjectAccessRequest.objects.create(
            advisor=cls.alice,
            requested_by=cls.staff_sam,
            status=Status.READY,
            file=ContentFile(b"PK zip", name="subject-access.zip"),
        )

    def pages(self) -> list[tuple[str, str, int]]:
        """(method, URL, what a role other than the PIE team gets)."""
        return [
            ("get", reverse("privacy:sar-list"), 403),
            ("get", reverse("privacy:sar-advisor", args=[self.alice.pk]), 403),
            ("post", reverse("privacy:sar-advisor", args=[self.alice.pk]), 403),
            ("get", reverse("privacy:sar-download", args=[self.sar.pk]), 404),
            ("post", reverse("privacy:sar-retry", args=[self.sar.pk]), 404),
        ]

    def test_anonymous_visitors_are_sent_to_login(self) -> None:
        for method, url, _ in self.pages():
            with self.subTest(url=url, method=method):
                response = getattr(self.client, method)(url)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response.url.startswith(reverse("login")))

    def test_only_the_pie_team_may_ask_for_see_or_download_a_copy(self) -> None:
        people = [
            self.advisor_alice,
            self.researcher_rita,
            self.finance_fay,
            self.manager_mo,
            self.outsider_carol,
        ]
        for person in people:
            self.client.force_login(person)
            for method, url, status in self.pages():
                with self.subTest(person=person.username, url=url, method=method):
                    with mock.patch(DELAY) as delay:
                        response = getattr(self.client, method)(url)
                    self.assertEqual(response.status_code, status)
                    delay.assert_not_called()
        self.assertEqual(SubjectAccessRequest.objects.count(), 1)
        self.assertFalse(SubjectAccessDownload.objects.exists())

    def test_the_pie_team_sees_the_pages_and_downloads(self) -> None:
        self.client.force_login(self.staff_sam)
        for url in [
            reverse("privacy:sar-list"),
            reverse("privacy:sar-advisor", args=[self.alice.pk]),
        ]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(response, "Alice Ashby")
                self.assertIn("no-store", response["Cache-Control"])
        response = self.client.get(reverse("privacy:sar-download", args=[self.sar.pk]))
        self.assertEqual(b"".join(response.streaming_content), b"PK zip")
        self.assertTrue(self.staff_sam.has_role(Role.PIE_TEAM))

    def test_the_advisor_admin_page_links_to_subject_access(self) -> None:
        self.client.force_login(self.staff_sam)
        page = self.client.get(reverse("admin:advisors_advisor_change", args=[self.alice.pk]))
        self.assertContains(page, reverse("privacy:sar-advisor", args=[self.alice.pk]))

    def test_a_copy_not_ready_is_404_even_to_the_pie_team(self) -> None:
        SubjectAccessRequest.objects.filter(pk=self.sar.pk).update(status=Status.BUILDING)
        self.client.force_login(self.staff_sam)
        response = self.client.get(reverse("privacy:sar-download", args=[self.sar.pk]))
        self.assertEqual(response.status_code, 404)
