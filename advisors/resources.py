"""CSV/XLSX import and export of the register (django-import-export).

Equality answers are never part of it: they are special-category data. Finance exports
`AdvisorPaymentResource` instead: only the columns advisors.access gives finance. Exporting the register
and importing the file back changes nothing (tests/test_round_trip.py); the file checks, UK
dates and plain problems come from `ascru_pie.lib.imports.SafeModelResource`.
"""

from dataclasses import dataclass, field

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db import models
from django.utils import timezone
from import_export import fields, widgets
from import_export.instance_loaders import BaseInstanceLoader
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ascru_pie.lib.imports import RowRefused, SafeModelResource, StrictManyToManyWidget
from ascru_pie.roles import Role

from . import services
from .access import ADVISOR_FIELDS_BY_ROLE
from .models import Advisor, ContactFormat, ContactMethod, LivedExperience, PaymentPreference, Topic

# Rows written per INSERT/UPDATE statement.
BATCH_SIZE = 1000
# How many rows of a file the preview shows (it gives counts for the rest).
SAMPLE_ROWS = 50
# How often (in rows) an import reports how far it has got.
PROGRESS_EVERY = 250
CHANGE_REASON = "Register import"


class ChoiceWidget(widgets.Widget):
    """Accept a choice by its value or its label (case-insensitive); refuse anything else by name."""

    def __init__(self, choices, **kwargs) -> None:
        super().__init__(**kwargs)
        self.choices = choices
        self._keys: dict[str, str] | None = None

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if self._keys is None:
            # Labels first, then values, so that a value wins where both match.
            self._keys = {str(label).lower(): key for key, label in self.choices.choices}
            self._keys.update({key.lower(): key for key in self.choices.values})
        key = self._keys.get(str(value).strip().lower())
        if key is not None:
            return key
        allowed = ", ".join(self.choices.values)
        raise RowRefused(f"'{value}' is not one of: {allowed}")

    def render(self, value, obj=None, **kwargs):
        return value or ""


class RegisterLoader(BaseInstanceLoader):
    """Every advisor the file names, in one query (by email, tidied as `clean_row` tidies it),
    with their lived experience and topics, instead of one query per row."""

    def __init__(self, resource, dataset=None) -> None:
        super().__init__(resource, dataset)
        column = resource.fields["email"].column_name
        emails: set[str] = set()
        if dataset is not None and column in (dataset.headers or []):
            emails = {str(v or "").strip().lower() for v in dataset[column]} - {""}
        self.by_email = {
            a.email: a
            for a in Advisor.objects.filter(email__in=emails).prefetch_related(
                "lived_experience", "topics"
            )
        }

    def get_instance(self, row):
        return self.by_email.get(row.get("email"))


@dataclass
class Pending:
    """A row's advisor, to be written with the others once every row is good."""

    advisor: Advisor
    new: bool
    # Many-to-many field name -> ids, for the columns the file has.
    m2m: dict[str, set[int]] = field(default_factory=dict)


