"""Stored script: a script typed into any text field shows as text on every page, admin page,
email and PDF, never as markup.

The payload goes into every text field an applicant, an advisor and a researcher can reach
through the real forms (every form page they can open is filled in and sent), then into every
other text field of every row the unit holds (staff's own text included) — a distinct number
in each, so a leak names its field. Then every persona opens every URL of the URL conf with
real ids (tests/census.py), every email the flows send is read (and every email template is
rendered once with the payload objects), and every kind of PDF is built: its HTML must be
escaped and its text must show the payload as words.

The figures (payloads, pages, emails, PDFs; unescaped found) are printed with `-s`.
"""

import csv
import io
import re
from pathlib import Path
from unittest import mock

import openpyxl
from django import forms
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from advisors.models import Advisor, Application
from advisors.services import application_decline
from ascru_pie.lib import pdf as pdf_lib
from ascru_pie.lib.emails import make_message
from meetings.models import Meeting
from meetings.services import meeting_cancel, meeting_invite
from payments.services.bank_details import bank_details_set
from projects.models import PIEPlan, Project, ProjectAdvisor
from projects.services import plan_request_changes, plan_submit
from reminders.models import Delivery
from reminders.services import reminders_queue
from reminders.tasks import delivery_send
from reports.models import ReportRequest
from reports.services import render_report
from tests.base import BaseTestCase, pdf_text
from tests.census import OUR_APPS, body_of, census_unit, export_form_data, routes, url_options
from tests.factories import ActivityFactory, alice_meeting, rita_project

# Closes an attribute, a tag, or runs by itself; a spreadsheet would run the leading "=".
PAYLOAD = "=1+1<img src=x onerror=alert({n})>\"'><script>alert({n})</script>"
SHORT = "<img src=x onerror=alert({n})>"
UNESCAPED = re.compile(r"<script>alert\((\d+)\)|<img src=x onerror=alert\((\d+)\)|<img src=x")
SHOWN_AS_TEXT = re.compile(r"&lt;(?:script&gt;alert|img src=x)")
# Text the system itself writes, or that must keep a fixed shape (keys, hashes, addresses).
NOT_FREE_TEXT = {
    "username",
    "email",
    "password",
    "token",
    "key",
    "code",
    "source_hash",
    "sort_code_encrypted",
    "account_number_encrypted",
    "account_number_last4",
    "old_last4",
    "new_last4",
    "privacy_notice_version",
    "template",
    "kind",
    "recipient",
    "computation",
    "history_change_reason",
    "session_key",
    "ip",
}
# Pages of the sign-in machinery: their forms are not places to store text.
NOT_STORING = ("login", "logout", "password", "mfa", "account_", "socialaccount", "reauth")
EMAIL_NAMES = sorted(
    p.name.removesuffix("-body.html")
    for p in (Path(settings.BASE_DIR) / "templates" / "emails").glob("*-body.html")
)


class Payloads:
    """Numbered payloads, each remembered with the field it was put in."""

    def __init__(self) -> None:
        self.fields: list[str] = []

    def make(self, where: str, max_length: int | None = None) -> str | None:
        n = len(self.fields) + 1
        for text in (PAYLOAD, SHORT):
            value = text.format(n=n)
            if max_length is None or len(value) <= max_length:
                self.fields.append(where)
                return value
        return None

    def named(self, found: list[str]) -> list[str]:
        return sorted({self.fields[int(n) - 1] if n else "?" for n in found})


def unescaped(text: str) -> list[str]:
    """The payload numbers found as live markup ("" where the number is not legible)."""
    return [a or b for a, b in UNESCAPED.findall(text)] + ([""] if "<img src=x>" in text else [])


def forms_in(context) -> list:
    """The forms and formsets a page was rendered with (also inside lists and tuples)."""
    found: list = []

    def walk(value, depth: int) -> None:
        if isinstance(value, forms.BaseForm | forms.BaseFormSet):
            found.append(value)
        elif depth and isinstance(value, list | tuple):
            for item in value:
                walk(item, depth - 1)

    def contexts(value):
        if isinstance(value, list):
            for item in value:
                yield from contexts(item)
        elif value is not None:
            yield value

    for one in contexts(context):
        for value in one.flatten().values():
            walk(value, 2)
    return list({id(f): f for f in found}.values())


PLAIN = {"phone": "01632 960 001", "postcode": "SW1A 1AA"}


