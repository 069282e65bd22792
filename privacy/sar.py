"""Subject access: everything held about one advisor, as a JSON, a readable PDF and their files.

What goes in, table by table, is the personal-data register (`privacy.register.rows_for`), so
a model added to the register is in the next ZIP without a change here. For each row:
- every registered field's value (bank details decrypted: the person is entitled to their own
  data; the ZIP is for the PIE team to send, downloaded only by them and logged);
- the row's dates, numbers, yes/no answers and choices (their context: when, how much, status);
- readable labels: choices in words, and what each link points at ("Meeting: PIEG 3 March").
Nothing of anyone else's: a link to another person (the member of staff who approved a claim,
another advisor) is said as "someone else", and free text of rows that are not the person's
is never read (the register only reaches rows about them). Secrets that would let someone
sign in as them (password hash, second-factor keys, tokens) are listed as held, not shown.
"""

import datetime
import io
import json
import os
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from advisors.models import Advisor, Application
from ascru_pie.lib.crypto import decrypt

from .register import Entry, rows_for

# Fields whose value would let someone else sign in as the person, or is only a keyed hash
# (meaningless to them): the ZIP says they are held and why they are not shown.
WITHHELD = {
    "ascru_pie.User.password": "held as a one-way hash only; nobody can read your password",
    "account.EmailConfirmation.key": "a one-time security code, not shown",
    "mfa.Authenticator.data": "the secret of your second factor, not shown for your safety",
    "socialaccount.SocialToken.token": "a sign-in token, not shown for your safety",
    "socialaccount.SocialToken.token_secret": "a sign-in token, not shown for your safety",
    "advisors.Application.source_hash": (
        "a scrambled code made from the internet address you applied from; "
        "the address itself is not kept"
    ),
    # An earlier ZIP holds what this one holds: putting it in again would nest every copy.
    "privacy.SubjectAccessRequest.file": "an earlier copy of this same information",
}

# Stored encrypted; the ZIP has them readable, under the field's name without the suffix.
ENCRYPTED_SUFFIX = "_encrypted"

SOMEONE_ELSE = "someone else (not included)"

# Headings in plain English; a model not listed here uses its verbose name.
TITLES = {
    "advisors.Advisor": "Your record on the register of Public Advisors",
    "advisors.Application": "Your application to become a Public Advisor",
    "advisors.ApplicationEvent": "What happened to your application",
    "advisors.EqualityMonitoring": "Your answers to the equality questions",
    "ascru_pie.User": "Your login account",
    "ascru_pie.LoginEmailChange": "Changes to your login email asked for by staff",
    "account.EmailAddress": "Email addresses of your login",
    "account.EmailConfirmation": "Email confirmations sent to you",
    "mfa.Authenticator": "Your second sign-in factors",
    "socialaccount.SocialAccount": "Outside sign-in accounts linked to your login",
    "socialaccount.SocialToken": "Tokens from outside sign-in",
    "admin.LogEntry": "Changes staff made to your record in the admin",
    "advisors.Training": "Training you completed",
    "advisors.Recognition": "Certificates and references given to you",
    "projects.ExpressionOfInterest": "Opportunities you were interested in",
    "projects.ProjectAdvisor": "Projects you were part of",
    "projects.OutputCredit": "How you are credited on papers and outputs",
    "meetings.Invitation": "Meetings you were invited to",
    "meetings.Attendance": "Meetings you attended",
    "impacts.AdvisorReflection": "What you told us about the difference you made",
    "impacts.SurveyResponse": "Your answers to surveys",
    "impacts.SurveyReceipt": "Surveys you answered anonymously (that you answered, not what)",
    "reminders.Delivery": "Reminders and messages we sent you",
    "reports.ReportRequest": "Documents we made for you",
    "payments.Claim": "Your claims for payment and expenses",
    "payments.ClaimEvent": "What happened to each of your claims",
    "payments.BankDetails": "Your bank details",
    "payments.BankDetailsChange": "Changes to your bank details",
    "advisors.Consent": "What you agreed to, and when",
    "advisors.SensitiveDataView": "When staff looked at your bank details or equality answers",
    "privacy.SubjectAccessRequest": "Copies of your information you asked for",
}

# Context fields of these kinds are safe to show whatever the row: they cannot hold a name.
CONTEXT_FIELDS = (
    models.DateField,  # and DateTimeField
    models.DecimalField,
    models.IntegerField,  # and its positive/small/big kinds
    models.BooleanField,
    models.DurationField,
)


@dataclass
class Row:
    id: str
    values: dict[str, object]
    labels: dict[str, str]
    # (name in the PDF, value in words) in the model's field order.
    lines: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Table:
    model: str
    title: str
    why: str
    rows: list[Row]


@dataclass
class HeldFile:
    """A file of theirs: where it is in the ZIP, and the storage file to copy (None: missing)."""

    path: str
    source: FieldFile | None