class AdvisorResource(SafeModelResource):
    """The register: checked row by row (no query per row: `RegisterLoader`, cached lookups,
    `validate_in_python`), then written together, in bulk, with its history, only when
    every row is good and this is not the preview (`_write`)."""

    validate_in_python = True

    contact_method = fields.Field(
        attribute="contact_method",
        column_name="contact_method",
        widget=ChoiceWidget(ContactMethod),
    )
    contact_format = fields.Field(
        attribute="contact_format",
        column_name="contact_format",
        widget=ChoiceWidget(ContactFormat),
    )
    status = fields.Field(
        attribute="status", column_name="status", widget=ChoiceWidget(Advisor.Status)
    )
    acknowledgement = fields.Field(
        attribute="acknowledgement",
        column_name="acknowledgement",
        widget=ChoiceWidget(Advisor.Acknowledgement),
    )
    lived_experience = fields.Field(
        attribute="lived_experience",
        column_name="lived_experience",
        widget=StrictManyToManyWidget(LivedExperience, field="code", separator=";", cached=True),
    )
    topics = fields.Field(
        attribute="topics",
        column_name="topics",
        widget=StrictManyToManyWidget(Topic, field="name", separator=";", cached=True),
    )

    class Meta:
        model = Advisor
        import_id_fields = ["email"]
        fields = [
            "email",
            "first_name",
            "last_name",
            "phone",
            "address",
            "postcode",
            "contact_method",
            "contact_format",
            "contact_format_other",
            "status",
            "joined_on",
            "pieg_member",
            "enhanced_support",
            "support_budget",
            "acknowledgement",
            "lived_experience",
            "lived_experience_detail",
            "topics",
            "availability",
            "support_needs",
        ]
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        # Rows are saved together at the end (`_write`), not one savepoint and save per row.
        use_bulk = True
        instance_loader_class = RegisterLoader
        # The preview shows a sample and counts (`result.sample`), not a diff of every row;
        # unchanged rows are found by `skip_row` from `_before`, not from a copy of each record.
        skip_diff = True

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._pending: list[Pending] = []
        self._sample: list[dict] = []
        self._dry_run = True
        self._user = None
        self._progress = None
        self._before: dict | None = None

    def clean_row(self, row) -> None:
        # The natural key must be present: without it a row would create an unmatched duplicate.
        email = str(row.get("email") or "").strip().lower()
        if not email:
            raise RowRefused("Every row needs an email address: it is how advisors are matched.")
        row["email"] = email

    # The bulk path -------------------------------------------------------------------------

    def import_data(self, dataset, dry_run=False, *args, **kwargs):
        self._pending, self._sample = [], []
        self._dry_run = dry_run
        self._user = kwargs.get("user")
        self._progress = kwargs.pop("progress", None)
        result = super().import_data(dataset, dry_run, *args, **kwargs)
        result.sample = self._sample
        result.sample_headers = list(dataset.headers or [])
        return result

    def after_init_instance(self, instance, new, row, **kwargs) -> None:
        self._before = (
            None if new else {f.attname: getattr(instance, f.attname) for f in self._columns()}
        )

    def _columns(self) -> list[models.Field]:
        opts = Advisor._meta
        return [
            opts.get_field(f.attribute)
            for f in self.get_import_fields()
            if f.attribute and not isinstance(f.widget, widgets.ManyToManyWidget)
        ]

    def skip_row(self, instance, original, row, import_validation_errors=None) -> bool:
        """An existing advisor's row that would change nothing is skipped."""
        if import_validation_errors or self._before is None:
            return False
        for name, value in self._before.items():
            if getattr(instance, name) != value:
                return False
        for import_field in self.get_import_fields():
            if (
                isinstance(import_field.widget, widgets.ManyToManyWidget)
                and import_field.column_name in row
            ):
                held = {o.pk for o in getattr(instance, import_field.attribute).all()}
                if {o.pk for o in import_field.clean(row)} != held:
                    return False
        return True

    def save_instance(self, instance, is_create, row, **kwargs) -> None:
        self._pending.append(Pending(instance, is_create))

    def save_m2m(self, instance, row, **kwargs) -> None:
        pending = self._pending[-1]
        for import_field in self.get_import_fields():
            if (
                isinstance(import_field.widget, widgets.ManyToManyWidget)
                and import_field.column_name in row
            ):
                pending.m2m[import_field.attribute] = {o.pk for o in import_field.clean(row)}

    def after_import_row(self, row, row_result, **kwargs) -> None:
        number = kwargs.get("row_number", 0)
        if len(self._sample) < SAMPLE_ROWS and row_result.import_type in ("new", "update", "skip"):
            self._sample.append(
                {"row": number + 1, "type": row_result.import_type, "values": list(row.values())}
            )
        if self._progress is not None and number % PROGRESS_EVERY == 0:
            self._progress(number)

    def after_import(self, dataset, result, **kwargs) -> None:
        if not self._dry_run and not result.has_errors() and not result.has_validation_errors():
            self._write()
        super().after_import(dataset, result, **kwargs)

    def _write(self) -> None:
        """Save every pending advisor in a few queries, with what a row-by-row save writes:
        the change history (simple-history, many-to-many included), the admin's log, and
        the login switched off for anyone marked as left."""
        now = timezone.now()
        user = self._user if getattr(self._user, "pk", None) else None
        new = [p.advisor for p in self._pending if p.new]
        changed = [p.advisor for p in self._pending if not p.new]
        m2m_fields = [
            f for f in Advisor._meta.many_to_many if any(f.name in p.m2m for p in self._pending)
        ]
        old_m2m = {
            (p.advisor.pk, f.name): {o.pk for o in getattr(p.advisor, f.name).all()}
            for p in self._pending
            if not p.new
            for f in m2m_fields
        }
        history = {"default_user": user, "default_change_reason": CHANGE_REASON}
        bulk_create_with_history(new, Advisor, batch_size=BATCH_SIZE, default_date=now, **history)
        for advisor in changed:
            advisor.updated_at = now
        columns = [
            f.attribute
            for f in self.get_import_fields()
            if f.attribute
            and f.attribute not in self.get_import_id_fields()
            and not isinstance(f.widget, widgets.ManyToManyWidget)
        ] + ["updated_at"]
        bulk_update_with_history(
            changed, Advisor, columns, batch_size=BATCH_SIZE, default_date=now, **history
        )
        # Many-to-many: replace the rows of each advisor whose choices changed.
        m2m_changed: set[int] = set()
        for m2m_field in m2m_fields:
            through = m2m_field.remote_field.through
            source, target = m2m_field.m2m_field_name(), m2m_field.m2m_reverse_field_name()
            replace, rows = [], []
            for p in self._pending:
                if m2m_field.name not in p.m2m:
                    continue
                ids = p.m2m[m2m_field.name]
                if ids == old_m2m.get((p.advisor.pk, m2m_field.name), set()):
                    continue
                m2m_changed.add(p.advisor.pk)
                if not p.new:
                    replace.append(p.advisor.pk)
                rows += [
                    through(**{f"{source}_id": p.advisor.pk, f"{target}_id": pk}) for pk in ids
                ]
            through.objects.filter(**{f"{source}_id__in": replace}).delete()
            through.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        # Every history row holds the advisor's many-to-many choices as they were then: the
        # rows just written for changed advisors, and (as a save and then choosing topics
        # would) a second row for new advisors who chose some.
        records = list(
            Advisor.history.filter(
                history_date=now, history_type="~", id__in=[a.pk for a in changed]
            )
        )
        records += (
            Advisor.history.bulk_history_create(
                [a for a in new if a.pk in m2m_changed],
                update=True,
                batch_size=BATCH_SIZE,
                default_date=now,
                **history,
            )
            or []
        )
        self._write_m2m_history(records)
        # The admin's own log, as the admin writes it for an import.
        for advisors, flag, words in ((new, ADDITION, "Added"), (changed, CHANGE, "Changed")):
            if advisors and user is not None:
                LogEntry.objects.log_actions(
                    user.pk, advisors, flag, f"{words} by the register import"
                )
        # A row that says someone has left switches their login off, as the admin does.
        for advisor in new + changed:
            if advisor.status == Advisor.Status.LEFT and advisor.user_id:
                services.advisor_login_follow_status(advisor=advisor)

    @staticmethod
    def _write_m2m_history(records: list) -> None:
        if not records:
            return
        by_advisor = {r.id: r for r in records}
        historical = type(records[0])
        for m2m_field in historical._history_m2m_fields:
            through = m2m_field.remote_field.through
            source = m2m_field.m2m_field_name()
            m2m_history = next(
                rel.related_model
                for rel in historical._meta.related_objects
                if rel.related_model.__name__ == f"{historical.__name__}_{m2m_field.name}"
            )
            names = [f.attname for f in through._meta.fields]
            copies = [
                m2m_history(history=by_advisor[values[source + "_id"]], **values)
                for values in through.objects.filter(
                    **{f"{source}_id__in": list(by_advisor)}
                ).values(*names)
            ]
            m2m_history.objects.bulk_create(copies, batch_size=BATCH_SIZE)