def plain_values(refused: list) -> dict:
    """Values a refusing form should take: plain text in refused fields, empty optional
    choices where the form as a whole refused."""
    data = {}
    all_forms = [
        f
        for item in refused
        for f in (item.forms if isinstance(item, forms.BaseFormSet) else [item])
    ]
    for form in all_forms:
        for name in form.errors:
            if name == "__all__":
                for other, field in form.fields.items():
                    if isinstance(field, forms.ChoiceField) and not field.required:
                        data[form.add_prefix(other)] = ""
            elif name in form.fields and isinstance(form.fields[name], forms.CharField):
                data[form.add_prefix(name)] = PLAIN.get(name, "Plain text")
    return data


class StoredScriptTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        census_unit(cls)

    def setUp(self) -> None:
        super().setUp()
        self.payloads = Payloads()
        self.found: list[str] = []  # "where: field, field"
        self.forms_sent: set[str] = set()
        self.personas = {
            "anonymous": None,
            "alice": self.advisor_alice,
            "dave": self.advisor_dave,
            "rita": self.researcher_rita,
            "mo": self.manager_mo,
            "fay": self.finance_fay,
            "sam": self.staff_sam,
        }

    def sign_in(self, name: str) -> None:
        self.client.logout()
        if self.personas[name] is not None:
            self.client.force_login(self.personas[name])

    def scan(self, where: str, text: str) -> None:
        hits = unescaped(text)
        if hits:
            self.found.append(f"{where}: " + ", ".join(self.payloads.named(hits)))

    # --- seeding ------------------------------------------------------------------------

    def fill_form(self, where: str, form: forms.BaseForm) -> dict:
        """POST data for a form: a payload in every free-text field, a valid choice elsewhere."""
        data: dict = {}
        for name, field in form.fields.items():
            key = form.add_prefix(name)
            initial = form[name].value()
            widget = field.widget
            if isinstance(field, forms.FileField) or widget.is_hidden and initial is not None:
                if initial is not None and not isinstance(field, forms.FileField):
                    data[key] = initial
                continue
            if isinstance(field, forms.BooleanField):
                data[key] = "on"
            elif isinstance(field, forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
                data[key] = [v for v, _ in list(field.choices)[:1] if str(v) != ""]
            elif isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
                values = [v for v, _ in field.choices if str(v) != ""]
                data[key] = (
                    str(initial) if initial not in (None, "") else (values[0] if values else "")
                )
            elif isinstance(field, forms.EmailField):
                data[key] = f"applicant{len(self.payloads.fields)}@example.org"
            elif isinstance(field, forms.DateField):
                data[key] = str(initial or timezone.localdate())
            elif isinstance(field, forms.DecimalField | forms.IntegerField | forms.FloatField):
                data[key] = str(initial if initial not in (None, "") else 1)
            elif isinstance(field, forms.URLField):
                data[key] = "https://example.org/"
            elif isinstance(field, forms.CharField) and not (field.label or "").startswith(
                "Leave this"
            ):
                data[key] = self.payloads.make(f"{where} {name}", field.max_length) or ""
            elif initial is not None:
                data[key] = initial
        return data

    def page_data(self, where: str, found: list) -> dict:
        data: dict = {}
        for form in found:
            if isinstance(form, forms.BaseFormSet):
                management = form.management_form
                data.update({management.add_prefix(n): v for n, v in management.initial.items()})
                for sub in form.forms:
                    data.update(self.fill_form(where, sub))
            else:
                data.update(self.fill_form(where, form))
        return data

    def send_every_form(self) -> int:
        """As the applicant, an advisor and a researcher, fill in every form page they open;
        where a field refuses the payload (a phone number), put a plain value there and try
        again, and where the form as a whole refuses, empty its optional choices."""
        sent = 0
        for persona in ("anonymous", "alice", "rita"):
            self.sign_in(persona)
            for route in routes():
                if route.is_admin or any(word in route.name for word in NOT_STORING):
                    continue
                for url in url_options(route)[:3]:
                    response = self.client.get(url)
                    found = forms_in(response.context) if response.status_code == 200 else []
                    if not found:
                        continue
                    data = self.page_data(f"{persona} {route.name}", found)
                    for attempt in range(3):
                        answer = self.client.post(url, data, REMOTE_ADDR=f"10.0.{attempt}.{sent}")
                        if answer.status_code == 302:
                            sent += 1
                            self.forms_sent.add(f"{persona} {route.name}")
                            break
                        refused = [f for f in forms_in(answer.context) if f.is_bound]
                        if not refused:
                            break
                        data.update(plain_values(refused))
        # An agenda proposal is sent from the meeting's page, whose own form is the RSVP.
        self.sign_in("alice")
        proposal = {
            name: self.payloads.make(f"alice meetings:portal-propose {name}")
            for name in ("title", "description", "speaker")
        }
        url = reverse("meetings:portal-propose", kwargs=alice_meeting(self))
        if self.client.post(url, proposal).status_code == 302:
            sent += 1
            self.forms_sent.add("alice meetings:portal-propose")
        return sent

    def fill_every_text_field(self) -> int:
        """Every other free-text value of every row in the unit gets a payload too."""
        filled = 0
        for model in apps.get_models():
            if model._meta.app_label not in OUR_APPS:
                continue
            fields = [
                f
                for f in model._meta.concrete_fields
                if isinstance(f, models.CharField | models.TextField)
                and not isinstance(f, models.EmailField | models.URLField | models.SlugField)
                and not f.choices
                and f.name not in NOT_FREE_TEXT
            ]
            for row in model._default_manager.all():
                values = {}
                for f in fields:
                    if "alert(" in (getattr(row, f.attname) or ""):
                        continue
                    value = self.payloads.make(f"{model._meta.label}.{f.name}", f.max_length)
                    if value is not None:
                        values[f.attname] = value
                if values:
                    model._default_manager.filter(pk=row.pk).update(**values)
                    filled += len(values)
        return filled

    def run_the_flows(self) -> None:
        """What sends email: a plan submitted and sent back, invitations, a cancellation, a
        declined application, new bank details, and every reminder that is due."""
        plan = PIEPlan.objects.get(project_id=rita_project(self)["pk"])
        ActivityFactory(plan=plan)
        plan = plan_submit(plan=plan, by=self.researcher_rita)
        plan_request_changes(
            plan=plan, by=self.staff_sam, comments={"general": PAYLOAD.format(n=0)}
        )
        meeting = Meeting.objects.filter(status=Meeting.Status.SCHEDULED).latest("starts_at")
        meeting_invite(meeting=meeting, advisors=list(Advisor.objects.all()), by=self.staff_sam)
        meeting_cancel(meeting=meeting, by=self.staff_sam)
        application = Application.objects.filter(status=Application.Status.RECEIVED).first()
        application_decline(application=application, by=self.staff_sam, message=PAYLOAD.format(n=0))
        bank_details_set(
            advisor=self.alice, account_name="A", sort_code="112233", account_number="12345678"
        )
        with self.captureOnCommitCallbacks(execute=False):
            reminders_queue(now=timezone.now())
        for pk in Delivery.objects.filter(channel=Delivery.Channel.EMAIL).values_list(
            "pk", flat=True
        ):
            delivery_send(pk)

    def render_every_email_template(self) -> int:
        """Each email template once, with the payload-filled objects under the usual names."""
        context = {
            "advisor": self.alice,
            "application": Application.objects.first(),
            "meeting": Meeting.objects.first(),
            "plan": PIEPlan.objects.first(),
            "project": Project.objects.first(),
            "user": self.advisor_alice,
            "delivery": Delivery.objects.first(),
            "invited_by": self.staff_sam,
            "message": PAYLOAD.format(n=0),
            "items": list(Delivery.objects.all()[:3]),
        }
        rendered = 0
        for name in EMAIL_NAMES:
            try:
                mail.outbox.append(make_message(name, "x@example.org", context))
                rendered += 1
            except Exception:  # a template that needs more context is covered by its flow
                continue
        return rendered

    # --- the test -------------------------------------------------------------------------

    def test_script_is_shown_as_text_everywhere(self) -> None:
        forms_sent = self.send_every_form()
        filled = self.fill_every_text_field()
        self.run_the_flows()
        templates = self.render_every_email_template()

        pages = shown = files = 0
        self.sign_in("sam")
        for route in routes():
            if route.is_admin and route.name.endswith("_export"):
                url = reverse(route.name)
                response = self.client.post(url, export_form_data(self.client, url))
                files += 1
                self.scan_cells(f"sam POST {url}", body_of(response), response["Content-Type"])
        for persona in self.personas:
            self.sign_in(persona)
            for route in routes():
                for url in url_options(route):
                    response = self.client.get(url)
                    body = body_of(response)
                    kind = response.get("Content-Type", "")
                    if response.status_code == 200 and ("csv" in kind or "spreadsheet" in kind):
                        files += 1
                        self.scan_cells(f"{persona} GET {url}", body, kind)
                    if response.status_code != 200 or "html" not in kind:
                        continue
                    text = body.decode("utf-8", "replace")
                    pages += 1
                    shown += bool(SHOWN_AS_TEXT.search(text))
                    self.scan(f"{persona} GET {url}", text)

        emails = 0
        for message in mail.outbox:
            for content, kind in getattr(message, "alternatives", []):
                if "html" in kind:
                    emails += 1
                    self.scan(f"email {message.subject!r}", content)

        pdfs = self.check_pdfs()
        stored = self.stored_payloads()
        print(
            f"\nstored script: {stored} payloads stored ({forms_sent} forms sent, "
            f"{filled} other fields); {pages} HTML pages checked ({shown} showing a payload as "
            f"text); {emails} HTML emails ({templates} of {len(EMAIL_NAMES)} templates rendered "
            f"directly); {pdfs} PDFs; {files} CSV/XLSX files; {len(self.found)} unescaped"
            f"\nforms sent: {', '.join(sorted(self.forms_sent))}"
        )
        self.assertEqual(self.found, [], "\n".join(self.found))
        # The test really looked: forms were sent, pages and emails showed the payloads.
        self.assertGreater(forms_sent, 5)
        self.assertGreater(shown, 50)
        self.assertGreater(emails, 5)
        self.assertGreater(files, 5)

    def stored_payloads(self) -> int:
        """How many text values in the database hold a payload."""
        count = 0
        for model in apps.get_models():
            if model._meta.app_label in OUR_APPS:
                for f in model._meta.concrete_fields:
                    if isinstance(f, models.CharField | models.TextField):
                        lookup = {f"{f.attname}__contains": "alert("}
                        count += model._default_manager.filter(**lookup).count()
        return count

    def scan_cells(self, where: str, body: bytes, kind: str) -> None:
        """No cell of a CSV or XLSX download starts with the payload's formula."""
        if "csv" in kind:
            cells = [c for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for c in row]
        else:
            book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
            cells = [c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
        if any(isinstance(c, str) and c.startswith("=1+1") for c in cells):
            self.found.append(f"{where}: a formula in a cell")
        self.assertTrue(cells, where)

    def check_pdfs(self) -> int:
        """Every kind of PDF: the HTML WeasyPrint gets is escaped; the PDF shows the text."""
        html: list[str] = []
        real = pdf_lib.html_to_pdf

        def capture(markup: str):
            html.append(markup)
            return real(markup)

        requests = [
            ReportRequest(kind=ReportRequest.Kind.ANNUAL, year=2026),
            ReportRequest(kind=ReportRequest.Kind.PROJECT, year=2026, project=self.project),
            ReportRequest(kind=ReportRequest.Kind.STATEMENT, year=2025, advisor=self.alice),
            ReportRequest(kind=ReportRequest.Kind.CERTIFICATE, year=2026, advisor=self.alice),
            ReportRequest(
                kind=ReportRequest.Kind.REFERENCE,
                year=2026,
                advisor=self.alice,
                letter_text=PAYLOAD.format(n=0),
            ),
        ]
        self.alice.refresh_from_db()
        self.project.refresh_from_db()
        with mock.patch.object(pdf_lib, "html_to_pdf", side_effect=capture):
            for request in requests:
                pdf, _pages = render_report(request)
                self.scan(f"PDF HTML {request.kind}", html[-1])
                if request.kind != ReportRequest.Kind.ANNUAL:
                    # The advisor's or project's own text is in it, as words.
                    self.assertRegex(pdf_text(pdf), r"<(script>alert|img src=x)", request.kind)
        return len(requests)

    def test_the_check_catches_an_unescaped_name(self) -> None:
        # Self-check: put back the original bug (an advisor's name in a form's help text,
        # marked safe) and the scan of the outputs page finds it.
        project = Project.objects.get(**rita_project(self))
        self.alice.first_name = PAYLOAD.format(n=1)
        self.alice.save()
        self.payloads.fields.append("advisors.Advisor.first_name")
        ProjectAdvisor.objects.create(project=project, advisor=self.alice, role="Advisor")
        self.client.force_login(self.researcher_rita)
        url = reverse("projects:outputs", kwargs={"pk": project.pk})
        self.scan("outputs", self.client.get(url).content.decode())
        self.assertEqual(self.found, [])
        with mock.patch(
            "projects.forms_opportunities.format_html",
            lambda text, *args: mark_safe(text.format(*args)),
        ):
            self.scan("outputs", self.client.get(url).content.decode())
        self.assertEqual(self.found, ["outputs: advisors.Advisor.first_name"])