@dataclass
class Collected:
    advisor: Advisor
    generated_at: datetime.datetime
    tables: list[Table]
    files: list[HeldFile]


class Subject:
    """The person the ZIP is about, and how to tell their own links from other people's."""

    def __init__(self, advisor: Advisor) -> None:
        self.advisor = advisor
        self.application_ids = set(
            Application.objects.filter(advisor=advisor).values_list("pk", flat=True)
        )

    def owns(self, model: type[models.Model], pk) -> bool | None:
        """True: the link is to this person; False: to someone else; None: not a person."""
        if model is Advisor:
            return pk == self.advisor.pk
        if model is Application:
            return pk in self.application_ids
        if model._meta.label == settings.AUTH_USER_MODEL:
            return self.advisor.user_id is not None and pk == self.advisor.user_id
        return None


def subject_access_collect(
    *, advisor: Advisor, progress: Callable[[int, str], object] | None = None
) -> Collected:
    """Every registered row about the advisor; `progress(done, step)` is told after each table."""
    subject = Subject(advisor)
    tables, files = [], []
    pairs = list(rows_for(advisor))
    for n, (entry, queryset) in enumerate(pairs):
        title = table_title(entry)
        if progress:
            progress(n * 100 // len(pairs), title)
        rows = [
            _row(entry, obj, subject=subject, files=files)
            for obj in queryset.order_by("pk").select_related(*_links(entry.model_class))
        ]
        if rows:
            tables.append(Table(model=entry.model, title=title, why=entry.why, rows=rows))
    return Collected(advisor=advisor, generated_at=timezone.now(), tables=tables, files=files)


def table_title(entry: Entry) -> str:
    if entry.model in TITLES:
        return TITLES[entry.model]
    model = entry.model_class
    name = model.__name__
    base = getattr(model, "instance_type", None)
    if name.startswith("Historical") and base is not None and base._meta.label in TITLES:
        title = TITLES[base._meta.label]
        return f"Earlier versions: {title[:1].lower()}{title[1:]}"
    if name.startswith("Historical") and "_" in name:
        # The history of a many-to-many field (HistoricalAdvisor_topics).
        return f"Earlier versions: your {name.split('_', 1)[1].replace('_', ' ')}"
    plural = str(model._meta.verbose_name_plural)
    return plural[:1].upper() + plural[1:]


def value_key(name: str) -> str:
    """The name a field's value has in the JSON (encrypted fields lose their suffix)."""
    return name.removesuffix(ENCRYPTED_SUFFIX)


def _links(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.is_relation]


def _row(entry: Entry, obj: models.Model, *, subject: Subject, files: list[HeldFile]) -> Row:
    meta = obj._meta
    row = Row(id=str(obj.pk), values={}, labels={})
    for f in meta.get_fields():
        # Reverse relations are other tables' rows; the primary key is the row's id.
        if (f.auto_created and not f.concrete) or not (f.concrete or f.many_to_many):
            continue
        if f.primary_key:
            continue
        registered = f.name in entry.fields
        label = str(getattr(f, "verbose_name", f.name))
        label = label[:1].upper() + label[1:]
        key = f"{entry.model}.{f.name}"
        if key in WITHHELD:
            row.values[f.name] = None
            row.labels[f.name] = f"Held: {WITHHELD[key]}"
            row.lines.append((label, row.labels[f.name]))
        elif f.many_to_many:
            if registered:
                words = _many(obj, f, subject)
                row.values[f.name] = words
                row.lines.append((label, ", ".join(words) or "none"))
        elif f.is_relation:
            words = _link(obj, f, subject)
            if registered:
                row.values[f.name] = words
            if words is not None:
                row.labels[f.name] = words
                row.lines.append((label, words))
        elif isinstance(f, models.FileField):
            if registered:
                row.values[f.name] = _file(entry, obj, f, files)
                row.lines.append((label, _file_words(row.values[f.name])))
        elif registered or isinstance(f, CONTEXT_FIELDS) or f.choices:
            raw = getattr(obj, f.attname)
            name = f.name
            if registered and name.endswith(ENCRYPTED_SUFFIX):
                name, label = value_key(name), label.removesuffix(" encrypted")
                raw = decrypt(raw) if raw else raw
            row.values[name] = plain(raw)
            words = _words(obj, f, raw)
            if f.choices and raw not in (None, ""):
                row.labels[name] = words
            row.lines.append((label, words))
    return row


def _link(obj: models.Model, f: models.Field, subject: Subject) -> str | None:
    pk = getattr(obj, f.attname)
    if pk is None:
        return None
    owns = subject.owns(f.related_model, pk)
    if owns is False:
        return SOMEONE_ELSE
    if owns:
        return subject.advisor.full_name
    target = getattr(obj, f.name)
    # A record about another person (their invitation, their claim) is named by its own
    # words, which may hold their name: say "someone else" for it too.
    if any(
        subject.owns(g.related_model, getattr(target, g.attname)) is False for g in _people(target)
    ):
        return SOMEONE_ELSE
    return f"{target._meta.verbose_name[:1].upper()}{target._meta.verbose_name[1:]}: {target}"


def _people(obj: models.Model) -> list[models.Field]:
    """The links from a record to people (advisors, applicants, logins) that say whose it is."""
    people = (Advisor, Application)
    return [
        f
        for f in obj._meta.concrete_fields
        if f.is_relation and f.related_model in people and getattr(obj, f.attname) is not None
    ]


def _many(obj: models.Model, f: models.Field, subject: Subject) -> list[str]:
    """The labels of a many-to-many field; of people, only the person themself."""
    words = []
    for target in getattr(obj, f.name).order_by("pk"):
        owns = subject.owns(f.related_model, target.pk)
        if owns is None:
            words.append(str(target))
        elif owns:
            words.append(subject.advisor.full_name)
    return words


def _file(entry: Entry, obj: models.Model, f: models.Field, files: list[HeldFile]) -> str:
    held = getattr(obj, f.name)
    if not held:
        return ""
    app, model = entry.model.split(".")
    path = f"files/{app}-{model.lower()}/{obj.pk}-{f.name}-{os.path.basename(held.name)}"
    exists = held.storage.exists(held.name)
    files.append(HeldFile(path=path, source=held if exists else None))
    return path


def _file_words(path: object) -> str:
    return f"in this ZIP as {path}" if path else "none"


def _words(obj: models.Model, f: models.Field, raw: object) -> str:
    if raw is None or raw == "":
        return "—"
    if f.choices:
        return str(getattr(obj, f"get_{f.name}_display")())
    if isinstance(raw, bool):
        return "Yes" if raw else "No"
    if isinstance(raw, datetime.datetime):
        return timezone.localtime(raw).strftime("%-d %B %Y, %H:%M")
    if isinstance(raw, datetime.date):
        return raw.strftime("%-d %B %Y")
    if isinstance(raw, dict | list):
        return json.dumps(raw, ensure_ascii=False, sort_keys=True, default=str)
    return str(raw)


def plain(value: object) -> object:
    """A value as JSON holds it: ISO dates and times, Decimals and ids as strings."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID | datetime.timedelta):
        return str(value)
    return value


def subject_access_json(collected: Collected) -> bytes:
    """The JSON: stable (sorted keys, tables in register order, rows by id), UTF-8."""
    document = {
        "about": {
            "advisor_id": collected.advisor.pk,
            "name": collected.advisor.full_name,
        },
        "generated_at": collected.generated_at.isoformat(),
        "tables": [
            {
                "model": t.model,
                "title": t.title,
                "why_we_hold_it": t.why,
                "rows": [{"id": r.id, "values": r.values, "labels": r.labels} for r in t.rows],
            }
            for t in collected.tables
        ],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False).encode()


def subject_access_pdf(collected: Collected) -> bytes:
    """The readable copy: one section per table, in plain English (WeasyPrint, in the worker)."""
    # WeasyPrint takes a second to import: only the worker needs it.
    from ascru_pie.lib.pdf import render_pdf

    pdf, _pages = render_pdf(
        "privacy/pdf/sar_document.html",
        {"c": collected, "advisor": collected.advisor, "generated": collected.generated_at},
    )
    return pdf


README = """\
Everything the ASCRU2 PIE team holds about {name}, made on {made}.

- {stem}.pdf: the same information to read, one section per kind of record.
- {stem}.json: every value, for a computer (dates are ISO 8601, amounts are text).
- files/: the files we hold (receipts, certificates, documents we made for you).

This copy includes your bank details and your answers to the equality questions.
Please keep it safe.
"""


def subject_access_zip(
    *, advisor: Advisor, progress: Callable[[int, str], object] | None = None
) -> bytes:
    """The ZIP the PIE team sends: README, PDF, JSON and the person's files."""

    def told(percent: int, step: str) -> None:
        # Reading the tables is most of the work; the PDF and ZIP take the last tenth.
        if progress:
            progress(percent * 90 // 100, f"Reading: {step}")

    collected = subject_access_collect(advisor=advisor, progress=told)
    if progress:
        progress(90, "Making the PDF")
    pdf = subject_access_pdf(collected)
    if progress:
        progress(95, "Putting the ZIP together")
    stem = f"subject-access-{advisor.pk}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        made = timezone.localtime(collected.generated_at).strftime("%-d %B %Y, %H:%M")
        archive.writestr("README.txt", README.format(name=advisor.full_name, made=made, stem=stem))
        archive.writestr(f"{stem}.pdf", pdf)
        archive.writestr(f"{stem}.json", subject_access_json(collected))
        for held in collected.files:
            if held.source is None:
                archive.writestr(f"{held.path}.missing.txt", "This file was not found in storage.")
                continue
            with held.source.open("rb") as fh:
                archive.writestr(held.path, fh.read())
    return buffer.getvalue()
