"""CSV/XLSX import and export of the register (django-import-export).

Equality answers are never part of it: they are special-category data. Finance exports
`AdvisorPaymentResource` instead: only the columns advisors.access gives finance. Exporting the register
and importing the file back changes nothing (tests/test_round_trip.py); the file checks, UK
dates and plain problems come from `ascru_pie.lib.imports.SafeModelResource`.
"""

from import_export import fields, widgets

from ascru_pie.lib.imports import RowRefused, SafeModelResource, StrictManyToManyWidget
from ascru_pie.roles import Role

from . import services
from .access import ADVISOR_FIELDS_BY_ROLE
from .models import Advisor, ContactFormat, ContactMethod, LivedExperience, PaymentPreference, Topic


class ChoiceWidget(widgets.Widget):
    """Accept a choice by its value or its label (case-insensitive); refuse anything else by name."""

    def __init__(self, choices, **kwargs) -> None:
        super().__init__(**kwargs)
        self.choices = choices

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        for key, label in self.choices.choices:
            if text in (key.lower(), str(label).lower()):
                return key
        allowed = ", ".join(self.choices.values)
        raise RowRefused(f"'{value}' is not one of: {allowed}")

    def render(self, value, obj=None, **kwargs):
        return value or ""


class AdvisorResource(SafeModelResource):
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
        widget=StrictManyToManyWidget(LivedExperience, field="code", separator=";"),
    )
    topics = fields.Field(
        attribute="topics",
        column_name="topics",
        widget=StrictManyToManyWidget(Topic, field="name", separator=";"),
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

    def clean_row(self, row) -> None:
        # The natural key must be present: without it a row would create an unmatched duplicate.
        email = str(row.get("email") or "").strip().lower()
        if not email:
            raise RowRefused("Every row needs an email address: it is how advisors are matched.")
        row["email"] = email

    def after_save_instance(self, instance, row, **kwargs) -> None:
        # A row that says someone has left switches their login off, as the admin does.
        services.advisor_login_follow_status(advisor=instance)


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
