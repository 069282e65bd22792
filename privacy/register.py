"""The register of personal data: every model and field that holds it, in code.

One list answers the data protection officer's questions ("what do we hold, of what kind,
and what happens to it when a person is erased?") and drives the code that acts on it:
subject access (privacy.sar) reads `rows_for(advisor)`, erasure (privacy.erasure) applies
each field's `Erasure`. tests/privacy/test_register.py fails when a model of ours, or of the
third-party apps that hold personal data, is in neither REGISTER nor NOT_PERSONAL.

Historical models (django-simple-history, `HistoricalX`) are registered generically: each one
gets the entry of the model it records, limited to the fields it copies (see `entries()`).
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q, QuerySet


class Category(models.TextChoices):
    """The kind of personal data, in the words a data protection officer uses."""

    CONTACT = "contact", "contact details"
    IDENTITY = "identity", "name and identity"
    SPECIAL = "special", "special category"
    FINANCIAL = "financial", "financial"
    FREE_TEXT = "free_text", "free text that may hold anything they or staff wrote"
    ACCOUNT = "account", "login account"
    FILE = "file", "uploaded or generated file"
    PREFERENCE = "preference", "preferences and circumstances"
    PARTICIPATION = "participation", "what they took part in"


class Erasure(models.TextChoices):
    """What erasing the person does to a field (or to the whole row)."""

    EMPTY = "empty", "emptied"
    PSEUDONYM = "pseudonym", "replaced by a pseudonym"
    DELETE_FILE = "delete_file", "file deleted"
    DELETE_ROW = "delete_row", "row deleted"
    UNUSABLE = "unusable", "made unusable (no one can sign in)"
    DEFAULT = "default", "set back to the default"
    KEEP = "keep", "kept: financial record"
    KEEP_LINK = "keep_link", "kept: only links to the pseudonymised person"
    SCRUB = "scrub", "their name in the text replaced by the pseudonym (in everyone's rows)"


C, E = Category, Erasure
ADVISOR, APPLICATION = "advisors.Advisor", "advisors.Application"


@dataclass(frozen=True)
class Entry:
    """One model's personal data.

    `subject` is the ORM path from this model to advisors.Advisor: "" for Advisor itself,
    "advisor", "claim__advisor", "user__advisor" (for rows about an advisor's login).
    Rows about someone who never became an advisor are found by `applicant`, the path to
    advisors.Application ("" for Application itself; None when the model never holds
    applicants' data). Models whose rows cannot be reached by a path (the admin's log)
    give a `finder(advisor) -> QuerySet` instead; `subject` is then None.
    """

    model: str
    subject: str | None
    fields: dict[str, tuple[Category, Erasure]]
    why: str
    applicant: str | None = None
    finder: Callable | None = field(default=None, compare=False)
    applicant_finder: Callable | None = field(default=None, compare=False)

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def deletes_row(self) -> bool:
        return any(erasure == E.DELETE_ROW for _, erasure in self.fields.values())

    def queryset_for(self, advisor) -> QuerySet:
        manager = self.model_class._default_manager
        if self.finder is not None:
            return self.finder(advisor)
        if self.subject == "":
            return manager.filter(pk=advisor.pk)
        return manager.filter(**{self.subject: advisor})

    def queryset_for_application(self, application) -> QuerySet:
        manager = self.model_class._default_manager
        if self.applicant_finder is not None:
            return self.applicant_finder(application)
        if self.applicant is None:
            return manager.none()
        if self.applicant == "":
            return manager.filter(pk=application.pk)
        return manager.filter(**{self.applicant: application})


def _admin_log_entries(advisor) -> QuerySet:
    """The admin's own log names objects (object_repr): find the ones about this advisor."""
    log_entry = apps.get_model("admin", "LogEntry")
    content_type = apps.get_model("contenttypes", "ContentType").objects.get_for_model
    about = Q(
        content_type=content_type(apps.get_model("advisors", "Advisor")),
        object_id=str(advisor.pk),
    )
    if advisor.user_id:
        about |= Q(
            content_type=content_type(advisor.user.__class__), object_id=str(advisor.user_id)
        )
    return log_entry.objects.filter(about)


def _import_jobs(advisor) -> QuerySet:
    """Register imports whose problems or waiting file may name this advisor."""
    jobs = apps.get_model("advisors", "ImportJob").objects
    if not advisor.email:
        return jobs.none()
    return jobs.filter(problems__icontains=advisor.email)


PERSON_DETAILS = {
    "first_name": (C.IDENTITY, E.PSEUDONYM),
    "last_name": (C.IDENTITY, E.PSEUDONYM),
    "email": (C.CONTACT, E.EMPTY),
    "phone": (C.CONTACT, E.EMPTY),
    "address": (C.CONTACT, E.EMPTY),
    "postcode": (C.CONTACT, E.EMPTY),
    "contact_method": (C.PREFERENCE, E.DEFAULT),
    "contact_format": (C.PREFERENCE, E.DEFAULT),
    "contact_format_other": (C.PREFERENCE, E.EMPTY),
    "lived_experience_detail": (C.SPECIAL, E.EMPTY),
    "availability": (C.PREFERENCE, E.EMPTY),
    "support_needs": (C.SPECIAL, E.EMPTY),
    "heard_about": (C.FREE_TEXT, E.EMPTY),
    "staff_notes": (C.FREE_TEXT, E.EMPTY),
}

EQUALITY_ANSWERS = (
    "age_band",
    "sex",
    "gender_identity",
    "ethnicity",
    "disability",
    "sexual_orientation",
    "religion",
    "carer",
    "region",
)

REGISTER: tuple[Entry, ...] = (
    # --- people and their logins -----------------------------------------------------------
    Entry(
        "advisors.Advisor",
        "",
        PERSON_DETAILS
        | {
            "lived_experience": (C.SPECIAL, E.EMPTY),
            "topics": (C.PREFERENCE, E.EMPTY),
            "acknowledgement": (C.PREFERENCE, E.DEFAULT),
            "payment_preference": (C.FINANCIAL, E.DEFAULT),
            "annual_limit": (C.FINANCIAL, E.EMPTY),
            "enhanced_support": (C.SPECIAL, E.DEFAULT),
            "support_budget": (C.SPECIAL, E.EMPTY),
            "pieg_member": (C.PARTICIPATION, E.KEEP_LINK),
            "status": (C.PARTICIPATION, E.KEEP_LINK),
            "joined_on": (C.PARTICIPATION, E.KEEP_LINK),
            "left_on": (C.PARTICIPATION, E.KEEP_LINK),
        },
        "The register of Public Advisors: who they are, how to reach them and how to support "
        "them. The row stays, renamed to a pseudonym and marked as left, so claims and "
        "payments keep their owner.",
    ),
    Entry(
        "advisors.Application",
        "advisor",
        PERSON_DETAILS
        | {
            "lived_experience": (C.SPECIAL, E.EMPTY),
            "topics": (C.PREFERENCE, E.EMPTY),
            "source_hash": (C.CONTACT, E.EMPTY),
            "consented_at": (C.PARTICIPATION, E.KEEP_LINK),
            "privacy_notice_version": (C.PARTICIPATION, E.KEEP_LINK),
        },
        "What a member of the public sent to /apply/. Kept pseudonymised (with its consent "
        "date) so the count of applications stays true; declined ones are erased by retention.",
        applicant="",
    ),
    Entry(
        "advisors.ApplicationEvent",
        "application__advisor",
        {"note": (C.FREE_TEXT, E.SCRUB)},
        "Who moved an application on and why; the note may name the applicant.",
        applicant="application",
    ),
    Entry(
        "advisors.EqualityMonitoring",
        "advisor",
        dict.fromkeys(EQUALITY_ANSWERS, (C.SPECIAL, E.DELETE_ROW)),
        "Optional equality answers (special category). Deleted on erasure: aggregates are "
        "computed when asked, nothing stores them.",
        applicant="application",
    ),
    Entry(
        "ascru_pie.User",
        "advisor",
        {
            "username": (C.ACCOUNT, E.PSEUDONYM),
            "email": (C.CONTACT, E.EMPTY),
            "first_name": (C.IDENTITY, E.EMPTY),
            "last_name": (C.IDENTITY, E.EMPTY),
            "password": (C.ACCOUNT, E.UNUSABLE),
            "is_active": (C.ACCOUNT, E.UNUSABLE),
            "last_login": (C.ACCOUNT, E.EMPTY),
            "groups": (C.ACCOUNT, E.UNUSABLE),
        },
        "An advisor's login. Kept (deactivated, renamed) because claims and events point at "
        "the user who entered them. Staff logins are personal data too but are not erased here.",
    ),
    Entry(
        "ascru_pie.LoginEmailChange",
        "user__advisor",
        {"old_email": (C.CONTACT, E.DELETE_ROW), "new_email": (C.CONTACT, E.DELETE_ROW)},
        "A change of login email asked for by staff, waiting for confirmation (or done).",
    ),
    Entry(
        "account.EmailAddress",
        "user__advisor",
        {"email": (C.CONTACT, E.DELETE_ROW)},
        "django-allauth's record of a login's email addresses and whether they are verified.",
    ),
    Entry(
        "account.EmailConfirmation",
        "email_address__user__advisor",
        {"key": (C.ACCOUNT, E.DELETE_ROW)},
        "A pending 'confirm your email' link.",
    ),
    Entry(
        "mfa.Authenticator",
        "user__advisor",
        {"data": (C.ACCOUNT, E.DELETE_ROW), "type": (C.ACCOUNT, E.DELETE_ROW)},
        "An advisor's second factor (authenticator app, recovery codes, passkey).",
    ),
    Entry(
        "socialaccount.SocialAccount",
        "user__advisor",
        {"uid": (C.ACCOUNT, E.DELETE_ROW), "extra_data": (C.IDENTITY, E.DELETE_ROW)},
        "A link to an outside sign-in (university identity provider) and what it told us.",
    ),
    Entry(
        "socialaccount.SocialToken",
        "account__user__advisor",
        {"token": (C.ACCOUNT, E.DELETE_ROW), "token_secret": (C.ACCOUNT, E.DELETE_ROW)},
        "Tokens from an outside sign-in.",
    ),
    Entry(
        "advisors.ImportJob",
        None,
        {"problems": (C.FREE_TEXT, E.EMPTY), "filename": (C.FREE_TEXT, E.EMPTY)},
        "A register import's progress: counts, and problems that may quote a cell (an email "
        "address). The uploaded file is emptied as soon as the import ends.",
        finder=_import_jobs,
    ),
    Entry(
        "admin.LogEntry",
        None,
        {"object_repr": (C.IDENTITY, E.PSEUDONYM)},
        "The admin's history names the object changed ('Alice Smith'); the name is replaced.",
        finder=_admin_log_entries,
    ),
    # --- their involvement ---------------------------------------------------------------
    Entry(
        "advisors.Training",
        "advisor",
        {
            "course": (C.PARTICIPATION, E.DELETE_ROW),
            "provider": (C.PARTICIPATION, E.DELETE_ROW),
            "certificate": (C.FILE, E.DELETE_FILE),
        },
        "Training an advisor completed, with the certificate.",
    ),
    Entry(
        "advisors.Recognition",
        "advisor",
        {"kind": (C.PARTICIPATION, E.DELETE_ROW), "note": (C.FREE_TEXT, E.DELETE_ROW)},
        "Certificates of involvement and references given.",
    ),
    Entry(
        "projects.ExpressionOfInterest",
        "advisor",
        {"note": (C.FREE_TEXT, E.EMPTY), "support_needed": (C.SPECIAL, E.EMPTY)},
        "An advisor's interest in an opportunity, with their message and support needs. The "
        "row stays (pseudonymised) so the opportunity's count of interest stays true.",
    ),
    Entry(
        "projects.SelectionEvent",
        "interest__advisor",
        {"action": (C.PARTICIPATION, E.KEEP_LINK), "note": (C.FREE_TEXT, E.EMPTY)},
        "Who selected an advisor for an opportunity, or undid it, and why: the staff's audit. "
        "Kept, pointing at the pseudonym; the reason is emptied.",
    ),
    Entry(
        "projects.ProjectAdvisor",
        "advisor",
        {"role": (C.PARTICIPATION, E.KEEP_LINK)},
        "Which projects an advisor was on: kept, pointing at the pseudonym, for project "
        "reports (GRIPP2) and budgets.",
    ),
    Entry(
        "projects.OutputCredit",
        "advisor",
        {"credit": (C.PARTICIPATION, E.KEEP_LINK), "named_as": (C.IDENTITY, E.EMPTY)},
        "How an advisor is credited on a paper or output (co-author, acknowledged): kept, "
        "pointing at the pseudonym, because the output was published with it. The name it "
        "was published under is emptied (it then shows the pseudonym).",
    ),
    Entry(
        "meetings.Invitation",
        "advisor",
        {
            "needs": (C.SPECIAL, E.EMPTY),
            "rsvp": (C.PARTICIPATION, E.KEEP_LINK),
            "answered_how": (C.PARTICIPATION, E.KEEP_LINK),
        },
        "Invitations to meetings, with the access needs an advisor told us for that meeting "
        "and how their answer reached us.",
    ),
    Entry(
        "meetings.Attendance",
        "advisor",
        {
            "status": (C.PARTICIPATION, E.KEEP_LINK),
            "minutes_attended": (C.PARTICIPATION, E.KEEP_LINK),
            "preparation_hours": (C.PARTICIPATION, E.KEEP_LINK),
        },
        "Who attended which meeting: the basis of time claims, so kept with the claims.",
    ),
    Entry(
        "impacts.AdvisorReflection",
        "advisor",
        {"text": (C.FREE_TEXT, E.DELETE_ROW)},
        "An advisor's own words about the impact of their involvement.",
    ),
    Entry(
        "impacts.SurveyResponse",
        "advisor",
        {
            "works_well": (C.FREE_TEXT, E.EMPTY),
            "does_not_work": (C.FREE_TEXT, E.EMPTY),
            "take_part_again": (C.PREFERENCE, E.KEEP_LINK),
        },
        "Named survey answers (anonymous ones have no advisor). Scores stay for the survey's "
        "totals; the written answers are emptied.",
    ),
    Entry(
        "impacts.SurveyReceipt",
        "advisor",
        {"survey": (C.PARTICIPATION, E.KEEP_LINK)},
        "That an advisor answered an anonymous survey (not what they answered).",
    ),
    Entry(
        "reminders.Delivery",
        "advisor",
        {
            "recipient": (C.CONTACT, E.EMPTY),
            "subject": (C.FREE_TEXT, E.EMPTY),
            "object_label": (C.FREE_TEXT, E.EMPTY),
            "context": (C.FREE_TEXT, E.EMPTY),
            "error": (C.FREE_TEXT, E.EMPTY),
            "outcome": (C.FREE_TEXT, E.EMPTY),
        },
        "Reminders sent to an advisor (the delivery log): kept as a count, without the address "
        "or what was said.",
    ),
    Entry(
        "reports.ReportRequest",
        "advisor",
        {
            "letter_text": (C.FREE_TEXT, E.DELETE_ROW),
            "file": (C.FILE, E.DELETE_FILE),
            # The member of staff who gives a reference (not the advisor): gone with the row.
            "referee_name": (C.IDENTITY, E.DELETE_ROW),
            "referee_role": (C.IDENTITY, E.DELETE_ROW),
            "referee_contact": (C.CONTACT, E.DELETE_ROW),
        },
        "Letters and statements generated for one advisor (e.g. a payment statement).",
    ),
    Entry(
        "reports.ReportExample",
        "reflection__advisor",
        {"text": (C.FREE_TEXT, E.DELETE_ROW)},
        "An advisor's reflection chosen by the PIE team as an annual-report example, in words "
        "agreed with them; removed with the reflection.",
    ),
    Entry(
        "advisors.Consent",
        "advisor",
        {
            "note": (C.FREE_TEXT, E.EMPTY),
            "purpose": (C.PARTICIPATION, E.KEEP_LINK),
            "given": (C.PARTICIPATION, E.KEEP_LINK),
            "method": (C.PARTICIPATION, E.KEEP_LINK),
            "privacy_notice_version": (C.PARTICIPATION, E.KEEP_LINK),
        },
        "Consent given and withdrawn (append-only evidence of our lawful basis): kept under "
        "the pseudonym, the free-text note emptied.",
    ),
    Entry(
        "advisors.SensitiveDataView",
        "advisor",
        {"what": (C.PARTICIPATION, E.KEEP_LINK), "where": (C.PARTICIPATION, E.KEEP_LINK)},
        "Who saw an advisor's equality answers or bank details: the audit log holds no values, "
        "and is kept pointing at the pseudonym.",
        applicant="application",
    ),
    Entry(
        "privacy.SubjectAccessRequest",
        "advisor",
        {"file": (C.FILE, E.DELETE_FILE), "error": (C.FREE_TEXT, E.EMPTY)},
        "A subject access request: the ZIP holds everything about the advisor, so erasure "
        "deletes it; that the request was answered, and when, is kept.",
    ),
    # --- money ---------------------------------------------------------------------------
    Entry(
        "payments.Claim",
        "advisor",
        {
            "amount": (C.FINANCIAL, E.KEEP),
            "activity_date": (C.FINANCIAL, E.KEEP),
            "hours": (C.FINANCIAL, E.KEEP),
            "paid_on": (C.FINANCIAL, E.KEEP),
            "computation": (C.FINANCIAL, E.KEEP),
            "receipt": (C.FILE, E.KEEP),
            "description": (C.FREE_TEXT, E.EMPTY),
            "rejection_reason": (C.FREE_TEXT, E.EMPTY),
        },
        "Claims and payments: kept with amounts and dates (tax-year totals, budgets and the "
        "finance audit) under the pseudonym. Receipts are financial records: the retention job "
        "deletes them RETENTION_FINANCIAL_YEARS after the claim.",
    ),
    Entry(
        "payments.ClaimEvent",
        "claim__advisor",
        {"note": (C.FREE_TEXT, E.SCRUB), "new_amount": (C.FINANCIAL, E.KEEP)},
        "The audit trail of each claim (who, when, old → new amount). Their name in any "
        "claim's notes is replaced by the pseudonym; amounts and dates stay.",
    ),
    Entry(
        "payments.BankDetails",
        "advisor",
        {
            "account_name": (C.FINANCIAL, E.DELETE_ROW),
            "sort_code_encrypted": (C.FINANCIAL, E.DELETE_ROW),
            "account_number_encrypted": (C.FINANCIAL, E.DELETE_ROW),
            "account_number_last4": (C.FINANCIAL, E.DELETE_ROW),
        },
        "Where to pay an advisor (encrypted). Deleted on erasure: payments already made keep "
        "their reference in the batch.",
    ),
    Entry(
        "payments.BankDetailsChange",
        "advisor",
        {
            "old_last4": (C.FINANCIAL, E.KEEP),
            "new_last4": (C.FINANCIAL, E.KEEP),
            "account_name": (C.FINANCIAL, E.EMPTY),
            "sort_code_encrypted": (C.FINANCIAL, E.EMPTY),
            "account_number_encrypted": (C.FINANCIAL, E.EMPTY),
        },
        "Who changed an advisor's bank details and when (last four digits only): a fraud "
        "control, kept as a financial record; the retention job empties the digits "
        "RETENTION_FINANCIAL_YEARS later. Details still waiting for confirmation are emptied.",
    ),
)

NOT_PERSONAL: dict[str, str] = {
    "reports.StandardNarrative": "The PIE team's account of a year for one UK Standard.",
    "auth.Permission": "What a role may do.",
    "auth.Group": "The roles (PIE team, finance, …); membership is on the user.",
    "contenttypes.ContentType": "Django's list of models.",
    "sessions.Session": "A signed session holding only a user id, gone within days; erasure "
    "deactivates the user, and a deactivated user's session no longer signs them in.",
    "socialaccount.SocialApp": "The configuration of an outside sign-in provider.",
    "ascru_pie.WorkerHeartbeat": "A token the health check uses to see that a worker runs.",
    "advisors.LivedExperience": "The fixed list of kinds of lived experience.",
    "advisors.Topic": "The fixed list of research topics.",
    "rates.RateCard": "Payment rates.",
    "projects.Project": "Research projects; researchers are users, linked by membership.",
    "projects.ProjectMembership": "Which staff and researchers work on a project (staff "
    "accounts, not public advisors).",
    "projects.PIEPlan": "A project's involvement plan and budget.",
    "projects.PlannedActivity": "Planned involvement activities (counts, not people).",
    "projects.ReviewComment": "Staff comments on a plan.",
    "projects.PlanEvent": "A plan's status changes.",
    "projects.Opportunity": "An opportunity to get involved, as advertised.",
    "projects.Output": "Papers and outputs; advisors' credits are in OutputCredit.",
    "meetings.Meeting": "Meetings; who attended is in Attendance and Invitation.",
    "meetings.MeetingPaper": "Papers for a meeting, for everyone invited.",
    "meetings.AgendaItem": "Agenda items proposed by staff or researchers.",
    "payments.PaymentBatch": "A batch of payments (totals, references); the people are on "
    "its claims.",
    "payments.BatchCounter": "The counter that numbers batches.",
    "payments.CentralBudget": "The unit's budgets.",
    "impacts.Standard": "The UK Standards for Public Involvement.",
    "impacts.ImpactRecord": "What changed in a project because of involvement, recorded by "
    "staff about the project; advisors' own words are in AdvisorReflection, and its "
    "contributors link to advisor rows (pseudonymised on erasure).",
    "impacts.GrippSummary": "A project's GRIPP2 summary.",
    "impacts.Survey": "A survey's title and dates; answers are in SurveyResponse.",
    "homes.Resource": "Guides, training material and links the PIE team shares with every "
    "advisor; it records no one's details (not even who uploaded it).",
    "privacy.ErasureRecord": "That someone was erased: the pseudonym, who asked, when and "
    "how many rows changed; never the erased values.",
    "privacy.RetentionRun": "What each run of the retention job did (counts only).",
    "privacy.SubjectAccessDownload": "Which PIE team member downloaded a subject access ZIP "
    "(staff, not the subject; the subject is on the request).",
}


def _historical_entry(history_model: type[models.Model], base: Entry) -> Entry:
    """The entry for a simple-history model: its base model's fields that it copies, and the
    base model's path when its first step is a foreign key the history copies; otherwise
    (the person's own row, or a reverse step) the history rows whose `id` is a current row's."""
    copied = {f.name for f in history_model._meta.get_fields()}
    fields = {name: value for name, value in base.fields.items() if name in copied}
    fields["history_change_reason"] = (C.FREE_TEXT, E.EMPTY)
    manager = history_model._default_manager

    def direct(path: str | None) -> bool:
        return bool(path) and path.split("__", 1)[0] in copied

    subject, applicant, finder, applicant_finder = base.subject, base.applicant, None, None
    if base.subject is not None and not direct(base.subject):
        subject = None

        def finder(advisor):
            return manager.filter(id__in=base.queryset_for(advisor).values("pk"))

    if base.applicant is not None and not direct(base.applicant):
        applicant = None

        def applicant_finder(application):
            return manager.filter(id__in=base.queryset_for_application(application).values("pk"))

    return Entry(
        model=history_model._meta.label,
        subject=subject,
        fields=fields,
        why=f"The change history of {base.model}: old values, scrubbed like the record itself.",
        applicant=applicant,
        finder=finder,
        applicant_finder=applicant_finder,
    )


def is_historical(model: type[models.Model]) -> bool:
    """A django-simple-history model (it names the model it records as `instance_type`)."""
    return hasattr(model, "instance_type") and model._meta.model_name.startswith("historical")


def _m2m_history_entry(through: type[models.Model], base: Entry) -> Entry:
    """The history of a many-to-many field (`HistoricalAdvisor_topics`): which choices a
    version had. Its rows go with the person (deleted on erasure)."""
    base_model = base.model_class
    owner = next(
        f for f in through._meta.concrete_fields if f.is_relation and f.related_model is base_model
    )
    other = next(
        f
        for f in through._meta.concrete_fields
        if f.is_relation and f.name not in (owner.name, "history")
    )
    m2m_name = through._meta.model_name.split("_", 1)[1]
    category = base.fields.get(m2m_name, (C.PREFERENCE, E.EMPTY))[0]
    subject = None
    if base.subject is not None:
        subject = owner.name if base.subject == "" else f"{owner.name}__{base.subject}"
    applicant = None
    if base.applicant is not None:
        applicant = owner.name if base.applicant == "" else f"{owner.name}__{base.applicant}"
    return Entry(
        model=through._meta.label,
        subject=subject,
        fields={other.name: (category, E.DELETE_ROW)},
        why=f"Past choices of {base.model}.{m2m_name}, kept with its change history.",
        applicant=applicant,
    )


def is_m2m_history(model: type[models.Model]) -> bool:
    """simple-history's record of a many-to-many field, linked to one historical row."""
    try:
        history = model._meta.get_field("history")
    except FieldDoesNotExist:
        return False
    return history.is_relation and is_historical(history.related_model)


@cache
def entries() -> tuple[Entry, ...]:
    """REGISTER plus one entry for each historical model of a registered model (and for
    the history of its many-to-many fields)."""
    by_label = {entry.model: entry for entry in REGISTER if _installed(entry.model)}
    derived = []
    for model in apps.get_models():
        if is_m2m_history(model):
            history_of = model._meta.get_field("history").related_model.instance_type
            base = by_label.get(history_of._meta.label)
            if base is not None:
                derived.append(_m2m_history_entry(model, base))
        elif is_historical(model):
            base = by_label.get(model.instance_type._meta.label)
            if base is not None:
                derived.append(_historical_entry(model, base))
    return tuple(by_label.values()) + tuple(derived)


def _installed(label: str) -> bool:
    """A registered model that is not installed (yet) is left out; problems() reports it."""
    try:
        apps.get_model(label)
    except LookupError:
        return False
    return True


def entry_for(label: str) -> Entry:
    return next(entry for entry in entries() if entry.model == label)


def rows_for(advisor) -> Iterator[tuple[Entry, QuerySet]]:
    """Every registered model's rows about this advisor (for subject access and erasure)."""
    for entry in entries():
        yield entry, entry.queryset_for(advisor)


def rows_for_application(application) -> Iterator[tuple[Entry, QuerySet]]:
    """Every registered model's rows about an applicant (not, or not yet, an advisor)."""
    for entry in entries():
        if entry.applicant is not None or entry.applicant_finder is not None:
            yield entry, entry.queryset_for_application(application)


def field_exists(model: type[models.Model], name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


# Field names that look like someone's data: a text or file field called this must be listed.
PERSONAL_LOOKING = re.compile(
    r"name|email|phone|address|postcode|note|needs|support|detail|text|comment|reason|"
    r"recipient|uid|account|sort_code|certificate|receipt|file|evidence|letter|description|"
    r"credit|experience|availability|heard|works_well|does_not_work|context|repr|token|secret"
)
TEXT_FIELDS = (models.CharField, models.TextField, models.FileField, models.JSONField)


def _path_ends_at(model: type[models.Model], path: str, target: str) -> bool:
    for step in path.split("__") if path else []:
        try:
            model = model._meta.get_field(step).related_model
        except FieldDoesNotExist:
            return False
        if model is None:
            return False
    return model._meta.label == target


def problems(
    register: tuple[Entry, ...] | None = None,
    not_personal: dict[str, str] | None = None,
    all_models: list[type[models.Model]] | None = None,
) -> list[str]:
    """Everything wrong with the register, in sentences (the test prints them)."""
    if register is None:
        register = REGISTER + tuple(
            e for e in entries() if e.model not in {r.model for r in REGISTER}
        )
    not_personal = NOT_PERSONAL if not_personal is None else not_personal
    all_models = apps.get_models() if all_models is None else all_models
    found = []
    by_label = {entry.model: entry for entry in register}
    for model in all_models:
        label = model._meta.label
        if label not in by_label and label not in not_personal:
            found.append(f"{label} is in neither REGISTER nor NOT_PERSONAL")
        if label in by_label and label in not_personal:
            found.append(f"{label} is in both REGISTER and NOT_PERSONAL")
    for entry in register:
        try:
            model = entry.model_class
        except LookupError:
            found.append(f"{entry.model} is registered but is not a model")
            continue
        for name in entry.fields:
            if not field_exists(model, name):
                found.append(f"{entry.model}.{name} is registered but does not exist")
        for model_field in model._meta.concrete_fields:
            if (
                isinstance(model_field, TEXT_FIELDS)
                and PERSONAL_LOOKING.search(model_field.name)
                and model_field.name not in entry.fields
            ):
                found.append(f"{entry.model}.{model_field.name} looks personal but is not listed")
        if entry.subject is not None and not _path_ends_at(model, entry.subject, ADVISOR):
            found.append(f"{entry.model}: subject {entry.subject!r} does not lead to {ADVISOR}")
        if entry.applicant is not None and not _path_ends_at(model, entry.applicant, APPLICATION):
            found.append(
                f"{entry.model}: applicant {entry.applicant!r} does not lead to {APPLICATION}"
            )
        if entry.subject is None and entry.finder is None:
            found.append(f"{entry.model} has neither a subject path nor a finder")
    return found
