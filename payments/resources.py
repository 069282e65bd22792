"""Finance files: the batch export (django-import-export) and the "paid" file finance sends back.

The export's columns come from settings.FINANCE_EXPORT_COLUMNS. Full bank details are two
optional columns, decrypted only when asked for; the view allows them only to people with
`advisors.view_bank_details`. The paid file is read here and checked against the claims,
but applied only by services.finance_paid_apply (all or nothing, twice is harmless).
"""

import datetime
from dataclasses import dataclass

import tablib
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.db.models import QuerySet
from django.utils import timezone
from import_export import fields, resources

from advisors.models import PaymentPreference
from ascru_pie.lib.crypto import decrypt
from ascru_pie.lib.exports import cell_safe
from ascru_pie.lib.imports import DateRefused, FileRefused, parse_uk_date, read_table

from .models import Claim, PaymentBatch


def _bank_details(claim: Claim):
    try:
        return claim.advisor.bank_details
    except ObjectDoesNotExist:
        return None


class FinanceExportResource(resources.Resource):
    """One row per claim of a batch, in the columns finance asked for (and that order)."""

    # Columns that reveal full bank details: only for `advisors.view_bank_details`.
    FULL_DETAILS = frozenset({"sort_code", "account_number"})

    batch = fields.Field(column_name="batch")
    claim = fields.Field(column_name="claim")
    payee = fields.Field(column_name="payee")
    payment_method = fields.Field(column_name="payment_method")
    account = fields.Field(column_name="account")
    amount = fields.Field(column_name="amount")
    activity_date = fields.Field(column_name="activity_date")
    description = fields.Field(column_name="description")
    cost_centre = fields.Field(column_name="cost_centre")
    sort_code = fields.Field(column_name="sort_code")
    account_number = fields.Field(column_name="account_number")

    def __init__(self, *, columns: list[str] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.columns = list(columns if columns is not None else settings.FINANCE_EXPORT_COLUMNS)
        unknown = [c for c in self.columns if c not in self.fields]
        if unknown or not self.columns:
            raise ImproperlyConfigured(
                f"FINANCE_EXPORT_COLUMNS has unknown columns {unknown or '(none given)'}; "
                f"choose from {', '.join(self.fields)}."
            )

    @property
    def reveals_bank_details(self) -> bool:
        return bool(self.FULL_DETAILS & set(self.columns))

    @staticmethod
    def claims_of(batch: PaymentBatch) -> QuerySet:
        # One query: the batch, the advisor and their bank details come with each claim.
        # Only claims still to pay: a claim already paid must never be in a file again.
        return (
            Claim.objects.filter(batch=batch, status=Claim.Status.IN_BATCH)
            .select_related("batch", "advisor", "advisor__bank_details")
            .order_by("pk")
        )

    def get_export_order(self) -> tuple[str, ...]:
        # The configured order, not the declaration order.
        return tuple(self.columns)

    def export(self, queryset=None, **kwargs) -> tablib.Dataset:
        return super().export(queryset, export_fields=self.columns, **kwargs)

    def dehydrate_batch(self, claim: Claim) -> str:
        return claim.batch.reference if claim.batch_id else ""

    def dehydrate_claim(self, claim: Claim) -> int:
        return claim.pk

    def dehydrate_payee(self, claim: Claim) -> str:
        return cell_safe(claim.advisor.full_name)

    def dehydrate_payment_method(self, claim: Claim) -> str:
        return claim.advisor.get_payment_preference_display()

    def dehydrate_account(self, claim: Claim) -> str:
        if claim.advisor.payment_preference == PaymentPreference.VOUCHER:
            return "Voucher"
        details = _bank_details(claim)
        if details is None:
            return "No bank details"
        return f"Account ending {details.account_number_last4}"

    def dehydrate_amount(self, claim: Claim):
        return claim.amount

    def dehydrate_activity_date(self, claim: Claim) -> str:
        return claim.activity_date.isoformat()

    def dehydrate_description(self, claim: Claim) -> str:
        return cell_safe(claim.description)

    def dehydrate_cost_centre(self, claim: Claim) -> str:
        return settings.FINANCE_COST_CENTRE

    def dehydrate_sort_code(self, claim: Claim) -> str:
        details = _bank_details(claim)
        if claim.advisor.payment_preference == PaymentPreference.VOUCHER or details is None:
            return ""
        digits = decrypt(details.sort_code_encrypted)
        return f"{digits[0:2]}-{digits[2:4]}-{digits[4:6]}"

    def dehydrate_account_number(self, claim: Claim) -> str:
        details = _bank_details(claim)
        if claim.advisor.payment_preference == PaymentPreference.VOUCHER or details is None:
            return ""
        return decrypt(details.account_number_encrypted)


# --- finance's "paid" file -------------------------------------------------------------------

PAID_FILE_MAX_BYTES = 1024 * 1024
PAID_FILE_MAX_ROWS = 5000


class PaidFileError(ValueError):
    """The file as a whole cannot be read (wrong type, missing columns, no rows)."""


@dataclass
class PaidRow:
    """One row of the paid file: what it says, and (after reading) any problem with it."""

    line: int
    claim_text: str
    paid_on_text: str
    claim_id: int | None = None
    paid_on: datetime.date | None = None
    error: str = ""
    # Filled in by the preview: the claim the row names, and what applying it will do.
    claim: Claim | None = None
    outcome: str = ""


def _claim_id(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip().lstrip("#")
    # Thousands of digits are no claim number (and int() refuses more than 4,300).
    return int(text) if text.isdigit() and len(text) <= 100 else None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def paid_file_read(*, name: str, content: bytes) -> list[PaidRow]:
    """Read the rows of a paid file and check their shape (numbers, dates, duplicates).

    The file goes through the same safe reader as every import (ascru_pie.lib.imports): size,
    zip bombs, XML entities and encodings are checked there. Dates are UK dates (03/04/2026 is
    3 April). Raises PaidFileError when the file as a whole cannot be used. Claims are not
    looked up here.
    """
    if len(content) > PAID_FILE_MAX_BYTES:
        raise PaidFileError("The file is larger than 1 MB; a paid file should be much smaller.")
    try:
        dataset = read_table(
            name=name, content=content, max_bytes=PAID_FILE_MAX_BYTES, max_rows=PAID_FILE_MAX_ROWS
        )
    except FileRefused as exc:
        raise PaidFileError(str(exc)) from None
    headers = [_text(h).lower() for h in (dataset.headers or [])]
    missing = [c for c in ("claim", "paid_on") if c not in headers]
    if missing:
        found = ", ".join(f"“{h}”" for h in headers if h) or "none"
        raise PaidFileError(
            f"The file needs columns called “claim” and “paid_on” in its first row. "
            f"Columns found: {found}."
        )
    claim_col, date_col = headers.index("claim"), headers.index("paid_on")
    today = timezone.localdate()
    rows: list[PaidRow] = []
    first_line: dict[int, int] = {}
    # Line 1 is the header row, so data starts on line 2, as a spreadsheet numbers it (the
    # reader keeps blank rows, so the numbers stay right after one).
    for line, values in enumerate(dataset, start=2):
        claim_value, date_value = values[claim_col], values[date_col]
        if not _text(claim_value) and not _text(date_value):
            continue  # a blank line
        row = PaidRow(line=line, claim_text=_text(claim_value), paid_on_text=_text(date_value))
        row.claim_id = _claim_id(claim_value) if row.claim_text else None
        date_problem = ""
        try:
            row.paid_on = parse_uk_date(date_value)
        except DateRefused as exc:
            # UK dates: 03/04/2026 is 3 April; an ambiguous or impossible date is refused.
            date_problem = " ".join(
                filter(
                    None, [f"“{exc.text}” is not a date: use YYYY-MM-DD or DD/MM/YYYY.", exc.detail]
                )
            )
        if row.claim_id is None:
            row.error = (
                f"the claim number “{row.claim_text}” is not a number."
                if row.claim_text
                else "the claim number is missing."
            )
        elif date_problem:
            row.error = f"the date {date_problem}"
        elif row.paid_on is None:
            row.error = "the date paid is missing."
        elif row.paid_on > today:
            row.error = f"the date paid, {row.paid_on:%d %B %Y}, is in the future."
        elif row.claim_id in first_line:
            row.error = f"claim {row.claim_id} is already on line {first_line[row.claim_id]}."
        if row.claim_id is not None:
            first_line.setdefault(row.claim_id, line)
        rows.append(row)
    if not rows:
        raise PaidFileError("The file has no rows below its column names.")
    return rows