# Finance's columns, in this order, as far as advisors.access.ADVISOR_FIELDS_BY_ROLE allows.
PAYMENT_COLUMNS = [
    name
    for name in [
        "email",
        "first_name",
        "last_name",
        "status",
        "phone",
        "address",
        "postcode",
        "contact_method",
        "payment_preference",
        "annual_limit",
        "bank_details",
    ]
    if name in ADVISOR_FIELDS_BY_ROLE[Role.FINANCE]
]


class AdvisorPaymentResource(SafeModelResource):
    """The register as finance exports it: what paying someone needs, and nothing else.

    Bank details are masked (the last four digits): full numbers are only in the payment
    batch's file. Export only: finance cannot import the register.
    """

    contact_method = fields.Field(
        attribute="contact_method", column_name="contact_method", widget=ChoiceWidget(ContactMethod)
    )
    status = fields.Field(
        attribute="status", column_name="status", widget=ChoiceWidget(Advisor.Status)
    )
    payment_preference = fields.Field(
        attribute="payment_preference",
        column_name="payment_preference",
        widget=ChoiceWidget(PaymentPreference),
    )
    bank_details = fields.Field(column_name="bank_details", readonly=True)

    class Meta:
        model = Advisor
        import_id_fields = ["email"]
        fields = PAYMENT_COLUMNS
        export_order = PAYMENT_COLUMNS

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("bank_details")

    def dehydrate_bank_details(self, advisor: Advisor) -> str:
        details = getattr(advisor, "bank_details", None)
        return details.masked if details else ""
